"""load_directory: a user's own CSV/Parquet recordings and subject table."""

import numpy as np
import pandas as pd
import pytest

from skgait.datasets import load_directory
from skgait.datasets._base import STANDARD_GRAVITY, activity_code
from skgait.exceptions import DataFormatError, DatasetNotFoundError


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))


def _signal(n, gyro=True):
    t = np.arange(n)
    data = {
        "acc_x": np.sin(t / 5.0),
        "acc_y": np.cos(t / 5.0),
        "acc_z": np.full(n, STANDARD_GRAVITY),
    }
    if gyro:
        data.update(gyr_x=t * 0.01, gyr_y=-t * 0.01, gyr_z=np.zeros(n))
    return pd.DataFrame(data)


def _subjects(folder, **extra):
    table = {
        "subject": ["S01", "S02"],
        "age": [31, 54],
        "sex": ["F", "male"],
        "height_cm": [165.0, 180.0],
        "weight_kg": [60.0, 82.5],
        **extra,
    }
    pd.DataFrame(table).to_csv(folder / "subjects.csv", index=False)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "mydata"
    root.mkdir()
    _subjects(root)
    _signal(300).to_csv(root / "S01_1_waist.csv", index=False)
    _signal(250).to_csv(root / "S01_1_left_wrist.csv", index=False)
    _signal(200).to_csv(root / "S02_walk2_waist.csv", index=False)
    return root


def test_reads_one_recording_per_file_with_name_convention(folder):
    ds = load_directory(folder, rate=100, activity="walking")
    assert ds.name == "custom"
    assert len(ds) == 3
    by_file = {r.info["path"].rsplit("/", 1)[-1]: r for r in ds.recordings}
    wrist = by_file["S01_1_left_wrist.csv"]
    assert (wrist.subject, wrist.trial, wrist.placement) == ("S01", "1", "left_wrist")
    assert wrist.recording == by_file["S01_1_waist.csv"].recording == "S01_1"
    assert by_file["S02_walk2_waist.csv"].trial == "walk2"
    assert wrist.rate == 100.0
    assert wrist.signal.dtype == np.float32 and wrist.signal.shape == (250, 6)
    np.testing.assert_allclose(wrist.signal[:, 0], np.sin(np.arange(250) / 5.0), rtol=1e-6)
    assert (wrist.activity == activity_code("walking")).all()


def test_subject_table_is_normalised(folder):
    ds = load_directory(folder, rate=100)
    subjects = ds.subjects.set_index("subject")
    assert subjects.loc["S02", "sex"] == "M"
    assert subjects.loc["S01", "age"] == 31.0


def test_missing_subject_columns_become_nan(tmp_path):
    pd.DataFrame({"subject": ["A"], "sex": ["f"]}).to_csv(tmp_path / "subjects.csv", index=False)
    _signal(50).to_csv(tmp_path / "A_1_chest.csv", index=False)
    ds = load_directory(tmp_path, rate=50)
    row = ds.subjects.iloc[0]
    assert row["sex"] == "F"
    assert np.isnan(row["age"]) and np.isnan(row["height_cm"]) and np.isnan(row["weight_kg"])


def test_accelerometer_only_files_have_three_channels(tmp_path):
    _subjects(tmp_path)
    _signal(80, gyro=False).to_csv(tmp_path / "S01_1_pocket.csv", index=False)
    rec = load_directory(tmp_path, rate=50).recordings[0]
    assert rec.channels == ("acc_x", "acc_y", "acc_z")


def test_parquet_files_and_columns_renaming(tmp_path):
    _subjects(tmp_path)
    renamed = _signal(60).rename(columns={"acc_x": "AccX", "gyr_z": "GyrZ"})
    renamed.to_parquet(tmp_path / "S02_3_chest.parquet")
    ds = load_directory(
        tmp_path, pattern="*.parquet", rate=20, columns={"AccX": "acc_x", "GyrZ": "gyr_z"}
    )
    assert ds.recordings[0].signal.shape == (60, 6)
    assert ds.recordings[0].placement == "chest"


def test_subject_and_placement_columns_free_the_file_name(tmp_path):
    _subjects(tmp_path)
    table = _signal(40)
    table["subject"] = "S02"
    table["trial"] = "morning"
    table["placement"] = "right_thigh"
    table.to_csv(tmp_path / "anything goes.csv", index=False)
    rec = load_directory(tmp_path, rate=10).recordings[0]
    assert (rec.subject, rec.trial, rec.placement, rec.recording) == (
        "S02",
        "morning",
        "right_thigh",
        "anything goes",
    )


def test_placement_argument_is_the_default(tmp_path):
    _subjects(tmp_path)
    _signal(40).to_csv(tmp_path / "S01_1.csv", index=False)
    assert load_directory(tmp_path, rate=10, placement="ankle").recordings[0].placement == "ankle"


def test_regular_time_column_gives_the_rate(tmp_path):
    _subjects(tmp_path)
    table = _signal(100)
    table.insert(0, "time", 3.0 + np.arange(100) / 50.0)
    table.to_csv(tmp_path / "S01_1_waist.csv", index=False)
    rec = load_directory(tmp_path).recordings[0]
    assert rec.rate == 50.0 and rec.n_samples == 100


def test_irregular_time_is_interpolated_to_uniform(tmp_path):
    _subjects(tmp_path)
    rng = np.random.default_rng(0)
    time = np.cumsum(rng.uniform(0.008, 0.012, 500))
    table = pd.DataFrame({"time": time, "acc_x": 2.0 * time, "acc_y": 0.0, "acc_z": 1.0})
    table.to_csv(tmp_path / "S01_1_waist.csv", index=False)
    rec = load_directory(tmp_path).recordings[0]
    assert rec.info["irregular_time"]
    assert 95 < rec.rate < 105
    uniform_time = time[0] + np.arange(rec.n_samples) / rec.rate
    np.testing.assert_allclose(rec.signal[:, 0], 2.0 * uniform_time, rtol=1e-5)


def test_rate_with_time_column_resamples(tmp_path):
    _subjects(tmp_path)
    table = _signal(400)
    table.insert(0, "time", np.arange(400) / 100.0)
    table.to_csv(tmp_path / "S01_1_waist.csv", index=False)
    rec = load_directory(tmp_path, rate=50).recordings[0]
    assert rec.rate == 50.0 and rec.n_samples == 200
    assert rec.info["source_rate"] == 100.0


def test_activity_names_and_codes(tmp_path):
    _subjects(tmp_path)
    table = _signal(4)
    table["activity"] = ["walking", "Walking", 3, "2"]
    table.to_csv(tmp_path / "S01_1_waist.csv", index=False)
    rec = load_directory(tmp_path, rate=10).recordings[0]
    assert rec.activity.tolist() == [1, 1, 3, 2]


@pytest.mark.parametrize(
    "column, values, message",
    [
        pytest.param(
            "activity",
            ["walking", "walking", "dancing", "walking"],
            r"line 4, column 'activity'.*dancing",
            id="unknown-activity",
        ),
        pytest.param(
            "gyr_y",
            [0.0, 0.0, "oops", 0.0],
            r"line 4, column 'gyr_y' is not a number: 'oops'",
            id="non-numeric",
        ),
        pytest.param(
            "acc_z",
            [STANDARD_GRAVITY, STANDARD_GRAVITY, np.nan, STANDARD_GRAVITY],
            r"line 4, column 'acc_z' is empty",
            id="empty",
        ),
    ],
)
def test_bad_value_names_file_line_and_column(tmp_path, column, values, message):
    _subjects(tmp_path)
    table = _signal(4).astype(object)
    table[column] = values
    table.to_csv(tmp_path / "S01_1_waist.csv", index=False)
    with pytest.raises(DataFormatError, match=r"S01_1_waist\.csv: " + message):
        load_directory(tmp_path, rate=10)


def test_missing_columns_are_named(tmp_path):
    _subjects(tmp_path)
    _signal(10).drop(columns=["acc_y", "gyr_z"]).to_csv(tmp_path / "S01_1_waist.csv", index=False)
    with pytest.raises(DataFormatError, match=r"S01_1_waist\.csv: missing columns acc_y, gyr_z"):
        load_directory(tmp_path, rate=10)


@pytest.mark.parametrize(
    "name, message",
    [
        pytest.param(
            "S01_1_forehead.csv",
            r"S01_1_forehead\.csv: unknown placement 'forehead'",
            id="unknown-placement",
        ),
        pytest.param("S01_1.csv", "no placement.*pass placement=", id="no-placement-anywhere"),
    ],
)
def test_placement_must_be_known(tmp_path, name, message):
    _subjects(tmp_path)
    _signal(10).to_csv(tmp_path / name, index=False)
    with pytest.raises(DataFormatError, match=message):
        load_directory(tmp_path, rate=10)


@pytest.mark.parametrize(
    "names", [("S01_1.csv", "S01_1_waist.csv"), ("S01.csv", "S01_1_waist.csv")]
)
def test_same_recording_in_two_files_is_refused(tmp_path, names):
    _subjects(tmp_path)
    for name in names:
        _signal(100).to_csv(tmp_path / name, index=False)
    message = (
        rf"{names[1]} and .*{names[0]} are both subject 'S01', trial '1', "
        r"placement 'waist': that recording would count twice"
    )
    with pytest.raises(DataFormatError, match=message):
        load_directory(tmp_path, rate=100, placement="waist")


def test_two_trials_and_two_placements_are_distinct(folder):
    _signal(100).to_csv(folder / "S01_2_waist.csv", index=False)
    assert len(load_directory(folder, rate=100)) == 4


def test_recording_of_unlisted_subject(folder):
    _signal(10).to_csv(folder / "S09_1_waist.csv", index=False)
    with pytest.raises(
        DataFormatError, match=r"S09_1_waist\.csv: subject 'S09' is not in the subject table"
    ):
        load_directory(folder, rate=10)


def test_missing_rate_without_time_column(folder):
    with pytest.raises(
        DataFormatError, match=r"S01_1_left_wrist\.csv: no 'time' column.*pass rate="
    ):
        load_directory(folder)


def test_time_must_increase(tmp_path):
    _subjects(tmp_path)
    table = _signal(5)
    table.insert(0, "time", [0.0, 0.1, 0.2, 0.2, 0.4])
    table.to_csv(tmp_path / "S01_1_waist.csv", index=False)
    with pytest.raises(DataFormatError, match="line 5, column 'time' does not increase"):
        load_directory(tmp_path)


def test_subject_table_needs_subject_column(tmp_path):
    pd.DataFrame({"id": ["S01"]}).to_csv(tmp_path / "subjects.csv", index=False)
    _signal(10).to_csv(tmp_path / "S01_1_waist.csv", index=False)
    with pytest.raises(DataFormatError, match="no 'subject' column"):
        load_directory(tmp_path, rate=10)


def test_bad_sex_values_are_named(folder):
    _subjects(folder, sex=["F", "X"])
    with pytest.raises(DataFormatError, match=r"column 'sex'.*\['X'\]"):
        load_directory(folder, rate=10)


def test_without_subject_table(tmp_path):
    _signal(10).to_csv(tmp_path / "P7_1_waist.csv", index=False)
    ds = load_directory(tmp_path, subjects=None, rate=10)
    assert ds.subjects["subject"].tolist() == ["P7"]
    assert np.isnan(ds.subjects["age"].iloc[0])


def test_missing_folder_raises_dataset_not_found(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="(?s)does not exist.*Expected layout"):
        load_directory(tmp_path / "nowhere", rate=10)


def test_folder_without_matching_files(tmp_path):
    _subjects(tmp_path)
    with pytest.raises(DatasetNotFoundError, match=r"no file matching '\*\.parquet'"):
        load_directory(tmp_path, pattern="*.parquet", rate=10)


def test_cache_returns_the_same_recordings(folder):
    first = load_directory(folder, rate=100)
    second = load_directory(folder, rate=100)
    for a, b in zip(first.recordings, second.recordings):
        np.testing.assert_array_equal(a.signal, b.signal)
        assert (a.subject, a.placement, a.rate) == (b.subject, b.placement, b.rate)


def test_options_are_part_of_the_cache_key(folder):
    assert load_directory(folder, rate=100).recordings[0].rate == 100.0
    assert load_directory(folder, rate=50).recordings[0].rate == 50.0


def test_missing_subject_table_is_named(tmp_path):
    _signal(10).to_csv(tmp_path / "S01_1_waist.csv", index=False)
    with pytest.raises(DatasetNotFoundError, match=r"subjects\.csv does not exist.*subjects=None"):
        load_directory(tmp_path, rate=10)


def test_values_in_g_warn_naming_the_file(tmp_path):
    from skgait.exceptions import ImplausibleSignalWarning

    root = tmp_path / "in_g"
    root.mkdir()
    _subjects(root)
    _signal(300).to_csv(root / "S01_1_waist.csv", index=False)
    in_g = _signal(300)
    in_g[["acc_x", "acc_y", "acc_z"]] /= STANDARD_GRAVITY
    in_g.to_csv(root / "S02_1_waist.csv", index=False)
    with pytest.warns(
        ImplausibleSignalWarning, match=r"S02_1_waist\.csv.*in g, not m/s²"
    ) as record:
        ds = load_directory(root, rate=100)
    assert len(ds) == 2  # loaded, but said
    assert not any("S01_1_waist" in str(w.message) for w in record)
