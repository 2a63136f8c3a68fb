"""HuGaDB (Chereshnev & Kertész-Farkas, 2017): six leg IMUs, activity per row."""

import re
from pathlib import Path

import numpy as np

from ..exceptions import DataFormatError
from ..utils._docstring import fill_doc
from ._base import CHANNELS, STANDARD_GRAVITY, Recording, activity_code
from ._home import DatasetSource
from ._loading import (
    DEG_TO_RAD,
    bits_to_unit,
    load_dataset,
    read_readme_table,
    subject_table,
    to_body_frame,
)
from ._parsing import read_numeric_table, read_text_lines

__all__ = ["load_hugadb"]

SOURCE = DatasetSource(
    name="hugadb",
    folder="HuGaDB",
    expected="**/HuGaDB_v1_*_[0-9][0-9]_[0-9][0-9].txt",
    layout=(
        "<folder>/ReadMe.txt (the release's read-me: its 'id weight (kg) height (cm) "
        "age sex' table is the subject table) and <folder>/**/HuGaDB_v1_<activity>_"
        "<SS>_<CC>.txt, activity walking, various, running, sitting, standing, "
        "bicycling, ... (4 header lines, then 39 tab-separated integer columns: acc "
        "and gyro x, y, z of rf, rs, rt, lf, ls, lt, then EMG_r, EMG_l, act). A "
        "<folder>/subjects.csv (subject_id, weight_kg, height_cm, age, sex) "
        "replaces the read-me's table."
    ),
    url="https://github.com/romanchereshnev/HuGaDB (official; the zip is linked from its README)",
    citation=(
        "Chereshnev R., Kertész-Farkas A. HuGaDB: Human Gait Database for Activity "
        "Recognition from Wearable Inertial Sensor Networks. AIST 2017, Lecture "
        "Notes in Computer Science 10716, Springer, 2018."
    ),
)
_VERSION = 3

#: Sampling rate in Hz. The read-me states none; Table 1 of the official
#: README totals 2,111,962 samples in 35,903 s, about 58.82 Hz.
HUGADB_RATE = 2111962 / 35903

# Read-me: int16 values; accelerometers ±2 g, gyroscopes ±2000 °/s.
_ACC = (2.0, 16)
_GYRO = (2000.0, 16)
#: A gyroscope "amplified 10 times" (official README) is told from the data:
#: it reaches the int16 limits (±2000 °/s, 34.9 rad/s), or more than 1 % of
#: its samples exceed 13.2 rad/s (756 °/s). In the shared copy's 390
#: recordings, the 210 the README lists have 3.5 % or more of their samples
#: beyond 13.2 rad/s (207 also reach full scale, the 3 others peak at
#: 32.1-34.6 rad/s); of the others, none reaches full scale and at most
#: 0.16 % of their samples exceed 13.2 rad/s (single peaks up to 25 rad/s).
_GYRO_FULL_SCALE = 32767
_GYRO_FAST = 13.2 / DEG_TO_RAD * 2**15 / 2000.0  # 13.2 rad/s in raw counts
_GYRO_FAST_SHARE = 0.01
_N_COLUMNS = 39
_HEADER_LINES = 4

#: The six IMUs in file order: (HuGaDB name, skgait placement).
_IMUS = (
    ("rf", "right_foot"),
    ("rs", "right_shin"),
    ("rt", "right_thigh"),
    ("lf", "left_foot"),
    ("ls", "left_shin"),
    ("lt", "left_thigh"),
)
#: Body x (forward), y (left), z (up) as signed sensor axes, per segment;
#: see load_hugadb.
_AXES = {"foot": "+x +y +z", "shin": "+z +y -x", "thigh": "+z +y -x"}
_COLUMN_NAMES = tuple(
    f"{kind}_{imu}_{axis}" for imu, _ in _IMUS for kind in ("acc", "gyro") for axis in "xyz"
) + ("EMG_r", "EMG_l", "act")

#: HuGaDB activity ids (ReadMe.txt) onto skgait's activity vocabulary.
_ACTIVITIES = {
    1: "walking",
    2: "running",
    3: "stairs_up",  # going_up
    4: "stairs_down",  # going_down
    5: "sitting",
    6: "sitting_down",
    7: "standing_up",
    8: "standing",
    9: "bicycling",
    10: "elevator_up",  # up_by_elevator
    11: "elevator_down",  # down_by_elevator
    12: "sitting_in_car",
}
_ACTIVITY_CODES = np.full(max(_ACTIVITIES) + 1, -1, dtype=np.int8)
_ACTIVITY_CODES[list(_ACTIVITIES)] = [activity_code(name) for name in _ACTIVITIES.values()]

_ALL = "rf rs rt lf ls lt"
_NO_RT = "rf rs lf ls lt"
#: Gyroscopes the official README ("Corrupted gyroscope data") lists as
#: amplified 10 times, which clips them, for the files of the shared copy
#: (its SOURCE.md repeats the table). An empty string: the file is listed as
#: not corrupted. Accelerometers are not reported as affected. The data
#: tell too (_GYRO_FULL_SCALE): this table is the second source.
_CORRUPTED_GYROSCOPES = {
    f"HuGaDB_v1_{stem}": frozenset(sensors.split())
    for stem, sensors in {
        "walking_01_01": "",
        "walking_03_00": "rf rs rt",
        "walking_03_01": "rf rs rt",
        "walking_04_00": _ALL,
        "walking_05_00": "rf lf rs",
        "walking_05_01": "rf lf rs",
        "walking_06_04": "",
        "walking_07_00": "rf rs",
        "walking_08_02": "",
        "walking_09_00": _ALL,
        "walking_09_01": _ALL,
        "walking_09_04": "",
        "walking_10_00": "",
        "walking_10_01": "",
        "walking_11_02": "lf",
        "walking_11_03": "lf",
        "walking_12_02": _ALL,
        "walking_12_03": _ALL,
        "walking_13_02": _ALL,
        "walking_13_03": _ALL,
        "walking_14_00": _ALL,
        "walking_15_00": _ALL,
        "walking_15_01": _ALL,
        "walking_16_00": _ALL,
        "walking_16_01": _ALL,
        "walking_17_01": _ALL,
        "walking_17_03": _ALL,
        "walking_18_00": _NO_RT,
        "walking_18_03": _NO_RT,
        "various_01_10": "",
        "various_01_11": "",
        "various_02_00": "",
        "various_02_01": "",
        "various_03_00": "rf rs rt",
        "various_03_04": "rf rs rt",
        "various_04_04": _ALL,
        "various_04_05": _ALL,
        "various_05_07": "rf lf rs",
        "various_05_09": "rf lf rs",
        "various_06_05": "",
        "various_06_07": "",
        "various_07_04": "rf rs",
        "various_07_11": "rf rs",
        "various_08_05": "",
        "various_08_25": "",
        "various_09_09": "",
        "various_09_11": "",
        "various_10_11": "",
        "various_10_12": "",
        "various_11_13": "lf",
        "various_11_16": "lf",
        "various_12_08": _ALL,
        "various_12_13": _ALL,
        "various_13_00": "",
        "various_13_02": "",
        "various_14_12": _ALL,
        "various_14_17": _ALL,
        "various_15_05": _ALL,
        "various_15_07": _ALL,
        "various_16_08": _ALL,
        "various_16_10": _ALL,
        "various_17_05": _ALL,
        "various_17_06": _ALL,
        "various_18_07": _NO_RT,
        "various_18_10": _NO_RT,
    }.items()
}
_FILE_NAME = re.compile(r"HuGaDB_v1_([a-z_]+)_(\d+)_(\d+)")
#: Files of the release that are byte-identical copies of an earlier one
#: (loaded once).
_RELEASE_COPIES = {
    "HuGaDB_v1_walking_06_05.txt": "HuGaDB_v1_walking_06_03.txt",
    "HuGaDB_v1_walking_06_06.txt": "HuGaDB_v1_walking_06_04.txt",
}
_README = "ReadMe.txt"
_README_HEADER = re.compile(r"^\s*id\s+weight\s*\(kg\)\s+height\s*\(cm\)\s+age\s+sex")


def _check_header(file):
    """Raise DataFormatError unless line 4 names the 39 documented columns."""
    lines = read_text_lines(file, _HEADER_LINES)
    if len(lines) < _HEADER_LINES:
        raise DataFormatError(
            f"{file}: file ends within its {_HEADER_LINES} header lines; it is empty or truncated."
        )
    found = tuple(lines[-1].split())
    if found == _COLUMN_NAMES:
        return
    if len(found) != len(_COLUMN_NAMES):
        problem = f"it names {len(found)} columns, expected {len(_COLUMN_NAMES)}"
    else:
        i = next(i for i, (a, b) in enumerate(zip(found, _COLUMN_NAMES)) if a != b)
        problem = f"column {i + 1} is named {found[i]!r}, expected {_COLUMN_NAMES[i]!r}"
    raise DataFormatError(
        f"{file}: line {_HEADER_LINES} should name the columns {_COLUMN_NAMES[0]} "
        f"… {_COLUMN_NAMES[-1]}, but {problem}."
    )


def _line_of_row(file, row):
    """Line number (1-based) of data row ``row`` (0-based), skipping blank lines."""
    with open(file, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if number > _HEADER_LINES and line.strip():
                if row == 0:
                    return number
                row -= 1
    return None


def _activity(file, act):
    """Map the ``act`` column onto skgait codes; unknown ids name their line."""
    valid = (act >= 1) & (act < len(_ACTIVITY_CODES)) & (act == np.round(act))
    if not valid.all():
        row = int(np.argmin(valid))
        known = ", ".join(f"{k} {v}" for k, v in _ACTIVITIES.items())
        raise DataFormatError(
            f"{file}: line {_line_of_row(file, row)}, column {_N_COLUMNS} (act) holds "
            f"activity id {act[row]:g}; HuGaDB ids are {known}."
        )
    return _ACTIVITY_CODES[act.astype(np.intp)]


def _parse(file):
    file = Path(file)
    match = _FILE_NAME.fullmatch(file.stem)
    if match is None:
        raise DataFormatError(
            f"{file}: the name does not follow HuGaDB_v1_<activity>_<SS>_<CC>.txt."
        )
    kind, subject, counter = match.groups()
    _check_header(file)
    raw = read_numeric_table(file, _N_COLUMNS, skip_lines=_HEADER_LINES, delimiters=" \t")
    activity = _activity(file, raw[:, -1])
    known = file.stem in _CORRUPTED_GYROSCOPES
    listed = _CORRUPTED_GYROSCOPES.get(file.stem, frozenset())
    recordings = []
    for k, (imu, placement) in enumerate(_IMUS):
        gyro = np.abs(raw[:, 6 * k + 3 : 6 * k + 6])
        amplified = bool(
            (gyro >= _GYRO_FULL_SCALE).any()
            or (gyro > _GYRO_FAST).any(axis=1).mean() > _GYRO_FAST_SHARE
        )
        signal = np.empty((raw.shape[0], 6), dtype=np.float32)
        signal[:, :3] = bits_to_unit(raw[:, 6 * k : 6 * k + 3], *_ACC) * STANDARD_GRAVITY
        signal[:, 3:] = bits_to_unit(raw[:, 6 * k + 3 : 6 * k + 6], *_GYRO) * DEG_TO_RAD
        axes = _AXES[placement.split("_")[1]]
        signal = to_body_frame(signal, axes)
        recordings.append(
            Recording(
                signal=signal,
                channels=CHANNELS,
                rate=HUGADB_RATE,
                dataset=SOURCE.name,
                subject=str(int(subject)),
                recording=file.stem,
                trial=counter,
                placement=placement,
                source_placement=imu,
                activity=activity.copy(),
                info={
                    "source_file_kind": kind,
                    "corrupted_gyroscope": amplified or imu in listed,
                    "gyroscope_amplified": amplified,
                    "gyroscope_status_known": known,
                    "frame": "body",
                    "axes": axes,
                },
            )
        )
    return recordings


def _subjects(folder, recordings):
    return subject_table(
        folder,
        lambda: read_readme_table(
            folder / _README,
            _README_HEADER,
            ("subject", "weight_kg", "height_cm", "age", "sex"),
            re.compile(r"\d+"),
            "the participants' table (id, weight, height, age, sex) of HuGaDB's ReadMe.txt",
        ),
        rename={"subject_id": "subject"},
    )


@fill_doc
def load_hugadb(path=None, *, data_home=None, cache=True, include_various=True, download=False):
    """Load HuGaDB's recordings of every activity (six leg IMUs).

    Every file of the release is read: ``walking``, the mixed-activity
    ``various`` files, and those of one other activity (``running``,
    ``sitting``, ``standing``, ``bicycling``, ``sitting_in_car``,
    ``down_by_elevator``, ...), in the folder or any sub-folder. Two files of
    the release are byte-identical copies of others (``walking_06_05`` of
    ``_06_03``, ``_06_06`` of ``_06_04``) and are loaded once; any other two
    files with the same bytes are refused. The subject table (id, weight,
    height, age, sex) is the participants' table of the release's
    ``ReadMe.txt``; a ``subjects.csv`` in the folder replaces it.

    Each file gives six recordings, one per IMU: right and left foot, shin
    and thigh (``source_placement`` ``"rf"``, ``"rs"``, ``"rt"``, ``"lf"``,
    ``"ls"``, ``"lt"``). The EMG columns are not loaded. Raw int16 counts are
    converted with ``(2 * range / 2**16) * value``: accelerometers (±2 g) to
    m/s², gyroscopes (±2000 °/s) to rad/s. The accelerometer range checks
    out on the data: while standing, the mean acceleration has a norm of
    9.6–10.0 m/s² on every IMU (median over files; single files 9.0–10.4).
    During walking the feet saturate at ±2 g (about 7 % of their
    acceleration values sit at full scale) and a swinging segment's
    centripetal acceleration points the same way in its sensor's frame every
    stride, so the norm of the mean walking acceleration exceeds g: medians
    11.9 (feet), 10.8 (shins) and 10.2 m/s² (thighs).

    Axes (``info["frame"]`` is ``"body"``): the read-me does not describe
    the sensors' orientation; it is read off the data. On the shins and
    thighs gravity lies on the sensor's -x (mean -9.6 m/s² while standing,
    median of the 35 files with standing), so x runs along the segment,
    towards the foot. Their y is medio-lateral and points to the left: the
    gyroscope's largest turn about y is the swing of the leg (distal end
    forward), negative about +y on both legs (medians of the 0.5 and 99.5
    percentiles sum to -2.1 rad/s on the shins). So forward is +z, left
    +y, up -x (``info["axes"]`` ``"+z +y -x"``). The feet sensors sit on the
    instep, tilted by about 35° (standing means 7.8 on z and -5.5 on x):
    up is nearest to +z; their y turns with the shin's y (correlation of
    the two angular rates 0.87 on files with intact gyroscopes), so left is
    +y and forward +x, pointing forward-down along the instep
    (``"+x +y +z"``, the sensor's own axes).

    The read-me gives no sampling rate; the totals of Table 1 of the
    official README (2,111,962 samples in 35,903 s) give
    ``HUGADB_RATE = 2111962 / 35903``, about 58.82 Hz.

    Parameters
    ----------
    path : str or Path, optional
        The HuGaDB folder. Default: ``<data home>/HuGaDB``.
    {data_home}
    {cache}
    include_various : bool, default=True
        Load every file. If False, only the walking files
        ``HuGaDB_v1_walking_*.txt`` are loaded, without the mixed-activity
        files ``HuGaDB_v1_various_*.txt`` (in ``various/`` in the shared
        copy; subject 2's walking exists only there) and the other
        activities' files.
    {download}

    Returns
    -------
    dataset : GaitDataset
        Subjects ``"1"`` … ``"18"``; ``trial`` is the file's counter
        (``"00"``), ``recording`` the file stem. ``activity`` follows the
        file's ``act`` column per row (not the ``#ActivityID`` header, which
        disagrees with the data in some files). ``info`` has
        ``"source_file_kind"`` (the file name's activity: ``"walking"``,
        ``"various"``, ``"sitting"``, ...), ``"gyroscope_amplified"``
        (True where the data show this IMU's gyroscope amplified: it reaches
        its full scale, ±2000 °/s or 34.9 rad/s, or more than 1 % of its
        samples exceed 13.2 rad/s; in the shared copy this flags exactly the
        gyroscopes the official README lists as "amplified 10 times", each
        with 3.5 % or more of its samples beyond 13.2 rad/s, while the
        others have at most 0.16 %), ``"corrupted_gyroscope"`` (amplified,
        or listed in the README's table, which is embedded for the shared
        copy's 65 files: :func:`~skgait.datasets.make_windows` drops them when it
        windows a gyroscope channel, unless ``corrupted_gyroscope="keep"``)
        and ``"gyroscope_status_known"`` (whether the file is in that
        table).

    Raises
    ------
    DatasetNotFoundError
        If the folder holds no HuGaDB file.
    DataFormatError
        If a file's header does not name the 39 documented columns, a row
        has another number of fields or a non-numeric field, or ``act``
        holds an unknown activity id; the message names file and line.

    Examples
    --------
    >>> from skgait.datasets import load_hugadb
    >>> ds = load_hugadb()
    >>> ds.placements
    ['left_foot', 'right_foot', 'left_shin', 'right_shin', 'left_thigh', 'right_thigh']
    >>> rec = ds.select(placement="right_shin", subject="2")[0]
    >>> rec.channels, rec.signal.dtype
    (('acc_x', 'acc_y', 'acc_z', 'gyr_x', 'gyr_y', 'gyr_z'), dtype('float32'))
    """
    return load_dataset(
        SOURCE,
        path,
        data_home,
        _parse,
        _VERSION,
        _subjects,
        cache,
        pattern=None if include_various else "**/HuGaDB_v1_walking_*.txt",
        download=download,
        known_copies=_RELEASE_COPIES,
    )
