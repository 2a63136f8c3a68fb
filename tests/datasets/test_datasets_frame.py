"""One body frame for every loader (x forward, y left, z up), checked on the real files.

Gravity: at rest (or over a whole walk, where no rest is labelled) the mean
acceleration is the specific force of gravity, +9.81 m/s² straight up, so it
lies on +acc_z. The horizontal axes: at the trunk the medio-lateral
acceleration repeats once per stride (negative autocorrelation at one step),
the antero-posterior once per step; on the legs the swing turns the distal
end forward, which is a negative rate about +y (left).
"""

import numpy as np
import pytest

from skgait.datasets import (
    ACTIVITIES,
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    load_umafall,
)
from skgait.datasets._loading import to_body_frame

G = 9.80665
WALKING = ACTIVITIES.index("walking")
STANDING = ACTIVITIES.index("standing")


@pytest.fixture(scope="module")
def datasets(data_home):
    return {
        "sisfall": load_sisfall(data_home / "SisFall"),
        "ipol": load_ipol_healthy_gait(data_home / "IPOL_HealthyGait"),
        "hugadb": load_hugadb(data_home / "HuGaDB"),
        "umafall": load_umafall(data_home / "UMAFall"),
    }


def _mean_acc(rec, at_rest):
    rows = rec.activity == STANDING if at_rest else np.ones(rec.n_samples, bool)
    return rec.signal[rows, :3].mean(axis=0) if rows.sum() >= rec.rate else None


# (dataset, placements, at rest?, tolerance on |mean| in m/s²). At rest the
# mean is gravity up to the sensor's offset (consumer MEMS: a few 0.1 m/s²);
# over a whole walk a leg sensor adds its centripetal acceleration, up to
# 1.3 m/s² at UMAFall's ankle.
UPRIGHT = [
    ("sisfall", ["waist"], False, 1.0),
    ("ipol", ["waist"], True, 1.0),
    ("hugadb", ["left_shin", "right_shin", "left_thigh", "right_thigh"], True, 1.0),
    ("umafall", ["waist", "chest"], False, 1.0),
    ("umafall", ["ankle"], False, 1.5),
]


@pytest.mark.parametrize("name, placements, at_rest, tolerance", UPRIGHT)
def test_gravity_is_on_plus_acc_z(datasets, name, placements, at_rest, tolerance):
    means = [
        m
        for r in datasets[name].recordings
        if r.placement in placements
        for m in [_mean_acc(r, at_rest)]
        if m is not None
    ]
    assert len(means) >= 4
    for m in means:
        assert np.argmax(np.abs(m)) == 2 and m[2] > 0, m
        assert np.linalg.norm(m) == pytest.approx(G, abs=tolerance)


@pytest.mark.parametrize("name", ["ipol", "hugadb"])
def test_feet_gravity_up_and_instep_tilted_forward_down(datasets, name):
    # On the instep the sensor is tilted 20-57°: gravity lies between +z and
    # -x (the forward axis points down along the instep), little on y.
    means = [
        _mean_acc(r, True)
        for r in datasets[name].recordings
        if r.placement in ("left_foot", "right_foot")
    ]
    means = [m for m in means if m is not None]
    assert len(means) >= 30
    for m in means:
        assert m[2] > 0 and m[0] < 0 and abs(m[1]) < m[2], m
        assert np.degrees(np.arccos(m[2] / np.linalg.norm(m))) < 60
        assert np.linalg.norm(m) == pytest.approx(G, abs=1.0)


def _walking_part(rec):
    """The longest run of walking samples."""
    edges = np.flatnonzero(np.diff(np.r_[0, rec.activity == WALKING, 0]))
    start, end = max(zip(edges[::2], edges[1::2]), key=lambda run: run[1] - run[0])
    return rec.signal[start:end]


def _step_autocorrelation(signal, rate):
    """Autocorrelation of each channel at one step (half the stride of acc_z)."""
    centred = signal - signal.mean(axis=0)

    def ac(x, lag):
        return (x[:-lag] * x[lag:]).sum(axis=0) / (x * x).sum(axis=0)

    lags = np.arange(int(0.8 * rate), int(1.5 * rate))
    stride = lags[np.argmax([ac(centred[:, 2], lag) for lag in lags])]
    return ac(centred, stride // 2)


@pytest.mark.parametrize("name", ["sisfall", "ipol"])
def test_trunk_y_is_medio_lateral(datasets, name):
    # Medio-lateral sway repeats once per stride, forward and vertical
    # acceleration once per step (medians: -0.5 on y, +0.7 on x and z).
    steps = np.array(
        [
            _step_autocorrelation(_walking_part(r)[:, :3], r.rate)
            for r in datasets[name].recordings
            if r.placement == "waist"
        ]
    )
    medians = np.median(steps, axis=0)
    assert medians[1] < -0.3 and medians[0] > 0.5 and medians[2] > 0.5, medians


@pytest.mark.parametrize("foot", ["left", "right"])
def test_ipol_feet_turn_toes_up_about_left_during_each_footstep(datasets, foot):
    # Between toe-off and heel strike the foot turns toes-up by about 73°:
    # a negative rotation about +y (left).
    turns = [
        r.signal[start:end, 4].sum() / r.rate
        for r in datasets["ipol"].select(placement=f"{foot}_foot")
        for start, end in r.events[f"{foot}_foot_steps"]
    ]
    assert len(turns) > 300
    assert np.mean(np.less(turns, 0)) > 0.99
    assert np.degrees(np.median(turns)) == pytest.approx(-73, abs=10)


@pytest.mark.parametrize(
    "name, placement", [("hugadb", "left_shin"), ("hugadb", "right_shin"), ("umafall", "ankle")]
)
def test_swing_turns_the_shank_negatively_about_y(datasets, name, placement):
    # The swing (distal end forward) is the shank's largest turn.
    extremes = [
        np.percentile(w, 0.5) + np.percentile(w, 99.5)
        for r in datasets[name].select(placement=placement)
        if not r.info.get("corrupted_gyroscope")
        for w in [_walking_part(r)[:, 4]]
    ]
    assert len(extremes) >= 4
    assert np.median(extremes) < 0 and np.mean(np.less(extremes, 0)) > 0.9


def test_every_recording_names_its_frame(datasets):
    frames = {
        (name, r.placement): r.info["frame"] for name, ds in datasets.items() for r in ds.recordings
    }
    assert {f for (name, p), f in frames.items() if p not in ("wrist", "pocket")} <= {
        "body",
        "vertical",
    }
    assert frames["umafall", "pocket"] == frames["umafall", "wrist"] == "sensor"


def test_to_body_frame_maps_accelerometer_and_gyroscope_alike():
    signal = np.array([[1.0, 2.0, 3.0, 0.1, 0.2, 0.3]], dtype=np.float32)
    out = to_body_frame(signal, "-z +y +x")
    np.testing.assert_array_equal(out, np.float32([[-3.0, 2.0, 1.0, -0.3, 0.2, 0.1]]))
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="mirror image"):
        to_body_frame(signal, "+y +x +z")
    with pytest.raises(ValueError, match="signed sensor axis"):
        to_body_frame(signal, "+x +x +z")
