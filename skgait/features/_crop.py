"""Crop windows to a shorter length, so that window length can be searched.

Window length is a parameter of the *data* (:func:`~skgait.datasets.make_windows`),
not of an estimator: a different length gives a different number of windows,
and ``X``, ``y`` and ``groups`` of a search are fixed. :class:`WindowCrop`
makes it an estimator parameter honestly: cut windows once at the longest
length to consider, and let the search crop them. Every trial then sees the
same windows (same subjects, same start times, same cross-validation folds),
and only the amount of signal behind each decision changes.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._validation import WindowTransformerMixin, to_samples

__all__ = ["WindowCrop"]


class WindowCrop(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Keep a fixed-length part of every window.

    Put it first in a pipeline to search the window length with
    :class:`~skgait.model_selection.OptunaSearchCV` (``crop__length``):
    windows cut at the longest candidate length are cropped to the length of
    each trial.

    Parameters
    ----------
    length : int, float or None, default=None
        Length kept. An int is a number of samples; a float is a duration in
        seconds converted with ``rate`` to ``round(length * rate)`` samples.
        ``None`` keeps whole windows.
    rate : float, default=None
        Sampling rate in Hz, needed when ``length`` is a float.
    position : {"start", "center", "end"}, default="start"
        Which part of the window is kept.

    Attributes
    ----------
    length_ : int
        Length kept, in samples.
    n_channels_, n_timepoints_ : int
        Shape of the windows seen in :meth:`fit`.

    See Also
    --------
    skgait.datasets.make_windows : Cuts the windows; search its ``length``
        in the caller to compare windowing grids (see Notes).

    Notes
    -----
    Cropping keeps the number of windows: the windows are those of the
    longest length (its start times and overlap), so a short length here
    yields fewer windows than ``make_windows(length=short)`` would. That is
    what makes trials comparable. To compare windowing *grids* (overlap,
    number of windows), call ``make_windows`` once per setting and run one
    search per setting with the same subject folds.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features._crop import WindowCrop
    >>> X = np.arange(2 * 1 * 10, dtype=float).reshape(2, 1, 10)
    >>> WindowCrop(length=0.08, rate=50.0).fit_transform(X)[0, 0]
    array([0., 1., 2., 3.])
    >>> WindowCrop(length=4, position="end").fit_transform(X)[0, 0]
    array([6., 7., 8., 9.])
    """

    _parameter_constraints = {  # noqa: RUF012 (sklearn convention)
        "length": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "rate": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "position": [StrOptions({"start", "center", "end"})],
    }

    def __init__(self, length=None, *, rate=None, position="start"):
        self.length = length
        self.rate = rate
        self.position = position

    def _resolve_length(self, n_timepoints):
        if self.length is None:
            return n_timepoints
        length = to_samples(self.length, self.rate, name="length", owner="WindowCrop")
        if length > n_timepoints:
            raise ValueError(
                f"WindowCrop: length {length} samples is longer than the "
                f"windows ({n_timepoints} samples); cut longer windows with "
                "make_windows or search shorter lengths."
            )
        return length

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc
    def fit(self, X, y=None):
        """Check the parameters against the windows.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows.
        {fit_y}

        {fit_returns}
        """
        X = self._validate_windows(X, reset=True)
        self.length_ = self._resolve_length(X.shape[2])
        return self

    def transform(self, X):
        """Crop the windows.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows at least ``length_`` samples long.

        Returns
        -------
        X_cropped : ndarray of shape ``(n_windows, n_channels, length_)``
        """
        X = self._validate_windows(X, reset=False)
        n = X.shape[2]
        if n < self.length_:
            raise ValueError(
                f"WindowCrop: windows have {n} samples, fewer than the "
                f"length {self.length_} set in fit."
            )
        start = {"start": 0, "center": (n - self.length_) // 2, "end": n - self.length_}[
            self.position
        ]
        return np.ascontiguousarray(X[:, :, start : start + self.length_])
