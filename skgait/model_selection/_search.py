"""Hyperparameter search with Optuna, cross-validated by subject only.

:class:`OptunaSearchCV` is a scikit-learn meta-estimator (like
:class:`~sklearn.model_selection.RandomizedSearchCV`) whose candidates are
proposed by an Optuna sampler (TPE by default) and scored with subject-wise
cross-validation. It is written here on Optuna's public ``Study``/``Trial``
API, not on ``optuna.integration`` (moved to the separate
``optuna-integration`` package and not maintained with Optuna itself).

What it adds to a plain ``study.optimize`` loop:

- folds are computed once and checked subject-wise
  (:func:`~skgait.model_selection.check_subject_wise`); ``groups`` is
  required and :class:`~skgait.model_selection.LeakyWindowKFold` is refused;
- pruning: the running mean of the fold scores is reported after each fold
  (``trial.report(mean, step=fold)``), or, for skorch networks, the
  validation score after each epoch; a pruned trial stops there and
  ``pruning_summary_`` says what that saved;
- storage: in memory, a SQLite file, or any SQLAlchemy URL shared by several
  worker processes (``skgait search``);
- metadata routing, so that ``groups`` reaches the inner search when it is
  the inner loop of ``cross_val_score``;
- optional MLflow tracking: the search is a parent run, each trial a nested
  run, and Optuna's plots are logged as artifacts.
"""

import contextlib
import dataclasses
import inspect
import logging
import numbers
import os
import tempfile
import time
import warnings

import numpy as np
import optuna
import pandas as pd
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import TrialState
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    _fit_context,
    clone,
    is_classifier,
)
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._indexing import _safe_indexing
from sklearn.utils._metadata_requests import _routing_enabled
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_method_params, check_is_fitted, indexable

from ._split import (
    LeakyWindowKFold,
    SubjectKFold,
    SubjectRegressionKFold,
    check_subject_wise,
)

__all__ = ["OptunaSearchCV", "suggest_params"]

_logger = logging.getLogger(__name__)

#: ``tracking=True`` logs to this MLflow store, in the working directory.
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"

_GROUPS_HINT = (
    "Pass one subject id per window, e.g. fit(X, y, groups=meta['group']). "
    "As the inner loop of cross_val_score, pass params={'groups': groups} "
    "(see the OptunaSearchCV docstring, 'Nested evaluation')."
)


# ----------------------------------------------------------------------
# parameter spaces
# ----------------------------------------------------------------------
def _as_distribution(name, value):
    if isinstance(value, BaseDistribution):
        return value
    if isinstance(value, (list, tuple)) and len(value) > 0:
        return CategoricalDistribution(list(value))
    raise TypeError(
        f"param_distributions[{name!r}] must be an optuna distribution "
        "(IntDistribution, FloatDistribution, CategoricalDistribution) or a "
        f"non-empty list of choices; got {value!r}."
    )


def suggest_params(trial, param_distributions):
    """Sample one value per parameter from ``trial`` (public Optuna API).

    Parameters
    ----------
    trial : optuna.trial.Trial
        The trial that records the values.
    param_distributions : dict of str to distribution or list
        Parameter name → :class:`~optuna.distributions.IntDistribution`,
        :class:`~optuna.distributions.FloatDistribution`,
        :class:`~optuna.distributions.CategoricalDistribution`, or a list
        of choices (shorthand for a categorical distribution).

    Returns
    -------
    params : dict
        Parameter name → sampled value.

    Examples
    --------
    >>> import optuna
    >>> from optuna.distributions import IntDistribution
    >>> from skgait.model_selection import suggest_params
    >>> study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    >>> trial = study.ask()
    >>> params = suggest_params(trial, {"acf__lags": IntDistribution(2, 30),
    ...                                 "rf__max_depth": [4, 8, None]})
    >>> sorted(params)
    ['acf__lags', 'rf__max_depth']
    """
    params = {}
    for name, value in param_distributions.items():
        dist = _as_distribution(name, value)
        if isinstance(dist, IntDistribution):
            params[name] = trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
        elif isinstance(dist, FloatDistribution):
            params[name] = trial.suggest_float(
                name, dist.low, dist.high, step=dist.step, log=dist.log
            )
        elif isinstance(dist, CategoricalDistribution):
            params[name] = trial.suggest_categorical(name, dist.choices)
        else:
            raise TypeError(
                f"param_distributions[{name!r}]: unsupported distribution "
                f"{type(dist).__name__}; use IntDistribution, "
                "FloatDistribution or CategoricalDistribution."
            )
    return params


def _example_value(dist):
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[0]
    return dist.low


# ----------------------------------------------------------------------
# skorch networks: per-epoch pruning
# ----------------------------------------------------------------------
def _find_net(estimator):
    """Return ``(param_prefix, net)`` of a skorch net (bare or last step)."""
    try:
        from skorch import NeuralNet
    except ImportError:  # pragma: no cover - skorch is a dependency
        return None, None
    if isinstance(estimator, NeuralNet):
        return "", estimator
    if isinstance(estimator, Pipeline) and isinstance(estimator.steps[-1][1], NeuralNet):
        return f"{estimator.steps[-1][0]}__", estimator.steps[-1][1]
    return None, None


def _make_epoch_pruning(trial, monitor, lower_is_better, step_offset):
    """A skorch callback reporting ``monitor`` after each epoch to ``trial``."""
    from skorch.callbacks import Callback

    class _OptunaEpochPruning(Callback):
        def __init__(self):
            self.epochs_run = 0
            self.epoch_seconds = []

        def on_epoch_end(self, net, **kwargs):
            row = net.history[-1]
            if monitor not in row:
                raise KeyError(
                    f"pruning='epochs' monitors {monitor!r}, which the net does "
                    f"not record (it records {sorted(row)}); set "
                    "train_split=GroupValidSplit(...) so that a validation "
                    "score exists, or change epoch_monitor."
                )
            self.epochs_run = len(net.history)
            self.epoch_seconds.append(float(row.get("dur", np.nan)))
            value = -float(row[monitor]) if lower_is_better else float(row[monitor])
            trial.report(value, step_offset + self.epochs_run - 1)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned at epoch {self.epochs_run}")

    return _OptunaEpochPruning()


# ----------------------------------------------------------------------
# MLflow tracking
# ----------------------------------------------------------------------
class _Tracker:
    """Parent run for the search, one nested run per trial (MlflowClient only).

    Uses an explicit :class:`mlflow.tracking.MlflowClient`, so the global
    tracking URI and active run of the caller are left alone.
    """

    def __init__(self, uri, experiment_name, run_name, params):
        from mlflow.tracking import MlflowClient

        self.client = MlflowClient(tracking_uri=uri)
        exp = self.client.get_experiment_by_name(experiment_name)
        self.experiment_id = (
            exp.experiment_id if exp is not None else self.client.create_experiment(experiment_name)
        )
        run = self.client.create_run(self.experiment_id, run_name=run_name)
        self.run_id = run.info.run_id
        self._log(self.run_id, params=params)
        self.trial_runs = {}

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
        run = self.client.create_run(
            self.experiment_id,
            run_name=f"trial {trial.number}",
            tags={"mlflow.parentRunId": self.run_id},
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
            tags={"optuna.trial_number": trial.number, "optuna.state": trial.state.name,
                  "optuna.study_name": study.study_name},
        )
        for step, value in sorted(trial.intermediate_values.items()):
            self._log(run_id, metrics={"intermediate_value": value}, step=step)
        status = {TrialState.COMPLETE: "FINISHED", TrialState.PRUNED: "KILLED"}.get(
            trial.state, "FAILED"
        )
        self.client.set_terminated(run_id, status=status)
        self.trial_runs[trial.number] = run_id

    def finish(self, study, summary, status="FINISHED"):
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


# ----------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------
def _estimator_has(attr):
    def check(self):
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


@contextlib.contextmanager
def _optuna_verbosity(verbose):
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.INFO if verbose else optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)


#: A trial whose worker died (no heartbeat) is run again at most this often.
_MAX_RETRY = 1


def _make_storage(storage, heartbeat_interval):
    """``(storage, retry)``: a database URL as Optuna storage with heartbeats.

    With heartbeats, a worker that dies in a trial (killed, machine lost)
    stops beating; after ``2 * heartbeat_interval`` seconds the next worker
    to start a trial marks that trial FAILED and enqueues it again (at most
    :data:`_MAX_RETRY` times) through ``retry``, a
    :class:`~optuna.storages.RetryFailedTrialCallback`. Other storages are
    returned as they are, with ``retry=None``.
    """
    if not isinstance(storage, str) or heartbeat_interval is None:
        return storage, None
    # Optuna 4.9 renamed the callback and its storage argument (the old
    # names are deprecated); heartbeats are marked experimental.
    storages = optuna.storages
    if hasattr(storages, "RetryHeartbeatStaleTrialCallback"):
        callback, name = storages.RetryHeartbeatStaleTrialCallback, "heartbeat_stale_trial_callback"
    else:
        callback, name = storages.RetryFailedTrialCallback, "failed_trial_callback"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retry = callback(max_retry=_MAX_RETRY)
        rdb = storages.RDBStorage(storage, heartbeat_interval=int(heartbeat_interval),
                                  **{name: retry})
    return rdb, retry


def _create_study(storage, study_name, sampler, pruner, load_if_exists, attempts=5):
    """``optuna.create_study``, retried when workers race to create the tables.

    Several processes starting at once against an empty PostgreSQL database
    can collide while creating Optuna's tables or the study row; the loser
    gets an integrity error, and simply loads the study on the next attempt.
    ``storage`` may be a function that makes the storage (it creates the
    tables too).
    """
    for attempt in range(attempts):
        try:
            return optuna.create_study(
                storage=storage() if callable(storage) else storage,
                sampler=sampler,
                pruner=pruner,
                study_name=study_name,
                direction="maximize",
                load_if_exists=load_if_exists,
            )
        except optuna.exceptions.DuplicatedStudyError:
            raise
        except Exception as exc:
            if attempt == attempts - 1 or not _is_db_race(exc):
                raise
            time.sleep(0.2 * (attempt + 1) + 0.1 * np.random.default_rng().random())
    raise AssertionError("unreachable")  # pragma: no cover


def _is_db_race(exc):
    module = type(exc).__module__
    return module.startswith("sqlalchemy") or "alembic" in module


class OptunaSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Optuna search over hyperparameters with subject-wise cross-validation.

    Each trial samples parameters of ``estimator`` (for example
    ``acf__lags``, ``rf__max_depth``, ``cnn__lr``) from
    ``param_distributions`` with an Optuna sampler, fits and scores a clone
    on every subject-wise fold, and returns the mean test score. The folds
    are computed once, so all trials are scored on the same subjects. The
    best parameters are refitted on all data.

    Parameters
    ----------
    estimator : estimator object
        Estimator or pipeline whose parameters are searched.
    param_distributions : dict of str to distribution or list
        Parameter name → :class:`~optuna.distributions.IntDistribution`,
        :class:`~optuna.distributions.FloatDistribution` or
        :class:`~optuna.distributions.CategoricalDistribution` (a list is
        shorthand for a categorical one). Any parameter ``set_params``
        accepts: ACF lags as a count (``IntDistribution``) or in seconds
        (``FloatDistribution`` with ``ACFTransformer(rate=...)``), window
        length through :class:`~skgait.features._crop.WindowCrop`
        (``crop__length``), random-forest parameters, and skorch parameters
        (``cnn__lr``, ``cnn__batch_size``, ``cnn__max_epochs``,
        ``cnn__module__n_filters``, ...). Categorical choices must be
        None, bool, int, float or str (Optuna stores them).
    cv : int, splitter or None, default=None
        Subject-wise splitter. ``None`` means 5 folds and an int that many:
        :class:`SubjectKFold` for classifiers, :class:`SubjectRegressionKFold`
        otherwise. A splitter of your own is checked with
        :func:`check_subject_wise` and refused if any fold shares a subject
        (so :class:`LeakyWindowKFold` is refused).
    scoring : str, callable or None, default=None
        One scorer (greater is better), e.g. ``"balanced_accuracy"``; None
        uses the estimator's ``score``.
    n_trials : int or None, default=20
        Trials run by this call to :meth:`fit` (with a shared storage, each
        worker runs its own ``n_trials``). None runs until ``timeout``.
    timeout : float or None, default=None
        Stop starting trials after this many seconds.
    sampler : optuna.samplers.BaseSampler or None, default=None
        Any Optuna sampler; None is :class:`~optuna.samplers.TPESampler`
        seeded with ``random_state``.
    pruner : optuna.pruners.BasePruner or None, default=None
        Any Optuna pruner, e.g. ``MedianPruner(n_startup_trials=5)``. None
        never prunes (:class:`~optuna.pruners.NopPruner`).
    pruning : {"folds", "epochs"}, default="folds"
        What is reported to the pruner. ``"folds"``: the running mean of the
        test scores after each fold (step = fold index), for any estimator.
        ``"epochs"``: for a skorch network (bare or the last pipeline step),
        the validation score ``epoch_monitor`` after every epoch, at step
        ``fold * max_epochs + epoch``; this needs the network's
        ``train_split`` to be a subject-wise split
        (:class:`~skgait.models.GroupValidSplit`) — skorch's default
        ``ValidSplit`` holds out windows of training subjects, whose
        validation score measures re-identification and would prune the
        wrong trials.
    epoch_monitor : str, default="valid_loss"
        History key reported with ``pruning="epochs"``. Keys ending in
        ``"_loss"`` are negated (the study maximises).
    storage : str, optuna.storages.BaseStorage or None, default=None
        None keeps the study in memory. A URL keeps it in a database:
        ``"sqlite:///search.db"`` for a persistent single-machine study,
        ``"postgresql+psycopg2://user@host/db"`` (or MySQL) for a study that
        several worker processes share (``skgait search``).
    study_name : str or None, default=None
        Name of the study in ``storage``; None creates a new, unique one.
    heartbeat_interval : int or None, default=60
        With a database URL as ``storage``: seconds between the heartbeats
        that a running trial writes. A trial whose worker was killed (no
        heartbeat for twice this time) is marked FAILED when a worker next
        starts a trial, and run again once
        (:class:`~optuna.storages.RetryFailedTrialCallback`). None: no
        heartbeat; such a trial stays RUNNING.
    load_if_exists : bool, default=True
        Continue the study of that name if it exists (how workers join).
    random_state : int, RandomState instance or None, default=None
        Seeds the default sampler. With an int, sequential trials
        (``n_jobs=1``) and deterministic estimators, two fits give the same
        trials, ``best_params_`` and ``cv_results_`` (timings aside).
    refit : bool, default=True
        Refit the best parameters on all of ``X`` into ``best_estimator_``.
    n_jobs : int or None, default=1
        Trials run in parallel threads of this process (Optuna's
        ``n_jobs``); results then depend on thread timing. For parallel,
        reproducible-per-worker runs use processes and a shared ``storage``.
    error_score : "raise" or float, default=np.nan
        Score of a fold whose fit or scoring fails (with a
        :class:`~sklearn.exceptions.FitFailedWarning`); a NaN mean marks the
        trial FAIL. ``"raise"`` raises.
    tracking : bool, str or None, default=None
        MLflow tracking: ``True`` logs to ``sqlite:///mlflow.db`` in the
        working directory, a string is a tracking URI. The search is a run
        with one nested run per trial (params, scores, state) and Optuna's
        plots (optimisation history, parameter importances, slice over the
        lag parameters, intermediate values) as artifacts. Needs matplotlib
        for the plots.
    experiment_name : str or None, default=None
        MLflow experiment; None is ``"skgait-search"``.
    verbose : int, default=0
        Show Optuna's per-trial log when positive.

    Attributes
    ----------
    study_ : optuna.study.Study
        The study, with all its trials (also those of other workers).
    best_params_ : dict
        Parameters of the best trial.
    best_score_ : float
        Its mean cross-validated score.
    best_index_ : int
        Its row in ``cv_results_``.
    best_estimator_ : estimator
        ``estimator`` with ``best_params_``, refitted on all data
        (``refit=True``).
    cv_results_ : pandas.DataFrame
        One row per trial of the study: ``number``, ``state``, a
        ``param_<name>`` column per parameter, ``split<k>_test_score``
        (NaN for folds not run), ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``n_folds_run``, ``mean_fit_time`` and
        ``duration_s``.
    n_trials_ : int
        Trials in the study.
    n_splits_ : int
        Cross-validation folds.
    scorer_ : callable
        The scorer.
    refit_time_ : float
        Seconds spent refitting.
    pruning_summary_ : dict
        ``n_trials``, ``n_complete``, ``n_pruned``, ``n_failed``,
        ``folds_run``, ``folds_not_run``, ``epochs_not_run`` (``pruning=
        "epochs"``), ``seconds_run`` and ``seconds_saved`` (estimate: each
        pruned trial's skipped folds or epochs times its own mean fold or
        epoch time).

    See Also
    --------
    SubjectKFold : The default inner splitter for classification.
    skgait.features._crop.WindowCrop : Makes window length searchable.

    Notes
    -----
    **Nested evaluation.** Use the search as the inner loop of an outer
    subject-wise ``cross_val_score``. The inner folds need the subject of
    each training window; two ways to get it there:

    - with metadata routing, ``groups`` goes to the outer splitter and, via
      :meth:`get_metadata_routing`, to ``fit`` of this search::

          with sklearn.config_context(enable_metadata_routing=True):
              cross_val_score(search, X, y, cv=SubjectKFold(5),
                              params={"groups": groups})

      (scikit-learn refuses ``groups=`` together with routing; ``params``
      carries it to both);
    - without routing, scikit-learn passes ``params`` to ``fit`` cut to the
      training windows, and ``groups=`` to the outer splitter::

          cross_val_score(search, X, y, groups=groups, cv=SubjectKFold(5),
                          params={"groups": groups})

    **Window length** is a property of the data: search it by cropping
    (:class:`~skgait.features._crop.WindowCrop` first in the pipeline) on
    windows cut at the longest length, so that trials share windows and
    folds; to compare windowing grids, loop over ``make_windows`` in the
    caller.

    **Workers.** Several processes calling :meth:`fit` (or ``skgait
    search``) with the same ``storage`` URL and ``study_name`` share one
    study: each runs ``n_trials`` and the sampler sees everybody's trials.

    Examples
    --------
    >>> import numpy as np
    >>> from optuna.distributions import IntDistribution
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.pipeline import Pipeline
    >>> from skgait import ACFTransformer
    >>> from skgait.model_selection import OptunaSearchCV, SubjectKFold
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 2, 32))
    >>> groups = np.repeat(np.arange(8), 10)
    >>> y = np.where(groups % 2 == 0, "F", "M")
    >>> pipe = Pipeline([("acf", ACFTransformer()),
    ...                  ("rf", RandomForestClassifier(n_estimators=10, random_state=0))])
    >>> search = OptunaSearchCV(pipe, {"acf__lags": IntDistribution(2, 8)},
    ...                         cv=SubjectKFold(4), n_trials=3, random_state=0)
    >>> search.fit(X, y, groups=groups).best_params_.keys()
    dict_keys(['acf__lags'])
    >>> search.cv_results_.shape[0]
    3
    """

    _parameter_constraints = {  # noqa: RUF012 (sklearn convention)
        "estimator": [HasMethods(["fit"])],
        "param_distributions": [dict],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "n_trials": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "timeout": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "sampler": [optuna.samplers.BaseSampler, None],
        "pruner": [optuna.pruners.BasePruner, None],
        "pruning": [StrOptions({"folds", "epochs"})],
        "epoch_monitor": [str],
        "storage": [str, optuna.storages.BaseStorage, None],
        "study_name": [str, None],
        "heartbeat_interval": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "load_if_exists": ["boolean"],
        "random_state": ["random_state"],
        "refit": ["boolean"],
        "n_jobs": [numbers.Integral, None],
        "error_score": [StrOptions({"raise"}), numbers.Real],
        "tracking": ["boolean", str, None],
        "experiment_name": [str, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        cv=None,
        scoring=None,
        n_trials=20,
        timeout=None,
        sampler=None,
        pruner=None,
        pruning="folds",
        epoch_monitor="valid_loss",
        storage=None,
        study_name=None,
        heartbeat_interval=60,
        load_if_exists=True,
        random_state=None,
        refit=True,
        n_jobs=1,
        error_score=np.nan,
        tracking=None,
        experiment_name=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.cv = cv
        self.scoring = scoring
        self.n_trials = n_trials
        self.timeout = timeout
        self.sampler = sampler
        self.pruner = pruner
        self.pruning = pruning
        self.epoch_monitor = epoch_monitor
        self.storage = storage
        self.study_name = study_name
        self.heartbeat_interval = heartbeat_interval
        self.load_if_exists = load_if_exists
        self.random_state = random_state
        self.refit = refit
        self.n_jobs = n_jobs
        self.error_score = error_score
        self.tracking = tracking
        self.experiment_name = experiment_name
        self.verbose = verbose

    # ------------------------------------------------------------------
    # configuration
    # ------------------------------------------------------------------
    def _checked_cv(self):
        classifier = is_classifier(self.estimator)
        if self.cv is None or isinstance(self.cv, numbers.Integral):
            n_splits = 5 if self.cv is None else int(self.cv)
            return SubjectKFold(n_splits) if classifier else SubjectRegressionKFold(n_splits)
        if isinstance(self.cv, LeakyWindowKFold):
            raise ValueError(  # noqa: TRY004 (an invalid parameter value, as in sklearn)
                "OptunaSearchCV cross-validates by subject only and refuses "
                "LeakyWindowKFold: with windows of the same people on both "
                "sides, the search would select parameters that re-identify "
                "people. Use SubjectKFold (classification) or "
                "SubjectRegressionKFold (regression)."
            )
        if not hasattr(self.cv, "split"):
            # An iterable of (train, test) pairs: freeze it once.
            return _FixedSplits(list(self.cv))
        return self.cv

    def _checked_distributions(self):
        if not self.param_distributions:
            raise ValueError("param_distributions is empty: give at least one parameter to search.")
        dists = {
            str(name): _as_distribution(name, value)
            for name, value in self.param_distributions.items()
        }
        # Fail before any work if a name is not a parameter of the estimator.
        for name, dist in dists.items():
            try:
                clone(self.estimator).set_params(**{name: _example_value(dist)})
            except (ValueError, TypeError, AttributeError) as exc:
                raise ValueError(
                    f"param_distributions: {name!r} is not a parameter of "
                    f"{type(self.estimator).__name__} ({exc}). Valid names "
                    "include: "
                    f"{', '.join(sorted(self.estimator.get_params())[:25])}, ..."
                ) from exc
        return dists

    def _checked_net(self, dists):
        """For pruning='epochs': ``(prefix, stride)`` of the skorch net."""
        prefix, net = _find_net(self.estimator)
        if net is None:
            raise ValueError(
                "pruning='epochs' needs a skorch network (e.g. "
                "GaitCNNClassifier), bare or as the last pipeline step; use "
                "pruning='folds' for other estimators."
            )
        from skorch.dataset import ValidSplit

        if net.train_split is None:
            raise ValueError(
                "pruning='epochs' reports a validation score per epoch, but "
                "the network has train_split=None (no validation part). Set "
                f"{prefix}train_split=GroupValidSplit(0.2) so that validation "
                "subjects are held out, and pass groups."
            )
        if isinstance(net.train_split, ValidSplit):
            raise ValueError(  # noqa: TRY004 (an invalid parameter value, as in sklearn)
                "pruning='epochs' with skorch's ValidSplit would prune on a "
                "validation score of windows of the training subjects "
                "(re-identification). Use skgait.models.GroupValidSplit."
            )
        key = f"{prefix}max_epochs"
        if key in dists:
            dist = dists[key]
            stride = max(dist.choices) if isinstance(dist, CategoricalDistribution) else dist.high
        else:
            stride = net.max_epochs
        if getattr(net, "warm_start_from", None) is not None:
            stride = max(stride, getattr(net, "fine_tune_epochs", 0))
        return prefix, int(stride)

    def _tracking_uri(self):
        if self.tracking is None or self.tracking is False:
            return None
        if self.tracking is True:
            return DEFAULT_TRACKING_URI
        return self.tracking

    def _make_sampler(self):
        if self.sampler is not None:
            return self.sampler
        seed = self.random_state
        if seed is not None and not isinstance(seed, numbers.Integral):
            seed = int(check_random_state(seed).randint(2**31 - 1))
        return optuna.samplers.TPESampler(seed=seed)

    # ------------------------------------------------------------------
    # metadata routing
    # ------------------------------------------------------------------
    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        ``fit`` routes ``groups`` to the splitter (whose ``split`` requests
        it), and other metadata to the estimator's ``fit`` and the scorer as
        they request it.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`
            encapsulating the routing information.
        """
        router = MetadataRouter(owner=self)
        router.add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
        router.add(
            scorer=check_scoring(self.estimator, scoring=self.scoring),
            method_mapping=MethodMapping()
            .add(caller="score", callee="score")
            .add(caller="fit", callee="score"),
        )
        router.add(
            splitter=self._checked_cv(),
            method_mapping=MethodMapping().add(caller="fit", callee="split"),
        )
        return router

    def _route_fit_params(self, groups, params):
        """``(estimator fit params, scorer params)`` for the folds."""
        if _routing_enabled():
            routed = process_routing(self, "fit", groups=groups, **params)
            return dict(routed.estimator.fit), dict(routed.scorer.score)
        fit_params = dict(params)
        prefix, net = _find_net(self.estimator)
        if (
            net is not None
            and f"{prefix}groups" not in fit_params
            and "groups" in inspect.signature(net.fit).parameters
        ):
            # The net's own subject-wise validation split needs them.
            fit_params[f"{prefix}groups"] = groups
        return fit_params, {}

    # ------------------------------------------------------------------
    # fit
    # ------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, groups=None, **params):
        """Run the search, then refit the best parameters on all data.

        Parameters
        ----------
        X : array-like of shape (n_windows, ...)
            Windows (or features).
        y : array-like of shape (n_windows,)
            Target.
        groups : array-like of shape (n_windows,)
            Subject of each window; required.
        **params : dict
            Metadata. Without routing, passed to the estimator's ``fit``
            (arrays cut to each training fold, like
            :class:`~sklearn.model_selection.GridSearchCV`); with routing,
            routed as requested.

        Returns
        -------
        self : object
            The fitted search.
        """
        if self.n_trials is None and self.timeout is None:
            raise ValueError("Give n_trials or timeout (or both); both None would never stop.")
        X, y = indexable(X, y)
        if groups is None:
            raise ValueError(
                "OptunaSearchCV cross-validates by subject and needs `groups`; "
                f"got None. {_GROUPS_HINT}"
            )
        groups = np.asarray(groups)
        cv = self._checked_cv()
        dists = self._checked_distributions()
        epoch_net = self._checked_net(dists) if self.pruning == "epochs" else None
        try:
            self.n_splits_ = check_subject_wise(cv, X, y, groups)
        except ValueError as exc:
            raise ValueError(
                f"OptunaSearchCV cross-validates by subject only: {exc}"
            ) from exc
        splits = list(cv.split(X, y, groups))
        params = _check_method_params(X, params=params)
        fit_params, score_params = self._route_fit_params(groups, params)
        self.scorer_ = check_scoring(self.estimator, scoring=self.scoring)

        tracking_uri = self._tracking_uri()
        retry = None

        def storage():
            nonlocal retry
            made, retry = _make_storage(self.storage, self.heartbeat_interval)
            return made

        with _optuna_verbosity(self.verbose):
            self.study_ = _create_study(
                storage,
                self.study_name,
                self._make_sampler(),
                self.pruner if self.pruner is not None else optuna.pruners.NopPruner(),
                self.load_if_exists,
            )
            tracker = None
            if tracking_uri is not None:
                tracker = _Tracker(
                    tracking_uri,
                    self.experiment_name or "skgait-search",
                    run_name=f"search {self.study_.study_name}",
                    params={
                        "estimator": type(self.estimator).__name__,
                        "study_name": self.study_.study_name,
                        "n_trials": self.n_trials,
                        "cv": repr(cv),
                        "scoring": self.scoring,
                        "sampler": type(self.study_.sampler).__name__,
                        "pruner": type(self.study_.pruner).__name__,
                        "param_distributions": repr(dists),
                    },
                )
            objective = _Objective(
                self, X, y, splits, dists, fit_params, score_params, epoch_net
            )
            objective.retry = retry
            status = "FAILED"
            try:
                self.study_.optimize(
                    objective,
                    n_trials=self.n_trials,
                    timeout=self.timeout,
                    n_jobs=1 if self.n_jobs is None else self.n_jobs,
                    callbacks=[tracker] if tracker is not None else None,
                )
                status = "FINISHED"
            except BaseException:
                # Interrupted in a trial (SystemExit on SIGTERM in ``skgait
                # search``): Optuna leaves that trial RUNNING; end it now.
                objective.fail_running(self.study_)
                raise
            finally:
                self.cv_results_ = _cv_results(self.study_, len(splits))
                self.pruning_summary_ = _pruning_summary(self.study_, len(splits))
                if tracker is not None:
                    tracker.finish(self.study_, self.pruning_summary_, status=status)

        complete = self.study_.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not complete:
            raise ValueError(
                f"No trial of study {self.study_.study_name!r} completed "
                f"(states: {self.cv_results_['state'].value_counts().to_dict()}); "
                "see the warnings above, or set error_score='raise'."
            )
        best = self.study_.best_trial
        self.best_params_ = dict(best.params)
        self.best_score_ = float(best.value)
        self.best_index_ = int(np.flatnonzero(self.cv_results_["number"].to_numpy() == best.number)[0])
        self.n_trials_ = len(self.study_.trials)
        if self.refit:
            t0 = time.perf_counter()
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
            self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - t0
            if hasattr(self.best_estimator_, "n_features_in_"):
                self.n_features_in_ = self.best_estimator_.n_features_in_
        return self

    # ------------------------------------------------------------------
    # delegation
    # ------------------------------------------------------------------
    def _check_refitted(self, method):
        check_is_fitted(self)
        if not self.refit:
            raise AttributeError(
                f"This OptunaSearchCV was fitted with refit=False; {method} is "
                "available only after refitting the best parameters."
            )

    @property
    def classes_(self):
        """Class labels of the best estimator."""
        self._check_refitted("classes_")
        return self.best_estimator_.classes_

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the best estimator.

        Parameters
        ----------
        X : array-like of shape (n_windows, ...)
            Windows.

        Returns
        -------
        y_pred : ndarray of shape (n_windows,)
        """
        self._check_refitted("predict")
        return self.best_estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the best estimator.

        Parameters
        ----------
        X : array-like of shape (n_windows, ...)
            Windows.

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes)
        """
        self._check_refitted("predict_proba")
        return self.best_estimator_.predict_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the best estimator.

        Parameters
        ----------
        X : array-like of shape (n_windows, ...)
            Windows.

        Returns
        -------
        scores : ndarray
        """
        self._check_refitted("decision_function")
        return self.best_estimator_.decision_function(X)

    @available_if(_estimator_has("transform"))
    def transform(self, X):
        """Transform with the best estimator.

        Parameters
        ----------
        X : array-like of shape (n_windows, ...)
            Windows.

        Returns
        -------
        Xt : ndarray
        """
        self._check_refitted("transform")
        return self.best_estimator_.transform(X)

    def score(self, X, y=None, **params):
        """Score of the best estimator with the search's scorer.

        Parameters
        ----------
        X : array-like of shape (n_windows, ...)
            Windows.
        y : array-like of shape (n_windows,)
            Target.
        **params : dict
            Passed to the scorer (routed when routing is enabled).

        Returns
        -------
        score : float
        """
        self._check_refitted("score")
        if _routing_enabled():
            params = process_routing(self, "score", **params).scorer["score"]
        return self.scorer_(self.best_estimator_, X, y, **params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sub = get_tags(self.estimator)
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = sub.classifier_tags
        tags.regressor_tags = sub.regressor_tags
        tags.input_tags = _input_tags(self.estimator)
        tags.target_tags.required = sub.target_tags.required
        return tags


def _input_tags(estimator):
    """Input tags of ``estimator``; a pipeline takes the input of its first step.

    scikit-learn's :class:`~sklearn.pipeline.Pipeline` keeps the default
    ``two_d_array=True`` whatever its first step reads, so the search of an
    ``ACFTransformer`` pipeline would claim 2-D input.
    """
    tags = get_tags(estimator).input_tags
    steps = [s for _, s in getattr(estimator, "steps", []) if s not in (None, "passthrough")]
    if steps:
        first = _input_tags(steps[0])
        tags = dataclasses.replace(
            tags, two_d_array=first.two_d_array, three_d_array=first.three_d_array,
            allow_nan=first.allow_nan,
        )
    return tags


class _FixedSplits:
    """A list of (train, test) index pairs with a ``split`` method."""

    def __init__(self, splits):
        self.splits = splits

    def split(self, X=None, y=None, groups=None):
        yield from self.splits

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self.splits)


class _Objective:
    """Cross-validated score of one trial, with intermediate reports."""

    def __init__(self, search, X, y, splits, dists, fit_params, score_params, epoch_net):
        self.search = search
        self.X, self.y, self.splits = X, y, splits
        self.dists = dists
        self.fit_params, self.score_params = fit_params, score_params
        self.epoch_net = epoch_net
        self.running = None
        self.retry = None  # the storage's RetryFailedTrialCallback, if any

    def __call__(self, trial):
        self.running = trial
        try:
            value = self._cross_validate(trial)
        except (Exception, KeyboardInterrupt):
            self.running = None  # Optuna ends the trial itself
            raise
        # Anything else (SystemExit) leaves ``running`` set for fail_running.
        self.running = None
        return value

    def fail_running(self, study):
        """Mark the trial interrupted by a non-Exception FAILED, and retry it.

        Optuna itself fails a trial on an ``Exception`` or
        ``KeyboardInterrupt``, but leaves it RUNNING on ``SystemExit``
        (how ``skgait search`` stops on SIGTERM). The trial did not fail on
        its own merits: it is enqueued again like a trial whose worker died,
        when the storage has heartbeats (``self.retry``).
        """
        trial, self.running = self.running, None
        if trial is None:
            return
        try:
            storage = study._storage
            if storage.get_trial(trial._trial_id).state != TrialState.RUNNING:
                return
            study.tell(trial, state=TrialState.FAIL)
            if self.retry is not None:
                self.retry(study, storage.get_trial(trial._trial_id))
        except Exception as exc:  # noqa: BLE001 - on the way out; report, keep the original error
            _logger.warning("could not mark interrupted trial %d FAILED: %s", trial.number, exc)

    def _cross_validate(self, trial):
        search = self.search
        params = suggest_params(trial, self.dists)
        base = clone(search.estimator).set_params(**params)
        scores, fold_seconds = [], []
        trial.set_user_attr("n_splits", len(self.splits))
        for fold, (train, test) in enumerate(self.splits):
            estimator = clone(base)
            reporter = None
            if self.epoch_net is not None:
                prefix, stride = self.epoch_net
                reporter = _make_epoch_pruning(
                    trial,
                    search.epoch_monitor,
                    search.epoch_monitor.endswith("_loss"),
                    fold * stride,
                )
                _, net = _find_net(estimator)
                callbacks = list(net.callbacks or []) + [("optuna_pruning", reporter)]
                estimator.set_params(**{f"{prefix}callbacks": callbacks})
                max_epochs = net.max_epochs
                trial.set_user_attr("epochs_per_fold", int(max_epochs))
            t0 = time.perf_counter()
            try:
                score = self._fit_and_score(estimator, train, test)
            except optuna.TrialPruned:
                fold_seconds.append(time.perf_counter() - t0)
                self._record(trial, scores, fold_seconds, reporter, pruned_in_fold=fold)
                raise
            except Exception as exc:
                if search.error_score == "raise":
                    raise
                warnings.warn(
                    f"Trial {trial.number}, fold {fold}: fit or scoring failed "
                    f"with params {params}; its score is set to "
                    f"error_score={search.error_score}. {type(exc).__name__}: {exc}",
                    FitFailedWarning,
                    stacklevel=2,
                )
                score = float(search.error_score)
            fold_seconds.append(time.perf_counter() - t0)
            scores.append(score)
            self._record(trial, scores, fold_seconds, reporter)
            if self.epoch_net is None:
                trial.report(float(np.mean(scores)), step=fold)
                if trial.should_prune():
                    raise optuna.TrialPruned(f"pruned after fold {fold}")
        return float(np.mean(scores))

    @staticmethod
    def _record(trial, scores, fold_seconds, reporter, pruned_in_fold=None):
        trial.set_user_attr("split_test_scores", [float(s) for s in scores])
        trial.set_user_attr("fold_seconds", [float(s) for s in fold_seconds])
        if reporter is not None:
            run = trial.user_attrs.get("epochs_run", 0) + reporter.epochs_run
            trial.set_user_attr("epochs_run", int(run))
            secs = [s for s in reporter.epoch_seconds if np.isfinite(s)]
            if secs:
                trial.set_user_attr("epoch_seconds", float(np.mean(secs)))
        if pruned_in_fold is not None:
            trial.set_user_attr("pruned_in_fold", int(pruned_in_fold))

    def _fit_and_score(self, estimator, train, test):
        X, y = self.X, self.y
        X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
        y_train = None if y is None else _safe_indexing(y, train)
        y_test = None if y is None else _safe_indexing(y, test)
        fit_params = _check_method_params(X, params=self.fit_params, indices=train)
        score_params = _check_method_params(X, params=self.score_params, indices=test)
        estimator.fit(X_train, y_train, **fit_params)
        score = self.search.scorer_(estimator, X_test, y_test, **score_params)
        if not isinstance(score, numbers.Number):
            raise TypeError(f"scoring must return a number; got {score!r}.")
        return float(score)


def _cv_results(study, n_splits):
    rows = []
    names = sorted({p for t in study.trials for p in t.params})
    for t in study.trials:
        split = list(t.user_attrs.get("split_test_scores", []))
        row = {"number": t.number, "state": t.state.name}
        for name in names:
            row[f"param_{name}"] = t.params.get(name, np.nan)
        for k in range(n_splits):
            row[f"split{k}_test_score"] = split[k] if k < len(split) else np.nan
        complete = t.state == TrialState.COMPLETE
        row["mean_test_score"] = t.value if complete else (np.mean(split) if split else np.nan)
        row["std_test_score"] = np.std(split) if split else np.nan
        row["n_folds_run"] = len(split)
        fold_seconds = t.user_attrs.get("fold_seconds", [])
        row["mean_fit_time"] = float(np.mean(fold_seconds)) if fold_seconds else np.nan
        row["duration_s"] = t.duration.total_seconds() if t.duration is not None else np.nan
        rows.append(row)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    # Rank completed trials only; pruned and failed ones rank last.
    score = df["mean_test_score"].where(df["state"] == "COMPLETE")
    df["rank_test_score"] = score.rank(ascending=False, method="min", na_option="bottom").astype(int)
    return df


def _pruning_summary(study, n_splits):
    trials = study.trials
    summary = {
        "n_trials": len(trials),
        "n_complete": sum(t.state == TrialState.COMPLETE for t in trials),
        "n_pruned": sum(t.state == TrialState.PRUNED for t in trials),
        "n_failed": sum(t.state == TrialState.FAIL for t in trials),
        "folds_run": 0,
        "folds_not_run": 0,
        "epochs_not_run": 0,
        "seconds_run": 0.0,
        "seconds_saved": 0.0,
    }
    for t in trials:
        fold_seconds = t.user_attrs.get("fold_seconds", [])
        summary["folds_run"] += len(fold_seconds)
        summary["seconds_run"] += float(np.sum(fold_seconds))
        if t.state != TrialState.PRUNED or not fold_seconds:
            continue
        per_fold = t.user_attrs.get("epochs_per_fold")
        if per_fold is not None and "epochs_run" in t.user_attrs:
            # Pruned during an epoch: the rest of that fold and later folds.
            planned = per_fold * t.user_attrs.get("n_splits", n_splits)
            skipped = max(0, planned - t.user_attrs["epochs_run"])
            summary["epochs_not_run"] += skipped
            summary["folds_not_run"] += t.user_attrs.get("n_splits", n_splits) - len(fold_seconds)
            epoch_s = t.user_attrs.get("epoch_seconds")
            if epoch_s is None:
                epoch_s = float(np.sum(fold_seconds)) / max(1, t.user_attrs["epochs_run"])
            summary["seconds_saved"] += skipped * epoch_s
        else:
            skipped = t.user_attrs.get("n_splits", n_splits) - len(fold_seconds)
            summary["folds_not_run"] += skipped
            summary["seconds_saved"] += skipped * float(np.mean(fold_seconds))
    summary["seconds_run"] = round(summary["seconds_run"], 3)
    summary["seconds_saved"] = round(summary["seconds_saved"], 3)
    return summary
