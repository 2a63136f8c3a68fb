"""The walking frame: each window's sensors turned to vertical, fore-aft and side axes."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval, _fit_context
from ..utils._validation import WindowTransformerMixin, to_samples
from ._gravity import check_sensor_windows, gravity_direction, sensor_channel_names

__all__ = ["WalkingFrame"]


class WalkingFrame(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Turn every window's sensors into a frame found from the walk itself.

    A device put back on the body sits at another angle, and every channel
    of a device-frame model changes with it. This estimates, from each
    window alone, three axes tied to the body and expresses every 3-axis
    sensor of the window (acceleration, rotation rate) in them:

    - **vertical**: the mean acceleration direction (gravity);
    - **fore-aft**: in the horizontal plane, the direction whose
      acceleration repeats best from one step to the next: the leading
      eigenvector of the horizontal acceleration's autocovariance at a lag
      of one step (forward acceleration repeats every step, sideways sway
      every stride, so it is anti-correlated one step later). The step is
      the lag, within ``step_range``, of the highest autocovariance of the
      vertical acceleration. Its sign makes the vertical acceleration lead
      the fore-aft acceleration (an eighth of a step apart), so that both
      recordings of one person get the same sign;
    - **side**: vertical × fore-aft (a right-handed frame).

    Every output channel is then unchanged by any rotation of the sensor
    (up to rounding), so a model on them cannot recognise how a device was
    mounted, only how its wearer walks.

    Parameters
    ----------
    step_range : (int or float, int or float), default=(12, 40)
        Shortest and longest step duration searched. Ints are samples;
        floats are seconds, converted with ``rate``. The default is 0.24 to
        0.8 s at 50 Hz.
    rate : float, default=None
        Sampling rate in Hz, needed for durations in seconds.

    Attributes
    ----------
    n_channels_ : int
        Number of input channels (a multiple of 3: acceleration first).
    step_range_ : tuple of int
        The step range in samples.

    See Also
    --------
    GravityAlignment : Vertical and horizontal magnitudes (no horizontal
        direction needed).
    GravityDirection : The mounting control, the information this removes.
    skgait.datasets.random_remount : Test the invariance on recordings.

    Notes
    -----
    A window without gravity (mean acceleration zero) keeps its sensor
    frame. The frame is estimated per window; with a 2.56 s window at 50 Hz
    four or five steps inform it.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.transform import Rotation
    >>> from skgait.features import WalkingFrame
    >>> t = np.arange(128) / 50                      # steps at 2 Hz
    >>> acc = np.stack([np.sin(4 * np.pi * t + 0.3),  # fore-aft: every step
    ...                 0.5 * np.sin(2 * np.pi * t),  # sway: every stride
    ...                 9.81 + np.sin(4 * np.pi * t)])
    >>> X = np.concatenate([acc, 0.1 * acc])[None]
    >>> R = Rotation.from_rotvec([0.3, -0.2, 0.5]).as_matrix()
    >>> turned = np.concatenate([R @ X[0, :3], R @ X[0, 3:]])[None]
    >>> frame = WalkingFrame()
    >>> bool(np.allclose(frame.fit_transform(X), frame.transform(turned)))
    True
    """

    _parameter_constraints = {  # noqa: RUF012 (sklearn convention)
        "step_range": [tuple, list],
        "rate": [Interval(numbers.Real, 0, None, closed="neither"), None],
    }

    def __init__(self, step_range=(12, 40), *, rate=None):
        self.step_range = step_range
        self.rate = rate

    def _validate_windows(self, X, *, reset):
        X = check_sensor_windows(super()._validate_windows(X, reset=reset), self)
        if X.shape[2] <= self.step_range_[1] + 1:
            raise ValueError(
                f"{type(self).__name__}: windows of {X.shape[2]} samples are too short "
                f"for steps up to {self.step_range_[1]} samples; they must be longer "
                "than the longest step."
            )
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc
    def fit(self, X, y=None):
        """Check the windows and the step range.

        Parameters
        ----------
        X : ndarray of shape (n_windows, 3 * k, n_timepoints)
            Acceleration (then rotation rate) windows.
        {fit_y}

        {fit_returns}
        """
        owner = type(self).__name__
        if len(self.step_range) != 2:
            raise ValueError(
                f"{owner}: step_range must be (shortest, longest); got {self.step_range!r}."
            )
        low, high = (
            to_samples(v, self.rate, name="step_range", owner=owner) for v in self.step_range
        )
        if not 1 <= low <= high:
            raise ValueError(
                f"{owner}: step_range must satisfy 1 <= shortest <= longest samples; "
                f"got {(low, high)}."
            )
        self.step_range_ = (low, high)
        self._validate_windows(X, reset=True)
        return self

    def transform(self, X):
        """Every 3-axis sensor of every window in its walking frame.

        Parameters
        ----------
        X : ndarray of shape (n_windows, 3 * k, n_timepoints)
            Same channels as in :meth:`fit`.

        Returns
        -------
        Xt : ndarray of shape (n_windows, 3 * k, n_timepoints)
            ``acc_vertical, acc_foreaft, acc_side`` (then the same for the
            rotation rate), in the dtype of ``X``.
        """
        X = self._validate_windows(X, reset=False)
        R = self._frames(X[:, :3].astype(np.float64))
        parts = [
            np.einsum("nij,njt->nit", R, X[:, k : k + 3].astype(np.float64))
            for k in range(0, X.shape[1], 3)
        ]
        return np.concatenate(parts, axis=1).astype(X.dtype, copy=False)

    def _frames(self, acc):
        """Rotation matrices (rows: vertical, fore-aft, side) of every window."""
        n, _, n_timepoints = acc.shape
        up = gravity_direction(acc)
        # Any horizontal basis (e1, e2); the fore-aft axis is found in it.
        helper = np.where(np.abs(up[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
        e1 = helper - (helper * up).sum(1, keepdims=True) * up
        e1 /= np.maximum(np.linalg.norm(e1, axis=1, keepdims=True), 1e-12)
        e2 = np.cross(up, e1)
        vertical = np.einsum("ni,nit->nt", up, acc)
        vertical -= vertical.mean(axis=1, keepdims=True)
        horizontal = np.einsum("nki,nit->nkt", np.stack([e1, e2], axis=1), acc)
        horizontal -= horizontal.mean(axis=2, keepdims=True)

        low, high = self.step_range_
        lags = np.arange(low, high + 1)
        autocov = np.stack([(vertical[:, :-L] * vertical[:, L:]).sum(1) for L in lags], axis=1)
        step = lags[autocov.argmax(axis=1)]
        foreaft = np.empty((n, 3))
        for L in np.unique(step):
            rows = step == L
            h = horizontal[rows]
            C = np.einsum("nit,njt->nij", h[:, :, :-L], h[:, :, L:])
            _, vectors = np.linalg.eigh(C + C.transpose(0, 2, 1))
            lead = vectors[:, :, -1]  # largest eigenvalue
            axis = lead[:, :1] * e1[rows] + lead[:, 1:] * e2[rows]
            x = np.einsum("ni,nit->nt", axis, acc[rows])
            x -= x.mean(axis=1, keepdims=True)
            v = vertical[rows]
            k = max(1, round(L / 8))
            sign = (v[:, :-k] * x[:, k:]).sum(1) - (v[:, k:] * x[:, :-k]).sum(1)
            foreaft[rows] = np.where(sign[:, None] < 0, -axis, axis)
        R = np.stack([up, foreaft, np.cross(up, foreaft)], axis=1)
        R[~up.any(axis=1)] = np.eye(3)
        return R

    @fill_doc
    def get_feature_names_out(self, input_features=None):
        """Names of the output channels.

        {feature_names_out_fixed}
        """
        check_is_fitted(self)
        return sensor_channel_names(self.n_channels_, ("vertical", "foreaft", "side"))
