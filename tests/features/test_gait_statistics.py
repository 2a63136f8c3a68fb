"""GaitStatistics: per-channel distribution and spectral statistics."""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline

from skgait.features import ACFTransformer, CrossCorrelationFeatures, GaitStatistics
from skgait.utils.estimator_checks import make_windows


def _sine(freq, n=256, rate=50.0, offset=0.0):
    t = np.arange(n) / rate
    return (offset + np.sin(2 * np.pi * freq * t))[None, None]


@pytest.mark.parametrize("freq", [0.9, 1.8, 2.4])
def test_step_frequency_is_the_dominant_frequency(freq):
    Xt = GaitStatistics(rate=50.0, n_fft=1024).fit_transform(_sine(freq))
    assert Xt[0, 8] == pytest.approx(freq, abs=50 / 1024)


def test_distribution_statistics_of_a_sine():
    # 250 samples at 50 Hz: exactly 10 periods, so the sample mean is the offset.
    Xt = GaitStatistics().fit_transform(_sine(2.0, n=250, offset=9.81))[0]
    assert Xt[0] == pytest.approx(9.81, abs=1e-2)  # mean
    assert Xt[1] == pytest.approx(1 / np.sqrt(2), rel=1e-2)  # std
    assert Xt[5] == pytest.approx(2.0, rel=1e-2)  # range
    assert Xt[6] == pytest.approx(0.0, abs=1e-2)  # skewness
    assert Xt[7] == pytest.approx(-1.5, abs=2e-2)  # excess kurtosis of a sine


def test_constant_channel_gives_finite_zeros():
    X = np.full((2, 1, 64), 3.0)
    Xt = GaitStatistics().fit_transform(X)
    assert np.all(np.isfinite(Xt))
    assert Xt[0, 6] == 0.0 and Xt[0, 7] == 0.0 and Xt[0, 9] == 0.0


def test_feature_names_are_channel_major():
    est = GaitStatistics().fit(np.random.default_rng(0).standard_normal((3, 2, 64)))
    names = est.get_feature_names_out(["acc_vertical", "acc_horizontal"])
    assert len(names) == 28
    assert names[0] == "acc_vertical_mean" and names[14] == "acc_horizontal_mean"
    assert names[8] == "acc_vertical_step_frequency"


def test_rejects_other_channel_count_than_fit():
    est = GaitStatistics().fit(np.zeros((2, 3, 64)) + np.arange(64))
    with pytest.raises(ValueError, match="X has 2 channels, but the transformer was fitted on 3"):
        est.transform(np.zeros((2, 2, 64)))


# Per-window feature transformers whose lags or bands count samples.
LENGTH_DEPENDENT = [
    ACFTransformer(lags=10),
    GaitStatistics(),
    CrossCorrelationFeatures(lags=(4,)),
]


@pytest.mark.parametrize("transformer", LENGTH_DEPENDENT, ids=lambda t: type(t).__name__)
def test_windows_of_another_length_than_at_fit_warn(transformer):
    X, y = make_windows(12, 6, 512, random_state=0)
    # fitted on 128-sample windows, then given 512-sample ones
    pipe = make_pipeline(transformer, RandomForestClassifier(n_estimators=3, random_state=0))
    pipe.fit(X[:, :, :128], y)
    name = type(transformer).__name__
    with pytest.warns(
        UserWarning, match=f"{name}: windows of 512 time points, .* fitted on .* 128"
    ):
        pipe.predict(X)
    # windows as at fit: silent
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipe.predict(X[:, :, 128:256])


def test_max_frequency_leaves_out_band_powers_above_it():
    X = _sine(2.0)
    full = GaitStatistics().fit(X)
    limited = GaitStatistics(max_frequency=10.0).fit(X)
    names = limited.get_feature_names_out()
    assert limited.transform(X).shape == (1, len(names)) == (1, 14)
    assert names[-1] == "ch0_logpower_6_10Hz"
    assert full.get_feature_names_out()[-1] == "ch0_logpower_6_12Hz"
    assert GaitStatistics(max_frequency=5.0).fit_transform(X).shape == (1, 13)
