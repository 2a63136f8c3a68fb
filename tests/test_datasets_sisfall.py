"""SisFall loader on the real files: subjects, trials, units, cache, errors."""

import os

import numpy as np
import pandas as pd
import pytest
from _data import copy_dataset

from skgait.datasets import DataFormatError, _sisfall, load_sisfall

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
