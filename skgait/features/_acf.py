"""Sample autocorrelation function of windows, as in BioDeep (eq. 1-2).

The transformer :class:`ACFTransformer` turns windows
``(n_windows, n_channels, n_timepoints)`` into the autocorrelation of every
channel at lags ``1..lags``.

Two kernels compute the lagged sums
``g[h] = sum_{t < n-h} (x[t] - mean) * (x[t+h] - mean)`` of every series (one
channel of one window) of a C-contiguous ``(n_series, n_timepoints)`` array:

- :func:`_acf_direct`: numba, one read of ``X``, ``O(n_timepoints *
  n_lags)`` per series. Each thread takes chunks of consecutive series and
  sums them in blocks of eight, one series per lane of a vector of eight
  float64 (a 512-bit register on CPUs with AVX-512; numba's own loops use
  256-bit ones there): 8 x 8 transposes copy a block from ``X`` into a
  buffer of 32 KiB (float64 block of 500 points) where ``T[8 * t + j]`` is
  point ``t`` of series ``j``, and sum its rows; one pass centres it; one
  pass per eleven lags (lag 0 and the next ten: one pass for 10 lags) adds
  ``T[t] * T[t + h]``, a vector of eight products, with aligned loads and
  no shuffles, and prefetches the next block from memory meanwhile, so that
  the read of ``X`` overlaps with the multiply-adds.
- :func:`_acf_fft`: ``scipy.fft`` on chunks of series (Wiener-Khinchin), cost
  ``O(n_timepoints log n_timepoints)`` per series whatever the number of
  lags; it wins only for many lags on long series (see
  :data:`FFT_MIN_LAGS_PER_LOG2`).

Both write ``acf[h] = g[h] / g[0]`` in the dtype of the input and count the
constant series (written as zeros; the direct kernel compares the values
of a series only when its ``g[0]`` is small enough for that, see
:func:`_is_constant`). The ACF is scale invariant, so a series
whose lagged sums overflow or underflow float64 (``sum((x - mean)**2)``
beyond about ``1e210`` or below ``1e-210``) is multiplied by a power of two,
which is exact, and summed again: any finite input gives its finite ACF,
never NaN. Gait signals never take that path; the others pay one range
check of ``g[0]`` per series (its cost: the Speed section of the features
page of the user guide).

Floating point: sums are accumulated in float64 for float32 and float64
input. The lagged sums of the direct kernel add the products of each series
left to right, each rounded once (fused multiply-adds); its mean is a sum
in another order. Its other loops are compiled with ``fastmath={"reassoc",
"contract"}`` only, which lets LLVM vectorise them without assuming away NaN
or infinity (a series holding one gives a sum out of range, and the kernel
reports it). The result is deterministic on a given machine, and differs
from eq. 1-2 in exact arithmetic by a few units in the last place.
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
from numba.extending import intrinsic, models, register_model
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
#: log2(nfft)``. Measured on a 2-core Xeon (AVX-512), float64, with the
#: direct kernel that sums eight series per vector: at ``n_timepoints=500``
#: the FFT never wins below the 499 possible lags; at ``n_timepoints=4096``
#: (1200 series) the crossover is between 1000 and 1400 lags (the FFT is 2x
#: slower at 600 lags, 1.2x faster at 2000). See ``benchmarks/bench_acf.py``.
FFT_MIN_LAGS_PER_LOG2 = 100.0

# Numba's "workqueue" threading layer aborts the process when two Python
# threads launch parallel kernels at the same time; serialise launches.
_LAUNCH_LOCK = threading.Lock()

# Lags summed per pass over a block of series (see _lag_pass): lag 0 and the
# next ten, so that 10 lags take one pass.
_BLOCK = 11
# Series summed together, one per lane of a vector of eight float64.
_LANES = 8
_VECTOR = llvm_ir.VectorType(llvm_ir.DoubleType(), _LANES)


class _Lanes(types.Type):
    """Eight float64 in one LLVM ``<8 x double>`` value (a 512-bit register).

    Numba vectorises its loops with 256-bit registers on CPUs with AVX-512
    (LLVM's preference there); a value of this type, built and combined by
    the intrinsics below, is compiled to one 512-bit register where the CPU
    has them and to two or four smaller ones elsewhere.
    """

    def __init__(self):
        super().__init__(name="Lanes")


_lanes = _Lanes()


@register_model(_Lanes)
class _LanesModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _VECTOR)


def _is_float64_vector(array):
    return (
        isinstance(array, types.Array)
        and array.dtype == types.float64
        and array.ndim == 1
        and array.layout == "C"
    )


def _lanes_pointer(context, builder, array_type, array, index):
    """Pointer to ``array[index:index + 8]`` as a pointer to ``<8 x double>``."""
    struct = context.make_array(array_type)(context, builder, array)
    pointer = cgutils.get_item_pointer(
        context, builder, array_type, struct, [index], wraparound=False
    )
    return builder.bitcast(pointer, _VECTOR.as_pointer())


@intrinsic
def _load(typingctx, array, index):
    """``array[index:index + 8]`` of a float64 array (no bounds check)."""
    if not _is_float64_vector(array):
        return None

    def codegen(context, builder, signature, args):
        return builder.load(_lanes_pointer(context, builder, signature.args[0], *args), align=8)

    return _lanes(array, index), codegen


@intrinsic
def _store(typingctx, array, index, value):
    """``array[index:index + 8] = value`` (no bounds check)."""
    if not (_is_float64_vector(array) and value == _lanes):
        return None

    def codegen(context, builder, signature, args):
        pointer = _lanes_pointer(context, builder, signature.args[0], args[0], args[1])
        builder.store(args[2], pointer, align=8)
        return context.get_dummy_value()

    return types.void(array, index, value), codegen


@intrinsic
def _zeros(typingctx):
    """Eight zeros."""

    def codegen(context, builder, signature, args):
        return llvm_ir.Constant(_VECTOR, None)

    return _lanes(), codegen


@intrinsic
def _sub(typingctx, a, b):
    """``a - b``, lane by lane."""
    if not (a == _lanes and b == _lanes):
        return None

    def codegen(context, builder, signature, args):
        return builder.fsub(*args)

    return _lanes(a, b), codegen


@intrinsic
def _add(typingctx, a, b):
    """``a + b``, lane by lane."""
    if not (a == _lanes and b == _lanes):
        return None

    def codegen(context, builder, signature, args):
        return builder.fadd(*args)

    return _lanes(a, b), codegen


@intrinsic
def _fma(typingctx, a, b, c):
    """``a * b + c``, lane by lane, rounded once (fused multiply-add)."""
    if not (a == _lanes and b == _lanes and c == _lanes):
        return None

    def codegen(context, builder, signature, args):
        fma = cgutils.get_or_insert_function(
            builder.module, llvm_ir.FunctionType(_VECTOR, [_VECTOR] * 3), "llvm.fma.v8f64"
        )
        return builder.call(fma, args)

    return _lanes(a, b, c), codegen


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask the CPU to fetch the cache line of ``array[index]`` into L2.

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
        # A read (0) of data (1), kept in L2 and beyond (2): in L1 it would
        # evict the block being summed.
        builder.call(function, [builder.bitcast(pointer, byte_pointer), i32(0), i32(2), i32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


def _transpose_masks():
    """``shufflevector`` masks of an 8 x 8 transpose in three rounds.

    Round 1 interleaves the even (odd) elements of rows ``2i`` and ``2i+1``,
    round 2 pairs of such vectors, round 3 halves: after it, vector ``k``
    holds element ``k`` of the eight rows.
    """
    even = [0, 8, 2, 10, 4, 12, 6, 14]
    odd = [1, 9, 3, 11, 5, 13, 7, 15]
    low_pairs = [0, 1, 8, 9, 4, 5, 12, 13]
    high_pairs = [2, 3, 10, 11, 6, 7, 14, 15]
    low_half = [0, 1, 2, 3, 8, 9, 10, 11]
    high_half = [4, 5, 6, 7, 12, 13, 14, 15]
    return even, odd, low_pairs, high_pairs, low_half, high_half


@intrinsic
def _transpose8(typingctx, X, t, first, last, T):
    """``T[8 * (t + k) + j] = X[min(first + j, last), t + k]`` for ``j, k < 8``.

    Eight vector loads (float32 widened to float64), an 8 x 8 transpose
    (24 shuffles) and eight vector stores: the rows of ``X`` become the
    lanes of ``T``. Returns the sums of the eight rows' values. No bounds
    check.
    """
    if not (
        isinstance(X, types.Array)
        and X.ndim == 2
        and X.layout == "C"
        and X.dtype in (types.float32, types.float64)
        and _is_float64_vector(T)
    ):
        return None

    def codegen(context, builder, signature, args):
        x_type = signature.args[0]
        x_arg, t_arg, first_arg, last_arg, t_out = args
        x_struct = context.make_array(x_type)(context, builder, x_arg)
        element = context.get_data_type(x_type.dtype)
        rows = []
        for j in range(_LANES):
            row = builder.add(first_arg, first_arg.type(j))
            row = builder.select(builder.icmp_signed("<", row, last_arg), row, last_arg)
            pointer = cgutils.get_item_pointer(
                context, builder, x_type, x_struct, [row, t_arg], wraparound=False
            )
            vector_type = llvm_ir.VectorType(element, _LANES)
            value = builder.load(builder.bitcast(pointer, vector_type.as_pointer()), align=4)
            if x_type.dtype == types.float32:
                value = builder.fpext(value, _VECTOR)
            rows.append(value)
        even, odd, low_pairs, high_pairs, low_half, high_half = _transpose_masks()

        def shuffle(a, b, mask):
            mask_type = llvm_ir.VectorType(llvm_ir.IntType(32), _LANES)
            return builder.shuffle_vector(a, b, llvm_ir.Constant(mask_type, mask))

        # a[2i] holds elements 0, 2, 4, 6 of rows 2i and 2i + 1, interleaved;
        # a[2i + 1] elements 1, 3, 5, 7.
        a = []
        for i in range(0, _LANES, 2):
            a += [shuffle(rows[i], rows[i + 1], even), shuffle(rows[i], rows[i + 1], odd)]
        # b[k] (b[4 + k]) holds elements k and k + 4 of rows 0-3 (4-7).
        b = []
        for i in (0, 4):
            for k in range(4):
                mask = low_pairs if k < 2 else high_pairs
                b.append(shuffle(a[i + k % 2], a[i + 2 + k % 2], mask))
        # columns[k] holds element k of the eight rows.
        columns = [
            shuffle(b[k % 4], b[4 + k % 4], low_half if k < 4 else high_half) for k in range(_LANES)
        ]
        t_type = signature.args[4]
        for k, column in enumerate(columns):
            index = builder.mul(builder.add(t_arg, t_arg.type(k)), t_arg.type(_LANES))
            builder.store(column, _lanes_pointer(context, builder, t_type, t_out, index), align=8)
        # Pairwise, so that the caller's running sum waits for one addition.
        while len(columns) > 1:
            columns = [builder.fadd(a, b) for a, b in zip(columns[::2], columns[1::2])]
        return columns[0]

    return _lanes(X, t, first, last, T), codegen


@njit(inline="always")
def _aligned_zeros(size):
    """``np.zeros(size)`` starting at a multiple of 64 bytes (a cache line).

    Eight float64 loaded from ``T[8 * t]`` then never straddle two lines
    (numba aligns arrays to 32 bytes only).
    """
    raw = np.zeros(size + _LANES)
    skip = (64 - raw.ctypes.data % 64) % 64 // 8
    return raw[skip : skip + size]


@njit(inline="always")
def _gather(X, first, n_series, T):
    """Copy rows ``first..first+7`` of ``X`` into the lanes of ``T`` (``T[8 * t + j]``).

    A block of fewer than eight series (``n_series``) repeats its last one.
    Returns the sums of the rows.
    """
    n = X.shape[1]
    last = first + n_series - 1
    n_whole = n - n % _LANES
    s = _zeros()
    for t in range(0, n_whole, _LANES):
        s = _add(s, _transpose8(X, t, first, last, T))
    for t in range(n_whole, n):
        for j in range(_LANES):
            T[_LANES * t + j] = X[min(first + j, last), t]
        s = _add(s, _load(T, _LANES * t))
    return s


@njit(inline="always")
def _centre(T, n, mean):
    """Subtract the lanes of ``mean`` from the ``n`` points of ``T``."""
    for t in range(n):
        i = _LANES * t
        _store(T, i, _sub(_load(T, i), mean))


@njit(inline="always")
def _lag_pass(T, n, k, G, Xf, fetch, fetch_stop):
    """``G[8 * h + j] = sum_t T[8 * t + j] * T[8 * (t + h) + j]`` for ``h = k..k+10``.

    ``T`` holds the centred block followed by ``_BLOCK`` points of zeros, so
    the pass may read past ``n - h`` and add only zeros; each loaded vector
    feeds eleven multiply-adds. Each step also prefetches one cache line of
    ``Xf[fetch:fetch_stop]`` (the next block), so that its read from memory
    overlaps with the multiply-adds.
    """
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = s10 = _zeros()
    line = max(1, 64 // Xf.itemsize)  # values per 64-byte cache line
    for t in range(n - k):
        if fetch < fetch_stop:
            _prefetch(Xf, fetch)
            fetch += line
        a = _load(T, _LANES * t)
        b = _LANES * (t + k)
        s0 = _fma(a, _load(T, b), s0)
        s1 = _fma(a, _load(T, b + 8), s1)
        s2 = _fma(a, _load(T, b + 16), s2)
        s3 = _fma(a, _load(T, b + 24), s3)
        s4 = _fma(a, _load(T, b + 32), s4)
        s5 = _fma(a, _load(T, b + 40), s5)
        s6 = _fma(a, _load(T, b + 48), s6)
        s7 = _fma(a, _load(T, b + 56), s7)
        s8 = _fma(a, _load(T, b + 64), s8)
        s9 = _fma(a, _load(T, b + 72), s9)
        s10 = _fma(a, _load(T, b + 80), s10)
    b = _LANES * k
    _store(G, b, s0)
    _store(G, b + 8, s1)
    _store(G, b + 16, s2)
    _store(G, b + 24, s3)
    _store(G, b + 32, s4)
    _store(G, b + 40, s5)
    _store(G, b + 48, s6)
    _store(G, b + 56, s7)
    _store(G, b + 64, s8)
    _store(G, b + 72, s9)
    _store(G, b + 80, s10)


@njit(fastmath=_FASTMATH)
def _block_lagged_sums(X, first, n_series, max_lag, T, G, mean, fetch_stop):
    """Lagged sums ``g[0..max_lag]`` of rows ``first..first+7`` of ``X``, lane by lane.

    Writes ``G[8 * h + j]`` (and up to lag ``max_lag + 10``) and the means
    of the rows; prefetches ``X`` from the next block up to the flat index
    ``fetch_stop``.
    """
    n = X.shape[1]
    _store(mean, 0, _gather(X, first, n_series, T))
    for j in range(_LANES):
        mean[j] /= n
    _centre(T, n, _load(mean, 0))
    Xf = X.reshape(X.size)
    fetch = (first + _LANES) * n
    for k in range(0, max_lag + 1, _BLOCK):
        _lag_pass(T, n, k, G, Xf, fetch, fetch_stop)
        fetch = fetch_stop  # only the first pass prefetches


@njit(inline="always")
def _is_constant(x, g0, mean):
    """Whether the series ``x`` is constant (and finite).

    Its centred values ``x[t] - mean`` are then all equal, and smaller than
    the rounding error of the mean (``n`` additions): ``g0 = sum((x -
    mean)**2)`` is below ``n * (n * eps * mean)**2``, 16 times over. Only
    series that pass that test (never one of gait, whose variance is far
    larger) are compared value by value.
    """
    n = x.size
    bound = 4.0 * n * np.finfo(np.float64).eps * mean
    if not g0 <= n * bound * bound:  # True for NaN
        return False
    x0 = x[0]
    if not np.isfinite(x0):
        return False
    for t in range(1, n):
        if x[t] != x0:
            return False
    return True


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

    The rare path, one series at a time, so speed does not matter.
    """
    s = _rescale(x, n, buf)
    if not np.isfinite(s):
        return False
    mean = s / n
    for t in range(n):
        buf[t] -= mean
    for h in range(max_lag + 1):
        acc = 0.0
        for t in range(n - h):
            acc += buf[t] * buf[t + h]
        g[h] = acc
    return True


@njit(parallel=True, fastmath=_FASTMATH, cache=True)
def _acf_direct_kernel(X, max_lag, first_lag, out, n_constant, n_nonfinite):
    n_series, n = X.shape
    n_blocks = (n_series + _LANES - 1) // _LANES
    n_chunks = n_constant.shape[0]
    chunk = (n_blocks + n_chunks - 1) // n_chunks
    n_out = max_lag + 1 - first_lag
    for c in prange(n_chunks):
        start = min(n_series, c * chunk * _LANES)
        stop = min(n_series, start + chunk * _LANES)
        # A block of series in lanes, followed by zeros for the lags that
        # reach past its end; the lagged sums of the block.
        T = _aligned_zeros(_LANES * (n + _BLOCK))
        G = np.empty(_LANES * (max_lag + _BLOCK))
        mean = np.empty(_LANES)
        g = np.empty(max_lag + 1)
        buf = np.empty(n)
        count = 0
        bad = 0
        for first in range(start, stop, _LANES):
            n_lanes = min(_LANES, stop - first)
            # Prefetch the chunk's next block while summing this one.
            fetch_stop = min(stop, first + 2 * _LANES) * n
            _block_lagged_sums(X, first, n_lanes, max_lag, T, G, mean, fetch_stop)
            for j in range(n_lanes):
                i = first + j
                x = X[i]
                r = out[i]
                if _is_constant(x, G[j], mean[j]):
                    # gamma(0) = 0, the ACF is defined as 0.
                    for h in range(n_out):
                        r[h] = 0.0
                    count += 1
                    continue
                for h in range(max_lag + 1):
                    g[h] = G[_LANES * h + j]
                # |g[h]| <= g[0] = sum((x - mean)**2): in range, nothing
                # overflowed nor lost digits to underflow (False for NaN).
                if not (_SMALL <= g[0] <= _BIG):
                    if not _rescaled_lagged_sums(x, n, buf, max_lag, g):
                        # NaN or infinity in the series: reported to the
                        # caller, which raises.
                        bad += 1
                        continue
                g0 = g[0]
                for h in range(n_out):
                    r[h] = g[first_lag + h] / g0
        n_constant[c] = count
        n_nonfinite[c] = bad


def _acf_direct(X, max_lag, include_lag0, out):
    """Fill ``out`` (n_series, n_lags_out) with the ACF of the rows of ``X``.

    Returns the number of constant rows. NaN and infinity are detected by
    the kernel (they make ``g[0]`` NaN or infinite, out of range, and the
    rescaled sums of the row not finite), which saves a separate validation
    pass over ``X``; the exact check runs only when one is found.
    """
    n_blocks = -(-X.shape[0] // _LANES)
    n_chunks = max(1, min(n_blocks, 16 * numba.get_num_threads()))
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
        measured crossover (``lags + 1 > 100 * log2(nfft)``).

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
