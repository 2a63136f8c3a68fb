"""Orientation-invariant channels: vertical / horizontal decomposition along gravity."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ..utils._validation import check_fitted_channels, check_windows, set_window_transformer_tags

__all__ = ["GravityAlignment"]


class GravityAlignment(TransformerMixin, BaseEstimator):
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

    def _check_X(self, X, reset):
        X = check_windows(X, estimator=self)
        if X.shape[1] % 3:
            raise ValueError(
                f"{type(self).__name__} expects 3-axis sensors: acceleration x, y, z, "
                f"optionally followed by rotation rate x, y, z; got {X.shape[1]} channels, "
                "not a multiple of 3."
            )
        if not reset:
            check_fitted_channels(X, self)
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the windows and record their shape.

        Parameters
        ----------
        X : ndarray of shape (n_windows, 3 * k, n_timepoints)
            Acceleration (then rotation rate) windows.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X = self._check_X(X, reset=True)
        self.n_channels_ = X.shape[1]
        self.n_timepoints_ = X.shape[2]
        return self

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
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        acc = X[:, :3].astype(np.float64)
        up = acc.mean(axis=2, keepdims=True)
        norm = np.linalg.norm(up, axis=1, keepdims=True)
        up = np.divide(up, norm, out=np.zeros_like(up), where=norm > 0)
        parts = [
            _decompose(X[:, k : k + 3].astype(np.float64), up) for k in range(0, X.shape[1], 3)
        ]
        return np.concatenate(parts, axis=1).astype(X.dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        """Names of the output channels.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self)
        sensors = ["acc", "gyro"] + [f"sensor{k}" for k in range(2, self.n_channels_ // 3)]
        sensors = sensors[: self.n_channels_ // 3]
        return np.array(
            [f"{s}_{part}" for s in sensors for part in ("vertical", "horizontal", "norm")],
            dtype=object,
        )

    def __sklearn_tags__(self):
        return set_window_transformer_tags(super().__sklearn_tags__())


def _decompose(v, up):
    """(vertical, horizontal magnitude, norm) of 3-axis series ``v`` along ``up``."""
    vertical = (v * up).sum(axis=1)
    horizontal = np.linalg.norm(v - vertical[:, None] * up, axis=1)
    return np.stack([vertical, horizontal, np.linalg.norm(v, axis=1)], axis=1)
