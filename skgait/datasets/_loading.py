"""What every loader shares: the subject table and the cached per-file loop."""

import numpy as np
import pandas as pd

from ._base import GaitDataset
from ._cache import cached_recordings
from ._home import resolve_dataset_path

__all__ = ["load_dataset", "read_subject_table"]

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


def load_dataset(source, path, data_home, pattern, parse, version, subjects, cache):
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

    Returns
    -------
    dataset : GaitDataset
    """
    folder = resolve_dataset_path(source, path, data_home)
    recordings = []
    for file in sorted(folder.glob(pattern)):
        recordings.extend(cached_recordings(file, source.name, version, parse, cache))
    return GaitDataset(source.name, recordings, subjects(folder), path=str(folder),
                       citation=source.citation)


def bits_to_unit(raw, full_range, resolution_bits):
    """Convert raw sensor counts with ``(2 * range / 2**resolution) * value``."""
    return raw * (2.0 * full_range / 2.0**resolution_bits)


DEG_TO_RAD = np.pi / 180.0
