"""Heel strikes detected from the acceleration of a body-worn sensor.

Zou et al. (2020, §III-B) cut their step windows at steps found in the raw
signal. :func:`detect_steps` finds them from the vertical acceleration,
refined in time by the forward acceleration:

1. the vertical acceleration is low-pass filtered (zero phase) at
   ``cutoff`` (3 Hz: above the step frequency, below its harmonics);
2. the step time of the recording is the lag of the largest autocorrelation
   of that signal between ``step_time[0]`` and ``step_time[1]`` seconds;
3. each step is a peak of the filtered signal (the loading response that
   follows a heel strike), at least 0.6 step times after the previous one
   and with a prominence of at least ``min_prominence`` m/s² (standing still
   gives none);
4. the heel strike is the largest forward acceleration in the ``search``
   seconds before that peak: the trunk is braked at heel strike, so its
   forward acceleration peaks there (Zijlstra and Hof, 2003).
"""

import numbers

import numpy as np
from scipy import signal as sps

from ._base import CHANNELS, PLACEMENTS, Recording
from ._resample import _check_rate, _runs

__all__ = ["detect_steps", "score_steps"]

#: Peaks closer than this fraction of the step time are one step (the double
#: bump of heel strike and loading response).
_MIN_STEP_FRACTION = 0.6
_FILTER_ORDER = 4
#: Defaults of detect_steps: cut-off, prominence and search window chosen on the
#: IPOL lower-back trials of the odd-numbered subjects (docs/datasets.md,
#: "Detected steps"); the step-time range from the cadences of walking.
_CUTOFF, _MIN_PROMINENCE, _STEP_TIME, _SEARCH = 3.0, 1.0, (0.3, 1.0), 0.08


def _signals(signal, rate, search):
    """``(forward, vertical, rate)`` from a Recording or an array."""
    if isinstance(signal, Recording):
        if rate is not None:
            raise ValueError("rate is taken from the Recording; pass rate only with an array.")
        frame = signal.info.get("frame", "body")
        missing = [c for c in ("acc_x", "acc_z") if c not in signal.channels]
        problem = (
            f"lacks the channels {missing}"
            if missing
            else "has the sensor's own axes (info['frame'] 'sensor')"
            if frame == "sensor"
            else "has no known forward axis (info['frame'] 'vertical'); pass search=0 "
            "to use the vertical peaks alone"
            if frame == "vertical" and search > 0
            else None
        )
        if problem:
            raise ValueError(
                f"Recording {signal.recording!r} ({signal.dataset}, {signal.placement}) "
                f"{problem}: step detection needs the body frame's vertical acc_z and "
                "forward acc_x."
            )
        x = signal.signal[:, signal.channels.index("acc_x")]
        z = signal.signal[:, signal.channels.index("acc_z")]
        return np.asarray(x, np.float64), np.asarray(z, np.float64), signal.rate
    if rate is None:
        raise ValueError("rate (Hz) is required when signal is an array.")
    array = np.asarray(signal, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 3:
        raise ValueError(
            "signal must be a Recording or an array of shape (n_samples, n_channels) "
            f"whose first columns are {', '.join(CHANNELS[:3])}; got shape {array.shape}."
        )
    return array[:, 0], array[:, 2], _check_rate(rate)


def _check_parameters(cutoff, min_prominence, step_time, rate):
    if not isinstance(cutoff, numbers.Real) or not 0 < cutoff < rate / 2:
        raise ValueError(f"cutoff must be in (0, {rate / 2:g}) Hz (half the rate), got {cutoff!r}.")
    if not isinstance(min_prominence, numbers.Real) or not min_prominence >= 0:
        raise ValueError(f"min_prominence must be >= 0 m/s², got {min_prominence!r}.")
    try:
        low, high = (float(v) for v in step_time)
    except (TypeError, ValueError):
        low = high = float("nan")
    if not 0 < low < high:
        raise ValueError(
            f"step_time must be (shortest, longest) seconds with 0 < shortest < longest, "
            f"got {step_time!r}."
        )
    return low, high


def _step_time(vertical, rate, low, high):
    """Lag (s) of the largest autocorrelation between ``low`` and ``high`` s."""
    centred = vertical - vertical.mean()
    n = 2 * len(centred)
    spectrum = np.fft.rfft(centred, n)
    acf = np.fft.irfft(spectrum * spectrum.conj(), n)[: len(centred)]
    first = int(np.ceil(low * rate))
    last = max(first, int(high * rate))
    return (first + int(np.argmax(acf[first : last + 1]))) / rate


def detect_steps(
    signal,
    rate=None,
    *,
    cutoff=_CUTOFF,
    min_prominence=_MIN_PROMINENCE,
    step_time=_STEP_TIME,
    search=_SEARCH,
):
    """Detect heel strikes from the acceleration of one recording.

    Steps are the peaks of the low-pass filtered vertical acceleration at
    least 0.6 step times apart, the step time being the recording's
    dominant period between ``step_time`` bounds (its autocorrelation); each
    heel strike is the largest forward acceleration in the ``search``
    seconds before its peak. See the module notes for the reasons.

    On a trunk sensor (waist, lower back) both feet's heel strikes are
    found; this is where the defaults were chosen and validated (IPOL's
    lower back, docs/datasets.md). On a leg or foot sensor the events come
    about once per gait cycle, but at another phase than the heel strike
    (near toe-off on IPOL's feet).

    Parameters
    ----------
    signal : Recording or array-like of shape (n_samples, n_channels)
        A recording in the body frame (``info["frame"]`` ``"body"``, or
        absent as in :func:`load_directory`'s recordings, whose columns are
        to be written in that frame; ``acc_x`` forward and ``acc_z`` up,
        m/s²; ``"vertical"`` with ``search=0``), or an array whose first
        three columns are ``acc_x, acc_y, acc_z`` in that frame.
    rate : float, optional
        Sampling rate in Hz; required with an array, taken from a Recording.
    cutoff : float, default=3.0
        Low-pass cut-off (Hz) of the vertical acceleration: above the step
        frequency of walking (1.4–2.5 Hz), below its harmonics.
    min_prominence : float, default=1.0
        Smallest prominence (m/s²) of a step's peak in the filtered vertical
        acceleration; quieter peaks (standing, shuffling) are not steps.
    step_time : (float, float), default=(0.3, 1.0)
        Shortest and longest step time (s) searched for the recording's
        dominant step period (cadences 60–200 steps per minute).
    search : float, default=0.08
        How long (s) before each vertical peak the heel strike is sought;
        0 returns the vertical peaks themselves (no forward axis needed).

    Returns
    -------
    strikes : ndarray of int64
        Sorted sample indices of the detected heel strikes.

    Raises
    ------
    ValueError
        If the signal is not 2-D with at least three columns, contains NaN
        or infinity, is shorter than twice the longest step time, or lacks a
        body frame; or if a parameter is out of range.

    See Also
    --------
    make_step_windows : Windows of gait cycles, from annotated or detected
        steps.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.datasets import detect_steps
    >>> rate = 100.0
    >>> t = np.arange(1000) / rate  # 10 s of 2 steps per second
    >>> acc = np.zeros((1000, 3))
    >>> acc[:, 0] = np.cos(2 * np.pi * 2 * t)  # forward
    >>> acc[:, 2] = 9.81 + 2 * np.cos(2 * np.pi * 2 * (t - 0.05))  # vertical
    >>> strikes = detect_steps(acc, rate)
    >>> np.diff(strikes)[:3].tolist()
    [50, 50, 50]
    """
    if not isinstance(search, numbers.Real) or not search >= 0:
        raise ValueError(f"search must be >= 0 seconds, got {search!r}.")
    forward, vertical, rate = _signals(signal, rate, search)
    low, high = _check_parameters(cutoff, min_prominence, step_time, rate)
    if not (np.isfinite(forward).all() and np.isfinite(vertical).all()):
        raise ValueError(
            "signal contains NaN or infinite samples; detect steps on each finite "
            "stretch separately."
        )
    needed = _min_samples(high, rate)
    if len(vertical) < needed:
        raise ValueError(
            f"signal of {len(vertical)} samples ({len(vertical) / rate:.2f} s) is too "
            f"short to detect steps: it needs at least {needed} samples (twice the "
            f"longest step time of {high:g} s at {rate:g} Hz)."
        )
    return _strikes(forward, vertical, rate, cutoff, min_prominence, (low, high), search)


def _min_samples(longest_step_time, rate):
    """Shortest signal: two of the longest steps, and what the filter needs."""
    return max(int(np.ceil(2 * longest_step_time * rate)), 6 * (_FILTER_ORDER + 1) + 1)


def _strikes(forward, vertical, rate, cutoff, min_prominence, step_time, search):
    b, a = sps.butter(_FILTER_ORDER, cutoff / (rate / 2))
    filtered = sps.filtfilt(b, a, vertical)
    period = _step_time(filtered, rate, *step_time)
    peaks, _ = sps.find_peaks(
        filtered,
        distance=max(1, int(_MIN_STEP_FRACTION * period * rate)),
        prominence=min_prominence,
    )
    width = int(round(search * rate))
    # The samples [peak - width, peak] of every peak, as rows of indices.
    rows = np.clip(peaks[:, None] - width + np.arange(width + 1), 0, None)
    best = np.argmax(forward[rows], axis=1)
    return np.unique(rows[np.arange(len(peaks)), best]).astype(np.int64)


def _matched_errors(detected, reference, tolerance):
    """Signed errors (samples) of one-to-one pairs within ``tolerance``, nearest first."""
    gaps = detected[:, None] - reference[None, :]
    rows, cols = np.nonzero(np.abs(gaps) <= tolerance)
    order = np.argsort(np.abs(gaps[rows, cols]), kind="stable")
    used_detected, used_reference, errors = set(), set(), []
    for i, j in zip(rows[order], cols[order]):
        if i not in used_detected and j not in used_reference:
            used_detected.add(i)
            used_reference.add(j)
            errors.append(gaps[i, j])
    return errors


def _as_event_lists(events, name):
    """A list of 1-D float arrays from one array of indices or a list of them."""
    single = isinstance(events, np.ndarray) or all(np.ndim(e) == 0 for e in events)
    events = [events] if single else list(events)
    arrays = [np.asarray(e, dtype=np.float64) for e in events]
    if any(a.ndim != 1 or not np.isfinite(a).all() for a in arrays):
        raise ValueError(f"{name} must be 1-D arrays of finite sample indices, or a list of them.")
    return arrays


def score_steps(detected, reference, rate, tolerance=0.05):
    """Precision, recall and F1 of detected events against reference events.

    A detected event matches a reference event at most ``tolerance``
    seconds away; each event matches at most one other, the nearest pairs
    first. Lists of arrays (one per recording) are pooled: the counts are
    summed before the ratios are taken.

    Parameters
    ----------
    detected : array-like of int, or list of them
        Sample indices of the detected events (for example
        :func:`detect_steps`' heel strikes), one array per recording.
    reference : array-like of int, or list of them
        Sample indices of the reference events, in the same recordings.
    rate : float
        Sampling rate in Hz.
    tolerance : float, default=0.05
        Largest distance (s) of a match.

    Returns
    -------
    scores : dict
        ``precision``, ``recall``, ``f1``, ``median_abs_error_s`` (median
        distance of the matched pairs in seconds; NaN without a match),
        ``median_error_s`` (detected minus reference), and the counts
        ``n_detected``, ``n_reference``, ``n_matched``.

    Examples
    --------
    >>> from skgait.datasets import score_steps
    >>> scores = score_steps([100, 152, 300], [101, 150, 200, 250], rate=100.0)
    >>> scores["precision"], scores["recall"], scores["median_abs_error_s"]
    (0.6666666666666666, 0.5, 0.015)
    """
    rate = _check_rate(rate)
    if not isinstance(tolerance, numbers.Real) or not tolerance >= 0:
        raise ValueError(f"tolerance must be >= 0 seconds, got {tolerance!r}.")
    detected = _as_event_lists(detected, "detected")
    reference = _as_event_lists(reference, "reference")
    if len(detected) != len(reference):
        raise ValueError(f"detected has {len(detected)} recordings and reference {len(reference)}.")
    errors = (
        np.array(
            [
                e
                for d, r in zip(detected, reference)
                for e in _matched_errors(d, r, tolerance * rate + 1e-9)
            ]
        )
        / rate
    )
    n_detected = sum(len(d) for d in detected)
    n_reference = sum(len(r) for r in reference)
    matched = len(errors)
    precision = matched / n_detected if n_detected else 0.0
    recall = matched / n_reference if n_reference else 0.0
    f1 = 2 * matched / (n_detected + n_reference) if n_detected + n_reference else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "median_abs_error_s": float(np.median(np.abs(errors))) if matched else float("nan"),
        "median_error_s": float(np.median(errors)) if matched else float("nan"),
        "n_detected": n_detected,
        "n_reference": n_reference,
        "n_matched": matched,
    }


#: Placements whose detected events come once per gait cycle (measured: 1.06-1.08
#: per second on HuGaDB's walks, 1.16 per annotated stride on IPOL's feet); the
#: others give both feet's steps, two per cycle (the trunk, and UMAFall's 20 Hz
#: ankle tag: 1.4-1.7 per second, as many as its waist).
_ONE_PER_CYCLE = frozenset(p for p in PLACEMENTS if p.endswith(("_foot", "_shin", "_thigh")))


def _footstep_ends(recording):
    """Annotated heel strikes: the end of each footstep of both feet (IPOL), sorted."""
    keys = ("left_foot_steps", "right_foot_steps")
    return np.sort(np.concatenate([np.asarray(recording.events[k])[:, 1] for k in keys]))


def _strikes_per_cycle(placement):
    return 1 if placement in _ONE_PER_CYCLE else 2


def _recording_strikes(recording):
    """Heel strikes of every finite stretch of ``recording`` long enough to detect in.

    A recording whose forward axis is unknown (``info["frame"]`` ``"vertical"``)
    gives its vertical peaks (``search=0``).
    """
    search = 0.0 if recording.info.get("frame") == "vertical" else _SEARCH
    forward, vertical, rate = _signals(recording, None, search)
    strikes = [
        start
        + _strikes(
            forward[start:end], vertical[start:end], rate, _CUTOFF, _MIN_PROMINENCE,
            _STEP_TIME, search,
        )
        for start, end in _runs(np.isfinite(forward) & np.isfinite(vertical))
        if end - start >= _min_samples(_STEP_TIME[1], rate)
    ]  # fmt: skip
    return np.concatenate(strikes) if strikes else np.empty(0, dtype=np.int64)
