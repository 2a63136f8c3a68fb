"""UMAFall loader: real sample files, and synthetic files for every documented quirk."""

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
from _data import DATA_HOME, copy_dataset

from skgait.datasets import ACTIVITIES, load_umafall, make_windows
from skgait.exceptions import DataFormatError

FOLDER = DATA_HOME / "UMAFall"
REAL = "UMAFall_Subject_01_ADL_Walking_1_2017-04-14_23-25-52.csv"
needs_data = pytest.mark.skipif(
    not (FOLDER / REAL).is_file(), reason=f"UMAFall data not found under {FOLDER}"
)
G = 9.80665
#: The name of most synthetic files: subject 3's first walk.
SYNTHETIC = "UMAFall_Subject_03_ADL_Walking_1_2016-01-01_00-00-00.csv"
DEFAULT_TABLE = [
    ("f8:95:c7:f3:ba:82", 0, "RIGHTPOCKET", "lge-LG-H815-5.1"),
    ("B0:B4:48:B8:77:03", 4, "ANKLE", "SensorTag"),
    ("C4:BE:84:71:A5:02", 2, "WAIST", "SensorTag"),
    ("C4:BE:84:70:64:8A", 1, "CHEST", "SensorTag"),
    ("C4:BE:84:70:0E:80", 3, "WRIST", "SensorTag"),
]


@pytest.fixture(scope="module")
def dataset():
    if not (FOLDER / REAL).is_file():
        pytest.skip(f"UMAFall data not found under {FOLDER}")
    return load_umafall(FOLDER, cache=False)


# ---------------------------------------------------------------- real files
@needs_data
def test_subjects_and_sex_match_subject_table(dataset):
    table = pd.read_csv(FOLDER / "subjects.csv")
    assert len(dataset.subjects) == len(table) == 19
    subjects = dataset.subjects.set_index("subject")
    for sid, age, sex in zip(table["subject_id"], table["age"], table["gender"]):
        assert subjects.loc[str(sid), "age"] == age and subjects.loc[str(sid), "sex"] == sex
    files = sorted(FOLDER.glob("UMAFall_Subject_*_ADL_Walking_*.csv"))
    expected = {str(int(f.name.split("_")[2])) for f in files}
    assert {r.subject for r in dataset.recordings} == expected


@needs_data
def test_placements_channels_and_nominal_rates(dataset):
    assert set(dataset.placements) == {"pocket", "waist", "ankle", "chest", "wrist"}
    for rec in dataset.recordings:
        if rec.placement == "pocket":
            assert rec.rate == 200.0 and rec.channels == ("acc_x", "acc_y", "acc_z")
        else:
            assert rec.rate == 20.0 and len(rec.channels) == 6
        assert (rec.activity == ACTIVITIES.index("walking")).all()
        assert 13 < rec.duration < 16 and np.isfinite(rec.signal).all()


@needs_data
@pytest.mark.parametrize("placement", ["pocket", "waist", "ankle", "chest", "wrist"])
def test_mean_acceleration_is_gravity(dataset, placement):
    # the shank swings through ±40°, so the ankle's mean vector is looser
    tolerance = 2.0 if placement == "ankle" else 1.0
    for rec in dataset.select(placement=placement):
        norm = np.linalg.norm(rec.signal[:, :3].mean(axis=0))
        assert norm == pytest.approx(9.81, abs=tolerance), rec.recording


@needs_data
@pytest.mark.parametrize("placement", ["waist", "ankle", "chest", "wrist"])
def test_gyroscope_in_rad_per_s(dataset, placement):
    gyr = np.concatenate([r.signal[:, 3:] for r in dataset.select(placement=placement)])
    assert 0.3 < np.percentile(np.abs(gyr), 99) < 20


@needs_data
def test_header_values_in_info(dataset):
    rec = dataset.select(subject="1")[0]
    assert rec.info["header_age"] == 67 and rec.info["header_sex"] == "F"
    assert rec.trial == "1" and rec.recording == REAL[:-4]


def test_rate_parameter(tmp_path):
    folder = _write(tmp_path)
    ds = load_umafall(folder, cache=False, rate=50)
    assert {r.rate for r in ds.recordings} == {50.0}
    with pytest.raises(ValueError, match="rate must be"):
        load_umafall(folder, rate=-1)


# ------------------------------------------------------- synthetic fixtures
def _header(table, n_sensors=5, age=14):
    lines = [
        "% Universidad de Malaga - ETSI de Telecomunicacion (Spain)",
        "% Date: 2016-06-06_16:41:26",
        "% ID: Subject_03_ADL_Walking_1",
        "% Name: Subject_03",
        f"% Age: {age}",
        "% Height(cm): 159",
        "% Weight(Kg): 50",
        "% Gender: F",
        "",
        "% Type of Movement: ADL",
        "% Type of Movement: FALSE",
        "% Description of the movement: Walking",
        "% Trial: 1",
        "",
        f"% Number of Sensors: {n_sensors}",
        "",
        "% SensorTag's Accelerometer: MPU-9250 MEMS MotionTracking Device - Invensense",
        "% --> Maximum Range: 16 G",
        "",
        "% MAC Address; Sensor_ID; Position; Device Model",
    ]
    lines += [f"%{mac}; {sid}; {pos}; {model}" for mac, sid, pos, model in table]
    lines += [
        "",
        "% Sensor_Type:",
        "% Accelerometer = 0",
        "% Gyroscope = 1",
        "% Magnetometer = 2",
        "",
        "",
        "% TimeStamp; Sample No; X-Axis; Y-Axis; Z-Axis; Sensor Type; Sensor ID;",
    ]
    return [line.ljust(84) for line in lines]


def _rows(sensor_id, phone, rng):
    """Rest (0, 1, 0) g plus 10 °/s about x, irregularly stamped over 0.1-15 s."""
    step = 5 if phone else 50
    times = np.arange(100, 15000, step) + rng.integers(-2, 3, size=len(range(100, 15000, step)))
    if phone:
        times[10:20] = times[10]  # a burst of samples with one timestamp
    rows = []
    for n, t in enumerate(times):
        rows.append(f"{t};{n};0.0;1.0;0.0;0;{sensor_id}")
        if not phone:
            rows.append(f"{t + 1};{n};10.0;0.0;0.0;1;{sensor_id}")
            rows.append(f"{t + 2};{n};-40.0;30.0;20.0;2;{sensor_id}")
    return rows


def _write(
    tmp_path,
    name=SYNTHETIC,
    table=DEFAULT_TABLE,
    no_data=(),
    padding="",
    n_sensors=5,
    extra_rows=(),
    subjects=True,
    age=14,
    seed=0,
):
    folder = tmp_path / "UMAFall"
    folder.mkdir(parents=True, exist_ok=True)
    if subjects and not (folder / "subjects.csv").exists():
        (folder / "subjects.csv").write_text(
            "subject_id,age,height_cm,weight_kg,gender\n3,18,159,50,F\n13,18,159,50,F\n"
        )
    rng = np.random.default_rng(seed)
    lines = [line + padding for line in _header(table, n_sensors, age)]
    for _, sid, pos, _ in table:
        if sid not in no_data:
            lines += _rows(sid, pos == "RIGHTPOCKET", rng)
    lines += list(extra_rows)
    (folder / name).write_text("\n".join(lines) + "\n")
    return folder


def _ankle_file(tmp_path, rows, **kwargs):
    """A file listing the ankle tag alone, whose data rows are ``rows``."""
    return _write(tmp_path, table=DEFAULT_TABLE[1:2], no_data=(4,), extra_rows=rows, **kwargs)


def _by_placement(ds):
    return {r.placement: r for r in ds.recordings}


def test_synthetic_file_units_and_grid(tmp_path):
    ds = load_umafall(_write(tmp_path), cache=False)
    recs = _by_placement(ds)
    assert set(recs) == {"pocket", "ankle", "waist", "chest", "wrist"}
    # Each tag reads (0, 1, 0) g and 10 °/s about its x. The wrist keeps the
    # tag's axes; the ankle's are mapped onto the body frame: forward = +z,
    # left = -y, up = +x of the tag.
    np.testing.assert_allclose(
        recs["wrist"].signal.mean(axis=0), [0, G, 0, np.deg2rad(10), 0, 0], atol=1e-5
    )
    np.testing.assert_allclose(
        recs["ankle"].signal.mean(axis=0), [0, -G, 0, 0, 0, np.deg2rad(10)], atol=1e-5
    )
    assert (recs["ankle"].info["frame"], recs["wrist"].info["frame"]) == ("body", "sensor")
    assert recs["pocket"].channels == ("acc_x", "acc_y", "acc_z")
    assert recs["pocket"].info["duplicate_timestamps"] >= 9
    assert recs["ankle"].info["header_age"] == 14  # the file's own value
    assert recs["ankle"].subject == "3"


def test_header_padding_of_subject_13(tmp_path):
    name = "UMAFall_Subject_13_ADL_Walking_1_2016-06-06_16-41-26.csv"
    plain = load_umafall(_write(tmp_path / "a", name), cache=False)
    padded = load_umafall(_write(tmp_path / "b", name, padding=";;;;;;;"), cache=False)
    assert [r.placement for r in padded.recordings] == [r.placement for r in plain.recordings]
    for a, b in zip(plain.recordings, padded.recordings):
        np.testing.assert_array_equal(a.signal, b.signal)


def test_sensor_id_map_is_read_per_file(tmp_path):
    swapped = [(m, {4: 2, 2: 4}.get(s, s), p, d) for m, s, p, d in DEFAULT_TABLE]
    folder = _write(
        tmp_path,
        table=swapped,
        no_data=(4,),
    )  # now sensor 4 is the WAIST
    recs = _by_placement(load_umafall(folder, cache=False))
    assert "waist" not in recs and recs["ankle"].info["sensor_id"] == 2


def test_sensor_listed_without_data_is_absent(tmp_path):
    folder = _write(tmp_path, no_data=(2,))
    recs = _by_placement(load_umafall(folder, cache=False))
    assert set(recs) == {"pocket", "ankle", "chest", "wrist"}


def test_four_sensors_listed(tmp_path):
    folder = _write(
        tmp_path,
        table=DEFAULT_TABLE[:4],
        n_sensors=4,
    )
    assert set(_by_placement(load_umafall(folder, cache=False))) == {
        "pocket",
        "ankle",
        "waist",
        "chest",
    }


def test_irregular_timestamps_are_interpolated_in_time(tmp_path):
    # a ramp sampled at irregular times must come out as the same ramp
    rows = [
        f"{t};{n};{t / 1000:.6f};1.0;0.0;0;4"
        for n, t in enumerate([100, 150, 150, 260, 300, 450, 470, 600])
    ]
    rows += [f"{t + 1};{n};0.0;0.0;0.0;1;4" for n, t in enumerate([100, 200, 350, 600])]
    folder = _ankle_file(tmp_path, rows)
    (rec,) = load_umafall(folder, cache=False).recordings
    assert rec.rate == 20.0 and rec.n_samples == 10  # 101 ms … 600 ms every 50 ms
    # the ankle tag's x is up: acc_z in the body frame
    np.testing.assert_allclose(rec.signal[:, 2] / G, 0.101 + 0.05 * np.arange(10), atol=1e-6)


def test_spreadsheet_mangled_numbers(tmp_path):
    rows = []
    for n, t in enumerate(range(100, 2000, 50)):
        y = "1.003.321.051.597.590" if n % 3 == 0 else "0.98"  # 1.00332105159759
        gx = "12.5" if n % 2 else "1.250.000.000.000.000"  # 12.5 °/s
        rows.append(f"{t};{n};0.01;{y};0.0;0;4;")
        rows.append(f"{t};{n};{gx};0;0;1;4;")
    folder = _ankle_file(
        tmp_path,
        rows,
        name="UMAFall_Subject_13_ADL_Walking_1_2016-06-06_16-41-26.csv",
        padding=";;;;;;;",
    )
    (rec,) = load_umafall(folder, cache=False).recordings
    assert rec.info["repaired_values"] > 0
    # the ankle tag's y is the body's -y, its x the body's z
    assert -rec.signal[:, 1].min() == pytest.approx(1.00332105159759 * G, rel=1e-6)
    np.testing.assert_allclose(rec.signal[:, 5], np.deg2rad(12.5), rtol=1e-6)


def test_ambiguous_decimal_point_drops_the_row(tmp_path):
    # "5.000.000..." between samples of 25 °/s: 5.0 or 50.0 are about as near
    rows = [
        f"{t};{n};{'5.000.000.000.000.000' if n == 5 else '25.0'};0;0;1;4"
        for n, t in enumerate(range(100, 1000, 50))
    ]
    rows += [f"{t};{n};0.0;1.0;0.0;0;4" for n, t in enumerate(range(100, 1000, 50))]
    folder = _ankle_file(tmp_path, rows)
    with pytest.warns(UserWarning, match=r"dropped 1 data rows .*5\.000\.000"):
        (rec,) = load_umafall(folder, cache=False).recordings
    assert rec.info["dropped_rows"] == 1 and rec.info["repaired_values"] == 0
    # the ankle tag's x is the body's z (see test_spreadsheet_mangled_numbers)
    np.testing.assert_allclose(rec.signal[:, 5], np.deg2rad(25.0), rtol=1e-6)


def test_unknown_position(tmp_path):
    table = DEFAULT_TABLE[:4] + [("C4:BE:84:70:0E:80", 3, "LEFTPOCKET", "SensorTag")]
    folder = _write(tmp_path, table=table)
    with pytest.raises(
        DataFormatError,
        match=r"Walking_1_2016.*unknown sensor position "
        r"'LEFTPOCKET'",
    ):
        load_umafall(folder, cache=False)


def test_data_from_unlisted_sensor_is_skipped_with_a_warning(tmp_path):
    folder = _write(
        tmp_path,
        table=DEFAULT_TABLE[:4],
        extra_rows=["100;0;0;1;0;0;7"],
    )
    with pytest.warns(UserWarning, match=r"skipped the data rows of Sensor ID \[7\]"):
        dataset = load_umafall(folder, cache=False)
    assert {r.info["sensor_id"] for r in dataset.recordings} <= {0, 1, 2, 3, 4}
    assert len(dataset.recordings) > 0


def test_truncated_row(tmp_path, monkeypatch):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    folder = _write(
        tmp_path,
        extra_rows=["14990;999;0.1;0.9"],
    )
    with pytest.raises(DataFormatError, match=r"line \d+ has 4 columns, expected 7"):
        load_umafall(folder)


@needs_data
def test_real_file_through_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    folder = copy_dataset(FOLDER, tmp_path, [REAL, "subjects.csv"])
    first = load_umafall(folder)
    second = load_umafall(folder)
    assert len(first) == len(second) == 5
    for a, b in zip(first.recordings, second.recordings):
        np.testing.assert_array_equal(a.signal, b.signal)
        assert a.info == b.info


# ------------------------------------------- mangled numbers in a real file
def _grouped(value):
    """How the spreadsheet wrote a value >= 1: 16 digits, '.' every three."""
    digits = f"{abs(value):.15g}".replace(".", "").ljust(16, "0")
    groups = [digits[: len(digits) % 3 or 3]] + [
        digits[k : k + 3] for k in range(len(digits) % 3 or 3, 16, 3)
    ]
    return ("-" if value < 0 else "") + ".".join(groups)


EDITED = REAL.replace("_Walking_1_", "_Walking_9_")  # a name the registry does not list


def _edit_real(tmp_path, edits):
    """Copy the real file as EDITED and apply ``{line: (column, text)}`` to its fields."""
    folder = tmp_path / "UMAFall"
    folder.mkdir(parents=True)
    shutil.copy(FOLDER / "subjects.csv", folder)
    lines = (FOLDER / REAL).read_text(encoding="latin-1").split("\n")
    for line_no, (column, text) in edits.items():
        fields = lines[line_no - 1].split(";")
        fields[column] = text
        lines[line_no - 1] = ";".join(fields)
    (folder / EDITED).write_text("\n".join(lines), encoding="latin-1")
    return folder, [line.split(";") for line in lines]


@needs_data
def test_grouped_and_comma_exponent_numbers_in_a_real_file_are_repaired(tmp_path):
    ds = load_umafall(FOLDER, cache=False)
    original = {r.placement: r for r in ds.select(recording=REAL[:-4])}
    rows = (FOLDER / REAL).read_text(encoding="latin-1").split("\n")
    gyro = rows[3324 - 1].split(";")  # 1890;28;14.1953125;-10.046875;9.2890625;1;1
    assert gyro[5:] == ["1", "1"]
    folder, _ = _edit_real(
        tmp_path,
        {
            3324: (2, _grouped(float(gyro[2]))),  # "1.419.531.250.000.000"
            3325: (4, "-6,10E+10"),  # a gyroscope value ~ -61.0 °/s, 3 significant digits
            100: (3, "9,31E-01"),  # a plain number with a decimal comma
        },
    )
    folder_lines = (folder / EDITED).read_text(encoding="latin-1").split("\n")
    assert folder_lines[3323].startswith("1890;28;1.419.531.250.000.000;")
    expected_z = float(rows[3325 - 1].split(";")[4])
    dataset = load_umafall(folder, cache=False)
    recs = _by_placement(dataset)
    sensor = next(r for r in recs.values() if r.info["sensor_id"] == 1)
    same = original[sensor.placement]
    assert sensor.info["repaired_values"] == 2 and sensor.info["dropped_rows"] == 0
    # the 20 Hz grid puts every raw sample's weight on nearby grid points
    np.testing.assert_allclose(
        sensor.signal[:, 3:], same.signal[:, 3:], atol=abs(-61.0 - expected_z) * np.pi / 180 + 1e-3
    )
    assert dataset.summary()["dropped_rows"].sum() == 0


@needs_data
def test_unreadable_row_of_a_real_file_is_dropped_with_one_warning(tmp_path):
    folder, _ = _edit_real(tmp_path, {3000: (2, "#¡VALOR!"), 3001: (3, "1,2,3")})
    with pytest.warns(
        UserWarning,
        match=rf"{EDITED}: dropped 2 data rows .*line 3000: "
        r".*line 3001",
    ):
        dataset = load_umafall(folder, cache=False)
    assert len(dataset.recordings) == 5  # every sensor still loads
    assert {r.info["dropped_rows"] for r in dataset.recordings} == {2}
    assert dataset.n_dropped_rows == 2
    assert "2 unreadable rows dropped" in repr(dataset)
    assert (dataset.summary()["dropped_rows"] == 2).all()


@needs_data
def test_short_row_inside_a_real_file_is_dropped_but_a_short_last_row_is_an_error(tmp_path):
    folder, lines = _edit_real(tmp_path, {200: (0, "")})
    (folder / EDITED).write_text(
        "\n".join(";".join(f) for f in lines[:199] + [lines[199][:3]] + lines[200:]),
        encoding="latin-1",
    )
    with pytest.warns(UserWarning, match=r"dropped 1 data rows .*line 200"):
        assert len(load_umafall(folder, cache=False).recordings) == 5
    text = (folder / EDITED).read_text(encoding="latin-1").rstrip("\n")
    (folder / EDITED).write_text(text[: text.rindex(";", 0, text.rindex(";"))], encoding="latin-1")
    with pytest.raises(
        DataFormatError,
        match=r"line \d+ has 5 columns, expected 7 "
        r"\(the last line: the file looks truncated\)",
    ):
        load_umafall(folder, cache=False)


# ------------------------------------------- the release: headers, movements
def _release(tmp_path, names_and_ages):
    """Files of subject 3 in the release's layout (no subjects.csv), one per name."""
    for i, (name, age) in enumerate(names_and_ages):
        folder = _write(tmp_path, name=name, subjects=False, age=age, seed=i)
    return folder


def test_subject_table_from_the_headers_takes_the_majority_with_a_warning(tmp_path):
    folder = _release(
        tmp_path,
        [
            ("UMAFall_Subject_03_ADL_Walking_1_2016-01-01_00-00-00.csv", 14),
            ("UMAFall_Subject_03_ADL_Walking_2_2016-01-01_00-01-00.csv", 14),
            ("UMAFall_Subject_03_Fall_forwardFall_1_2016-01-01_00-02-00.csv", 15),
        ],
    )
    with pytest.warns(
        UserWarning,
        match=r"disagree on the subject values of 1 subject.*subject 3: age=14\.0 sex=F "
        r"height_cm=159\.0 weight_kg=50\.0 in 2 file\(s\), taken; age=15\.0 .* in 1 file\(s\), "
        r"e\.g\. UMAFall_Subject_03_Fall_forwardFall_1",
    ):
        subjects = load_umafall(folder, cache=False).subjects
    row = subjects.set_index("subject").loc["3"]
    assert (row["age"], row["sex"], row["height_cm"], row["weight_kg"]) == (14, "F", 159, 50)
    assert (row["n_files"], row["n_files_disagreeing"]) == (3, 1)


def test_headers_that_agree_give_no_warning(tmp_path):
    folder = _release(tmp_path, [(SYNTHETIC, 14)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        subjects = load_umafall(folder, cache=False).subjects
    assert subjects["subject"].tolist() == ["3"] and subjects["age"].tolist() == [14]


@needs_data
def test_real_headers_give_the_subject_table(tmp_path):
    folder = copy_dataset(FOLDER, tmp_path, [f.name for f in FOLDER.glob("UMAFall_Subject_*.csv")])
    shared = load_umafall(FOLDER, cache=False).subjects.set_index("subject")
    subjects = load_umafall(folder, cache=False).subjects.set_index("subject")
    assert list(subjects.index) == ["1", "2"]
    columns = ["age", "sex", "height_cm", "weight_kg"]
    assert subjects[columns].equals(shared.loc[["1", "2"], columns])  # subjects.csv's values


@pytest.mark.parametrize(
    ("movement", "activity"),
    [
        ("ADL_Walking", "walking"),
        ("ADL_Jogging", "jogging"),
        ("ADL_GoUpstairs", "stairs_up"),
        ("ADL_GoDownstairs", "stairs_down"),
        ("ADL_Sitting_GettingUpOnAChair", "sitting_down_and_up"),
        ("ADL_LyingDown_OnABed", "lying_down_and_up"),
        ("ADL_Bending", "bending"),
        ("ADL_Hopping", "jumping"),
        ("ADL_Aplausing", "clapping"),
        ("ADL_HandsUp", "raising_hands"),
        ("ADL_MakingACall", "phone_call"),
        ("ADL_OpeningDoor", "opening_door"),
        ("Fall_backwardFall", "fall"),
        ("Fall_forwardFall", "fall"),
        ("Fall_lateralFall", "fall"),
    ],
)
def test_every_movement_of_the_release_is_loaded_with_its_label(tmp_path, movement, activity):
    name = f"UMAFall_Subject_03_{movement}_2_2016-06-06_16-37-56.csv"
    ds = load_umafall(_write(tmp_path, name=name), cache=False)
    assert len(ds) == 5
    for rec in ds.recordings:
        assert rec.info["source_activity"] == movement
        assert (rec.activity == ACTIVITIES.index(activity)).all()


def test_walking_and_fall_files_together_window_walking_by_default(tmp_path):
    _write(tmp_path, name="UMAFall_Subject_03_Fall_lateralFall_1_2016-01-01_00-00-00.csv", seed=1)
    folder = _write(tmp_path)
    ds = load_umafall(folder, cache=False)
    X, meta = make_windows(ds, placement="ankle", length=2.0)
    assert set(meta["recording"]) == {SYNTHETIC[:-4]}


def test_unknown_movement_name_is_an_error(tmp_path):
    folder = _write(tmp_path, name="UMAFall_Subject_03_ADL_Dancing_1_2016-01-01_00-00-00.csv")
    with pytest.raises(DataFormatError, match=r"ADL_Dancing_1.*a movement of the release"):
        load_umafall(folder, cache=False)


def test_mangled_timestamp_is_dropped_with_a_warning(tmp_path):
    rows = [f"{t};{n};0.0;1.0;0.0;0;4" for n, t in enumerate(range(100, 2000, 50))]
    rows[10] = "1.240.129.113.197.320;10;0.0;1.0;0.0;0;4"
    folder = _ankle_file(tmp_path, rows)
    with pytest.warns(UserWarning, match=r"dropped 1 data rows .*1\.240\.129\.113\.197\.320"):
        (rec,) = load_umafall(folder, cache=False).recordings
    assert rec.info["dropped_rows"] == 1
    assert rec.duration == pytest.approx(1.85, abs=0.06)  # 100-1950 ms, not 4e10 years


def test_timestamp_with_thousands_separators_is_read_as_an_integer(tmp_path):
    rows = [f"{t};{n};0.0;1.0;0.0;0;4" for n, t in enumerate(range(100, 2000, 50))]
    rows[30] = rows[30].replace("1600;", "1.600;", 1)  # a decimal-comma spreadsheet's 1600
    rows.append("1.234.567;40;0.0;1.0;0.0;0;4")  # not near 1950 ms: dropped
    folder = _ankle_file(tmp_path, rows)
    with pytest.warns(UserWarning, match=r"dropped 1 data rows .*1\.234\.567"):
        (rec,) = load_umafall(folder, cache=False).recordings
    assert rec.info["n_raw_samples"] == len(rows) - 1
    assert rec.duration == pytest.approx(1.85, abs=0.06)


def test_same_bytes_under_another_subject_is_refused(tmp_path):
    folder = _write(tmp_path)
    copy = folder / SYNTHETIC.replace("Subject_03", "Subject_13")
    copy.write_bytes((folder / SYNTHETIC).read_bytes())
    with pytest.raises(
        DataFormatError, match=rf"{copy.name} and .*{SYNTHETIC} have the same content"
    ):
        load_umafall(folder, cache=False)
