"""WithinClassWhitening: whitening by the within-class covariance (WCCN)."""

import numpy as np
import pytest
from sklearn.covariance import ledoit_wolf_shrinkage

from skgait.preprocessing import WithinClassWhitening


@pytest.fixture
def classes():
    """Three classes whose windows vary mostly along the first feature."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 300)
    mixing = np.array([[10.0, 0.0, 0.0], [3.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    centres = np.array([[0.0, 0.0, 0.0], [1.0, 4.0, 0.0], [-1.0, 0.0, 3.0]])
    return rng.normal(size=(900, 3)) @ mixing + centres[y], y


def test_within_class_covariance_becomes_the_identity(classes):
    X, y = classes
    Z = WithinClassWhitening(shrinkage=0.0).fit_transform(X, y)
    deviations = np.vstack([Z[y == c] - Z[y == c].mean(axis=0) for c in range(3)])
    np.testing.assert_allclose(deviations.T @ deviations / (len(Z) - 3), np.eye(3), atol=1e-10)


def test_whitening_separates_classes_better_than_the_raw_features(classes):
    """Cosine-free check: nearest class mean in whitened space beats the raw space."""
    X, y = classes

    def nearest_mean_accuracy(F):
        means = np.stack([F[y == c].mean(axis=0) for c in range(3)])
        return np.mean(np.argmin(((F[:, None] - means[None]) ** 2).sum(-1), axis=1) == y)

    Z = WithinClassWhitening().fit_transform(X, y)
    assert nearest_mean_accuracy(Z) > nearest_mean_accuracy(X) + 0.1


def test_auto_shrinkage_is_ledoit_wolf_of_the_centred_deviations(classes):
    X, y = classes
    model = WithinClassWhitening().fit(X, y)
    deviations = np.vstack([X[y == c] - X[y == c].mean(axis=0) for c in range(3)])
    assert model.shrinkage_ == pytest.approx(
        ledoit_wolf_shrinkage(deviations, assume_centered=True)
    )
    assert WithinClassWhitening(shrinkage=0.3).fit(X, y).shrinkage_ == 0.3
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])


def test_shrinkage_keeps_more_features_than_samples_invertible():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(10, 40)), np.repeat([0, 1], 5)
    Z = WithinClassWhitening().fit_transform(X, y)
    assert Z.shape == (10, 40) and np.all(np.isfinite(Z))
    with pytest.raises(ValueError, match="singular"):
        WithinClassWhitening(shrinkage=0.0).fit(X, y)


def test_one_sample_per_class_is_refused():
    with pytest.raises(ValueError, match="single sample"):
        WithinClassWhitening().fit(np.eye(3), [0, 1, 2])


def test_features_must_match_fit(classes):
    X, y = classes
    model = WithinClassWhitening().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.transform(X[:, :2])


def test_output_features_are_named_and_pandas_output_works(classes):
    X, y = classes
    whitening = WithinClassWhitening().set_output(transform="pandas").fit(X, y)
    names = ["withinclasswhitening0", "withinclasswhitening1", "withinclasswhitening2"]
    assert whitening.get_feature_names_out().tolist() == names
    Z = whitening.transform(X)
    assert Z.columns.tolist() == names
    np.testing.assert_allclose(Z.to_numpy(), X @ whitening.whitening_)
