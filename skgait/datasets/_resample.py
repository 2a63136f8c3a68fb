"""Anti-aliased resampling of recordings to a common rate.

:func:`resample_recording` brings a recording to a new rate with polyphase
filtering (``scipy.signal.resample_poly``) and maps its activity labels,
events and segments onto the new time base. The helpers are shared with
windowing, which resamples on the fly without building new recordings.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import replace
from fractions import Fraction

import numpy as np
from scipy.signal import firwin, resample_poly

__all__ = ["resample_recording"]

#: Largest denominator of the rational approximation of a rate ratio. The
#: best approximation ``up/down`` with ``down <= 1000`` is within
#: ``1 / (up * 1000)`` of the true ratio, a relative rate error below 0.1 %.
_MAX_DENOMINATOR = 1000
_MAX_RATE_ERROR = 1e-3
#: Most samples a resampled recording may have (NumPy's 32-bit index range;
#: 8 GiB per float32 channel): beyond, the rate is a mistake (``1e12`` Hz).
_MAX_SAMPLES = 2**31 - 1


def _resampling_factors(source_rate, target_rate):
    """Return ``(up, down)`` with ``up/down`` ≈ ``target_rate/source_rate``."""
    ratio = target_rate / source_rate
    fraction = Fraction(ratio).limit_denominator(_MAX_DENOMINATOR)
    up, down = fraction.numerator, fraction.denominator
    if up == 0 or abs(up / down - ratio) > _MAX_RATE_ERROR * ratio:
        raise ValueError(
            f"Cannot resample from {source_rate:g} Hz to {target_rate:g} Hz: no "
            f"ratio up/down with down <= {_MAX_DENOMINATOR} is within "
            f"{_MAX_RATE_ERROR:.1%} of {ratio:g}."
        )
    return up, down


def _same_rate(a, b):
    return math.isclose(a, b, rel_tol=1e-9)


def _map_indices(indices, up, down, n_out):
    """Map sample indices to the new time base: ``round(i * up / down)``."""
    indices = np.asarray(indices, dtype=np.int64)
    mapped = (2 * indices * up + down) // (2 * down)
    return np.clip(mapped, 0, n_out)


def _map_activity(activity, up, down, n_out):
    """Activity code of the input sample nearest to each output sample."""
    nearest = (2 * np.arange(n_out, dtype=np.int64) * down + up) // (2 * up)
    return activity[np.minimum(nearest, activity.shape[0] - 1)]


def _runs(mask):
    """``[start, end)`` intervals of the True runs of a boolean mask."""
    edges = np.diff(np.concatenate([[0], mask.view(np.int8), [0]]))
    return np.column_stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)])


def _nonfinite_runs(signal):
    """``[start, end)`` runs of samples with a NaN or infinity in any channel."""
    return _runs(~np.isfinite(signal).all(axis=1))


def _map_nonfinite_runs(runs, up, down, n_out):
    """Widen non-finite runs onto the new time base (floor start, ceil end)."""
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    starts = runs[:, 0] * up // down
    ends = -(-runs[:, 1] * up // down)
    return np.column_stack([starts, np.minimum(ends, n_out)])


def _n_resampled(n_samples, up, down):
    """Length of :func:`scipy.signal.resample_poly`'s output.

    Raises a ValueError, before anything is allocated, when that length is
    beyond :data:`_MAX_SAMPLES`.
    """
    n_out = -(-n_samples * up // down)
    if n_out > _MAX_SAMPLES:
        raise ValueError(
            f"Resampling a recording of {n_samples} samples to {up / down:g} times "
            f"its rate would give {n_out:.3g} samples, more than {_MAX_SAMPLES} "
            "(2**31 - 1). The target rate is far too high: IMU recordings are "
            "sampled at tens to hundreds of Hz."
        )
    return n_out


@functools.lru_cache(maxsize=64)
def _lowpass(up, down):
    """The anti-aliasing FIR filter ``resample_poly`` designs by default.

    Designed once per ratio (for a 125/147 ratio it has 2,941 taps), since
    windowing resamples each channel of each recording on its own.
    """
    max_rate = max(up, down)
    h = firwin(2 * 10 * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0))
    h.flags.writeable = False  # shared between calls; resample_poly copies it
    return h


def _resample_signal(signal, up, down):
    """Polyphase resampling along axis 0, NaN-safe, in the input's dtype.

    Non-finite samples are bridged by linear interpolation before filtering
    (so that they do not spread over the filter length) and set back to NaN
    on the output samples they cover.
    """
    dtype = signal.dtype if np.issubdtype(signal.dtype, np.floating) else np.float32
    x = np.asarray(signal, dtype=np.float64)
    bad = _nonfinite_runs(x)
    if len(bad):
        x = x.copy()
        positions = np.arange(x.shape[0])
        for c in range(x.shape[1]):
            ok = np.isfinite(x[:, c])
            x[~ok, c] = np.interp(positions[~ok], positions[ok], x[ok, c]) if ok.any() else 0.0
    y = resample_poly(x, up, down, axis=0, window=_lowpass(up, down), padtype="line")
    for start, end in _map_nonfinite_runs(bad, up, down, y.shape[0]):
        y[start:end] = np.nan
    return y.astype(dtype, copy=False)


def resample_recording(recording, rate):
    """Resample a recording to ``rate`` Hz with an anti-aliasing filter.

    The signal is resampled with :func:`scipy.signal.resample_poly` by the
    factors ``up/down``, the best rational approximation of
    ``rate / recording.rate`` with ``down <= 1000``
    (:meth:`fractions.Fraction.limit_denominator`). The ratio is exact for
    the rates of the shared datasets (200 → 50 Hz is 1/4, 100 → 50 Hz is
    1/2, 58.8 → 50 Hz is 125/147). When it is not exact (rates estimated
    from time stamps, such as 19.87 Hz), the effective rate
    ``recording.rate * up / down`` differs from ``rate`` by less than 0.1 %
    (typically by less than 0.001 %); the returned recording is labelled
    with the requested ``rate`` and ``info`` records the effective one.

    ``padtype="line"`` makes the filter assume that the signal continues the
    straight line through its first and last samples, so a gravity offset
    does not ring at the edges as it would with zero padding.

    Labels follow the new time base: each output sample takes the activity
    code of the nearest input sample; event and segment boundaries ``i``
    become ``round(i * up / down)``. Non-finite input samples are bridged by
    linear interpolation before filtering and the output samples they cover
    are NaN, so NaN does not spread over the filter length.

    Parameters
    ----------
    recording : Recording
        Recording to resample.
    rate : float
        Target sampling rate in Hz.

    Returns
    -------
    resampled : Recording
        A new recording at ``rate`` Hz with ``ceil(n_samples * up / down)``
        samples, the input's signal dtype, and ``info`` extended by
        ``"source_rate"`` and ``"effective_rate"``. If ``rate`` equals
        ``recording.rate``, ``recording`` itself is returned (no copy).

    Raises
    ------
    ValueError
        If ``rate`` is not a positive finite number, or so high that the
        recording would exceed 2**31 - 1 samples.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.datasets import Recording, resample_recording
    >>> t = np.arange(1000) / 200
    >>> rec = Recording(
    ...     signal=np.sin(2 * np.pi * 2 * t)[:, None].astype(np.float32),
    ...     channels=("acc_x",), rate=200.0, dataset="demo", subject="1",
    ...     recording="r1", trial="1", placement="waist",
    ...     source_placement="waist", activity=np.ones(1000, dtype=np.int8),
    ...     events={"right_foot_steps": np.array([[100, 180]])},
    ... )
    >>> low = resample_recording(rec, 50)
    >>> low.n_samples, low.rate, low.events["right_foot_steps"].tolist()
    (250, 50.0, [[25, 45]])
    """
    rate = _check_rate(rate)
    if _same_rate(rate, recording.rate):
        return recording
    up, down = _resampling_factors(recording.rate, rate)
    _n_resampled(recording.n_samples, up, down)
    signal = _resample_signal(recording.signal, up, down)
    n_out = signal.shape[0]
    return replace(
        recording,
        signal=signal,
        rate=rate,
        activity=_map_activity(recording.activity, up, down, n_out),
        events={
            name: _map_indices(intervals, up, down, n_out).reshape(-1, 2)
            for name, intervals in recording.events.items()
        },
        segments={
            name: tuple(int(i) for i in _map_indices(bounds, up, down, n_out))
            for name, bounds in recording.segments.items()
        },
        info={
            **recording.info,
            "source_rate": recording.rate,
            "effective_rate": recording.rate * up / down,
        },
    )


# --------------------------------------------------------------------------
# Validation and selection shared by both windowing functions
# --------------------------------------------------------------------------


def _is_positive_number(value):
    """Whether ``value`` is a finite real number above zero (a bool is not)."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _check_rate(rate):
    if not _is_positive_number(rate):
        raise ValueError(f"rate must be a positive number of Hz, got {rate!r}.")
    return float(rate)
