"""Behaviour of ACFTransformer: the maths of BioDeep eq. 1-2 and the sklearn API."""

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline

from skgait.datasets import CHANNELS
from skgait.exceptions import ConstantSeriesWarning
from skgait.features import ACFTransformer
from skgait.utils.estimator_checks import make_windows

ROOT = Path(__file__).resolve().parents[2]


def acf_reference(X, lags, include_lag0=False):
    """Eq. 1-2 with one O(n * lags) loop per lag, in float64."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[-1]
    xc = X - X.mean(axis=-1, keepdims=True)
    gamma = np.stack(
        [(xc[..., h:] * xc[..., : n - h]).sum(axis=-1) / n for h in range(lags + 1)],
        axis=-1,
    )
    acf = gamma / gamma[..., :1]
    return acf if include_lag0 else acf[..., 1:]


shapes = st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(2, 80)).flatmap(
    lambda s: st.tuples(st.just(s), st.integers(1, s[2] - 1))
)


@settings(max_examples=60, deadline=None)
@given(
    shape_lags=shapes,
    dtype=st.sampled_from([np.float32, np.float64]),
    method=st.sampled_from(["direct", "fft"]),
    include_lag0=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_matches_reference(shape_lags, dtype, method, include_lag0, seed):
    shape, lags = shape_lags
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal(shape) * rng.uniform(0.1, 10) + rng.uniform(-5, 5)).astype(dtype)
    est = ACFTransformer(lags=lags, output="3d", include_lag0=include_lag0, method=method)
    out = est.fit_transform(X)
    assert out.dtype == dtype
    assert out.shape == (shape[0], shape[1], lags + include_lag0)
    atol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, acf_reference(X, lags, include_lag0), atol=atol)
    assert np.all(np.abs(out) <= 1 + atol)


@settings(max_examples=30, deadline=None)
@given(
    offset=st.floats(-100, 100),
    scale=st.floats(1e-3, 1e3),
    seed=st.integers(0, 2**16),
)
def test_invariant_to_offset_and_positive_scale(offset, scale, seed):
    X, _ = make_windows(4, 3, 50, random_state=seed)
    est = ACFTransformer(lags=8).fit(X)
    base = est.transform(X)
    Y = X.copy()
    Y[:, 1] = Y[:, 1] * scale + offset
    np.testing.assert_allclose(est.transform(Y), base, atol=1e-9)


def test_flat_is_channel_major_reshape_of_3d():
    X, _ = make_windows(5, 6, 40)
    flat = ACFTransformer(lags=4).fit_transform(X)
    cube = ACFTransformer(lags=4, output="3d").fit_transform(X)
    assert flat.shape == (5, 24)
    np.testing.assert_array_equal(flat, cube.reshape(5, 24))


def test_lag0_is_one():
    X, _ = make_windows(3, 2, 30)
    out = ACFTransformer(lags=3, include_lag0=True, output="3d").fit_transform(X)
    np.testing.assert_allclose(out[..., 0], 1.0)


def test_feature_names_use_channel_names():
    X, _ = make_windows(2, 6, 30)
    est = ACFTransformer(lags=2, channel_names=CHANNELS).fit(X)
    names = est.get_feature_names_out()
    assert list(names[:3]) == ["acc_x_lag1", "acc_x_lag2", "acc_y_lag1"]
    assert len(names) == 12


def test_feature_names_default():
    X, _ = make_windows(2, 2, 30)
    names = ACFTransformer(lags=2, include_lag0=True).fit(X).get_feature_names_out()
    assert list(names) == ["ch0_lag0", "ch0_lag1", "ch0_lag2", "ch1_lag0", "ch1_lag1", "ch1_lag2"]


def test_channel_names_length_mismatch():
    X, _ = make_windows(2, 3, 30)
    with pytest.raises(ValueError, match="2 names.*3 channels"):
        ACFTransformer(channel_names=["a", "b"]).fit(X)


def test_lags_in_seconds():
    X, _ = make_windows(2, 2, 60)
    est = ACFTransformer(lags=0.2, rate=50).fit(X)
    assert est.lags_ == 10
    assert est.transform(X).shape == (2, 20)


def test_float_lags_without_rate():
    X, _ = make_windows(2, 2, 60)
    with pytest.raises(ValueError, match="rate is None"):
        ACFTransformer(lags=0.2).fit(X)


def test_constant_channel_zero_with_warning():
    X, _ = make_windows(3, 2, 40)
    X[:, 1] = 9.81
    with pytest.warns(ConstantSeriesWarning, match="3 of 6 series"):
        out = ACFTransformer(lags=5, output="3d").fit_transform(X)
    np.testing.assert_array_equal(out[:, 1], 0.0)
    assert np.all(np.isfinite(out))
    assert issubclass(ConstantSeriesWarning, UserWarning)


@pytest.mark.parametrize("method", ["direct", "fft"])
def test_constant_channel_raise(method):
    X, _ = make_windows(3, 2, 40)
    X[0, 0] = 1.5
    with pytest.raises(ValueError, match="1 of 6 series"):
        ACFTransformer(lags=5, constant="raise", method=method).fit_transform(X)


def test_lags_not_shorter_than_window():
    X, _ = make_windows(2, 2, 10)
    with pytest.raises(ValueError, match="lags=10.*n_timepoints=10"):
        ACFTransformer(lags=10).fit(X)
    est = ACFTransformer(lags=5).fit(X)
    with pytest.raises(ValueError, match="lags=5.*n_timepoints=4"):
        est.transform(X[..., :4])


def test_other_length_at_transform_is_computed_with_a_warning():
    X, _ = make_windows(2, 2, 50)
    est = ACFTransformer(lags=3).fit(X)
    with pytest.warns(UserWarning, match="windows of 20 time points, but it was fitted on .* 50"):
        assert est.transform(X[..., :20]).shape == (2, 6)


def test_channel_mismatch_at_transform():
    X, _ = make_windows(2, 3, 50)
    est = ACFTransformer(lags=3).fit(X)
    with pytest.raises(ValueError, match="2 channels.*fitted on 3"):
        est.transform(X[:, :2])


def test_nan_rejected():
    X, _ = make_windows(2, 2, 30)
    X[1, 1, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ACFTransformer(lags=3).fit(X)


def test_2d_rejected_naming_shape():
    with pytest.raises(ValueError, match=r"\(4, 30\)"):
        ACFTransformer(lags=3).fit(np.ones((4, 30)))


def test_float32_in_float32_out():
    X, _ = make_windows(3, 2, 30, dtype=np.float32)
    assert ACFTransformer(lags=3).fit_transform(X).dtype == np.float32


def test_pandas_output():
    X, _ = make_windows(3, 6, 30)
    est = ACFTransformer(lags=2, channel_names=CHANNELS).set_output(transform="pandas")
    df = est.fit_transform(X)
    assert list(df.columns[:2]) == ["acc_x_lag1", "acc_x_lag2"]
    assert df.shape == (3, 12)


def test_pandas_output_3d_errors():
    X, _ = make_windows(3, 2, 30)
    est = ACFTransformer(lags=2, output="3d").set_output(transform="pandas")
    with pytest.raises(ValueError, match="3-D array"):
        est.fit_transform(X)


def test_pipeline_cross_val_with_groups():
    X, y = make_windows(36, 3, 64, random_state=1)
    groups = np.repeat(np.arange(6), 6)
    pipe = Pipeline(
        [
            ("acf", ACFTransformer(lags=8)),
            ("rf", RandomForestClassifier(n_estimators=20, random_state=0)),
        ]
    )
    scores = cross_val_score(pipe, X, y, groups=groups, cv=GroupKFold(3))
    assert scores.shape == (3,)
    assert scores.mean() > 0.8


def test_grid_search_over_lags():
    X, y = make_windows(30, 2, 64, random_state=2)
    pipe = Pipeline(
        [("acf", ACFTransformer()), ("rf", RandomForestClassifier(n_estimators=10, random_state=0))]
    )
    search = GridSearchCV(pipe, {"acf__lags": [2, 6]}, cv=3).fit(X, y)
    assert search.best_params_["acf__lags"] in (2, 6)


def test_imblearn_pipeline():
    X, y = make_windows(20, 2, 40)
    pipe = ImbPipeline(
        [
            ("acf", ACFTransformer(lags=4)),
            ("rf", RandomForestClassifier(n_estimators=5, random_state=0)),
        ]
    )
    assert pipe.fit(X, y).predict(X).shape == (20,)


def test_clone_pickle_set_params():
    X, _ = make_windows(4, 2, 40)
    est = ACFTransformer(lags=4).fit(X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))
    other = clone(est).set_params(lags=6, output="3d")
    assert other.get_params()["lags"] == 6
    assert other.fit_transform(X).shape == (4, 2, 6)
    assert not hasattr(clone(est), "lags_")


def test_benchmark_smoke():
    """The benchmark script runs end to end at its smallest size."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_acf.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=900,  # a hang, not a speed goal
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "skgait" in result.stdout


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_input_is_rejected_by_every_entry_point(method, bad):
    rng = np.random.default_rng(0)
    clean = rng.normal(size=(4, 3, 50))
    dirty = clean.copy()
    dirty[2, 1, 17] = bad
    transformer = ACFTransformer(lags=5, method=method).fit(clean)
    with pytest.raises(ValueError, match="Input X contains"):
        transformer.transform(dirty)
    with pytest.raises(ValueError, match="Input X contains"):
        ACFTransformer(lags=5, method=method).fit_transform(dirty)
    with pytest.raises(ValueError, match="Input X contains"):
        ACFTransformer(lags=5, method=method).fit(dirty)


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("exponent", [-1000, -600, -520, -300, 300, 520, 600, 1000])
def test_any_scale_gives_the_acf_of_the_unscaled_series(method, exponent):
    # The ACF is scale invariant. Squares of values beyond about 1e154
    # overflow and below about 1e-154 underflow; the result used to be NaN
    # without a warning. A power of two scales the input exactly.
    X = np.random.default_rng(0).normal(2.0, 1.0, size=(3, 2, 50))
    expected = ACFTransformer(lags=5, method=method).fit_transform(X)
    scaled = ACFTransformer(lags=5, method=method).fit_transform(X * 2.0**exponent)
    np.testing.assert_allclose(scaled, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["direct", "fft"])
def test_sum_overflow_is_computed_not_rejected(method):
    # Twenty values near the largest float64: their sum overflows, and so do
    # the differences 1.7e308 - mean for some series.
    X = np.full((2, 1, 20), 1e307)
    X[0, 0, ::2] = 1.7e308
    X[1, 0, ::2] = -1.7e308
    out = ACFTransformer(lags=3, method=method).fit_transform(X)
    expected = ACFTransformer(lags=3, method=method).fit_transform(X / 1e300)
    np.testing.assert_allclose(out, expected, atol=1e-12)
    np.testing.assert_allclose(out[0], [-0.95, 0.9, -0.85], atol=1e-12)


@pytest.mark.parametrize("method", ["direct", "fft"])
def test_constant_series_of_huge_values_is_constant(method):
    # Its sum overflows; it is still constant (ACF 0 and the warning), not
    # rescaled noise from rounding the mean.
    X = np.random.default_rng(0).normal(size=(1, 2, 20))
    X[0, 1] = 1.5e308
    with pytest.warns(ConstantSeriesWarning, match="1 of 2 series"):
        out = ACFTransformer(lags=3, method=method, output="3d").fit_transform(X)
    np.testing.assert_array_equal(out[0, 1], 0.0)


def test_fit_transform_equals_fit_then_transform():
    X = np.random.default_rng(1).normal(size=(6, 2, 40)).astype(np.float32)
    a = ACFTransformer(lags=4).fit_transform(X)
    b = ACFTransformer(lags=4).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32


# The direct kernel sums blocks of eight consecutive series (one per lane of
# a vector), hands each thread chunks of consecutive blocks (16 chunks per
# numba thread), and sums the lags in passes of 11 (lags 0 to 10, 11 to 21,
# ...): the tests below use 597 series (several blocks per chunk, the last
# block short).


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_timepoints", [7, 10, 11, 41, 101])
def test_direct_kernel_matches_reference_at_every_lag_count(dtype, n_timepoints):
    # Lags below, at and above the block size and its multiples, windows
    # shorter than a block, odd lengths.
    rng = np.random.default_rng(n_timepoints)
    X = (rng.standard_normal((199, 3, n_timepoints)) * 2.0 + 9.81).astype(dtype)
    atol = 1e-6 if dtype == np.float32 else 1e-14
    for lags in range(1, min(40, n_timepoints - 1) + 1):
        out = ACFTransformer(lags=lags, method="direct", output="3d").fit_transform(X)
        np.testing.assert_allclose(
            out, acf_reference(X, lags), rtol=0, atol=atol, err_msg=f"{lags=}"
        )


@pytest.mark.parametrize("lags", [3, 10, 25])
def test_direct_kernel_series_do_not_leak_into_their_neighbours(lags):
    # Constant, rescaled (beyond the float64 range of their squares) and
    # ordinary series next to each other within chunks.
    rng = np.random.default_rng(lags)
    X = rng.normal(1.0, 1.0, size=(199, 3, 60))
    expected = acf_reference(X, lags)
    X[5, 1] = 2.5
    X[17, :] = 7.0
    X[9, 0] *= 1e300
    X[9, 2] *= 1e-300
    X[30, 1] *= 2.0**-1000
    X[31, 1] *= 2.0**1000
    expected[5, 1] = expected[17, :] = 0.0
    with pytest.warns(ConstantSeriesWarning, match="4 of 597 series"):
        out = ACFTransformer(lags=lags, method="direct", output="3d").fit_transform(X)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("window", [0, 1, 20, 38, 39, 198])
def test_direct_kernel_finds_nan_in_any_series_of_a_chunk(window):
    X = np.random.default_rng(0).normal(size=(199, 3, 30))
    X[window, 2, 29] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ACFTransformer(lags=12, method="direct").fit_transform(X)


@pytest.mark.parametrize("value", [0.1, 9.81, -7.3e-5, 3e300, 1.7e308])
def test_direct_kernel_constant_series_whose_mean_rounds(value):
    # The mean of 500 copies of a value is rounded (sums of 0.1 are not
    # exact), so the centred values are tiny, not zero: the series is still
    # constant. One value one unit in the last place away is not constant.
    X = np.random.default_rng(0).normal(size=(20, 2, 500))
    X[3, 1] = X[4, 1] = value
    X[4, 1, 250] = np.nextafter(value, np.inf)
    with pytest.warns(ConstantSeriesWarning, match="1 of 40 series"):
        out = ACFTransformer(lags=10, method="direct", output="3d").fit_transform(X)
    np.testing.assert_array_equal(out[3, 1], 0.0)
    assert np.all(np.isfinite(out))
    assert np.all(np.abs(out[4, 1]) <= 1.0)
    assert np.any(out[4, 1] != 0.0)
    np.testing.assert_allclose(out[[0, 19], 0], acf_reference(X[[0, 19], 0], 10), atol=1e-14)
