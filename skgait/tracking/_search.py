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

from ._context import context_tags
from ._grid import DEFAULT_TRACKING_URI
from ._model import log_model

__all__ = ["SearchTracker"]

_logger = logging.getLogger(__name__)


class SearchTracker:
    """Log an Optuna study to MLflow: the search is a run, each trial a nested run.

    Uses an explicit :class:`mlflow.tracking.MlflowClient`, so the global
    tracking URI and active run of the caller are left alone.

    Parameters
    ----------
    tracking_uri : str or None, default=None
        MLflow tracking URI; None is :data:`DEFAULT_TRACKING_URI`.
    experiment : str, default="skgait-search"
        MLflow experiment.

    Attributes
    ----------
    run_id : str
        The search's run (after :meth:`start`).
    trial_runs : dict of int to str
        Trial number → nested run.
    source_tags : dict of str to str
        MLflow's source tags and skgait's version, set on the search's run
        and its trials.

    Examples
    --------
    >>> from skgait.tracking import SearchTracker
    >>> tracker = SearchTracker("sqlite:///search.db", experiment="lags")
    >>> tracker.tracking_uri
    'sqlite:///search.db'
    """

    def __init__(self, tracking_uri=None, experiment="skgait-search"):
        self.tracking_uri = tracking_uri
        self.experiment = experiment

    def start(self, run_name, params):
        """Open the search's run and log ``params``; returns ``self``."""
        from mlflow.tracking import MlflowClient

        self.client = MlflowClient(tracking_uri=self.tracking_uri or DEFAULT_TRACKING_URI)
        exp = self.client.get_experiment_by_name(self.experiment)
        self.experiment_id = (
            exp.experiment_id if exp is not None else self.client.create_experiment(self.experiment)
        )
        self.source_tags = context_tags()
        run = self.client.create_run(self.experiment_id, run_name=run_name, tags=self.source_tags)
        self.run_id = run.info.run_id
        self._log(self.run_id, params=params)
        self.trial_runs = {}
        return self

    def _log(self, run_id, params=None, metrics=None, tags=None, step=0):
        from mlflow.entities import Metric, Param, RunTag

        ts = int(time.time() * 1000)
        self.client.log_batch(
            run_id,
            params=[Param(str(k), str(v)[:6000]) for k, v in (params or {}).items()],
            metrics=[
                Metric(str(k), float(v), ts, step)
                for k, v in (metrics or {}).items()
                if v is not None and np.isfinite(v)
            ],
            tags=[RunTag(str(k), str(v)) for k, v in (tags or {}).items()],
        )

    def __call__(self, study, trial):
        """Optuna callback: log a finished trial as a nested run."""
        from optuna.trial import TrialState

        run = self.client.create_run(
            self.experiment_id,
            run_name=f"trial {trial.number}",
            tags={**self.source_tags, "mlflow.parentRunId": self.run_id},
        )
        run_id = run.info.run_id
        metrics = {}
        if trial.value is not None:
            metrics["mean_test_score"] = trial.value
        for i, s in enumerate(trial.user_attrs.get("split_test_scores", [])):
            metrics[f"split{i}_test_score"] = s
        self._log(
            run_id,
            params=trial.params,
            metrics=metrics,
            tags={
                "optuna.trial_number": trial.number,
                "optuna.state": trial.state.name,
                "optuna.study_name": study.study_name,
            },
        )
        for step, value in sorted(trial.intermediate_values.items()):
            self._log(run_id, metrics={"intermediate_value": value}, step=step)
        status = {TrialState.COMPLETE: "FINISHED", TrialState.PRUNED: "KILLED"}.get(
            trial.state, "FAILED"
        )
        self.client.set_terminated(run_id, status=status)
        self.trial_runs[trial.number] = run_id

    def finish(self, study, summary, status="FINISHED"):
        """Log the best trial, ``summary``'s numbers and Optuna's plots; close the run."""
        metrics = {}
        tags = {"optuna.study_name": study.study_name}
        try:
            best = study.best_trial
            metrics["best_score"] = best.value
            tags["best_trial"] = best.number
            tags.update({f"best.{k}": v for k, v in best.params.items()})
        except ValueError:
            pass
        metrics.update({k: v for k, v in summary.items() if isinstance(v, (int, float))})
        self._log(self.run_id, metrics=metrics, tags=tags)
        with tempfile.TemporaryDirectory() as tmp:
            for path in _save_plots(study, tmp):
                self.client.log_artifact(self.run_id, path, artifact_path="optuna")
        self.client.set_terminated(self.run_id, status=status)

    def log_best_estimator(self, estimator, X_example):
        """Log the refitted best estimator to the search's run (:func:`log_model`).

        Parameters
        ----------
        estimator : fitted estimator
        X_example : array-like
            A few inputs of ``estimator``, for the signature.
        """
        log_model(self.client, self.run_id, estimator, X_example)


def _save_plots(study, folder):
    """Save Optuna's matplotlib plots of ``study``; return the written paths."""
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
