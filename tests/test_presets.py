"""Each paper's preset builds the paper's configuration."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from skgait.models import GaitSignatureClassifier
from skgait.presets import PRESETS, make_preset, paper_protocol


def _windows(n=48, length=128, n_subjects=4, seed=0):
    rng = np.random.default_rng(seed)
    subject = np.repeat(np.arange(n_subjects), n // n_subjects)
    X = 0.3 * rng.normal(size=(n, 6, length))
    # each subject walks at their own cadence: 2 + subject cycles per window
    t = np.arange(length) / length
    X[:, :3] += np.sin(2 * np.pi * (2 + subject)[:, None, None] * t)
    return X.astype(np.float32), subject


def _n_parameters(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_an_unfitted_clonable_estimator(name):
    estimator = make_preset(name, random_state=0)
    assert clone(estimator).get_params(deep=False).keys() == estimator.get_params(deep=False).keys()
    assert PRESETS[name].settings and paper_protocol(name)["paper"]


def test_biodeep_forest_has_66_acf_features():
    X, _ = _windows()
    acf = make_preset("biodeep_forest").named_steps["acf"]
    assert acf.fit_transform(X).shape == (len(X), 6 * 11)


@pytest.mark.parametrize("task", ["gender", "age"])
def test_biodeep_forest_is_the_papers_forest(task):
    forest = make_preset("biodeep_forest", task=task).named_steps["forest"]
    assert forest.n_estimators == 100 and forest.bootstrap
    # random feature subsets, also for the regressor (whose default is 1.0)
    assert forest.max_features == "sqrt"


def test_biodeep_cnn_has_the_papers_4049_parameters_adam_and_batch_10():
    X, subject = _windows()
    pipe = make_preset("biodeep_cnn", task="gender", random_state=0)
    pipe.set_params(cnn__max_epochs=1).fit(X, subject % 2)
    cnn = pipe.named_steps["cnn"]
    assert cnn.n_timepoints_ == 11  # lags 0..10
    assert _n_parameters(cnn.module_) == 4049
    assert cnn.batch_size == 10 and cnn.optimizer is torch.optim.Adam


def test_biodeep_protocol_is_hugadb_at_the_stated_rate_young_adults_10_runs():
    protocol = paper_protocol("biodeep_forest")
    assert protocol["dataset"] == "hugadb" and protocol["rate"] == 56.35
    assert protocol["age_range"] == (15, 35) and protocol["n_runs"] == 10
    assert protocol["split"] == "window"


@pytest.mark.parametrize(
    ("task", "weights"), [("age", {"age": 0.2}), ("verification", {"verification": 0.1})]
)
def test_marin_jimenez_is_sgd_momentum_batch_256_with_their_task_weights(task, weights):
    net = make_preset("marin_jimenez", task=task)
    assert net.optimizer is torch.optim.SGD and net.optimizer__momentum == 0.9
    assert net.batch_size == 256 and net.lr == 0.01 and net.max_epochs == 30
    assert net.task_weights == weights and net.main_task == "subject"


def test_marin_jimenez_trains_on_identity_and_age():
    X, subject = _windows()
    Y = pd.DataFrame({"subject": subject, "age": 20.0 + subject})
    net = make_preset("marin_jimenez", random_state=0).set_params(max_epochs=2).fit(X, Y)
    assert list(net.tasks_) == ["subject", "age"]


@pytest.mark.parametrize(
    ("name", "classifier"), [("marin_jimenez_svm", "svm"), ("marin_jimenez_7nn", "7nn")]
)
def test_marin_jimenez_signature_presets_use_pca_128(name, classifier):
    clf = make_preset(name)
    assert isinstance(clf, GaitSignatureClassifier)
    assert clf.classifier == classifier and clf.n_components == 128
    assert clf.network.module__n_embedding >= 128


def test_rajababu_uses_depthwise_separable_features():
    X, subject = _windows()
    Y = pd.DataFrame({"sex": subject % 2, "age_group": subject // 2})
    net = make_preset("rajababu", random_state=0).set_params(max_epochs=1).fit(X, Y)
    features = net.module_.features
    assert any(getattr(m, "groups", 1) == 6 for m in features.modules())  # depthwise
    assert _n_parameters(features) == 788  # BioDeep's convolutions: 1,872


@pytest.mark.parametrize("name", ["zou_fourier", "zou_wavelet", "zou_eigengait"])
def test_zou_classical_baselines_identify_separable_subjects(name):
    X, subject = _windows()
    pipe = make_preset(name).fit(X[::2], subject[::2])
    assert np.mean(pipe.predict(X[1::2]) == subject[1::2]) >= 0.9


def test_zou_walking_uses_1024_sample_crops_and_a_third_class():
    extractor = make_preset("zou_walking")
    assert extractor.crop == 1024 and extractor.rate == 50.0
    assert extractor.threshold is not None


def test_unknown_preset_and_task_are_errors():
    with pytest.raises(ValueError, match="Unknown preset"):
        make_preset("biodeep")
    with pytest.raises(ValueError, match="takes task in"):
        make_preset("biodeep_forest", task="identity")


def test_age_forest_of_make_gait_pipeline_subsamples_features_as_the_classifier_default():
    from sklearn.ensemble import RandomForestClassifier

    from skgait.pipelines import make_gait_pipeline

    forest = make_gait_pipeline("age", random_state=0).steps[-1][1].classifier
    assert forest.max_features == RandomForestClassifier().max_features == "sqrt"
