"""The rate of change of every channel (jerk, angular acceleration)."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..utils._sklearn_compat import Interval
from ..utils._validation import WindowTransformerMixin

__all__ = ["TimeDerivative"]


class TimeDerivative(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Differences of consecutive samples of every channel, per unit of time.

    ``(x[t + 1] - x[t]) * rate`` for every channel of every window: the jerk
    of an acceleration channel, the angular acceleration of a rotation-rate
    channel. The derivative stresses the sharp events of a step (heel
    strike, toe off) over the slow sway that dominates the raw signal; put
    it before a feature step, for example
    :class:`~skgait.features.CrossCorrelationFeatures` in a
    :class:`~skgait.features.WalkingFrame`. A rotation of the sensor turns
    the derivative as it turns the signal, so the walking frame's channels
    stay free of the mounting.

    Parameters
    ----------
    rate : float or None, default=None
        Sampling rate in Hz; None gives differences per sample. Scale-free
        features (correlations) do not depend on it.

    Attributes
    ----------
    n_channels_, n_timepoints_ : int
        Shape of the windows seen in :meth:`fit`.

    See Also
    --------
    WalkingFrame : Channels tied to the walk, not to the device.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import TimeDerivative
    >>> X = np.array([[[0.0, 1.0, 4.0, 9.0]]])
    >>> TimeDerivative(rate=50.0).fit_transform(X)
    array([[[ 50., 150., 250.]]])
    """

    _min_timepoints = 2

    _parameter_constraints = {  # noqa: RUF012 (sklearn convention)
        "rate": [Interval(numbers.Real, 0, None, closed="neither"), None],
    }

    def __init__(self, rate=None):
        self.rate = rate

    def transform(self, X):
        """Differentiate every channel.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Same channels as in :meth:`fit`.

        Returns
        -------
        Xt : ndarray of shape (n_windows, n_channels, n_timepoints - 1)
            In the dtype of ``X``.
        """
        X = self._validate_windows(X, reset=False)
        scale = 1.0 if self.rate is None else self.rate
        return (np.diff(X, axis=2) * scale).astype(X.dtype, copy=False)
