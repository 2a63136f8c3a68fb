"""The skorch base shared by the six networks (``skgait.models._base``).

Like braindecode's ``EEGClassifier``, every estimator derives from one base
and lists only the defaults it changes; the base extends skorch through its
public methods and callbacks only, so a skorch upgrade cannot silently
bypass an override of a private method.
"""

import inspect

import numpy as np
import pytest
import torch
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor

from skgait.models import (
    GaitCNNClassifier,
    GaitCNNLSTMClassifier,
    GaitCNNRegressor,
    GaitMultiTaskNet,
    GaitSegmenter,
)
from skgait.models._base import _GaitNeuralNet
from skgait.models.networks import BioDeepCNN
from skgait.verification import SiameseVerifier

ESTIMATORS = [
    GaitCNNClassifier,
    GaitCNNRegressor,
    GaitCNNLSTMClassifier,
    GaitSegmenter,
    GaitMultiTaskNet,
    SiameseVerifier,
]


def _skorch_private_methods():
    return {
        name
        for cls in (NeuralNet, NeuralNetClassifier, NeuralNetRegressor)
        for name in vars(cls)
        if name.startswith("_") and not name.startswith("__")
    }


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_network_derives_from_the_base(cls):
    assert issubclass(cls, _GaitNeuralNet)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_no_private_skorch_method_is_overridden(cls):
    ours = [k for k in cls.__mro__ if k.__module__.startswith("skgait.")]
    overridden = {name for k in ours for name in vars(k)} & _skorch_private_methods()
    assert not overridden
    assert all("fit_loop" not in vars(k) for k in ours if k is not _GaitNeuralNet)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_each_network_lists_only_the_defaults_it_changes(cls):
    base = inspect.signature(_GaitNeuralNet.__init__).parameters
    own = inspect.signature(cls.__init__).parameters
    for name, param in own.items():
        if name in base and name not in ("self", "module", "kwargs"):
            assert param.default is not base[name].default, name
    assert set(base) - {"self", "kwargs"} <= set(cls().get_params())


def test_callbacks_disable_runs_no_callback():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3, 8)).astype(np.float32)
    y = np.repeat(["a", "b"], 10)
    net = GaitCNNClassifier(max_epochs=2, callbacks="disable", random_state=0).fit(X, y)
    assert net.callbacks_ == []
    assert len(net.history) == 2
    assert net.predict(X).shape == (20,)


def test_training_batches_run_in_training_mode_after_a_predict_in_a_callback():
    from skorch.callbacks import Callback

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3, 8)).astype(np.float32)
    y = np.repeat(["a", "b"], 15)
    modes = []  # (gradients on, dropout on) of every forward pass

    class Recording(BioDeepCNN):
        def forward(self, x):
            modes.append((torch.is_grad_enabled(), self.head.training))
            return super().forward(x)

    class PredictAfterEachBatch(Callback):
        def on_batch_end(self, net, training=False, **kwargs):
            if training:
                net.predict(X[:2])  # switches the modules to evaluation mode

    GaitCNNClassifier(
        Recording, max_epochs=2, callbacks=[PredictAfterEachBatch()], random_state=0
    ).fit(X, y)
    training = [dropout for grad, dropout in modes if grad]
    evaluation = [dropout for grad, dropout in modes if not grad]
    assert len(training) == 6 and all(training)
    assert len(evaluation) == 6 and not any(evaluation)
