"""BandLimit: keep only the band every sensor involved has recorded."""

import numpy as np
import pytest
import sklearn
from sklearn.pipeline import make_pipeline

from skgait.features import BandLimit, GaitStatistics


def _two_tones(low=2.0, high=15.0, n=256, rate=50.0):
    t = np.arange(n) / rate
    return (np.sin(2 * np.pi * low * t) + np.sin(2 * np.pi * high * t))[None, None]


def _power_above(X, freq, rate=50.0):
    spectrum = np.abs(np.fft.rfft(X[0, 0])) ** 2
    freqs = np.fft.rfftfreq(X.shape[2], 1 / rate)
    return spectrum[freqs > freq].sum() / spectrum.sum()


def test_band_limit_removes_what_lies_above_the_cutoff():
    X = _two_tones()
    Xt = BandLimit(cutoff=8.0).fit_transform(X)
    assert _power_above(X, 12.0) == pytest.approx(0.5, abs=0.02)
    assert _power_above(Xt, 12.0) < 0.01  # half the power before; edges leak a little


def test_band_limit_keeps_the_band_below_the_cutoff():
    X = _two_tones(high=2.0)
    Xt = BandLimit(cutoff=8.0).fit_transform(X)
    np.testing.assert_allclose(Xt[..., 20:-20], X[..., 20:-20], atol=0.02)


def test_band_limit_cutoff_is_half_the_lowest_native_rate():
    limit = BandLimit().fit(np.zeros((3, 1, 64)), native_rate=[200.0, 20.0, 100.0])
    assert limit.cutoff_ == 10.0


def test_band_limit_is_the_identity_without_a_lower_bandwidth():
    X = _two_tones()
    limit = BandLimit(rate=50.0).fit(X, native_rate=[200.0])
    assert limit.cutoff_ == 25.0
    np.testing.assert_array_equal(limit.transform(X), X)


def test_band_limit_gets_native_rate_through_metadata_routing():
    X = np.random.default_rng(0).normal(size=(4, 6, 128))
    with sklearn.config_context(enable_metadata_routing=True):
        limit = (
            BandLimit().set_fit_request(native_rate=True).set_transform_request(native_rate=True)
        )
        pipe = make_pipeline(limit, GaitStatistics())
        pipe.fit(X, native_rate=np.full(4, 20.0))
    assert pipe[0].cutoff_ == 10.0


def test_band_limit_refuses_windows_of_a_narrower_sensor():
    limit = BandLimit().fit(np.zeros((2, 1, 64)), native_rate=[100.0, 100.0])
    with pytest.raises(ValueError, match="sampled at 20 Hz.*Refit with cutoff=10"):
        limit.transform(np.zeros((2, 1, 64)), native_rate=[20.0, 20.0])
