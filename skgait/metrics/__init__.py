"""Metrics for gait biometrics.

- Verification (authentication): :func:`equal_error_rate` and
  :func:`verification_report` (ROC AUC, equal error rate, accuracy at the
  equal-error threshold) of same/different-person scores.
"""

from ._verification import equal_error_rate, verification_report

__all__ = ["equal_error_rate", "verification_report"]
