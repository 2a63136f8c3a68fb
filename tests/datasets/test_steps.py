"""Step detection from the acceleration, its scores, and step windows cut at detected steps."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _synthetic import make_dataset, make_recording

from skgait.datasets import (
    detect_steps,
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    load_umafall,
    make_step_windows,
    score_steps,
)
from skgait.datasets._base import activity_code
from skgait.datasets._resample import _runs
from skgait.datasets._steps import _footstep_ends

RATE = 100.0


def gait_signal(n_samples=1000, step_time=0.5, first=0.2, lag=0.03, rate=RATE):
    """Six channels of a synthetic walk and its heel strikes (sample indices).

    The vertical acceleration is a sinusoid peaking ``lag`` seconds after
    each heel strike; the forward acceleration is a sharp pulse at it.
    """
    t = np.arange(n_samples) / rate
    strikes_s = np.arange(first, t[-1], step_time)
    signal = np.zeros((n_samples, 6))
    signal[:, 2] = 9.81 + 2 * np.cos(2 * np.pi * (t - first - lag) / step_time)
    signal[:, 0] = 3 * np.exp(-(((t[:, None] - strikes_s) / 0.01) ** 2)).sum(axis=1)
    return signal.astype(np.float32), np.round(strikes_s * rate).astype(np.int64)


# --------------------------------------------------------------------------
# detect_steps on synthetic signals
# --------------------------------------------------------------------------


def test_strikes_are_the_forward_peaks_before_each_vertical_peak():
    signal, strikes = gait_signal()
    np.testing.assert_array_equal(detect_steps(signal, RATE), strikes)


def test_search_zero_returns_the_vertical_peaks():
    signal, strikes = gait_signal(lag=0.03)
    detected = detect_steps(signal, RATE, search=0)
    np.testing.assert_array_equal(detected[1:-1], strikes[1:-1] + 3)


def test_peaks_closer_than_the_step_time_are_one_step():
    # A second, sharp vertical peak half a step (0.25 s) after each heel strike:
    # closer than 0.6 step times to the main one, so it is not a step.
    signal, strikes = gait_signal(step_time=0.5)
    t = np.arange(len(signal)) / RATE
    signal[:, 2] += 3 * np.exp(-(((t[:, None] - strikes / RATE - 0.25) / 0.03) ** 2)).sum(axis=1)
    assert len(detect_steps(signal, RATE, cutoff=20.0)) == len(strikes)


def test_standing_still_gives_no_strikes():
    signal = np.zeros((1000, 3))
    signal[:, 2] = 9.81 + np.random.default_rng(0).normal(scale=0.05, size=1000)
    assert detect_steps(signal, RATE).size == 0


def test_a_recording_gives_the_strikes_of_its_array():
    signal, strikes = gait_signal()
    recording = make_recording(signal=signal, rate=RATE, info={"frame": "body"})
    np.testing.assert_array_equal(detect_steps(recording), strikes)


def test_a_recording_without_a_forward_axis_needs_search_zero():
    signal, _ = gait_signal()
    recording = make_recording(signal=signal, rate=RATE, info={"frame": "vertical"})
    with pytest.raises(ValueError, match="no known forward axis.*search=0"):
        detect_steps(recording)
    assert len(detect_steps(recording, search=0)) == len(detect_steps(signal, RATE))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: detect_steps(s[:150], RATE), r"150 samples \(1.50 s\) is too short.*200"),
        (lambda s: detect_steps(np.where(np.arange(1000)[:, None] == 500, np.nan, s), RATE), "NaN"),
        (lambda s: detect_steps(s[:, 2], RATE), r"shape \(1000,\)"),
        (lambda s: detect_steps(s[:, :2], RATE), r"shape \(1000, 2\)"),
        (lambda s: detect_steps(s), "rate .* is required"),
        (lambda s: detect_steps(s, RATE, cutoff=50.0), r"cutoff must be in \(0, 50\)"),
        (lambda s: detect_steps(s, RATE, step_time=(1.0, 0.3)), "step_time"),
        (lambda s: detect_steps(s, RATE, min_prominence=-1), "min_prominence"),
        (lambda s: detect_steps(s, RATE, search=-0.1), "search"),
    ],
    ids=[
        "too-short",
        "nan",
        "1-d",
        "two-columns",
        "no-rate",
        "cutoff",
        "step-time",
        "prominence",
        "search",
    ],
)
def test_bad_input_is_named(call, message):
    signal, _ = gait_signal()
    with pytest.raises(ValueError, match=message):
        call(signal)


def test_a_recording_in_the_sensor_frame_is_refused():
    signal, _ = gait_signal()
    recording = make_recording(signal=signal, rate=RATE, info={"frame": "sensor"})
    with pytest.raises(ValueError, match="sensor's own axes"):
        detect_steps(recording)
    with pytest.raises(ValueError, match="rate is taken from the Recording"):
        detect_steps(make_recording(signal=signal, rate=RATE), RATE)


# --------------------------------------------------------------------------
# score_steps
# --------------------------------------------------------------------------


def test_each_event_matches_at_most_one_nearest_first():
    # 103 is within 50 ms of both 100 and 108; it takes 100 (the nearer), 108 stays unmatched.
    scores = score_steps([103], [100, 108], RATE)
    assert (scores["n_matched"], scores["median_error_s"]) == (1, pytest.approx(0.03))
    assert scores["precision"] == 1.0 and scores["recall"] == 0.5


def test_tolerance_is_inclusive():
    assert score_steps([105], [100], RATE)["n_matched"] == 1
    assert score_steps([106], [100], RATE)["n_matched"] == 0


def test_recordings_are_pooled_not_averaged():
    scores = score_steps([[100, 200, 300], [100]], [[100, 200, 300], [500]], RATE)
    assert scores["precision"] == 0.75 and scores["f1"] == 0.75


def test_score_steps_needs_as_many_recordings():
    with pytest.raises(ValueError, match="detected has 2 recordings and reference 1"):
        score_steps([[1], [2]], [[1]], RATE)


# --------------------------------------------------------------------------
# make_step_windows with detected steps and hop
# --------------------------------------------------------------------------


def detected_windows(placement, **kwargs):
    signal, strikes = gait_signal(n_samples=2000)
    recording = make_recording(signal=signal, rate=RATE, placement=placement)
    return strikes, make_step_windows(make_dataset(recording), events="detected", **kwargs)


def test_a_trunk_cycle_spans_two_detected_strikes():
    strikes, (X, meta) = detected_windows("waist", n_steps=2)
    np.testing.assert_array_equal(meta["start_sample"], strikes[:-4:2])
    np.testing.assert_array_equal(meta["end_sample"], strikes[4::2])
    assert (meta["step_events"] == "detected").all()


def test_a_leg_cycle_spans_one_detected_strike():
    strikes, (X, meta) = detected_windows("right_shin", n_steps=2)
    np.testing.assert_array_equal(meta["start_sample"], strikes[:-2])


def test_annotated_windows_say_so():
    recording = make_recording(
        300, RATE, events={"right_foot_steps": [[0, 9], [100, 109], [200, 209]]}
    )
    _, meta = make_step_windows(make_dataset(recording), n_steps=1)
    assert (meta["step_events"] == "annotated").all()


def test_hop_n_steps_gives_windows_that_share_no_sample():
    strikes, (X, meta) = detected_windows("waist", n_steps=2, hop=2)
    np.testing.assert_array_equal(meta["start_sample"], strikes[:-4:4])
    assert (meta["end_sample"].to_numpy()[:-1] <= meta["start_sample"].to_numpy()[1:]).all()


def test_hop_counts_cycles_of_annotated_events():
    steps = np.column_stack([np.arange(0, 900, 100), np.arange(0, 900, 100) + 40])
    recording = make_recording(1000, RATE, events={"right_foot_steps": steps})
    _, meta = make_step_windows(make_dataset(recording), n_steps=2, hop=3)
    np.testing.assert_array_equal(meta["start_sample"], [0, 300, 600])


def test_detected_windows_stay_inside_the_activity():
    signal, strikes = gait_signal(n_samples=2000)
    activity = np.full(2000, activity_code("walking"), np.int8)
    activity[1000:] = activity_code("standing")
    recording = make_recording(signal=signal, rate=RATE, activity=activity)
    _, meta = make_step_windows(
        make_dataset(recording), events="detected", n_steps=1, activity="walking"
    )
    cycle_starts = strikes[::2]  # a waist sensor: two strikes per cycle
    assert meta["end_sample"].max() == cycle_starts[cycle_starts <= 1000][-1]


def test_detected_steps_skip_nan_stretches():
    signal, strikes = gait_signal(n_samples=2000)
    signal[1000] = np.nan
    recording = make_recording(signal=signal, rate=RATE)
    with pytest.warns(UserWarning, match="overlap NaN"):
        _, meta = make_step_windows(make_dataset(recording), events="detected", n_steps=1)
    assert not ((meta["start_sample"] <= 1000) & (meta["end_sample"] >= 1000)).any()
    assert len(meta) > 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"events": "auto"}, "events must be 'annotated' or 'detected'"),
        ({"hop": 0}, "hop must be an integer >= 1"),
    ],
)
def test_step_window_options_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_step_windows(make_dataset(make_recording()), **kwargs)


# --------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------


@pytest.mark.realdata
def test_detected_heel_strikes_match_ipol_annotations(data_home):
    """Measured (docs/datasets.md): F1 0.887 on all 38 lower-back trials, 0.864 on the
    even-numbered subjects, which took no part in choosing the parameters; median
    |error| 10 ms (one sample). The thresholds are those numbers rounded down."""
    recordings = load_ipol_healthy_gait(data_home / "IPOL_HealthyGait").select(placement="waist")
    assert len(recordings) == 38
    detected = [detect_steps(r) for r in recordings]
    reference = [_footstep_ends(r) for r in recordings]
    scores = score_steps(detected, reference, 100.0, tolerance=0.05)
    assert scores["f1"] >= 0.88
    assert scores["median_abs_error_s"] <= 0.01
    held_out = [i for i, r in enumerate(recordings) if int(r.subject) % 2 == 0]
    scores = score_steps([detected[i] for i in held_out], [reference[i] for i in held_out], 100.0)
    assert scores["f1"] >= 0.86


@pytest.mark.realdata
def test_ipol_step_windows_from_detected_steps_share_no_sample(data_home):
    dataset = load_ipol_healthy_gait(data_home / "IPOL_HealthyGait")
    X, meta = make_step_windows(dataset, placement="waist", events="detected", hop=2)
    for _, windows in meta.groupby("recording"):
        assert (
            windows["end_sample"].to_numpy()[:-1] <= windows["start_sample"].to_numpy()[1:]
        ).all()
    assert np.isfinite(X).all() and len(meta) > 38 * 5


def _walking_cadences(recordings):
    """Detected strikes per second in every walking run of at least 10 s."""
    walking = activity_code("walking")
    cadences = []
    for recording in recordings:
        strikes = detect_steps(recording)
        for start, end in _runs(recording.activity == walking):
            if end - start >= 10 * recording.rate:
                inside = ((strikes >= start) & (strikes < end)).sum()
                cadences.append(inside * recording.rate / (end - start))
    return np.array(cadences)


@pytest.mark.realdata
def test_sisfall_waist_walks_have_a_plausible_cadence(data_home):
    """Measured: 1.12-2.27 steps/s over the 76 D01 (slow) and D02 (fast) walks, median 1.77."""
    cadences = _walking_cadences(load_sisfall(data_home / "SisFall").recordings)
    assert len(cadences) == 76
    assert 1.4 <= np.median(cadences) <= 2.5
    assert ((cadences >= 1.0) & (cadences <= 2.5)).all()


@pytest.mark.realdata
@pytest.mark.parametrize("placement", ["right_foot", "right_shin", "right_thigh"])
def test_hugadb_leg_sensors_find_one_event_per_gait_cycle(data_home, placement):
    """A leg sensor gives about one event per gait cycle: twice their rate is the cadence.

    Measured: a median of 1.06-1.08 strikes/s (2.1 steps/s) over the walking runs of
    at least 10 s."""
    recordings = load_hugadb(data_home / "HuGaDB").select(placement=placement)
    cadences = 2 * _walking_cadences(recordings)
    assert 1.4 <= np.median(cadences) <= 2.5
    assert np.mean((cadences >= 1.4) & (cadences <= 2.5)) >= 0.9


@pytest.mark.realdata
def test_the_benchmark_scores_skgait_and_says_when_skdh_is_absent(data_home):
    bench = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_steps.py"
    run = subprocess.run(
        [sys.executable, str(bench), "--skdh-python", "/nonexistent/python"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "skdh: skipped (/nonexistent/python does not exist)" in run.stdout
    assert re.search(r"^skgait +0\.915 +0\.860 +0\.887 +10 ", run.stdout, flags=re.M)


@pytest.mark.realdata
@pytest.mark.parametrize(
    "loader", [load_hugadb, load_sisfall, load_ipol_healthy_gait, load_umafall]
)
def test_detected_cycles_last_as_long_as_strides_on_every_placement(data_home, loader):
    """Two cycles of walking last 1.6-2.9 s (1.4-2.5 steps/s), whatever the sensor.

    Measured medians: HuGaDB 1.82-1.84 s (feet, shins, thighs), SisFall 2.18 s, IPOL
    2.03-2.20 s, UMAFall 2.30-2.35 s (waist, chest, ankle). Sensors in their own frame
    (UMAFall's wrist and pocket) cannot be used."""
    dataset = loader()
    usable = [p for p in dataset.placements if p not in ("wrist", "pocket")]
    for placement in usable:
        _, meta = make_step_windows(
            dataset,
            placement=placement,
            events="detected",
            channels=("acc_x", "acc_y", "acc_z"),
            activity="walking",
        )
        assert 1.6 <= meta["duration_s"].median() <= 2.9, (dataset.name, placement)
    assert len(usable) == {"umafall": 3}.get(dataset.name, len(dataset.placements))
