"""Implausible values warn per recording, naming the file; the shared files are plausible."""

import warnings

import numpy as np
import pytest
from _data import copy_dataset

from skgait.datasets import (
    CHANNELS,
    Recording,
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    load_umafall,
)
from skgait.datasets._plausibility import signal_problems
from skgait.exceptions import ImplausibleSignalWarning

G = 9.80665


def _recording(acc=(0.0, 0.0, G), gyr=(0.1, -0.2, 0.3), n=200, channels=CHANNELS):
    rng = np.random.default_rng(0)
    signal = np.tile(np.r_[acc, gyr][: len(channels)], (n, 1)) + rng.normal(
        0, 0.5, (n, len(channels))
    )
    return Recording(
        signal=signal.astype(np.float32),
        channels=channels,
        rate=100.0,
        dataset="demo",
        subject="1",
        recording="r1",
        trial="1",
        placement="waist",
        source_placement="L5",
        activity=np.ones(n, dtype=np.int8),
    )


def test_a_plausible_recording_has_no_problem():
    assert signal_problems(_recording()) == []
    assert signal_problems(_recording(channels=CHANNELS[:3])) == []


@pytest.mark.parametrize(
    "acc, hint",
    [
        ((0.0, 0.0, 1.0), "in g, not m/s²"),
        ((0.0, 0.0, 1000.0), "in mg"),
        ((0.0, 0.0, G * G), "multiplied by g once more"),
        ((0.0, 0.0, 0.0), "not gravity"),
    ],
)
def test_mean_acceleration_that_is_not_gravity(acc, hint):
    (problem,) = [p for p in signal_problems(_recording(acc=acc)) if "mean acceleration" in p]
    assert hint in problem


def test_gyroscope_in_degrees_per_second():
    problems = signal_problems(_recording(gyr=(0.0, 300.0, 0.0)))
    assert any("angular rate| reaches" in p and "°/s instead of rad/s?" in p for p in problems)


def test_non_finite_and_huge_values():
    rec = _recording()
    rec.signal[10, 0] = np.nan
    rec.signal[20, 4] = np.inf
    rec.signal[30, 1] = 1e27
    problems = signal_problems(rec)
    assert any(
        "2 of 200 samples hold NaN or infinite values (first at sample 10)" in p for p in problems
    )
    assert any("|acceleration| reaches 1e+27 m/s²" in p for p in problems)


def _implausible(load):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = load()
    return dataset, [
        str(w.message) for w in caught if issubclass(w.category, ImplausibleSignalWarning)
    ]


@pytest.mark.parametrize(
    "load",
    [
        load_sisfall,
        lambda: load_sisfall(accelerometer="MMA8451Q"),
        load_ipol_healthy_gait,
        load_hugadb,
        load_umafall,
    ],
    ids=["sisfall", "sisfall-MMA8451Q", "ipol", "hugadb", "umafall"],
)
def test_the_shared_files_are_plausible(data_home, load):
    dataset, messages = _implausible(load)
    assert len(dataset.recordings) > 0 and messages == []


def _ipol_copy(data_home, tmp_path):
    trial = [f"GaitData/1-1{suffix}" for suffix in (".json", "_lb.txt", "_lf.txt", "_rf.txt")]
    return copy_dataset(data_home / "IPOL_HealthyGait", tmp_path, ["subjects.csv", *trial])


def _rewrite(file, edit):
    lines = file.read_text().splitlines()
    rows = [line.split("\t") for line in lines[2:]]
    edit(rows)
    file.write_text("\n".join(lines[:2] + ["\t".join(r) for r in rows]) + "\n")


def test_loader_warns_with_the_file_name_on_a_value_of_1e27(data_home, tmp_path):
    folder = _ipol_copy(data_home, tmp_path)

    def garbage(rows):
        rows[500][2] = "1e27"

    _rewrite(folder / "GaitData" / "1-1_lf.txt", garbage)
    _, messages = _implausible(lambda: load_ipol_healthy_gait(folder, cache=False))
    assert len(messages) == 1
    assert "1-1_lf.txt: ipol recording '1-1' (left_foot)" in messages[0]
    assert "reaches 1e+27 m/s²" in messages[0]


def test_loader_warns_on_accelerations_in_g(data_home, tmp_path):
    folder = _ipol_copy(data_home, tmp_path)

    def to_g(rows):
        for row in rows:
            row[1:4] = [f"{float(v) / G:.6f}" for v in row[1:4]]

    _rewrite(folder / "GaitData" / "1-1_lb.txt", to_g)
    _, messages = _implausible(lambda: load_ipol_healthy_gait(folder, cache=False))
    assert len(messages) == 1
    assert "1-1_lb.txt" in messages[0] and "(waist)" in messages[0]
    assert "the values look in g, not m/s²" in messages[0]
