"""GaitParameters: cadence, regularity, symmetry and smoothness of trunk acceleration."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from skgait.datasets import detect_steps, load_sisfall, make_windows
from skgait.features import GaitParameters

RATE = 50.0


def _walk(step_time=0.5, n_timepoints=256, limp=0.0, noise=0.0, seed=0):
    """Synthetic trunk acceleration (body frame: forward, side, up) with a given step time.

    ``limp`` makes every other step weaker (an asymmetric gait)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_timepoints) / RATE
    stride = 2 * step_time
    step_wave = np.sin(2 * np.pi * t / step_time)
    odd_even = 1.0 - limp * (np.sin(2 * np.pi * t / stride) > 0)
    acc = np.stack(
        [
            np.sin(2 * np.pi * t / step_time + 0.3) * odd_even,
            0.5 * np.sin(2 * np.pi * t / stride),
            9.81 + step_wave * odd_even,
        ]
    )
    return acc + noise * rng.standard_normal(acc.shape)


def _params(X, **kwargs):
    gp = GaitParameters(rate=RATE, **kwargs).fit(X)
    return dict(zip(gp.get_feature_names_out(), gp.transform(X).T))


@pytest.mark.parametrize("step_time", [0.4, 0.5, 0.64])
def test_step_stride_and_cadence_of_a_periodic_walk(step_time):
    p = _params(_walk(step_time)[None])
    np.testing.assert_allclose(p["step_time"], step_time, atol=1 / RATE)
    np.testing.assert_allclose(p["stride_time"], 2 * step_time, atol=1 / RATE)
    np.testing.assert_allclose(p["cadence"], 60 / step_time, rtol=0.05)


def test_a_symmetric_walk_has_regular_steps_and_symmetry_near_one():
    p = _params(_walk()[None])
    assert p["step_regularity_vertical"][0] > 0.95
    assert p["stride_regularity_vertical"][0] > 0.95
    np.testing.assert_allclose(p["step_symmetry_vertical"], 1.0, atol=0.05)


def test_a_limp_lowers_step_regularity_and_symmetry_not_stride_regularity():
    even = _params(_walk()[None])
    limp = _params(_walk(limp=0.6)[None])
    assert limp["step_regularity_vertical"][0] < even["step_regularity_vertical"][0] - 0.1
    assert limp["step_symmetry_vertical"][0] < 0.9
    assert limp["stride_regularity_vertical"][0] > 0.9


def test_a_limp_lowers_the_vertical_harmonic_ratio():
    """Odd harmonics of the stride frequency grow when left and right steps differ."""
    even = _params(_walk(noise=0.05)[None])
    limp = _params(_walk(limp=0.6, noise=0.05)[None])
    assert limp["log_harmonic_ratio_vertical"][0] < even["log_harmonic_ratio_vertical"][0] - 1


def test_rms_is_the_spread_of_each_axis():
    p = _params(_walk()[None])
    np.testing.assert_allclose(p["rms_vertical"], 1 / np.sqrt(2), rtol=0.05)  # a unit sine
    assert p["rms_side"][0] < p["rms_vertical"][0]


def test_parameters_do_not_depend_on_the_mounting():
    acc = _walk(noise=0.05)
    R = Rotation.from_rotvec([0.4, -0.3, 0.6]).as_matrix()
    X = np.stack([acc, R @ acc])
    Xt = GaitParameters(rate=RATE).fit_transform(X)
    np.testing.assert_allclose(Xt[0], Xt[1], rtol=1e-6, atol=1e-6)


def test_rotation_rate_channels_are_ignored():
    acc = _walk()
    with_gyro = np.concatenate([acc, np.random.default_rng(0).normal(size=acc.shape)])[None]
    np.testing.assert_allclose(
        GaitParameters(rate=RATE).fit_transform(with_gyro),
        GaitParameters(rate=RATE).fit_transform(acc[None]),
    )


def test_a_window_without_movement_gives_finite_parameters():
    still = np.tile([[0.0], [0.0], [9.81]], (1, 128))[None]
    assert np.isfinite(GaitParameters(rate=RATE).fit_transform(still)).all()


def test_float32_windows_give_float32_parameters():
    X = _walk()[None].astype(np.float32)
    assert GaitParameters(rate=RATE).fit_transform(X).dtype == np.float32


def test_windows_shorter_than_two_steps_are_refused():
    with pytest.raises(ValueError, match="too short for two steps of up to 40 samples"):
        GaitParameters(rate=RATE).fit(_walk(n_timepoints=70)[None])


def test_windows_without_acceleration_triplet_are_refused():
    with pytest.raises(ValueError, match="first three must be the acceleration"):
        GaitParameters(rate=RATE).fit(_walk()[None, :2])


def test_nan_windows_are_refused():
    X = _walk()[None]
    X[0, 1, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GaitParameters(rate=RATE).fit(X)


def test_another_number_of_channels_than_in_fit_is_refused():
    acc = _walk()[None]
    gp = GaitParameters(rate=RATE).fit(acc)
    with pytest.raises(ValueError, match="X has 6 channels, but the transformer was fitted on 3"):
        gp.transform(np.concatenate([acc, acc], axis=1))


# --------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sisfall_parameters(data_home):
    dataset = load_sisfall(data_home / "SisFall")
    X, meta = make_windows(dataset, placement="waist")
    gp = GaitParameters().fit(X)
    params = dict(zip(gp.get_feature_names_out(), gp.transform(X).T))
    return dataset, meta.reset_index(drop=True), params


def _per_recording_median(meta, values):
    return meta.assign(v=values).groupby("recording", observed=True)["v"].median()


@pytest.mark.realdata
def test_sisfall_cadence_is_faster_in_the_fast_walk_of_every_subject(sisfall_parameters):
    """Measured: median cadence 94 (slow, D01) and 120 (fast, D02) steps/min; every
    one of the 38 subjects is faster in D02."""
    _, meta, params = sisfall_parameters
    cadence = meta.assign(c=params["cadence"]).groupby(["subject", "trial"], observed=True)["c"]
    cadence = cadence.median().unstack()
    assert len(cadence) == 38
    assert (cadence["D02"] > cadence["D01"]).all()
    assert 80 <= cadence["D01"].median() <= 110
    assert 105 <= cadence["D02"].median() <= 135


@pytest.mark.realdata
def test_sisfall_cadence_agrees_with_detected_steps(sisfall_parameters):
    """The windows' median cadence against the heel strikes detect_steps finds in the
    whole recording. Measured: within 5 % for every recording but a few."""
    dataset, meta, params = sisfall_parameters
    by_windows = _per_recording_median(meta, params["cadence"])
    by_steps = {}
    for recording in dataset.select(placement="waist"):
        strikes = detect_steps(recording)
        by_steps[recording.recording] = 60 * recording.rate / np.median(np.diff(strikes))
    by_steps = by_windows.index.map(by_steps).to_numpy(float)
    relative = np.abs(by_windows.to_numpy() / by_steps - 1)
    assert np.median(relative) < 0.03
    assert np.mean(relative < 0.1) >= 0.9
