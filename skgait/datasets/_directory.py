"""Load a user's own recordings: one CSV or Parquet file per recording.

The layout :func:`load_directory` reads is also the one to convert a dataset
into when it has no published file layout (GEDS, EJUST-GINR-1).
"""

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataFormatError, DatasetNotFoundError
from ..utils._docstring import fill_doc
from ._base import ACTIVITIES, CHANNELS, PLACEMENTS, GaitDataset, Recording
from ._cache import cached_recordings
from ._home import DatasetSource, resolve_dataset_path
from ._loading import check_unique, normalise_subject_table
from ._plausibility import check_plausibility
from ._resample import resample_recording

__all__ = ["load_directory"]

_VERSION = 1
_ACC = CHANNELS[:3]
_GYR = CHANNELS[3:]
_SUFFIXES = {".csv": "CSV", ".parquet": "Parquet", ".pq": "Parquet"}
# A time column whose steps deviate from the median step by more than this
# fraction is irregular and is resampled.
_IRREGULAR = 0.01

#: The layout load_directory reads, quoted by error messages.
DIRECTORY_LAYOUT = (
    "one CSV or Parquet file per recording named <subject>_<trial>_<placement>.csv "
    "(or <subject>_<trial>.csv, or <subject>.csv), with columns acc_x, acc_y, acc_z "
    "in m/s², optionally gyr_x, gyr_y, gyr_z in rad/s, optionally time (s) and "
    "activity (a name from skgait.datasets.ACTIVITIES or its integer code); plus "
    "subjects.csv with columns subject, age, sex (F/M), height_cm, weight_kg"
)


def _read_table(file):
    kind = _SUFFIXES.get(Path(file).suffix.lower())
    if kind == "CSV":
        try:
            return pd.read_csv(file, skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise DataFormatError(f"{file}: not a readable CSV table ({exc}).") from None
    if kind == "Parquet":
        try:
            return pd.read_parquet(file)
        except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
            raise DataFormatError(f"{file}: not a readable Parquet file ({exc}).") from None
    raise DataFormatError(
        f"{file}: unsupported file type {Path(file).suffix!r}; use .csv or .parquet."
    )


def _row_name(file, row):
    """Name a data row as a reader finds it: CSV line (header is line 1) or row."""
    if Path(file).suffix.lower() == ".csv":
        return f"line {row + 2}"
    return f"row {row}"


def _numeric(table, column, file):
    """Return a column as float64, raising on a non-number or empty value."""
    raw = table[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = raw.iloc[row]
        what = (
            "is empty"
            if pd.isna(value) or str(value).strip() == ""
            else (f"is not a number: {value!r}")
        )
        raise DataFormatError(f"{file}: {_row_name(file, row)}, column {column!r} {what}.")
    return values


def _constant(table, column, file):
    values = table[column].dropna().astype(str).str.strip().unique()
    if len(values) != 1:
        raise DataFormatError(
            f"{file}: column {column!r} must hold one value for the whole file, "
            f"found {sorted(values)[:5]}."
        )
    return values[0]


def _activity_codes(table, file, default):
    """Per-sample activity codes from names or integer codes."""
    if "activity" not in table.columns:
        return np.full(len(table), default, dtype=np.int8)
    raw = table["activity"]
    lookup = {name: float(i) for i, name in enumerate(ACTIVITIES)}
    names = raw.astype(str).str.strip().str.lower().map(lookup)
    codes = pd.to_numeric(raw, errors="coerce").fillna(names).to_numpy(dtype=np.float64)
    valid = (codes >= 0) & (codes < len(ACTIVITIES)) & (codes == np.round(codes))
    if not valid.all():
        row = int(np.flatnonzero(~valid)[0])
        raise DataFormatError(
            f"{file}: {_row_name(file, row)}, column 'activity' holds "
            f"{raw.iloc[row]!r}; expected a name from {', '.join(ACTIVITIES)} "
            f"or a code 0-{len(ACTIVITIES) - 1}."
        )
    return codes.astype(np.int8)


def _uniform(signal, activity, time, rate, file):
    """Return (signal, activity, rate, info) on a uniform time base.

    Without ``time`` the samples are taken as uniform at ``rate``. With it,
    the rate is the inverse of the median step, and an irregular time base
    (a step more than 1 % off the median) is linearly interpolated onto a
    uniform grid at that rate (activity: the nearest earlier sample).
    """
    if time is None:
        if rate is None:
            raise DataFormatError(
                f"{file}: no 'time' column, so the sampling rate is unknown; "
                "pass rate= (Hz) or add a time column in seconds."
            )
        return signal, activity, float(rate), {}
    if len(time) < 2:
        raise DataFormatError(f"{file}: a 'time' column needs at least 2 samples.")
    steps = np.diff(time)
    if not (steps > 0).all():
        row = int(np.flatnonzero(steps <= 0)[0]) + 1
        raise DataFormatError(
            f"{file}: {_row_name(file, row)}, column 'time' does not increase "
            f"({time[row - 1]!r} then {time[row]!r})."
        )
    step = float(np.median(steps))
    source_rate = float(f"{1.0 / step:.6g}")
    if np.max(np.abs(steps - step)) <= _IRREGULAR * step:
        return signal, activity, source_rate, {}
    grid = time[0] + np.arange(int(np.floor((time[-1] - time[0]) * source_rate)) + 1) / source_rate
    out = np.empty((len(grid), signal.shape[1]), dtype=np.float64)
    for j in range(signal.shape[1]):
        out[:, j] = np.interp(grid, time, signal[:, j])
    nearest = np.clip(np.searchsorted(time, grid, side="right") - 1, 0, len(time) - 1)
    return out, activity[nearest], source_rate, {"irregular_time": True}


def _file_metadata(table, file, placement):
    """Subject, trial, placement (and its source name) and recording id of a file."""
    stem = Path(file).stem
    if "subject" in table.columns:
        subject = _constant(table, "subject", file)
        trial = _constant(table, "trial", file) if "trial" in table.columns else "1"
        named_placement = None
        recording = stem
    else:
        parts = stem.split("_", 2)
        subject = parts[0]
        trial = parts[1] if len(parts) > 1 else "1"
        named_placement = parts[2] if len(parts) > 2 else None
        recording = f"{subject}_{trial}" if len(parts) > 1 else stem
    column_placement = _constant(table, "placement", file) if "placement" in table.columns else None
    if named_placement and column_placement and named_placement != column_placement:
        raise DataFormatError(
            f"{file}: the file name says placement {named_placement!r} but the "
            f"'placement' column says {column_placement!r}."
        )
    source_placement = column_placement or named_placement or placement
    if source_placement is None:
        raise DataFormatError(
            f"{file}: no placement. Name the file <subject>_<trial>_<placement>"
            f"{Path(file).suffix}, add a 'placement' column, or pass placement=."
        )
    if source_placement not in PLACEMENTS:
        raise DataFormatError(
            f"{file}: unknown placement {source_placement!r}; expected one of "
            f"{', '.join(PLACEMENTS)}."
        )
    return subject, trial, source_placement, recording


def _parser(name, rate, placement, columns, activity):
    default_activity = ACTIVITIES.index(activity)

    def parse(file):
        table = _read_table(file)
        if columns:
            table = table.rename(columns=columns)
        table.columns = [str(c).strip() for c in table.columns]
        missing = [c for c in _ACC if c not in table.columns]
        gyro = [c for c in _GYR if c in table.columns]
        if gyro and len(gyro) < 3:
            missing += [c for c in _GYR if c not in table.columns]
        if missing:
            raise DataFormatError(
                f"{file}: missing columns {', '.join(missing)} (found: "
                f"{', '.join(table.columns)}). Rename columns with columns=."
            )
        if len(table) == 0:
            raise DataFormatError(f"{file}: no data rows.")
        channels = _ACC + (_GYR if gyro else ())
        subject, trial, source_placement, recording_id = _file_metadata(table, file, placement)
        signal = np.column_stack([_numeric(table, c, file) for c in channels])
        codes = _activity_codes(table, file, default_activity)
        time = _numeric(table, "time", file) if "time" in table.columns else None
        signal, codes, file_rate, info = _uniform(signal, codes, time, rate, file)
        info["path"] = str(file)
        recording = Recording(
            signal=signal.astype(np.float32),
            channels=channels,
            rate=file_rate,
            dataset=name,
            subject=subject,
            recording=recording_id,
            trial=trial,
            placement=source_placement,
            source_placement=source_placement,
            activity=codes,
            info=info,
        )
        if rate is not None and time is not None:
            if abs(file_rate - rate) <= 1e-3 * rate:  # time-stamp jitter: relabel
                recording.rate = float(rate)
            else:
                recording = resample_recording(recording, rate)
        return [recording]

    return parse


def _same_trial(rec):
    return f"subject {rec.subject!r}, trial {rec.trial!r}, placement {rec.placement!r}"


def _read_subjects(folder, subjects, recordings, name):
    if subjects is None:
        ids = sorted({r.subject for r in recordings})
        return normalise_subject_table(pd.DataFrame({"subject": ids}), name)
    file = Path(subjects)
    if not file.is_absolute():
        file = folder / file
    if not file.is_file():
        raise DatasetNotFoundError(
            f"{name}: subject table {file} does not exist; write one (columns "
            "subject, age, sex, height_cm, weight_kg) or pass subjects=None."
        )
    table = normalise_subject_table(_read_table(file), str(file))
    known = set(table["subject"])
    for rec in recordings:
        if rec.subject not in known:
            raise DataFormatError(
                f"{rec.info['path']}: subject {rec.subject!r} is not in the subject table {file}."
            )
    return table


@fill_doc
def load_directory(
    path,
    *,
    subjects="subjects.csv",
    pattern="*.csv",
    rate=None,
    placement=None,
    columns=None,
    name="custom",
    activity="unknown",
    cache=True,
):
    """Load your own recordings: one CSV or Parquet file per sensor and trial.

    **Files.** Every file matching ``pattern`` (except the subject table)
    is one recording of one sensor:

    - columns ``acc_x, acc_y, acc_z`` in m/s² (required) and
      ``gyr_x, gyr_y, gyr_z`` in rad/s (all three or none);
    - ``time`` in seconds (optional): the rate is the inverse of its median
      step, and an irregular time base (a step more than 1 % off the median)
      is linearly interpolated onto a uniform grid at that rate
      (``info["irregular_time"]``); without it, ``rate`` is required;
    - ``activity`` (optional): a name from :data:`ACTIVITIES`
      (``"walking"``) or its integer code, per sample;
    - other columns are ignored.

    **Subject, trial, placement.** The file name ``<subject>_<trial>_<placement>``
    (``S01_1_waist.csv``, ``S01_2_left_wrist.parquet``) gives them; ``<trial>``
    and ``<placement>`` may be left out (``S01_1.csv``, ``S01.csv``), subject
    ids cannot contain ``_``. Alternatively a ``subject`` column (and optional
    ``trial`` column), each holding one value, name them and the file name is
    free. A ``placement`` column (one value), or else the ``placement``
    argument, gives the placement when the file name does not. Placements are
    names from :data:`PLACEMENTS`. Files of one subject and trial share the
    recording id ``<subject>_<trial>``.

    **Subject table.** ``subjects.csv`` (or Parquet) with a ``subject``
    column and any of ``age``, ``sex`` (F/M or female/male), ``height_cm``,
    ``weight_kg``; missing columns become NaN, extra columns are kept.

    Parameters
    ----------
    path : str or Path
        Folder holding the files.
    subjects : str or Path or None, default="subjects.csv"
        Subject table, relative to ``path`` or absolute. ``None``: no table;
        every subject gets NaN attributes.
    pattern : str, default ``"*.csv"``
        Glob, relative to ``path``, of the recording files (``"**/*.parquet"``
        to search sub-folders).
    rate : float, optional
        Sampling rate in Hz. Required for files without a ``time`` column; a
        file with one is resampled to it with
        :func:`~skgait.datasets.resample_recording` (unless its time stamps
        already give this rate within 0.1 %).
    placement : str, optional
        Placement of files whose name and columns do not give one.
    columns : dict, optional
        Renames applied to every file first, for example
        ``{"AccX": "acc_x", "t": "time"}``.
    name : str, default="custom"
        Dataset name (:attr:`Recording.dataset`, cache folder).
    activity : str, default="unknown"
        Activity of files without an ``activity`` column, a name from
        :data:`ACTIVITIES` (``"walking"`` for a gait-only collection).
    {cache}

    Returns
    -------
    dataset : GaitDataset

    Raises
    ------
    DatasetNotFoundError
        If ``path`` does not exist or holds no file matching ``pattern``.
    DataFormatError
        If a file lacks a required column, holds a non-number or an empty
        value (the message names the file, line and column), has no rate,
        names an unknown placement or activity, or its subject is not in
        the subject table; or if two files are the same subject, trial and
        placement (``S01_1.csv`` read with ``placement="waist"`` and
        ``S01_1_waist.csv``, or ``S01.csv`` and ``S01_1.csv``).

    Warns
    -----
    ImplausibleSignalWarning
        For a recording whose values are not plausible in SI units
        (NaN or infinite values, accelerations or angular rates beyond any
        body-worn sensor, a mean acceleration that is not gravity: values
        in g or mg), naming its file.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, pathlib
    >>> from skgait.datasets import load_directory
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> standing = np.tile([0.0, 0.0, 9.81], (200, 1))  # gravity on z, in m/s²
    >>> walk = pd.DataFrame(standing, columns=["acc_x", "acc_y", "acc_z"])
    >>> walk.to_csv(folder / "S01_1_waist.csv", index=False)
    >>> pd.DataFrame({"subject": ["S01"], "age": [31], "sex": ["F"]}).to_csv(
    ...     folder / "subjects.csv", index=False)
    >>> ds = load_directory(folder, rate=100, activity="walking", cache=False)
    >>> ds.recordings[0]
    Recording(dataset='custom', subject='S01', recording='S01_1', placement='waist', \
n_samples=200, rate=100, channels=3)
    """
    if activity not in ACTIVITIES:
        raise ValueError(f"activity must be one of {', '.join(ACTIVITIES)}, got {activity!r}.")
    if placement is not None and placement not in PLACEMENTS:
        raise ValueError(
            f"Unknown placement {placement!r}; expected one of {', '.join(PLACEMENTS)}."
        )
    if rate is not None and not rate > 0:
        raise ValueError(f"rate must be a positive number of Hz, got {rate!r}.")
    source = DatasetSource(
        name=name,
        folder=str(path),
        expected=pattern,
        layout=DIRECTORY_LAYOUT,
        url="nowhere: this is your own data (see skgait.datasets.load_directory)",
    )
    folder = resolve_dataset_path(source, path)
    options = json.dumps([rate, placement, columns, activity], sort_keys=True, default=str)
    version = f"{_VERSION}-{hashlib.sha1(options.encode()).hexdigest()[:10]}"
    parse = _parser(name, rate, placement, columns, activity)
    skip = None if subjects is None else (folder / subjects).resolve()
    files, digests, per_file = [], [], []
    for file in sorted(folder.glob(pattern)):
        if not file.is_file() or file.resolve() == skip:
            continue
        recs, digest = cached_recordings(file, name, version, parse, cache)
        check_plausibility(recs, file)
        files.append(file)
        digests.append(digest)
        per_file.append(recs)
    check_unique(
        files,
        digests,
        per_file,
        _same_trial,
        " Remove one, or give it another trial or placement (<subject>_<trial>_<placement>).",
    )
    recordings = [rec for recs in per_file for rec in recs]
    table = _read_subjects(folder, subjects, recordings, name)
    return GaitDataset(name, recordings, table, path=str(folder))
