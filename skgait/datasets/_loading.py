"""What every loader shares: the subject table and the cached per-file loop."""

import numpy as np
import pandas as pd

from ._base import GaitDataset
from ._cache import cached_recordings
from ._home import resolve_dataset_path

__all__ = ["load_dataset", "read_subject_table", "resample_timestamps"]

_NUMERIC = ("age", "height_cm", "weight_kg")


def read_subject_table(path, rename=None, subject_format=str):
    """Read a ``subjects.csv`` into skgait's subject-table convention.

    Parameters
    ----------
    path : Path
        CSV file with one row per subject.
    rename : dict, optional
        Column renames onto ``subject``, ``age``, ``sex``, ``height_cm``,
        ``weight_kg`` (for example ``{"subject_id": "subject", "gender": "sex"}``).
    subject_format : callable, default=str
        Maps the raw id to the id the recordings use.

    Returns
    -------
    subjects : DataFrame
        ``subject`` (str), ``age``, ``height_cm``, ``weight_kg`` (float, NaN
        where missing) and ``sex`` (``"F"``/``"M"``) first, other columns kept.
    """
    table = pd.read_csv(path).rename(columns=rename or {})
    table["subject"] = table["subject"].map(subject_format).astype(str)
    for column in _NUMERIC:
        table[column] = pd.to_numeric(table[column], errors="raise").astype(float)
    table["sex"] = table["sex"].str.strip().str.upper()
    first = ["subject", "age", "sex", "height_cm", "weight_kg"]
    return table[first + [c for c in table.columns if c not in first]]


def load_dataset(source, path, data_home, pattern, parse, version, subjects, cache,
                 depends=None):
    """Parse every file of a dataset (through the cache) into a GaitDataset.

    Parameters
    ----------
    source : DatasetSource
        Dataset description (name, expected files, where to get them).
    path, data_home : str or Path or None
        Passed to :func:`resolve_dataset_path`.
    pattern : str
        Glob, relative to the dataset folder, of the files to parse.
    parse : callable
        ``parse(file) -> list of Recording``.
    version : int
        Parser version, part of the cache key.
    subjects : callable
        ``subjects(folder) -> DataFrame`` of the subject table.
    cache : bool
        Use the parsed-file cache.
    depends : callable, optional
        ``depends(file) -> list of Path``: further files ``parse(file)``
        reads, whose changes must also invalidate the cache entry.

    Returns
    -------
    dataset : GaitDataset
    """
    folder = resolve_dataset_path(source, path, data_home)
    recordings = []
    for file in sorted(folder.glob(pattern)):
        extra = depends(file) if depends is not None else ()
        recordings.extend(cached_recordings(file, source.name, version, parse, cache, extra))
    return GaitDataset(source.name, recordings, subjects(folder), path=str(folder),
                       citation=source.citation)


def bits_to_unit(raw, full_range, resolution_bits):
    """Convert raw sensor counts with ``(2 * range / 2**resolution) * value``."""
    return raw * (2.0 * full_range / 2.0**resolution_bits)


DEG_TO_RAD = np.pi / 180.0


def resample_timestamps(times, values, grid):
    """Linearly interpolate irregularly timed samples onto a time grid.

    Shared by loaders whose devices stamp each sample (UMAFall's ms
    timestamps, IPOL's packet counters with dropped packets). Samples are
    sorted by time (stably); samples that share a timestamp are averaged
    into one, since a linear interpolant cannot take two values at one time.

    Parameters
    ----------
    times : ndarray of shape (n_samples,)
        Sample times, in any unit shared with ``grid``.
    values : ndarray of shape (n_samples, n_channels)
        Sample values.
    grid : ndarray of shape (n_out,)
        Times to interpolate at; times outside ``[times.min(), times.max()]``
        take the first or last value (as :func:`numpy.interp`).

    Returns
    -------
    resampled : ndarray of shape (n_out, n_channels), float64
    n_duplicates : int
        Number of samples merged into an earlier one with the same time.
    """
    times = np.asarray(times, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(times, kind="stable")
    unique, first, counts = np.unique(times[order], return_index=True, return_counts=True)
    merged = np.add.reduceat(values[order], first, axis=0) / counts[:, None]
    out = np.empty((len(grid), values.shape[1]), dtype=np.float64)
    for c in range(values.shape[1]):
        out[:, c] = np.interp(grid, unique, merged[:, c])
    return out, int(len(times) - len(unique))
