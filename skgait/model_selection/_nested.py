"""Nested subject-wise evaluation: every choice is made inside the training folds."""

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score, check_scoring, mean_absolute_error
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch, check_random_state, get_tags
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.metaestimators import available_if

from ..utils._aggregate import _PROBA_METHODS, _check_method
from ..utils._sklearn_compat import _num_samples, _safe_indexing
from ._aggregate import _AggregatedScorer, make_aggregated_scorer
from ._baselines import _infer_task, _subject_predictions, make_baseline
from ._split import (
    SubjectKFold,
    SubjectRegressionKFold,
    _check_groups,
    _check_y_length,
    check_subject_wise,
)

__all__ = ["evaluate_nested"]


def _is_search(candidates):
    """A hyper-parameter search: it fits on its own folds and exposes ``best_estimator_``."""
    return hasattr(candidates, "fit") and hasattr(candidates, "cv") and hasattr(candidates, "refit")


def _named_candidates(candidates):
    """(name, estimator) pairs of a list, a dict or a single estimator."""
    if isinstance(candidates, dict):
        pairs = list(candidates.items())
    elif isinstance(candidates, (list, tuple)):
        pairs = [
            c if isinstance(c, tuple) else (f"{k}: {type(c).__name__}", c)
            for k, c in enumerate(candidates)
        ]
    else:
        pairs = [(type(candidates).__name__, candidates)]
    if not pairs:
        raise ValueError("evaluate_nested: `candidates` is empty; give at least one estimator.")
    return [(str(name), est) for name, est in pairs]


def _subject_cv(task, n_splits, random_state):
    if task == "classification":
        return SubjectKFold(n_splits, shuffle=True, random_state=random_state)
    return SubjectRegressionKFold(n_splits, shuffle=True, random_state=random_state)


def _default_method(task, estimator):
    if task == "regression":
        return "mean"
    return "mean_proba" if hasattr(estimator, "predict_proba") else "vote"


def _subject_metric(task):
    if task == "regression":
        return "mae", mean_absolute_error
    return "balanced_accuracy", balanced_accuracy_score


def _scorer(scoring, task, aggregate, estimator):
    """A scorer ``(estimator, X, y, groups)`` of the inner folds."""
    if scoring is None:
        _, func = _subject_metric(task)
        method = aggregate or _default_method(task, estimator)
        return make_aggregated_scorer(func, method=method, greater_is_better=task != "regression")
    return check_scoring(estimator, scoring=scoring)


def _call_scorer(scorer, estimator, X, y, groups):
    if isinstance(scorer, _AggregatedScorer):
        return scorer(estimator, X, y, groups=groups)
    return scorer(estimator, X, y)


def _check_params(params, n_samples):
    """``params`` as a dict of arrays of one value per window."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise TypeError(f"evaluate_nested: params must be a dict, got {type(params).__name__}.")
    checked = {}
    for key, value in params.items():
        value = np.asarray(value)
        if value.ndim == 0 or len(value) != n_samples:
            raise ValueError(
                f"evaluate_nested: params[{key!r}] must hold one value per window "
                f"({n_samples}), got shape {value.shape}."
            )
        checked[key] = value
    return checked


class _WithMetadata:
    """A fitted model whose predictions receive the metadata of the windows predicted."""

    def __init__(self, model, params):
        self.model, self.params = model, params

    def __getattr__(self, name):
        return getattr(self.model, name)

    def __sklearn_tags__(self):
        return get_tags(self.model)

    def predict(self, X):
        with config_context(enable_metadata_routing=True):
            return self.model.predict(X, **self.params)

    @available_if(lambda self: hasattr(self.model, "predict_proba"))
    def predict_proba(self, X):
        with config_context(enable_metadata_routing=True):
            return self.model.predict_proba(X, **self.params)


def _requested(estimator, params):
    """The keys of ``params`` that ``estimator`` requests in ``fit``."""
    if not params:
        return set()
    with config_context(enable_metadata_routing=True):
        return set(get_routing_for_object(estimator).consumes("fit", set(params)))


def _fit(estimator, X, y, params, keys, indices):
    """``estimator`` fitted on the windows ``indices``; with metadata, predicting with it."""
    X, y = _safe_indexing(X, indices), y[indices]
    if not keys:
        return clone(estimator).fit(X, y)
    with config_context(enable_metadata_routing=True):
        return clone(estimator).fit(X, y, **{k: params[k][indices] for k in keys})


def _predictor(model, params, keys, indices):
    """``model``, or a view of it whose predictions get the metadata of ``indices``."""
    if not keys:
        return model
    return _WithMetadata(model, {k: params[k][indices] for k in keys})


def _select(pairs, X, y, groups, inner_cv, scoring, task, aggregate, params):
    """Best candidate by mean score over the inner subject-wise folds."""
    folds = list(inner_cv.split(X, y, groups))
    means, requested = [], []
    for _, candidate in pairs:
        scorer = _scorer(scoring, task, aggregate, candidate)
        keys = _requested(candidate, params)
        requested.append(keys)
        scores = []
        for train, val in folds:
            model = _predictor(_fit(candidate, X, y, params, keys, train), params, keys, val)
            scores.append(_call_scorer(scorer, model, _safe_indexing(X, val), y[val], groups[val]))
        means.append(float(np.mean(scores)))
    best = int(np.argmax(means))
    name, winner = pairs[best]
    keys = requested[best]
    return name, means[best], _fit(winner, X, y, params, keys, np.arange(len(y))), keys


def _search(search, X, y, groups, inner_cv):
    """Fit a search on the outer training fold; its refitted best estimator."""
    search = clone(search)
    cv = search.get_params()["cv"]
    if cv is None or isinstance(cv, int):
        search.set_params(cv=inner_cv)
    search.fit(X, y, groups=groups)
    if not hasattr(search, "best_estimator_"):
        raise ValueError(
            f"evaluate_nested: {type(search).__name__} has no best_estimator_ after "
            "fit; use refit=True (the winner is refitted on each outer training fold)."
        )
    score = getattr(search, "best_score_", np.nan)
    return repr(search.best_params_), float(score), search.best_estimator_


def _predict_subjects(estimator, X, y, groups, method):
    """Test subjects (sorted), their targets and their aggregated predictions."""
    pred = np.asarray(estimator.predict(X))
    window_proba = np.asarray(estimator.predict_proba(X)) if method in _PROBA_METHODS else None
    classes = getattr(estimator, "classes_", None)
    y_subject, y_pred = _subject_predictions(pred, window_proba, classes, groups, y, method)
    return np.unique(groups), y_subject, y_pred


def _bootstrap_interval(task, y_true, y_pred, n_bootstrap, random_state):
    """95 % interval of the subject-level metric over bootstrap resamples of subjects."""
    _, func = _subject_metric(task)
    rng = check_random_state(random_state)
    n = len(y_true)
    scores = []
    for _ in range(n_bootstrap):
        i = rng.randint(0, n, n)
        if task == "classification" and len(np.unique(y_true[i])) < 2:
            continue
        scores.append(func(y_true[i], y_pred[i]))
    if not scores:
        return (np.nan, np.nan)
    lo, hi = np.percentile(scores, [2.5, 97.5])
    return (float(lo), float(hi))


def evaluate_nested(
    candidates,
    X,
    y,
    groups,
    *,
    task=None,
    cv=None,
    inner_cv=None,
    scoring=None,
    aggregate=None,
    n_splits=5,
    inner_splits=3,
    n_bootstrap=2000,
    random_state=0,
    params=None,
):
    """Nested subject-wise evaluation of a model selection, scored per subject.

    A score is only honest if nothing was chosen on the people it is
    reported on. Here the outer folds split the subjects; inside each outer
    training fold the ``candidates`` are compared on inner subject-wise
    folds (the groups go to the inner splitter), the winner is refitted on
    the whole outer training fold and predicts the outer test subjects,
    whose window predictions are combined per subject. The outer test
    subjects never reach a selection step.

    Parameters
    ----------
    candidates : estimator, list or dict of estimators, or search
        What to choose from: a list of estimators (or of ``(name,
        estimator)`` pairs), a dict name → estimator, a single estimator
        (no choice: plain subject-wise cross-validation), or a search such as
        :class:`~sklearn.model_selection.GridSearchCV` or
        :class:`OptunaSearchCV` with ``refit=True``. A search whose ``cv`` is
        None or an int gets ``inner_cv``; it receives the outer training
        fold's ``groups``.
    X : array-like of shape (n_windows, ...)
        Windows (or features).
    y : array-like of shape (n_windows,)
        Target, constant within a subject (gender, age group, age).
    groups : array-like of shape (n_windows,)
        Subject of each window, for example ``meta["group"]``.
    task : {"classification", "regression"} or None, default=None
        Inferred from the (first) candidate when None.
    cv : splitter or None, default=None
        Outer splitter; it must keep subjects apart (for example
        :class:`LeaveOneDatasetOut` for the cross-dataset protocol). None:
        :class:`SubjectKFold` (classification) or
        :class:`SubjectRegressionKFold` (regression) with ``n_splits``,
        shuffled with ``random_state``.
    inner_cv : splitter or None, default=None
        Splitter of the outer training folds. None: the same kind as the
        default ``cv`` with ``inner_splits`` folds.
    scoring : str, callable or None, default=None
        Criterion of the choice among a list of candidates (greater is
        better). None: the per-subject metric (balanced accuracy, or minus
        the MAE) after aggregating each subject's windows with
        ``aggregate``. A scorer from :func:`make_aggregated_scorer` receives
        the inner validation subjects as ``groups``. A search uses its own
        ``scoring``.
    aggregate : str or None, default=None
        How a subject's window predictions are combined
        (:func:`aggregate_predictions`). None: ``"mean_proba"`` for a
        classifier with ``predict_proba``, ``"vote"`` for one without (a
        ridge classifier), ``"mean"`` for regressors; decided per candidate.
    n_splits : int, default=5
        Outer folds when ``cv`` is None.
    inner_splits : int, default=3
        Inner folds when ``inner_cv`` is None.
    n_bootstrap : int, default=2000
        Bootstrap resamples of the test subjects for the interval.
    random_state : int or None, default=0
        Seed of the fold shuffling and of the bootstrap.
    params : dict or None, default=None
        Metadata of every window, name → array-like of shape (n_windows,),
        for example ``{"domains": meta["dataset"]}``: indexed like ``X`` and
        passed, under scikit-learn's metadata routing, to the ``fit``,
        ``predict`` and ``predict_proba`` of each candidate that requests it
        in ``fit`` (as the gender pipeline's
        :class:`~skgait.preprocessing.DomainStandardScaler` requests ``domains``);
        a candidate that requests none of it gets none. Not with a search.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        - ``metric``: ``"balanced_accuracy"`` or ``"mae"`` (per subject);
        - ``score``: the metric of the out-of-fold subject predictions pooled
          over the outer folds;
        - ``interval``: its 95 % interval over ``n_bootstrap`` resamples of
          the subjects;
        - ``n``: number of subjects scored;
        - ``baseline_score``: the same metric for :func:`make_baseline`
          (majority class or median target of each outer training fold);
        - ``folds``: a DataFrame, one row per outer fold: ``fold``,
          ``chosen`` (the winner's name, or the search's ``best_params_``),
          ``selection_score`` (its mean inner score), ``score`` (on the
          fold's test subjects) and ``n_test_subjects``;
        - ``predictions``: a DataFrame, one row per subject: ``subject``,
          ``fold``, ``y_true``, ``y_pred``.

    See Also
    --------
    evaluate : Estimator against baseline under several protocols (no selection).
    LeaveOneDatasetOut : Outer splitter of the cross-dataset protocol.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.dummy import DummyClassifier
    >>> from skgait.model_selection import evaluate_nested
    >>> rng = np.random.default_rng(0)
    >>> groups = np.repeat(np.arange(20), 5)
    >>> y = np.where(groups % 2, "F", "M")
    >>> X = rng.normal(size=(100, 3)) + 2.0 * (y == "F")[:, None]
    >>> res = evaluate_nested({"logistic": LogisticRegression(),
    ...                        "prior": DummyClassifier()}, X, y, groups)
    >>> res.folds["chosen"].tolist()
    ['logistic', 'logistic', 'logistic', 'logistic', 'logistic']
    >>> float(res.score), res.n
    (1.0, 20)
    """
    search = _is_search(candidates)
    first = candidates.estimator if search else _named_candidates(candidates)[0][1]
    task = _infer_task(first, task)
    n_samples = _num_samples(X)
    groups = _check_groups(groups, n_samples, "evaluate_nested")
    y = _check_y_length(y, n_samples, "evaluate_nested")
    if y is None:
        raise ValueError("evaluate_nested needs `y`.")
    if aggregate is not None:
        _check_method(aggregate, "evaluate_nested")
        if (task == "classification") != (aggregate in (*_PROBA_METHODS, "vote")):
            raise ValueError(f"evaluate_nested: aggregate={aggregate!r} does not suit {task}.")
    outer = _subject_cv(task, n_splits, random_state) if cv is None else check_cv(cv)
    inner = _subject_cv(task, inner_splits, random_state) if inner_cv is None else inner_cv
    pairs = None if search else _named_candidates(candidates)
    params = _check_params(params, n_samples)
    if search and params:
        raise ValueError("evaluate_nested: params are not passed to a search; give candidates.")
    metric, func = _subject_metric(task)

    fold_rows, subject_rows, baseline_true, baseline_pred = [], [], [], []
    try:
        check_subject_wise(outer, X, y, groups)
    except ValueError as exc:
        raise ValueError(f"evaluate_nested needs a subject-wise outer splitter: {exc}") from exc
    for fold, (train, test) in enumerate(outer.split(X, y, groups)):
        X_train, y_train, g_train = _safe_indexing(X, train), y[train], groups[train]
        if search:
            chosen, selection_score, model = _search(candidates, X_train, y_train, g_train, inner)
            keys = set()
        else:
            fold_params = {k: v[train] for k, v in params.items()}
            chosen, selection_score, model, keys = _select(
                pairs, X_train, y_train, g_train, inner, scoring, task, aggregate, fold_params
            )
        X_test = _safe_indexing(X, test)
        method = aggregate or _default_method(task, model)
        subjects, y_subject, y_pred = _predict_subjects(
            _predictor(model, params, keys, test), X_test, y[test], groups[test], method
        )
        subject_rows.extend(
            {"subject": s, "fold": fold, "y_true": t, "y_pred": p}
            for s, t, p in zip(subjects, y_subject, y_pred)
        )
        fold_rows.append(
            {
                "fold": fold,
                "chosen": chosen,
                "selection_score": selection_score,
                "score": float(func(y_subject, y_pred)),
                "n_test_subjects": len(subjects),
            }
        )
        baseline = make_baseline(task).fit(X_train, y_train)
        method = aggregate or _default_method(task, baseline)
        _, y_subject, y_pred = _predict_subjects(baseline, X_test, y[test], groups[test], method)
        baseline_true.append(y_subject)
        baseline_pred.append(y_pred)
    predictions = pd.DataFrame(subject_rows)
    y_true = predictions["y_true"].to_numpy()
    y_pred = predictions["y_pred"].to_numpy()
    return Bunch(
        metric=metric,
        score=float(func(y_true, y_pred)),
        interval=_bootstrap_interval(task, y_true, y_pred, n_bootstrap, random_state),
        n=len(predictions),
        baseline_score=float(func(np.concatenate(baseline_true), np.concatenate(baseline_pred))),
        folds=pd.DataFrame(fold_rows),
        predictions=predictions,
    )
