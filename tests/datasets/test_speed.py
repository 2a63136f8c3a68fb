"""Speed augmentation: replay_at_speed."""

import numpy as np
import pandas as pd
import pytest
from _synthetic import make_recording

from skgait.datasets import CHANNELS, GaitDataset, make_windows, replay_at_speed

RATE = 50.0


def _recording(n=1000, frequency=1.0, channels=CHANNELS, activity=None, **kwargs):
    """Gravity on acc_z plus a sinusoid of ``frequency`` Hz on every channel."""
    t = np.arange(n) / RATE
    wave = np.sin(2 * np.pi * frequency * t)
    signal = np.column_stack(
        [(9.81 if c == "acc_z" else 0.0) + (0.3 + i / 10) * wave for i, c in enumerate(channels)]
    )
    return make_recording(
        signal=signal.astype(np.float32),
        channels=channels,
        rate=RATE,
        subject="7",
        activity=activity,
        **kwargs,
    )


def _dominant_frequency(x):
    spectrum = np.abs(np.fft.rfft(x - x.mean()))
    return np.fft.rfftfreq(len(x), 1 / RATE)[spectrum.argmax()]


def test_factor_one_returns_the_same_signal():
    rec = _recording()
    same = replay_at_speed(rec, 1.0)
    np.testing.assert_array_equal(same.signal, rec.signal)
    assert same.signal.dtype == rec.signal.dtype
    np.testing.assert_array_equal(same.activity, rec.activity)


@pytest.mark.parametrize("a", [0.8, 0.85, 1.15, 1.25, 2.0])
def test_duration_shrinks_by_the_factor(a):
    rec = _recording(n=1001)
    out = replay_at_speed(rec, a)
    assert out.n_samples == int(np.floor(1000 / a)) + 1
    assert out.rate == rec.rate
    assert out.duration == pytest.approx(rec.duration / a, abs=1 / RATE)


@pytest.mark.parametrize("a", [0.8, 1.25])
def test_a_sinusoid_of_frequency_f_becomes_frequency_a_f(a):
    rec = _recording(n=2000, frequency=1.0)
    out = replay_at_speed(rec, a)
    for c in range(out.signal.shape[1]):
        assert _dominant_frequency(out.signal[:, c]) == pytest.approx(a, abs=0.03)


@pytest.mark.parametrize("a", [0.85, 1.15])
def test_gravity_kept_deviation_scaled_by_a_squared_rotation_rate_by_a(a):
    rec = _recording(n=2000, frequency=0.5)
    out = replay_at_speed(rec, a)
    x = rec.signal.astype(np.float64)
    y = out.signal.astype(np.float64)
    # mean acceleration (gravity) kept
    np.testing.assert_allclose(y[:, :3].mean(0), x[:, :3].mean(0), atol=0.02)
    # acceleration deviation scaled by a**2, rotation rate by a
    np.testing.assert_allclose(y[:, :3].std(0) / x[:, :3].std(0), a**2, rtol=0.01)
    np.testing.assert_allclose(y[:, 3:].std(0) / x[:, 3:].std(0), a, rtol=0.01)
    np.testing.assert_allclose(np.abs(y[:, 3:]).max(0), a * np.abs(x[:, 3:]).max(0), rtol=0.01)


def test_channels_found_by_name_not_position():
    channels = ("gyr_x", "acc_z")
    rec = _recording(n=2000, frequency=0.5, channels=channels)
    out = replay_at_speed(rec, 1.2)
    x, y = rec.signal.astype(float), out.signal.astype(float)
    assert y[:, 0].std() / x[:, 0].std() == pytest.approx(1.2, rel=0.01)
    assert y[:, 1].std() / x[:, 1].std() == pytest.approx(1.44, rel=0.01)
    assert y[:, 1].mean() == pytest.approx(9.81, abs=0.02)


def test_gravity_kept_per_activity_run():
    # sitting (thigh horizontal: gravity on acc_x) then walking (gravity on acc_z)
    n = 1000
    activity = np.repeat(np.array([5, 1], dtype=np.int8), n // 2)
    rec = _recording(n=n, channels=("acc_x", "acc_y", "acc_z"), activity=activity)
    signal = rec.signal.copy()
    signal[: n // 2, 0] += 9.81
    signal[: n // 2, 2] -= 9.81
    rec.signal = signal
    out = replay_at_speed(rec, 1.15)
    sitting, walking = out.activity == 5, out.activity == 1
    assert sitting.any() and walking.any()
    assert out.signal[sitting, 0].mean() == pytest.approx(9.81, abs=0.1)
    assert out.signal[walking, 2].mean() == pytest.approx(9.81, abs=0.1)


def test_missing_samples_stay_missing_and_do_not_spread():
    rec = _recording(n=1000)
    signal = rec.signal.copy()
    signal[400:420, 1] = np.nan
    rec.signal = signal
    out = replay_at_speed(rec, 1.25)
    missing = np.flatnonzero(np.isnan(out.signal).any(axis=1))
    assert 318 <= missing.min() and missing.max() <= 337
    assert np.isnan(out.signal[322:334, 1]).all()
    assert np.isfinite(out.signal[:, [0, 2, 3, 4, 5]]).all()
    assert np.nanmean(out.signal[:, 2]) == pytest.approx(9.81, abs=0.02)


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_one_sample_recordings(n):
    out = replay_at_speed(_recording(n=n), 0.5)
    assert out.n_samples == n


def test_metadata_kept_and_replay_marked():
    rec = _recording(
        n=1000,
        events={"right_foot_steps": np.array([[100, 150], [500, 600]])},
        segments={"trial": (50, 950)},
        info={"path": "x.csv"},
    )
    out = replay_at_speed(rec, 1.25)
    for name in ("dataset", "subject", "trial", "placement", "source_placement", "channels"):
        assert getattr(out, name) == getattr(rec, name)
    assert out.recording == "r1@speed1.25" != rec.recording
    assert out.info == {"path": "x.csv", "speed_factor": 1.25, "source_recording": "r1"}
    assert "speed_factor" not in rec.info  # the input is not touched
    assert out.events["right_foot_steps"].tolist() == [[80, 120], [400, 480]]
    assert out.segments["trial"] == (40, 760)
    twice = replay_at_speed(out, 0.8)
    assert twice.info["speed_factor"] == pytest.approx(1.0)
    assert twice.info["source_recording"] == "r1"
    assert twice.recording == "r1@speed1.25@speed0.8"


def test_dataset_and_list_keep_their_type_and_windows_follow():
    recs = [_recording(n=2000), _recording(n=1500)]
    recs[1].recording = "r2"
    subjects = pd.DataFrame(
        {"subject": ["7"], "age": [30], "sex": ["F"], "height_cm": [170], "weight_kg": [60]}
    )
    ds = GaitDataset("demo", recs, subjects)
    out = replay_at_speed(ds, 1.25)
    assert isinstance(out, GaitDataset) and out.subjects.equals(ds.subjects)
    assert [r.recording for r in out.recordings] == ["r1@speed1.25", "r2@speed1.25"]
    assert [r.n_samples for r in replay_at_speed(recs, 0.5)] == [3999, 2999]
    _, meta = make_windows(out, placement="waist", overlap=0.0)
    assert set(meta["recording"]) == {"r1@speed1.25", "r2@speed1.25"}
    assert (meta["subject"] == "7").all()


@pytest.mark.parametrize("factor", [0, -1.0, float("nan"), float("inf"), True, "1.1", None])
def test_bad_factor_is_a_clear_error(factor):
    with pytest.raises(ValueError, match="factor must be a positive finite number"):
        replay_at_speed(_recording(), factor)


def test_unknown_channel_is_a_clear_error():
    rec = _recording(channels=("acc_x", "mag_x"))
    with pytest.raises(ValueError, match=r"channels \['mag_x'\].*not known"):
        replay_at_speed(rec, 1.1)


def test_bad_data_is_a_clear_error():
    with pytest.raises(TypeError, match="must be a Recording"):
        replay_at_speed(np.zeros((10, 6)), 1.1)
