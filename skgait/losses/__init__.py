"""Loss functions for gait networks: plain :class:`torch.nn.Module` losses.

Every loss is usable as a skorch ``criterion`` (``criterion=BinaryFocalLoss,
criterion__gamma=2.0``) and takes the network's raw outputs (logits for
classification), so that the estimators keep choosing the output
non-linearity.

- Imbalance (Chatzitzisi et al., 2020): :class:`WeightedBCELoss`
  (eq. 1, 3, 13, 15), :class:`BinaryFocalLoss` (eq. 2, 4, 14, 16),
  :class:`CategoricalCrossEntropyLoss` (eq. 9, 11),
  :class:`CategoricalFocalLoss` (eq. 10, 12); class weights from training
  labels with :func:`binary_class_weight` (eq. 5),
  :func:`categorical_class_weight` (eq. 11) and
  :func:`multilabel_class_weight` (eq. 17), or in ``fit`` with the
  :class:`ClassWeightFromTarget` callback.
- Robust regression (Marín-Jiménez et al., 2017):
  :class:`TukeyBiweightLoss` on MAD-scaled residuals.
- Verification (Marín-Jiménez et al., 2017): :class:`ContrastiveLoss` with margin ``m``.
- Multi-task: :class:`MultiTaskLoss`, ``L = L_main + Σ_t λ_t L_t``.
"""

from ._imbalance import (
    BinaryFocalLoss,
    CategoricalCrossEntropyLoss,
    CategoricalFocalLoss,
    ClassWeightFromTarget,
    WeightedBCELoss,
    binary_class_weight,
    categorical_class_weight,
    multilabel_class_weight,
)
from ._multitask import MultiTaskLoss
from ._robust import TukeyBiweightLoss, tukey_biweight
from ._verification import ContrastiveLoss, contrastive_pair_loss

__all__ = [
    "BinaryFocalLoss",
    "CategoricalCrossEntropyLoss",
    "CategoricalFocalLoss",
    "ClassWeightFromTarget",
    "ContrastiveLoss",
    "MultiTaskLoss",
    "TukeyBiweightLoss",
    "WeightedBCELoss",
    "binary_class_weight",
    "categorical_class_weight",
    "contrastive_pair_loss",
    "multilabel_class_weight",
    "tukey_biweight",
]
