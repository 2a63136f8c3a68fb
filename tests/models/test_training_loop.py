"""skorch's training loop as run by the skgait networks (``skgait.models._base``).

When no callback handles batch events, an epoch writes each batch's row to
the history directly and a step skips skorch's optimizer closure; with a
callback that handles them, or an optimizer that needs a closure, it is
skorch's own loop. Both must train alike and leave the same history.
"""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback, EpochScoring, GradientNormClipping

from skgait.exceptions import TrainingDivergedError
from skgait.models import GaitCNNClassifier, GaitCNNRegressor

torch.set_num_threads(1)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(25, 6, 10)).astype(np.float32)
LABELS = np.arange(25) % 2


class _BatchCounter(Callback):
    """Counts batch events; reads the batch's row as skorch's ProgressBar does."""

    def initialize(self):
        self.begin, self.end, self.losses = [], [], []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        self.begin.append(training)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        self.end.append(training)
        key = "train_loss" if training else "valid_loss"
        self.losses.append(net.history[-1, "batches", -1, key])


class _GradSeen(Callback):
    """Records whether every parameter has a gradient when on_grad_computed is called."""

    def initialize(self):
        self.calls = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.calls.append(all(p.grad is not None for _, p in named_parameters))


def _fit(**params):
    params = {"batch_size": 10, "max_epochs": 2, "random_state": 0, **params}
    return GaitCNNClassifier(**params).fit(X, LABELS)


def test_history_holds_per_batch_losses_whose_weighted_mean_is_the_epoch_loss():
    net = _fit()
    for epoch in net.history:
        batches = epoch["batches"]
        assert [b["train_batch_size"] for b in batches] == [10, 10, 5]
        assert epoch["train_batch_count"] == 3
        losses = [b["train_loss"] for b in batches]
        assert all(isinstance(loss, float) for loss in losses)
        mean = np.average(losses, weights=[10, 10, 5])
        assert epoch["train_loss"] == pytest.approx(mean, rel=1e-6)


@pytest.mark.parametrize(
    "callback", [_BatchCounter(), _GradSeen()], ids=["on_batch_end", "on_grad_computed"]
)
def test_history_and_weights_equal_skorchs_own_loop(callback):
    # A callback handling batch events (or gradients) puts the net on
    # skorch's per-batch loop (or closure step): same batches, same history.
    fast = _fit()
    slow = _fit(callbacks=[("listener", callback)])
    assert len(fast.history) == len(slow.history) == 2
    for ours, skorchs in zip(fast.history, slow.history):
        assert [list(b) for b in ours["batches"]] == [list(b) for b in skorchs["batches"]]
        for a, b in zip(ours["batches"], skorchs["batches"]):
            assert a["train_batch_size"] == b["train_batch_size"]
            assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-6)
        assert ours["train_loss"] == pytest.approx(skorchs["train_loss"], rel=1e-6)
    for p, q in zip(fast.module_.parameters(), slow.module_.parameters()):
        torch.testing.assert_close(p, q)


def test_user_callback_batch_events_are_called_once_per_batch():
    counter = _BatchCounter()
    net = _fit(callbacks=[("counter", counter)])
    assert counter.begin == counter.end == [True] * 6  # 2 epochs of 3 batches
    recorded = [b["train_loss"] for epoch in net.history for b in epoch["batches"]]
    assert counter.losses == recorded


def test_batch_events_of_the_validation_pass_are_called():
    counter = _BatchCounter()
    net = _fit(callbacks=[("counter", counter)], train_split=lambda ds, y: (ds, ds))
    # Per epoch: 3 training batches, then the 25 windows in one validation batch.
    assert counter.begin == counter.end == [True, True, True, False] * 2
    recorded = [b.get("train_loss", b.get("valid_loss")) for e in net.history for b in e["batches"]]
    assert counter.losses == recorded


def test_on_grad_computed_sees_the_gradients_of_every_step():
    seen = _GradSeen()
    _fit(callbacks=[("grads", seen)])
    assert seen.calls == [True] * 6


class _WeightsAtStart(Callback):
    def on_train_begin(self, net, **kwargs):
        self.weights = [p.detach().clone() for p in net.module_.parameters()]


def test_gradient_clipping_callback_still_clips():
    # Gradients clipped to norm 0 leave Adam's weights where they started.
    start = _WeightsAtStart()
    net = _fit(callbacks=[GradientNormClipping(gradient_clip_value=0.0), start])
    for p, q in zip(start.weights, net.module_.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_optimizer_needing_a_closure_gets_one():
    # LBFGS.step() raises without a closure.
    net = _fit(optimizer=torch.optim.LBFGS, lr=0.1, max_epochs=1)
    assert np.isfinite(net.history[-1, "train_loss"])


def test_epoch_scoring_that_caches_training_predictions_gets_them():
    scoring = EpochScoring("accuracy", on_train=True, name="train_acc", use_caching=True)
    net = _fit(callbacks=[scoring], use_caching="auto")
    assert 0.0 <= net.history[-1, "train_acc"] <= 1.0


@pytest.mark.parametrize("callbacks", [None, [_BatchCounter()]], ids=["plain", "per-batch"])
def test_a_diverging_net_still_raises(callbacks):
    with pytest.raises(TrainingDivergedError):
        _fit(lr=1e8, callbacks=callbacks)


def test_train_step_outside_fit_steps_the_optimizer():
    net = GaitCNNRegressor(batch_size=10, max_epochs=1, random_state=0).fit(X, 20.0 + LABELS)
    before = [p.detach().clone() for p in net.module_.parameters()]
    batch = next(iter(net.get_iterator(net.get_dataset(X, 20.0 + LABELS), training=True)))
    step = net.train_step(batch)
    assert torch.isfinite(step["loss"])
    assert any(not torch.equal(p, q) for p, q in zip(before, net.module_.parameters()))
