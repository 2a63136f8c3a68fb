"""Fourier and wavelet coefficients of gait windows: the classical baselines.

Zou et al. (2020) compare their networks with three traditional gait
descriptors, "EigenGait, Wavelet and Fourier". :class:`FourierFeatures` and
:class:`WaveletFeatures` are the last two as transformers (the wavelet
transform is written here in NumPy: no new dependency); EigenGait, a PCA of
the raw windows, is ``make_preset("zou_eigengait")``.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._validation import WindowTransformerMixin
from ._stats import channel_feature_names

__all__ = ["FourierFeatures", "WaveletFeatures"]

_SQRT3 = np.sqrt(3.0)

#: Low-pass decomposition filters of the orthogonal Daubechies wavelets.
WAVELETS = {
    "haar": np.array([1.0, 1.0]) / np.sqrt(2.0),
    "db2": np.array([1 + _SQRT3, 3 + _SQRT3, 3 - _SQRT3, 1 - _SQRT3]) / (4 * np.sqrt(2.0)),
    "db4": np.array(
        [
            0.23037781330885523,
            0.7148465705525415,
            0.6308807679295904,
            -0.02798376941698385,
            -0.18703481171888114,
            0.030841381835986965,
            0.032883011666982945,
            -0.010597401784997278,
        ]
    ),
}


def dwt(x, wavelet="db2"):
    """One level of the periodic discrete wavelet transform along the last axis.

    ``a[k] = Σ_j h[j] x[(2k + j) mod n]`` and ``d[k] = Σ_j g[j] x[(2k + j) mod n]``
    with the quadrature mirror ``g[j] = (−1)^j h[L−1−j]``: an orthogonal
    transform, so ``‖a‖² + ‖d‖² = ‖x‖²``. An odd length is made even by
    repeating the last sample.

    Parameters
    ----------
    x : ndarray of shape (..., n)
    wavelet : {"haar", "db2", "db4"}, default="db2"

    Returns
    -------
    approximation, detail : ndarray of shape (..., ceil(n / 2))

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features._spectral import dwt
    >>> a, d = dwt(np.array([1.0, 3.0, 2.0, 2.0]), "haar")
    >>> (a * np.sqrt(2)).tolist(), (d * np.sqrt(2)).tolist()
    ([4.0, 4.0], [-2.0, 0.0])
    """
    h = WAVELETS[wavelet]
    g = ((-1.0) ** np.arange(len(h))) * h[::-1]
    if x.shape[-1] % 2:
        x = np.concatenate([x, x[..., -1:]], axis=-1)
    n = x.shape[-1]
    index = (2 * np.arange(n // 2)[:, None] + np.arange(len(h))[None, :]) % n
    taps = x[..., index]  # (..., n // 2, L)
    return taps @ h, taps @ g


class _CoefficientFeatures(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Per-channel coefficients of every window; subclasses define ``_coefficients``."""

    def transform(self, X):
        """Coefficients of every channel, channel-major.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        Xt : ndarray of shape (n_windows, n_channels * n_features_per_channel)
            In the dtype of ``X``.
        """
        X = self._validate_windows(X, reset=False)
        out = self._coefficients(X.astype(np.float64))
        return out.reshape(len(X), -1).astype(X.dtype, copy=False)

    @fill_doc
    def get_feature_names_out(self, input_features=None):
        """Feature names ``ch{k}_{coefficient}``, or ``{input_feature}_{coefficient}``.

        {feature_names_out}
        """
        check_is_fitted(self)
        names = self._coefficient_names(self.n_timepoints_)
        return channel_feature_names(self.n_channels_, input_features, names)


@fill_doc
class FourierFeatures(_CoefficientFeatures):
    """Magnitudes of the lowest Fourier coefficients of every channel.

    For each channel of a window, the magnitudes ``|X_k| / n_timepoints`` of
    its discrete Fourier transform at the ``n_coefficients`` lowest
    frequencies ``k = 0, 1, ...`` (``k / n_timepoints`` cycles per sample):
    the "Fourier" gait descriptor that Zou et al. (2020) compare with.
    Magnitudes do not change when the window starts at another phase of the
    gait cycle.

    Parameters
    ----------
    n_coefficients : int, default=20
        Coefficients kept per channel; windows need at least
        ``2 * (n_coefficients - 1)`` time points.

    Attributes
    ----------
    {n_channels_}
    n_timepoints_ : int
        Window length seen in :meth:`fit` (names the features).

    See Also
    --------
    WaveletFeatures : Wavelet approximation coefficients.
    GaitStatistics : Band powers and the step frequency.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import FourierFeatures
    >>> t = np.arange(64)
    >>> X = (1.0 + np.cos(2 * np.pi * 3 * t / 64))[None, None]
    >>> FourierFeatures(n_coefficients=5).fit_transform(X).round(3).tolist()
    [[1.0, 0.0, 0.0, 0.5, 0.0]]
    """

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "n_coefficients": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, n_coefficients=20):
        self.n_coefficients = n_coefficients

    @property
    def _min_timepoints(self):
        return max(1, 2 * (self.n_coefficients - 1))

    def _coefficients(self, Z):
        spectrum = np.fft.rfft(Z, axis=2)[..., : self.n_coefficients]
        return np.abs(spectrum) / Z.shape[2]

    def _coefficient_names(self, n_timepoints):
        return [f"fourier{k}" for k in range(self.n_coefficients)]


@fill_doc
class WaveletFeatures(_CoefficientFeatures):
    """Approximation coefficients of a multi-level discrete wavelet transform.

    Each channel is decomposed ``level`` times by the periodic orthogonal
    discrete wavelet transform (low- and high-pass filters, then
    down-sampling by 2); the approximation coefficients of the last level,
    ``ceil(n_timepoints / 2**level)`` per channel, describe the window's
    low-frequency shape: the "Wavelet" gait descriptor that Zou et al.
    (2020) compare with. The transform is computed in NumPy.

    Parameters
    ----------
    wavelet : {"haar", "db2", "db4"}, default="db2"
        Daubechies wavelet (``"haar"`` is db1).
    level : int, default=3
        Decomposition levels; windows need at least ``2**level`` time points.

    Attributes
    ----------
    {n_channels_}
    n_timepoints_ : int
        Window length seen in :meth:`fit` (names the features).

    See Also
    --------
    FourierFeatures : Fourier magnitudes.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import WaveletFeatures
    >>> X = np.ones((2, 6, 128))
    >>> Xt = WaveletFeatures(wavelet="haar", level=3).fit_transform(X)
    >>> Xt.shape, float(Xt[0, 0].round(4))  # 128 / 2**3 = 16 per channel; 2**1.5
    ((2, 96), 2.8284)
    """

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "wavelet": [StrOptions(set(WAVELETS))],
        "level": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, wavelet="db2", level=3):
        self.wavelet = wavelet
        self.level = level

    @property
    def _min_timepoints(self):
        return 2**self.level

    def _coefficients(self, Z):
        for _ in range(self.level):
            Z, _ = dwt(Z, self.wavelet)
        return Z

    def _coefficient_names(self, n_timepoints):
        for _ in range(self.level):
            n_timepoints = -(-n_timepoints // 2)
        return [f"{self.wavelet}_a{self.level}_{k}" for k in range(n_timepoints)]
