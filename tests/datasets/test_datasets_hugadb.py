"""HuGaDB loader on the real files: subjects, units, labels, flags, cache, errors."""

import json
import os

import numpy as np
import pandas as pd
import pytest
from _data import copy_dataset

from skgait.datasets import ACTIVITIES, _hugadb, load_hugadb, make_windows
from skgait.exceptions import DataFormatError, DatasetNotFoundError

G = 9.80665
WALKING = ACTIVITIES.index("walking")
STANDING = ACTIVITIES.index("standing")
IMUS = {
    "rf": "right_foot",
    "rs": "right_shin",
    "rt": "right_thigh",
    "lf": "left_foot",
    "ls": "left_shin",
    "lt": "left_thigh",
}
SMALL_FILE = "HuGaDB_v1_walking_09_04.txt"  # 713 rows


@pytest.fixture(scope="module")
def hugadb_dir(data_home):
    folder = data_home / "HuGaDB"
    if not folder.is_dir():
        pytest.skip(f"HuGaDB not found under {data_home} (set SKGAIT_DATA)")
    return folder


@pytest.fixture(scope="module")
def hugadb(hugadb_dir):
    return load_hugadb(hugadb_dir, cache=False)


@pytest.fixture
def small_copy(hugadb_dir, tmp_path, monkeypatch):
    """A writable HuGaDB folder with the subject table and one small file."""
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    return copy_dataset(hugadb_dir, tmp_path, ["subjects.csv", SMALL_FILE])


def _edit_line(path, line_no, edit):
    """Replace line ``line_no`` (1-based) of ``path`` by ``edit(line)``."""
    lines = path.read_text().split("\n")
    lines[line_no - 1] = edit(lines[line_no - 1])
    path.write_text("\n".join(lines))


def _recording(dataset, stem, placement):
    (rec,) = dataset.select(recording=stem, placement=placement)
    return rec


# --- subjects and files -------------------------------------------------------


def test_subject_table_equals_subjects_csv(hugadb, hugadb_dir):
    expected = pd.read_csv(hugadb_dir / "subjects.csv")
    subjects = hugadb.subjects.set_index("subject")
    assert list(subjects.index) == [str(i) for i in expected["subject_id"]]
    assert list(subjects["sex"]) == list(expected["sex"])
    np.testing.assert_array_equal(subjects["age"], expected["age"])
    np.testing.assert_array_equal(subjects["height_cm"], expected["height_cm"])
    np.testing.assert_array_equal(subjects["weight_kg"], expected["weight_kg"])
    assert (subjects["sex"] == "F").sum() == 4 and (subjects["sex"] == "M").sum() == 14


def test_six_recordings_per_file(hugadb):
    kinds = pd.Series({r.recording: r.info["source_file_kind"] for r in hugadb.recordings})
    assert kinds.value_counts().to_dict() == {"various": 36, "walking": 29}
    assert len(hugadb) == 65 * 6
    for stem in kinds.index:
        recs = hugadb.select(recording=stem)
        assert {(r.source_placement, r.placement) for r in recs} == set(IMUS.items())
        assert len({r.n_samples for r in recs}) == 1


def test_file_name_gives_subject_and_trial(hugadb):
    rec = _recording(hugadb, "HuGaDB_v1_various_02_01", "left_shin")
    assert (rec.subject, rec.trial, rec.source_placement) == ("2", "01", "ls")
    assert rec.dataset == "hugadb"


def test_every_subject_walks(hugadb):
    walkers = {r.subject for r in hugadb.recordings if (r.activity == WALKING).any()}
    assert walkers == {str(i) for i in range(1, 19)}


def test_include_various_false_loads_walking_files_only(hugadb_dir):
    ds = load_hugadb(hugadb_dir, cache=False, include_various=False)
    assert len(ds) == 29 * 6
    assert {r.info["source_file_kind"] for r in ds.recordings} == {"walking"}
    assert "2" not in {r.subject for r in ds.recordings}  # subject 2 only in various/
    assert len(ds.subjects) == 18


def test_sampling_rate_from_table_1_totals(hugadb):
    assert {r.rate for r in hugadb.recordings} == {2111962 / 35903}
    assert hugadb.recordings[0].rate == pytest.approx(58.824, abs=1e-3)


# --- units ---------------------------------------------------------------------


@pytest.mark.parametrize("placement", IMUS.values())
def test_standing_acceleration_is_gravity(hugadb, placement):
    # Standing is the clean check of the ±2 g range: a wrong range would be off
    # by a factor of 2. Observed medians 9.58-10.03; ±0.5 allows the sensors'
    # offsets of a few per cent.
    norms = [
        np.linalg.norm(r.signal[r.activity == STANDING, :3].mean(axis=0))
        for r in hugadb.select(placement=placement)
        if np.count_nonzero(r.activity == STANDING) >= 50
    ]
    assert len(norms) == 35
    assert np.median(norms) == pytest.approx(G, abs=0.5)


@pytest.mark.parametrize("placement", IMUS.values())
def test_walking_acceleration_is_about_gravity(hugadb, placement):
    # During walking the norm of the mean exceeds g: the centripetal
    # acceleration of a swinging segment points the same way in its sensor's
    # frame every stride, and the feet saturate at ±2 g. Both grow down the
    # leg: observed medians thighs 10.2, shins 10.8, feet 11.9. Units off by
    # a factor of 2 would still fail these bounds.
    excess = {"thigh": 1.0, "shin": 1.5, "foot": 2.5}[placement.split("_")[1]]
    norms = [
        np.linalg.norm(r.signal[r.activity == WALKING, :3].mean(axis=0))
        for r in hugadb.select(placement=placement)
    ]
    assert G - 1.0 < np.median(norms) < G + excess


def test_gyroscope_in_rad_per_s(hugadb):
    # In °/s the 99th percentile would be 160-600; observed 2.8-10.5 rad/s.
    for rec in hugadb.recordings:
        if not rec.info["corrupted_gyroscope"]:
            walking = rec.signal[rec.activity == WALKING, 3:]
            assert 0.5 < np.percentile(np.abs(walking), 99) < 15, rec


def test_corrupted_gyroscopes_are_amplified(hugadb):
    # The README's "amplified 10 times": every flagged gyroscope has a 99th
    # percentile above 15 rad/s during walking (observed 23-35, the clip level
    # being 2000 °/s = 34.9 rad/s), every other one below (test above).
    for rec in hugadb.recordings:
        if rec.info["corrupted_gyroscope"]:
            walking = rec.signal[rec.activity == WALKING, 3:]
            assert np.percentile(np.abs(walking), 99) > 15, rec
        assert np.abs(rec.signal[:, 3:]).max() <= np.float32(2000 * np.pi / 180)


# --- labels and flags ------------------------------------------------------------


def _rows_per_activity(rec):
    codes, counts = np.unique(rec.activity, return_counts=True)
    return {ACTIVITIES[c]: int(n) for c, n in zip(codes, counts)}


def test_activity_per_row(hugadb):
    assert _rows_per_activity(_recording(hugadb, "HuGaDB_v1_various_02_00", "right_foot")) == {
        "walking": 3557,
        "running": 418,
        "stairs_up": 900,
        "sitting": 596,
        "standing_up": 194,
        "standing": 423,
    }
    assert _rows_per_activity(_recording(hugadb, "HuGaDB_v1_walking_01_01", "left_thigh")) == {
        "walking": 7025,
    }


def test_act_column_wins_over_header(hugadb):
    # The header of various_18_07 lists standing twice at its end; the data
    # end in a single standing run.
    rec = _recording(hugadb, "HuGaDB_v1_various_18_07", "left_foot")
    assert _rows_per_activity(rec) == {"walking": 929, "stairs_down": 1875, "standing": 1002}
    assert rec.activity[-1] == STANDING


@pytest.mark.parametrize(
    "stem, corrupted",
    [
        ("HuGaDB_v1_walking_01_01", set()),
        ("HuGaDB_v1_walking_11_02", {"lf"}),
        ("HuGaDB_v1_walking_18_00", {"rf", "lf", "rs", "ls", "lt"}),
        ("HuGaDB_v1_various_03_00", {"rf", "rs", "rt"}),
        ("HuGaDB_v1_various_13_02", set()),
    ],
)
def test_corrupted_gyroscope_flags(hugadb, stem, corrupted):
    recs = hugadb.select(recording=stem)
    flagged = {r.source_placement for r in recs if r.info["corrupted_gyroscope"]}
    assert flagged == corrupted
    assert all(r.info["gyroscope_status_known"] for r in recs)


def test_info_is_json_serialisable(hugadb):
    json.dumps([r.info for r in hugadb.recordings])


# --- cache -----------------------------------------------------------------------


def test_second_load_comes_from_cache_and_equals_first(hugadb_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    first = load_hugadb(hugadb_dir)

    def no_parse(file):
        raise AssertionError(f"{file} parsed again instead of read from the cache")

    monkeypatch.setattr(_hugadb, "_parse", no_parse)
    second = load_hugadb(hugadb_dir)
    assert len(second) == len(first)
    for a, b in zip(first.recordings, second.recordings):
        np.testing.assert_array_equal(a.signal, b.signal)
        np.testing.assert_array_equal(a.activity, b.activity)
        assert (a.subject, a.recording, a.trial, a.placement, a.rate, a.info) == (
            b.subject,
            b.recording,
            b.trial,
            b.placement,
            b.rate,
            b.info,
        )


def test_touched_file_is_served_from_the_cache(small_copy, monkeypatch):
    load_hugadb(small_copy)
    parsed = []
    parse = _hugadb._parse
    monkeypatch.setattr(_hugadb, "_parse", lambda f: parsed.append(f) or parse(f))
    stat = os.stat(small_copy / SMALL_FILE)
    os.utime(small_copy / SMALL_FILE, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    load_hugadb(small_copy)
    assert parsed == []  # the same bytes: the cache is keyed on content


def _unregistered(small_copy):
    """Rename the copy to a file the download registry does not list, to edit it."""
    path = small_copy / SMALL_FILE.replace("_09_04", "_09_99")
    (small_copy / SMALL_FILE).rename(path)
    return path


def test_edit_keeping_size_and_mtime_is_not_served_stale(small_copy):
    # cp -p, rsync -a and unzip keep size and mtime; only the bytes tell
    path = _unregistered(small_copy)
    before = load_hugadb(small_copy).recordings[0].signal.copy()
    stat = os.stat(path)
    lines = path.read_bytes().split(b"\n")
    fields = lines[4].split(b"\t")
    fields[0] = b"9" * len(fields[0])  # rf acc_x of the first sample, same length
    lines[4] = b"\t".join(fields)
    path.write_bytes(b"\n".join(lines))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(path).st_size == stat.st_size
    after = load_hugadb(small_copy).recordings[0].signal
    assert not np.array_equal(before, after)
    assert np.array_equal(before[1:], after[1:])


def test_changed_file_is_not_served_stale(small_copy):
    path = _unregistered(small_copy)
    assert load_hugadb(small_copy).recordings[0].n_samples == 713
    path.write_text("\n".join(path.read_text().rstrip("\n").split("\n")[:-1]) + "\n")
    assert load_hugadb(small_copy).recordings[0].n_samples == 712


# --- bad input -------------------------------------------------------------------


def test_truncated_file(small_copy):
    path = small_copy / SMALL_FILE
    *lines, last = path.read_bytes().rstrip(b"\n").split(b"\n")
    path.write_bytes(b"\n".join(lines + [b"\t".join(last.split(b"\t")[:20])]))
    message = rf"{SMALL_FILE}: line 717 has 20 columns, expected 39 .*truncated"
    with pytest.raises(DataFormatError, match=message):
        load_hugadb(small_copy, cache=False)


def test_wrong_column_count(small_copy):
    _edit_line(small_copy / SMALL_FILE, 10, lambda line: line.rsplit("\t", 1)[0])
    message = rf"{SMALL_FILE}: line 10 has 38 columns, expected 39\.$"
    with pytest.raises(DataFormatError, match=message):
        load_hugadb(small_copy, cache=False)


def test_non_numeric_field(small_copy):
    _edit_line(small_copy / SMALL_FILE, 7, lambda line: "abc\t" + line.split("\t", 1)[1])
    with pytest.raises(DataFormatError, match=rf"{SMALL_FILE}: line 7, column 1 is not a number"):
        load_hugadb(small_copy, cache=False)


def test_bad_header_names(small_copy):
    _edit_line(small_copy / SMALL_FILE, 4, lambda line: line.replace("gyro_rf_x", "gyr_rf_x"))
    message = rf"{SMALL_FILE}: line 4 .* column 4 is named 'gyr_rf_x', expected 'gyro_rf_x'"
    with pytest.raises(DataFormatError, match=message):
        load_hugadb(small_copy, cache=False)


def test_unknown_activity_id(small_copy):
    _edit_line(small_copy / SMALL_FILE, 9, lambda line: line.rsplit("\t", 1)[0] + "\t13")
    message = rf"{SMALL_FILE}: line 9, column 39 \(act\) holds activity id 13;"
    with pytest.raises(DataFormatError, match=message):
        load_hugadb(small_copy, cache=False)


def test_folder_without_data_files(tmp_path):
    (tmp_path / "HuGaDB").mkdir()
    with pytest.raises(DatasetNotFoundError, match="holds no file matching"):
        load_hugadb(tmp_path / "HuGaDB")


def test_make_windows_drops_the_listed_corrupted_gyroscopes_by_default(hugadb):
    listed = {
        r.recording for r in hugadb.select(placement="right_shin") if r.info["corrupted_gyroscope"]
    }
    assert len(listed) == 41
    with pytest.warns(UserWarning, match="Dropped 41 recordings whose gyroscope"):
        _, meta = make_windows(hugadb, placement="right_shin")
    assert not set(meta["recording"]) & listed
    _, kept = make_windows(hugadb, placement="right_shin", corrupted_gyroscope="keep")
    assert listed <= set(kept["recording"])


# --- the release as published: read-me subject table, every file, gyroscopes ------


def test_readme_gives_the_subject_table(hugadb, hugadb_dir, tmp_path):
    folder = copy_dataset(hugadb_dir, tmp_path, ["ReadMe.txt", SMALL_FILE])  # no subjects.csv
    subjects = load_hugadb(folder, cache=False).subjects
    pd.testing.assert_frame_equal(subjects, hugadb.subjects)  # subjects.csv's copy


def test_amplified_gyroscopes_are_told_from_the_data(hugadb):
    # every gyroscope the README's table lists, and no other, in all 65 files
    for rec in hugadb.recordings:
        listed = rec.source_placement in _hugadb._CORRUPTED_GYROSCOPES[rec.recording]
        assert rec.info["gyroscope_amplified"] == listed, rec


def test_a_file_outside_the_table_is_flagged_from_its_data(hugadb_dir, tmp_path):
    # another activity's file name, which the embedded table does not list
    folder = copy_dataset(hugadb_dir, tmp_path, ["subjects.csv", "HuGaDB_v1_walking_11_02.txt"])
    renamed = folder / "HuGaDB_v1_running_11_07.txt"
    (folder / "HuGaDB_v1_walking_11_02.txt").rename(renamed)
    ds = load_hugadb(folder, cache=False)
    assert {r.source_placement for r in ds.recordings if r.info["corrupted_gyroscope"]} == {"lf"}
    assert not any(r.info["gyroscope_status_known"] for r in ds.recordings)
    assert {r.info["source_file_kind"] for r in ds.recordings} == {"running"}


def test_full_scale_alone_flags_a_gyroscope(small_copy):
    # one sample at the int16 limit (2000 °/s) in an intact file's rf gyro_x
    path = small_copy / SMALL_FILE
    lines = path.read_text().split("\n")
    fields = lines[10].split("\t")
    fields[3] = "-32768"
    lines[10] = "\t".join(fields)
    renamed = small_copy / "HuGaDB_v1_walking_09_07.txt"  # not in the table
    path.unlink()
    renamed.write_text("\n".join(lines))
    ds = load_hugadb(small_copy, cache=False)
    flagged = {r.source_placement for r in ds.recordings if r.info["gyroscope_amplified"]}
    assert flagged == {"rf"}


def test_a_copy_under_another_name_is_refused(small_copy):
    copy = small_copy / "HuGaDB_v1_walking_09_08.txt"
    copy.write_bytes((small_copy / SMALL_FILE).read_bytes())
    with pytest.raises(
        DataFormatError, match=rf"{copy.name} and .*{SMALL_FILE} have the same content"
    ):
        load_hugadb(small_copy, cache=False)


def test_the_copies_the_release_ships_are_loaded_once(hugadb_dir, tmp_path):
    # the release ships walking_06_06 as a byte copy of walking_06_04
    folder = copy_dataset(hugadb_dir, tmp_path, ["subjects.csv", "HuGaDB_v1_walking_06_04.txt"])
    copy = folder / "HuGaDB_v1_walking_06_06.txt"
    copy.write_bytes((folder / "HuGaDB_v1_walking_06_04.txt").read_bytes())
    ds = load_hugadb(folder, cache=False)
    assert {r.recording for r in ds.recordings} == {"HuGaDB_v1_walking_06_04"}
    copy.write_bytes(copy.read_bytes() + b"0\t" * 38 + b"1\n")  # no longer a copy
    assert len(load_hugadb(folder, cache=False)) == 12


def _with_activity(source, target, act):
    """``source`` with every row's ``act`` set to ``act``, written as ``target``."""
    lines = source.read_text().split("\n")
    rows = [line.rsplit("\t", 1)[0] + f"\t{act}" if line.strip() else line for line in lines[4:]]
    target.write_text("\n".join(lines[:4] + rows))


def test_release_layout_with_several_activities(hugadb_dir, tmp_path):
    # the release's folder: its read-me and one file per activity, no subjects.csv
    folder = copy_dataset(hugadb_dir, tmp_path, ["ReadMe.txt", SMALL_FILE])
    _with_activity(folder / SMALL_FILE, folder / "HuGaDB_v1_sitting_09_05.txt", 5)
    _with_activity(folder / SMALL_FILE, folder / "HuGaDB_v1_sitting_in_car_09_06.txt", 12)
    ds = load_hugadb(folder, cache=False)
    kinds = {
        r.recording: (r.info["source_file_kind"], ACTIVITIES[r.activity[0]]) for r in ds.recordings
    }
    assert kinds == {
        "HuGaDB_v1_sitting_09_05": ("sitting", "sitting"),
        "HuGaDB_v1_sitting_in_car_09_06": ("sitting_in_car", "sitting_in_car"),
        "HuGaDB_v1_walking_09_04": ("walking", "walking"),
    }
    assert ds.subjects.set_index("subject").loc["9", ["age", "sex", "weight_kg"]].tolist() == [
        24,
        "F",
        65,
    ]
    X, meta = make_windows(ds, placement="left_shin", channels=("acc_x", "acc_y", "acc_z"))
    assert set(meta["recording"]) == {"HuGaDB_v1_walking_09_04"}  # walking by default
