"""Band-limiting of windows to the bandwidth shared by every sensor involved."""

import numbers

import numpy as np
from scipy.signal import butter, sosfiltfilt
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval, _fit_context
from ..utils._validation import WindowTransformerMixin

__all__ = ["BandLimit"]

#: Order of the Butterworth low-pass (applied forward and backward).
_ORDER = 4


def _lowest_nyquist(native_rate, owner):
    """Half the lowest native sampling rate, or None when no rate is given."""
    if native_rate is None:
        return None
    rates = np.asarray(native_rate, dtype=float).ravel()
    if rates.size == 0 or not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(
            f"{owner}: native_rate must hold positive finite rates in Hz (one per "
            "window, for example meta['native_rate'])."
        )
    return float(rates.min()) / 2.0


@fill_doc
class BandLimit(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Low-pass every channel to a bandwidth that every sensor involved has.

    Windows are resampled to one rate (50 Hz) by
    :func:`~skgait.datasets.make_windows`, but a sensor sampled natively at
    20 Hz has nothing above 10 Hz: features of the 10–25 Hz band learnt on a
    200 Hz sensor do not exist in its data. ``BandLimit`` removes what lies
    above ``cutoff_`` (a zero-phase Butterworth low-pass of order 4, applied
    forward and backward), so that a model learns only from the band shared
    by its training and its test data.

    The cutoff is ``cutoff`` if given, else half the lowest ``native_rate``
    passed to :meth:`fit` (the ``native_rate`` column of the window
    metadata; in a pipeline under scikit-learn's metadata routing, request it
    with ``set_fit_request(native_rate=True)`` and
    ``set_transform_request(native_rate=True)``), and never
    above the Nyquist frequency ``rate / 2`` of the windows (where the filter
    is the identity). Set ``cutoff`` to the lowest native Nyquist frequency
    of *all* the data involved, the test data's included, when the training
    data are wider band than the test data.

    Parameters
    ----------
    cutoff : float or None, default=None
        Upper edge of the kept band in Hz.
    rate : float, default=50.0
        Sampling rate of the windows in Hz.

    Attributes
    ----------
    cutoff_ : float
        Cutoff in Hz applied by :meth:`transform` (``rate / 2``: unchanged).
    {n_channels_}

    See Also
    --------
    GaitStatistics : Its ``max_frequency`` drops band powers above the band.
    skgait.model_selection.LeaveOneDatasetOut : The cross-dataset protocol.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import BandLimit
    >>> t = np.arange(128) / 50
    >>> X = (np.sin(2 * np.pi * 2 * t) + np.sin(2 * np.pi * 15 * t))[None, None]
    >>> limit = BandLimit().fit(X, native_rate=[20.0])
    >>> limit.cutoff_
    10.0
    >>> Xt = limit.transform(X)
    >>> spectrum = np.abs(np.fft.rfft(Xt[0, 0]))
    >>> bool(spectrum[np.fft.rfftfreq(128, 1 / 50) > 12].max() < 0.05 * spectrum.max())
    True
    """

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "cutoff": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "rate": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(self, cutoff=None, rate=50.0):
        self.cutoff = cutoff
        self.rate = rate

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc
    def fit(self, X, y=None, native_rate=None):
        """Set the cutoff.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)
        {fit_y}
        native_rate : array-like of shape (n_windows,), default=None
            Native sampling rate of the recording of each window in Hz
            (``meta["native_rate"]``); used when ``cutoff`` is None.

        {fit_returns}
        """
        self._validate_windows(X, reset=True)
        candidates = [self.rate / 2.0]
        if self.cutoff is not None:
            candidates.append(float(self.cutoff))
        else:
            nyquist = _lowest_nyquist(native_rate, type(self).__name__)
            if nyquist is not None:
                candidates.append(nyquist)
        self.cutoff_ = min(candidates)
        return self

    def transform(self, X, native_rate=None):
        """Low-pass every channel below ``cutoff_``.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)
        native_rate : array-like of shape (n_windows,), default=None
            Native sampling rates of these windows. If given, windows whose
            bandwidth ends below ``cutoff_`` are refused: the model would
            read features that their sensor never recorded.

        Returns
        -------
        Xt : ndarray of shape (n_windows, n_channels, n_timepoints)
            In the dtype of ``X``.
        """
        X = self._validate_windows(X, reset=False)
        owner = type(self).__name__
        nyquist = _lowest_nyquist(native_rate, owner)
        if nyquist is not None and nyquist < self.cutoff_ * (1 - 1e-6):
            raise ValueError(
                f"{owner}: these windows come from a sensor sampled at "
                f"{2 * nyquist:g} Hz, whose bandwidth ends at {nyquist:g} Hz, below "
                f"the cutoff_ of {self.cutoff_:g} Hz set in fit. Refit with "
                f"cutoff={nyquist:g} (the lowest native Nyquist frequency of all the "
                "data involved)."
            )
        if self.cutoff_ >= self.rate / 2.0:
            return X.copy()
        sos = butter(_ORDER, self.cutoff_, fs=self.rate, output="sos")
        padlen = min(X.shape[2] - 1, 3 * (2 * len(sos) + 1))
        out = sosfiltfilt(sos, X.astype(np.float64), axis=2, padlen=padlen)
        return out.astype(X.dtype, copy=False)

    @fill_doc
    def get_feature_names_out(self, input_features=None):
        """Channel names, unchanged.

        {feature_names_out}
        """
        check_is_fitted(self)
        if input_features is None:
            input_features = [f"ch{k}" for k in range(self.n_channels_)]
        return np.asarray(input_features, dtype=object)
