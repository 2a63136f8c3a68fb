"""Sample entropy of every channel of every window: how predictable the gait signal is."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._docstring import fill_doc
from ..utils._sklearn_compat import Interval
from ..utils._validation import WindowTransformerMixin
from ._stats import channel_feature_names

__all__ = ["SampleEntropy"]

#: Series compared at once (each needs an (n - m)² table of float32).
_CHUNK = 256


def _matching_pairs(z, m, r):
    """Pairs of templates of length ``m`` and ``m + 1`` within ``r``, per row of ``z``.

    ``z`` is (n_series, n_timepoints); both counts use the same ``n - m``
    templates (Richman and Moorman, 2000) and exclude self-matches.
    """
    n_templates = z.shape[1] - m
    upper = np.triu(np.ones((n_templates, n_templates), dtype=bool), k=1)
    matches_m = np.empty(len(z))
    matches_next = np.empty(len(z))
    for start in range(0, len(z), _CHUNK):
        block = z[start : start + _CHUNK].astype(np.float32)
        distance = np.zeros((len(block), n_templates, n_templates), dtype=np.float32)
        for k in range(m + 1):
            if k == m:
                matches_m[start : start + len(block)] = ((distance <= r) & upper).sum(axis=(1, 2))
            shifted = block[:, k : k + n_templates]
            np.maximum(distance, np.abs(shifted[:, :, None] - shifted[:, None, :]), out=distance)
        matches_next[start : start + len(block)] = ((distance <= r) & upper).sum(axis=(1, 2))
    return matches_m, matches_next


class SampleEntropy(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Sample entropy of every channel of every window (Richman and Moorman, 2000).

    The negative log of the probability that two stretches of ``m``
    samples that match within ``r`` standard deviations still match at the
    next sample: low for a regular, repeating gait, high for an irregular
    one. Each channel of each window is standardised on its own first, so
    the value describes the signal's predictability, not its size. With
    :class:`GravityAlignment` first, the channels (and so the entropies) do
    not depend on how the device was mounted.

    One feature per channel.

    Parameters
    ----------
    m : int, default=2
        Length of the templates compared, in samples.
    r : float, default=0.2
        Tolerance of a match, in standard deviations of the channel within
        the window.

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen in :meth:`fit`.
    n_timepoints_ : int
        Length of the windows seen in :meth:`fit` (informative only).

    See Also
    --------
    GaitParameters : Step and stride regularity from the autocorrelation.

    Notes
    -----
    With ``A`` and ``B`` the numbers of template pairs that match for
    ``m + 1`` and ``m`` samples (``n - m`` templates of each length, no
    self-matches), the sample entropy is ``-log(A / B)``. A channel in which
    no pair matches for ``m + 1`` samples gets the largest value a window of
    ``n`` samples can give, ``log((n - m) (n - m - 1) / 2)``; a constant
    channel (every pair matches) gets 0. Entropies of windows of different
    lengths are not comparable: ``fit`` and ``transform`` should see the
    same length.

    References
    ----------
    Richman J. S., Moorman J. R. (2000). Physiological time-series analysis
    using approximate entropy and sample entropy. American Journal of
    Physiology - Heart and Circulatory Physiology 278(6), H2039-H2049.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import SampleEntropy
    >>> t = np.arange(128) / 50
    >>> regular = np.sin(2 * np.pi * 2 * t)
    >>> noise = np.random.default_rng(0).standard_normal(128)
    >>> X = np.stack([regular, noise])[:, None, :]   # two windows, one channel
    >>> entropy = SampleEntropy().fit_transform(X)
    >>> bool(entropy[0, 0] < entropy[1, 0])
    True
    """

    _fitted_length = "warn"

    _parameter_constraints: dict = {  # noqa: RUF012 (sklearn convention)
        "m": [Interval(numbers.Integral, 1, None, closed="left")],
        "r": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(self, m=2, r=0.2):
        self.m = m
        self.r = r

    @property
    def _min_timepoints(self):
        return self.m + 2

    @fill_doc
    def transform(self, X):
        """Sample entropy of every channel.

        Parameters
        ----------
        {X_transform}

        Returns
        -------
        Xt : ndarray of shape (n_windows, n_channels)
            In the dtype of ``X``.
        """
        X = self._validate_windows(X, reset=False)
        n_windows, n_channels, n_timepoints = X.shape
        series = X.reshape(-1, n_timepoints).astype(np.float64)
        centred = series - series.mean(axis=1, keepdims=True)
        spread = centred.std(axis=1, keepdims=True)
        z = np.divide(centred, spread, out=np.zeros_like(centred), where=spread > 1e-12)
        matches_m, matches_next = _matching_pairs(z, self.m, self.r)
        n_templates = n_timepoints - self.m
        most = np.log(n_templates * (n_templates - 1) / 2)
        entropy = np.full(len(z), most)
        both = matches_next > 0
        entropy[both] = -np.log(matches_next[both] / matches_m[both])
        return entropy.reshape(n_windows, n_channels).astype(X.dtype, copy=False)

    @fill_doc
    def get_feature_names_out(self, input_features=None):
        """Feature names ``ch{k}_sample_entropy``, or ``{input_feature}_sample_entropy``.

        {feature_names_out}
        """
        check_is_fitted(self)
        return channel_feature_names(self.n_channels_, input_features, ("sample_entropy",))
