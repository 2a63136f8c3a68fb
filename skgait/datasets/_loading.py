"""What every loader shares: the subject table and the cached per-file loop."""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from ._base import DataFormatError, GaitDataset
from ._cache import cached_recordings
from ._download import registry_check
from ._home import resolve_dataset_path
from ._plausibility import check_plausibility

__all__ = [
    "load_dataset",
    "normalise_subject_table",
    "read_subject_table",
    "resample_timestamps",
    "to_body_frame",
]



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
        See :func:`normalise_subject_table`.
    """
    table = pd.read_csv(path).rename(columns=rename or {})
    if "subject" in table.columns:
        table["subject"] = table["subject"].map(subject_format)
    return normalise_subject_table(table, str(path))

_SEX = {"f": "F", "female": "F", "w": "F", "woman": "F",
        "m": "M", "male": "M", "man": "M"}

def normalise_subject_table(table, source):
    """Bring a subject table to skgait's convention, with clear errors.

    Parameters
    ----------
    table : DataFrame
        One row per subject; ``subject`` is required, ``age``, ``sex``,
        ``height_cm`` and ``weight_kg`` are optional.
    source : str
        What the table was read from, for error messages (a file path).

    Returns
    -------
    subjects : DataFrame
        ``subject`` (str), ``age``, ``sex``, ``height_cm``, ``weight_kg`` first
        (NaN where missing; ``sex`` is ``"F"``, ``"M"`` or NaN), other columns
        kept.

    Raises
    ------
    DataFormatError
        If ``subject`` is missing or duplicated, a numeric column holds a
        non-number, or ``sex`` holds a value other than F/M/female/male.
    """
    table = table.copy()
    if "subject" not in table.columns:
        raise DataFormatError(
            f"{source}: the subject table has no 'subject' column "
            f"(columns: {', '.join(map(str, table.columns))})."
        )
    table["subject"] = table["subject"].astype(str).str.strip()
    duplicated = table["subject"][table["subject"].duplicated()].unique()
    if len(duplicated):
        raise DataFormatError(f"{source}: subjects listed twice: {sorted(duplicated)}.")
    for column in ("age", "height_cm", "weight_kg"):
        if column not in table.columns:
            table[column] = np.nan
            continue
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() & table[column].notna() & (table[column].astype(str).str.strip() != "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFormatError(
                f"{source}: line {row + 2}, column {column!r} is not a number: "
                f"{table[column].iloc[row]!r}."
            )
        table[column] = values.astype(float)
    if "sex" not in table.columns:
        table["sex"] = np.nan
    else:
        raw = table["sex"]
        text = raw.astype(str).str.strip().str.lower()
        sex = text.map(_SEX)
        bad = sex.isna() & raw.notna() & (text != "") & (text != "nan")
        if bad.any():
            raise DataFormatError(
                f"{source}: column 'sex' must hold F/M (or female/male), got "
                f"{sorted(raw[bad].astype(str).unique())}."
            )
        table["sex"] = sex.astype(object).where(sex.notna(), np.nan)
    first = ["subject", "age", "sex", "height_cm", "weight_kg"]
    return table[first + [c for c in table.columns if c not in first]].reset_index(drop=True)


def load_dataset(source, path, data_home, pattern, parse, version, subjects, cache,
                 depends=None):
    """Parse every file of a dataset (through the cache) into a GaitDataset.

    Files are parsed in a thread per core; the recordings keep the sorted
    order of the file names. A file the dataset's download registry lists
    must have the registry's size and SHA-256 (the SHA-256 is the cache key
    too, so the check costs nothing more).

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

    Raises
    ------
    DataFormatError
        If a file does not parse, or differs from its registry entry.
    """
    folder = resolve_dataset_path(source, path, data_home)
    check = registry_check(source.name, folder)

    def load(file):
        extra = depends(file) if depends is not None else ()
        return cached_recordings(file, source.name, version, parse, cache, extra, check)

    # The tokenizer and NumPy release the GIL: files are parsed in threads.
    files = sorted(folder.glob(pattern))
    with ThreadPoolExecutor(max_workers=min(len(files), os.cpu_count() or 1) or 1) as pool:
        per_file = list(pool.map(load, files))
    for file, recs in zip(files, per_file):  # warn here, not in a worker thread
        check_plausibility(recs, file)
    recordings = [rec for recs in per_file for rec in recs]
    return GaitDataset(source.name, recordings, subjects(folder), path=str(folder),
                       citation=source.citation)


def bits_to_unit(raw, full_range, resolution_bits):
    """Convert raw sensor counts with ``(2 * range / 2**resolution) * value``."""
    return raw * (2.0 * full_range / 2.0**resolution_bits)


DEG_TO_RAD = np.pi / 180.0


def _axes_matrix(axes):
    """The 3 x 3 signed permutation that ``axes`` ("-z +y +x") describes."""
    tokens = axes.split()
    if len(tokens) != 3 or any(len(t) != 2 or t[0] not in "+-" or t[1] not in "xyz"
                               for t in tokens) or len({t[1] for t in tokens}) != 3:
        raise ValueError(
            f"axes must name a signed sensor axis for body x, y and z, for example "
            f"'-z +y +x', got {axes!r}."
        )
    matrix = np.zeros((3, 3))
    for body, token in enumerate(tokens):
        matrix[body, "xyz".index(token[1])] = 1.0 if token[0] == "+" else -1.0
    if np.linalg.det(matrix) < 0:
        raise ValueError(
            f"axes {axes!r} is a mirror image (left-handed); a sensor's axes map "
            "onto the body frame by a rotation."
        )
    return matrix


def to_body_frame(signal, axes):
    """Express a sensor's channels in skgait's body frame (see :data:`CHANNELS`).

    Parameters
    ----------
    signal : ndarray of shape (n_samples, 3) or (n_samples, 6)
        Accelerometer x, y, z of the sensor, then optionally its gyroscope
        x, y, z (same chip axes).
    axes : str
        The signed sensor axis that points along body x (forward), y (left)
        and z (up), in this order: ``"-z +y +x"`` means forward is the
        sensor's -z, left its +y and up its +x. It must be a rotation
        (right-handed), since it also maps the angular rates.

    Returns
    -------
    signal : ndarray of the same shape and dtype
        The channels in the body frame.
    """
    matrix = _axes_matrix(axes).astype(signal.dtype)
    out = np.empty_like(signal)
    for block in range(0, signal.shape[1], 3):
        out[:, block:block + 3] = signal[:, block:block + 3] @ matrix.T
    return out


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
