"""SisFall loader on the real files: subjects, trials, units, cache, errors."""

import os

import numpy as np
import pandas as pd
import pytest
from _data import SISFALL_TRIALS, copy_dataset, write_sisfall_release

from skgait.datasets import ACTIVITIES, _loading, _sisfall, load_sisfall, make_windows
from skgait.exceptions import DataFormatError, DatasetNotFoundError

G = 9.80665
SUBJECT = "SA01"
FILE = "D01_SA01_R01.txt"


@pytest.fixture(scope="module")
def sisfall_dir(data_home):
    return data_home / "SisFall"  # data_home skips when SisFall is absent


@pytest.fixture(scope="module")
def sisfall(sisfall_dir):
    return load_sisfall(sisfall_dir, cache=False)


@pytest.fixture
def small_copy(sisfall_dir, tmp_path, monkeypatch):
    """A writable SisFall folder with the subject table and one subject."""
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    return copy_dataset(sisfall_dir, tmp_path, ["subjects.csv", SUBJECT])


def _edit_line(path, line_no, edit):
    """Replace line ``line_no`` (1-based) of ``path`` by ``edit(line)``; keeps CRLF."""
    lines = path.read_bytes().decode().split("\r\n")
    lines[line_no - 1] = edit(lines[line_no - 1])
    path.write_bytes("\r\n".join(lines).encode())


# --- subjects and trials ---------------------------------------------------------


def test_subject_table_equals_subjects_csv(sisfall, sisfall_dir):
    expected = pd.read_csv(sisfall_dir / "subjects.csv")
    subjects = sisfall.subjects
    assert list(subjects["subject"]) == list(expected["subject_id"])
    assert list(subjects["sex"]) == list(expected["gender"])
    np.testing.assert_array_equal(subjects["age"], expected["age"])
    np.testing.assert_array_equal(subjects["height_cm"], expected["height_cm"])
    np.testing.assert_array_equal(subjects["weight_kg"], expected["weight_kg"])
    assert list(subjects["group"]) == list(expected["group"])
    assert len(subjects) == 38
    assert subjects["subject"].str.startswith("SA").sum() == 23
    assert (subjects["sex"] == "F").sum() == 19


def test_slow_and_fast_walks_are_separate_trials(sisfall):
    assert len(sisfall) == 76
    trials = {(r.subject, r.trial, r.info["speed"]) for r in sisfall.recordings}
    subjects = set(sisfall.subjects["subject"])
    assert trials == {(s, "D01", "slow") for s in subjects} | {(s, "D02", "fast") for s in subjects}
    rec = sisfall.select(recording="D02_SE07_R01")[0]
    assert (rec.placement, rec.source_placement) == ("waist", "waist")
    assert rec.info["repetition"] == "R01"


def test_rate_rows_and_activity(sisfall):
    assert {r.rate for r in sisfall.recordings} == {200.0}
    assert sum(r.n_samples for r in sisfall.recordings) == 1551941  # SOURCE.md
    # Trials last 100 s, except subject SE01's two (180 s).
    not_100_s = {r.recording for r in sisfall.recordings if abs(r.duration - 100) > 0.1}
    assert not_100_s == {"D01_SE01_R01", "D02_SE01_R01"}
    assert all((r.activity == 1).all() for r in sisfall.recordings)  # walking


# --- units ---------------------------------------------------------------------


@pytest.mark.parametrize("accelerometer", ["ADXL345", "MMA8451Q"])
def test_mean_acceleration_is_gravity(sisfall_dir, accelerometer):
    # The waist barely rotates while walking, so the mean specific force is
    # gravity: observed 9.35-10.63 (ADXL345) and 9.36-10.02 (MMA8451Q) per
    # trial. ±1.0 allows offsets of ~10 %; a wrong range or resolution is off
    # by a factor of 2 or more.
    ds = load_sisfall(sisfall_dir, accelerometer=accelerometer, cache=False)
    for rec in ds.recordings:
        assert rec.info["accelerometer"] == accelerometer
        assert np.linalg.norm(rec.signal[:, :3].mean(axis=0)) == pytest.approx(G, abs=1.0), rec


def test_gyroscope_in_rad_per_s(sisfall):
    # Observed 99th percentiles of |gyr| at the waist: 0.53-2.42 rad/s; in °/s
    # they would be 30-140.
    p99 = [np.percentile(np.abs(r.signal[:, 3:]), 99) for r in sisfall.recordings]
    assert 0.2 < min(p99) and max(p99) < 15
    assert 0.5 < np.median(p99) < 15


def test_unknown_accelerometer(sisfall_dir):
    message = r"accelerometer must be one of \['ADXL345', 'MMA8451Q'\], got 'foo'"
    with pytest.raises(ValueError, match=message):
        load_sisfall(sisfall_dir, accelerometer="foo")


# --- cache -----------------------------------------------------------------------


def test_second_load_comes_from_cache_and_equals_first(small_copy, monkeypatch):
    first = load_sisfall(small_copy)

    def no_parse(*args, **kwargs):
        pytest.fail("parsed again instead of read from the cache")

    monkeypatch.setattr(_sisfall, "read_numeric_table", no_parse)
    second = load_sisfall(small_copy)
    assert [r.recording for r in second.recordings] == ["D01_SA01_R01", "D02_SA01_R01"]
    for a, b in zip(first.recordings, second.recordings):
        np.testing.assert_array_equal(a.signal, b.signal)
        np.testing.assert_array_equal(a.activity, b.activity)
        assert (a.subject, a.recording, a.trial, a.rate, a.info) == (
            b.subject,
            b.recording,
            b.trial,
            b.rate,
            b.info,
        )


def test_touched_and_changed_files_are_parsed_again(small_copy):
    # a repetition the download registry does not list, so it may be edited
    path = small_copy / SUBJECT / FILE.replace("_R01", "_R09")
    (small_copy / SUBJECT / FILE).rename(path)
    n_samples = load_sisfall(small_copy).recordings[0].n_samples
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:-2] + [b""]))  # drop the last sample
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert load_sisfall(small_copy).recordings[0].n_samples == n_samples - 1


# --- bad input -------------------------------------------------------------------


def test_truncated_file(small_copy):
    path = small_copy / SUBJECT / FILE
    path.write_bytes(path.read_bytes().rstrip(b"\r\n")[:-12])
    message = rf"{FILE}: line \d+ has \d columns, expected 9.*truncated"
    with pytest.raises(DataFormatError, match=message):
        load_sisfall(small_copy, cache=False)


def test_file_cut_inside_its_last_field(small_copy):
    # "-147;" cut to "-1": 9 numbers, but no ';' (and no newline) after them
    path = small_copy / SUBJECT / FILE
    data = path.read_bytes().rstrip(b"\r\n")
    path.write_bytes(data[: data.rindex(b",") + 3])
    assert path.read_bytes().endswith(b",-1")
    with pytest.raises(
        DataFormatError, match=rf"{FILE}: line \d+ does not end with ';'.*truncated"
    ):
        load_sisfall(small_copy, cache=False)


def test_file_cut_inside_its_last_field_with_a_newline(small_copy):
    path = small_copy / SUBJECT / FILE
    data = path.read_bytes().rstrip(b"\r\n")
    path.write_bytes(data[: data.rindex(b",") + 3] + b"\r\n")
    with pytest.raises(DataFormatError, match=rf"{FILE}: line \d+ does not end with ';'"):
        load_sisfall(small_copy, cache=False)


@pytest.mark.parametrize("cache", [False, True])
def test_file_cut_at_a_line_end_differs_from_the_registry(small_copy, cache):
    path = small_copy / SUBJECT / FILE
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:-200] + [b""]))  # 199 whole rows lost
    message = (
        rf"{FILE} has \d+ bytes, the registry's copy 948663: it is truncated.*"
        r"download_dataset\('sisfall'"
    )
    with pytest.raises(DataFormatError, match=message):
        load_sisfall(small_copy, cache=cache)


def test_edit_keeping_the_size_differs_from_the_registry(small_copy):
    path = small_copy / SUBJECT / FILE
    load_sisfall(small_copy)  # a verified cache entry of the original bytes
    data = bytearray(path.read_bytes())
    data[2:4] = b"99" if data[2:4] != b"99" else b"98"
    path.write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match=rf"{FILE} has the registry's size but another"):
        load_sisfall(small_copy)


def test_wrong_column_count(small_copy):
    _edit_line(small_copy / SUBJECT / FILE, 5, lambda line: line.rsplit(",", 1)[0] + ";")
    with pytest.raises(DataFormatError, match=rf"{FILE}: line 5 has 8 columns, expected 9\.$"):
        load_sisfall(small_copy, cache=False)


def test_non_numeric_field(small_copy):
    _edit_line(small_copy / SUBJECT / FILE, 3, lambda line: "x1," + line.split(",", 1)[1])
    with pytest.raises(DataFormatError, match=rf"{FILE}: line 3, column 1 is not a number"):
        load_sisfall(small_copy, cache=False)


# --- the release as published: read-me subject table, every activity ----------

#: A few subjects of the read-me's table (id -> age, height, weight, sex).
RELEASE_SUBJECTS = {
    "SA01": (26, 165, 53, "F"),
    "SA02": (23, 176, 58.5, "M"),
    "SE06": (60, 163, 79, "M"),
}


@pytest.fixture
def release(tmp_path, monkeypatch):
    """A synthetic SisFall folder in the published layout, without subjects.csv.

    Its files have the release's names but not the bytes of the pinned copy
    the download registry lists, so that check is off here.
    """
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(_loading, "registry_check", lambda name, folder: None)
    folder = tmp_path / "SisFall"
    write_sisfall_release(
        folder, RELEASE_SUBJECTS, codes=["D01", "D02", "D05", "D18", "F01"], scale=0.02
    )
    return folder


def test_real_readme_gives_the_subject_table(sisfall_dir, sisfall, tmp_path):
    folder = copy_dataset(sisfall_dir, tmp_path, ["Readme.txt", SUBJECT])  # no subjects.csv
    subjects = load_sisfall(folder, cache=False).subjects
    pd.testing.assert_frame_equal(subjects, sisfall.subjects)  # subjects.csv's copy


def test_synthetic_readme_table_gives_the_subject_table(release):
    subjects = load_sisfall(release).subjects.set_index("subject")
    assert list(subjects.index) == list(RELEASE_SUBJECTS)
    assert subjects.loc["SA02", ["age", "height_cm", "weight_kg", "sex"]].tolist() == [
        23,
        176,
        58.5,
        "M",
    ]
    assert subjects.loc["SE06", "group"] == "elderly_60-75"
    assert subjects.loc["SA01", "group"] == "adult_19-30"


def test_subjects_csv_overrides_the_readme(release):
    pd.DataFrame(
        {"subject_id": list(RELEASE_SUBJECTS), "age": [30, 31, 70], "gender": ["M", "F", "F"]}
    ).to_csv(release / "subjects.csv", index=False)
    subjects = load_sisfall(release).subjects.set_index("subject")
    assert subjects.loc["SA01", "age"] == 30 and subjects.loc["SA01", "sex"] == "M"


def test_every_activity_and_fall_is_loaded_with_its_label(release):
    ds = load_sisfall(release)
    # D01, D02: 1 trial each; D05, D18, F01: 5 trials each (the read-me)
    assert len(ds) == 3 * (1 + 1 + 5 + 5 + 5)
    labels = {(r.trial, ACTIVITIES[r.activity[0]], r.info["speed"]) for r in ds.recordings}
    assert labels == {
        ("D01", "walking", "slow"),
        ("D02", "walking", "fast"),
        ("D05", "stairs", "slow"),
        ("D18", "stumbling", None),
        ("F01", "fall", None),
    }
    rec = ds.select(recording="F01_SA02_R04")[0]
    assert (rec.info["source_activity"], rec.info["repetition"]) == ("F01", "R04")
    assert all((r.activity == r.activity[0]).all() for r in ds.recordings)


def test_windows_select_walking_by_default(release, tmp_path):
    walking_only = tmp_path / "walking" / "SisFall"
    walking_only.mkdir(parents=True)
    (walking_only / "Readme.txt").write_bytes((release / "Readme.txt").read_bytes())
    for file in release.glob("*/D0[12]_*.txt"):
        (walking_only / file.parent.name).mkdir(exist_ok=True)
        (walking_only / file.parent.name / file.name).write_bytes(file.read_bytes())
    X, meta = make_windows(load_sisfall(release), length=1.0)
    X_walk, meta_walk = make_windows(load_sisfall(walking_only), length=1.0)
    np.testing.assert_array_equal(X, X_walk)
    assert set(meta["trial"]) == {"D01", "D02"}
    X_falls, meta_falls = make_windows(load_sisfall(release), length=0.2, activity="fall")
    assert set(meta_falls["trial"]) == {"F01"}


def test_the_readmes_activity_table_is_complete():
    # D01-D19 and F01-F15, as the read-me lists them, each with an activity
    assert set(SISFALL_TRIALS) == set(_sisfall._CODES)
    assert {activity for activity, _ in _sisfall._CODES.values()} <= set(ACTIVITIES)


def test_unknown_activity_code_is_an_error(release):
    (release / "SA01" / "D01_SA01_R01.txt").rename(release / "SA01" / "D20_SA01_R01.txt")
    with pytest.raises(DataFormatError, match=r"D20_SA01_R01\.txt: the name should be .*D01 … D19"):
        load_sisfall(release)


def test_no_readme_and_no_subjects_csv_says_where_the_table_is(release):
    (release / "Readme.txt").unlink()
    with pytest.raises(DatasetNotFoundError, match=r"Readme\.txt does not exist: .*subjects\.csv"):
        load_sisfall(release)


def test_readme_without_the_subject_table(release):
    (release / "Readme.txt").write_bytes(b"---- SisFall ----\r\nno table here\r\n")
    with pytest.raises(DataFormatError, match=r"Readme\.txt: no subject table"):
        load_sisfall(release)


def test_subject_absent_from_the_readme_table_is_an_error(release):
    text = (release / "Readme.txt").read_bytes().replace(b"| SA02 ", b"| SA09 ")
    (release / "Readme.txt").write_bytes(text)
    with pytest.raises(
        ValueError, match=r"recordings of subjects \['SA02'\] not in the subject table"
    ):
        load_sisfall(release)


# --- the same bytes twice --------------------------------------------------------


def test_same_bytes_under_another_subject_is_refused(small_copy):
    (small_copy / "SA02").mkdir()
    copy = small_copy / "SA02" / "D01_SA02_R09.txt"  # a name the registry does not list
    copy.write_bytes((small_copy / SUBJECT / FILE).read_bytes())
    with pytest.raises(
        DataFormatError, match=rf"{copy}.* and .*{FILE} have the same content .*subject-wise split"
    ):
        load_sisfall(small_copy)


def test_same_bytes_under_another_trial_name_is_refused(small_copy):
    copy = small_copy / SUBJECT / FILE.replace("_R01", "_R02")
    copy.write_bytes((small_copy / SUBJECT / FILE).read_bytes())
    with pytest.raises(
        DataFormatError, match=rf"D01_SA01_R02\.txt and .*{FILE} have the same content"
    ):
        load_sisfall(small_copy, cache=False)
