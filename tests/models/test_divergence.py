"""A diverged training is an error, never a network that predicts one class.

Every skorch estimator of skgait checks the loss at the end of each epoch
(:class:`skgait.models.FiniteLossCheck`) and raises
:class:`skgait.exceptions.TrainingDivergedError`; prediction refuses NaN outputs.
"""

import numpy as np
import pandas as pd
import pytest
import torch

from skgait.exceptions import TrainingDivergedError
from skgait.models import (
    FiniteLossCheck,
    GaitCNNClassifier,
    GaitCNNLSTMClassifier,
    GaitCNNRegressor,
    GaitMultiTaskNet,
    GaitSegmenter,
)

torch.set_num_threads(1)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(24, 3, 32)).astype(np.float32)
LABELS = np.arange(24) % 2

# estimator class, extra parameters, target
ESTIMATORS = {
    "GaitCNNClassifier": (GaitCNNClassifier, {}, LABELS),
    "GaitCNNRegressor": (GaitCNNRegressor, {}, 20.0 + LABELS * 5.0),
    "GaitCNNLSTMClassifier": (GaitCNNLSTMClassifier, {}, LABELS),
    "GaitSegmenter": (GaitSegmenter, {}, np.repeat(LABELS[:, None], 32, axis=1)),
    "GaitMultiTaskNet": (
        GaitMultiTaskNet,
        {},
        pd.DataFrame({"sex": np.where(LABELS, "F", "M"), "age": 20.0 + LABELS * 5.0}),
    ),
}


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_infinite_learning_rate_raises_training_diverged(name):
    cls, params, y = ESTIMATORS[name]
    est = cls(lr=float("inf"), max_epochs=3, batch_size=8, random_state=0, **params)
    with pytest.raises(
        TrainingDivergedError, match=r"diverged at epoch 1: train_loss is nan"
    ) as info:
        est.fit(X, y)
    assert isinstance(info.value, FloatingPointError)
    assert (info.value.epoch, info.value.key) == (1, "train_loss")
    # stopped at the first bad epoch, not after max_epochs
    assert len(est.history) == 1


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_an_exploding_but_finite_loss_raises_training_diverged(name):
    # lr = 1e8 gives losses near 1e36 (1e16 for the segmenter): finite, so a
    # NaN check alone lets the fit finish and predict one class everywhere.
    cls, params, y = ESTIMATORS[name]
    est = cls(lr=1e8, max_epochs=3, batch_size=8, random_state=0, **params)
    with pytest.raises(
        TrainingDivergedError, match=r"diverged at epoch 1: train_loss is .*above max_loss=1e\+06"
    ):
        est.fit(X, y)
    assert np.isfinite(est.history[-1, "train_loss"])
    assert len(est.history) == 1


class _ScriptedLoss(FiniteLossCheck):
    """Replaces the epoch's train_loss by the next value of ``losses``."""

    def __init__(self, losses, **kwargs):
        super().__init__(**kwargs)
        self.losses = losses

    def on_epoch_end(self, net, **kwargs):
        net.history.record("train_loss", self.losses[len(net.history) - 1])
        super().on_epoch_end(net, **kwargs)


def test_a_loss_far_above_its_first_epoch_raises_training_diverged():
    check = _ScriptedLoss([2.0, 30.0, 2500.0], max_loss=None)
    est = GaitCNNClassifier(max_epochs=3, callbacks=[check], random_state=0)
    with pytest.raises(
        TrainingDivergedError,
        match=r"epoch 3: .*more than max_growth=1000 times the first epoch's 2",
    ):
        est.fit(X, LABELS)


def test_a_loss_rising_from_near_zero_is_no_divergence():
    # an ordinary first epochs' rise (here from a near-perfect start, as in
    # fine-tuning) stays far below max(first, 1) * max_growth
    check = _ScriptedLoss([1e-4, 0.5, 3.0, 0.2])
    est = GaitCNNClassifier(max_epochs=4, callbacks=[check], random_state=0).fit(X, LABELS)
    assert list(est.history[:, "train_loss"]) == [1e-4, 0.5, 3.0, 0.2]


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_finite_loss_check_is_a_default_callback(name):
    cls, params, y = ESTIMATORS[name]
    est = cls(max_epochs=1, random_state=0, **params).fit(X, y)
    assert isinstance(dict(est.callbacks_)["finite_loss"], FiniteLossCheck)
    assert np.isfinite(est.history[-1, "train_loss"])


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_nan_weights_never_predict_a_class(name):
    cls, params, y = ESTIMATORS[name]
    est = cls(max_epochs=1, random_state=0, **params).fit(X, y)
    with torch.no_grad():
        for p in est.module_.parameters():
            p.fill_(float("nan"))
    with pytest.raises(FloatingPointError, match="output NaN or infinite values for 24 of the 24"):
        est.predict(X)


def test_nan_transfer_weights_are_rejected_before_training():
    source = GaitCNNClassifier(max_epochs=1, random_state=0).fit(X, LABELS)
    weights = source.feature_weights()
    weights["features.0.weight"][0, 0, 0] = float("nan")
    est = GaitCNNClassifier(warm_start_from=weights, random_state=0)
    with pytest.raises(ValueError, match=r"'features.0.weight' holds 1 NaN or infinite value"):
        est.fit(X, LABELS)


def test_nan_in_the_validation_loss_is_caught():
    class NanValid(FiniteLossCheck):
        def on_epoch_end(self, net, **kwargs):
            net.history.record("valid_loss", float("inf"))
            super().on_epoch_end(net, **kwargs)

    est = GaitCNNClassifier(max_epochs=2, callbacks=[NanValid()], random_state=0)
    with pytest.raises(TrainingDivergedError, match="valid_loss is inf"):
        est.fit(X, LABELS)
