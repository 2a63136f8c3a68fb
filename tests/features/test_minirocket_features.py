"""MiniRocketFeatures: PPV of MiniRocket's dilated kernels, per channel."""

import numpy as np
import pytest

from skgait.features import MiniRocketFeatures


def _windows(n=6, channels=2, length=64, seed=0):
    return np.random.default_rng(seed).normal(size=(n, channels, length))


def test_a_constant_offset_does_not_change_the_features():
    X = _windows()
    rocket = MiniRocketFeatures(n_dilations=3, random_state=0).fit(X)
    np.testing.assert_allclose(rocket.transform(X + 9.81), rocket.transform(X), atol=1e-6)


def test_features_are_proportions_in_the_documented_order():
    X = _windows()
    rocket = MiniRocketFeatures(n_dilations=3, n_biases=2, random_state=0).fit(X)
    Xt = rocket.transform(X)
    assert Xt.shape == (6, len(rocket.dilations_) * 84 * 2 * 2)
    assert Xt.min() >= 0.0 and Xt.max() <= 1.0


def test_random_state_makes_the_biases_repeatable():
    X = _windows()
    a = MiniRocketFeatures(random_state=3).fit(X).biases_
    b = MiniRocketFeatures(random_state=3).fit(X).biases_
    np.testing.assert_array_equal(a, b)


def test_windows_of_another_length_are_refused():
    rocket = MiniRocketFeatures(random_state=0).fit(_windows(length=64))
    with pytest.raises(
        ValueError, match=r"shape \(2, 80\), but MiniRocketFeatures was fitted on \(2, 64\)"
    ):
        rocket.transform(_windows(length=80))
