"""DomainStandardScaler: per-dataset standardisation, seen and unseen domains."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgait.preprocessing import DomainStandardScaler


@pytest.fixture
def two_domains():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(30, 4))
    b = 5.0 + 3.0 * rng.normal(size=(20, 4))
    return np.vstack([a, b]), np.array(["a"] * 30 + ["b"] * 20)


def test_each_domain_is_standardised_with_its_own_statistics(two_domains):
    X, domains = two_domains
    Xt = DomainStandardScaler().fit_transform(X, domains=domains)
    for d in ("a", "b"):
        np.testing.assert_allclose(Xt[domains == d].mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(Xt[domains == d].std(axis=0), 1.0)


def test_a_seen_domain_keeps_its_fitted_statistics(two_domains):
    X, domains = two_domains
    scaler = DomainStandardScaler().fit(X, domains=domains)
    rows = domains == "b"
    expected = (X[rows][:3] - X[rows].mean(axis=0)) / X[rows].std(axis=0)
    np.testing.assert_allclose(scaler.transform(X[rows][:3], domains=["b"] * 3), expected)


def test_an_unseen_domain_is_standardised_with_its_own_rows(two_domains):
    X, domains = two_domains
    scaler = DomainStandardScaler().fit(X[domains == "a"], domains=domains[domains == "a"])
    Xb = X[domains == "b"]
    expected = (Xb - Xb.mean(axis=0)) / Xb.std(axis=0)
    np.testing.assert_allclose(scaler.transform(Xb, domains=["b"] * len(Xb)), expected)


def test_unseen_error_refuses_a_new_domain(two_domains):
    X, domains = two_domains
    scaler = DomainStandardScaler(unseen="error").fit(X[:30], domains=domains[:30])
    with pytest.raises(ValueError, match="domain 'b' was not seen in fit"):
        scaler.transform(X[30:], domains=domains[30:])


def test_without_domains_it_is_a_standard_scaler(two_domains):
    X, _ = two_domains
    np.testing.assert_allclose(
        DomainStandardScaler().fit(X).transform(X), StandardScaler().fit_transform(X)
    )


def test_several_fitted_domains_need_the_domains_to_transform(two_domains):
    X, domains = two_domains
    scaler = DomainStandardScaler().fit(X, domains=domains)
    with pytest.raises(ValueError, match="fitted on 2 domains; give the domain of every row"):
        scaler.transform(X)


def test_domains_of_the_wrong_length_are_refused(two_domains):
    X, domains = two_domains
    with pytest.raises(ValueError, match="domains has 49 labels for 50 rows"):
        DomainStandardScaler().fit(X, domains=domains[:-1])


def test_a_constant_feature_is_centred_not_divided_by_zero():
    X = np.column_stack([np.arange(6.0), np.full(6, 2.0)])
    Xt = DomainStandardScaler().fit_transform(X, domains=["a"] * 3 + ["b"] * 3)
    np.testing.assert_array_equal(Xt[:, 1], 0.0)


def test_a_pipeline_routes_the_domains_to_fit_and_predict():
    """A model learnt on domain a reads domain b, shifted and scaled, as if it were a."""
    rng = np.random.default_rng(1)
    Xa = rng.normal(size=(60, 2))
    y = (Xa[:, 0] > 0).astype(int)
    Xb = 10.0 + 4.0 * Xa
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(DomainStandardScaler(), LogisticRegression())
        pipe.fit(Xa, y, domains=["a"] * 60)
        routed = pipe.predict_proba(Xb, domains=["b"] * 60)
        as_fitted = pipe.predict_proba(Xa, domains=["a"] * 60)
        misread = pipe.predict(Xb, domains=["a"] * 60)
    np.testing.assert_allclose(routed, as_fitted, atol=1e-9)
    assert np.mean(misread == y) < 0.8
