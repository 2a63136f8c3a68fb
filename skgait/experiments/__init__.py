"""Cross-dataset experiments: BioDeep's cross-testing grid, tracked with MLflow.

- :class:`CrossDatasetGrid` / :func:`run_grid`: train on one dataset, test on
  another, for every pair of datasets, task, estimator and protocol
  (:data:`PROTOCOLS`: ``within``, ``leaky``, ``direct``, ``fine_tune``,
  ``scratch``); cells run through :mod:`joblib` (threads, processes, Dask,
  Ray) and are logged as nested MLflow runs.
- Configuration files: :func:`load_config`, :func:`parse_config`,
  :func:`default_config`, :class:`GridConfig`; :class:`~skgait.exceptions.ConfigError`,
  :func:`read_toml` and :class:`ConfigChecker` check the sections a grid
  shares with ``skgait search`` (``tasks``, ``n_splits``, ``random_state``,
  ``[windows]``, ``[[datasets]]``, ``[tracking]``) in one way.
- Names (one table each): :data:`TASKS`, :data:`METRICS`,
  :data:`METRIC_FUNCTIONS`, :data:`DEFAULT_METRICS`, :data:`PROTOCOLS`,
  :data:`ESTIMATOR_TYPES`; datasets are :data:`skgait.datasets.DATASET_LOADERS`.
- Reading results back: :func:`~skgait.tracking.read_grid_results` (MLflow),
  :func:`~skgait.tracking.read_results_csv`, :func:`results_tables`, :func:`plot_heatmaps`.
- Tracking (:class:`~skgait.tracking.MlflowTracker`) lives in
  :mod:`skgait.tracking`; the errors in :mod:`skgait.exceptions`.
"""

from ._cells import Cell
from ._config import GridConfig, default_config, load_config, parse_config
from ._grid import CrossDatasetGrid, run_grid
from ._registry import (
    DEFAULT_METRICS,
    ESTIMATOR_TYPES,
    METRIC_FUNCTIONS,
    METRICS,
    PROTOCOLS,
    TASKS,
    make_estimator,
    on_device,
)
from ._report import format_table, plot_heatmaps, results_tables
from ._toml import ConfigChecker, read_toml

__all__ = [
    "Cell",
    "ConfigChecker",
    "CrossDatasetGrid",
    "DEFAULT_METRICS",
    "ESTIMATOR_TYPES",
    "GridConfig",
    "METRICS",
    "METRIC_FUNCTIONS",
    "PROTOCOLS",
    "TASKS",
    "default_config",
    "format_table",
    "load_config",
    "make_estimator",
    "on_device",
    "parse_config",
    "plot_heatmaps",
    "read_results_csv",
    "read_toml",
    "results_tables",
    "run_grid",
]
