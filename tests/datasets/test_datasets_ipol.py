"""IPOL healthy-gait loader: real files, and malformed copies of them."""

import json

import numpy as np
import pandas as pd
import pytest
from _data import DATA_HOME, copy_dataset

from skgait.datasets import ACTIVITIES, load_ipol_healthy_gait
from skgait.exceptions import DataFormatError

FOLDER = DATA_HOME / "IPOL_HealthyGait"
needs_data = pytest.mark.skipif(
    not (FOLDER / "GaitData").is_dir(), reason=f"IPOL data not found under {FOLDER}"
)
STANDING = ACTIVITIES.index("standing")
WALKING = ACTIVITIES.index("walking")
TURNING = ACTIVITIES.index("turning")
#: The files of trial 1-1: its metadata and its three sensors.
TRIAL_FILES = [f"GaitData/1-1{suffix}" for suffix in (".json", "_lb.txt", "_lf.txt", "_rf.txt")]


@pytest.fixture(scope="module")
def dataset():
    if not (FOLDER / "GaitData").is_dir():
        pytest.skip(f"IPOL data not found under {FOLDER}")
    return load_ipol_healthy_gait(FOLDER, cache=False)


@pytest.fixture
def trial_copy(tmp_path, monkeypatch):
    """A dataset folder holding one real trial (with its own cache), to be edited by a test."""
    if not (FOLDER / "GaitData").is_dir():
        pytest.skip(f"IPOL data not found under {FOLDER}")
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    return copy_dataset(FOLDER, tmp_path, ["subjects.csv", *TRIAL_FILES])


@needs_data
def test_subjects_match_subject_table(dataset):
    table = pd.read_csv(FOLDER / "subjects.csv")
    assert len(dataset.subjects) == len(table) == 19
    assert {r.subject for r in dataset.recordings} == set(table["subject_id"].astype(str))
    merged = dataset.subjects.set_index("subject").loc[table["subject_id"].astype(str)]
    np.testing.assert_array_equal(merged["age"], table["age"])
    assert list(merged["sex"]) == list(table["gender"])


@needs_data
def test_missing_height_and_weight_are_nan(dataset):
    subjects = dataset.subjects.set_index("subject")
    assert subjects.loc[["10", "14"], "height_cm"].isna().all()
    assert subjects.loc[["2", "10", "14"], "weight_kg"].isna().all()
    assert subjects.loc["1", "height_cm"] == 175.0


@needs_data
def test_three_placements_per_trial_at_100_hz(dataset):
    assert len(dataset.recordings) == 38 * 3
    assert dataset.placements == ["waist", "left_foot", "right_foot"]
    for rec in dataset.recordings:
        assert rec.rate == 100.0
        assert rec.signal.dtype == np.float32 and np.isfinite(rec.signal).all()
        assert rec.recording == f"{rec.subject}-{rec.trial}"
    lb = dataset.select(placement="waist", recording="1-1")[0]
    assert lb.source_placement == "lower_back"
    # the three sensors of a trial share one sample grid
    lengths = {r.n_samples for r in dataset.select(recording="1-1")}
    assert len(lengths) == 1


@needs_data
@pytest.mark.parametrize("placement", ["waist", "left_foot", "right_foot"])
def test_gravity_while_standing_is_9_81(dataset, placement):
    norms = [
        np.linalg.norm(r.signal[r.activity == STANDING, :3].mean(axis=0))
        for r in dataset.select(placement=placement)
    ]
    assert np.median(norms) == pytest.approx(9.81, abs=0.4)


@needs_data
@pytest.mark.parametrize("placement", ["waist", "left_foot", "right_foot"])
def test_gyroscope_in_rad_per_s(dataset, placement):
    walking = np.concatenate(
        [r.signal[r.activity == WALKING, 3:] for r in dataset.select(placement=placement)]
    )
    assert 0.3 < np.percentile(np.abs(walking), 99) < 20


@needs_data
def test_segments_events_and_activity(dataset):
    for rec in dataset.recordings:
        start, end = rec.segments["trial"]
        u_start, u_end = rec.segments["u_turn"]
        assert 0 <= start < u_start < u_end <= end <= rec.n_samples
        for name in ("left_foot_steps", "right_foot_steps"):
            steps = rec.events[name]
            assert steps.ndim == 2 and steps.shape[1] == 2 and len(steps) > 5
            assert (steps[:, 0] < steps[:, 1]).all() and steps.max() <= rec.n_samples
        assert (rec.activity[u_start:u_end] == TURNING).all()
        assert (rec.activity[start:u_start] == WALKING).all()
        assert (rec.activity[:start] == STANDING).all()
    meta = json.loads((FOLDER / "GaitData" / "1-1.json").read_text())
    rec = dataset.select(placement="right_foot", recording="1-1")[0]
    np.testing.assert_array_equal(rec.events["right_foot_steps"], meta["RightFootEvents"])
    assert rec.segments["trial"] == tuple(meta["TrialBoundaries"])


@needs_data
def test_step_events_follow_packet_counter(dataset):
    # 16-1 dropped hundreds of packets: on the packet grid the left foot's
    # swing phases (events) carry far more rotation than the rest.
    rec = dataset.select(placement="left_foot", recording="16-1")[0]
    assert rec.info["dropped_packets"] > 100
    gyr = np.linalg.norm(rec.signal[:, 3:], axis=1)
    swing = np.zeros(rec.n_samples, bool)
    for s, e in rec.events["left_foot_steps"]:
        swing[s:e] = True
    assert gyr[swing].mean() > 3 * gyr[~swing].mean()


@needs_data
def test_repeated_packet_is_merged(dataset):
    rec = dataset.select(placement="waist", recording="11-1")[0]
    assert rec.info["repeated_packets"] == 1


def test_cache_sees_a_changed_sensor_file(trial_copy):
    first = load_ipol_healthy_gait(trial_copy)
    assert (
        load_ipol_healthy_gait(trial_copy).recordings[0].n_samples == first.recordings[0].n_samples
    )
    lines = (trial_copy / "GaitData" / "1-1_lb.txt").read_text().splitlines(keepends=True)
    (trial_copy / "GaitData" / "1-1_lb.txt").write_text("".join(lines[:-100]))
    again = load_ipol_healthy_gait(trial_copy)
    assert again.recordings[0].n_samples < first.recordings[0].n_samples


def _replace_line(index, text):
    def edit(path):
        lines = path.read_text().splitlines(keepends=True)
        lines[index] = text + "\n"
        path.write_text("".join(lines))

    return edit


@pytest.mark.parametrize(
    "name, edit, message",
    [
        pytest.param(
            "1-1.json",
            lambda path: path.write_text('{"Subject": 1, "Trial": '),
            r"1-1\.json.*not valid JSON",
            id="malformed-json",
        ),
        pytest.param(
            "1-1_rf.txt",
            lambda path: path.write_bytes(path.read_bytes()[:-30]),
            r"1-1_rf\.txt: line \d+ has \d+ columns",
            id="truncated-sensor-file",
        ),
        pytest.param(
            "1-1_lf.txt",
            _replace_line(0, "Acquisition frequency: fast"),
            r"1-1_lf\.txt: line 1 should be",
            id="wrong-first-line",
        ),
        pytest.param(
            "1-1_lf.txt",
            _replace_line(1, "PacketCounter\tAcc_X\tAcc_Y"),
            r"1-1_lf\.txt: line 2 should be the header",
            id="wrong-header",
        ),
        pytest.param(
            "1-1_lb.txt",
            lambda path: path.unlink(),
            r"1-1_lb\.txt: sensor file .* missing",
            id="missing-sensor-file",
        ),
    ],
)
def test_broken_trial_names_the_file(trial_copy, name, edit, message):
    edit(trial_copy / "GaitData" / name)
    with pytest.raises(DataFormatError, match=message):
        load_ipol_healthy_gait(trial_copy)


def test_subject_table_from_the_trials_json_without_subjects_csv(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    names = [f"GaitData/{f.name}" for f in (FOLDER / "GaitData").iterdir()]
    folder = copy_dataset(FOLDER, tmp_path, names)  # the release: no subjects.csv
    subjects = load_ipol_healthy_gait(folder).subjects.set_index("subject")
    expected = dataset.subjects.set_index("subject")  # subjects.csv's copy
    columns = ["age", "sex", "height_cm", "weight_kg"]
    pd.testing.assert_frame_equal(subjects.loc[expected.index, columns], expected[columns])


def test_trials_disagreeing_on_the_subject_are_warned_about(tmp_path, monkeypatch):
    if not (FOLDER / "GaitData").is_dir():
        pytest.skip(f"IPOL data not found under {FOLDER}")
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    second = [name.replace("1-1", "1-2") for name in TRIAL_FILES]
    folder = copy_dataset(FOLDER, tmp_path, [*TRIAL_FILES, *second])
    # trial 2 as a trial 7 (a name the download registry does not list, so it may be edited)
    for name in second:
        path = folder / name
        path.rename(path.with_name(path.name.replace("1-2", "1-7")))
    meta = folder / "GaitData" / "1-7.json"
    text = (
        meta.read_text().replace('"Age": 49,', '"Age": 50,').replace('"Trial": 2,', '"Trial": 7,')
    )
    meta.write_text(text.replace('"1-2"', '"1-7"'))
    with pytest.warns(
        UserWarning, match=r"subject 1: age=49 .* in 1 file\(s\), taken; age=50 .* e\.g\. 1-7"
    ):
        subjects = load_ipol_healthy_gait(folder).subjects
    assert subjects["age"].tolist() == [49]  # a tie: the first trial's
