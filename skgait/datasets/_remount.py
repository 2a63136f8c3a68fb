"""Simulated re-mounting: one random rotation of the sensor per recording."""

import numpy as np
from sklearn.utils import check_random_state

from ..utils._validation import check_windows

__all__ = ["random_remount"]


def _rotation_matrix(axis, angle):
    """Rotation by ``angle`` radians about the unit vector ``axis`` (Rodrigues)."""
    K = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return np.eye(3) + np.sin(angle) * K + (1.0 - np.cos(angle)) * (K @ K)


def random_remount(X, recordings=None, *, angle=(15.0, 45.0), random_state=None):
    """Turn the sensor of every recording by its own random rotation.

    A device taken off and put back on the body sits at another angle: every
    3-axis sensor of it (acceleration, rotation rate) is seen through one
    rotation for the whole recording. This draws, for each recording, an
    axis uniformly on the sphere and an angle uniformly in ``angle``, and
    applies that one rotation to every window of the recording and to each
    of its sensors (channels ``0-2``, ``3-5``, ...). Norms, and the angle
    between acceleration and rotation rate, are unchanged.

    Use it on probe windows to test whether an identity model recognises
    the gait or the mounting, or on training windows (with fresh seeds, and
    concatenated with the originals) as re-mount augmentation.

    Parameters
    ----------
    X : array-like of shape (n_windows, 3 * k, n_timepoints)
        Windows whose channels are 3-axis sensors of one device, in
        skgait's order (acceleration x, y, z, then rotation rate x, y, z).
    recordings : array-like of shape (n_windows,), optional
        Recording of each window (for example ``meta["subject"] + "/" +
        meta["recording"]``): windows of one recording share a rotation.
        None gives every window its own.
    angle : (float, float), default=(15.0, 45.0)
        Lowest and highest rotation angle in degrees, ``0 <= low <= high <=
        180``.
    random_state : int, RandomState instance or None, default=None
        Seed of the axes and angles, drawn in the sorted order of the
        recording ids.

    Returns
    -------
    X_rotated : ndarray of shape (n_windows, 3 * k, n_timepoints)
        A rotated copy, in the dtype of ``X`` (float32 or float64).
    rotations : dict
        Recording id (window index when ``recordings`` is None) → its 3 x 3
        rotation matrix ``R`` (a sensor's sample ``v`` becomes ``R @ v``).

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.datasets import random_remount
    >>> X = np.zeros((3, 6, 4))
    >>> X[:, 2] = 9.81                         # gravity along z
    >>> X_r, rotations = random_remount(X, ["a", "a", "b"], random_state=0)
    >>> sorted(rotations)
    ['a', 'b']
    >>> bool(np.allclose(np.linalg.norm(X_r[:, :3], axis=1), 9.81))
    True
    >>> tilt = np.degrees(np.arccos(X_r[:, 2, 0] / 9.81))
    >>> bool(tilt[0] == tilt[1]), bool(np.all(tilt <= 45))
    (True, True)
    """
    X = check_windows(X, estimator="random_remount")
    if X.shape[1] % 3:
        raise ValueError(
            "random_remount expects 3-axis sensors (acceleration x, y, z, then rotation "
            f"rate x, y, z); got {X.shape[1]} channels, not a multiple of 3."
        )
    if recordings is None:
        recordings = np.arange(len(X))
    recordings = np.asarray(recordings)
    if recordings.shape != (len(X),):
        raise ValueError(
            f"random_remount: recordings must hold one id per window ({len(X)}); got "
            f"shape {recordings.shape}."
        )
    low, high = _check_angle(angle)
    rng = check_random_state(random_state)
    keys, inverse = np.unique(recordings, return_inverse=True)
    matrices = np.empty((len(keys), 3, 3))
    for k in range(len(keys)):
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        matrices[k] = _rotation_matrix(axis, np.radians(rng.uniform(low, high)))
    out = np.empty_like(X)
    for c in range(0, X.shape[1], 3):
        out[:, c : c + 3] = np.einsum("nij,njt->nit", matrices[inverse], X[:, c : c + 3])
    return out, {key.item() if hasattr(key, "item") else key: R for key, R in zip(keys, matrices)}


def _check_angle(angle):
    try:
        low, high = (float(a) for a in angle)
    except (TypeError, ValueError):
        raise ValueError(
            f"random_remount: angle must be (low, high) in degrees; got {angle!r}."
        ) from None
    if not 0.0 <= low <= high <= 180.0:
        raise ValueError(
            f"random_remount: angle must satisfy 0 <= low <= high <= 180 degrees; got {angle!r}."
        )
    return low, high
