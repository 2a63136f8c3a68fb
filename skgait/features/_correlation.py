"""Speed- and amplitude-robust gait descriptors for person identification.

A person's walk changes with speed: faster steps raise every amplitude and
shift every spectrum, so amplitude statistics learnt on a slow walk do not
recognise the same person walking fast. What changes much less is *how the
axes move together* (the correlation of every pair of channels, at zero and
at a few time lags), *how the movement is shared between the axes* (each
axis' part of its sensor's total spread) and *how the sensor sits on the
body* (the direction of gravity in the sensor's frame, that is the direction
of the mean acceleration). :class:`CrossCorrelationFeatures` computes these
per window; a linear discriminant on them identifies people across walking
speeds and across recording sessions (see ``docs/identification.md``).
"""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..exceptions import ConstantSeriesWarning
from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._validation import WindowTransformerMixin, to_samples
from ._gravity import gravity_direction

__all__ = ["CrossCorrelationFeatures"]

_EPS = 1e-12


def _standardise(X):
    centred = X - X.mean(axis=2, keepdims=True)
    std = np.sqrt((centred**2).mean(axis=2, keepdims=True))
    constant = std[..., 0] < _EPS
    return centred / np.where(std < _EPS, 1.0, std), constant


class CrossCorrelationFeatures(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Channel correlations, spread ratios and gravity direction of every window.

    For a window with channels ``x_1..x_C`` of ``T`` samples the features are

    - the direction of gravity: the mean of the ``gravity_channels`` (an
      accelerometer's three axes) divided by its norm (3 values);
    - the spread ratios: each channel's standard deviation divided by the
      sum of the standard deviations of its ``sensors`` group (``C``
      values);
    - the correlations ``corr(x_i[t], x_j[t])`` of every pair ``i < j``
      (``C (C - 1) / 2`` values) and, for every lag ``L`` of ``lags``,
      ``corr(x_i[t], x_j[t + L])`` of every ordered pair, ``i = j`` included
      (``C²`` values per lag).

    None of them depends on the scale of the signals, and the correlations
    depend on walking speed only through the lags, so they transfer across
    speeds and sessions better than amplitudes or spectra.

    Parameters
    ----------
    lags : sequence of int or float, default=(2, 4, 8, 16)
        Time lags of the lagged correlations. Ints are samples; floats are
        seconds, converted with ``rate``. Empty: zero-lag correlations only.
    rate : float, default=None
        Sampling rate in Hz, needed for lags given in seconds.
    gravity_channels : tuple of int or None, default=(0, 1, 2)
        Indices of the three accelerometer axes whose mean direction is
        returned (skgait's channel order starts ``acc_x, acc_y, acc_z``).
        None leaves the direction out.
    sensors : "auto" or list of tuple of int, default="auto"
        Channel groups of the spread ratios. ``"auto"``: consecutive
        triples (``acc_xyz``, ``gyr_xyz``) when the number of channels is a
        multiple of three, else all channels in one group.

    Attributes
    ----------
    n_channels_ : int
        Channels of the windows seen in :meth:`fit`.
    n_timepoints_ : int
        Length of the windows seen in :meth:`fit`; :meth:`transform` warns
        on windows of another length.
    lags_ : list of int
        The lags in samples.
    sensors_ : list of tuple of int
        The spread-ratio groups.
    n_features_out_ : int
        Number of output features.

    See Also
    --------
    ACFTransformer : Autocorrelation of each channel.

    Notes
    -----
    A channel constant over a window has no correlation; it gets 0 and a
    :class:`~skgait.exceptions.ConstantSeriesWarning`.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import CrossCorrelationFeatures
    >>> phase = 2 * np.pi * np.arange(128) / 32  # 4 strides of 32 samples
    >>> walk = np.stack([np.sin(phase), np.cos(phase), 9.8 + np.sin(2 * phase)])
    >>> features = CrossCorrelationFeatures(lags=(16,), sensors=[(0, 1, 2)])
    >>> F = features.fit_transform(walk[None])
    >>> F.shape  # 3 (gravity) + 3 (ratios) + 3 (zero lag) + 9 (lag 16)
    (1, 18)
    >>> np.round(F[0, :3], 2) + 0.0  # gravity along z
    array([0., 0., 1.])
    >>> features.get_feature_names_out()[[6, 9]].tolist()
    ['corr_0_1', 'lag16_0_0']
    >>> np.round(F[0, [6, 9]], 2) + 0.0  # sin vs cos; sin half a stride later
    array([ 0., -1.])
    """

    _fitted_length = "warn"

    _parameter_constraints = {  # noqa: RUF012 (sklearn convention)
        "lags": ["array-like"],
        "rate": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "gravity_channels": ["array-like", None],
        "sensors": [StrOptions({"auto"}), list],
    }

    def __init__(
        self, lags=(2, 4, 8, 16), *, rate=None, gravity_channels=(0, 1, 2), sensors="auto"
    ):
        self.lags = lags
        self.rate = rate
        self.gravity_channels = gravity_channels
        self.sensors = sensors

    def _check_indices(self, indices, name, n_channels):
        indices = tuple(indices)
        if not indices or not all(
            isinstance(i, numbers.Integral) and 0 <= i < n_channels for i in indices
        ):
            raise ValueError(
                f"CrossCorrelationFeatures: {name} must hold channel indices in "
                f"[0, {n_channels}); got {indices!r}."
            )
        return indices

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc
    def fit(self, X, y=None):
        """Check the parameters against the windows.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
        {fit_y}

        {fit_returns}
        """
        X = self._validate_windows(X, reset=True)
        n_channels, n_timepoints = X.shape[1:]
        lags = [
            to_samples(lag, self.rate, name="lags", owner="CrossCorrelationFeatures", unit="lag")
            for lag in self.lags
        ]
        if any(lag >= n_timepoints - 1 for lag in lags):
            raise ValueError(
                f"CrossCorrelationFeatures: lags {lags} (samples) must be shorter "
                f"than the windows minus one ({n_timepoints} samples)."
            )
        if self.gravity_channels is not None:
            if len(tuple(self.gravity_channels)) != 3:
                raise ValueError(
                    "CrossCorrelationFeatures: gravity_channels must be the three "
                    f"accelerometer axes; got {self.gravity_channels!r}."
                )
            self._check_indices(self.gravity_channels, "gravity_channels", n_channels)
        if isinstance(self.sensors, str):  # "auto", checked by _parameter_constraints
            sensors = (
                [tuple(range(k, k + 3)) for k in range(0, n_channels, 3)]
                if n_channels % 3 == 0
                else [tuple(range(n_channels))]
            )
        else:
            sensors = [self._check_indices(g, "sensors", n_channels) for g in self.sensors]
        self.lags_ = lags
        self.sensors_ = sensors
        self.n_features_out_ = (
            (3 if self.gravity_channels is not None else 0)
            + sum(len(g) for g in sensors)
            + n_channels * (n_channels - 1) // 2
            + len(lags) * n_channels**2
        )
        return self

    def transform(self, X):
        """Compute the features.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        F : ndarray of shape (n_windows, n_features)
        """
        X = self._validate_windows(X, reset=False).astype(np.float64, copy=False)
        n, n_channels, n_timepoints = X.shape
        parts = []
        if self.gravity_channels is not None:
            parts.append(gravity_direction(X[:, list(self.gravity_channels)]))
        std = X.std(axis=2)
        for group in self.sensors_:
            own = std[:, list(group)]
            parts.append(own / np.maximum(own.sum(axis=1, keepdims=True), _EPS))
        Z, constant = _standardise(X)
        if constant.any():
            warnings.warn(
                f"CrossCorrelationFeatures: {int(constant.sum())} (window, channel) "
                "series are constant; their correlations are set to 0.",
                ConstantSeriesWarning,
                stacklevel=2,
            )
        i, j = np.triu_indices(n_channels, 1)
        parts.append(np.einsum("nit,njt->nij", Z, Z)[:, i, j] / n_timepoints)
        for lag in self.lags_:
            a, _ = _standardise(X[:, :, :-lag])
            b, _ = _standardise(X[:, :, lag:])
            parts.append((np.einsum("nit,njt->nij", a, b) / (n_timepoints - lag)).reshape(n, -1))
        return np.concatenate(parts, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags

    def get_feature_names_out(self, input_features=None):
        """Names ``gravity_k``, ``ratio_c``, ``corr_i_j`` and ``lag{L}_i_j``."""
        check_is_fitted(self)
        c = self.n_channels_
        names = []
        if self.gravity_channels is not None:
            names += [f"gravity_{k}" for k in self.gravity_channels]
        names += [f"ratio_{k}" for group in self.sensors_ for k in group]
        names += [f"corr_{i}_{j}" for i, j in zip(*np.triu_indices(c, 1))]
        names += [f"lag{lag}_{i}_{j}" for lag in self.lags_ for i in range(c) for j in range(c)]
        return np.asarray(names, dtype=object)
