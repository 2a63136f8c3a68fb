"""Gravity in the sensor frame: vertical / horizontal decomposition, mean direction."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import fill_doc
from ..utils._validation import WindowTransformerMixin

__all__ = ["GravityAlignment", "GravityDirection"]


class GravityAlignment(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Split acceleration (and rotation rate) into vertical and horizontal parts.

    A body-worn sensor is never mounted twice the same way, and different
    datasets name and orient their axes differently. Within a window of
    walking the mean acceleration points (up to the small mean of the body's
    own acceleration) along gravity, which gives each window its own vertical
    axis ``u = mean(acc) / |mean(acc)|``. Projected on it,

    - ``acc_vertical = acc · u`` (in m/s², includes gravity);
    - ``acc_horizontal = |acc - (acc · u) u|``, the magnitude of the part in
      the horizontal plane;
    - ``acc_norm = |acc|``;

    and the same for the gyroscope (``gyro_vertical`` is the rotation rate
    about the vertical axis, i.e. turning; ``gyro_horizontal`` the
    magnitude of pitch and roll). All these channels are invariant to any
    rotation of the sensor, which is the approach of Mizell (2003) for
    orientation-independent accelerometer features.

    The input holds 3 acceleration channels (x, y, z), optionally followed
    by further 3-axis sensors of the same device (rotation rate x, y, z, as in
    :data:`skgait.datasets.CHANNELS`); each triplet is decomposed along the
    vertical axis of the acceleration, giving 3 output channels per triplet.

    Attributes
    ----------
    n_channels_ : int
        Number of input channels (a multiple of 3).
    n_timepoints_ : int
        Length of the windows seen in :meth:`fit` (informative only).

    See Also
    --------
    skgait.features.ACFTransformer : Autocorrelation of the resulting
        channels, the features that measured best on top of them.

    Notes
    -----
    A window whose mean acceleration is zero (no gravity: a free fall, or a
    sensor that was not recording) has no vertical axis; its vertical
    channels are 0 and its horizontal channels equal the norms.

    References
    ----------
    D. Mizell. "Using gravity to estimate accelerometer orientation".
    Proceedings of the 7th IEEE International Symposium on Wearable
    Computers (ISWC), 2003, pp. 252-253.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import GravityAlignment
    >>> t = np.arange(100) / 50
    >>> up = 9.81 + np.sin(2 * np.pi * 2 * t)      # vertical bounce
    >>> side = 0.5 * np.sin(2 * np.pi * 1 * t)    # sway, half the step rate
    >>> X = np.stack([side, np.zeros_like(t), up])[None]   # z is up
    >>> rot = np.array([[0, 0, 1], [0, 1, 0], [-1, 0, 0]])  # sensor tilted 90°
    >>> a = GravityAlignment().fit_transform(X)
    >>> b = GravityAlignment().fit_transform(np.einsum("ij,njt->nit", rot, X))
    >>> np.allclose(a, b)
    True
    >>> a.shape
    (1, 3, 100)
    """

    _parameter_constraints: dict = {}

    def _validate_windows(self, X, *, reset):
        return check_sensor_windows(super()._validate_windows(X, reset=reset), self)

    def transform(self, X):
        """Vertical, horizontal and norm channels of every window.

        Parameters
        ----------
        X : ndarray of shape (n_windows, 3 * k, n_timepoints)
            Acceleration (then rotation rate) windows, same channels as in
            :meth:`fit`.

        Returns
        -------
        Xt : ndarray of shape (n_windows, 3 * k, n_timepoints)
            ``acc_vertical, acc_horizontal, acc_norm`` (then ``gyro_vertical,
            gyro_horizontal, gyro_norm``), in the dtype of ``X``.
        """
        X = self._validate_windows(X, reset=False)
        up = gravity_direction(X[:, :3])[:, :, None]
        parts = [
            _decompose(X[:, k : k + 3].astype(np.float64), up) for k in range(0, X.shape[1], 3)
        ]
        return np.concatenate(parts, axis=1).astype(X.dtype, copy=False)

    @fill_doc
    def get_feature_names_out(self, input_features=None):
        """Names of the output channels.

        {feature_names_out_fixed}
        """
        check_is_fitted(self)
        return sensor_channel_names(self.n_channels_, ("vertical", "horizontal", "norm"))


def _decompose(v, up):
    """(vertical, horizontal magnitude, norm) of 3-axis series ``v`` along ``up``."""
    vertical = (v * up).sum(axis=1)
    horizontal = np.linalg.norm(v - vertical[:, None] * up, axis=1)
    return np.stack([vertical, horizontal, np.linalg.norm(v, axis=1)], axis=1)


def check_sensor_windows(X, estimator):
    """Windows of 3-axis sensors (acceleration, then rotation rate, ...).

    Parameters
    ----------
    X : ndarray of shape (n_windows, 3 * k, n_timepoints)
        Validated windows.
    estimator : estimator instance
        Named in the error.

    Returns
    -------
    X : ndarray of shape (n_windows, 3 * k, n_timepoints)
    """
    if X.shape[1] % 3:
        raise ValueError(
            f"{type(estimator).__name__} expects 3-axis sensors: acceleration x, y, z, "
            f"optionally followed by rotation rate x, y, z; got {X.shape[1]} channels, "
            "not a multiple of 3."
        )
    return X


def sensor_channel_names(n_channels, parts):
    """``acc_<part>``, ``gyro_<part>``, ``sensor2_<part>``, ... for 3-axis sensors."""
    sensors = ["acc", "gyro"] + [f"sensor{k}" for k in range(2, n_channels // 3)]
    return np.array(
        [f"{s}_{part}" for s in sensors[: n_channels // 3] for part in parts], dtype=object
    )


def gravity_direction(acc):
    """Unit mean acceleration of every window; zero where the mean is zero.

    Parameters
    ----------
    acc : ndarray of shape (n_windows, 3, n_timepoints)
        Acceleration x, y, z.

    Returns
    -------
    direction : ndarray of shape (n_windows, 3), float64
    """
    mean = acc.astype(np.float64, copy=False).mean(axis=2)
    norm = np.linalg.norm(mean, axis=1, keepdims=True)
    return np.divide(mean, norm, out=np.zeros_like(mean), where=norm > 0)


class GravityDirection(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """The mean gravity direction of every window: where the sensor points.

    Three features per window, the unit vector of the mean acceleration in
    the sensor's frame. Within a window of walking it is the direction of
    gravity, so it says how the device sits on the body and nothing about
    the gait. It is the *mounting control* of identification and
    authentication: a model that recognises people across recordings made
    with the device left in place may be recognising the mounting; a claim
    about gait counts only by its margin over this control (nearest
    neighbour or cosine similarity on these features), scored on the same
    protocol.

    Attributes
    ----------
    n_channels_ : int
        Number of input channels (at least 3; the first three are the
        acceleration x, y, z, any others are ignored).

    See Also
    --------
    GravityAlignment : Channels that do not depend on this direction.
    skgait.datasets.random_remount : Turn each recording's sensor, as when
        a device is put back on.

    Notes
    -----
    A window whose mean acceleration is zero (no gravity) gets the zero
    vector.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import GravityDirection
    >>> X = np.zeros((1, 6, 50))
    >>> X[0, 1], X[0, 2] = 6.0, 8.0            # gravity between y and z
    >>> GravityDirection().fit_transform(X)
    array([[0. , 0.6, 0.8]])
    """

    _parameter_constraints: dict = {}

    def _validate_windows(self, X, *, reset):
        X = super()._validate_windows(X, reset=reset)
        if X.shape[1] < 3:
            raise ValueError(
                f"{type(self).__name__} needs the 3 acceleration channels x, y, z first; "
                f"got {X.shape[1]} channel(s)."
            )
        return X

    def transform(self, X):
        """Unit mean acceleration of every window.

        Parameters
        ----------
        X : ndarray of shape (n_windows, 3 * k, n_timepoints)

        Returns
        -------
        direction : ndarray of shape (n_windows, 3)
            In the dtype of ``X``.
        """
        X = self._validate_windows(X, reset=False)
        return gravity_direction(X[:, :3]).astype(X.dtype, copy=False)

    @fill_doc
    def get_feature_names_out(self, input_features=None):
        """Names ``gravity_x``, ``gravity_y``, ``gravity_z``.

        {feature_names_out_fixed}
        """
        check_is_fitted(self)
        return np.array(["gravity_x", "gravity_y", "gravity_z"], dtype=object)
