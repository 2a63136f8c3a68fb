"""MLflow tracking of a hyperparameter search: a parent run, a nested run per trial.

:class:`SearchTracker` is an Optuna callback;
:class:`~skgait.model_selection.OptunaSearchCV` calls :meth:`~SearchTracker.start`
before the first trial and :meth:`~SearchTracker.finish` after the last, so
that model selection itself never imports MLflow.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import warnings

import numpy as np

from ._model import log_model
from ._store import _ExperimentTracker, _metric_history

__all__ = ["SearchTracker"]

_logger = logging.getLogger(__name__)

#: Completed trials needed before parameter importances are plotted. Optuna's
#: importances (fANOVA) fit a random forest from the trials' parameters to
#: their scores; on fewer points than its own TPE sampler needs before it
#: models the space at all (``n_startup_trials=10``), the forest fits noise
#: and the plot ranks parameters at random.
MIN_TRIALS_FOR_IMPORTANCE = 10


class SearchTracker(_ExperimentTracker):
    """Log an Optuna study to MLflow: the search is a run, each trial a nested run.

    Uses an explicit :class:`mlflow.tracking.MlflowClient`, so the global
    tracking URI and active run of the caller are left alone. The store is
    opened as for grids (:meth:`connect`): artifacts beside a SQLite
    database, every failure one :class:`~skgait.exceptions.TrackingError` naming the URI.

    Parameters
    ----------
    tracking_uri : str or None, default=None
        MLflow tracking URI; None is :data:`DEFAULT_TRACKING_URI`.
    experiment : str, default="skgait-search"
        MLflow experiment.
    register_name : str or None, default=None
        MLflow Model Registry name of the refitted best estimator
        (:meth:`log_best_estimator`: a new version per search); None is
        ``experiment``.

    Attributes
    ----------
    client : mlflow.tracking.MlflowClient
    experiment_id : str
    run_id : str
        The search's run (after :meth:`start`).
    trial_runs : dict of int to str
        Trial number → nested run.
    source_tags : dict of str to str
        MLflow's source tags and skgait's version, set on the search's run
        and its trials.
    model_version : mlflow.entities.model_registry.ModelVersion or None
        The registered best estimator (after :meth:`log_best_estimator`).

    Examples
    --------
    >>> from skgait.tracking import SearchTracker
    >>> tracker = SearchTracker("sqlite:///search.db", experiment="lags")
    >>> tracker.tracking_uri
    'sqlite:///search.db'
    """

    def __init__(self, tracking_uri=None, experiment="skgait-search", register_name=None):
        super().__init__(tracking_uri, experiment)
        self.register_name = register_name
        self.model_version = None

    def start(self, run_name, params):
        """Open the search's run and log ``params``; returns ``self``.

        Connects first unless :meth:`connect` was called.
        """
        if self.client is None:
            self.connect()

        def _start():
            run = self.client.create_run(
                self.experiment_id, run_name=run_name, tags=self.source_tags
            )
            self._log_batch(run.info.run_id, params=params)
            return run.info.run_id

        self.run_id = self._call("starting the search's run", _start)
        self.trial_runs = {}
        return self

    def __call__(self, study, trial):
        """Optuna callback: log a finished trial as a nested run.

        Its parameters; ``mean_test_score``; the score of each test fold as
        the metric history ``fold/test_score`` (``step`` = fold index); the
        values reported for pruning as ``intermediate_value`` (``step`` as
        reported); its number, state and study as tags.
        """
        from optuna.trial import TrialState

        status = {TrialState.COMPLETE: "FINISHED", TrialState.PRUNED: "KILLED"}.get(
            trial.state, "FAILED"
        )
        now = int(time.time() * 1000)
        intermediate = dict(sorted(trial.intermediate_values.items()))
        metrics = (
            _metric_history("mean_test_score", [trial.value], now)
            + _metric_history("fold/test_score", trial.user_attrs.get("split_test_scores", []), now)
            + _metric_history("intermediate_value", [*intermediate.values()], now, intermediate)
        )

        def _log():
            run = self.client.create_run(
                self.experiment_id,
                run_name=f"trial {trial.number}",
                tags={**self.source_tags, "mlflow.parentRunId": self.run_id},
            )
            self._log_batch(
                run.info.run_id,
                params=trial.params,
                metrics=metrics,
                tags={
                    "optuna.trial_number": trial.number,
                    "optuna.state": trial.state.name,
                    "optuna.study_name": study.study_name,
                },
            )
            self.client.set_terminated(run.info.run_id, status=status)
            return run.info.run_id

        self.trial_runs[trial.number] = self._call(f"logging trial {trial.number}", _log)

    def finish(self, study, summary, status="FINISHED"):
        """Log the best trial, ``summary``'s numbers and Optuna's plots; close the run.

        The parameter importances are plotted only from
        :data:`MIN_TRIALS_FOR_IMPORTANCE` completed trials on; with fewer,
        the tag ``optuna.param_importances`` says why there is no plot.
        """
        now = int(time.time() * 1000)
        metrics = []
        tags = {"optuna.study_name": study.study_name}
        n_complete = _n_complete(study)
        if n_complete < MIN_TRIALS_FOR_IMPORTANCE:
            tags["optuna.param_importances"] = (
                f"not computed: {n_complete} completed trials, fewer than "
                f"{MIN_TRIALS_FOR_IMPORTANCE}"
            )
        try:
            best = study.best_trial
            metrics += _metric_history("best_score", [best.value], now)
            tags["best_trial"] = best.number
            tags.update({f"best.{k}": v for k, v in best.params.items()})
        except ValueError:
            pass
        for key, value in summary.items():
            if isinstance(value, (int, float)):
                metrics += _metric_history(key, [value], now)

        def _finish():
            self._log_batch(self.run_id, metrics=metrics, tags=tags)
            with tempfile.TemporaryDirectory() as tmp:
                for path in _save_plots(study, tmp):
                    self.client.log_artifact(self.run_id, path, artifact_path="optuna")
            self.client.set_terminated(self.run_id, status=status)

        self._call("closing the search's run", _finish)

    def log_best_estimator(self, estimator, X_example):
        """Log the refitted best estimator to the search's run (:func:`log_model`).

        It goes to the artifact path ``model`` and is registered as a new
        version of ``register_name`` (None: the experiment's name).

        Parameters
        ----------
        estimator : fitted estimator
        X_example : array-like
            A few inputs of ``estimator``, for the signature.
        """
        self.model_version = self._call(
            "logging the best estimator",
            log_model,
            self.client,
            self.run_id,
            estimator,
            X_example,
            register_name=self.register_name or self.experiment,
        )


def _n_complete(study):
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


def _save_plots(study, folder):
    """Save Optuna's matplotlib plots of ``study``; return the written paths.

    No parameter importances below :data:`MIN_TRIALS_FOR_IMPORTANCE`
    completed trials.
    """
    try:
        import matplotlib

        if not os.environ.get("MPLBACKEND"):
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        from optuna.visualization import matplotlib as ov
    except ImportError:  # pragma: no cover - matplotlib comes with mlflow
        warnings.warn("matplotlib is not installed: Optuna's plots are not saved.", stacklevel=3)
        return []
    names = {p for t in study.trials for p in t.params}
    lag_params = sorted(p for p in names if p.endswith("lags")) or sorted(names)
    plots = {
        "optimization_history.png": lambda: ov.plot_optimization_history(study),
        "param_importances.png": lambda: ov.plot_param_importances(study),
        "slice.png": lambda: ov.plot_slice(study, params=lag_params),
        "intermediate_values.png": lambda: ov.plot_intermediate_values(study),
    }
    if _n_complete(study) < MIN_TRIALS_FOR_IMPORTANCE:
        del plots["param_importances.png"]
    written = []
    for filename, plot in plots.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ax = plot()
            fig = (np.ravel(ax)[0] if isinstance(ax, np.ndarray) else ax).figure
            path = os.path.join(folder, filename)
            fig.savefig(path, dpi=80, bbox_inches="tight")
            plt.close(fig)
            written.append(path)
        except Exception as exc:  # noqa: BLE001 (a plot may need more trials; never fail the search)
            _logger.info("Optuna plot %s not saved: %s", filename, exc)
    return written
