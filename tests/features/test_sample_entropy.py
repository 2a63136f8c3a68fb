"""SampleEntropy: the predictability of every channel of every window."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation
from sklearn.pipeline import make_pipeline

from skgait.datasets import load_sisfall, make_windows
from skgait.features import GravityAlignment, SampleEntropy

RATE = 50.0


def _reference(x, m=2, r=0.2):
    """Sample entropy by the definition, one template pair at a time."""
    z = (x - x.mean()) / x.std()
    n_templates = len(z) - m
    counts = [0, 0]
    for i in range(n_templates):
        for j in range(i + 1, n_templates):
            for k, length in enumerate((m, m + 1)):
                counts[k] += np.max(np.abs(z[i : i + length] - z[j : j + length])) <= r
    return -np.log(counts[1] / counts[0])


@pytest.mark.parametrize(("m", "r"), [(2, 0.2), (1, 0.5), (3, 0.6)])
def test_equals_the_definition(m, r):
    x = np.random.default_rng(0).standard_normal((2, 3, 80))
    x[:, 1] = np.cumsum(x[:, 1], axis=1)  # a smoother, more predictable channel
    out = SampleEntropy(m=m, r=r).fit_transform(x)
    expected = [[_reference(x[w, c], m, r) for c in range(3)] for w in range(2)]
    np.testing.assert_allclose(out, expected, rtol=1e-10)


def test_a_regular_signal_is_more_predictable_than_noise():
    t = np.arange(128) / RATE
    rng = np.random.default_rng(0)
    X = np.stack(
        [np.sin(2 * np.pi * 2 * t), np.sin(2 * np.pi * 2 * t) + rng.normal(0, 0.5, t.size)]
    )[:, None]
    entropy = SampleEntropy().fit_transform(X)[:, 0]
    assert entropy[0] < 0.5 * entropy[1]


def test_does_not_depend_on_the_size_or_offset_of_a_channel():
    x = np.random.default_rng(1).standard_normal((1, 1, 100))
    se = SampleEntropy()
    np.testing.assert_allclose(se.fit_transform(x), se.fit_transform(9.81 + 3.0 * x))


def test_after_gravity_alignment_does_not_depend_on_the_mounting():
    rng = np.random.default_rng(2)
    t = np.arange(128) / RATE
    acc = np.stack(
        [np.sin(4 * np.pi * t), 0.5 * np.sin(2 * np.pi * t), 9.81 + np.cos(4 * np.pi * t)]
    )
    acc = acc + 0.1 * rng.standard_normal(acc.shape)
    R = Rotation.from_rotvec([0.4, -0.3, 0.6]).as_matrix()
    X = np.stack([acc, R @ acc])
    out = make_pipeline(GravityAlignment(), SampleEntropy()).fit_transform(X)
    np.testing.assert_allclose(out[0], out[1], rtol=1e-6)


def test_constant_channel_gives_zero_and_no_match_gives_the_largest_value():
    n = 12  # evenly spaced values: no two samples within 0.2 standard deviations
    X = np.stack([np.zeros(n), np.arange(n, dtype=float)])[:, None]
    out = SampleEntropy().fit_transform(X)[:, 0]
    assert out[0] == 0.0
    assert out[1] == pytest.approx(np.log((n - 2) * (n - 3) / 2))


def test_float32_windows_give_float32_entropies():
    X = np.random.default_rng(0).standard_normal((3, 2, 50)).astype(np.float32)
    out = SampleEntropy().fit_transform(X)
    assert out.dtype == np.float32
    assert out.shape == (3, 2)


def test_feature_names():
    se = SampleEntropy().fit(np.zeros((1, 2, 20)))
    assert list(se.get_feature_names_out()) == ["ch0_sample_entropy", "ch1_sample_entropy"]
    assert list(se.get_feature_names_out(["up", "side"])) == [
        "up_sample_entropy",
        "side_sample_entropy",
    ]


@pytest.mark.parametrize(("params", "match"), [({"m": 0}, "'m' parameter"), ({"r": 0.0}, "'r'")])
def test_bad_parameters_are_refused(params, match):
    with pytest.raises(ValueError, match=match):
        SampleEntropy(**params).fit(np.zeros((1, 1, 20)))


def test_windows_too_short_for_the_templates_are_refused():
    with pytest.raises(ValueError, match="time"):
        SampleEntropy(m=3).fit(np.zeros((1, 1, 4)))


def test_nan_windows_are_refused():
    X = np.zeros((1, 1, 20))
    X[0, 0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SampleEntropy().fit(X)


@pytest.mark.slow
@pytest.mark.realdata
def test_sisfall_elderly_turn_less_regularly_in_both_walks(data_home):
    """Measured (all windows, gravity-aligned): median entropy of the rotation rate
    about the vertical axis, young against elderly, 0.66 vs 0.97 in the slow walk and
    0.93 vs 1.11 in the fast one."""
    X, meta = make_windows(load_sisfall(data_home / "SisFall"), placement="waist")
    entropy = make_pipeline(GravityAlignment(), SampleEntropy()).fit_transform(X)
    assert np.isfinite(entropy).all()
    turning = meta.reset_index(drop=True).assign(e=entropy[:, 3], elderly=meta["age"].values >= 45)
    median = turning.groupby(["trial", "elderly"], observed=True)["e"].median().unstack()
    assert (median[True] > median[False] + 0.1).all()
