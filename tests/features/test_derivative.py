"""TimeDerivative: the rate of change of every channel."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from skgait.features import TimeDerivative, WalkingFrame


def test_derivative_of_a_sine_is_the_cosine():
    t = np.arange(200) / 100.0
    X = np.sin(2 * np.pi * t)[None, None]
    Xt = TimeDerivative(rate=100.0).fit_transform(X)
    midpoints = (t[:-1] + t[1:]) / 2
    np.testing.assert_allclose(Xt[0, 0], 2 * np.pi * np.cos(2 * np.pi * midpoints), atol=0.01)


def test_without_rate_gives_differences_per_sample_and_keeps_dtype():
    X = np.arange(12, dtype=np.float32).reshape(1, 2, 6) ** 2
    Xt = TimeDerivative().fit_transform(X)
    assert Xt.shape == (1, 2, 5) and Xt.dtype == np.float32
    np.testing.assert_array_equal(Xt, np.diff(X, axis=2))


def test_walking_frame_derivative_does_not_depend_on_the_mounting():
    rng = np.random.default_rng(0)
    t = np.arange(128) / 50
    acc = np.stack(
        [np.sin(4 * np.pi * t + 0.3), 0.5 * np.sin(2 * np.pi * t), 9.81 + np.sin(4 * np.pi * t)]
    )
    X = np.concatenate([acc, 0.1 * acc + 0.01 * rng.standard_normal((3, 128))])[None]
    R = Rotation.from_rotvec([0.3, -0.2, 0.5]).as_matrix()
    turned = np.concatenate([R @ X[0, :3], R @ X[0, 3:]])[None]
    frame = WalkingFrame(step_range=(0.24, 0.8), rate=50.0).fit(X)
    derivative = TimeDerivative(rate=50.0).fit(X)
    np.testing.assert_allclose(
        derivative.transform(frame.transform(turned)),
        derivative.transform(frame.transform(X)),
        atol=1e-8,
    )


def test_windows_of_one_sample_are_refused():
    with pytest.raises(ValueError, match="TimeDerivative"):
        TimeDerivative().fit(np.zeros((2, 3, 1)))


def test_non_positive_rate_is_refused():
    with pytest.raises(ValueError, match="rate"):
        TimeDerivative(rate=0.0).fit(np.zeros((2, 3, 10)))
