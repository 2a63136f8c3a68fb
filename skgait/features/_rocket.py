"""Random-bias convolution features in the manner of MiniRocket (Dempster et al., 2021)."""

import itertools
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval, _fit_context
from ..utils._validation import WindowTransformerMixin

__all__ = ["MiniRocketFeatures"]

#: MiniRocket's kernels: length 9, weight 2 at 3 positions and -1 elsewhere (84 kernels).
_KERNELS = np.array(list(itertools.combinations(range(9), 3)), dtype=np.intp)

#: Windows convolved at once (bounds the memory of one batch; float32 inside).
_BATCH = 1024


def _centred(X):
    """Windows minus their mean per channel: the kernels sum to zero, so only
    rounding changes (a gravity offset would cost float32 precision)."""
    X = X.astype(np.float64)
    return X - X.mean(axis=2, keepdims=True)


def _dilated_shifts(X, dilation):
    """The 9 taps of a length-9 kernel at ``dilation``: valid part, ``(9, n, c, L)``."""
    length = X.shape[2] - 8 * dilation
    return np.stack([X[:, :, j * dilation : j * dilation + length] for j in range(9)])


def _convolutions(shifts):
    """Output of every kernel: ``-sum(taps) + 3 * (sum of its 3 weight-2 taps)``."""
    total = shifts.sum(axis=0)
    for a, b, c in _KERNELS:
        yield 3.0 * (shifts[a] + shifts[b] + shifts[c]) - total


@fill_doc
class MiniRocketFeatures(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Proportion of positive values of random-bias dilated convolutions, per channel.

    The features of MiniRocket (Dempster, Schmidt and Webb, 2021): the 84
    kernels of length 9 with weights -1 and 2 (three 2s), each applied at a
    few dilations (exponentially spaced up to the window length) to every
    channel; every output is compared with biases drawn in :meth:`fit` as
    quantiles of the convolution outputs of training windows, and a feature
    is the proportion of positive values (PPV) of ``output - bias``.
    Because each kernel sums to zero, a constant offset (gravity) does not
    change the outputs. A followed linear model (ridge) is the classifier
    of MiniRocket.

    This is a small NumPy version with two simplifications: every channel is
    convolved on its own (MiniRocket sums random combinations of channels)
    and the convolutions are not padded.

    Parameters
    ----------
    n_dilations : int, default=6
        Largest number of dilations per kernel, spaced as ``2 ** linspace(0,
        log2(max_dilation))`` (duplicates removed), ``max_dilation`` the
        largest that fits in a window.
    n_biases : int, default=2
        Biases per kernel, dilation and channel.
    n_fit_windows : int, default=256
        Training windows whose convolution outputs give the bias quantiles.
    random_state : int, RandomState instance or None, default=None
        Seed of the quantile levels and of the windows drawn for them.

    Attributes
    ----------
    dilations_ : ndarray of int
        Dilations used.
    biases_ : ndarray of shape (n_dilations, 84, n_channels, n_biases)
        Biases of every kernel, dilation and channel.
    {n_channels_}
    n_timepoints_ : int
        Window length seen in :meth:`fit`; :meth:`transform` needs the same.

    See Also
    --------
    GaitStatistics : Hand-made statistics of every channel.

    References
    ----------
    A. Dempster, D. F. Schmidt and G. I. Webb. "MiniRocket: A very fast
    (almost) deterministic transform for time series classification".
    Proceedings of the 27th ACM SIGKDD Conference on Knowledge Discovery and
    Data Mining, 2021, pp. 248-257.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import MiniRocketFeatures
    >>> X = np.random.default_rng(0).normal(size=(8, 2, 64))
    >>> rocket = MiniRocketFeatures(n_dilations=3, random_state=0).fit(X)
    >>> rocket.dilations_.tolist()
    [1, 2, 7]
    >>> rocket.transform(X).shape   # 84 kernels x 3 dilations x 2 channels x 2 biases
    (8, 1008)
    """

    _min_timepoints = 9
    # the dilations depend on the length
    _fitted_length = "raise"

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "n_dilations": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_biases": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_fit_windows": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, n_dilations=6, n_biases=2, n_fit_windows=256, random_state=None):
        self.n_dilations = n_dilations
        self.n_biases = n_biases
        self.n_fit_windows = n_fit_windows
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc
    def fit(self, X, y=None):
        """Choose the dilations and draw the biases from training windows.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)
            Windows of at least 9 time points.
        {fit_y}

        {fit_returns}
        """
        X = self._validate_windows(X, reset=True)
        rng = check_random_state(self.random_state)
        max_dilation = (X.shape[2] - 1) // 8
        exponents = np.linspace(0, np.log2(max_dilation), self.n_dilations)
        self.dilations_ = np.unique(np.floor(2**exponents).astype(int))
        sample = X[rng.choice(len(X), min(len(X), self.n_fit_windows), replace=False)]
        levels = rng.uniform(0.1, 0.9, size=(len(self.dilations_), len(_KERNELS), self.n_biases))
        self.biases_ = np.empty(
            (len(self.dilations_), len(_KERNELS), X.shape[1], self.n_biases), dtype=np.float64
        )
        for d, dilation in enumerate(self.dilations_):
            shifts = _dilated_shifts(_centred(sample), dilation)
            for k, out in enumerate(_convolutions(shifts)):
                values = out.transpose(1, 0, 2).reshape(X.shape[1], -1)
                self.biases_[d, k] = np.quantile(values, levels[d, k], axis=1).T
        return self

    def transform(self, X):
        """PPV of every kernel, dilation, channel and bias.

        Parameters
        ----------
        X : ndarray of shape (n_windows, n_channels, n_timepoints)

        Returns
        -------
        Xt : ndarray of shape (n_windows, n_features)
            In the dtype of ``X``; features ordered by dilation, kernel,
            channel, bias.
        """
        X = self._validate_windows(X, reset=False)
        out = np.empty((len(X), self.biases_[..., 0].size * self.n_biases), dtype=X.dtype)
        for start in range(0, len(X), _BATCH):
            batch = _centred(X[start : start + _BATCH]).astype(np.float32)
            parts = []
            for d, dilation in enumerate(self.dilations_):
                shifts = _dilated_shifts(batch, dilation)
                for k, conv in enumerate(_convolutions(shifts)):
                    biases = self.biases_[d, k].astype(np.float32)
                    counts = [
                        (conv > biases[None, :, b, None]).sum(axis=2) for b in range(self.n_biases)
                    ]
                    parts.append(np.stack(counts, axis=2).reshape(len(batch), -1) / conv.shape[2])
            out[start : start + _BATCH] = np.concatenate(parts, axis=1)
        return out
