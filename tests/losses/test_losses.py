"""Losses against their formulas on hand-computed cases, and gradchecks."""

import math

import numpy as np
import pytest
import torch
from torch.autograd import gradcheck

from skgait.losses import (
    BinaryFocalLoss,
    CategoricalCrossEntropyLoss,
    CategoricalFocalLoss,
    ContrastiveLoss,
    MultiTaskLoss,
    TukeyBiweightLoss,
    WeightedBCELoss,
    binary_class_weight,
    categorical_class_weight,
    contrastive_pair_loss,
    multilabel_class_weight,
    tukey_biweight,
)

LOG9 = math.log(9.0)  # logit of ŷ = 0.9


def test_bce_is_eq1():
    # ŷ = 0.9, y = 1 → -log 0.9 = 0.1053605; ŷ = 0.9, y = 0 → -log 0.1 = 2.3025851
    loss = WeightedBCELoss(reduction="none")
    out = loss(torch.tensor([LOG9, LOG9]), torch.tensor([1.0, 0.0]))
    np.testing.assert_allclose(out, [0.1053605, 2.3025851], rtol=1e-6)


def test_weighted_bce_is_eq3_with_eq5_weights():
    # p_f = 0.2 → w0 = 1/0.8 = 1.25, w1 = 1/0.2 = 5
    w = binary_class_weight([1, 0, 0, 0, 0])
    np.testing.assert_allclose(w, [1.25, 5.0])
    loss = WeightedBCELoss(class_weight=w, reduction="none")
    out = loss(torch.tensor([LOG9, LOG9]), torch.tensor([1.0, 0.0]))
    # 5 · 0.1053605 = 0.5268026; 1.25 · 2.3025851 = 2.8782314
    np.testing.assert_allclose(out, [0.5268026, 2.8782314], rtol=1e-6)
    mean = WeightedBCELoss(class_weight=w)(torch.tensor([LOG9, LOG9]), torch.tensor([1.0, 0.0]))
    assert mean.item() == pytest.approx((0.5268026 + 2.8782314) / 2, rel=1e-6)


def test_binary_focal_is_eq2_and_eq4():
    # y = 1, ŷ = 0.9: (0.1)² · 0.1053605 = 0.0010536 (100× lower than BCE)
    # y = 0, ŷ = 0.9: (0.9)² · 2.3025851 = 1.8650939
    x, y = torch.tensor([LOG9, LOG9]), torch.tensor([1.0, 0.0])
    np.testing.assert_allclose(
        BinaryFocalLoss(reduction="none")(x, y), [0.00105360, 1.8650939], rtol=1e-5
    )
    # weighted (eq. 4) with w = [1.25, 5]: 0.0052680, 2.3313674
    np.testing.assert_allclose(
        BinaryFocalLoss(class_weight=[1.25, 5.0], reduction="none")(x, y),
        [0.0052680, 2.3313674],
        rtol=1e-5,
    )


def test_focal_with_gamma_zero_is_bce():
    x = torch.tensor([-2.0, 0.3, 4.0])
    y = torch.tensor([1.0, 0.0, 1.0])
    assert BinaryFocalLoss(gamma=0)(x, y).item() == pytest.approx(WeightedBCELoss()(x, y).item())


def test_categorical_ce_and_focal_are_eq9_to_12():
    # logits log([0.7, 0.2, 0.1]) → ŷ = [0.7, 0.2, 0.1]; true class 1
    x = torch.log(torch.tensor([[0.7, 0.2, 0.1]]))
    y = torch.tensor([1])
    # eq. 9: -log 0.2 = 1.6094379
    assert CategoricalCrossEntropyLoss()(x, y).item() == pytest.approx(1.6094379, rel=1e-6)
    # eq. 10: (1 - 0.2)² · 1.6094379 = 1.0300403
    assert CategoricalFocalLoss()(x, y).item() == pytest.approx(1.0300403, rel=1e-6)
    # eq. 11 weights from counts [4, 2, 1] → n_max / n_i = [1, 2, 4]
    w = categorical_class_weight([0, 0, 0, 0, 1, 1, 2])
    np.testing.assert_allclose(w, [1.0, 2.0, 4.0])
    # eq. 11: 2 · 1.6094379 = 3.2188758; eq. 12: 2 · 1.0300403 = 2.0600806
    assert CategoricalCrossEntropyLoss(class_weight=w)(x, y).item() == pytest.approx(
        3.2188758, rel=1e-6
    )
    assert CategoricalFocalLoss(class_weight=w)(x, y).item() == pytest.approx(2.0600806, rel=1e-6)
    # one-hot targets give the same value
    one_hot = torch.tensor([[0.0, 1.0, 0.0]])
    assert CategoricalFocalLoss(class_weight=w)(x, one_hot).item() == pytest.approx(
        2.0600806, rel=1e-6
    )


def test_two_class_softmax_focal_equals_binary_focal():
    x = torch.tensor([[0.0, 1.3], [0.0, -0.4]])
    y = torch.tensor([1, 0])
    cat = CategoricalFocalLoss(class_weight=[1.25, 5.0])(x, y)
    binary = BinaryFocalLoss(class_weight=[1.25, 5.0])(x[:, 1], y.float())
    assert cat.item() == pytest.approx(binary.item(), rel=1e-6)


def test_multilabel_weights_are_eq17_and_loss_sums_labels():
    Y = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]])
    w = multilabel_class_weight(Y)  # p = [0.25, 0.75, 0.25]
    np.testing.assert_allclose(w[0], np.exp([0.25, 0.75, 0.25]))
    np.testing.assert_allclose(w[1], np.exp([0.75, 0.25, 0.75]))
    # one sample, all logits 0 (ŷ = 0.5): Σ_i w_i · log 2
    x = torch.zeros(1, 3)
    y = torch.tensor([[1.0, 1.0, 0.0]])
    expected = (math.exp(0.75) + math.exp(0.25) + math.exp(0.25)) * math.log(2)  # 5.2244432
    assert WeightedBCELoss(class_weight=w)(x, y).item() == pytest.approx(expected, rel=1e-6)
    # focal form (eq. 16): every term × 0.5²
    assert BinaryFocalLoss(class_weight=w)(x, y).item() == pytest.approx(expected / 4, rel=1e-6)


def test_tukey_biweight_formula():
    c = 4.6851
    # ρ(1) = c²/6 · (1 − (1 − 1/c²)³) = 0.4775670; ρ(c) = ρ(10) = c²/6 = 3.6583600
    rho = tukey_biweight(torch.tensor([1.0, c, 10.0], dtype=torch.float64))
    np.testing.assert_allclose(rho, [0.4775670, 3.6583600, 3.6583600], rtol=1e-6)


def test_tukey_loss_scales_by_mad():
    # residuals r = y − ŷ = [0, 1, 2, 4, 100]: median 2, |r − 2| = [2, 1, 0, 2, 98],
    # MAD = 2, scale = 1.4826 · 2 = 2.9652; r/scale = [0, 0.33725, 0.6745, 1.349, 33.7]
    y_pred = torch.zeros(5, dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 2.0, 4.0, 100.0], dtype=torch.float64)
    loss = TukeyBiweightLoss(reduction="none")
    assert loss.residual_scale(y - y_pred).item() == pytest.approx(2.9652)
    expected = tukey_biweight(y / 2.9652)
    np.testing.assert_allclose(loss(y_pred, y), expected)
    # the outlier's loss saturates at c²/6 and gets no gradient
    y_pred.requires_grad_(True)
    TukeyBiweightLoss()(y_pred, y).backward()
    assert y_pred.grad[4].item() == 0.0
    assert y_pred.grad[3].item() < 0  # pulled towards its target


def test_contrastive_pair_formula():
    f_i = torch.tensor([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    f_j = torch.tensor([[0.6, 0.8], [0.6, 0.8], [3.0, 0.0]])
    y = torch.tensor([1, -1, -1])
    # same: ½·1² = 0.5; different, d = 1 < m = 2: ½·(2−1)² = 0.5; d = 3 > m: 0
    np.testing.assert_allclose(contrastive_pair_loss(f_i, f_j, y, margin=2.0), [0.5, 0.5, 0.0])


def test_contrastive_loss_over_batch_pairs():
    f = torch.tensor([[0.0, 0.0], [0.6, 0.8], [0.0, 0.5]])
    # pairs (0,1) same: 0.5; (0,2) diff d=0.5: ½·1.5² = 1.125; (1,2) diff d=√0.45: 0.8834
    out = ContrastiveLoss(margin=2.0)(f, torch.tensor([7, 7, 3]))
    assert out.item() == pytest.approx(
        (0.5 + 1.125 + 0.5 * (2 - math.sqrt(0.45)) ** 2) / 3, rel=1e-6
    )


def test_multitask_loss_weights_and_missing_labels():
    loss = MultiTaskLoss(
        {"id": CategoricalCrossEntropyLoss(), "age": TukeyBiweightLoss(scale=1.0)},
        task_outputs={"id": 3, "age": 1},
        main_task="id",
        task_weights={"age": 0.5},
    )
    y_pred = torch.zeros(2, 4)
    y = torch.tensor([[0.0, 1.0], [2.0, float("nan")]])
    # log 3 + 0.5 · ρ(1) (only the first window has an age)
    assert loss(y_pred, y).item() == pytest.approx(math.log(3) + 0.5 * 0.4775670, rel=1e-6)
    loss.stopped.add("age")
    assert loss(y_pred, y).item() == pytest.approx(math.log(3), rel=1e-6)
    assert loss.last_losses["age"] == pytest.approx(0.4775670, rel=1e-6)


@pytest.mark.parametrize(
    "loss, target",
    [
        (WeightedBCELoss(class_weight=[1.25, 5.0]), torch.tensor([1.0, 0.0, 1.0])),
        (BinaryFocalLoss(class_weight=[1.25, 5.0]), torch.tensor([1.0, 0.0, 1.0])),
        (
            BinaryFocalLoss(class_weight=multilabel_class_weight([[1, 0], [0, 1]])),
            torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        ),
        (CategoricalCrossEntropyLoss(class_weight=[1.0, 2.0, 4.0]), torch.tensor([0, 2, 1])),
        (CategoricalFocalLoss(class_weight=[1.0, 2.0, 4.0]), torch.tensor([0, 2, 1])),
    ],
    ids=["wbce", "wbfl", "multilabel-wbfl", "wcce", "wcfl"],
)
def test_gradcheck_classification_losses(loss, target):
    torch.manual_seed(0)
    shape = (3, 3) if target.dtype == torch.int64 else tuple(target.shape)
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    loss = loss.double()
    assert gradcheck(
        lambda z: loss(z, target.double() if target.is_floating_point() else target), (x,)
    )


def test_gradcheck_tukey_and_contrastive():
    torch.manual_seed(0)
    y = torch.randn(6, dtype=torch.float64) * 3
    x = torch.randn(6, dtype=torch.float64, requires_grad=True)
    tukey = TukeyBiweightLoss(scale=2.0)
    assert gradcheck(lambda z: tukey(z, y), (x,))
    f = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor([0, 0, 1, 1, 2])
    assert gradcheck(lambda z: ContrastiveLoss(margin=3.0)(z, labels), (f,))


def test_invalid_parameters_raise():
    with pytest.raises(ValueError, match="gamma"):
        BinaryFocalLoss(gamma=-1)
    with pytest.raises(ValueError, match="both labels"):
        binary_class_weight([1, 1, 1])
    with pytest.raises(ValueError, match="margin"):
        ContrastiveLoss(margin=0)
