"""The configuration files of grids and searches: one format, one set of checks.

- :mod:`._checker`: reading TOML and
  :class:`ConfigChecker` for the keys grids and searches share;
- :mod:`._grid`: a grid's configuration (:func:`parse_config`,
  :func:`load_config`, :func:`default_config`);
- :mod:`._search`: a search's configuration (``skgait search``).

Every key is the name of the Python parameter it sets: the
:class:`~skgait.experiments.CrossDatasetGrid` parameters for a grid
(:data:`GRID_KEYS`), the :class:`~skgait.experiments.WindowSpec` fields in
``[windows]``, :func:`~skgait.experiments.make_estimator`'s parameters in an
estimator's table.
"""

from ._checker import TRACKING_KEYS, ConfigChecker, read_toml
from ._grid import GRID_KEYS, GridConfig, default_config, load_config, parse_config
from ._search import SEARCH_KEYS, SearchConfig, load_data, read_config, validate_config

__all__ = [
    "GRID_KEYS",
    "SEARCH_KEYS",
    "TRACKING_KEYS",
    "ConfigChecker",
    "GridConfig",
    "SearchConfig",
    "default_config",
    "load_config",
    "load_data",
    "parse_config",
    "read_config",
    "read_toml",
    "validate_config",
]
