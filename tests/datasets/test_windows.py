"""Behaviour of resampling and windowing, on small synthetic recordings."""

import math
import re
import tracemalloc
import warnings

import numpy as np
import pytest
from _synthetic import make_dataset, make_recording

import skgait.datasets
from skgait.datasets import (
    CHANNELS,
    make_step_windows,
    make_windows,
    resample_recording,
)
from skgait.exceptions import DatasetNotFoundError

WALKING, STANDING = 1, 8


def ramp(n_samples, rate, n_channels=6):
    """Signal whose every channel is the time in seconds."""
    t = (np.arange(n_samples) / rate).astype(np.float64)
    return np.tile(t[:, None], (1, n_channels)).astype(np.float32)


# --------------------------------------------------------------------------
# resample_recording
# --------------------------------------------------------------------------


def test_same_rate_returns_the_recording_itself():
    rec = make_recording(rate=50.0)
    assert resample_recording(rec, 50) is rec


def test_resampling_keeps_a_sinusoids_frequency_and_amplitude():
    rate_in, rate_out, freq, amp = 200.0, 50.0, 2.0, 3.0
    t = np.arange(4000) / rate_in
    signal = (amp * np.sin(2 * np.pi * freq * t) + 9.81)[:, None].astype(np.float32)
    rec = make_recording(rate=rate_in, signal=signal, channels=("acc_z",))
    low = resample_recording(rec, rate_out)

    assert low.rate == rate_out
    assert low.n_samples == 1000
    y = low.signal[:, 0].astype(np.float64)
    t_out = np.arange(low.n_samples) / rate_out
    expected = amp * np.sin(2 * np.pi * freq * t_out) + 9.81
    # Away from the edges the resampled signal is the sinusoid sampled at
    # 50 Hz, up to the anti-aliasing filter's pass-band ripple (~0.1 %).
    np.testing.assert_allclose(y[50:-50], expected[50:-50], atol=5e-3 * amp)
    assert (y[50:-50].max() - y[50:-50].min()) / 2 == pytest.approx(amp, rel=5e-3)
    spectrum = np.abs(np.fft.rfft(y - y.mean()))
    assert np.fft.rfftfreq(y.size, 1 / rate_out)[spectrum.argmax()] == pytest.approx(freq)


def test_line_padding_limits_edge_effects_of_a_gravity_offset():
    signal = np.full((2000, 1), 9.81, dtype=np.float32)
    low = resample_recording(make_recording(rate=200.0, signal=signal, channels=("acc_z",)), 50)
    np.testing.assert_allclose(low.signal[:, 0], 9.81, rtol=1e-5)


def test_resampling_removes_frequencies_above_the_new_nyquist():
    t = np.arange(4000) / 200.0
    signal = np.sin(2 * np.pi * 40.0 * t)[:, None].astype(np.float32)  # aliases to 10 Hz at 50 Hz
    low = resample_recording(make_recording(rate=200.0, signal=signal, channels=("acc_x",)), 50)
    assert np.abs(low.signal[50:-50]).max() < 0.01


def test_resampling_58_8_to_50_hz_is_exact_and_maps_events_and_segments():
    rec = make_recording(
        n_samples=1470,
        rate=58.8,
        events={"right_foot_steps": np.array([[0, 147], [294, 441]])},
        segments={"trial": (147, 1470)},
        info={"corrupted_gyroscope": True},
    )
    low = resample_recording(rec, 50.0)
    assert low.n_samples == 1250
    assert low.info["effective_rate"] == pytest.approx(50.0, rel=1e-12)
    assert low.info["source_rate"] == 58.8
    assert low.info["corrupted_gyroscope"] is True
    np.testing.assert_array_equal(low.events["right_foot_steps"], [[0, 125], [250, 375]])
    assert low.segments["trial"] == (125, 1250)
    assert rec.segments["trial"] == (147, 1470)  # the input is unchanged


def test_inexact_rate_ratio_stays_within_a_tenth_of_a_percent():
    rec = make_recording(n_samples=400, rate=19.87)
    high = resample_recording(rec, 50.0)
    assert high.rate == 50.0
    assert high.info["effective_rate"] == pytest.approx(50.0, rel=1e-3)
    assert high.n_samples == pytest.approx(400 * 50 / 19.87, abs=2)


def test_resampled_activity_takes_the_nearest_sample():
    activity = np.repeat(np.array([WALKING, STANDING, WALKING], dtype=np.int8), [100, 60, 40])
    low = resample_recording(make_recording(rate=100.0, activity=activity), 50.0)
    expected = np.repeat(np.array([WALKING, STANDING, WALKING], dtype=np.int8), [50, 30, 20])
    np.testing.assert_array_equal(low.activity, expected)


def test_resampling_keeps_nan_where_it_was():
    signal = np.ones((1000, 1), dtype=np.float32)
    signal[400:420] = np.nan
    low = resample_recording(make_recording(rate=200.0, signal=signal, channels=("acc_x",)), 50)
    bad = np.flatnonzero(~np.isfinite(low.signal[:, 0]))
    np.testing.assert_array_equal(bad, np.arange(100, 105))
    np.testing.assert_allclose(low.signal[np.isfinite(low.signal[:, 0])], 1.0, rtol=1e-5)


def test_resampling_rejects_a_non_positive_rate():
    with pytest.raises(ValueError, match="rate must be a positive"):
        resample_recording(make_recording(), 0)


def test_an_absurd_rate_is_refused_before_allocating():
    # 500 samples at 50 Hz to 1e12 Hz: 1e13 samples (tens of TiB), refused
    # with a ValueError rather than a MemoryError from NumPy.
    message = r"to 2e\+10 times its rate would give 1e\+13 samples, more than 2147483647"
    with pytest.raises(ValueError, match=message):
        make_windows(make_dataset(make_recording(500, 50.0)), rate=1e12)
    with pytest.raises(ValueError, match=message):
        resample_recording(make_recording(500, 50.0), 1e12)


# --------------------------------------------------------------------------
# make_windows: counts and positions
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n_samples, rate_in, length, overlap, expected",
    [
        (500, 50.0, 2.56, 0.5, 6),  # n=128, step=64: (500-128)//64 + 1
        (500, 50.0, 2.56, 0.0, 3),  # step=128: 372//128 + 1
        (500, 50.0, 2.56, 0.75, 12),  # step=32: 372//32 + 1
        (128, 50.0, 2.56, 0.5, 1),  # exactly one window
        (2000, 200.0, 2.56, 0.5, 6),  # 500 samples after resampling to 50 Hz
        (300, 50.0, 1.0, 0.2, 7),  # n=50, step=40: 250//40 + 1
    ],
)
def test_window_count_follows_from_length_and_overlap(
    n_samples, rate_in, length, overlap, expected
):
    ds = make_dataset(make_recording(n_samples, rate_in))
    X, meta = make_windows(ds, length=length, overlap=overlap)
    assert X.shape == (expected, 6, round(length * 50))
    assert len(meta) == expected


def test_windows_stay_inside_activity_runs():
    # Walking runs of 300, 200 and 100 samples; windows of 128 every 64.
    activity = np.repeat(
        np.array([WALKING, STANDING, WALKING, 0, WALKING], dtype=np.int8), [300, 100, 200, 50, 100]
    )
    rec = make_recording(activity=activity)
    X, meta = make_windows(make_dataset(rec))
    np.testing.assert_array_equal(meta["start_sample"], [0, 64, 128, 400, 464])
    for start in meta["start_sample"]:
        assert (rec.activity[start : start + 128] == WALKING).all()


def test_activity_none_windows_the_whole_recording():
    activity = np.repeat(np.array([WALKING, STANDING], dtype=np.int8), [250, 250])
    ds = make_dataset(make_recording(activity=activity))
    assert len(make_windows(ds, activity=None)[1]) == 6
    assert len(make_windows(ds, activity="standing")[1]) == 2


def test_start_s_is_the_time_of_the_first_sample():
    rec = make_recording(signal=ramp(500, 50.0))
    X, meta = make_windows(make_dataset(rec), length=2.0, overlap=0.5)
    np.testing.assert_allclose(meta["start_s"], meta["start_sample"] / 50.0)
    np.testing.assert_allclose(X[:, 0, 0], meta["start_s"], atol=1e-6)
    times = meta["start_s"].to_numpy()[:, None] + np.arange(100) / 50
    np.testing.assert_allclose(X[:, 3, :], times, atol=1e-5)


def test_start_s_is_in_seconds_after_resampling():
    rec = make_recording(rate=200.0, signal=ramp(2000, 200.0))
    X, meta = make_windows(make_dataset(rec), rate=50.0, length=2.0, overlap=0.5)
    np.testing.assert_array_equal(meta["start_sample"], [0, 50, 100, 150, 200, 250, 300, 350, 400])
    np.testing.assert_allclose(meta["start_s"], np.arange(9))
    # Interior windows (away from the resampling edges) start at start_s.
    np.testing.assert_allclose(X[1:-1, 0, 0], meta["start_s"][1:-1], atol=1e-3)


def test_segment_restricts_windows():
    rec = make_recording(segments={"trial": (100, 400)})
    _, meta = make_windows(make_dataset(rec), segment="trial")
    np.testing.assert_array_equal(meta["start_sample"], [100, 164, 228])
    with pytest.raises(ValueError, match="no segment 'u_turn'.*'trial'"):
        make_windows(make_dataset(rec), segment="u_turn")


def test_channels_are_returned_in_the_requested_order():
    ds = make_dataset(make_recording())  # channel c holds c + 1
    X, _ = make_windows(ds, channels=("gyr_z", "acc_x", "gyr_x"))
    assert X.shape[1] == 3
    np.testing.assert_array_equal(X[:, :, 0], np.tile([6, 1, 4], (len(X), 1)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_output_dtype_and_layout(dtype):
    X, _ = make_windows(make_dataset(make_recording(2000, 200.0)), dtype=dtype)
    assert X.dtype == dtype
    assert X.flags.c_contiguous


def test_meta_columns_and_dtypes():
    ds = make_dataset(make_recording(subject="1"), make_recording(subject="2", recording="r2"))
    _, meta = make_windows(ds)
    assert list(meta.columns) == [
        "dataset", "subject", "recording", "trial", "placement", "source_placement",
        "age", "sex", "height_cm", "weight_kg", "native_rate", "start_s", "start_sample",
        "group",
    ]  # fmt: skip
    text = ["dataset", "subject", "recording", "trial", "placement", "source_placement"]
    for column in [*text, "sex", "group"]:
        assert meta[column].dtype == object, column
    for column in ("age", "height_cm", "weight_kg", "native_rate", "start_s"):
        assert meta[column].dtype == np.float64, column
    assert meta["start_sample"].dtype == np.int64
    assert set(meta["group"]) == {"synth:1", "synth:2"}
    assert meta.groupby("subject")["age"].first().to_dict() == {"1": 20.0, "2": 21.0}
    assert meta.groupby("subject")["sex"].first().to_dict() == {"1": "F", "2": "M"}
    assert meta["weight_kg"].isna().all()


def test_several_datasets_are_concatenated():
    a = make_dataset(make_recording(500, 50.0, dataset="a"), name="a")
    b = make_dataset(make_recording(2000, 200.0, dataset="b"), name="b")
    X, meta = make_windows([a, b])
    assert X.shape[0] == 12
    assert meta["dataset"].value_counts().to_dict() == {"a": 6, "b": 6}
    assert set(meta["group"]) == {"a:1", "b:1"}


def test_native_rate_is_the_recordings_own_rate_before_resampling():
    a = make_dataset(make_recording(500, 50.0, dataset="a"), name="a")
    b = make_dataset(make_recording(2000, 200.0, dataset="b"), name="b")
    _, meta = make_windows([a, b], rate=50.0)
    assert meta.groupby("dataset")["native_rate"].unique().map(list).to_dict() == {
        "a": [50.0],
        "b": [200.0],
    }


def test_placement_selects_recordings():
    ds = make_dataset(
        make_recording(placement="left_foot", recording="r1"),
        make_recording(200, placement="right_foot", recording="r1"),
    )
    _, meta = make_windows(ds, placement="right_foot")
    assert set(meta["placement"]) == {"right_foot"}
    assert len(meta) == 2
    _, meta = make_windows(ds, placement={"synth": "left_foot"})
    assert set(meta["placement"]) == {"left_foot"}


def test_exclude_drops_corrupted_gyroscopes():
    ds = make_dataset(
        make_recording(recording="ok"),
        make_recording(recording="bad", info={"corrupted_gyroscope": True}),
    )
    assert set(make_windows(ds, exclude="corrupted_gyroscope")[1]["recording"]) == {"ok"}
    kept = make_windows(ds, exclude=lambda r: r.recording == "ok", corrupted_gyroscope="keep")
    assert set(kept[1]["recording"]) == {"bad"}
    with pytest.raises(ValueError, match="exclude must be"):
        make_windows(ds, exclude="corrupted")


def _ok_and_corrupted():
    return make_dataset(
        make_recording(recording="ok"),
        make_recording(recording="bad", info={"corrupted_gyroscope": True}),
    )


@pytest.mark.parametrize("windows", [make_windows, make_step_windows])
def test_corrupted_gyroscopes_are_dropped_by_default_with_a_warning(windows):
    ds = _ok_and_corrupted()
    if windows is make_step_windows:
        steps = {"right_foot_steps": np.array([[0, 20], [100, 120], [200, 220], [300, 320]])}
        for rec in ds.recordings:
            rec.events.update(steps)
    with pytest.warns(
        UserWarning, match=r"Dropped 1 recordings .*'bad'.*corrupted_gyroscope='keep'"
    ):
        _, meta = windows(ds)
    assert set(meta["recording"]) == {"ok"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert set(windows(ds, corrupted_gyroscope="keep")[1]["recording"]) == {"ok", "bad"}
        # the accelerometer is not affected: accelerometer windows keep them
        _, meta = windows(ds, channels=CHANNELS[:3])
    assert set(meta["recording"]) == {"ok", "bad"}


def test_corrupted_gyroscope_option_is_checked():
    with pytest.raises(ValueError, match="corrupted_gyroscope must be 'drop' or 'keep', got True"):
        make_windows(_ok_and_corrupted(), corrupted_gyroscope=True)
    only_bad = make_dataset(make_recording(recording="bad", info={"corrupted_gyroscope": True}))
    with (
        pytest.warns(UserWarning, match="Dropped 1"),
        pytest.raises(ValueError, match="corrupted_gyroscope='keep' keeps them"),
    ):
        make_windows(only_bad)


def test_windows_overlapping_nan_are_dropped_with_a_warning():
    signal = np.ones((500, 6), dtype=np.float32)
    signal[200, 2] = np.nan  # inside windows starting at 128 and 192
    ds = make_dataset(make_recording(signal=signal))
    with pytest.warns(UserWarning, match="Dropped 2 of 6 windows"):
        X, meta = make_windows(ds)
    assert np.isfinite(X).all()
    np.testing.assert_array_equal(meta["start_sample"], [0, 64, 256, 320])


def test_peak_memory_stays_under_three_times_the_output():
    import tracemalloc

    recordings = [
        make_recording(4000, 200.0, subject=str(i % 4), recording=f"r{i}") for i in range(20)
    ]
    ds = make_dataset(*recordings)
    tracemalloc.start()
    try:
        X, _ = make_windows(ds, overlap=0.75)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * X.nbytes


def test_no_warning_without_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_windows(make_dataset(make_recording(2000, 200.0)))


# --------------------------------------------------------------------------
# make_windows: errors
# --------------------------------------------------------------------------


def test_unknown_placement_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown placement 'nose'.*left_foot"):
        make_windows(make_dataset(make_recording()), placement="nose")


def test_absent_placement_lists_what_the_dataset_has():
    message = r"'synth' has no recording at placement 'chest'; it has \['waist'\]"
    with pytest.raises(ValueError, match=message):
        make_windows(make_dataset(make_recording()), placement="chest")


def test_placement_is_required_when_a_dataset_has_several():
    ds = make_dataset(make_recording(placement="waist"), make_recording(placement="chest"))
    with pytest.raises(ValueError, match=r"placements \['waist', 'chest'\]; pass placement="):
        make_windows(ds)


def test_window_longer_than_every_run_names_the_lengths():
    ds = make_dataset(make_recording(100), make_recording(120, recording="r2"))
    message = (
        "No window of 3.0 s (150 samples at 50 Hz) fits: the longest run of "
        "activity='walking' is 2.40 s (120 samples) in recording 'r2'"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        make_windows(ds, length=3.0)


def test_activity_absent_everywhere():
    with pytest.raises(ValueError, match="no sample has activity='running'"):
        make_windows(make_dataset(make_recording()), activity="running")
    with pytest.raises(ValueError, match="Unknown activity 'skating'"):
        make_windows(make_dataset(make_recording()), activity="skating")


@pytest.mark.parametrize("overlap", [1.0, -0.1, 1.5])
def test_overlap_out_of_range(overlap):
    with pytest.raises(ValueError, match=r"overlap must be in \[0, 1\)"):
        make_windows(make_dataset(make_recording()), overlap=overlap)


def test_missing_gyroscope_names_the_recording_and_its_channels():
    rec = make_recording(channels=CHANNELS[:3], recording="phone", placement="pocket")
    ds = make_dataset(rec)
    message = r"'phone'.*\('acc_x', 'acc_y', 'acc_z'\).*gyr_x.*accelerometer only"
    with pytest.raises(ValueError, match=message):
        make_windows(ds)
    X, _ = make_windows(ds, channels=CHANNELS[:3])
    assert X.shape[1] == 3


@pytest.mark.parametrize("channels", [("acc_x", "mag_x"), ("acc_x", "acc_x"), ()])
def test_invalid_channels(channels):
    with pytest.raises(ValueError, match="channels must be distinct names"):
        make_windows(make_dataset(make_recording()), channels=channels)


def test_integer_dtype_is_rejected():
    with pytest.raises(ValueError, match="dtype must be a floating-point type"):
        make_windows(make_dataset(make_recording()), dtype=np.int16)


def test_everything_excluded():
    ds = make_dataset(make_recording())
    with pytest.raises(ValueError, match="No recording left"):
        make_windows(ds, exclude=lambda r: True)


# --------------------------------------------------------------------------
# make_step_windows
# --------------------------------------------------------------------------

STEPS = np.array([[10, 50], [110, 150], [220, 260], [320, 360], [430, 470]])


def step_recording(**kwargs):
    kwargs.setdefault("signal", np.arange(500, dtype=np.float32)[:, None] * np.ones(6, np.float32))
    events = {"right_foot_steps": STEPS, "left_foot_steps": STEPS[:-1] + 50}
    return make_recording(rate=100.0, placement="right_foot", events=events, **kwargs)


def test_step_windows_span_consecutive_cycles():
    X, meta = make_step_windows(make_dataset(step_recording()), n_steps=2, n_timepoints=64)
    assert X.shape == (3, 6, 64)
    np.testing.assert_array_equal(meta["start_sample"], [10, 110, 220])
    np.testing.assert_array_equal(meta["end_sample"], [220, 320, 430])
    np.testing.assert_allclose(meta["start_s"], [0.1, 1.1, 2.2])
    np.testing.assert_allclose(meta["end_s"], [2.2, 3.2, 4.3])
    np.testing.assert_allclose(meta["duration_s"], [2.1, 2.1, 2.1])


def test_step_windows_interpolate_linearly():
    # The signal is the sample index, so interpolated values are positions.
    X, meta = make_step_windows(make_dataset(step_recording()), n_steps=1, n_timepoints=8)
    start, end = meta.loc[0, ["start_sample", "end_sample"]]
    np.testing.assert_allclose(X[0, 0], start + (end - start) * np.arange(8) / 8)


def test_step_windows_resample_one_cycle_of_a_sinusoid():
    t = np.arange(500)
    # A sinusoid whose period is the 110-sample cycle starting at 110.
    signal = np.sin(2 * np.pi * (t - 110) / 110)[:, None].astype(np.float32)
    rec = step_recording(signal=signal, channels=("acc_x",))
    X, meta = make_step_windows(make_dataset(rec), n_steps=1, n_timepoints=128, channels=("acc_x",))
    assert meta.loc[1, "start_sample"] == 110
    np.testing.assert_allclose(X[1, 0], np.sin(2 * np.pi * np.arange(128) / 128), atol=1e-3)


def test_step_windows_left_foot_and_float64():
    X, meta = make_step_windows(make_dataset(step_recording()), foot="left", dtype=np.float64)
    assert X.dtype == np.float64 and X.flags.c_contiguous
    np.testing.assert_array_equal(meta["start_sample"], [60, 160])


def test_step_windows_meta_columns():
    _, meta = make_step_windows(make_dataset(step_recording()))
    assert list(meta.columns)[-6:] == [
        "start_s", "start_sample", "end_s", "end_sample", "duration_s", "group"
    ]  # fmt: skip
    assert meta["group"].iloc[0] == "synth:1"


def test_step_windows_skip_long_pauses():
    steps = np.array([[0, 40], [100, 140], [200, 240], [600, 640], [700, 740], [800, 840]])
    rec = make_recording(900, 100.0, events={"right_foot_steps": steps})
    _, meta = make_step_windows(make_dataset(rec), n_steps=2, max_cycle_duration=2.5)
    np.testing.assert_array_equal(meta["start_sample"], [0, 600])
    _, meta = make_step_windows(make_dataset(rec), n_steps=2, max_cycle_duration=None)
    assert len(meta) == 4


def test_step_windows_need_step_events():
    no_events = make_dataset(make_recording(dataset="plain"), name="plain")
    with pytest.raises(ValueError, match=r"\['plain'\] have no 'right_foot_steps' events.*IPOL"):
        make_step_windows(no_events)
    with_events = make_dataset(step_recording(dataset="ipol"), name="ipol")
    with pytest.raises(ValueError, match=r"\['plain'\].*\['ipol'\] have them"):
        make_step_windows([with_events, no_events], placement={"ipol": "right_foot"})


def test_step_windows_too_few_steps():
    rec = make_recording(300, 100.0, events={"right_foot_steps": STEPS[:2]})
    with pytest.raises(ValueError, match="3 successive 'right_foot_steps' events"):
        make_step_windows(make_dataset(rec), n_steps=2)


def test_step_windows_drop_nan():
    signal = np.ones((500, 6), dtype=np.float32)
    signal[300] = np.nan  # inside the windows starting at 110 and 220
    with pytest.warns(UserWarning, match="Dropped 2 of 3 step windows"):
        X, meta = make_step_windows(make_dataset(step_recording(signal=signal)))
    assert np.isfinite(X).all()
    np.testing.assert_array_equal(meta["start_sample"], [10])


# --------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------

LOADERS = ["load_hugadb", "load_sisfall", "load_ipol_healthy_gait", "load_umafall"]


def _load(name):
    loader = getattr(skgait.datasets, name, None)
    if loader is None:
        pytest.skip(f"skgait.datasets.{name} does not exist yet")
    try:
        return loader()
    except DatasetNotFoundError as error:
        pytest.skip(str(error))


@pytest.mark.realdata
@pytest.mark.parametrize("loader", LOADERS)
def test_real_windows_are_finite(loader, data_home):
    ds = _load(loader)
    for placement in ds.placements:
        recordings = ds.select(placement=placement)
        channels = [c for c in CHANNELS if all(c in r.channels for r in recordings)]
        X, meta = make_windows(ds, placement=placement, channels=channels)
        assert X.shape == (len(meta), len(channels), 128)
        assert np.isfinite(X).all(), (ds.name, placement)
        assert meta[["age", "sex"]].notna().all().all()
        if any("right_foot_steps" in r.events for r in recordings):
            X, meta = make_step_windows(ds, placement=placement, channels=channels)
            assert np.isfinite(X).all(), (ds.name, placement)
            assert meta["duration_s"].between(0.5, 2 * 2.5).all()


@pytest.mark.realdata
def test_real_window_counts_follow_from_length_and_overlap(data_home):
    """SisFall: every trial is walking, so each gives floor((L - n) / step) + 1 windows."""
    dataset = skgait.datasets.load_sisfall(data_home / "SisFall")
    X, meta = make_windows(dataset, placement="waist", rate=50.0, length=2.56, overlap=0.5)
    n, step = 128, 64
    for rec in dataset.recordings:
        n_resampled = math.ceil(rec.n_samples * 50.0 / rec.rate)  # 200 Hz -> 50 Hz, up/down = 1/4
        expected = (n_resampled - n) // step + 1
        windows = meta[meta["recording"] == rec.recording]
        assert len(windows) == expected, rec.recording
        np.testing.assert_allclose(windows["start_s"], np.arange(expected) * step / 50.0)
    assert X.shape == (len(meta), 6, n)


@pytest.mark.parametrize(("source_rate", "rate"), [(200.0, 50.0), (20.0, 50.0), (100.0, 100.0)])
def test_peak_memory_within_the_documented_bound(source_rate, rate):
    # make_windows' Notes: X, twice meta, plus 32 bytes per sample of one channel
    # at the higher of the two rates while it is resampled. tracemalloc counts
    # NumPy's allocations exactly, so the measure is deterministic.
    n = int(source_rate * 600)
    signal = np.random.default_rng(0).normal(size=(n, 6)).astype(np.float32)
    ds = make_dataset(make_recording(signal=signal, rate=source_rate))
    tracemalloc.start()
    X, meta = make_windows(ds, rate=rate)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    resampling = 0 if source_rate == rate else 32 * n * max(1.0, rate / source_rate)
    assert peak <= X.nbytes + 2 * meta.memory_usage(deep=True).sum() + resampling
