"""The closing lines of ``skgait search``: the best configuration scored with an interval.

The best trial's score is the mean of its folds. Beside it the summary puts
that configuration's out-of-fold score on the same folds, with a 95 %
interval over subjects (:func:`skgait.metrics.subject_interval`, the
cluster bootstrap of the grid's tables) and the score of the majority class
(the median age) on the same folds.
"""

import numpy as np

__all__ = ["best_configuration_summary"]

#: Scorer names whose interval :func:`skgait.metrics.subject_interval` computes
#: → the grid's metric name (:data:`skgait.experiments.METRIC_FUNCTIONS`).
_INTERVAL_METRICS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced_accuracy",
    "neg_mean_absolute_error": "mae",
}


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

    from ..experiments import METRIC_FUNCTIONS
    from ..metrics import subject_interval

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
    if name not in _INTERVAL_METRICS:
        return (
            f"best configuration: no interval over subjects for scoring={name!r} "
            f"(intervals exist for {', '.join(_INTERVAL_METRICS)}); {what} baseline {chance:.2f}."
        )
    metric = _INTERVAL_METRICS[name]
    y_pred = cross_val_predict(best, X, y, cv=splits, params=fit_params)
    score = METRIC_FUNCTIONS[metric](y, y_pred)
    low, high = subject_interval(y, y_pred, groups, metric, random_state=random_state)
    if metric == "mae":  # the scorer's sign: larger is better
        name, chance = "mean_absolute_error", -chance
    n_subjects = len(np.unique(np.asarray(groups)))
    return (
        f"best configuration out of fold: {name} {score:.2f} [{low:.2f}, {high:.2f}] "
        f"(95 % interval over {n_subjects} subjects); {what} baseline {chance:.2f}. "
        "Chosen on these folds, so optimistic: nested evaluation "
        "(OptunaSearchCV in cross_val_score) gives an unbiased estimate."
    )
