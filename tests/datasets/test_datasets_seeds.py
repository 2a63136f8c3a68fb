"""Loaders of the seed papers' datasets with a published layout: OU-ISIR, whuGAIT.

Both are read from small fixtures written in their published layouts (GEDS
and EJUST-GINR-1 have none: converted, they are read by load_directory).
"""

import numpy as np
import pandas as pd
import pytest

from skgait.datasets import load_ou_isir, load_whu_gait
from skgait.datasets._base import STANDARD_GRAVITY, activity_code
from skgait.exceptions import DataFormatError, DatasetNotFoundError


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))


# --------------------------------------------------------------------------
# OU-ISIR
# --------------------------------------------------------------------------


def _ou_file(path, n=120, offset=0.0):
    """Two header lines, then Gx,Gy,Gz (rad/s), Ax,Ay,Az (g)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(n)
    gyro = np.column_stack([0.1 * np.sin(t / 7), 0.2 * np.cos(t / 7), np.full(n, 0.05)])
    acc = np.column_stack([np.full(n, 0.1 + offset), np.full(n, -1.0), 0.02 * t])
    lines = ["ID header line", "Gx,Gy,Gz,Ax,Ay,Az"]
    lines += [",".join(f"{v:.6f}" for v in row) for row in np.hstack([gyro, acc])]
    path.write_text("\n".join(lines) + "\n")
    return gyro, acc


@pytest.fixture
def ou_isir(tmp_path):
    root = tmp_path / "OU-InertialGaitData"
    auto = root / "AutomaticExtractionData_IMUZCenter"
    arrays = _ou_file(auto / "T0_ID000104_Center_seq0.csv")
    _ou_file(auto / "T0_ID000104_Center_seq1.csv", n=90)
    _ou_file(auto / "T0_ID004948_Center_seq0.csv", n=80)
    _ou_file(auto / "T0_ID009999_Center_seq0.csv", n=70)  # not in the label list
    manual = root / "ManualExtractionData"
    for i, sensor in enumerate(("IMUZCenter", "IMUZLeft", "IMUZRight")):
        for j, trial in enumerate(("Walk1", "Walk2", "SlopeUp", "SlopeDown")):
            # each file its own bytes: identical files are refused
            _ou_file(manual / sensor / f"T0_ID000104_{trial}.csv", n=60, offset=0.01 * (4 * i + j))
    pd.DataFrame({"ID": [104, 4948], "Gender(0:Female;1:Male)": [1, 0], "Age": [23, 8]}).to_csv(
        root / "IDGenderAgelist.csv", index=False
    )
    return root, arrays


def test_ou_isir_automatic_converts_units_and_reorders_columns(ou_isir):
    root, (gyro, acc) = ou_isir
    ds = load_ou_isir(root)
    assert ds.name == "ou_isir"
    assert len(ds) == 4
    rec = ds.select(recording="T0_ID000104_seq0")[0]
    assert (rec.subject, rec.trial, rec.rate) == ("104", "seq0", 100.0)
    assert (rec.placement, rec.source_placement) == ("waist", "IMUZCenter")
    assert rec.channels == ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
    np.testing.assert_allclose(rec.signal[:, :3], acc * STANDARD_GRAVITY, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(rec.signal[:, 3:], gyro, rtol=1e-5, atol=1e-6)
    assert (rec.activity == activity_code("walking")).all()
    assert rec.info["ground"] == "level"


def test_ou_isir_subject_table(ou_isir):
    root, _ = ou_isir
    subjects = load_ou_isir(root).subjects.set_index("subject")
    assert subjects.loc["104", "sex"] == "M" and subjects.loc["104", "age"] == 23
    assert subjects.loc["4948", "sex"] == "F"
    assert np.isnan(subjects.loc["9999", "age"])  # recordings without a label row


def test_ou_isir_manual_subset(ou_isir):
    root, _ = ou_isir
    ds = load_ou_isir(root, subset="manual")
    assert len(ds) == 12
    assert {r.source_placement for r in ds.recordings} == {"IMUZCenter", "IMUZLeft", "IMUZRight"}
    slope = [r for r in ds.recordings if r.trial == "SlopeUp"]
    assert len(slope) == 3 and {r.info["ground"] for r in slope} == {"up_slope"}
    # the three sensors of one walk share the recording id
    assert {r.recording for r in slope} == {"T0_ID000104_SlopeUp"}
    left = load_ou_isir(root, subset="manual", sensor="IMUZLeft")
    assert {r.source_placement for r in left.recordings} == {"IMUZLeft"}


def test_ou_isir_truncated_row_names_file_and_line(ou_isir):
    root, _ = ou_isir
    file = root / "AutomaticExtractionData_IMUZCenter" / "T0_ID004948_Center_seq0.csv"
    lines = file.read_text().splitlines()
    lines[9] = "0.1,0.2,0.3,0.4"
    file.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataFormatError, match=r"T0_ID004948_Center_seq0\.csv: line 10 has 4 columns, expected 6"
    ):
        load_ou_isir(root)


def test_ou_isir_rejects_bad_arguments(ou_isir):
    root, _ = ou_isir
    with pytest.raises(ValueError, match="subset"):
        load_ou_isir(root, subset="both")
    with pytest.raises(ValueError, match="sensor"):
        load_ou_isir(root, sensor="IMUZLeft")


def test_ou_isir_missing_folder_says_layout_and_source(tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        load_ou_isir(data_home=tmp_path)
    message = str(info.value)
    assert "OU-InertialGaitData does not exist" in message
    assert "AutomaticExtractionData_IMUZCenter" in message
    assert "sanken.osaka-u.ac.jp" in message and "release agreement" in message


# --------------------------------------------------------------------------
# whuGAIT (Zou et al., 2020)
# --------------------------------------------------------------------------


def _whu_split(root, split, labels, rng):
    record = root / split / "record"
    record.mkdir(parents=True)
    data = {}
    for channel in ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"):
        values = rng.normal(size=(len(labels), 128))
        data[channel] = values
        np.savetxt(record / f"{split}_{channel}.txt", values, fmt="%.6f", delimiter=" ")
    (root / split / "label.txt").write_text("".join(f"{v}\n" for v in labels))
    return data


@pytest.fixture
def whu(tmp_path):
    rng = np.random.default_rng(1)
    root = tmp_path / "whuGAIT" / "Dataset3"
    train = _whu_split(root, "train", [1, 1, 2, 3], rng)
    _whu_split(root, "test", [2, 3], rng)
    return tmp_path, train


def test_whu_gait_one_recording_per_sample(whu):
    home, train = whu
    ds = load_whu_gait(data_home=home)
    assert ds.name == "whu_gait" and len(ds) == 6
    rec = ds.select(recording="train_00002")[0]
    assert (rec.subject, rec.trial, rec.rate, rec.n_samples) == ("2", "train", 50.0, 128)
    expected = np.column_stack([train[c][2] for c in rec.channels])
    np.testing.assert_allclose(rec.signal, expected, atol=1e-6)
    assert rec.placement == "pocket" and not rec.info["time_normalised"]
    assert ds.subjects["subject"].tolist() == ["1", "2", "3"]
    assert ds.subjects["age"].isna().all()


def test_whu_gait_label_count_mismatch(whu):
    home, _ = whu
    label = home / "whuGAIT" / "Dataset3" / "test" / "label.txt"
    label.write_text("2\n3\n3\n")
    with pytest.raises(
        DataFormatError, match="test_acc_x.txt: 2 samples but label.txt has 3 labels"
    ):
        load_whu_gait(data_home=home)


def test_whu_gait_missing_folder(tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        load_whu_gait(subset=1, data_home=tmp_path)
    message = str(info.value)
    assert "whuGAIT/Dataset1 does not exist" in message
    assert "train_acc_x.txt" in message and "qinnzou" in message
