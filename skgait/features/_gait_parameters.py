"""Clinical gait parameters of a trunk sensor: cadence, regularity, symmetry, smoothness."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval, _fit_context
from ..utils._validation import WindowTransformerMixin
from ._frame import WalkingFrame

__all__ = ["GaitParameters"]

#: Output features, in order.
_NAMES = (
    "step_time",
    "stride_time",
    "cadence",
    "step_regularity_vertical",
    "stride_regularity_vertical",
    "step_symmetry_vertical",
    "step_regularity_foreaft",
    "stride_regularity_foreaft",
    "stride_regularity_side",
    "rms_vertical",
    "rms_foreaft",
    "rms_side",
    "log_harmonic_ratio_vertical",
    "log_harmonic_ratio_foreaft",
    "log_harmonic_ratio_side",
)
#: Harmonics of the stride frequency in the harmonic ratios.
_N_HARMONICS = 10
#: A stride is sought between these multiples of the step time.
_STRIDE_SEARCH = (1.5, 2.5)


def _unbiased_acf(x):
    """Autocorrelation along the last axis, each lag divided by its overlap."""
    n = x.shape[-1]
    centred = x - x.mean(axis=-1, keepdims=True)
    spectrum = np.fft.rfft(centred, 2 * n, axis=-1)
    acov = np.fft.irfft(spectrum * spectrum.conj(), 2 * n, axis=-1)[..., :n]
    acov /= n - np.arange(n)
    variance = acov[..., :1]
    return np.divide(acov, variance, out=np.zeros_like(acov), where=variance > 1e-12)


def _harmonic_amplitudes(x, stride):
    """Amplitudes of harmonics 1..N of each window's stride frequency, (n, 3, N)."""
    n_timepoints = x.shape[-1]
    t = np.arange(n_timepoints)
    k = np.arange(1, _N_HARMONICS + 1)
    phase = np.exp(-2j * np.pi * k[None, :, None] * t / stride[:, None, None])
    centred = x - x.mean(axis=-1, keepdims=True)
    return np.abs(np.einsum("nct,nkt->nck", centred, phase))


class GaitParameters(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Cadence, step and stride regularity, symmetry and smoothness of every window.

    The gait parameters a lumbar or waist accelerometer gives in clinical
    gait analysis, computed from each window alone. The acceleration is
    turned into its :class:`WalkingFrame` (vertical, fore-aft, side axes
    found from the walk, so the mounting angle does not matter), then, from
    its unbiased autocorrelation (Moe-Nilssen and Helbostad, 2004):

    - **step time** (s): the lag, within ``step_range``, of the highest
      autocorrelation of the vertical acceleration; **stride time**: the
      lag of the highest one between 1.5 and 2.5 step times; **cadence**
      (steps per minute) = 60 / step time;
    - **step and stride regularity**: the autocorrelation at the step and
      stride lags, vertical and fore-aft (stride only for the side axis,
      whose sway repeats every stride); **step symmetry**: vertical step
      regularity / stride regularity (1 for identical left and right steps);
    - **intensity**: the root mean square of the centred acceleration on
      each axis;
    - **smoothness**: the log harmonic ratio of each axis (Menz et al.,
      2003): the amplitudes of the even over the odd harmonics of the
      stride frequency (odd over even for the side axis; 10 harmonics).

    15 features per window. Parameters that need many strides (the
    variability of the stride time) are out of reach of a window; their
    spread over a person's windows is, if the windows are combined per
    person.

    Parameters
    ----------
    rate : float, default=50.0
        Sampling rate of the windows in Hz.
    step_range : (float, float), default=(0.3, 0.8)
        Shortest and longest step time searched, in seconds (cadences of
        75 to 200 steps per minute). Windows must be longer than two of the
        longest steps.

    Attributes
    ----------
    n_channels_ : int
        Number of input channels: the acceleration x, y, z, optionally
        followed by other channels (the rotation rate), which are ignored.
    n_timepoints_ : int
        Number of time points of the windows seen in :meth:`fit`.
    frame_ : WalkingFrame
        The fitted walking frame of the acceleration.

    See Also
    --------
    WalkingFrame : The vertical, fore-aft and side axes.
    GaitStatistics : Distribution and spectral statistics of every channel.
    skgait.datasets.detect_steps : Heel strikes of a whole recording.

    References
    ----------
    R. Moe-Nilssen and J. L. Helbostad. "Estimation of gait cycle
    characteristics by trunk accelerometry". Journal of Biomechanics 37(1),
    2004, pp. 121-126.

    H. B. Menz, S. R. Lord and R. C. Fitzpatrick. "Acceleration patterns of
    the head and pelvis when walking on level and irregular surfaces". Gait
    & Posture 18(1), 2003, pp. 35-46.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import GaitParameters
    >>> t = np.arange(256) / 50                       # steps every 0.5 s
    >>> acc = np.stack([np.sin(4 * np.pi * t + 0.3),  # fore-aft: every step
    ...                 0.5 * np.sin(2 * np.pi * t),  # sway: every stride
    ...                 9.81 + np.sin(4 * np.pi * t)])
    >>> params = GaitParameters(rate=50).fit(acc[None])
    >>> Xt = params.transform(acc[None])
    >>> dict(zip(params.get_feature_names_out()[:3], Xt[0, :3].round(2).tolist()))
    {'step_time': 0.5, 'stride_time': 1.0, 'cadence': 120.0}
    """

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "step_range": [tuple, list],
    }

    def __init__(self, rate=50.0, step_range=(0.3, 0.8)):
        self.rate = rate
        self.step_range = step_range

    def _validate_windows(self, X, *, reset, ensure_finite=True):
        X = super()._validate_windows(X, reset=reset, ensure_finite=ensure_finite)
        if X.shape[1] < 3:
            raise ValueError(
                f"GaitParameters: windows have {X.shape[1]} channels; the first three "
                "must be the acceleration x, y, z."
            )
        return X

    def _check_length(self, X):
        longest = self.frame_.step_range_[1]
        if X.shape[2] <= 2 * longest:
            raise ValueError(
                f"GaitParameters: windows of {X.shape[2]} samples are too short for two "
                f"steps of up to {longest} samples (step_range={self.step_range!r} s at "
                f"{self.rate:g} Hz); use longer windows or a shorter step_range."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc
    def fit(self, X, y=None):
        """Check the windows and the step range.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)
            Acceleration x, y, z first (m/s²), then any other channels.
        {fit_y}

        {fit_returns}
        """
        X = self._validate_windows(X, reset=True)
        steps = tuple(float(s) for s in self.step_range)
        self.frame_ = WalkingFrame(step_range=steps, rate=self.rate).fit(X[:, :3])
        self._check_length(X)
        return self

    def transform(self, X):
        """The gait parameters of every window.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)
            Same channels as in :meth:`fit`.

        Returns
        -------
        Xt : ndarray of shape (n_windows, 15)
            In the order of :meth:`get_feature_names_out`, in the dtype of
            ``X``.
        """
        X = self._validate_windows(X, reset=False)
        self._check_length(X)
        acc = self.frame_.transform(X[:, :3]).astype(np.float64)
        acf = _unbiased_acf(acc)
        n, _, n_timepoints = acc.shape
        rows = np.arange(n)
        low, high = self.frame_.step_range_
        step = low + acf[:, 0, low : high + 1].argmax(axis=1)
        lags = np.arange(n_timepoints)
        lo, hi = _STRIDE_SEARCH
        in_search = (lags >= np.ceil(lo * step)[:, None]) & (lags <= (hi * step)[:, None])
        stride = np.where(in_search, acf[:, 0], -np.inf).argmax(axis=1)
        at_step, at_stride = acf[rows, :, step], acf[rows, :, stride]
        symmetry = np.divide(
            at_step[:, 0],
            at_stride[:, 0],
            out=np.zeros(n),
            where=np.abs(at_stride[:, 0]) > 1e-3,
        )
        harmonics = _harmonic_amplitudes(acc, stride.astype(np.float64))
        even, odd = harmonics[..., 1::2].sum(-1), harmonics[..., 0::2].sum(-1)
        ratio = np.log(np.maximum(even, 1e-12) / np.maximum(odd, 1e-12))
        ratio[:, 2] *= -1  # side: odd over even
        out = np.column_stack(
            [
                step / self.rate,
                stride / self.rate,
                60.0 * self.rate / step,
                at_step[:, 0],
                at_stride[:, 0],
                symmetry,
                at_step[:, 1],
                at_stride[:, 1],
                at_stride[:, 2],
                acc.std(axis=2),
                ratio,
            ]
        )
        return out.astype(X.dtype, copy=False)

    @fill_doc
    def get_feature_names_out(self, input_features=None):
        """Names of the gait parameters.

        {feature_names_out_fixed}
        """
        check_is_fitted(self)
        return np.array(_NAMES, dtype=object)
