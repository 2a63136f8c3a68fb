"""MLflow tracking, shared by cross-dataset grids and hyperparameter searches.

- :class:`MlflowTracker`: a grid is a parent run, each cell a nested run;
  :func:`read_grid_results` reads a grid back from MLflow, :func:`read_results_csv`
  from its CSV (one reader: text columns stay text).
- :class:`SearchTracker`: an Optuna callback; a search is a parent run, each
  trial a nested run (``OptunaSearchCV(tracking=...)``).
- :func:`log_model`: a fitted model as MLflow models with a signature, the
  way grids log their cells' models and searches their best estimator.

Both open the store the same way and talk to it through an explicit
:class:`mlflow.tracking.MlflowClient` (no global state): artifacts beside a
SQLite database, MLflow's batch limits, and one :class:`~skgait.exceptions.TrackingError`
naming the tracking URI for any failure. :data:`DEFAULT_TRACKING_URI` is a
SQLite file in the working directory.
"""

from ._grid import MlflowTracker, flatten_params, read_grid_results, read_results_csv, stable_repr
from ._model import log_model
from ._search import SearchTracker
from ._store import DEFAULT_TRACKING_URI, check_tracking_server

__all__ = [
    "DEFAULT_TRACKING_URI",
    "MlflowTracker",
    "SearchTracker",
    "check_tracking_server",
    "flatten_params",
    "log_model",
    "read_grid_results",
    "read_results_csv",
    "stable_repr",
]
