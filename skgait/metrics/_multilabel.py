"""Per-sample and per-label metrics of a multi-label target (gender + age group)."""

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    hamming_loss,
    jaccard_score,
    precision_recall_fscore_support,
)
from sklearn.utils.validation import check_consistent_length

__all__ = ["multilabel_report"]


def _check_indicator(Y, name):
    labels = list(Y.columns) if isinstance(Y, pd.DataFrame) else None
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(
            f"multilabel_report: {name} must be a 2-D 0/1 array (n_samples, n_labels); "
            f"got shape {Y.shape}."
        )
    if not np.all(np.isin(Y, [0, 1])):
        raise ValueError(
            f"multilabel_report: {name} must hold only 0 and 1 (a label-indicator "
            "matrix such as make_gender_age_target's); threshold probabilities first."
        )
    return Y.astype(int), labels


def multilabel_report(Y_true, Y_pred):
    """Per-sample, per-label and exact-match metrics of a multi-label prediction.

    For the gender + age-group target of
    :func:`~skgait.targets.make_gender_age_target` (one column per label).
    Chatzitzisi et al. (2020) compute accuracy, precision, recall and F1
    *per sample* for this target and report mAcc, the label-based mean
    accuracy; the report adds the exact-match (subset) accuracy, the Hamming
    loss and each label's F1.

    Parameters
    ----------
    Y_true, Y_pred : array-like or DataFrame of shape (n_samples, n_labels)
        0/1 label indicators. Column names of a DataFrame ``Y_true`` name the
        labels of ``f1_per_label``.

    Returns
    -------
    report : dict
        - ``accuracy``, ``precision``, ``recall``, ``f1``: per-sample
          (example-based) scores averaged over samples: ``|T ∩ P| / |T ∪ P|``,
          ``|T ∩ P| / |P|``, ``|T ∩ P| / |T|`` and their harmonic F1, where
          ``T`` and ``P`` are a sample's true and predicted labels (0 where
          the denominator is empty);
        - ``mean_accuracy``: mAcc, the mean over labels of
          ``(TPR + TNR) / 2`` (label-based);
        - ``subset_accuracy``: fraction of samples whose labels are all right;
        - ``hamming_loss``: fraction of wrong label decisions;
        - ``f1_per_label``: dict of label → F1 of that label.

    Examples
    --------
    >>> from skgait.metrics import multilabel_report
    >>> report = multilabel_report([[1, 1, 0], [0, 0, 1]], [[1, 0, 1], [0, 0, 1]])
    >>> report["subset_accuracy"], round(report["hamming_loss"], 3)
    (0.5, 0.333)
    >>> report["accuracy"], report["precision"], report["recall"]
    (0.6666666666666666, 0.75, 0.75)
    """
    Y_true, labels = _check_indicator(Y_true, "Y_true")
    Y_pred, _ = _check_indicator(Y_pred, "Y_pred")
    check_consistent_length(Y_true, Y_pred)
    if Y_true.shape[1] != Y_pred.shape[1]:
        raise ValueError(
            f"multilabel_report: Y_true has {Y_true.shape[1]} labels but Y_pred has "
            f"{Y_pred.shape[1]}."
        )
    if labels is None:
        labels = list(range(Y_true.shape[1]))
    precision, recall, f1, _ = precision_recall_fscore_support(
        Y_true, Y_pred, average="samples", zero_division=0
    )
    positive, negative = Y_true == 1, Y_true == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr = (positive & (Y_pred == 1)).sum(0) / positive.sum(0)
        tnr = (negative & (Y_pred == 0)).sum(0) / negative.sum(0)
    per_label_f1 = f1_score(Y_true, Y_pred, average=None, zero_division=0)
    return {
        "accuracy": float(jaccard_score(Y_true, Y_pred, average="samples", zero_division=0)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "mean_accuracy": float(np.nanmean((tpr + tnr) / 2)),
        "subset_accuracy": float(accuracy_score(Y_true, Y_pred)),
        "hamming_loss": float(hamming_loss(Y_true, Y_pred)),
        "f1_per_label": {label: float(v) for label, v in zip(labels, per_label_f1)},
    }
