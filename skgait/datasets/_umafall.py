"""UMAFall (Casilari et al., 2017): 12 activities and 3 falls, a phone and four SensorTags."""

import re
import warnings
from pathlib import Path

import numpy as np

from ..exceptions import DataFormatError
from ..utils._docstring import fill_doc
from ._base import CHANNELS, STANDARD_GRAVITY, Recording, activity_code
from ._home import DatasetSource
from ._loading import (
    DEG_TO_RAD,
    header_subject_table,
    load_dataset,
    resample_timestamps,
    to_body_frame,
)
from ._parsing import read_numeric_table

__all__ = ["load_umafall"]

SOURCE = DatasetSource(
    name="umafall",
    folder="UMAFall",
    expected="UMAFall_Subject_[0-9]*_*_*.csv",
    layout=(
        "<folder>/UMAFall_Subject_<SS>_<ADL|Fall>_<activity>_<trial>_<date>.csv "
        "('%' header lines with the subject's Age, Height(cm), Weight(Kg), Gender "
        "and a 'MAC Address; Sensor_ID; Position; Device Model' table, then "
        "'TimeStamp; Sample No; X; Y; Z; Sensor Type; Sensor ID' rows). A "
        "<folder>/subjects.csv (subject_id, age, height_cm, weight_kg, gender) "
        "replaces the subject values of the headers."
    ),
    url="https://figshare.com/articles/dataset/UMA_ADL_FALL_Dataset_zip/4214283 "
    "(also mirrored on GitHub, e.g. Brisabrin/FallDetectionAlgorithm, UMAFall_Dataset/)",
    citation=(
        "Casilari E., Santoyo-Ramón J.A., Cano-García J.M. UMAFall: A Multisensor "
        "Dataset for the Research on Automatic Fall Detection. Procedia Computer "
        "Science 110:32-39, 2017."
    ),
)
_VERSION = 3
_PLACEMENTS = {  # header Position -> placement
    "RIGHTPOCKET": "pocket",
    "WAIST": "waist",
    "ANKLE": "ankle",
    "CHEST": "chest",
    "WRIST": "wrist",
}
_PHONE = "RIGHTPOCKET"  # the smartphone: accelerometer only
#: Per position: (info["frame"], body x y z as signed sensor axes); see
#: load_umafall.
_AXES = {
    "WAIST": ("vertical", "+z -y +x"),
    "CHEST": ("vertical", "+z -y +x"),
    "ANKLE": ("body", "+z -y +x"),
    "WRIST": ("sensor", "+x +y +z"),
    "RIGHTPOCKET": ("sensor", "+x +y +z"),
}
_DEFAULT_RATES = {"phone": 200.0, "sensortag": 20.0}
_ACC, _GYR, _MAG = 0, 1, 2
# Largest plausible magnitude per sensor type (units of the file: g, °/s),
# used to place the decimal point of numbers a spreadsheet mangled.
_LIMITS = {_ACC: 16.0, _GYR: 256.0, _MAG: 10000.0}
_NAME = re.compile(r"UMAFall_Subject_(\d+)_(ADL|Fall)_(.+?)_(\d+)_\d{4}-\d\d-\d\d_")
#: The release's movement names (file name and header) onto ACTIVITIES.
_ACTIVITIES = {
    "ADL_Walking": "walking",
    "ADL_Jogging": "jogging",
    "ADL_GoUpstairs": "stairs_up",
    "ADL_GoDownstairs": "stairs_down",
    "ADL_Sitting_GettingUpOnAChair": "sitting_down_and_up",
    "ADL_LyingDown_OnABed": "lying_down_and_up",
    "ADL_Bending": "bending",
    "ADL_Hopping": "jumping",
    "ADL_Aplausing": "clapping",
    "ADL_HandsUp": "raising_hands",
    "ADL_MakingACall": "phone_call",
    "ADL_OpeningDoor": "opening_door",
    "Fall_backwardFall": "fall",
    "Fall_forwardFall": "fall",
    "Fall_lateralFall": "fall",
}
#: Integer columns (TimeStamp, Sample No) a spreadsheet wrote with '.'
#: thousands separators are kept when within this many ms or samples, or a
#: factor of 2, of the same stream's neighbouring values.
_INTEGER_SLACK = 1000.0
_INTEGER_COLUMNS = [0, 1]
_NEIGHBOURS = 5
_MAC = re.compile(r"^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$")
# A spreadsheet (decimal comma locale) read "1.00332105159759" as an integer
# and wrote it back with '.' thousands separators: "1.003.321.051.597.590".
_GROUPED = re.compile(r"-?\d{1,3}(?:\.\d{3})+")
# It also wrote numbers in scientific notation with a decimal comma:
# "-6,10E+10" (the digits 610 of a value whose decimal point was lost, to 3
# significant digits) or "6,10E-05" (a plain small number).
_COMMA_EXPONENT = re.compile(r"(-?)(\d+),(\d*)[eE]([+-]?\d+)")
# A number is repaired when one reading of its digits is at most this
# fraction as far from the neighbouring samples as any other reading.
_CLEAR = 0.5
_HEADER_KEYS = {
    "Date": "date",
    "Age": "age",
    "Height(cm)": "height_cm",
    "Weight(Kg)": "weight_kg",
    "Gender": "sex",
    "Trial": "trial",
    "Number of Sensors": "n_sensors_listed",
}


def _header(file):
    """Header values and the Sensor_ID -> (position, MAC, model) table."""
    values, sensors = {}, {}
    in_table = False
    with open(file, encoding="latin-1") as fh:
        for line_no, raw in enumerate(fh, 1):
            line = raw.strip().rstrip(";").strip()
            if not line:
                continue
            if not line.startswith("%"):
                break
            text = line[1:].strip()
            if text.replace(" ", "").lower().startswith("macaddress;sensor_id;position"):
                in_table = True
                continue
            fields = [f.strip() for f in text.split(";") if f.strip()]
            if in_table and fields and _MAC.match(fields[0]):
                if len(fields) < 3:
                    raise DataFormatError(
                        f"{file}: line {line_no}: sensor table row needs 'MAC; Sensor_ID; "
                        f"Position; Device Model', got {text[:80]!r}."
                    )
                try:
                    sensor_id = int(fields[1])
                except ValueError:
                    raise DataFormatError(
                        f"{file}: line {line_no}: Sensor_ID {fields[1]!r} is not an integer."
                    ) from None
                position = fields[2].upper()
                if position not in _PLACEMENTS:
                    raise DataFormatError(
                        f"{file}: line {line_no}: unknown sensor position {fields[2]!r}; "
                        f"expected one of {', '.join(_PLACEMENTS)}."
                    )
                if sensor_id in sensors:
                    raise DataFormatError(
                        f"{file}: line {line_no}: Sensor_ID {sensor_id} listed twice."
                    )
                model = fields[3] if len(fields) > 3 else ""
                sensors[sensor_id] = (position, fields[0], model)
                continue
            in_table = False
            key, sep, value = text.partition(":")
            if sep and key.strip() in _HEADER_KEYS:
                values[_HEADER_KEYS[key.strip()]] = value.strip()
    if not sensors:
        raise DataFormatError(
            f"{file}: no 'MAC Address; Sensor_ID; Position; Device Model' table in the header."
        )
    for key in ("age", "height_cm", "weight_kg", "n_sensors_listed"):
        try:
            values[key] = float(values[key])
        except (KeyError, ValueError):
            values[key] = None
    return values, sensors


def _field_value(field, col):
    """Read one field: ``(value, digits)``; ``digits`` (a str) when the decimal
    point must be placed, ``value`` None when the field cannot be read."""
    if col in _INTEGER_COLUMNS:
        if _GROUPED.fullmatch(field):  # "1.600": 1600 with a thousands separator
            return float(field.replace(".", "")), None
        try:
            value = float(field)
        except ValueError:
            value = None
        return (value, None) if value is not None and value == round(value) else (None, None)
    try:
        return float(field), None
    except ValueError:
        pass
    if _GROUPED.fullmatch(field):
        if col in (2, 3, 4):  # decimal point placed later
            return np.nan, field
        return float(field.replace(".", "")), None  # sensor type or id: thousands
    match = _COMMA_EXPONENT.fullmatch(field)
    if match is None:
        return None, None
    sign, whole, fraction, exponent = match.groups()
    value = float(f"{sign}{whole}.{fraction}e{exponent}")
    if col in (2, 3, 4):
        # within the sensor's range it is a plain number (checked by the
        # caller); beyond it, its digits lost their decimal point
        return value, sign + whole + fraction
    if value == round(value) and len(fraction) <= int(exponent):
        return value, None  # an integer with every digit written
    return None, None


def _read_mangled(file):
    """Parse a table with spreadsheet-mangled numbers, row by row.

    Returns the (n, 7) table, a boolean mask of the X/Y/Z values that were
    repaired (:func:`_place_decimal_points`) and the ``(line, text)`` of the
    rows dropped because a field could not be read or repaired unambiguously.
    A short last line is an error: the file is truncated.
    """
    lines = Path(file).read_bytes().decode("latin-1").split("\n")
    data_lines = [
        i for i, raw in enumerate(lines) if raw.strip(" \t\r;") and not raw.strip().startswith("%")
    ]
    last = data_lines[-1] if data_lines else -1
    rows, row_lines, digits, repaired, dropped, grouped = [], [], {}, set(), [], []
    for i in data_lines:
        line_no, text = i + 1, lines[i].strip()
        fields = [f.strip() for f in text.split(";")]
        while fields and not fields[-1]:
            fields.pop()
        if len(fields) != 7:
            if i == last:
                raise DataFormatError(
                    f"{file}: line {line_no} has {len(fields)} columns, expected 7 "
                    "(the last line: the file looks truncated)."
                )
            dropped.append((line_no, text))
            continue
        if i == last == len(lines) - 1:  # no final newline: the row may be cut
            dropped.append((line_no, text))
            continue
        parsed = [_field_value(field, col) for col, field in enumerate(fields)]
        if any(value is None for value, _ in parsed):
            dropped.append((line_no, text))
            continue
        row = [value for value, _ in parsed]
        grouped += [(len(rows), c) for c in _INTEGER_COLUMNS if _GROUPED.fullmatch(fields[c])]
        limit = _LIMITS.get(int(row[5]), _LIMITS[_MAG])
        for col, (value, field_digits) in enumerate(parsed):
            if field_digits is None:
                continue
            if np.isfinite(value) and abs(value) <= limit:  # "6,10E-05": a number
                repaired.add((len(rows), col))
                continue
            row[col] = np.nan
            digits[(len(rows), col)] = field_digits
        rows.append(row)
        row_lines.append(line_no)
    if not rows:
        raise DataFormatError(f"{file}: no data rows.")
    table = np.array(rows, dtype=np.float64)
    guessed = np.zeros(table.shape, dtype=bool)
    for i, col in list(digits) + list(repaired):
        guessed[i, col] = True
    unresolved = _place_decimal_points(table, guessed, digits) | _implausible_integers(
        table, grouped
    )
    if unresolved:
        keep = np.ones(len(table), dtype=bool)
        keep[sorted(unresolved)] = False
        dropped += [(row_lines[r], lines[row_lines[r] - 1].strip()) for r in unresolved]
        table, guessed = table[keep], guessed[keep]
    return table, guessed, sorted(dropped)


def _place_decimal_points(table, guessed, digits):
    """Fill the mangled values of ``table`` in place; return the rows left.

    The digits of a mangled value are right, the decimal point is lost
    (every such value had |x| >= 1). Of the readings with 1, 2 or 3 integer
    digits within the sensor type's range, take the one nearest to the value
    interpolated from the intact samples of the same sensor, type and axis,
    when it is clearly the nearest (at most half as far as any other);
    otherwise the row's index is returned, to be dropped.
    """
    unresolved = set()
    keys = table[:, 6] * 10 + table[:, 5]
    for key in np.unique(keys):
        rows = np.flatnonzero(keys == key)
        limit = _LIMITS.get(int(table[rows[0], 5]), _LIMITS[_MAG])
        for col in (2, 3, 4):
            bad = guessed[rows, col] & np.isnan(table[rows, col])
            if not bad.any():
                continue
            good = ~bad
            if good.any():
                reference = np.interp(
                    np.flatnonzero(bad), np.flatnonzero(good), table[rows[good], col]
                )
            else:
                reference = np.ones(bad.sum())
            for r, ref in zip(rows[bad], reference):
                field = digits[(r, col)]
                sign = -1.0 if field.startswith("-") else 1.0
                number = field.lstrip("-").replace(".", "")
                candidates = [
                    sign * float(f"{number[:k]}.{number[k:]}")
                    for k in (1, 2, 3)
                    if k <= len(number)
                ]
                fitting = sorted(
                    (c for c in candidates if abs(c) <= limit), key=lambda c: abs(c - ref)
                )
                if not fitting or (
                    len(fitting) > 1 and abs(fitting[0] - ref) > _CLEAR * abs(fitting[1] - ref)
                ):
                    unresolved.add(int(r))
                    table[r, col] = 0.0  # dropped below
                    continue
                table[r, col] = fitting[0]
    return unresolved


def _implausible_integers(table, grouped):
    """Rows whose TimeStamp or Sample No, read through '.' thousands separators,
    lies far from the same stream's neighbouring values.

    A spreadsheet wrote an integer such as 12345 ms as ``12.345``; a field
    such as ``1.240.129.113.197.320`` reads as an integer too, but one that
    no stream of a 15 s file reaches. The value is kept when it is within a
    factor of 2, or ``_INTEGER_SLACK``, of the median of the
    ``_NEIGHBOURS`` rows on each side in its stream (same sensor and type).
    """
    keys = table[:, 6] * 10 + table[:, 5]
    bad = set()
    for r, col in grouped:
        stream = np.flatnonzero(keys == keys[r])
        at = int(np.searchsorted(stream, r))
        near = np.concatenate(
            [stream[max(at - _NEIGHBOURS, 0) : at], stream[at + 1 : at + 1 + _NEIGHBOURS]]
        )
        if not len(near):
            continue
        reference = float(np.median(table[near, col]))
        if abs(table[r, col] - reference) > max(abs(reference), _INTEGER_SLACK):
            bad.add(int(r))
    return bad


def _read_table(file):
    """Return (table, repaired mask, dropped rows) of a data file.

    The fast parser reads a clean file; any error, or a TimeStamp or Sample
    No that is not an integer, sends the file to the row-by-row reader,
    which repairs spreadsheet-mangled numbers and drops, with one warning,
    the rows it cannot read.
    """
    try:
        table = read_numeric_table(file, 7, comment="%", delimiters="; \t")
    except DataFormatError:
        table = None
    integers = table[:, _INTEGER_COLUMNS] if table is not None else None
    if integers is not None and (integers == np.round(integers)).all():
        return table, np.zeros(table.shape, dtype=bool), []
    # unreadable, or a timestamp such as "1.600" (1600 with a thousands separator)
    table, guessed, dropped = _read_mangled(file)
    if dropped:
        shown = "; ".join(f"line {n}: {text[:60]!r}" for n, text in dropped[:3])
        more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
        warnings.warn(
            f"{file}: dropped {len(dropped)} data rows whose numbers cannot be read or "
            f"repaired unambiguously ({shown}{more}); the recordings' "
            "info['dropped_rows'] counts them.",
            UserWarning,
            stacklevel=3,
        )
    return table, guessed, dropped


def _uniform(times_list, values_list, rate):
    """Resample one sensor's streams onto one grid over their common span (ms)."""
    start = max(t.min() for t in times_list)
    stop = min(t.max() for t in times_list)
    n = int(np.floor((stop - start) * rate / 1000.0 + 1e-9)) + 1
    grid = start + np.arange(n) * (1000.0 / rate)
    parts, n_duplicates = [], 0
    for times, values in zip(times_list, values_list):
        resampled, dup = resample_timestamps(times, values, grid)
        parts.append(resampled)
        n_duplicates += dup
    return np.hstack(parts), n_duplicates, float(start)


def _name(file):
    """(subject, movement, trial) of a file name, or DataFormatError."""
    match = _NAME.match(Path(file).name)
    movement = match and f"{match.group(2)}_{match.group(3)}"
    if movement not in _ACTIVITIES:
        raise DataFormatError(
            f"{file}: the name should be UMAFall_Subject_<SS>_<ADL|Fall>_<movement>_<trial>_"
            f"<date>_<time>.csv with a movement of the release ({', '.join(_ACTIVITIES)})."
        )
    return str(int(match.group(1))), movement, match.group(4)


def _parser(rate):
    def parse(file):
        file = Path(file)
        header, sensors = _header(file)
        table, guessed, dropped = _read_table(file)
        sensor_ids = table[:, 6].astype(int)
        unknown = sorted(set(sensor_ids) - set(sensors))
        if unknown:
            # Without a position the rows cannot be placed; the other sensors
            # of the file are still good, so skip these with a warning.
            warnings.warn(
                f"{file}: skipped the data rows of Sensor ID {[int(u) for u in unknown]}, "
                f"which the header's sensor table (IDs {sorted(sensors)}) does not list.",
                UserWarning,
                stacklevel=2,
            )
        types = set(table[:, 5].astype(int))
        if not types <= {_ACC, _GYR, _MAG}:
            raise DataFormatError(
                f"{file}: Sensor Type {sorted(types - {_ACC, _GYR, _MAG})} is not 0 "
                "(accelerometer), 1 (gyroscope) or 2 (magnetometer)."
            )
        subject, movement, trial = _name(file)
        trial = header.get("trial") or trial
        recordings = []
        for sensor_id, (position, mac, model) in sorted(sensors.items()):
            phone = position == _PHONE
            wanted = (_ACC,) if phone else (_ACC, _GYR)
            streams = [(sensor_ids == sensor_id) & (table[:, 5] == t) for t in wanted]
            streams = [s for s in streams if s.sum() >= 2]
            if not streams or not streams[0].any() or table[streams[0], 5][0] != _ACC:
                continue  # listed in the header but no (accelerometer) data
            sensor_rate = rate or _DEFAULT_RATES["phone" if phone else "sensortag"]
            signal, n_dup, start_ms = _uniform(
                [table[s, 0] for s in streams],
                [table[s][:, 2:5] for s in streams],
                sensor_rate,
            )
            signal[:, :3] *= STANDARD_GRAVITY  # g -> m/s²
            signal[:, 3:] *= DEG_TO_RAD  # °/s -> rad/s
            frame, axes = _AXES[position]
            signal = to_body_frame(signal, axes)
            channels = CHANNELS[: signal.shape[1]]
            recordings.append(
                Recording(
                    signal=signal.astype(np.float32),
                    channels=channels,
                    rate=sensor_rate,
                    dataset=SOURCE.name,
                    subject=subject,
                    recording=file.stem,
                    trial=str(trial),
                    placement=_PLACEMENTS[position],
                    source_placement=position,
                    activity=np.full(len(signal), activity_code(_ACTIVITIES[movement]), np.int8),
                    info={
                        "path": str(file),
                        "source_activity": movement,
                        "sensor_id": int(sensor_id),
                        "mac": mac,
                        "device_model": model,
                        "start_ms": start_ms,
                        "n_raw_samples": int(sum(s.sum() for s in streams)),
                        "duplicate_timestamps": n_dup,
                        "repaired_values": int(guessed[np.logical_or.reduce(streams)].sum()),
                        "frame": frame,
                        "axes": axes,
                        "dropped_rows": len(dropped),
                        **{
                            f"header_{k}": header.get(k)
                            for k in ("age", "sex", "height_cm", "weight_kg", "date")
                        },
                    },
                )
            )
        return recordings

    return parse


@fill_doc
def load_umafall(path=None, *, data_home=None, cache=True, rate=None, download=False):
    """Load UMAFall's trials (a phone and up to four SensorTags): every activity and fall.

    Each file is one trial of one movement (about 15 s); each sensor with
    data is one recording. The movement, from the file name
    (``info["source_activity"]``, for example ``"ADL_Walking"``), labels
    every sample with its name in :data:`~skgait.datasets.ACTIVITIES`:
    Walking ``"walking"``, Jogging ``"jogging"``, GoUpstairs
    ``"stairs_up"``, GoDownstairs ``"stairs_down"``,
    Sitting_GettingUpOnAChair ``"sitting_down_and_up"``, LyingDown_OnABed
    ``"lying_down_and_up"``, Bending ``"bending"``, Hopping ``"jumping"``,
    Aplausing ``"clapping"``, HandsUp ``"raising_hands"``, MakingACall
    ``"phone_call"``, OpeningDoor ``"opening_door"``, and the falls
    (backwardFall, forwardFall, lateralFall) ``"fall"``.
    :func:`~skgait.datasets.make_windows` windows ``"walking"`` by default.

    Subject table: the release has none; each file's header states the
    subject's Age, Height(cm), Weight(Kg) and Gender, and these differ
    between some of a subject's files. Each subject gets its most frequent
    values over the files loaded (``n_files``, ``n_files_disagreeing``),
    with one warning listing the disagreements; a ``subjects.csv`` in the
    folder replaces them.
    The smartphone in the right pocket (placement ``"pocket"``) gives
    ``acc_x … acc_z`` only; the SensorTags at the ``"waist"``, ``"ankle"``,
    ``"chest"`` and ``"wrist"`` give accelerometer and gyroscope (the
    magnetometer is dropped). The Sensor_ID of each position is read from
    each file's header, since it differs between files; a sensor the header
    lists but with no data rows is absent from the result.

    Units: accelerations are in g (``|a|`` ≈ 1 at rest), multiplied by
    9.80665. Angular rates are in °/s, multiplied by π/180: walking gives
    ``|ω|`` of 100-250 and the largest value is 256, the full scale of the
    SensorTag's MPU-9250 (±250 °/s), which in rad/s would be 14,700 °/s.

    Axes: the header does not describe the sensors' orientation. On the
    SensorTags at the waist, chest and ankle, gravity lies on the tag's +x
    (mean of a walk 9.6, 8.4 and 10.4 m/s², medians of the sample's 4
    files), so ``acc_z`` is +x; of the other two, y repeats once per
    stride at the waist and chest (medio-lateral) and z once per step
    (antero-posterior). Mapped as forward +z, left -y, up +x
    (``info["axes"]`` ``"+z -y +x"``). At the ankle, the swing of the leg
    (the shank's largest turn, which clips at the tag's 250 °/s) is
    positive about the tag's y, so its y points right and the frame is
    ``"body"``; at the waist and chest the signs of x and y are not known
    (``info["frame"]`` ``"vertical"``). The wrist tag and the phone in the
    pocket keep their own axes (``"sensor"``): the phone's gravity axis
    changes sign between files.

    Resampling: the devices stamp each sample in ms, irregularly (phone
    about 200 Hz in bursts, SensorTags about 20 Hz with gaps to 140 ms).
    Each sensor is linearly interpolated (per channel) onto a uniform grid at
    the nominal rate, from the later start to the earlier end of its
    accelerometer and gyroscope streams, which have separate timestamps.
    Samples sharing a timestamp (about 5 % of the phone's) are averaged into
    one first (``info["duplicate_timestamps"]``).

    Some files (subject 13) went through a spreadsheet that wrote numbers
    of magnitude >= 1 with '.' thousands separators
    (``1.003.321.051.597.590`` for 1.00332105159759): the digits are kept,
    the decimal point is lost. Others hold scientific notation with a
    decimal comma: ``6,10E-05`` is read as 6.10e-05, while ``-6,10E+10``,
    beyond any sensor's range, is the digits 610 of a value whose decimal
    point was lost (3 significant digits are left). Such a value is given the
    reading with 1, 2 or 3 integer digits that lies within the sensor's range
    and nearest to the intact samples around it, when it is clearly the
    nearest (at most half as far as any other reading);
    ``info["repaired_values"]`` counts them. An integer column (TimeStamp,
    Sample No) written with separators (``1.600`` or ``12.345`` ms) is
    read as the integer of its digits when that lies near the same stream's
    neighbouring values (within a factor of 2 or 1000 of their median);
    one it cannot be (``1.240.129.113.197.320`` in a 15 s file) is not
    trusted. A row with a value that cannot be read or repaired so (another
    mangled form, such a timestamp, a wrong number of fields) is dropped,
    with one warning per file naming the lines; ``info["dropped_rows"]``
    (the file's count, in each of its recordings), :meth:`GaitDataset.summary`
    and the dataset's repr report them. A short last line is an error: the
    file is truncated.

    Parameters
    ----------
    path : str or Path, optional
        The UMAFall folder. Default: ``<data home>/UMAFall``.
    {data_home}
    {cache}
    rate : float, optional
        Rate in Hz of the uniform grid of every sensor. Default: 200 Hz for
        the phone and 20 Hz for the SensorTags, their nominal rates.
    {download}

    Returns
    -------
    dataset : GaitDataset
        ``subject`` is the number without leading zeros (``"1"``),
        ``recording`` the file stem, ``trial`` the header's trial number.
        ``info`` holds the file header's
        own ``header_age``, ``header_sex``, ``header_height_cm``,
        ``header_weight_kg`` (they can differ from the subject table, which
        holds each subject's majority values) and the sensor's ``mac``,
        ``device_model`` and ``sensor_id``.

    Raises
    ------
    DatasetNotFoundError
        If the folder holds no UMAFall file.
    DataFormatError
        If a file name names no movement of the release, two files have the
        same bytes, a header lacks the sensor table or lists an unknown position, the
        last data line is short (a truncated file), or the file differs from
        its download registry entry.

    Examples
    --------
    >>> from skgait.datasets import load_umafall
    >>> ds = load_umafall()
    >>> ds.placements
    ['waist', 'chest', 'wrist', 'pocket', 'ankle']
    >>> ds.select(placement="ankle", subject="1")[0].rate
    20.0
    """
    if rate is not None:
        if (
            isinstance(rate, bool)
            or not isinstance(rate, (int, float))
            or not (np.isfinite(rate) and rate > 0)
        ):
            raise ValueError(f"rate must be a positive number of Hz or None, got {rate!r}.")
        rate = float(rate)
    version = f"{_VERSION}-{'nominal' if rate is None else f'{rate:g}Hz'}"
    return load_dataset(
        SOURCE,
        path,
        data_home,
        _parser(rate),
        version,
        header_subject_table,
        cache,
        download=download,
    )
