"""Confidence intervals over subjects, and one outcome per subject.

Windows of one person are not independent looks: a score over 20 people
is known to about ±0.2 whatever the number of windows. The interval of
:func:`subject_interval` resamples *subjects* (each with all its windows, a
cluster bootstrap) and recomputes the score on the resampled windows, so
its width reflects the number of people.
"""

import numbers

import numpy as np

__all__ = ["subject_interval", "subject_predictions"]

#: Metrics :func:`subject_interval` computes from per-subject counts.
_METRICS = ("accuracy", "balanced_accuracy", "mae")


def _check(y_true, y_pred, groups):
    y_true, y_pred, groups = (np.asarray(a) for a in (y_true, y_pred, groups))
    if not (y_true.ndim == y_pred.ndim == groups.ndim == 1):
        raise ValueError(
            "y_true, y_pred and groups must be 1-D (one value per window); got shapes "
            f"{y_true.shape}, {y_pred.shape} and {groups.shape}."
        )
    if not (len(y_true) == len(y_pred) == len(groups)):
        raise ValueError(
            f"y_true, y_pred and groups have {len(y_true)}, {len(y_pred)} and "
            f"{len(groups)} values; expected one per window."
        )
    if len(y_true) == 0:
        raise ValueError("subject_interval needs at least one window.")
    return y_true, y_pred, groups


def _classification_scores(counts, metric):
    """Scores of confusion matrices ``counts`` (..., n_labels, n_labels)."""
    diagonal = np.diagonal(counts, axis1=-2, axis2=-1)
    if metric == "accuracy":
        return diagonal.sum(axis=-1) / counts.sum(axis=(-2, -1))
    support = counts.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(support > 0, diagonal / support, np.nan)
    return np.nanmean(recall, axis=-1)  # labels only predicted are left out, as in sklearn


def subject_interval(
    y_true,
    y_pred,
    groups,
    metric="balanced_accuracy",
    *,
    confidence=0.95,
    n_resamples=1000,
    random_state=0,
):
    """Bootstrap confidence interval of a window-level score, resampling subjects.

    Each resample draws as many subjects as there are, with replacement,
    keeps all windows of each subject drawn (as often as it is drawn) and
    recomputes ``metric`` on them; the interval is the central
    ``confidence`` part of those scores (percentile bootstrap). For the
    accuracies the subjects are drawn within each class (a subject's class
    is its first window's), so that every resample has the people of every
    class as the data has: a resample without a class would have no
    balanced accuracy. The resampling is vectorised over per-subject
    counts, so a thousand resamples cost milliseconds.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_windows,)
        True and predicted labels (``"accuracy"``, ``"balanced_accuracy"``)
        or values (``"mae"``) of each window.
    groups : array-like of shape (n_windows,)
        Subject of each window.
    metric : {"accuracy", "balanced_accuracy", "mae"}, default="balanced_accuracy"
        The score.
    confidence : float, default=0.95
        Coverage of the interval, in (0, 1).
    n_resamples : int, default=1000
        Bootstrap resamples.
    random_state : int, default=0
        Seed of the resampling: the same inputs give the same interval.

    Returns
    -------
    low, high : float
        Bounds of the interval; NaN for a single subject.

    See Also
    --------
    subject_predictions : One prediction per subject, for per-subject
        confusion matrices.

    Examples
    --------
    >>> from skgait.metrics import subject_interval
    >>> y_true = ["f"] * 6 + ["m"] * 6
    >>> y_pred = ["f", "f", "m", "f", "f", "f", "m", "m", "m", "f", "m", "m"]
    >>> groups = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    >>> low, high = subject_interval(y_true, y_pred, groups, "accuracy")
    >>> bool(low < 10 / 12 < high)
    True
    """
    y_true, y_pred, groups = _check(y_true, y_pred, groups)
    if metric not in _METRICS:
        raise ValueError(f"Unknown metric {metric!r}; expected one of {', '.join(_METRICS)}.")
    if not (isinstance(confidence, numbers.Real) and 0 < confidence < 1):
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    if not (isinstance(n_resamples, numbers.Integral) and n_resamples >= 1):
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}.")
    subjects, subject = np.unique(groups, return_inverse=True)
    n_subjects = len(subjects)
    if n_subjects < 2:
        return np.nan, np.nan
    rng = np.random.default_rng(random_state)
    if metric == "mae":
        strata = np.zeros(n_subjects, dtype=int)
    else:  # each subject's class (its first window's): every resample keeps each class
        _, first = np.unique(subject, return_index=True)
        strata = np.unique(y_true[first], return_inverse=True)[1]
    draws = np.zeros((n_resamples, n_subjects))
    for stratum in np.unique(strata):
        members = np.flatnonzero(strata == stratum)
        draws[:, members] = rng.multinomial(
            len(members), np.full(len(members), 1 / len(members)), size=n_resamples
        )
    if metric == "mae":
        errors = np.bincount(subject, np.abs(y_true.astype(float) - y_pred.astype(float)))
        sizes = np.bincount(subject)
        scores = (draws @ errors) / (draws @ sizes)
    else:
        labels, pairs = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
        n = len(labels)
        true, pred = pairs[: len(y_true)], pairs[len(y_true) :]
        counts = np.zeros((n_subjects, n, n))
        np.add.at(counts, (subject, true, pred), 1)
        scores = _classification_scores(np.einsum("bs,sij->bij", draws, counts), metric)
    tail = (1 - confidence) / 2
    low, high = np.quantile(scores, [tail, 1 - tail])
    return float(low), float(high)


def subject_predictions(y_true, y_pred, groups, *, classification=True):
    """One true and one predicted value per subject.

    A classification subject gets the majority vote of its windows' labels
    (ties go to the label that sorts first); a regression subject gets the
    mean of its windows' predictions. The true value is the subject's
    first window's (one label per person).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_windows,)
    groups : array-like of shape (n_windows,)
        Subject of each window.
    classification : bool, default=True
        Majority vote (True) or mean (False).

    Returns
    -------
    subjects : ndarray of shape (n_subjects,)
        Sorted subject ids.
    y_true, y_pred : ndarray of shape (n_subjects,)

    Examples
    --------
    >>> from skgait.metrics import subject_predictions
    >>> subject_predictions(["f", "f", "f", "m", "m"], ["f", "m", "f", "f", "m"],
    ...                     [1, 1, 1, 2, 2])
    (array([1, 2]), array(['f', 'm'], dtype='<U1'), array(['f', 'f'], dtype='<U1'))
    """
    y_true, y_pred, groups = _check(y_true, y_pred, groups)
    subjects, first, subject = np.unique(groups, return_index=True, return_inverse=True)
    if not classification:
        mean = np.bincount(subject, y_pred.astype(float)) / np.bincount(subject)
        return subjects, y_true[first].astype(float), mean
    labels, pred = np.unique(y_pred, return_inverse=True)
    votes = np.zeros((len(subjects), len(labels)), dtype=int)
    np.add.at(votes, (subject, pred), 1)
    return subjects, y_true[first], labels[votes.argmax(axis=1)]
