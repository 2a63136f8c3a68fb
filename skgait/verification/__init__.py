"""Authentication (verification): is this walker who they claim to be?

- Pairs without subject leakage: :func:`make_pairs` (balanced
  same / different subject, seeded), :func:`pair_train_test_split`
  (subjects split first);
- the two alignments of a pair: :func:`align_pairs` (side by side along
  time, or stacked along channels);
- :class:`Verifier`: trains a pair classifier (by default
  :class:`~skgait.models.GaitCNNLSTMClassifier`), then
  ``enroll(subject_id, windows)`` and ``verify(subject_id, windows)``;
- :class:`SiameseVerifier`: a Siamese embedding network trained with the
  contrastive loss on pairs, then ``enroll(X, subject_ids)`` and
  ``verify(X, claimed_ids)`` / ``decision_function`` for unseen people.

- :func:`evaluate_authentication`: people split into training, validation
  and test people in every fold; the decision threshold is chosen on the
  validation people; FAR, FRR and the equal error rate of the test people's
  claims pooled over folds.

Metrics (ROC AUC, equal error rate, accuracy at the EER threshold) are in
:mod:`skgait.metrics`.
"""

from ._evaluation import evaluate_authentication
from ._pairs import ALIGNMENTS, align_pairs, make_pairs, pair_train_test_split
from ._siamese import SiameseVerifier
from ._verifier import Verification, Verifier

__all__ = [
    "ALIGNMENTS",
    "SiameseVerifier",
    "Verification",
    "Verifier",
    "align_pairs",
    "evaluate_authentication",
    "make_pairs",
    "pair_train_test_split",
]
