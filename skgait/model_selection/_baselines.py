"""Baselines and :func:`evaluate`: an estimator next to its baseline, per protocol."""

import functools
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_absolute_error,
    precision_score,
    recall_score,
)
from sklearn.utils.parallel import Parallel, delayed

from ..utils._aggregate import (
    _PROBA_METHODS,
    _check_method,
    _group_index,
    aggregate_predictions,
)
from ..utils._sklearn_compat import _num_samples, _safe_indexing
from ._aggregate import _group_targets
from ._protocols import get_protocol
from ._split import _check_groups

__all__ = ["cv_scores", "evaluate", "make_baseline"]

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
            raise ValueError(f"Unknown task {task!r}; expected 'classification' or 'regression'.")
        return task
    if is_classifier(estimator):
        return "classification"
    if is_regressor(estimator):
        return "regression"
    raise ValueError(
        f"Cannot tell whether {type(estimator).__name__} is a classifier or a "
        "regressor; pass task='classification' or task='regression'."
    )


def _metrics(task):
    """Metric functions ``f(y_true, y_pred)`` of a task, by column name."""
    if task == "regression":
        return {"mae": mean_absolute_error}
    metrics = {"accuracy": accuracy_score, "balanced_accuracy": balanced_accuracy_score}
    # Macro precision, recall and F1 of Mostafa et al. (2021) (balanced
    # accuracy is their mean per-class accuracy, mAcc).
    for name, func in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
        metrics[name] = functools.partial(func, average="macro", zero_division=0)
    return metrics


def _fit_predict(model, X, y, train, test, proba):
    """Fit on ``train``; predictions (and probabilities) of ``test``, fit time."""
    start = time.perf_counter()
    model.fit(_safe_indexing(X, train), y[train])
    fit_time = time.perf_counter() - start
    X_test = _safe_indexing(X, test)
    pred = np.asarray(model.predict(X_test))
    window_proba = np.asarray(model.predict_proba(X_test)) if proba else None
    return pred, window_proba, getattr(model, "classes_", None), fit_time


def _subject_predictions(pred, window_proba, classes, subjects, y_true, method):
    """One (target, prediction) per test subject, aggregated with ``method``."""
    owner = "evaluate"
    unique_subjects, inv = _group_index(subjects, len(y_true), owner)
    y_subject = _group_targets(y_true, inv, len(unique_subjects), owner)
    window = window_proba if window_proba is not None else pred
    _, agg = aggregate_predictions(window, subjects, method=method)
    if agg.ndim == 2:
        agg = np.asarray(classes)[np.argmax(agg, axis=1)]
    return y_subject, agg


def _score(metrics, y_true, y_pred, prefix=""):
    return {f"{prefix}{name}": float(func(y_true, y_pred)) for name, func in metrics.items()}


def _folds_lacking_a_class(y_folds):
    """Classes of the pooled test folds that some test fold lacks."""
    classes = np.unique(np.concatenate(y_folds))
    present = [set(np.unique(y).tolist()) for y in y_folds]
    return [c for c in classes.tolist() if any(c not in p for p in present)]


def cv_scores(metrics, y_true_folds, y_pred_folds, *, classification, owner, prefix=""):
    """Cross-validated scores: mean over folds, or pooled where that is undefined.

    A fold's balanced accuracy (or macro recall, precision, F1) is only
    meaningful when its test set holds every class: a majority-class
    baseline scores 1.0 on a fold of one class. For classification, if some
    test fold lacks a class, the metrics are those of the pooled
    out-of-fold predictions, with a warning; otherwise, and for regression,
    they are the mean of the fold scores.

    Parameters
    ----------
    metrics : dict of str to callable
        Name to metric ``f(y_true, y_pred)``, for example
        ``{"balanced_accuracy": balanced_accuracy_score}``.
    y_true_folds, y_pred_folds : list of array-like
        True and predicted targets of each test fold.
    classification : bool
        Whether the targets are class labels (only then can a fold lack a
        class).
    owner : str
        Name used in the warning.
    prefix : str, default=""
        Prefix of the returned keys, for example ``"subject_"``.

    Returns
    -------
    scores : dict of str to float
        One score per metric.
    pooled : bool
        Whether the scores are those of the pooled predictions.

    Examples
    --------
    >>> from sklearn.metrics import balanced_accuracy_score
    >>> from skgait.model_selection import cv_scores
    >>> metrics = {"balanced_accuracy": balanced_accuracy_score}
    >>> y_true = [["F", "M", "M"], ["M", "M"]]  # the second fold has no F
    >>> y_pred = [["M", "M", "M"], ["M", "M"]]  # always the majority
    >>> cv_scores(metrics, y_true, y_pred, classification=True, owner="example")
    ({'balanced_accuracy': 0.5}, True)
    """
    missing = _folds_lacking_a_class(y_true_folds) if classification else []
    if missing:
        warnings.warn(
            f"{owner}: some test folds lack class(es) {missing}, so their "
            "balanced accuracy is undefined; the scores are those of the "
            "pooled out-of-fold predictions, not a mean over folds. Use "
            "n_splits <= the number of subjects of the rarest class for "
            "fold-averaged scores.",
            UserWarning,
            stacklevel=3,
        )
        return _score(
            metrics, np.concatenate(y_true_folds), np.concatenate(y_pred_folds), prefix
        ), True
    folds = [_score(metrics, t, p, prefix) for t, p in zip(y_true_folds, y_pred_folds)]
    return {k: float(np.mean([f[k] for f in folds])) for k in folds[0]}, False


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

    For each protocol it builds the splitter (:func:`get_protocol`), fits
    the estimator and the baseline on the same folds, predicts every test
    fold and scores the predictions with :func:`cv_scores` (the mean over
    folds, or the pooled out-of-fold predictions when a test fold lacks a
    class). It returns one tidy table.

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
        Folds fitted in parallel (joblib).
    return_folds : bool, default=False
        Return one row per fold (each scored on its own test windows)
        instead of the cross-validated scores.

    Returns
    -------
    results : DataFrame
        One row per (protocol, model) — or per (protocol, model, fold) —
        with columns ``protocol``, ``model`` (``"estimator"`` or
        ``"baseline"``), ``n_splits`` (or ``fold``), the metrics
        (``accuracy``, ``balanced_accuracy`` — the mean per-class accuracy —
        and macro ``precision``, ``recall``, ``f1`` for classification, ``mae``
        for regression, plus ``subject_*`` when aggregating) and
        ``fit_time`` (mean over folds). Errors are positive (MAE in target
        units).

    Notes
    -----
    Folds are identical for the estimator and the baseline.

    **Folds that lack a class.** With few subjects in a class, a
    subject-wise test fold may hold no subject of it (HuGaDB has 4 women:
    with 5 folds one fold has none). Balanced accuracy, macro recall,
    precision and F1 of such a fold are meaningless: the majority baseline
    scores 1.0 on an all-men fold, and the mean over folds of HuGaDB gender
    gave it 0.6 instead of 0.5. Then the scores are those of the pooled
    out-of-fold predictions of all folds (the baseline scores exactly 0.5),
    and a warning says so. When every test fold holds every class, the
    scores are the usual mean over folds: pooling would then be biased
    against a majority baseline, whose training majority is often the
    minority of its stratified test fold. Per-fold scores
    (``return_folds=True``) keep scikit-learn's warnings for one-class
    folds. Subject-level scores follow the same rule on the aggregated
    decisions.

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
    >>> float(res["balanced_accuracy"].iloc[-1])  # majority class: chance
    0.5
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
    metrics = _metrics(task)
    proba = aggregate in _PROBA_METHODS

    fold_rows, pooled_rows = [], []
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
        for model_name, model in (("estimator", estimator), ("baseline", baseline)):
            results = Parallel(n_jobs=n_jobs)(
                delayed(_fit_predict)(clone(model), X, y, train, test, proba)
                for train, test in folds
            )
            pooled = {"true": [], "pred": [], "subject_true": [], "subject_pred": []}
            fit_times = []
            for fold, ((_, test), (pred, window_proba, classes, fit_time)) in enumerate(
                zip(folds, results)
            ):
                row = {"protocol": name, "model": model_name, "fold": fold}
                pooled["true"].append(y[test])
                pooled["pred"].append(pred)
                if return_folds:
                    row.update(_score(metrics, y[test], pred))
                if aggregate is not None:
                    y_subject, subject_pred = _subject_predictions(
                        pred, window_proba, classes, groups[test], y[test], aggregate
                    )
                    pooled["subject_true"].append(y_subject)
                    pooled["subject_pred"].append(subject_pred)
                    if return_folds:
                        row.update(_score(metrics, y_subject, subject_pred, "subject_"))
                row["fit_time"] = fit_time
                fit_times.append(fit_time)
                fold_rows.append(row)
            row = {"protocol": name, "model": model_name, "n_splits": len(folds)}
            classification = task == "classification"
            owner = f"evaluate ({name}, {model_name})"
            scores, _ = cv_scores(
                metrics, pooled["true"], pooled["pred"], classification=classification, owner=owner
            )
            row.update(scores)
            if aggregate is not None:
                scores, _ = cv_scores(
                    metrics,
                    pooled["subject_true"],
                    pooled["subject_pred"],
                    classification=classification,
                    owner=owner,
                    prefix="subject_",
                )
                row.update(scores)
            row["fit_time"] = float(np.mean(fit_times))
            pooled_rows.append(row)

    if return_folds:
        return pd.DataFrame(fold_rows)
    return pd.DataFrame(pooled_rows)
