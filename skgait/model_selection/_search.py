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
- optional tracking through a callback (:class:`skgait.tracking.SearchTracker`:
  the search is an MLflow parent run, each trial a nested run).
"""

import inspect
import logging
import numbers
import time

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    clone,
    is_classifier,
)
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, indexable

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_method_params,
    _fit_context,
    _routing_enabled,
)
from ._objective import _cv_results, _FixedSplits, _input_tags, _Objective, _pruning_summary
from ._split import (
    LeakyWindowKFold,
    SubjectKFold,
    SubjectRegressionKFold,
    check_subject_wise,
)
from ._trials import (
    _as_distribution,
    _create_study,
    _example_value,
    _find_net,
    _make_storage,
    _optuna_verbosity,
    _Progress,
)

__all__ = ["OptunaSearchCV"]

_logger = logging.getLogger(__name__)

_GROUPS_HINT = (
    "Pass one subject id per window, e.g. fit(X, y, groups=meta['group']). "
    "As the inner loop of cross_val_score, pass params={'groups': groups} "
    "(see the OptunaSearchCV docstring, 'Nested evaluation')."
)


# ----------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------
def _estimator_has(attr):
    def check(self):
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


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
    tracking : bool, str, tracker or None, default=None
        MLflow tracking: ``True`` logs to ``sqlite:///mlflow.db`` in the
        working directory, a string is a tracking URI (both through
        :class:`skgait.tracking.SearchTracker`), or a tracker object: an
        Optuna callback with ``start(run_name, params)`` and
        ``finish(study, summary, status)`` (and, optionally, ``connect()``,
        called before the study is created, and
        ``log_best_estimator(estimator, X)``, called after the refit). The
        search is a run with one nested run per trial (params,
        ``mean_test_score``, each fold's score as the metric history
        ``fold/test_score``, state), Optuna's plots (optimisation history,
        parameter importances from 10 completed trials on, slice over the
        lag parameters, intermediate values) as artifacts and, with
        ``refit``, the best estimator as an MLflow model (``model``),
        registered in the MLflow Model Registry (under the experiment's
        name, or a tracker's ``register_name``). A store that cannot be opened raises
        :class:`skgait.exceptions.TrackingError` before the study is created.
        Needs matplotlib for the plots.
    experiment_name : str or None, default=None
        MLflow experiment; None is ``"skgait-search"``.
    verbose : int, default=0
        0: silent. 1: a line on ``sys.stderr`` after each trial (trials done,
        its state and score, the best score so far). 2 and more: Optuna's
        own per-trial log as well.

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
        "tracking": ["boolean", str, HasMethods(["start", "finish"]), None],
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

    def _tracker(self):
        """The tracker of ``tracking`` (an Optuna callback with ``start``/``finish``) or None."""
        if self.tracking is None or self.tracking is False:
            return None
        if self.tracking is True or isinstance(self.tracking, str):
            from ..tracking import SearchTracker

            uri = None if self.tracking is True else self.tracking
            return SearchTracker(uri, self.experiment_name or "skgait-search")
        return self.tracking

    def _callbacks(self, tracker):
        """Optuna's callbacks of a fit: the tracker, then the progress lines."""
        callbacks = [] if tracker is None else [tracker]
        if self.verbose:
            callbacks.append(_Progress(self.n_trials))
        return callbacks or None

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
            raise ValueError(f"OptunaSearchCV cross-validates by subject only: {exc}") from exc
        splits = list(cv.split(X, y, groups))
        params = _check_method_params(X, params=params)
        fit_params, score_params = self._route_fit_params(groups, params)
        self.scorer_ = check_scoring(self.estimator, scoring=self.scoring)

        tracker = self._tracker()
        if hasattr(tracker, "connect"):
            tracker.connect()  # a store that fails does so before the study exists
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
            if tracker is not None:
                tracker.start(
                    f"search {self.study_.study_name}",
                    {
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
            objective = _Objective(self, X, y, splits, dists, fit_params, score_params, epoch_net)
            objective.retry = retry
            status = "FAILED"
            try:
                self.study_.optimize(
                    objective,
                    n_trials=self.n_trials,
                    timeout=self.timeout,
                    n_jobs=1 if self.n_jobs is None else self.n_jobs,
                    callbacks=self._callbacks(tracker),
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
        self.best_index_ = int(
            np.flatnonzero(self.cv_results_["number"].to_numpy() == best.number)[0]
        )
        self.n_trials_ = len(self.study_.trials)
        if self.refit:
            t0 = time.perf_counter()
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
            self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - t0
            if hasattr(self.best_estimator_, "n_features_in_"):
                self.n_features_in_ = self.best_estimator_.n_features_in_
            if hasattr(tracker, "log_best_estimator"):
                tracker.log_best_estimator(self.best_estimator_, X)
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
    @fill_doc
    def predict(self, X):
        """Predict with the best estimator.

        Parameters
        ----------
        {X_windows}

        Returns
        -------
        y_pred : ndarray of shape (n_windows,)
        """
        self._check_refitted("predict")
        return self.best_estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    @fill_doc
    def predict_proba(self, X):
        """Class probabilities from the best estimator.

        Parameters
        ----------
        {X_windows}

        Returns
        -------
        proba : ndarray of shape (n_windows, n_classes)
        """
        self._check_refitted("predict_proba")
        return self.best_estimator_.predict_proba(X)

    @available_if(_estimator_has("decision_function"))
    @fill_doc
    def decision_function(self, X):
        """Decision function of the best estimator.

        Parameters
        ----------
        {X_windows}

        Returns
        -------
        scores : ndarray
        """
        self._check_refitted("decision_function")
        return self.best_estimator_.decision_function(X)

    @available_if(_estimator_has("transform"))
    @fill_doc
    def transform(self, X):
        """Transform with the best estimator.

        Parameters
        ----------
        {X_windows}

        Returns
        -------
        Xt : ndarray
        """
        self._check_refitted("transform")
        return self.best_estimator_.transform(X)

    @fill_doc
    def score(self, X, y=None, **params):
        """Score of the best estimator with the search's scorer.

        Parameters
        ----------
        {X_windows}
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
