"""Cross-dataset experiments: BioDeep's cross-testing grid, tracked with MLflow.

- :class:`CrossDatasetGrid` / :func:`run_grid`: train on one dataset, test on
  another, for every pair of datasets, task, estimator and protocol
  (:data:`PROTOCOLS`: ``within``, ``leaky_window``, ``direct``, ``fine_tune``,
  ``scratch``); cells run through :mod:`joblib` (threads, processes, Dask,
  Ray) and are logged as nested MLflow runs.
- How it runs: a plan of cells and their dependencies (``scratch`` after
  its target's ``within`` cell, ``fine_tune`` after its source's ``direct``
  cell), a runner, and a recorder that writes the CSV and MLflow and
  resumes (cells already FINISHED are read back, not computed again).
- Configuration files, whose keys are the parameter names:
  :func:`load_config`, :func:`parse_config`, :func:`default_config`,
  :class:`GridConfig`; :class:`~skgait.exceptions.ConfigError`, :func:`read_toml` and
  :class:`ConfigChecker` check the keys a grid shares with ``skgait
  search`` (``tasks``, ``n_splits``, ``random_state``, ``[windows]``,
  ``[[datasets]]``, ``tracking``, ``tracking_uri``, ``experiment``) in one
  way. :class:`WindowSpec` is the one specification of the windows.
- Names (one table each): :data:`TASK_TARGETS` (task → target column and
  kind), :data:`METRICS`, :data:`METRIC_FUNCTIONS`, :data:`DEFAULT_METRICS`,
  :data:`PROTOCOLS`, :data:`ESTIMATORS` (the estimator names grids,
  searches and :func:`make_estimator` share); datasets are
  :data:`skgait.datasets.DATASET_LOADERS`.
- Intervals: each cell's score comes with its 95 % interval over subjects
  (:func:`skgait.metrics.subject_interval`).
- Reading results back: :func:`~skgait.tracking.read_grid_results` (MLflow),
  :func:`~skgait.tracking.read_results_csv`, :func:`results_tables`, :func:`plot_heatmaps`.
- Tracking (:class:`~skgait.tracking.MlflowTracker`) lives in
  :mod:`skgait.tracking`; the errors in :mod:`skgait.exceptions`.
"""

from ._cells import Cell
from ._config import (
    ConfigChecker,
    GridConfig,
    default_config,
    load_config,
    parse_config,
    read_toml,
)
from ._grid import CrossDatasetGrid, run_grid
from ._report import format_table, plot_heatmaps, results_tables
from ._vocabulary import (
    DEFAULT_METRICS,
    ESTIMATORS,
    METRIC_FUNCTIONS,
    METRICS,
    PROTOCOLS,
    TASK_TARGETS,
    make_estimator,
    on_device,
)
from ._windows import WindowSpec

__all__ = [
    "Cell",
    "ConfigChecker",
    "CrossDatasetGrid",
    "DEFAULT_METRICS",
    "ESTIMATORS",
    "GridConfig",
    "METRICS",
    "METRIC_FUNCTIONS",
    "PROTOCOLS",
    "TASK_TARGETS",
    "WindowSpec",
    "default_config",
    "format_table",
    "load_config",
    "make_estimator",
    "on_device",
    "parse_config",
    "plot_heatmaps",
    "read_toml",
    "results_tables",
    "run_grid",
]
