"""Baselines and :func:`evaluate`: an estimator next to its baseline, per protocol."""

import functools

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import is_classifier, is_regressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_absolute_error,
    precision_score,
    recall_score,
)
from sklearn.metrics import make_scorer
from sklearn.model_selection import cross_validate
from sklearn.utils.validation import _num_samples

from ._aggregate import _check_method, make_aggregated_scorer
from ._protocols import get_protocol
from ._split import _check_groups

__all__ = ["evaluate", "make_baseline"]

_METRICS = {
    "classification": ("accuracy", "balanced_accuracy"),
    "regression": ("mae",),
}


def make_baseline(task="classification"):
    """Return the chance-level baseline of a task.

    Parameters
    ----------
    task : {"classification", "regression"}, default="classification"
        ``"classification"``: majority class of the training folds
        (:class:`~sklearn.dummy.DummyClassifier` ``strategy="most_frequent"``);
        ``"regression"``: median target of the training folds
        (:class:`~sklearn.dummy.DummyRegressor` ``strategy="median"``).

    Returns
    -------
    baseline : estimator
        An unfitted scikit-learn dummy estimator.

    Examples
    --------
    >>> from skgait.model_selection import make_baseline
    >>> make_baseline("regression")
    DummyRegressor(strategy='median')
    """
    if task == "classification":
        return DummyClassifier(strategy="most_frequent")
    if task == "regression":
        return DummyRegressor(strategy="median")
    raise ValueError(f"Unknown task {task!r}; expected 'classification' or 'regression'.")


def _infer_task(estimator, task):
    if task is not None:
        if task not in _METRICS:
            raise ValueError(
                f"Unknown task {task!r}; expected 'classification' or 'regression'."
            )
        return task
    if is_classifier(estimator):
        return "classification"
    if is_regressor(estimator):
        return "regression"
    raise ValueError(
        f"Cannot tell whether {type(estimator).__name__} is a classifier or a "
        "regressor; pass task='classification' or task='regression'."
    )


def _scoring(task, aggregate):
    """Scorers of a task: window level, and subject level when aggregating."""
    if task == "classification":
        scoring = {"accuracy": "accuracy", "balanced_accuracy": "balanced_accuracy"}
        metrics = {"accuracy": accuracy_score, "balanced_accuracy": balanced_accuracy_score}
        # Seed 003's metrics: macro precision, recall and F1 (balanced_accuracy
        # is its mean per-class accuracy, mAcc).
        for name, func in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
            scoring[name] = make_scorer(func, average="macro", zero_division=0)
            metrics[name] = functools.partial(func, average="macro", zero_division=0)
            metrics[name].__name__ = f"{func.__name__}(average='macro')"
        greater = True
    else:
        scoring = {"mae": "neg_mean_absolute_error"}
        metrics = {"mae": mean_absolute_error}
        greater = False
    if aggregate is not None:
        for name, func in metrics.items():
            scoring[f"subject_{name}"] = make_aggregated_scorer(
                func, method=aggregate, level="subjects", greater_is_better=greater
            )
    return scoring


def evaluate(
    estimator,
    X,
    y,
    groups,
    *,
    protocol="subject",
    task=None,
    baseline=None,
    sessions=None,
    aggregate=None,
    n_splits=5,
    random_state=0,
    n_jobs=None,
    return_folds=False,
):
    """Cross-validate an estimator and its baseline under one or more protocols.

    A thin layer over :func:`~sklearn.model_selection.cross_validate`: for
    each protocol it builds the splitter (:func:`get_protocol`), runs the
    estimator and the baseline on the same folds, and returns one tidy
    table.

    Parameters
    ----------
    estimator : estimator
        Classifier or regressor taking ``X``, for example
        ``make_pipeline(ACFTransformer(lags=10), RandomForestClassifier())``.
    X : array-like of shape (n_windows, ...)
        Windows.
    y : array-like of shape (n_windows,)
        Target: class labels (for example ``meta["sex"]``) or values (for
        example ``meta["age"]``).
    groups : array-like of shape (n_windows,)
        Subject id of each window, for example
        ``meta["dataset"] + ":" + meta["subject"]``. Always required, also
        for the leaky protocol (which ignores it for splitting but uses it
        for subject-level scores).
    protocol : str, splitter or list of them, default="subject"
        Name(s) from :func:`evaluation_protocols` or splitter instance(s).
    task : {"classification", "regression"} or None, default=None
        Inferred from ``estimator`` when None.
    baseline : estimator or None, default=None
        Defaults to :func:`make_baseline` of the task (majority class or
        median target).
    sessions : array-like of shape (n_windows,), default=None
        Session label of each window (``meta["trial"]``); required by
        ``"cross_session"``, which then tests on other sessions of the same
        subjects (leave-one-session-out unless a :class:`CrossSessionSplit`
        with ``train``/``test`` is passed as protocol).
    aggregate : str or None, default=None
        If given, also report subject-level metrics (``subject_accuracy``,
        ``subject_mae``…) after aggregating each test subject's windows with
        this method of :func:`aggregate_predictions` (``"mean_proba"``,
        ``"vote"``… for classifiers, ``"mean"``, ``"median"`` for
        regressors).
    n_splits : int, default=5
        Folds of the ``"subject"`` and ``"leaky_window"`` protocols.
    random_state : int or None, default=0
        Seed of the fold shuffling.
    n_jobs : int or None, default=None
        Parallel folds, passed to ``cross_validate``.
    return_folds : bool, default=False
        Return one row per fold instead of the mean over folds.

    Returns
    -------
    results : DataFrame
        One row per (protocol, model) — or per (protocol, model, fold) —
        with columns ``protocol``, ``model`` (``"estimator"`` or
        ``"baseline"``), ``n_splits`` (or ``fold``), the metrics
        (``accuracy``, ``balanced_accuracy`` — the mean per-class accuracy —
        and macro ``precision``, ``recall``, ``f1`` for classification, ``mae``
        for regression, plus ``subject_*`` when aggregating) and
        ``fit_time``. Errors are positive (MAE in target units).

    Notes
    -----
    Folds are identical for the estimator and the baseline. The scorers run
    inside ``sklearn.config_context(enable_metadata_routing=True)`` so that
    subject ids reach the aggregated scorers; the global configuration is
    left untouched.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skgait.model_selection import evaluate
    >>> rng = np.random.default_rng(0)
    >>> groups = np.repeat(np.arange(10), 20)
    >>> y = np.where(groups % 2, "F", "M")
    >>> X = rng.normal(size=(200, 4)) + rng.normal(size=(10, 4))[groups]
    >>> res = evaluate(RandomForestClassifier(n_estimators=20, random_state=0),
    ...                X, y, groups, protocol=["leaky_window", "subject"])
    >>> res[["protocol", "model"]].values.tolist()
    [['leaky_window', 'estimator'], ['leaky_window', 'baseline'], \
['subject', 'estimator'], ['subject', 'baseline']]
    """
    task = _infer_task(estimator, task)
    n_samples = _num_samples(X)
    groups = _check_groups(groups, n_samples, "evaluate")
    y = np.asarray(y)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"evaluate: `y` has {y.shape[0]} values for {n_samples} windows; "
            "they must have the same length."
        )
    if aggregate is not None:
        _check_method(aggregate, "evaluate")
    if baseline is None:
        baseline = make_baseline(task)
    protocols = protocol if isinstance(protocol, (list, tuple)) else [protocol]
    scoring = _scoring(task, aggregate)

    rows = []
    for proto in protocols:
        cv = get_protocol(proto, task=task, n_splits=n_splits, random_state=random_state)
        name = proto if isinstance(proto, str) else type(proto).__name__
        split_groups = groups
        if name in ("cross_session", "CrossSessionSplit"):
            if sessions is None:
                raise ValueError(
                    "evaluate: the cross-session protocol needs `sessions`, the "
                    "session label of each window, e.g. sessions=meta['trial']."
                )
            sessions = _check_groups(sessions, n_samples, "evaluate (sessions)")
            split_groups = np.column_stack([groups.astype(str), sessions.astype(str)])
        # Materialise the folds once so that estimator and baseline share them.
        folds = list(cv.split(X, y, split_groups))
        # The folds are fixed, so only the aggregated scorers need metadata.
        params = {"subjects": groups} if aggregate is not None else {}  # not None: scikit-learn 1.6.0
        for model_name, model in (("estimator", estimator), ("baseline", baseline)):
            with sklearn.config_context(enable_metadata_routing=True):
                cv_results = cross_validate(
                    model, X, y, cv=folds, scoring=scoring, n_jobs=n_jobs,
                    params=params,
                )
            for fold in range(len(folds)):
                row = {"protocol": name, "model": model_name, "fold": fold}
                for metric in scoring:
                    score = cv_results[f"test_{metric}"][fold]
                    row[metric] = -score if metric.endswith("mae") else score
                row["fit_time"] = cv_results["fit_time"][fold]
                rows.append(row)

    folds_df = pd.DataFrame(rows)
    if return_folds:
        return folds_df
    summary = (
        folds_df.groupby(["protocol", "model"], sort=False)
        .agg(n_splits=("fold", "size"), **{m: (m, "mean") for m in [*scoring, "fit_time"]})
        .reset_index()
    )
    return summary
