"""IPOL healthy-gait reference set (Voisard et al., 2023): 3 XSens IMUs, 10 m walk."""

import json
import re
from pathlib import Path

import numpy as np

from ..exceptions import DataFormatError
from ..utils._docstring import fill_doc
from ._base import CHANNELS, Recording, activity_code
from ._home import DatasetSource
from ._loading import (
    header_subject_table,
    load_dataset,
    resample_timestamps,
    to_body_frame,
)
from ._parsing import read_numeric_table, read_text_lines

__all__ = ["load_ipol_healthy_gait"]

SOURCE = DatasetSource(
    name="ipol",
    folder="IPOL_HealthyGait",
    expected="GaitData/*-*.json",
    layout=(
        "<folder>/GaitData/<S>-<T>.json (trial metadata) with <S>-<T>_lb.txt, "
        "<S>-<T>_lf.txt and <S>-<T>_rf.txt (tab-separated XSens exports: line 1 "
        "'Acquisition frequency: 100 Hz', line 2 the column header "
        "'PacketCounter Acc_X … Mag_Z'). The JSON's Age, Gender, Height and "
        "Weight give the subject table; a <folder>/subjects.csv (subject_id, age, "
        "gender, height_cm, weight_kg) replaces it."
    ),
    url="https://github.com/CyrilVoisard/ipol_dataset_1 (folder GaitData/)",
    citation=(
        "Voisard C., de l'Escalopier N., Ricard D., Oudre L. A Reference Data "
        "Set for the Study of Healthy Subject Gait with Inertial Measurements "
        "Units. Image Processing On Line 13:253-271, 2023. "
        "https://www.ipol.im/pub/art/2023/497/"
    ),
)
_VERSION = 3
_RATE = 100.0
_SENSORS = {  # file suffix -> (placement, source_placement)
    "lb": ("waist", "lower_back"),
    "lf": ("left_foot", "left_foot"),
    "rf": ("right_foot", "right_foot"),
}
#: Body x (forward), y (left), z (up) as signed MTw axes, per sensor; see
#: load_ipol_healthy_gait.
_AXES = {"lb": "-z +y +x", "lf": "-x -y +z", "rf": "-x -y +z"}
_COLUMNS = [
    "PacketCounter",
    "Acc_X",
    "Acc_Y",
    "Acc_Z",
    "Gyr_X",
    "Gyr_Y",
    "Gyr_Z",
    "Mag_X",
    "Mag_Y",
    "Mag_Z",
]
_KEYS = (
    "Subject",
    "Trial",
    "Age",
    "Gender",
    "Height",
    "Weight",
    "TrialBoundaries",
    "UTurnBoundaries",
    "LeftFootEvents",
    "RightFootEvents",
)
_EVENTS = {"left_foot_steps": "LeftFootEvents", "right_foot_steps": "RightFootEvents"}
_RATE_LINE = re.compile(r"^\s*Acquisition frequency:\s*([0-9]+(?:\.[0-9]*)?)\s*Hz\s*$")


def _sensor_files(json_file):
    json_file = Path(json_file)
    return {s: json_file.with_name(f"{json_file.stem}_{s}.txt") for s in _SENSORS}


def _existing_sensor_files(json_file):
    return [f for f in _sensor_files(json_file).values() if f.is_file()]


def _read_metadata(file):
    try:
        # Python's json accepts the bare NaN the origin writes for unknown values.
        meta = json.loads(Path(file).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFormatError(
            f"{file}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})."
        ) from None
    if not isinstance(meta, dict):
        raise DataFormatError(f"{file}: expected a JSON object, got {type(meta).__name__}.")
    missing = [k for k in _KEYS if k not in meta]
    if missing:
        raise DataFormatError(f"{file}: metadata lacks the keys {missing}.")
    stem = Path(file).stem
    if stem != f"{meta['Subject']}-{meta['Trial']}":
        raise DataFormatError(
            f"{file}: Subject {meta['Subject']!r} and Trial {meta['Trial']!r} do not "
            f"match the file name {stem!r}."
        )
    return meta


def _intervals(meta, key, file, n_samples):
    """``meta[key]`` as an (n, 2) int array of [start, end) within the signal."""
    try:
        value = np.asarray(meta[key], dtype=np.float64).reshape(-1, 2)
    except (TypeError, ValueError):
        raise DataFormatError(
            f"{file}: {key} must be a list of [start, end] sample pairs, got {str(meta[key])[:80]}."
        ) from None
    bad = ~np.isfinite(value).all(axis=1) | (value[:, 0] > value[:, 1]) | (value[:, 0] < 0)
    bad |= value[:, 1] > n_samples
    if bad.any():
        raise DataFormatError(
            f"{file}: {key} has the interval {value[bad][0].tolist()} outside the "
            f"{n_samples} samples of the trial (or start after end)."
        )
    return value.astype(np.int64)


def _read_sensor(file):
    """Return (rate, packet counters, acc+gyr (n, 6)) of one XSens export."""
    if not file.is_file():
        raise DataFormatError(f"{file}: sensor file of this trial is missing.")
    lines = read_text_lines(file, 2)
    match = _RATE_LINE.match(lines[0]) if lines else None
    if match is None:
        raise DataFormatError(
            f"{file}: line 1 should be 'Acquisition frequency: <rate> Hz', got "
            f"{(lines[0] if lines else '')[:80]!r}."
        )
    header = lines[1].split() if len(lines) > 1 else []
    if header != _COLUMNS:
        raise DataFormatError(
            f"{file}: line 2 should be the header {' '.join(_COLUMNS)!r}, got "
            f"{' '.join(header)[:120]!r}."
        )
    table = read_numeric_table(file, len(_COLUMNS), skip_lines=2, delimiters="\t ")
    packets = table[:, 0]
    steps = np.diff(packets)
    if (steps < 0).any() or (packets != np.round(packets)).any():
        line = 4 + int(np.flatnonzero(steps < 0)[0]) if (steps < 0).any() else 3
        raise DataFormatError(
            f"{file}: line {line}: PacketCounter must be non-decreasing integers."
        )
    return float(match.group(1)), packets, table[:, 1:7]


def _parse(file):
    file = Path(file)
    meta = _read_metadata(file)
    sensors = {s: _read_sensor(f) for s, f in _sensor_files(file).items()}
    rates = {s: r for s, (r, _, _) in sensors.items()}
    if len(set(rates.values())) != 1 or rates["lb"] <= 0:
        raise DataFormatError(
            f"{file.with_suffix('')}_*.txt: sampling rates differ or are not positive: {rates}."
        )
    # One packet-counter grid for the three synchronised (Awinda) sensors:
    # sample i is packet first + i; dropped packets are interpolated.
    first = min(p[0] for _, p, _ in sensors.values())
    last = min(p[-1] for _, p, _ in sensors.values())
    grid = np.arange(first, last + 1)
    n = len(grid)

    trial_start, trial_end = _intervals(meta, "TrialBoundaries", file, n)[0]
    turn_start, turn_end = _intervals(meta, "UTurnBoundaries", file, n)[0]
    events = {name: _intervals(meta, key, file, n) for name, key in _EVENTS.items()}
    activity = np.full(n, activity_code("standing"), np.int8)
    for steps in events.values():  # steps after the stop: neither walking nor standing
        for start, end in steps:
            activity[start:end] = activity_code("unknown")
    activity[trial_start:trial_end] = activity_code("walking")
    activity[turn_start:turn_end] = activity_code("turning")

    stem = file.stem
    recordings = []
    for suffix, (rate, packets, values) in sensors.items():
        placement, source_placement = _SENSORS[suffix]
        signal, n_repeated = resample_timestamps(packets, values, grid)
        span = packets[-1] - packets[0] + 1
        recordings.append(
            Recording(
                signal=to_body_frame(signal.astype(np.float32), _AXES[suffix]),
                channels=CHANNELS,
                rate=rate,
                dataset=SOURCE.name,
                subject=str(meta["Subject"]),
                recording=stem,
                trial=str(meta["Trial"]),
                placement=placement,
                source_placement=source_placement,
                activity=activity.copy(),
                events={k: v.copy() for k, v in events.items()},
                segments={
                    "trial": (int(trial_start), int(trial_end)),
                    "u_turn": (int(turn_start), int(turn_end)),
                },
                info={
                    "path": str(_sensor_files(file)[suffix]),
                    "n_rows": int(len(packets)),
                    "dropped_packets": int(span - len(packets) + n_repeated),
                    "repeated_packets": n_repeated,
                    "samples_truncated": int(packets[-1] - last),
                    "samples_before_first_packet": int(packets[0] - first),
                    "frame": "body",
                    "axes": _AXES[suffix],
                    **_subject_values(meta),
                },
            )
        )
    return recordings


def _subject_values(meta):
    """The trial's subject values, as ``info["header_*"]`` (None where NaN)."""
    values = {}
    for key, name in (
        ("Age", "age"),
        ("Gender", "sex"),
        ("Height", "height_cm"),
        ("Weight", "weight_kg"),
    ):
        value = meta[key]
        values[f"header_{name}"] = None if isinstance(value, float) and np.isnan(value) else value
    return values


@fill_doc
def load_ipol_healthy_gait(path=None, *, data_home=None, cache=True, download=False):
    """Load the IPOL reference set of healthy-subject gait (100 Hz, 3 IMUs).

    Each trial follows one protocol: stand still, walk 10 m, turn around,
    walk back, stop. Three XSens MTw Awinda sensors give one recording each:
    ``_lb`` (lower back, L5) as placement ``"waist"`` (``source_placement``
    ``"lower_back"``), ``_lf`` as ``"left_foot"`` and ``_rf`` as
    ``"right_foot"``. Accelerations are stored in m/s² (``|a|`` ≈ 9.81 at rest)
    and angular rates in rad/s, so no conversion is applied; the
    magnetometer (``Mag_X … Mag_Z``) is dropped. The rate is read from each
    file's first line and must agree between the three sensors.

    Axes (``info["frame"]`` is ``"body"``): the MTw's own frame is
    right-handed with z out of its top face. On the lower back, gravity
    lies on +x (mean 9.6 m/s² while standing, median of 38 trials), the
    top face points backward (out of the back), and y, whose acceleration
    repeats once per stride, is medio-lateral: forward is -z, left +y, up
    +x (``info["axes"]`` ``"-z +y +x"``); acc_x has a mean of about
    -2.3 m/s² standing, the sensor following the lumbar curve. On the feet
    (the instep), up is nearest to +z (standing means 8.0 on z and 5.7 on
    x: the sensor is tilted about 35°, and keeps that tilt in
    ``acc_x``), and y is medio-lateral; the foot turns toes-up by about 73°
    about +y over each annotated footstep (toe-off to heel strike), so +y
    points to the right: forward is -x, left -y, up +z (``"-x -y +z"``).

    Samples are placed by ``PacketCounter``, not by row: sample ``i`` of a
    trial is packet ``first + i``, ``first`` being the smallest first packet
    of the three sensors. Packets a sensor dropped (up to a few hundred per
    file) are filled by linear interpolation (``info["dropped_packets"]``),
    and all three recordings end at the last packet every sensor has
    (``info["samples_truncated"]``). The metadata's sample indices follow
    this packet numbering: the step events of some trials lie beyond a
    file's row count but within its packet range. A packet counter written
    twice (trial 11-1) is one sample, the mean of the two rows
    (``info["repeated_packets"]``).

    The subject table (age, sex, height, weight) comes from the trials'
    JSON metadata (``Age``, ``Gender``, ``Height``, ``Weight``, also in each
    recording's ``info["header_age"]`` etc.); where a subject's trials
    disagree, the most frequent values are taken with a warning. A
    ``subjects.csv`` in the folder replaces it.

    Per-sample ``activity`` is derived from the metadata: ``"walking"``
    inside ``TrialBoundaries`` (start to end of walking), ``"turning"``
    inside ``UTurnBoundaries``, ``"standing"`` elsewhere (before the start
    and after the stop) except within annotated footsteps outside the trial
    boundaries (a few trials have steps after the stop), which are
    ``"unknown"``.

    Parameters
    ----------
    path : str or Path, optional
        The dataset folder (holding ``GaitData/``).
        Default: ``<data home>/IPOL_HealthyGait``.
    {data_home}
    cache : bool, default=True
        Reuse parsed trials from the cache; a trial's entry depends on its
        JSON file and its three sensor files.
    {download}

    Returns
    -------
    dataset : GaitDataset
        ``recording`` is ``"<S>-<T>"``, ``subject`` ``"<S>"``, ``trial``
        ``"<T>"``. Every recording of a trial has ``segments`` ``"trial"``
        and ``"u_turn"`` and ``events`` ``"left_foot_steps"`` and
        ``"right_foot_steps"`` (``[start, end)`` sample pairs of each
        footstep). Unknown heights and weights (``NaN`` in the origin) are
        NaN in the subject table.

    Raises
    ------
    DatasetNotFoundError
        If the folder holds no ``GaitData/<S>-<T>.json``.
    DataFormatError
        If a JSON file is malformed or lacks keys, a sensor file is missing,
        truncated, or has another first line or header, or an interval lies
        outside its trial.

    Examples
    --------
    >>> from skgait.datasets import load_ipol_healthy_gait
    >>> ds = load_ipol_healthy_gait()
    >>> ds.placements
    ['waist', 'left_foot', 'right_foot']
    >>> rec = ds.select(placement="left_foot", recording="1-1")[0]
    >>> rec.rate, rec.events["left_foot_steps"][:3].tolist()
    (100.0, [[527, 574], [641, 687], [752, 797]])
    """
    return load_dataset(
        SOURCE,
        path,
        data_home,
        _parse,
        _VERSION,
        header_subject_table,
        cache,
        download=download,
        depends=_existing_sensor_files,
    )
