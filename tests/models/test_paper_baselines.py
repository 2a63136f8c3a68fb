"""The baselines the papers compare against: the LSTM alone, Fourier and wavelet features."""

import numpy as np
import pytest
import torch

from skgait.features import FourierFeatures, WaveletFeatures
from skgait.features._spectral import WAVELETS, dwt
from skgait.models import GaitCNNLSTMClassifier, GaitLSTMClassifier
from skgait.models.networks import LSTMNetwork


def _two_people(n=40, length=32, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6, length)).astype(np.float32)
    who = np.repeat(["ann", "bob"], n // 2)
    X[who == "bob", 0] += 1.5
    return X, who


def test_lstm_network_has_cnn_lstm_parameter_names():
    from skgait.models.networks import CNNLSTM

    lstm = dict(LSTMNetwork(6, 64, 3, n_hidden=8).lstm.named_parameters())
    joint = dict(CNNLSTM(6, 64, 3, n_hidden=8).lstm.named_parameters())
    assert {k: v.shape for k, v in lstm.items()} == {k: v.shape for k, v in joint.items()}


def test_lstm_classifier_learns_a_separable_label():
    X, who = _two_people()
    clf = GaitLSTMClassifier(max_epochs=15, lr=1e-2, module__n_hidden=8, random_state=0)
    assert clf.fit(X, who).score(X, who) >= 0.9


def test_lstm_fix_freezes_the_independently_trained_lstm():
    X, who = _two_people()
    lstm = GaitLSTMClassifier(max_epochs=2, module__n_hidden=8, random_state=0).fit(X, who)
    weights = lstm.recurrent_weights()
    fixed = GaitCNNLSTMClassifier(
        mode="lstm_fix", warm_start_from=weights, module__n_hidden=8, max_epochs=2, random_state=0
    ).fit(X, who)
    for name, value in fixed.module_.lstm.state_dict().items():
        assert torch.equal(value, weights[f"lstm.{name}"])


def test_cnn_lstm_embed_joins_both_branches():
    X, who = _two_people()
    clf = GaitCNNLSTMClassifier(max_epochs=1, module__n_hidden=16, random_state=0).fit(X, who)
    assert clf.embed(X[:3]).shape == (3, 32)


@pytest.mark.parametrize("wavelet", sorted(WAVELETS))
def test_wavelet_filters_are_orthonormal(wavelet):
    h = WAVELETS[wavelet]
    assert h.sum() == pytest.approx(np.sqrt(2))
    for shift in range(0, len(h), 2):
        expected = 1.0 if shift == 0 else 0.0
        assert np.dot(h[shift:], h[: len(h) - shift]) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("wavelet", sorted(WAVELETS))
def test_dwt_preserves_energy(wavelet):
    x = np.random.default_rng(0).normal(size=(3, 64))
    a, d = dwt(x, wavelet)
    assert np.allclose((a**2).sum(1) + (d**2).sum(1), (x**2).sum(1))


def test_dwt_haar_hand_computed():
    a, d = dwt(np.array([4.0, 2.0, 5.0, 7.0]), "haar")
    assert np.allclose(a, np.array([6.0, 12.0]) / np.sqrt(2))
    assert np.allclose(d, np.array([2.0, -2.0]) / np.sqrt(2))


def test_wavelet_features_shape_and_names():
    X = np.random.default_rng(0).normal(size=(4, 6, 100))
    wf = WaveletFeatures(level=3).fit(X)
    assert wf.transform(X).shape == (4, 6 * 13)  # 100 -> 50 -> 25 -> 13
    assert wf.get_feature_names_out()[0] == "ch0_db2_a3_0"


def test_fourier_features_are_shift_invariant_magnitudes():
    t = np.arange(64)
    x = np.sin(2 * np.pi * 4 * t / 64)
    X = np.stack([x, np.roll(x, 5)])[:, None]
    Xt = FourierFeatures(n_coefficients=6).fit_transform(X)
    assert np.allclose(Xt[0], Xt[1])
    assert Xt[0, 4] == pytest.approx(0.5)


def test_fourier_features_reject_too_short_windows():
    with pytest.raises(ValueError, match="time points|timepoints"):
        FourierFeatures(n_coefficients=20).fit(np.zeros((2, 6, 16)))
