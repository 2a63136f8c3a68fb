"""Re-mounting: random_remount, the mounting control GravityDirection and WalkingFrame."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from skgait.datasets import random_remount
from skgait.features import GravityDirection, WalkingFrame


def _walks(n_windows=6, n_timepoints=128, seed=0):
    """Acceleration (gravity on z, fore-aft every step, sway every stride) and a rotation rate."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_timepoints)[None] / 50
    phase = rng.uniform(0, 6, (n_windows, 1))
    acc = np.stack(
        [
            np.sin(4 * np.pi * t + phase + 0.3),
            0.5 * np.sin(2 * np.pi * t + phase / 2),
            9.81 + np.sin(4 * np.pi * t + phase),
        ],
        axis=1,
    )
    acc = acc + 0.05 * rng.standard_normal(acc.shape)
    gyro = rng.standard_normal((n_windows, 3, n_timepoints))
    return np.concatenate([acc, gyro], axis=1)


def _recordings():
    return np.array(["a", "a", "b", "b", "c", "c"])


def test_remount_turns_acceleration_and_rotation_rate_by_one_rotation_per_recording():
    X = _walks()
    X_r, rotations = random_remount(X, _recordings(), random_state=0)
    for n, recording in enumerate(_recordings()):
        R = rotations[recording]
        np.testing.assert_allclose(X_r[n, :3], R @ X[n, :3], atol=1e-12)
        np.testing.assert_allclose(X_r[n, 3:], R @ X[n, 3:], atol=1e-12)


def test_remount_preserves_norms_and_the_angle_between_sensors():
    X = _walks()
    X_r, _ = random_remount(X, _recordings(), random_state=1)
    for k in (0, 3):
        np.testing.assert_allclose(
            np.linalg.norm(X_r[:, k : k + 3], axis=1), np.linalg.norm(X[:, k : k + 3], axis=1)
        )
    np.testing.assert_allclose((X_r[:, :3] * X_r[:, 3:]).sum(1), (X[:, :3] * X[:, 3:]).sum(1))


def test_remount_rotations_are_proper_within_the_angle_range_and_differ_by_recording():
    recordings = np.arange(200)
    _, rotations = random_remount(np.ones((200, 3, 2)), recordings, angle=(15, 45), random_state=0)
    matrices = np.stack(list(rotations.values()))
    np.testing.assert_allclose(np.linalg.det(matrices), 1.0)
    np.testing.assert_allclose(
        matrices @ matrices.transpose(0, 2, 1), np.eye(3)[None].repeat(200, 0), atol=1e-12
    )
    degrees = np.degrees(Rotation.from_matrix(matrices).magnitude())
    assert degrees.min() >= 15 - 1e-9 and degrees.max() <= 45 + 1e-9
    assert degrees.max() - degrees.min() > 20  # spread over the range, not one angle
    assert len({tuple(np.round(m, 6).ravel()) for m in matrices}) == 200


def test_remount_is_reproducible_and_keeps_dtype():
    X = _walks().astype(np.float32)
    a, _ = random_remount(X, _recordings(), random_state=4)
    b, _ = random_remount(X, _recordings(), random_state=4)
    c, _ = random_remount(X, _recordings(), random_state=5)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"angle": (50, 20)}, "low <= high"),
        ({"angle": (0, 200)}, "low <= high"),
        ({"angle": "wide"}, r"\(low, high\)"),
        ({"recordings": ["a", "b"]}, "one id per window"),
    ],
)
def test_remount_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        random_remount(_walks(), **kwargs)


def test_remount_needs_three_axis_sensors():
    with pytest.raises(ValueError, match="multiple of 3"):
        random_remount(np.ones((2, 4, 10)))


def test_gravity_direction_is_the_unit_mean_acceleration_and_follows_the_mount():
    X = _walks()
    G = GravityDirection().fit_transform(X)
    np.testing.assert_allclose(np.linalg.norm(G, axis=1), 1.0)
    mean = X[:, :3].mean(axis=2)
    np.testing.assert_allclose(G, mean / np.linalg.norm(mean, axis=1, keepdims=True))
    X_r, rotations = random_remount(X, _recordings(), random_state=0)
    np.testing.assert_allclose(
        GravityDirection().fit_transform(X_r)[0], rotations["a"] @ G[0], atol=1e-12
    )


def test_gravity_direction_rejects_fewer_than_three_channels():
    with pytest.raises(ValueError, match="3 acceleration channels"):
        GravityDirection().fit(np.ones((2, 2, 10)))


def test_walking_frame_output_does_not_change_with_any_rotation():
    X = _walks()
    frame = WalkingFrame().fit(X)
    reference = frame.transform(X)
    for rotation in Rotation.random(5, random_state=0):
        R = rotation.as_matrix()
        turned = np.concatenate([R @ X[:, :3], R @ X[:, 3:]], axis=1)
        np.testing.assert_allclose(frame.transform(turned), reference, atol=1e-8)


def test_walking_frame_finds_vertical_fore_aft_and_side():
    X = _walks()
    Xt = WalkingFrame().fit_transform(X)
    np.testing.assert_allclose(Xt[:, 0].mean(axis=1), np.linalg.norm(X[:, :3].mean(axis=2), axis=1))
    # the step-rate (fore-aft) signal lands on axis 1, the stride-rate sway on axis 2
    foreaft = np.abs(np.corrcoef(Xt[0, 1], X[0, 0])[0, 1])
    side = np.abs(np.corrcoef(Xt[0, 2], X[0, 1])[0, 1])
    assert foreaft > 0.95 and side > 0.9


def test_walking_frame_checks_windows_and_step_range():
    with pytest.raises(ValueError, match="too short"):
        WalkingFrame().fit(np.ones((2, 3, 30)))
    with pytest.raises(ValueError, match="shortest <= longest"):
        WalkingFrame(step_range=(20, 10)).fit(_walks())
    with pytest.raises(ValueError, match="multiple of 3"):
        WalkingFrame().fit(np.ones((2, 4, 128)))
