"""GravityAlignment: vertical / horizontal decomposition along the mean acceleration."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from skgait.features import GravityAlignment


def _walk(n_windows=4, n_timepoints=100, seed=0):
    """Acceleration with gravity on z plus bounce and sway, and a rotation rate."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_timepoints) / 50
    acc = np.stack(
        [
            0.5 * np.sin(2 * np.pi * t + rng.uniform(0, 6, (n_windows, 1))),
            0.2 * rng.standard_normal((n_windows, n_timepoints)),
            9.81 + np.sin(2 * np.pi * 2 * t + rng.uniform(0, 6, (n_windows, 1))),
        ],
        axis=1,
    )
    gyro = rng.standard_normal((n_windows, 3, n_timepoints))
    return np.concatenate([acc, gyro], axis=1)


def _rotate(X, rotation):
    R = rotation.as_matrix()
    return np.concatenate(
        [np.einsum("ij,njt->nit", R, X[:, k : k + 3]) for k in range(0, X.shape[1], 3)], axis=1
    )


def test_output_is_invariant_to_any_sensor_rotation():
    X = _walk()
    ref = GravityAlignment().fit_transform(X)
    for rotation in Rotation.random(5, random_state=0):
        np.testing.assert_allclose(
            GravityAlignment().fit_transform(_rotate(X, rotation)), ref, atol=1e-9
        )


def test_static_tilted_sensor_is_all_vertical():
    g = np.array([0.0, 6.0, 8.0])  # |g| = 10, tilted
    X = np.broadcast_to(g[None, :, None], (2, 3, 20)).copy()
    Xt = GravityAlignment().fit_transform(X)
    np.testing.assert_allclose(Xt[:, 0], 10.0)  # vertical
    np.testing.assert_allclose(Xt[:, 1], 0.0, atol=1e-12)  # horizontal
    np.testing.assert_allclose(Xt[:, 2], 10.0)  # norm


def test_gyro_about_vertical_axis_is_turning():
    X = _walk(n_windows=1)
    X[:, 3:] = 0.0
    X[:, 5] = 1.5  # rotation about z, the vertical here
    Xt = GravityAlignment().fit_transform(X)
    np.testing.assert_allclose(Xt[0, 3], 1.5, rtol=1e-3)
    np.testing.assert_allclose(Xt[0, 5], 1.5)


def test_window_without_gravity_has_zero_vertical():
    X = np.zeros((1, 3, 10))
    X[0, 0] = [1, -1] * 5  # zero mean
    Xt = GravityAlignment().fit_transform(X)
    np.testing.assert_array_equal(Xt[0, 0], 0.0)
    np.testing.assert_allclose(Xt[0, 1], Xt[0, 2])


def test_keeps_float32():
    X = _walk().astype(np.float32)
    assert GravityAlignment().fit_transform(X).dtype == np.float32


def test_feature_names():
    names = GravityAlignment().fit(_walk()).get_feature_names_out()
    assert names.tolist() == [
        "acc_vertical",
        "acc_horizontal",
        "acc_norm",
        "gyro_vertical",
        "gyro_horizontal",
        "gyro_norm",
    ]


def test_rejects_channels_not_in_triplets():
    with pytest.raises(ValueError, match="got 4 channels, not a multiple of 3"):
        GravityAlignment().fit(np.ones((2, 4, 10)))


def test_rejects_other_channel_count_than_fit():
    est = GravityAlignment().fit(_walk())
    with pytest.raises(ValueError, match="X has 3 channels, but the transformer was fitted on 6"):
        est.transform(_walk()[:, :3])
