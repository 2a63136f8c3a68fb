"""What every loader shares: the subject table (from a release's own files), the
cached per-file loop and the refusal of duplicate files."""

import os
import re
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataFormatError, DatasetNotFoundError
from ._base import GaitDataset
from ._cache import cached_recordings
from ._download import download_dataset, registry_check
from ._home import resolve_dataset_path
from ._plausibility import check_plausibility

__all__ = [
    "check_unique",
    "header_subject_table",
    "load_dataset",
    "normalise_subject_table",
    "read_readme_table",
    "read_subject_table",
    "resample_timestamps",
    "subject_table",
    "subjects_from_headers",
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


_SEX = {"f": "F", "female": "F", "w": "F", "woman": "F", "m": "M", "male": "M", "man": "M"}


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


def load_dataset(
    source,
    path,
    data_home,
    parse,
    version,
    subjects,
    cache,
    *,
    pattern=None,
    download=False,
    depends=None,
    known_copies=None,
):
    """Parse every file of a dataset (through the cache) into a GaitDataset.

    Files are parsed in a thread per core; the recordings keep the sorted
    order of the file names. A file the dataset's download registry lists
    must have the registry's size and SHA-256 (the SHA-256 is the cache key
    too, so the check costs nothing more). Two files with the same bytes are
    refused (:func:`check_unique`).

    Parameters
    ----------
    source : DatasetSource
        Dataset description (name, expected files, where to get them).
    path, data_home : str or Path or None
        Passed to :func:`resolve_dataset_path`.
    parse : callable
        ``parse(file) -> list of Recording``.
    version : int
        Parser version, part of the cache key.
    subjects : callable
        ``subjects(folder, recordings) -> DataFrame`` of the subject table.
    cache : bool
        Use the parsed-file cache.
    pattern : str, optional
        Glob, relative to the dataset folder, of the files to parse;
        ``source.expected`` if None.
    download : bool, default=False
        Fetch the missing files of ``source`` with :func:`download_dataset`
        first.
    depends : callable, optional
        ``depends(file) -> list of Path``: further files ``parse(file)``
        reads, whose changes must also invalidate the cache entry.
    known_copies : dict of str to str, optional
        File name → name of an earlier file of the release with the same
        bytes (a copy the release itself ships): the copy is skipped instead
        of refused.

    Returns
    -------
    dataset : GaitDataset

    Raises
    ------
    DataFormatError
        If a file does not parse, differs from its registry entry, or has the
        bytes of another file.
    """
    if download:
        path = download_dataset(source.name, path, data_home=data_home)
    if pattern is None:
        pattern = source.expected
    folder = resolve_dataset_path(source, path, data_home)
    check = registry_check(source.name, folder)

    def load(file):
        extra = depends(file) if depends is not None else ()
        return cached_recordings(file, source.name, version, parse, cache, extra, check)

    # The tokenizer and NumPy release the GIL: files are parsed in threads.
    files = sorted(folder.glob(pattern))
    with ThreadPoolExecutor(max_workers=min(len(files), os.cpu_count() or 1) or 1) as pool:
        loaded = list(pool.map(load, files))
    per_file = [recs for recs, _ in loaded]
    digests = [digest for _, digest in loaded]
    skip = _known_copies(files, digests, known_copies or {})
    files, digests, per_file = (
        [item for item, copy in zip(items, skip) if not copy]
        for items in (files, digests, per_file)
    )
    check_unique(files, digests, per_file, _same_recording)
    for file, recs in zip(files, per_file):  # warn here, not in a worker thread
        check_plausibility(recs, file)
    recordings = [rec for recs in per_file for rec in recs]
    return GaitDataset(
        source.name,
        recordings,
        subjects(folder, recordings),
        path=str(folder),
        citation=source.citation,
    )


def _known_copies(files, digests, known_copies):
    """Which files are a copy the release ships of an earlier file (same bytes)."""
    digest_of = {Path(f).name: d for f, d in zip(files, digests)}
    return [
        Path(f).name in known_copies and digest_of.get(known_copies[Path(f).name]) == d
        for f, d in zip(files, digests)
    ]


def _same_recording(rec):
    return f"subject {rec.subject!r}, recording {rec.recording!r}, sensor {rec.source_placement!r}"


def check_unique(files, digests, per_file, identity, hint=""):
    """Refuse two files with the same bytes, or that hold the same recording.

    Two files with one content under another trial name or subject id would
    load as separate recordings; under two subject ids, one person's data
    would sit on both sides of a subject-wise split.

    Parameters
    ----------
    files : list of Path
        The files read.
    digests : list of str
        Their SHA-256 (:func:`~skgait.datasets._cache.cached_recordings`).
    per_file : list of list of Recording
        The recordings parsed from each file.
    identity : callable
        ``identity(recording) -> str``: what makes a recording one, in
        words ("subject 'A', trial '1', placement 'waist'"); two files with
        a recording of the same identity are refused.
    hint : str, default=""
        What to do about two files of the same identity.

    Raises
    ------
    DataFormatError
        Naming both files.
    """
    by_digest, by_identity = {}, {}
    for file, digest, recs in zip(files, digests, per_file):
        for rec in recs:
            key = identity(rec)
            other = by_identity.setdefault(key, file)
            if other != file:
                raise DataFormatError(
                    f"{file} and {other} are both {key}: that recording would count twice.{hint}"
                )
        other = by_digest.setdefault(digest, file)
        if other != file:
            raise DataFormatError(
                f"{file} and {other} have the same content (SHA-256 {digest}): one "
                "recording would count as two (under two subject ids, one person's data "
                "would fall on both sides of a subject-wise split). Remove one of them."
            )


SUBJECTS_FILE = "subjects.csv"


def header_subject_table(folder, recordings):
    """``subjects.csv`` if present, else :func:`subjects_from_headers` (UMAFall, IPOL)."""
    return subject_table(
        folder,
        lambda: subjects_from_headers(recordings, str(folder)),
        rename={"subject_id": "subject", "gender": "sex"},
    )


def subject_table(folder, from_release, rename=None, subject_format=str):
    """The subject table: ``<folder>/subjects.csv`` if present, else the release's own.

    Parameters
    ----------
    folder : Path
        The dataset folder.
    from_release : callable
        ``from_release() -> DataFrame``: the table read from where the
        release keeps it (a read-me, file headers, metadata files).
    rename, subject_format
        Passed to :func:`read_subject_table` for ``subjects.csv``.

    Returns
    -------
    subjects : DataFrame
        See :func:`normalise_subject_table`.
    """
    override = Path(folder) / SUBJECTS_FILE
    if override.is_file():
        return read_subject_table(override, rename, subject_format)
    return from_release()


_TABLE_SPLIT = re.compile(r"[|\s]+")


def read_readme_table(path, header, names, row, what):
    """Read the subject table a dataset's read-me prints as text.

    A table is a header line, then one line per subject whose fields are
    separated by ``|`` or white space; ``+---+`` rules and blank lines are
    skipped, and the first other line ends the table.

    Parameters
    ----------
    path : Path
        The read-me (latin-1 text).
    header : re.Pattern
        Matches the header line.
    names : sequence of str
        Column names of the fields, in order.
    row : re.Pattern
        Matches the first field of a row (the subject id).
    what : str
        Where the table is, in words, for the error messages.

    Returns
    -------
    subjects : DataFrame
        One row per subject, the fields under ``names``, brought to the
        convention of :func:`normalise_subject_table`.

    Raises
    ------
    DatasetNotFoundError
        If the read-me does not exist.
    DataFormatError
        If it holds no such table, or a row has another number of fields.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetNotFoundError(
            f"{path} does not exist: the subject table is {what}. Put the release's "
            f"read-me there, or write {path.with_name(SUBJECTS_FILE)} (columns "
            "subject, age, sex, height_cm, weight_kg)."
        )
    lines = path.read_bytes().decode("latin-1").splitlines()
    start = next((i for i, line in enumerate(lines) if header.search(line)), None)
    if start is None:
        raise DataFormatError(
            f"{path}: no subject table (a line matching {header.pattern!r}); the "
            f"subject table is {what}. Write {path.with_name(SUBJECTS_FILE)} instead."
        )
    rows = []
    for number, line in enumerate(lines[start + 1 :], start + 2):
        text = line.strip()
        if not text.strip("+-| \t"):
            continue  # a rule or a blank line
        fields = [f for f in _TABLE_SPLIT.split(text) if f]
        if not row.fullmatch(fields[0]):
            break
        if len(fields) != len(names):
            raise DataFormatError(
                f"{path}: line {number} of the subject table has {len(fields)} fields, "
                f"expected {len(names)} ({', '.join(names)}): {text[:80]!r}."
            )
        rows.append(fields)
    if not rows:
        raise DataFormatError(f"{path}: the subject table (line {start + 1}) has no rows.")
    return normalise_subject_table(pd.DataFrame(rows, columns=list(names)), str(path))


#: The subject values a loader keeps per file in ``info["header_<key>"]``.
_HEADER_VALUES = ("age", "sex", "height_cm", "weight_kg")


def subjects_from_headers(recordings, source):
    """Subject table from the values each file's header states, by majority.

    Where a subject's files disagree, the most frequent combination of age,
    sex, height and weight is taken (ties: the first file, by name) and one
    warning lists the disagreements.

    Parameters
    ----------
    recordings : list of Recording
        Each with ``info["header_age"]``, ``"header_sex"``,
        ``"header_height_cm"``, ``"header_weight_kg"`` (None where absent);
        the recordings of one file (or trial) share their ``recording`` id.
    source : str
        The dataset folder, for messages.

    Returns
    -------
    subjects : DataFrame
        See :func:`normalise_subject_table`; ``n_files`` counts a subject's
        files and ``n_files_disagreeing`` those with other values.

    Warns
    -----
    UserWarning
        If a subject's files state different values.
    """
    per_subject = {}
    for rec in recordings:
        values = tuple(rec.info.get(f"header_{key}") for key in _HEADER_VALUES)
        per_subject.setdefault(rec.subject, {})[rec.recording] = values
    rows, disagreements = [], []
    for subject, by_file in per_subject.items():
        counts = Counter(by_file[f] for f in sorted(by_file))  # keeps first-seen order
        values, n = counts.most_common(1)[0]
        rows.append(
            {
                "subject": subject,
                **dict(zip(_HEADER_VALUES, values)),
                "n_files": len(by_file),
                "n_files_disagreeing": len(by_file) - n,
            }
        )
        if len(counts) > 1:
            others = "; ".join(
                f"{_describe_values(v)} in {c} file(s), e.g. {_first(by_file, v)}"
                for v, c in counts.items()
                if v != values
            )
            disagreements.append(
                f"subject {subject}: {_describe_values(values)} in {n} file(s), taken; {others}"
            )
    if disagreements:
        warnings.warn(
            f"{source}: the file headers disagree on the subject values of "
            f"{len(disagreements)} subject(s); the subject table takes each subject's most "
            "frequent values (write subjects.csv in the folder to choose others): "
            + " | ".join(disagreements),
            UserWarning,
            stacklevel=3,
        )
    table = pd.DataFrame(
        rows, columns=["subject", *_HEADER_VALUES, "n_files", "n_files_disagreeing"]
    )
    return normalise_subject_table(table, source)


def _describe_values(values):
    return " ".join(f"{k}={v}" for k, v in zip(_HEADER_VALUES, values))


def _first(by_file, values):
    return next(f for f in sorted(by_file) if by_file[f] == values)


def bits_to_unit(raw, full_range, resolution_bits):
    """Convert raw sensor counts with ``(2 * range / 2**resolution) * value``."""
    return raw * (2.0 * full_range / 2.0**resolution_bits)


DEG_TO_RAD = np.pi / 180.0


def _axes_matrix(axes):
    """The 3 x 3 signed permutation that ``axes`` ("-z +y +x") describes."""
    tokens = axes.split()
    if (
        len(tokens) != 3
        or any(len(t) != 2 or t[0] not in "+-" or t[1] not in "xyz" for t in tokens)
        or len({t[1] for t in tokens}) != 3
    ):
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
        out[:, block : block + 3] = signal[:, block : block + 3] @ matrix.T
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
