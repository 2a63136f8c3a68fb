"""Per-channel distribution and spectral statistics of gait windows."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval
from ..utils._validation import (
    WindowTransformerMixin,
)

__all__ = ["GaitStatistics"]

#: Frequency bands (Hz) whose log power is a feature.
_BANDS = ((0.3, 1.5), (1.5, 3.0), (3.0, 6.0), (6.0, 12.0))
_STAT_NAMES = (
    "mean",
    "std",
    "p10",
    "p50",
    "p90",
    "range",
    "skew",
    "kurtosis",
    "step_frequency",
    "step_power",
)


def _bands(max_frequency):
    """The bands of ``_BANDS`` clipped to ``max_frequency`` (None: all of them)."""
    if max_frequency is None:
        return _BANDS
    return tuple((lo, min(hi, max_frequency)) for lo, hi in _BANDS if lo < max_frequency)


def channel_feature_names(n_channels, input_features, names):
    """``{channel}_{name}`` for every channel and name, channel-major.

    Channels are ``input_features`` or ``ch0, ch1, ...``.
    """
    channels = (
        input_features if input_features is not None else [f"ch{k}" for k in range(n_channels)]
    )
    return np.array([f"{c}_{n}" for c in channels for n in names], dtype=object)


@fill_doc
class GaitStatistics(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Distribution and spectral statistics of every channel of every window.

    For each channel: mean, standard deviation, 10th / 50th / 90th
    percentiles, range, skewness, excess kurtosis; the dominant frequency
    between 0.3 and 5 Hz (the step or stride frequency of walking) and the
    fraction of the power at it; and the log power in the bands 0.3–1.5,
    1.5–3, 3–6 and 6–12 Hz. 14 features per channel, channel-major.
    With ``max_frequency``, bands are clipped to it and bands above it are
    left out (a sensor sampled at 20 Hz has no power above 10 Hz).

    On the gravity-aligned channels of :class:`GravityAlignment` these are
    the features of one of the two models of
    :func:`~skgait.pipelines.make_gait_pipeline`'s gender pipeline
    (measured on the accuracy page of the user guide).

    Parameters
    ----------
    rate : float, default=50.0
        Sampling rate of the windows in Hz (for the frequencies).
    n_fft : int, default=512
        FFT length (windows are zero-padded to it; longer windows are
        truncated by the FFT to this length).
    max_frequency : float or None, default=None
        Upper edge in Hz of the band powers: bands are clipped to it and
        those starting above it are dropped, so that every feature exists in
        data whose native bandwidth ends there. None keeps the four bands.

    Attributes
    ----------
    {n_channels_}
    n_timepoints_ : int
        Length of the windows seen in :meth:`fit`; :meth:`transform` warns
        on windows of another length.

    See Also
    --------
    BandLimit : Low-pass the windows to a shared bandwidth.
    GravityAlignment : Orientation-invariant channels to describe.
    ACFTransformer : Autocorrelation features.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import GaitStatistics
    >>> t = np.arange(128) / 50
    >>> X = np.sin(2 * np.pi * 2.0 * t)[None, None]
    >>> Xt = GaitStatistics(rate=50).fit_transform(X)
    >>> Xt.shape
    (1, 14)
    >>> float(Xt[0, 8].round(1))   # step frequency, Hz
    2.0
    """

    _min_timepoints = 2
    _fitted_length = "warn"

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_fft": [Interval(numbers.Integral, 8, None, closed="left")],
        "max_frequency": [Interval(numbers.Real, 0.3, None, closed="neither"), None],
    }

    def __init__(self, rate=50.0, n_fft=512, max_frequency=None):
        self.rate = rate
        self.n_fft = n_fft
        self.max_frequency = max_frequency

    def transform(self, X):
        """Statistics of every channel.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        Xt : ndarray of shape (n_windows, n_channels * n_statistics)
            In the dtype of ``X``; ``n_statistics`` is 14 (fewer with
            ``max_frequency`` below 12 Hz).
        """
        X = self._validate_windows(X, reset=False)
        Z = X.astype(np.float64)
        p10, p50, p90 = np.percentile(Z, [10, 50, 90], axis=2)
        # Standardised moments computed here (scipy's skew/kurtosis warn on
        # constant channels); a channel of (numerically) zero spread gets 0.
        centred = Z - Z.mean(axis=2, keepdims=True)
        m2 = (centred**2).mean(axis=2)
        std = np.sqrt(m2)
        flat = std <= 1e-12 * np.maximum(1.0, np.abs(Z).max(axis=2))
        safe = np.where(flat, 1.0, m2)
        skew = np.where(flat, 0.0, (centred**3).mean(axis=2) / safe**1.5)
        kurt = np.where(flat, 0.0, (centred**4).mean(axis=2) / safe**2 - 3.0)
        power = np.abs(np.fft.rfft(centred, n=self.n_fft, axis=2)) ** 2
        freqs = np.fft.rfftfreq(self.n_fft, 1.0 / self.rate)
        gait = (freqs > 0.3) & (freqs < 5.0)
        if not gait.any():
            raise ValueError(
                f"GaitStatistics: rate={self.rate} Hz and n_fft={self.n_fft} leave "
                "no frequency between 0.3 and 5 Hz."
            )
        peak = power[..., gait].argmax(axis=2)
        total = power.sum(axis=2)
        parts = [
            Z.mean(axis=2),
            std,
            p10,
            p50,
            p90,
            Z.max(axis=2) - Z.min(axis=2),
            skew,
            kurt,
            freqs[gait][peak],
            np.divide(
                power[..., gait].max(axis=2), total, out=np.zeros_like(total), where=total > 0
            ),
        ]
        for lo, hi in _bands(self.max_frequency):
            band = (freqs >= lo) & (freqs < hi)
            parts.append(np.log(power[..., band].sum(axis=2) + 1e-9))
        out = np.stack(parts, axis=2).reshape(len(X), -1)
        return out.astype(X.dtype, copy=False)

    @fill_doc
    def get_feature_names_out(self, input_features=None):
        """Feature names ``ch{k}_{statistic}``, or ``{input_feature}_{statistic}``.

        {feature_names_out}
        """
        check_is_fitted(self)
        names = _STAT_NAMES + tuple(
            f"logpower_{lo:g}_{hi:g}Hz" for lo, hi in _bands(self.max_frequency)
        )
        return channel_feature_names(self.n_channels_, input_features, names)
