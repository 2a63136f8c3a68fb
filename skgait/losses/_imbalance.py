"""Cross-entropy and focal losses with class weights (Chatzitzisi et al., 2020, eq. 1–17).

All losses take raw network outputs (logits) and compute the logarithms
with ``logsigmoid`` / ``log_softmax``, so that they stay finite where
``log(sigmoid(x))`` would underflow. With probabilities ``ŷ = σ(x)`` (binary)
or ``ŷ = softmax(x)`` (categorical) they are exactly the paper's formulas.
"""

import numpy as np
import torch
import torch.nn.functional as F
from skorch.callbacks import Callback
from torch import nn

__all__ = [
    "BinaryFocalLoss",
    "CategoricalCrossEntropyLoss",
    "CategoricalFocalLoss",
    "ClassWeightFromTarget",
    "WeightedBCELoss",
    "binary_class_weight",
    "categorical_class_weight",
    "multilabel_class_weight",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_common(owner, gamma, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{owner}: reduction must be one of {_REDUCTIONS}; got {reduction!r}.")
    if gamma is not None and (not np.isscalar(gamma) or gamma < 0):
        raise ValueError(f"{owner}: gamma must be a number >= 0; got {gamma!r}.")


def _as_weight(value, owner):
    if value is None:
        return None
    weight = torch.as_tensor(np.asarray(value, dtype=np.float64), dtype=torch.float32)
    if not torch.all(torch.isfinite(weight)) or torch.any(weight < 0):
        raise ValueError(f"{owner}: class_weight must be finite and non-negative; got {value!r}.")
    return weight


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _binary_focal(logits, target, class_weight, gamma, reduction):
    """Per-sample (multi-label: summed over labels) weighted binary focal loss."""
    target = target.to(logits.dtype)
    if logits.shape != target.shape:
        if logits.numel() != target.numel():
            raise ValueError(
                f"binary loss: logits of shape {tuple(logits.shape)} do not match "
                f"targets of shape {tuple(target.shape)}."
            )
        logits = logits.reshape(target.shape)
    log_p = F.logsigmoid(logits)  # log ŷ
    log_q = F.logsigmoid(-logits)  # log (1 - ŷ)
    pos = target * log_p
    neg = (1 - target) * log_q
    if gamma:
        pos = pos * torch.exp(gamma * log_q)  # (1 - ŷ)^γ
        neg = neg * torch.exp(gamma * log_p)  # ŷ^γ
    if class_weight is not None:
        w = class_weight.to(logits.dtype)
        pos = pos * w[1]
        neg = neg * w[0]
    loss = -(pos + neg)
    if loss.ndim == 2:  # multi-label: sum over the M + 1 labels (eq. 13–16)
        loss = loss.sum(dim=1)
    return _reduce(loss, reduction)


def _categorical_focal(logits, target, class_weight, gamma, reduction):
    """Per-sample weighted categorical focal loss; target codes or one-hot."""
    log_p = F.log_softmax(logits, dim=1)
    if target.ndim == 1:
        target = F.one_hot(target.long(), num_classes=logits.shape[1])
    target = target.to(logits.dtype)
    terms = target * log_p
    if gamma:
        terms = terms * torch.pow(-torch.expm1(log_p), gamma)  # (1 - ŷ_i)^γ
    if class_weight is not None:
        terms = terms * class_weight.to(logits.dtype)
    return _reduce(-terms.sum(dim=1), reduction)


class WeightedBCELoss(nn.BCEWithLogitsLoss):
    r"""Binary cross-entropy with per-class weights (Chatzitzisi et al., 2020, eq. 1, 3, 13, 15).

    For a logit ``x`` with ``ŷ = σ(x)`` and a label ``y ∈ {0, 1}``::

        L = -[w₁ · y · log ŷ + w₀ · (1 − y) · log(1 − ŷ)]

    With ``class_weight=None`` this is the plain binary cross-entropy (eq. 1);
    with ``class_weight=binary_class_weight(y_train)`` it is the weighted
    form of eq. 3 with the weights of eq. 5 (``w₀ = 1 / (1 − p)``,
    ``w₁ = 1 / p``, ``p`` the proportion of positives).

    Multi-label targets of shape ``(n, K)`` (gender + age groups, §2.3) are
    summed over the ``K`` labels (eq. 13, 15) and ``class_weight`` may then
    have shape ``(2, K)``, e.g. the ``e^{p}`` weights of eq. 17 from
    :func:`multilabel_class_weight`.

    It subclasses :class:`torch.nn.BCEWithLogitsLoss` so that
    :class:`~skgait.models.GaitCNNClassifier` treats it as a one-logit
    binary loss (one output, sigmoid probabilities).

    Parameters
    ----------
    class_weight : array-like of shape (2,) or (2, K), default=None
        ``[w₀, w₁]``: weights of negative and positive labels (per label for
        multi-label targets). ``None`` weighs both by one.
    reduction : {"mean", "sum", "none"}, default="mean"
        Reduction over samples.

    See Also
    --------
    BinaryFocalLoss : The focal form (eq. 2, 4).
    binary_class_weight : Weights of eq. 5 from training labels.
    ClassWeightFromTarget : Sets the weights from ``y`` at the start of ``fit``.

    Examples
    --------
    >>> import torch
    >>> from skgait.losses import WeightedBCELoss
    >>> loss = WeightedBCELoss(class_weight=[1.25, 5.0])  # 20 % positives
    >>> round(loss(torch.tensor([0.0]), torch.tensor([1.0])).item(), 4)  # 5 · log 2
    3.4657
    """

    def __init__(self, class_weight=None, reduction="mean"):
        _check_common(type(self).__name__, None, reduction)
        super().__init__(reduction=reduction)
        self.register_buffer("class_weight", _as_weight(class_weight, type(self).__name__))

    def forward(self, logits, target):
        """Loss of ``logits`` against labels ``target`` (same shape)."""
        return _binary_focal(logits, target, self.class_weight, 0.0, self.reduction)


class BinaryFocalLoss(WeightedBCELoss):
    r"""Binary focal loss, optionally weighted (Chatzitzisi et al., 2020, eq. 2, 4, 14, 16).

    For ``ŷ = σ(x)``::

        L = -[w₁ · y · (1 − ŷ)^γ · log ŷ + w₀ · (1 − y) · ŷ^γ · log(1 − ŷ)]

    ``γ = 0`` gives :class:`WeightedBCELoss`. Multi-label targets ``(n, K)``
    are summed over labels, as there.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter γ ≥ 0 (the paper uses 2).
    class_weight : array-like of shape (2,) or (2, K), default=None
        Weights of negative and positive labels; ``None`` is the unweighted
        focal loss (eq. 2).
    reduction : {"mean", "sum", "none"}, default="mean"
        Reduction over samples.

    See Also
    --------
    WeightedBCELoss, CategoricalFocalLoss

    Examples
    --------
    >>> import math, torch
    >>> from skgait.losses import BinaryFocalLoss
    >>> x = torch.tensor([math.log(9.0)])  # ŷ = 0.9
    >>> round(BinaryFocalLoss()(x, torch.tensor([1.0])).item(), 6)  # 0.1² · -log 0.9
    0.001054
    """

    def __init__(self, gamma=2.0, class_weight=None, reduction="mean"):
        _check_common(type(self).__name__, gamma, reduction)
        super().__init__(class_weight=class_weight, reduction=reduction)
        self.gamma = float(gamma)

    def forward(self, logits, target):
        """Loss of ``logits`` against labels ``target`` (same shape)."""
        return _binary_focal(logits, target, self.class_weight, self.gamma, self.reduction)


class CategoricalCrossEntropyLoss(nn.CrossEntropyLoss):
    r"""Categorical cross-entropy with class weights (Chatzitzisi et al., 2020, eq. 9, 11).

    For logits ``x`` with ``ŷ = softmax(x)`` and a one-hot label ``y``::

        L = -Σ_i w_i · y_i · log ŷ_i

    averaged over samples. Unlike :class:`torch.nn.CrossEntropyLoss` with
    ``weight``, the mean is *not* divided by the sum of the weights, as in
    the paper. ``class_weight=categorical_class_weight(y_train)`` gives
    ``w_i = n_max / n_i`` (eq. 11).

    It subclasses :class:`torch.nn.CrossEntropyLoss` so that
    :class:`~skgait.models.GaitCNNClassifier` gives it one logit per class
    and softmax probabilities.

    Parameters
    ----------
    class_weight : array-like of shape (n_classes,), default=None
        Weight of each class (in the order of the encoded labels).
    reduction : {"mean", "sum", "none"}, default="mean"
        Reduction over samples.

    See Also
    --------
    CategoricalFocalLoss, categorical_class_weight

    Examples
    --------
    >>> import torch
    >>> from skgait.losses import CategoricalCrossEntropyLoss
    >>> loss = CategoricalCrossEntropyLoss(class_weight=[1.0, 3.0])
    >>> round(loss(torch.zeros(1, 2), torch.tensor([1])).item(), 4)  # 3 · log 2
    2.0794
    """

    def __init__(self, class_weight=None, reduction="mean"):
        _check_common(type(self).__name__, None, reduction)
        super().__init__(reduction=reduction)
        self.register_buffer("class_weight", _as_weight(class_weight, type(self).__name__))

    def forward(self, logits, target):
        """Loss of logits ``(n, n_classes)`` against codes ``(n,)`` or one-hot."""
        return _categorical_focal(logits, target, self.class_weight, 0.0, self.reduction)


class CategoricalFocalLoss(CategoricalCrossEntropyLoss):
    r"""Categorical focal loss, optionally weighted (Chatzitzisi et al., 2020, eq. 10, 12).

    ::

        L = -Σ_i w_i · y_i · (1 − ŷ_i)^γ · log ŷ_i

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter γ ≥ 0.
    class_weight : array-like of shape (n_classes,), default=None
        Weight of each class; ``None`` is eq. 10, weights give eq. 12.
    reduction : {"mean", "sum", "none"}, default="mean"
        Reduction over samples.

    See Also
    --------
    CategoricalCrossEntropyLoss, BinaryFocalLoss

    Examples
    --------
    >>> import torch
    >>> from skgait.losses import CategoricalFocalLoss
    >>> round(CategoricalFocalLoss()(torch.zeros(1, 2), torch.tensor([0])).item(), 4)
    0.1733
    """

    def __init__(self, gamma=2.0, class_weight=None, reduction="mean"):
        _check_common(type(self).__name__, gamma, reduction)
        super().__init__(class_weight=class_weight, reduction=reduction)
        self.gamma = float(gamma)

    def forward(self, logits, target):
        """Loss of logits ``(n, n_classes)`` against codes ``(n,)`` or one-hot."""
        return _categorical_focal(logits, target, self.class_weight, self.gamma, self.reduction)


# ----------------------------------------------------------------------
# class weights from training labels
# ----------------------------------------------------------------------
def binary_class_weight(y):
    """Weights ``[1 / (1 − p), 1 / p]`` of eq. 5 from binary training labels.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels in {0, 1} (or booleans); ``p`` is the proportion of ones (the
        paper's proportion of females when female is encoded 1).

    Returns
    -------
    weight : ndarray of shape (2,)
        ``[w₀, w₁]`` for :class:`WeightedBCELoss` / :class:`BinaryFocalLoss`.

    Examples
    --------
    >>> from skgait.losses import binary_class_weight
    >>> binary_class_weight([0, 0, 0, 1]).tolist()
    [1.3333333333333333, 4.0]
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    p = float(np.mean(y)) if y.size else np.nan
    if not 0.0 < p < 1.0:
        raise ValueError(
            "binary_class_weight needs both labels 0 and 1 in the training "
            f"labels; the proportion of ones is {p}."
        )
    return np.array([1.0 / (1.0 - p), 1.0 / p])


def categorical_class_weight(y, n_classes=None):
    """Weights ``w_i = n_max / n_i`` of eq. 11 from class codes.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class codes ``0 … n_classes − 1``.
    n_classes : int, optional
        Number of classes; defaults to ``max(y) + 1``. A class absent from
        ``y`` gets weight 0 (it has no example to weigh).

    Returns
    -------
    weight : ndarray of shape (n_classes,)

    Examples
    --------
    >>> from skgait.losses import categorical_class_weight
    >>> categorical_class_weight([0, 0, 0, 0, 1, 1, 2]).tolist()
    [1.0, 2.0, 4.0]
    """
    y = np.asarray(y).ravel().astype(np.int64)
    if y.size == 0:
        raise ValueError("categorical_class_weight: got no labels.")
    counts = np.bincount(y, minlength=n_classes or 0).astype(np.float64)
    with np.errstate(divide="ignore"):
        weight = np.where(counts > 0, counts.max() / counts, 0.0)
    return weight


def multilabel_class_weight(Y):
    """Weights ``e^{p_i}`` (label 0) and ``e^{1 − p_i}`` (label 1) of eq. 17.

    Parameters
    ----------
    Y : array-like of shape (n_samples, K)
        Binary indicator targets, e.g. from
        :func:`skgait.targets.make_gender_age_target`.

    Returns
    -------
    weight : ndarray of shape (2, K)
        Row 0: weights of negative labels; row 1: of positive labels.

    Examples
    --------
    >>> from skgait.losses import multilabel_class_weight
    >>> multilabel_class_weight([[1, 0], [0, 0]]).round(4).tolist()
    [[1.6487, 1.0], [1.6487, 2.7183]]
    """
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim != 2:
        raise ValueError(
            f"multilabel_class_weight expects indicators of shape (n, K); got {Y.shape}."
        )
    p = Y.mean(axis=0)
    return np.stack([np.exp(p), np.exp(1.0 - p)])


class ClassWeightFromTarget(Callback):
    """Set the loss's ``class_weight`` from the training labels at ``fit``.

    A skorch callback for networks trained with :class:`WeightedBCELoss`,
    :class:`BinaryFocalLoss`, :class:`CategoricalCrossEntropyLoss` or
    :class:`CategoricalFocalLoss`. At the start of training it encodes ``y``
    as the loss sees it and sets:

    - binary targets ``(n,)``: eq. 5, :func:`binary_class_weight`;
    - multi-label targets ``(n, K)``: eq. 17, :func:`multilabel_class_weight`;
    - categorical targets: eq. 11, :func:`categorical_class_weight`.

    The weights are computed from the ``y`` given to ``fit`` (so from the
    training folds in cross-validation; with an internal validation split
    they include the validation windows). ``criterion__class_weight=...``
    is the alternative with fixed weights.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.losses import ClassWeightFromTarget, WeightedBCELoss
    >>> from skgait.models import GaitCNNClassifier
    >>> X = np.random.default_rng(0).normal(size=(20, 3, 16)).astype("float32")
    >>> y = np.array(["F"] * 5 + ["M"] * 15)
    >>> clf = GaitCNNClassifier(criterion=WeightedBCELoss, max_epochs=1,
    ...                         callbacks=[ClassWeightFromTarget()], random_state=0)
    >>> clf.fit(X, y).criterion_.class_weight.tolist()
    [4.0, 1.3333333730697632]
    """

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if y is None:
            return
        criterion = net.criterion_
        if not hasattr(criterion, "class_weight"):
            raise TypeError(
                "ClassWeightFromTarget needs a loss with a class_weight (such as "
                f"skgait.losses.WeightedBCELoss); got {type(criterion).__name__}."
            )
        transform = getattr(net, "_transform_target", None)
        target = transform(y) if transform is not None else y
        target = np.asarray(target.cpu() if torch.is_tensor(target) else target)
        if isinstance(criterion, nn.BCEWithLogitsLoss):
            if target.ndim == 2 and target.shape[1] > 1:
                weight = multilabel_class_weight(target)
            else:
                weight = binary_class_weight(target)
        else:
            n_classes = len(getattr(net, "classes_", [])) or None
            weight = categorical_class_weight(target, n_classes=n_classes)
        criterion.class_weight = torch.as_tensor(weight, dtype=torch.float32).to(net.device)
