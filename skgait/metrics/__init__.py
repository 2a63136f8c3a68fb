"""Metrics for gait biometrics.

- Verification (authentication): :func:`equal_error_rate` and
  :func:`verification_report` (ROC and precision-recall AUC, equal error
  rate, accuracy at the equal-error threshold) of same/different-person
  scores.
- Multi-label (gender + age group): :func:`multilabel_report` (per-sample
  accuracy, precision, recall, F1; mAcc; subset accuracy; Hamming loss;
  per-label F1).
- Uncertainty over people: :func:`subject_interval` (bootstrap confidence
  interval of a score, resampling subjects) and :func:`subject_predictions`
  (one prediction per subject: majority vote or mean).
"""

from ._intervals import subject_interval, subject_predictions
from ._multilabel import multilabel_report
from ._verification import equal_error_rate, verification_report

__all__ = [
    "equal_error_rate",
    "multilabel_report",
    "subject_interval",
    "subject_predictions",
    "verification_report",
]
