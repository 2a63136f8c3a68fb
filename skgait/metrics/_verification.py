"""Verification metrics: ROC and precision-recall AUC, equal error rate, accuracy at the EER."""

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve
from sklearn.utils.validation import check_consistent_length, column_or_1d

__all__ = ["equal_error_rate", "verification_report"]


def _check_scores(y_true, y_score, owner):
    y_true = column_or_1d(y_true)
    y_score = column_or_1d(y_score).astype(np.float64)
    check_consistent_length(y_true, y_score)
    labels = np.unique(y_true)
    if not np.all(np.isin(labels, [0, 1, False, True])) or len(labels) != 2:
        raise ValueError(
            f"{owner}: y_true must hold both 1 (same person, genuine) and 0 "
            f"(different people, impostor); got labels {labels.tolist()}."
        )
    if not np.all(np.isfinite(y_score)):
        raise ValueError(f"{owner}: y_score contains NaN or infinity.")
    return y_true.astype(int), y_score


def equal_error_rate(y_true, y_score, *, return_threshold=False):
    """Error rate where false acceptances and false rejections are equally frequent.

    With a decision "same person" when ``y_score >= t``, the false
    acceptance rate ``FAR(t)`` (impostor pairs accepted) falls and the false
    rejection rate ``FRR(t)`` (genuine pairs rejected) rises as ``t``
    grows. The EER is their common value where the two curves cross,
    linearly interpolated between the two ROC points that bracket the
    crossing.

    Parameters
    ----------
    y_true : array-like of shape (n_pairs,)
        1 for genuine (same subject) pairs, 0 for impostor pairs.
    y_score : array-like of shape (n_pairs,)
        Higher means more likely the same subject.
    return_threshold : bool, default=False
        Also return the threshold of the ROC point closest to the crossing.

    Returns
    -------
    eer : float
        In ``[0, 1]``.
    threshold : float
        Only with ``return_threshold=True``.

    Examples
    --------
    >>> from skgait.metrics import equal_error_rate
    >>> equal_error_rate([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], return_threshold=True)
    (0.5, 0.6)
    >>> equal_error_rate([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    0.0
    """
    y_true, y_score = _check_scores(y_true, y_score, "equal_error_rate")
    fpr, tpr, thresholds = roc_curve(y_true, y_score, drop_intermediate=False)
    fnr = 1.0 - tpr
    diff = fpr - fnr  # non-decreasing along the curve, from -1 to 1
    i = int(np.searchsorted(diff, 0.0, side="left"))
    if i < len(diff) and diff[i] == 0.0:
        eer, nearest = fpr[i], i
    else:
        lo, hi = i - 1, i
        t = diff[lo] / (diff[lo] - diff[hi])
        eer = fpr[lo] + t * (fpr[hi] - fpr[lo])
        nearest = lo if abs(diff[lo]) <= abs(diff[hi]) else hi
    eer = float(eer)
    if not return_threshold:
        return eer
    threshold = thresholds[nearest]
    if not np.isfinite(threshold):  # the "accept nobody" point
        threshold = np.nextafter(y_score.max(), np.inf)
    return eer, float(threshold)


def verification_report(y_true, y_score):
    """ROC AUC, precision-recall AUC, equal error rate and accuracy at the EER threshold.

    Parameters
    ----------
    y_true : array-like of shape (n_pairs,)
        1 for genuine pairs, 0 for impostor pairs.
    y_score : array-like of shape (n_pairs,)
        Higher means more likely the same subject.

    Returns
    -------
    report : dict
        ``roc_auc``, ``pr_auc`` (area under the precision-recall curve of
        the genuine pairs, as average precision: the step-wise sum
        ``Σ (R_n − R_{n−1}) P_n``, which Marín-Jiménez et al. (2017) report
        for verification), ``eer``, ``eer_threshold`` and
        ``accuracy_at_eer`` (accuracy of the decisions
        ``y_score >= eer_threshold``), plus ``n_genuine`` and
        ``n_impostor``. Unlike the ROC AUC, the PR AUC depends on the share
        of genuine pairs: a random score gets about that share.

    Examples
    --------
    >>> from skgait.metrics import verification_report
    >>> report = verification_report([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> report["roc_auc"], report["eer"], report["accuracy_at_eer"]
    (0.75, 0.5, 0.5)
    >>> round(report["pr_auc"], 4)
    0.8333
    """
    y_true, y_score = _check_scores(y_true, y_score, "verification_report")
    eer, threshold = equal_error_rate(y_true, y_score, return_threshold=True)
    return {
        "roc_auc": float(roc_auc_score(y_true, y_score)),
        "pr_auc": float(average_precision_score(y_true, y_score)),
        "eer": eer,
        "eer_threshold": threshold,
        "accuracy_at_eer": float(np.mean((y_score >= threshold) == (y_true == 1))),
        "n_genuine": int(np.sum(y_true == 1)),
        "n_impostor": int(np.sum(y_true == 0)),
    }
