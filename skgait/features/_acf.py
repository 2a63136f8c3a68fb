"""Sample autocorrelation function of windows, as in BioDeep (eq. 1-2).

The transformer :class:`ACFTransformer` turns windows
``(n_windows, n_channels, n_timepoints)`` into the autocorrelation of every
channel at lags ``1..lags``.

Two kernels compute the lagged sums
``g[h] = sum_{t < n-h} (x[t] - mean) * (x[t+h] - mean)`` of every series (one
channel of one window) of a C-contiguous ``(n_series, n_timepoints)`` array:

- :func:`_acf_direct`: numba, one read of ``X``. Each thread takes chunks
  of consecutive series and keeps two buffers of a few KiB in L1 cache: the
  current series, centred (the pass that centres it also sums ``g[0]``),
  and the next one. The lagged sums run ten lags per pass over the buffer
  (``buf`` ends with zeros, so a block may reach past the last lag and no
  single-lag pass is left over): every load feeds ten multiply-adds. The
  first pass also copies the next series from ``X`` (its sum and constant
  check), so that its read from memory, prefetched at the start of the
  series, overlaps with the multiply-adds. Cost ``O(n_timepoints *
  n_lags)`` per series.
- :func:`_acf_fft`: ``scipy.fft`` on chunks of series (Wiener-Khinchin), cost
  ``O(n_timepoints log n_timepoints)`` per series whatever the number of
  lags; it wins only for many lags on long series (see
  :data:`FFT_MIN_LAGS_PER_LOG2`).

Both write ``acf[h] = g[h] / g[0]`` in the dtype of the input and count the
constant series (written as zeros). The ACF is scale invariant, so a series
whose lagged sums overflow or underflow float64 (``sum((x - mean)**2)``
beyond about ``1e210`` or below ``1e-210``) is multiplied by a power of two,
which is exact, and summed again: any finite input gives its finite ACF,
never NaN. Gait signals never take that path; the others pay one range
check of ``g[0]`` per series (its cost: the Speed section of the features
page of the user guide).

Floating point: sums are accumulated in float64 for float32 and float64
input. The numba kernel is compiled with ``fastmath={"reassoc", "contract"}``
only: re-association lets LLVM split each sum over the lanes of a SIMD
register (with ``fastmath=False`` every reduction stays a scalar dependency
chain, measured slower: the features page), and contraction allows fused
multiply-adds. Neither flag lets the compiler assume away NaN or infinity (a
series holding one gives a sum out of range, and the kernel reports it). The
result is deterministic on a given machine; it differs from a left-to-right
sum by a few units in the last place and is usually closer to the exact
value.
"""

import math
import numbers
import threading
import warnings

import numba
import numpy as np
from llvmlite import ir as llvm_ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic
from scipy import fft as sp_fft
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import check_is_fitted

from ..exceptions import ConstantSeriesWarning
from ..utils._cache import use_numba_cache_home
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context, _get_output_config
from ..utils._validation import WindowTransformerMixin, to_samples

use_numba_cache_home()

__all__ = ["ACFTransformer"]

_FASTMATH = {"reassoc", "contract"}

# Range of gamma(0) * n = sum((x - mean)**2) in which the lagged sums of a
# series (of fewer than 2**200 points) have neither overflowed (|g[h]| <=
# g[0]) nor lost digits to underflow (max (x - mean)**2 >= g[0] / n). Outside
# it the series is rescaled and summed again (see _rescale).
_SMALL = 2.0**-700
_BIG = 2.0**700

#: ``method="auto"`` uses the FFT when ``n_lags + 1 > FFT_MIN_LAGS_PER_LOG2 *
#: log2(nfft)``. Measured on a 2-core Xeon (AVX2/AVX-512), float64: at
#: ``n_timepoints=500`` the direct kernel takes 1.7 ms per lag for 120 000
#: series and the FFT about 0.8 s whatever the lag count, so the FFT never
#: wins below the 499 possible lags; at ``n_timepoints=4096`` the crossover
#: is near 300 lags. See ``benchmarks/bench_acf.py``.
FFT_MIN_LAGS_PER_LOG2 = 30.0

# Numba's "workqueue" threading layer aborts the process when two Python
# threads launch parallel kernels at the same time; serialise launches.
_LAUNCH_LOCK = threading.Lock()

# Lags summed per pass over a series by the direct kernel (see _lag_block).
_BLOCK = 10


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask the CPU to fetch the cache line of ``array[index]`` into every cache.

    LLVM's ``prefetch`` hint: it changes no value and never faults.
    """

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        array_struct = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(
            context, builder, array_type, array_struct, [args[1]], wraparound=False
        )
        byte_pointer = llvm_ir.IntType(8).as_pointer()
        i32 = llvm_ir.IntType(32)
        function = builder.module.declare_intrinsic(
            "llvm.prefetch",
            [byte_pointer],
            llvm_ir.FunctionType(llvm_ir.VoidType(), [byte_pointer, i32, i32, i32]),
        )
        # A read (0), kept in every cache level (3), of data (1).
        builder.call(function, [builder.bitcast(pointer, byte_pointer), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


@njit(inline="always", fastmath=_FASTMATH)
def _centre(buf, n, mean):
    """``buf[:n] -= mean``; returns ``g[0] = sum(buf[:n]**2)`` of the result."""
    g0 = 0.0
    for t in range(n):
        c = buf[t] - mean
        buf[t] = c
        g0 += c * c
    return g0


@njit(inline="always", fastmath=_FASTMATH)
def _lag_block(buf, n, k, g, x_next, buf_next):
    """``g[h] = sum_t buf[t] * buf[t+h]`` for the ``_BLOCK`` lags ``h = k..k+9``.

    ``buf`` holds the centred series followed by at least ``_BLOCK`` zeros,
    so the block may read past ``n - h`` and add only zeros; every load of
    ``buf[t]`` feeds ten multiply-adds. Unless ``x_next`` is None (a branch
    numba removes at compile time), the same loop copies the next series
    ``x_next`` into ``buf_next`` and returns its sum and the number of its
    values that differ from its first (``k`` must then be 1, so that the
    loop covers all ``n`` points): its read from memory overlaps with the
    multiply-adds instead of stalling them. Returns ``(0.0, 0)`` otherwise.
    """
    b0 = buf[k:]
    b1 = buf[k + 1 :]
    b2 = buf[k + 2 :]
    b3 = buf[k + 3 :]
    b4 = buf[k + 4 :]
    b5 = buf[k + 5 :]
    b6 = buf[k + 6 :]
    b7 = buf[k + 7 :]
    b8 = buf[k + 8 :]
    b9 = buf[k + 9 :]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = 0.0
    s_next = 0.0
    n_diff = 0
    if x_next is not None:
        first = x_next[0]
    for t in range(n - k + 1):
        if x_next is not None:
            v = x_next[t]
            s_next += v
            n_diff += v != first
            buf_next[t] = v
        a = buf[t]
        s0 += a * b0[t]
        s1 += a * b1[t]
        s2 += a * b2[t]
        s3 += a * b3[t]
        s4 += a * b4[t]
        s5 += a * b5[t]
        s6 += a * b6[t]
        s7 += a * b7[t]
        s8 += a * b8[t]
        s9 += a * b9[t]
    g[k] = s0
    g[k + 1] = s1
    g[k + 2] = s2
    g[k + 3] = s3
    g[k + 4] = s4
    g[k + 5] = s5
    g[k + 6] = s6
    g[k + 7] = s7
    g[k + 8] = s8
    g[k + 9] = s9
    return s_next, n_diff


@njit(inline="always", fastmath=_FASTMATH)
def _lagged_sums(buf, n, max_lag, g, x_next, buf_next):
    """``g[1..max_lag]`` of the centred series in ``buf``, ``_BLOCK`` lags a pass.

    The last block may write up to ``g[max_lag + 9]``. The first block
    copies ``x_next`` (see :func:`_lag_block`), whose sum and count of
    values different from its first are returned.
    """
    s_next, n_diff = _lag_block(buf, n, 1, g, x_next, buf_next)
    for k in range(1 + _BLOCK, max_lag + 1, _BLOCK):
        _lag_block(buf, n, k, g, None, None)
    return s_next, n_diff


@njit
def _rescale(x, n, buf):
    """``buf[t] = x[t] * 2**-e`` with ``2**(e-1) <= max |x| < 2**e``; returns the sum.

    The ACF does not change when a series is multiplied by a positive
    constant, and a power of two multiplies exactly, so the values are scaled
    to ``max |x|`` in ``[0.5, 1)``: nothing overflows, and once centred the
    values of a series that is not constant are at least about ``2**-54``,
    so their squares do not underflow. The sum is not finite if ``x`` holds
    NaN or infinity. Used only for series out of the safe range, so speed
    does not matter; ``ldexp`` (not a product with ``2.0**-e``, which may not
    be representable, nor two products, which fastmath may re-associate)
    scales each value.
    """
    amax = 0.0
    for t in range(n):
        a = abs(x[t])
        if a > amax:  # ignores NaN, caught by the sum
            amax = a
    if not np.isfinite(amax):
        return amax
    e = -math.frexp(amax)[1]
    s = 0.0
    for t in range(n):
        v = math.ldexp(x[t], e)
        buf[t] = v
        s += v
    return s


@njit(fastmath=_FASTMATH)
def _rescaled_lagged_sums(x, n, buf, max_lag, g):
    """``g[0..max_lag]`` of ``x`` rescaled by :func:`_rescale` (False for NaN, inf).

    A separate function, so that the rare path does not add a second
    inlined copy of the sums to the kernel.
    """
    s = _rescale(x, n, buf)
    if not np.isfinite(s):
        return False
    g[0] = _centre(buf, n, s / n)
    _lagged_sums(buf, n, max_lag, g, None, None)
    return True


@njit(parallel=True, fastmath=_FASTMATH, cache=True)
def _acf_direct_kernel(X, max_lag, first_lag, out, n_constant, n_nonfinite):
    n_series, n = X.shape
    n_chunks = n_constant.shape[0]
    chunk = (n_series + n_chunks - 1) // n_chunks
    n_out = max_lag + 1 - first_lag
    line = max(1, 64 // X.itemsize)  # values per 64-byte cache line
    for c in prange(n_chunks):
        start = c * chunk
        stop = min(n_series, start + chunk)
        # The series being summed and the next one (copied from X while the
        # first block of lags runs), each followed by zeros for the lags
        # that reach past its end.
        bufs = np.zeros((2, n + _BLOCK), dtype=np.float64)
        g = np.empty(max_lag + _BLOCK, dtype=np.float64)
        count = 0
        bad = 0
        s = 0.0
        n_diff = 0
        if start < stop:
            # Copies the chunk's first series (the lags of zeros are unused).
            s, n_diff = _lag_block(bufs[1], n, 1, g, X[start], bufs[0])
        for i in range(start, stop):
            buf = bufs[(i - start) % 2]
            buf_next = bufs[(i - start + 1) % 2]
            # The last series copies itself again, unused.
            x_next = X[min(i + 1, stop - 1)]
            for t in range(0, n, line):
                _prefetch(x_next, t)
            x = X[i]
            constant = n_diff == 0 and np.isfinite(x[0])
            # Not finite when the sum is not: the range check below catches it.
            g[0] = _centre(buf, n, s / n)
            s, n_diff = _lagged_sums(buf, n, max_lag, g, x_next, buf_next)
            r = out[i]
            if constant:
                # gamma(0) = 0, the ACF is defined as 0.
                for h in range(n_out):
                    r[h] = 0.0
                count += 1
                continue
            # |g[h]| <= g[0] = sum((x - mean)**2): in range, nothing
            # overflowed nor lost digits to underflow (False for NaN).
            if not (_SMALL <= g[0] <= _BIG):
                if not _rescaled_lagged_sums(x, n, buf, max_lag, g):
                    # NaN or infinity in the series: reported to the
                    # caller, which raises.
                    bad += 1
                    continue
            g0 = g[0]
            g_out = g[first_lag:]
            for h in range(n_out):
                r[h] = g_out[h] / g0
        n_constant[c] = count
        n_nonfinite[c] = bad


def _acf_direct(X, max_lag, include_lag0, out):
    """Fill ``out`` (n_series, n_lags_out) with the ACF of the rows of ``X``.

    Returns the number of constant rows. NaN and infinity are detected in the
    kernel's first pass over each row (its sum), which saves a separate
    validation pass over ``X``; the exact check runs only when one is found.
    """
    n_chunks = max(1, min(X.shape[0], 16 * numba.get_num_threads()))
    n_constant = np.zeros(n_chunks, dtype=np.int64)
    n_nonfinite = np.zeros(n_chunks, dtype=np.int64)
    # Chunks are handed to threads one at a time (dynamic scheduling), so a
    # core slowed down by another process does not hold the others back.
    with _LAUNCH_LOCK, numba.parallel_chunksize(1):
        _acf_direct_kernel(X, max_lag, 0 if include_lag0 else 1, out, n_constant, n_nonfinite)
    if n_nonfinite.any():
        assert_all_finite(X, input_name="X")  # raises sklearn's NaN/inf message
        raise RuntimeError(
            "ACFTransformer: the kernel reported a non-finite series in a "
            "finite X; this is a bug, please report it."
        )
    return int(n_constant.sum())


def _nfft(n_timepoints, max_lag):
    # Zero-padding to n + max_lag makes the circular correlation linear for
    # the lags kept.
    return sp_fft.next_fast_len(n_timepoints + max_lag, real=True)


def _use_fft(n_timepoints, max_lag):
    """Whether ``method="auto"`` picks the FFT for these sizes."""
    nfft = _nfft(n_timepoints, max_lag)
    return max_lag + 1 > FFT_MIN_LAGS_PER_LOG2 * np.log2(nfft)


def _acf_fft(X, max_lag, include_lag0, out, chunk_bytes=8 * 2**20):
    """FFT version of :func:`_acf_direct`, working on chunks of ``X``.

    Extra memory is bounded by ``chunk_bytes`` times a small factor.
    """
    assert_all_finite(X, input_name="X")
    n_series, n = X.shape
    nfft = _nfft(n, max_lag)
    first_lag = 0 if include_lag0 else 1
    rows = max(1, chunk_bytes // (16 * (nfft // 2 + 1)))
    n_constant = 0
    for start in range(0, n_series, rows):
        x = np.asarray(X[start : start + rows], dtype=np.float64)
        constant = (x == x[:, :1]).all(axis=1)
        # Scale each series exactly (by a power of two) to max |x| in
        # [0.5, 1): the ACF is scale invariant, and the power spectrum then
        # neither overflows nor underflows.
        exponent = np.frexp(np.abs(x).max(axis=1))[1]
        xc = np.ldexp(x, -exponent[:, None])
        xc -= xc.mean(axis=1, keepdims=True)
        spec = sp_fft.rfft(xc, nfft, axis=1, workers=-1)
        power = spec.real**2 + spec.imag**2
        del spec
        g = sp_fft.irfft(power, nfft, axis=1, workers=-1)[:, : max_lag + 1]
        g0 = g[:, :1].copy()
        g0[constant] = 1.0
        acf = g[:, first_lag:] / g0
        acf[constant] = 0.0
        out[start : start + rows] = acf
        n_constant += int(constant.sum())
    return n_constant


class ACFTransformer(WindowTransformerMixin, TransformerMixin, BaseEstimator):
    """Sample autocorrelation function of every channel of every window.

    Implements eq. 1-2 of BioDeep (Mostafa et al., 2021): for a series
    ``x_1..x_n`` with one sample mean ``x̄`` over the whole series,

    .. math::

        \\gamma(h) = \\frac{1}{n} \\sum_{t=1}^{n-h} (x_{t+h} - \\bar{x})
        (x_t - \\bar{x}), \\qquad acf(h) = \\gamma(h) / \\gamma(0),

    for ``h = 1..lags`` (and ``h = 0`` with ``include_lag0=True``). This is the
    biased estimator of :func:`statsmodels.tsa.stattools.acf` with
    ``adjusted=False``: the divisor is ``n`` at every lag (so ``|acf| <= 1``
    and the sequence is positive semi-definite), and the two overlapping
    segments share the mean of the whole series. It differs from a Pearson
    correlation of ``x[:-h]`` and ``x[h:]`` (aeon's
    ``AutocorrelationFunctionTransformer``) and from tsfresh's
    ``autocorrelation`` (divisor ``(n - h) * variance``).

    The transformer is stateless: :meth:`fit` validates the parameters and
    records the number of channels and the resolved number of lags. Windows
    passed to :meth:`transform` may have a different length from those seen
    in :meth:`fit`, but must have the same channels.

    Parameters
    ----------
    lags : int or float, default=10
        Largest lag. An int is a number of samples. A float is a duration in
        seconds, converted with ``rate`` to ``round(lags * rate)`` samples
        (e.g. ``lags=0.2, rate=50`` gives 10 lags).
    output : {"flat", "3d"}, default="flat"
        ``"flat"`` returns ``(n_windows, n_channels * n_lags)`` ordered
        channel-major (``acc_x_lag1, acc_x_lag2, ..., acc_y_lag1, ...``) for
        tabular models; ``"3d"`` returns ``(n_windows, n_channels, n_lags)``
        for a CNN. Only ``"flat"`` supports ``set_output(transform="pandas")``.
    include_lag0 : bool, default=False
        Also output lag 0, which is 1 (0 for a constant series).
    rate : float, default=None
        Sampling rate in Hz, needed when ``lags`` is a float.
    channel_names : list of str, default=None
        Names of the channels, e.g. :data:`skgait.datasets.CHANNELS`, used by
        :meth:`get_feature_names_out`. ``None`` names them ``ch0, ch1, ...``.
    constant : {"zero", "raise"}, default="zero"
        What to do with a constant series, whose ``gamma(0)`` is 0 and whose
        ACF is undefined: ``"zero"`` outputs 0 at every lag and emits a
        :class:`~skgait.exceptions.ConstantSeriesWarning` with the number of such series;
        ``"raise"`` raises a ``ValueError``. The output never holds NaN.
    method : {"auto", "direct", "fft"}, default="auto"
        ``"direct"`` sums the lagged products (numba, ``O(n * lags)`` per
        series, fastest for gait windows); ``"fft"`` uses ``scipy.fft``
        (``O(n log n)``, chunked so that extra memory stays small);
        ``"auto"`` picks the FFT only for many lags on long windows, from a
        measured crossover (``lags + 1 > 30 * log2(nfft)``).

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen in :meth:`fit`.
    n_timepoints_ : int
        Length of the windows seen in :meth:`fit`; :meth:`transform` warns
        on windows of another length.
    lags_ : int
        Largest lag, in samples.
    channel_names_ : ndarray of str of shape ``(n_channels_,)``
        Channel names used in the feature names.

    See Also
    --------
    statsmodels.tsa.stattools.acf : Same estimator for one series.

    Notes
    -----
    The computation reads ``X`` once (float32 is read as float32, sums are
    accumulated in float64) and allocates nothing but the output. It runs on
    ``numba.get_num_threads()`` threads; set ``NUMBA_NUM_THREADS`` or call
    :func:`numba.set_num_threads` to change that.

    References
    ----------
    A. Mostafa, S. Elsagheer, W. Gomaa. "BioDeep: A Deep Learning System for
    IMU-based Human Biometrics Recognition". ICINCO 2021, pp. 620-629.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.features import ACFTransformer
    >>> t = np.arange(100) / 50
    >>> X = np.stack([np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)])[None]
    >>> X.shape
    (1, 2, 100)
    >>> acf = ACFTransformer(lags=3, channel_names=["acc_x", "acc_y"]).fit(X)
    >>> acf.transform(X).round(3)
    array([[0.992, 0.969, 0.931, 0.972, 0.93 , 0.873]])
    >>> acf.get_feature_names_out()[:3]
    array(['acc_x_lag1', 'acc_x_lag2', 'acc_x_lag3'], dtype=object)
    >>> ACFTransformer(lags=0.04, rate=50, output="3d").fit_transform(X).shape
    (1, 2, 2)
    """

    _fitted_length = "warn"

    _parameter_constraints: dict = {
        "lags": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "output": [StrOptions({"flat", "3d"})],
        "include_lag0": ["boolean"],
        "rate": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "channel_names": ["array-like", None],
        "constant": [StrOptions({"zero", "raise"})],
        "method": [StrOptions({"auto", "direct", "fft"})],
    }

    def __init__(
        self,
        lags=10,
        output="flat",
        include_lag0=False,
        rate=None,
        channel_names=None,
        constant="zero",
        method="auto",
    ):
        self.lags = lags
        self.output = output
        self.include_lag0 = include_lag0
        self.rate = rate
        self.channel_names = channel_names
        self.constant = constant
        self.method = method

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and record the shape of the windows.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows.
        y : None
            Ignored.

        Returns
        -------
        self : ACFTransformer
            Fitted transformer.
        """
        return self._fit_shape(self._validate_windows(X, reset=True))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return its autocorrelation, reading ``X`` once.

        Equivalent to ``fit(X).transform(X)``; NaN and infinity are detected
        by the kernel's pass over ``X`` instead of a separate one.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows.
        y : None
            Ignored.

        Returns
        -------
        X_acf : ndarray
            See :meth:`transform`.
        """
        self._fit_shape(self._validate_windows(X, reset=True, ensure_finite=False))
        return self.transform(X)

    def _fit_shape(self, X):
        _, n_channels, n_timepoints = X.shape
        lags = to_samples(self.lags, self.rate, name="lags", owner="ACFTransformer", unit="lag")
        self._check_lags(lags, n_timepoints)
        if self.channel_names is None:
            names = [f"ch{i}" for i in range(n_channels)]
        else:
            names = [str(name) for name in self.channel_names]
            if len(names) != n_channels:
                raise ValueError(
                    f"ACFTransformer: channel_names has {len(names)} names "
                    f"({names}) but X has {n_channels} channels."
                )
        self.lags_ = lags
        self.channel_names_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X):
        """Autocorrelation of every channel of every window.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints)
            Windows, float32 or float64 (other dtypes are converted to
            float64). ``n_timepoints`` must exceed ``lags_``; it may differ
            from the one seen in :meth:`fit`, with a ``UserWarning`` (lags
            count samples, so they then stand for other times).

        Returns
        -------
        X_acf : ndarray of shape (n_windows, n_channels * n_lags) or \
(n_windows, n_channels, n_lags)
            ``acf(1..lags_)`` per channel (``acf(0..lags_)`` with
            ``include_lag0=True``), channel-major, in the dtype of ``X``.

        Raises
        ------
        ValueError
            If ``X`` is not 3-D, holds NaN or infinity, has a different
            number of channels from :meth:`fit`, has ``n_timepoints <=
            lags_``, or holds a constant series with ``constant="raise"``.
        """
        if self.output == "3d":
            dense = _get_output_config("transform", self)["dense"]
            if dense != "default":
                raise ValueError(
                    f"ACFTransformer(output='3d') returns a 3-D array, which "
                    f"cannot be a {dense} DataFrame; use output='flat' with "
                    f"set_output(transform={dense!r}), or "
                    "set_output(transform='default')."
                )
        # NaN and infinity are detected by the kernels (no extra pass).
        X = self._validate_windows(X, reset=False, ensure_finite=False)
        n_windows, n_channels, n_timepoints = X.shape
        self._check_lags(self.lags_, n_timepoints)
        n_out = self.lags_ + int(self.include_lag0)
        out = np.empty((n_windows, n_channels, n_out), dtype=X.dtype)
        series = X.reshape(n_windows * n_channels, n_timepoints)
        out_series = out.reshape(n_windows * n_channels, n_out)
        use_fft = self.method == "fft" or (
            self.method == "auto" and _use_fft(n_timepoints, self.lags_)
        )
        compute = _acf_fft if use_fft else _acf_direct
        n_constant = compute(series, self.lags_, self.include_lag0, out_series)
        if n_constant:
            message = (
                f"{n_constant} of {series.shape[0]} series (window x channel) "
                "are constant, so their autocorrelation is undefined"
            )
            if self.constant == "raise":
                raise ValueError(
                    f"ACFTransformer: {message}. Drop those windows, or set "
                    "constant='zero' to output 0 for them."
                )
            warnings.warn(
                f"ACFTransformer: {message}; it was set to 0 at every lag.",
                ConstantSeriesWarning,
                stacklevel=2,
            )
        if self.output == "flat":
            return out.reshape(n_windows, n_channels * n_out)
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the flat output features, ``{channel}_lag{h}``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Channel names; ``None`` uses ``channel_names_``.

        Returns
        -------
        feature_names_out : ndarray of str of shape ``(n_channels_ * n_lags,)``
            Channel-major names, e.g. ``acc_x_lag1, acc_x_lag2, ...``.
        """
        check_is_fitted(self)
        if input_features is None:
            names = self.channel_names_
        else:
            names = np.asarray(input_features, dtype=object)
            if names.shape != (self.n_channels_,):
                raise ValueError(
                    f"ACFTransformer: input_features has {names.size} names "
                    f"but the transformer was fitted on {self.n_channels_} "
                    "channels."
                )
        first = 0 if self.include_lag0 else 1
        return np.asarray(
            [f"{ch}_lag{h}" for ch in names for h in range(first, self.lags_ + 1)],
            dtype=object,
        )

    @staticmethod
    def _check_lags(lags, n_timepoints):
        if lags >= n_timepoints:
            raise ValueError(
                f"ACFTransformer: lags={lags} needs windows longer than {lags} "
                f"time points, but X has n_timepoints={n_timepoints}. Use "
                f"lags <= {n_timepoints - 1} or longer windows."
            )
