"""Speed augmentation: a recording replayed faster or slower."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np

from ._base import GaitDataset, Recording
from ._resample import _is_positive_number

__all__ = ["replay_at_speed"]

#: How each kind of channel scales when the motion is played ``a`` times as fast.
_ACCELERATION = ("acc_x", "acc_y", "acc_z")
_ROTATION_RATE = ("gyr_x", "gyr_y", "gyr_z")


def _check_factor(factor):
    if not _is_positive_number(factor):
        raise ValueError(
            f"replay_at_speed: factor must be a positive finite number (1.15 plays the "
            f"walk 15 % faster); got {factor!r}."
        )
    return float(factor)


def _activity_runs(activity):
    """``[start, end)`` of every run of one activity code."""
    edges = np.flatnonzero(np.diff(activity)) + 1
    return zip(np.concatenate([[0], edges]), np.concatenate([edges, [len(activity)]]))


def _replay(recording, a):
    unknown = [c for c in recording.channels if c not in _ACCELERATION + _ROTATION_RATE]
    if unknown:
        raise ValueError(
            f"replay_at_speed: recording {recording.recording!r} has channels {unknown} "
            f"whose scaling with speed is not known; only acceleration "
            f"({', '.join(_ACCELERATION)}) and rotation rate ({', '.join(_ROTATION_RATE)}) "
            "channels can be replayed."
        )
    n = recording.n_samples
    x = np.asarray(recording.signal, dtype=np.float64)
    n_out = int(math.floor((n - 1) / a + 1e-9)) + 1 if n else 0
    t = np.minimum(np.arange(n_out) * a, max(n - 1, 0))
    positions = np.arange(n)
    y = np.empty((n_out, x.shape[1]))
    for c in range(x.shape[1] if n else 0):
        y[:, c] = np.interp(t, positions, x[:, c])
    nearest = np.minimum(np.rint(t).astype(np.int64), max(n - 1, 0))
    activity = recording.activity[nearest]
    acc = [i for i, c in enumerate(recording.channels) if c in _ACCELERATION]
    gyr = [i for i, c in enumerate(recording.channels) if c in _ROTATION_RATE]
    if a != 1.0:
        if acc:
            for start, end in _activity_runs(activity):
                part = y[start:end, acc]
                with warnings.catch_warnings():  # a channel with no finite sample
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean = np.nanmean(part, axis=0)
                y[start:end, acc] = mean + a**2 * (part - mean)
        if gyr:
            y[:, gyr] *= a

    def index(i):
        return np.clip(np.rint(np.asarray(i, dtype=np.float64) / a), 0, n_out).astype(np.int64)

    factor = a * recording.info.get("speed_factor", 1.0)
    return replace(
        recording,
        signal=y.astype(recording.signal.dtype, copy=False),
        recording=f"{recording.recording}@speed{a:g}",
        activity=activity,
        events={k: index(v).reshape(-1, 2) for k, v in recording.events.items()},
        segments={k: tuple(int(i) for i in index(v)) for k, v in recording.segments.items()},
        info={
            **recording.info,
            "speed_factor": factor,
            "source_recording": recording.info.get("source_recording", recording.recording),
        },
    )


def replay_at_speed(data, factor):
    """Replay recordings as if the person had walked ``factor`` times as fast.

    A walk played ``a`` times as fast is the signal ``x(a t)``: the time
    axis is compressed by ``a`` (the recording has ``1/a`` times as many
    samples, at the same rate), a rotation rate grows by ``a`` and an
    acceleration by ``a**2``. Gravity does not change with speed, so the
    acceleration's deviation from its mean is scaled by ``a**2`` and the
    mean is kept; the mean is taken over each run of one activity label
    (over the whole recording when it is unlabelled), so a posture held
    between walks keeps its own gravity direction. Samples are linearly
    interpolated, which damps components close to the Nyquist frequency
    (replay the recording at its own rate, before resampling it to a lower
    one); labels, events and segments follow the new time base.

    Use it to augment the enrolment of an identity model with walks at
    speeds it has not seen, for example ``factor=0.85`` and ``1.15``. The
    replayed recordings are marked: their id gets the suffix
    ``"@speed<factor>"``, and ``info`` holds ``"speed_factor"`` (the
    product over repeated replays) and ``"source_recording"``. Replay only
    the training recordings, after the train/test split: a replay of a test
    recording is the same walk and must not be used for training.

    Parameters
    ----------
    data : Recording, list of Recording or GaitDataset
        Recordings whose channels are acceleration (``acc_x``, ``acc_y``,
        ``acc_z``, m/s²) and rotation rate (``gyr_x``, ``gyr_y``,
        ``gyr_z``, rad/s), found by name.
    factor : float
        Speed factor ``a > 0``: above 1 faster and shorter, below 1 slower
        and longer. ``1`` copies the signal.

    Returns
    -------
    replayed : Recording, list of Recording or GaitDataset
        The replayed recordings, in the type of ``data`` (a GaitDataset
        keeps the subject table). Subject, trial, placement, rate and dtype
        are those of the source recordings.

    Raises
    ------
    ValueError
        If ``factor`` is not a positive finite number, or a recording has a
        channel that is neither acceleration nor rotation rate.

    Examples
    --------
    >>> import numpy as np
    >>> from skgait.datasets import Recording, replay_at_speed
    >>> t = np.arange(500) / 50.0
    >>> acc_z = 9.81 + np.sin(2 * np.pi * t)             # 1 Hz strides on gravity
    >>> rec = Recording(
    ...     signal=np.column_stack([acc_z, 0.5 * np.cos(2 * np.pi * t)]),
    ...     channels=("acc_z", "gyr_y"), rate=50.0, dataset="demo", subject="1",
    ...     recording="r1", trial="1", placement="waist",
    ...     source_placement="waist", activity=np.ones(500, dtype=np.int8),
    ... )
    >>> fast = replay_at_speed(rec, 1.25)
    >>> fast.recording, fast.info["speed_factor"], fast.n_samples
    ('r1@speed1.25', 1.25, 400)
    >>> peak = np.abs(np.fft.rfft(fast.signal[:, 1])).argmax() * 50.0 / fast.n_samples
    >>> float(peak)                                          # 1 Hz * 1.25
    1.25
    >>> ratio = fast.signal[:, 0].std() / rec.signal[:, 0].std()
    >>> round(float(ratio), 2)                               # 1.25**2 = 1.5625
    1.56
    """
    a = _check_factor(factor)
    if isinstance(data, Recording):
        return _replay(data, a)
    if isinstance(data, GaitDataset):
        return GaitDataset(
            data.name,
            [_replay(r, a) for r in data.recordings],
            data.subjects,
            path=data.path,
            citation=data.citation,
        )
    if isinstance(data, (list, tuple)) and all(isinstance(r, Recording) for r in data):
        return [_replay(r, a) for r in data]
    raise TypeError(
        "replay_at_speed: data must be a Recording, a list of Recording or a GaitDataset; "
        f"got {type(data).__name__}."
    )
