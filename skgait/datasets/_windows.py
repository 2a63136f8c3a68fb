"""Cut recordings into fixed-length or step-aligned windows.

Every function here turns :class:`~skgait.datasets.GaitDataset` objects into
the one input convention of skgait: a C-contiguous float array ``X`` of shape
``(n_windows, n_channels, n_timepoints)`` and a ``meta`` table with one row
per window (subject, labels, position, and ``group`` for subject-wise
cross-validation).

- :func:`make_windows` cuts fixed-length, overlapping windows inside
  contiguous runs of one activity;
- :func:`make_step_windows` cuts windows spanning whole gait cycles (from step
  events) and interpolates each to a fixed number of time points.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ._base import _RECORDING_IDS, CHANNELS, GaitDataset, activity_code
from ._resample import (
    _check_rate,
    _map_activity,
    _map_indices,
    _map_nonfinite_runs,
    _n_resampled,
    _nonfinite_runs,
    _resample_signal,
    _resampling_factors,
    _runs,
    _same_rate,
)
from ._steps import _recording_strikes, _strikes_per_cycle

__all__ = ["make_step_windows", "make_windows"]

#: Values of ``exclude`` given as a string: the ``info`` flag they test.
_EXCLUDE_FLAGS = ("corrupted_gyroscope",)

#: Leading columns of every ``meta`` table, in order.
_META_COLUMNS = (
    *_RECORDING_IDS,
    "age",
    "sex",
    "height_cm",
    "weight_kg",
    "native_rate",
)


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating-point type, got {dtype}.")
    return dtype


def _check_channels(channels):
    if isinstance(channels, str):
        channels = (channels,)
    channels = tuple(channels)
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown or not channels or len(set(channels)) != len(channels):
        raise ValueError(
            f"channels must be distinct names from {', '.join(CHANNELS)}; got {channels}."
        )
    return channels


def _as_datasets(dataset):
    datasets = [dataset] if isinstance(dataset, GaitDataset) else list(dataset)
    if not datasets or not all(isinstance(d, GaitDataset) for d in datasets):
        raise TypeError(
            "dataset must be a GaitDataset or a non-empty list of them, got "
            f"{type(dataset).__name__}."
        )
    return datasets


def _exclusion(exclude):
    """Turn ``exclude`` into a predicate on recordings (or None)."""
    if exclude is None or callable(exclude):
        return exclude
    if isinstance(exclude, str) and exclude in _EXCLUDE_FLAGS:
        return lambda recording: bool(recording.info.get(exclude, False))
    raise ValueError(
        "exclude must be None, a callable taking a Recording and returning "
        f"True to drop it, or one of {list(_EXCLUDE_FLAGS)}; got {exclude!r}."
    )


def _channel_indices(recording, channels):
    missing = [c for c in channels if c not in recording.channels]
    if missing:
        hint = (
            " Pass channels=('acc_x', 'acc_y', 'acc_z') to use the "
            "accelerometer only, or exclude= to drop such recordings."
            if all(c.startswith("gyr") for c in missing)
            else ""
        )
        raise ValueError(
            f"Recording {recording.recording!r} of subject {recording.subject!r} "
            f"({recording.dataset}, {recording.placement}) has channels "
            f"{recording.channels} and lacks requested channels {missing}.{hint}"
        )
    return [recording.channels.index(c) for c in channels]


def _check_corrupted_gyroscope(corrupted_gyroscope):
    if corrupted_gyroscope not in ("drop", "keep"):
        raise ValueError(
            f"corrupted_gyroscope must be 'drop' or 'keep', got {corrupted_gyroscope!r}."
        )
    return corrupted_gyroscope


def _select_recordings(dataset, placement, exclude, channels, corrupted_gyroscope="drop"):
    """Return ``[(dataset, recording, channel_indices), ...]`` to window."""
    exclude = _exclusion(exclude)
    drop_corrupted = _check_corrupted_gyroscope(corrupted_gyroscope) == "drop" and any(
        c.startswith("gyr") for c in channels
    )
    selected, corrupted = [], []
    for ds in _as_datasets(dataset):
        recordings = ds.select(placement=ds.resolve_placement(placement))
        if exclude is not None:
            recordings = [r for r in recordings if not exclude(r)]
        if drop_corrupted:
            corrupted += [r for r in recordings if r.info.get("corrupted_gyroscope", False)]
            recordings = [r for r in recordings if not r.info.get("corrupted_gyroscope", False)]
        selected += [(ds, r, _channel_indices(r, channels)) for r in recordings]
    if corrupted:
        warnings.warn(
            f"Dropped {len(corrupted)} recordings whose gyroscope the dataset marks as "
            f"corrupted (info['corrupted_gyroscope'], for example {corrupted[0].dataset} "
            f"{corrupted[0].recording!r} {corrupted[0].placement}). Pass "
            "corrupted_gyroscope='keep' to window them anyway, or accelerometer "
            "channels only.",
            UserWarning,
            stacklevel=3,
        )
    if not selected:
        raise ValueError(
            "No recording left to window after applying exclude="
            + (
                " and dropping corrupted gyroscopes (corrupted_gyroscope='keep' keeps them)."
                if corrupted
                else "."
            )
        )
    return selected


def _copy_windows(out, column, starts, n, step):
    """``out[i] = column[starts[i] : starts[i] + n]`` without a temporary.

    The starts fall every ``step`` samples within runs: each run is one
    strided slice of the windows' view, copied straight into ``out``
    (indexing the view with ``starts`` would first copy the windows).
    """
    views = sliding_window_view(column, n)  # no copy
    cuts = np.flatnonzero(np.diff(starts) != step) + 1
    for a, b in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [len(starts)]])):
        first = starts[a]
        out[a:b] = views[first : first + (b - a - 1) * step + 1 : step]


def _nonfinite_channel_runs(signal, idx):
    """``[start, end)`` runs with a non-finite value in a channel of ``idx``,
    without copying the channels."""
    finite = np.ones(signal.shape[0], dtype=bool)
    for c in idx:
        finite &= np.isfinite(signal[:, c])
    return _runs(~finite)


def _overlaps(starts, ends, bad_runs):
    """True for windows ``[starts, ends)`` that overlap any of ``bad_runs``."""
    if len(bad_runs) == 0:
        return np.zeros(len(starts), dtype=bool)
    # A window overlaps a run iff the run starting last before the window's
    # end also ends after the window's start (runs are sorted and disjoint).
    last = np.searchsorted(bad_runs[:, 0], ends, side="left") - 1
    return (last >= 0) & (bad_runs[np.maximum(last, 0), 1] > starts)


def _warn_dropped(n_dropped, n_total, what):
    if n_dropped:
        warnings.warn(
            f"Dropped {n_dropped} of {n_total} {what} that overlap NaN or infinite samples.",
            UserWarning,
            stacklevel=3,
        )


def _subject_rows(dataset):
    table = dataset.subjects.drop_duplicates("subject").set_index("subject")
    return table.to_dict("index")


def _build_meta(recordings, counts, columns):
    """Meta table: recording-level columns repeated, plus per-window columns."""
    rows = []
    subject_tables = {}
    for ds, rec in recordings:
        if id(ds) not in subject_tables:
            subject_tables[id(ds)] = _subject_rows(ds)
        subject = subject_tables[id(ds)][rec.subject]
        rows.append(
            {
                "dataset": ds.name,
                "subject": rec.subject,
                "recording": rec.recording,
                "trial": rec.trial,
                "placement": rec.placement,
                "source_placement": rec.source_placement,
                "age": subject["age"],
                "sex": subject["sex"],
                "height_cm": subject["height_cm"],
                "weight_kg": subject["weight_kg"],
                "native_rate": float(rec.rate),
            }
        )
    meta = pd.DataFrame(rows, columns=list(_META_COLUMNS))
    meta = meta.iloc[np.repeat(np.arange(len(rows)), counts)].reset_index(drop=True)
    for name in ("age", "height_cm", "weight_kg", "native_rate"):
        meta[name] = pd.to_numeric(meta[name], errors="coerce").astype(np.float64)
    for name in ("dataset", "subject", "recording", "trial", "placement", "source_placement"):
        meta[name] = meta[name].astype(str).astype(object)
    meta["sex"] = meta["sex"].astype(object)
    for name, values in columns.items():
        meta[name] = values
    meta["group"] = meta["dataset"] + ":" + meta["subject"]
    return meta


# --------------------------------------------------------------------------
# Fixed-length windows
# --------------------------------------------------------------------------


def _window_geometry(length, overlap, rate):
    if not isinstance(length, numbers.Real) or not math.isfinite(length) or length <= 0:
        raise ValueError(f"length must be a positive number of seconds, got {length!r}.")
    if not isinstance(overlap, numbers.Real) or not 0 <= overlap < 1:
        raise ValueError(f"overlap must be in [0, 1), got {overlap!r}.")
    n = int(round(length * rate))
    if n < 1:
        raise ValueError(f"length={length} s is shorter than one sample at {rate:g} Hz.")
    step = max(1, int(round(n * (1 - overlap))))
    return n, step


def _activity_code_or_none(activity):
    if activity is None:
        return None
    return int(activity) if isinstance(activity, numbers.Integral) else activity_code(activity)


def _activity_mask(recording, code, segment, up, down, n_out):
    """Samples (new time base) that belong to the requested activity/segment."""
    if code is None:
        mask = np.ones(n_out, dtype=bool)
    else:
        mask = _map_activity(recording.activity, up, down, n_out) == code
    if segment is not None:
        if segment not in recording.segments:
            raise ValueError(
                f"Recording {recording.recording!r} ({recording.dataset}) has no "
                f"segment {segment!r}; it has {sorted(recording.segments)}."
            )
        start, end = _map_indices(recording.segments[segment], up, down, n_out)
        mask[:start] = False
        mask[end:] = False
    return mask


def _window_starts(runs, n, step):
    """Starts of windows of ``n`` samples every ``step`` inside each run."""
    lengths = runs[:, 1] - runs[:, 0]
    counts = np.where(lengths >= n, (lengths - n) // step + 1, 0)
    if counts.sum() == 0:
        return np.empty(0, dtype=np.int64)
    return np.concatenate(
        [start + step * np.arange(k) for start, k in zip(runs[:, 0], counts)]
    ).astype(np.int64)


def _no_window_error(length, n, rate, activity, segment, run, recording):
    """The error raised when no window fits, naming the longest run found."""
    where = f"activity={activity!r}" + ("" if segment is None else f" in segment {segment!r}")
    found = (
        f"the longest run of {where} is {run / rate:.2f} s ({run} samples) in "
        f"recording {recording.recording!r} of {recording.dataset!r}. Use a "
        "shorter length."
        if recording is not None
        else f"no sample has {where}."
    )
    return ValueError(f"No window of {length} s ({n} samples at {rate:g} Hz) fits: {found}")


def make_windows(
    dataset,
    placement=None,
    rate=50.0,
    length=2.56,
    overlap=0.5,
    activity="walking",
    channels=CHANNELS,
    dtype=np.float32,
    exclude=None,
    segment=None,
    corrupted_gyroscope="drop",
):
    """Cut fixed-length windows from the recordings of one placement.

    Each recording is resampled to ``rate`` with :func:`resample_recording`.
    Windows of ``n = round(length * rate)`` samples are then cut every
    ``step = max(1, round(n * (1 - overlap)))`` samples, starting at the first
    sample of every contiguous run of ``activity`` (and inside ``segment``),
    so that no window crosses a change of activity. A run of ``L`` samples
    gives ``floor((L - n) / step) + 1`` windows if ``L >= n`` and none
    otherwise.

    Parameters
    ----------
    dataset : GaitDataset or list of GaitDataset
        Dataset(s) to window; several are concatenated and told apart by the
        ``dataset`` column of ``meta``.
    placement : str, dict or None, default=None
        Placement from :data:`~skgait.datasets.PLACEMENTS` to use in every
        dataset, or a dict from dataset name to placement. None is allowed
        for a dataset with a single placement.
    rate : float, default=50.0
        Common sampling rate in Hz.
    length : float, default=2.56
        Window length in seconds (2.56 s is 128 samples at 50 Hz).
    overlap : float, default=0.5
        Fraction of a window shared with the next one, in ``[0, 1)``.
    activity : str, int or None, default="walking"
        Keep only samples of this activity (a name from
        :data:`~skgait.datasets.ACTIVITIES` or its code); None keeps whole
        recordings.
    channels : sequence of str, default=CHANNELS
        Channels to keep, in this order. Every selected recording must have
        them all.
    dtype : floating dtype, default=np.float32
        Dtype of ``X``.
    exclude : callable, "corrupted_gyroscope" or None, default=None
        Recordings to drop: a callable taking a :class:`Recording` and
        returning True to drop it, or ``"corrupted_gyroscope"`` to drop
        recordings whose ``info["corrupted_gyroscope"]`` is true.
    segment : str or None, default=None
        Restrict windows to this named segment of every recording (for
        example ``"trial"``, the walking part of an IPOL trial).
    corrupted_gyroscope : {"drop", "keep"}, default="drop"
        What to do, when ``channels`` include a gyroscope channel, with
        recordings whose ``info["corrupted_gyroscope"]`` is true (HuGaDB's
        gyroscopes that its README lists as amplified 10 times, and so
        clipped): ``"drop"`` them with a warning saying how many, or
        ``"keep"`` them. Accelerometer-only windows keep them either way.

    Returns
    -------
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
        C-contiguous windows in ``dtype``, free of NaN and infinity.
    meta : DataFrame
        One row per window: ``dataset``, ``subject``, ``recording``,
        ``trial``, ``placement``, ``source_placement`` (str); ``age``,
        ``height_cm``, ``weight_kg`` (float, NaN where unknown) and ``sex``
        (``"F"``/``"M"``) from the subject table; ``native_rate`` (float,
        the recording's own sampling rate in Hz before resampling to
        ``rate``: its bandwidth ends at ``native_rate / 2``); ``start_sample`` (int,
        in the resampled time base) and ``start_s`` (float, seconds from the
        start of the recording); ``group`` (``"<dataset>:<subject>"``, the
        groups for subject-wise cross-validation).

    Raises
    ------
    ValueError
        If a placement is unknown or absent from a dataset, a recording lacks
        a requested channel or segment, ``overlap`` is outside ``[0, 1)``,
        ``rate`` would resample a recording beyond 2**31 - 1 samples (checked
        before anything is allocated), or no window fits in any run (the
        message gives the longest run).

    Warns
    -----
    UserWarning
        When windows overlapping NaN or infinite samples are dropped, or
        recordings with a corrupted gyroscope; the message says how many.

    See Also
    --------
    make_step_windows : Windows aligned on gait cycles.
    resample_recording : The resampling applied to each recording.

    Notes
    -----
    Memory: the windows are counted first, ``X`` is allocated once, and
    each channel of each recording is resampled on its own and its windows
    copied straight into ``X``. The peak is ``X`` plus twice the size of
    ``meta`` (built from columns once ``X`` is full) plus, while a channel
    is resampled, at most four float64 copies of that channel at the higher
    of its own rate and ``rate`` (32 bytes per sample;
    ``benchmarks/bench_datasets.py --memory`` measures it).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skgait.datasets import CHANNELS, GaitDataset, Recording, make_windows
    >>> rec = Recording(
    ...     signal=np.zeros((1000, 6), dtype=np.float32), channels=CHANNELS,
    ...     rate=100.0, dataset="demo", subject="1", recording="r1", trial="1",
    ...     placement="waist", source_placement="L5",
    ...     activity=np.ones(1000, dtype=np.int8),
    ... )
    >>> subjects = pd.DataFrame({"subject": ["1"], "age": [30], "sex": ["F"],
    ...                          "height_cm": [170.0], "weight_kg": [60.0]})
    >>> X, meta = make_windows(GaitDataset("demo", [rec], subjects))
    >>> X.shape
    (6, 6, 128)
    >>> meta["start_s"].tolist()
    [0.0, 1.28, 2.56, 3.84, 5.12, 6.4]
    """
    rate = _check_rate(rate)
    n, step = _window_geometry(length, overlap, rate)
    channels = _check_channels(channels)
    dtype = _check_dtype(dtype)
    code = _activity_code_or_none(activity)
    selected = _select_recordings(dataset, placement, exclude, channels, corrupted_gyroscope)

    # Pass 1: count windows from labels only (cheap), so X is allocated once.
    plan, longest = [], (0, None)
    n_nonfinite = n_total = 0
    for ds, rec, idx in selected:
        up, down = (1, 1) if _same_rate(rec.rate, rate) else _resampling_factors(rec.rate, rate)
        n_out = _n_resampled(rec.n_samples, up, down)
        runs = _runs(_activity_mask(rec, code, segment, up, down, n_out))
        if len(runs):
            run = int((runs[:, 1] - runs[:, 0]).max())
            longest = max(longest, (run, rec), key=lambda x: x[0])
        starts = _window_starts(runs, n, step)
        bad = _map_nonfinite_runs(_nonfinite_channel_runs(rec.signal, idx), up, down, n_out)
        keep = ~_overlaps(starts, starts + n, bad)
        n_total += len(starts)
        n_nonfinite += int((~keep).sum())
        plan.append((ds, rec, idx, up, down, starts[keep]))

    if n_total == 0:
        raise _no_window_error(length, n, rate, activity, segment, *longest)
    _warn_dropped(n_nonfinite, n_total, "windows")
    if n_nonfinite == n_total:
        raise ValueError("Every window overlaps NaN or infinite samples.")

    # Pass 2: resample one channel of one recording at a time and copy its
    # windows straight into X.
    counts = [len(p[-1]) for p in plan]
    X = np.empty((sum(counts), len(channels), n), dtype=dtype)
    offset = 0
    for (_, rec, idx, up, down, starts), count in zip(plan, counts):
        if count == 0:
            continue
        for j, c in enumerate(idx):
            column = rec.signal[:, c]  # a view
            if (up, down) != (1, 1):
                column = _resample_signal(column[:, None], up, down)[:, 0]
            _copy_windows(X[offset : offset + count, j], column, starts, n, step)
        offset += count

    starts = np.concatenate([p[-1] for p in plan])
    meta = _build_meta(
        [(p[0], p[1]) for p in plan],
        counts,
        {"start_s": starts / rate, "start_sample": starts},
    )
    return X, meta


# --------------------------------------------------------------------------
# Step-aligned windows
# --------------------------------------------------------------------------


def _no_step_events_error(key, datasets, selected):
    with_events = sorted(
        {ds.name for ds in datasets if any(key in r.events for r in ds.recordings)}
    )
    missing = sorted({ds.name for ds, rec, _ in selected if key not in rec.events})
    return ValueError(
        f"Dataset(s) {missing} have no {key!r} events, needed for step windows. "
        + (
            f"Of the datasets given, {with_events} have them."
            if with_events
            else "Step events come with the IPOL healthy-gait dataset "
            "(load_ipol_healthy_gait); pass events='detected' to cut at steps "
            "detected from the acceleration instead."
        )
    )


def _step_boundaries(recording, key, events):
    """Sample indices delimiting steps, and how many steps make a gait cycle."""
    if events == "detected":
        return _recording_strikes(recording), _strikes_per_cycle(recording.placement)
    starts = np.unique(np.asarray(recording.events[key], dtype=np.int64)[:, 0])
    return starts[(starts >= 0) & (starts < recording.n_samples)], 1


def _cycle_bounds(boundaries, per_window, hop, max_gap):
    """``(starts, ends)`` of windows of ``per_window`` consecutive intervals every ``hop``."""
    if len(boundaries) <= per_window:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    first = np.arange(0, len(boundaries) - per_window, hop)
    starts, ends = boundaries[first], boundaries[first + per_window]
    if max_gap is not None:
        # A window is dropped if any of its intervals is too long.
        too_long = np.concatenate([[0], np.cumsum(np.diff(boundaries) > max_gap)])
        keep = too_long[first + per_window] == too_long[first]
        starts, ends = starts[keep], ends[keep]
    return starts, ends


def _interpolate_windows(signal, starts, ends, n_timepoints):
    """Linear interpolation of ``signal[s:e]`` at ``n_timepoints`` points.

    Returns an array of shape ``(n_windows, n_channels, n_timepoints)``.
    """
    fractions = np.arange(n_timepoints) / n_timepoints
    t = starts[:, None] + (ends - starts)[:, None] * fractions
    left = np.floor(t).astype(np.int64)
    right = np.minimum(left + 1, signal.shape[0] - 1)
    weight = (t - left)[..., None]
    x = np.asarray(signal, dtype=np.float64)
    return (x[left] * (1 - weight) + x[right] * weight).transpose(0, 2, 1)


def make_step_windows(
    dataset,
    placement=None,
    n_steps=2,
    n_timepoints=128,
    foot="right",
    channels=CHANNELS,
    dtype=np.float32,
    exclude=None,
    max_cycle_duration=2.5,
    corrupted_gyroscope="drop",
    events="annotated",
    hop=1,
    activity=None,
):
    """Cut windows of consecutive gait cycles, each resampled to a fixed length.

    With ``events="annotated"``, the events
    ``recording.events[f"{foot}_foot_steps"]`` are the ``[start, end)``
    intervals of one foot's successive steps. With ``s_0 < s_1 < ...`` their
    starts, gait cycle ``k`` spans ``[s_k, s_{k+1})`` and window ``k`` spans
    the ``n_steps`` consecutive cycles ``[s_{k h}, s_{k h+n_steps})``,
    ``h = hop``: with the default ``hop=1`` consecutive windows share
    ``n_steps - 1`` cycles; ``hop=n_steps`` gives non-overlapping windows
    that follow each other (the two-step windows of Zou et al.'s (2020)
    dataset #2; ``hop=1`` those of their dataset #1).

    With ``events="detected"``, the boundaries are the events found by
    :func:`detect_steps` in each recording (in each stretch free of NaN;
    with ``search=0`` where only the vertical axis is known). On a foot,
    shin or thigh they come about once per gait cycle (not at the heel
    strike); elsewhere they are both feet's heel strikes, not told apart,
    and a cycle spans two of them. ``n_steps`` and ``hop`` count cycles
    either way. Use this for datasets without annotated events; ``foot`` is
    then not used.

    Each window is linearly interpolated at the ``n_timepoints`` positions
    ``s + i * (e - s) / n_timepoints``, ``i = 0 ... n_timepoints-1``, of its
    span ``[s, e)`` (the half-open interval, so consecutive windows tile the
    signal without repeating a point). The signal is used at its own rate;
    no resampling.

    Parameters
    ----------
    dataset : GaitDataset or list of GaitDataset
        Dataset(s) to window; with ``events="annotated"``, with step events.
    placement : str, dict or None, default=None
        As in :func:`make_windows`.
    n_steps : int, default=2
        Number of consecutive gait cycles of ``foot`` per window.
    n_timepoints : int, default=128
        Number of time points each window is interpolated to.
    foot : {"right", "left"}, default="right"
        Whose annotated step events delimit the cycles.
    channels : sequence of str, default=CHANNELS
        Channels to keep, in this order.
    dtype : floating dtype, default=np.float32
        Dtype of ``X``.
    exclude : callable, "corrupted_gyroscope" or None, default=None
        As in :func:`make_windows`.
    max_cycle_duration : float or None, default=2.5
        Drop windows containing a cycle longer than this many seconds: such
        a gap between two steps of one foot means a pause or missing events
        (healthy strides last about 0.9–1.6 s), not consecutive cycles.
        None keeps every window.
    corrupted_gyroscope : {"drop", "keep"}, default="drop"
        As in :func:`make_windows`.
    events : {"annotated", "detected"}, default="annotated"
        Cut at the dataset's annotated step events (IPOL), or at events
        detected from the acceleration (any dataset in the body frame;
        where a cycle spans two detected steps, a window is also dropped
        when one of its steps lasts more than ``max_cycle_duration / 2``).
    hop : int, default=1
        Number of cycles from the start of one window to the start of the
        next; ``hop=n_steps`` makes windows that share no sample.
    activity : str, int or None, default=None
        Keep only windows lying entirely inside samples of this activity
        (as in :func:`make_windows`); None keeps every window.

    Returns
    -------
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
        C-contiguous windows in ``dtype``, free of NaN and infinity.
    meta : DataFrame
        The columns of :func:`make_windows` (``start_sample`` and
        ``start_s`` at the recording's own rate), plus ``step_events``
        (``"annotated"`` or ``"detected"``), ``end_sample``, ``end_s`` (the
        start of the cycle after the window) and ``duration_s``.

    Raises
    ------
    ValueError
        If, with annotated events, a selected recording has no
        ``f"{foot}_foot_steps"`` events (the message names the dataset and
        the datasets that have them); with detected events, a recording is
        not in the body frame; a placement or channel is missing, or no
        window can be formed.

    Warns
    -----
    UserWarning
        When windows overlapping NaN or infinite samples are dropped.

    See Also
    --------
    make_windows : Fixed-length windows.
    detect_steps : The heel strikes used with ``events="detected"``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skgait.datasets import CHANNELS, GaitDataset, Recording, make_step_windows
    >>> steps = np.array([[0, 40], [100, 140], [210, 250], [300, 340]])
    >>> rec = Recording(
    ...     signal=np.zeros((400, 6), dtype=np.float32), channels=CHANNELS,
    ...     rate=100.0, dataset="demo", subject="1", recording="r1", trial="1",
    ...     placement="right_foot", source_placement="rf",
    ...     activity=np.ones(400, dtype=np.int8),
    ...     events={"right_foot_steps": steps},
    ... )
    >>> subjects = pd.DataFrame({"subject": ["1"], "age": [30], "sex": ["F"],
    ...                          "height_cm": [170.0], "weight_kg": [60.0]})
    >>> X, meta = make_step_windows(GaitDataset("demo", [rec], subjects))
    >>> X.shape
    (2, 6, 128)
    >>> meta["duration_s"].tolist()
    [2.1, 2.0]
    >>> X, meta = make_step_windows(GaitDataset("demo", [rec], subjects), n_steps=1, hop=2)
    >>> meta["start_sample"].tolist(), meta["end_sample"].tolist()
    ([0, 210], [100, 300])
    """
    if foot not in ("left", "right"):
        raise ValueError(f"foot must be 'left' or 'right', got {foot!r}.")
    if events not in ("annotated", "detected"):
        raise ValueError(f"events must be 'annotated' or 'detected', got {events!r}.")
    for name, value, low in (
        ("n_steps", n_steps, 1),
        ("n_timepoints", n_timepoints, 2),
        ("hop", hop, 1),
    ):
        if not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    if max_cycle_duration is not None and not max_cycle_duration > 0:
        raise ValueError(
            f"max_cycle_duration must be positive seconds or None, got {max_cycle_duration!r}."
        )
    channels = _check_channels(channels)
    dtype = _check_dtype(dtype)
    code = _activity_code_or_none(activity)
    key = f"{foot}_foot_steps"
    selected = _select_recordings(dataset, placement, exclude, channels, corrupted_gyroscope)
    if events == "annotated" and any(key not in rec.events for _, rec, _ in selected):
        raise _no_step_events_error(key, _as_datasets(dataset), selected)

    plan = []
    n_nonfinite = n_total = 0
    for ds, rec, idx in selected:
        boundaries, per_cycle = _step_boundaries(rec, key, events)
        max_gap = None if max_cycle_duration is None else max_cycle_duration * rec.rate / per_cycle
        starts, ends = _cycle_bounds(boundaries, n_steps * per_cycle, hop * per_cycle, max_gap)
        if code is not None:
            inside = ~_overlaps(starts, ends, _runs(rec.activity != code))
            starts, ends = starts[inside], ends[inside]
        bad = _nonfinite_runs(rec.signal[:, idx])
        # Interpolation reads samples s ... e inclusive.
        keep = ~_overlaps(starts, ends + 1, bad)
        n_total += len(starts)
        n_nonfinite += int((~keep).sum())
        plan.append((ds, rec, idx, starts[keep], ends[keep]))
    if n_total == 0:
        limit = "" if max_cycle_duration is None else f" at most {max_cycle_duration} s apart"
        where = "" if activity is None else f" inside activity={activity!r}"
        raise ValueError(
            f"No window of {n_steps} gait cycles fits: no selected recording has "
            f"{n_steps + 1} successive "
            + (f"{key!r} events" if events == "annotated" else "detected cycle starts")
            + f"{limit}{where}."
        )
    _warn_dropped(n_nonfinite, n_total, "step windows")
    if n_nonfinite == n_total:
        raise ValueError("Every step window overlaps NaN or infinite samples.")

    counts = [len(p[3]) for p in plan]
    X = np.empty((sum(counts), len(channels), n_timepoints), dtype=dtype)
    offset = 0
    for (_, rec, idx, starts, ends), count in zip(plan, counts):
        if count:
            X[offset : offset + count] = _interpolate_windows(
                rec.signal[:, idx], starts, ends, n_timepoints
            )
            offset += count

    rates = np.repeat([p[1].rate for p in plan], counts)
    starts = np.concatenate([p[3] for p in plan])
    ends = np.concatenate([p[4] for p in plan])
    meta = _build_meta(
        [(p[0], p[1]) for p in plan],
        counts,
        {
            "step_events": np.full(len(starts), events, dtype=object),
            "start_s": starts / rates,
            "start_sample": starts,
            "end_s": ends / rates,
            "end_sample": ends,
            "duration_s": (ends - starts) / rates,
        },
    )
    return X, meta
