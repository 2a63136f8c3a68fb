"""SVM and 7-NN on the PCA of the learned gait signature (Marín-Jiménez et al., 2017)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from skgait.models import GaitMultiTaskNet, GaitSignatureClassifier


def _people(n_subjects=6, per_subject=30, length=64, seed=0):
    rng = np.random.default_rng(seed)
    subject = np.repeat(np.arange(n_subjects), per_subject)
    X = rng.normal(size=(len(subject), 6, length)).astype(np.float32)
    X[:, 0] += subject[:, None]
    Y = pd.DataFrame({"subject": subject, "sex": np.where(subject % 2, "F", "M")})
    return X, Y


def _net(**params):
    return GaitMultiTaskNet(max_epochs=3, lr=1e-2, random_state=0, **params)


def test_multitask_embed_is_the_shared_embedding():
    X, Y = _people()
    net = _net(module__n_embedding=24).fit(X, Y)
    assert net.embed(X[:5]).shape == (5, 24)


def test_signature_is_reduced_to_128_principal_components():
    X, Y = _people()
    clf = GaitSignatureClassifier(_net(module__n_embedding=256)).fit(X, Y)
    pca = clf.classifier_.named_steps["pca"]
    assert clf.n_components_ == 128 and pca.n_components_ == 128


def test_components_are_capped_by_the_signature_size():
    X, Y = _people()
    assert GaitSignatureClassifier(_net()).fit(X, Y).n_components_ == 64


@pytest.mark.parametrize(
    ("name", "kind", "check"),
    [
        ("svm", SVC, lambda c: c.kernel == "linear"),
        ("7nn", KNeighborsClassifier, lambda c: c.n_neighbors == 7),
    ],
)
def test_named_classifiers_are_the_papers(name, kind, check):
    X, Y = _people()
    final = GaitSignatureClassifier(_net(), classifier=name).fit(X, Y).classifier_[-1]
    assert isinstance(final, kind) and check(final)


def test_signature_classifier_identifies_separable_subjects():
    X, Y = _people()
    clf = GaitSignatureClassifier(_net(), classifier="7nn").fit(X[::2], Y.iloc[::2])
    assert np.mean(clf.predict(X[1::2]) == Y["subject"].to_numpy()[1::2]) >= 0.9
    assert sorted(clf.classes_) == list(range(6))


def test_without_pca_the_classifier_reads_the_signature():
    X, Y = _people()
    clf = GaitSignatureClassifier(_net(), n_components=None).fit(X, Y)
    assert not any(isinstance(step, PCA) for step in clf.classifier_)


def test_unknown_classifier_name_is_an_error():
    X, Y = _people(n_subjects=2, per_subject=8)
    with pytest.raises(ValueError, match="'classifier' parameter of GaitSignatureClassifier"):
        GaitSignatureClassifier(_net(), classifier="forest").fit(X, Y)
