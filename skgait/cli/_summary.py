"""The closing lines of ``skgait search``: the best configuration scored with an interval.

The best trial's score is the mean of its folds. Beside it the summary puts
that configuration's out-of-fold score on the same folds, with a 95 %
interval over subjects (:func:`_subject_interval`, a seeded
:func:`scipy.stats.bootstrap` that resamples people, not windows) and the
score of the majority class (the median age) on the same folds.
"""

import inspect
import warnings

import numpy as np

__all__ = ["best_configuration_summary"]


def _replay(y_pred):
    """An estimator answering ``predict`` with ``y_pred``, for rows given as indices."""
    from sklearn.base import BaseEstimator

    class _Replay(BaseEstimator):
        def predict(self, rows):
            return y_pred[rows]

    return _Replay()


def _subject_interval(scorer, y, y_pred, groups, random_state=0, n_resamples=999):
    """``(score, low, high)``: ``scorer`` on all predictions and its 95 % interval over subjects.

    The statistic is the score of the windows of a sample of subjects drawn
    with replacement (a cluster bootstrap: a person's windows stay
    together); the interval is the percentile one of
    :func:`scipy.stats.bootstrap`, seeded with ``random_state``. ``scorer``
    must work from ``predict`` alone (accuracy, balanced accuracy, MAE...).
    """
    from scipy.stats import bootstrap

    y, y_pred = np.asarray(y), np.asarray(y_pred)
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    rows = [np.flatnonzero(codes == k) for k in range(codes.max() + 1)]
    replay = _replay(y_pred)

    def statistic(subjects):
        chosen = np.concatenate([rows[int(k)] for k in subjects])
        return scorer(replay, chosen, y[chosen])

    seed = "rng" if "rng" in inspect.signature(bootstrap).parameters else "random_state"
    with warnings.catch_warnings():
        # a resample may hold one class only (balanced accuracy warns)
        warnings.simplefilter("ignore")
        result = bootstrap(
            (np.arange(len(rows)),),
            statistic,
            vectorized=False,
            n_resamples=n_resamples,
            confidence_level=0.95,
            method="percentile",
            **{seed: np.random.default_rng(random_state)},
        )
        score = statistic(np.arange(len(rows)))
    interval = result.confidence_interval
    return float(score), float(interval.low), float(interval.high)


def best_configuration_summary(search, X, y, groups, random_state=0):
    """One line: the best configuration out of fold, its interval over subjects, the baseline.

    Parameters
    ----------
    search : OptunaSearchCV
        Fitted.
    X, y, groups : array-like
        What ``search`` was fitted on.
    random_state : int, default=0
        Seed of the bootstrap.

    Returns
    -------
    line : str
        Such as ``"best configuration out of fold: balanced_accuracy 0.74
        [0.61, 0.86] (95 % interval over 38 subjects); majority baseline
        0.50 ..."``.
    """
    from sklearn.base import clone, is_classifier
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.model_selection import cross_val_predict, cross_val_score

    splits = list(search._checked_cv().split(X, y, groups))
    fit_params, _ = search._route_fit_params(groups, {})
    best = clone(search.estimator).set_params(**search.best_params_)
    classifier = is_classifier(best)
    baseline = (
        DummyClassifier(strategy="most_frequent")
        if classifier
        else DummyRegressor(strategy="median")
    )
    chance = float(np.mean(cross_val_score(baseline, X, y, cv=splits, scoring=search.scorer_)))
    name = search.scoring or "score"
    what = "majority" if classifier else "median"
    y_pred = cross_val_predict(best, X, y, cv=splits, params=fit_params)
    try:
        score, low, high = _subject_interval(search.scorer_, y, y_pred, groups, random_state)
    except (AttributeError, TypeError, ValueError):  # a scorer that needs probabilities
        return (
            f"best configuration: no interval over subjects for scoring={name!r} "
            f"(it needs more than predictions); {what} baseline {chance:.2f}."
        )
    n_subjects = len(np.unique(np.asarray(groups)))
    return (
        f"best configuration out of fold: {name} {score:.2f} [{low:.2f}, {high:.2f}] "
        f"(95 % interval over {n_subjects} subjects); {what} baseline {chance:.2f}. "
        "Chosen on these folds, so optimistic: nested evaluation "
        "(OptunaSearchCV in cross_val_score) gives an unbiased estimate."
    )
