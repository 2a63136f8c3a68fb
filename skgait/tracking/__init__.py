"""MLflow tracking, shared by cross-dataset grids and hyperparameter searches.

- :class:`MlflowTracker`: a grid is a parent run, each cell a nested run;
  :func:`read_grid_results` reads a grid back.
- :class:`SearchTracker`: an Optuna callback; a search is a parent run, each
  trial a nested run (``OptunaSearchCV(tracking=...)``).
- :func:`log_model`: a fitted model as MLflow models with a signature, the
  way grids log their cells' models and searches their best estimator.

Both talk to the store through an explicit :class:`mlflow.tracking.MlflowClient`
(no global state); :data:`DEFAULT_TRACKING_URI` is a SQLite file in the
working directory.
"""

from ._grid import (
    DEFAULT_TRACKING_URI,
    MlflowTracker,
    TrackingError,
    check_tracking_server,
    flatten_params,
    read_grid_results,
    stable_repr,
)
from ._model import log_model
from ._search import SearchTracker

__all__ = [
    "DEFAULT_TRACKING_URI",
    "MlflowTracker",
    "SearchTracker",
    "TrackingError",
    "check_tracking_server",
    "flatten_params",
    "log_model",
    "read_grid_results",
    "stable_repr",
]
