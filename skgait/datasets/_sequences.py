"""Long windows labelled at every time step, to train a per-step labeller."""

import numpy as np
import pandas as pd

from ._base import CHANNELS
from ._resample import resample_recording
from ._windows import _as_datasets, _channel_indices, _check_channels

__all__ = ["make_sequence_windows"]


def make_sequence_windows(
    dataset, placement=None, rate=50.0, length=10.24, overlap=0.5, channels=CHANNELS
):
    """Cut long windows with the activity code of every time step.

    Unlike :func:`~skgait.datasets.make_windows`, windows cross changes of
    activity: they are the training data of a per-step labeller.

    Parameters
    ----------
    dataset : GaitDataset or list of GaitDataset
    placement : str, dict or None, default=None
        As in :func:`~skgait.datasets.make_windows`.
    rate : float, default=50.0
        Recordings are resampled to this rate first.
    length : float, default=10.24
        Window length in seconds (512 samples at 50 Hz).
    overlap : float, default=0.5
        Fraction shared by consecutive windows.
    channels : sequence of str, default=CHANNELS

    Returns
    -------
    X : ndarray of shape (n_windows, n_channels, n_timepoints), float32
    activity : ndarray of shape (n_windows, n_timepoints), int8
        Codes into :data:`~skgait.datasets.ACTIVITIES`.
    meta : DataFrame
        ``dataset``, ``subject``, ``recording``, ``start_sample`` (resampled
        time base), ``group`` (``"<dataset>:<subject>"``).
    """
    channels = _check_channels(channels)
    n = round(length * rate)
    step = max(1, round(n * (1 - overlap)))
    X, Y, rows = [], [], []
    for ds in _as_datasets(dataset):
        for rec in ds.select(placement=ds.resolve_placement(placement)):
            rec = resample_recording(rec, rate)
            signal = rec.signal[:, _channel_indices(rec, channels)]
            for start in range(0, rec.n_samples - n + 1, step):
                window = signal[start : start + n]
                if not np.all(np.isfinite(window)):
                    continue
                X.append(window.T)
                Y.append(rec.activity[start : start + n])
                rows.append((ds.name, rec.subject, rec.recording, start))
    if not X:
        raise ValueError(f"No recording is at least {length} s long; use a shorter length.")
    meta = pd.DataFrame(rows, columns=["dataset", "subject", "recording", "start_sample"])
    meta["group"] = meta["dataset"] + ":" + meta["subject"]
    return np.ascontiguousarray(np.stack(X), dtype=np.float32), np.stack(Y), meta
