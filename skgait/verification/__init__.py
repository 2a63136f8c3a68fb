"""Authentication (verification): is this walker who they claim to be?

- Pairs without subject leakage: :func:`make_pairs` (balanced
  same / different subject, seeded), :func:`pair_train_test_split`
  (subjects split first);
- the two alignments of a pair: :func:`align_pairs` (side by side along
  time, or stacked along channels);
- :class:`Verifier`: trains a pair classifier (by default
  :class:`~skgait.models.GaitCNNLSTMClassifier`), then
  ``enroll(subject_id, windows)`` and ``verify(subject_id, windows)``.

Metrics (ROC AUC, equal error rate, accuracy at the EER threshold) are in
:mod:`skgait.metrics`.
"""

from ._pairs import ALIGNMENTS, align_pairs, make_pairs, pair_train_test_split
from ._verifier import Verification, Verifier

__all__ = [
    "ALIGNMENTS",
    "Verification",
    "Verifier",
    "align_pairs",
    "make_pairs",
    "pair_train_test_split",
]
