"""Window- and subject-level samplers on 3-D windows, in imblearn pipelines; the metrics of Chatzitzisi et al. (2020)."""

import numpy as np
import pytest
import sklearn
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate

from skgait import ACFTransformer
from skgait.model_selection import SubjectKFold, evaluate
from skgait.models import GaitCNNClassifier
from skgait.sampling import (
    SubjectRandomUnderSampler,
    WindowRandomOverSampler,
    WindowRandomUnderSampler,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    # 6 subjects of class 0 (3 with 10 windows, 3 with 4), 2 of class 1 (5 windows each)
    sizes = [10, 10, 10, 4, 4, 4, 5, 5]
    groups = np.repeat(np.arange(8), sizes)
    y = (groups >= 6).astype(int)
    X = rng.normal(size=(len(y), 3, 32)) + y[:, None, None]
    return X, y, groups


def test_window_over_and_under_sampling_keep_3d(data):
    X, y, _ = data
    Xo, yo = WindowRandomOverSampler(random_state=0).fit_resample(X, y)
    assert Xo.ndim == 3 and np.bincount(yo).tolist() == [42, 42]
    Xu, yu = WindowRandomUnderSampler(random_state=0).fit_resample(X, y)
    assert Xu.shape[1:] == X.shape[1:] and np.bincount(yu).tolist() == [10, 10]
    s = WindowRandomUnderSampler(random_state=0)
    s.fit_resample(X, y)
    np.testing.assert_array_equal(Xu, X[s.sample_indices_])


def test_subject_sampler_equalises_windows_then_subjects(data):
    X, y, groups = data
    s = SubjectRandomUnderSampler(random_state=0)
    Xr, yr = s.fit_resample(X, y, groups=groups)
    subjects, counts = np.unique(s.groups_resampled_, return_counts=True)
    assert counts.tolist() == [4] * 4  # min windows per subject
    assert s.subjects_per_class_ == {0: 2, 1: 2}
    assert np.bincount(yr).tolist() == [8, 8]
    np.testing.assert_array_equal(Xr, X[s.sample_indices_])


def test_subject_sampler_without_class_balance_and_with_cap(data):
    X, y, groups = data
    s = SubjectRandomUnderSampler(windows_per_subject=5, balance_classes=False, random_state=0)
    _, yr = s.fit_resample(X, y, groups=groups)
    assert len(yr) == 3 * 5 + 3 * 4 + 2 * 5
    assert s.subjects_per_class_ == {0: 6, 1: 2}


def test_subject_sampler_errors(data):
    X, y, groups = data
    with pytest.raises(ValueError, match="groups=subjects"):
        SubjectRandomUnderSampler().fit_resample(X, y)
    y_mixed = y.copy()
    y_mixed[0] = 1
    with pytest.raises(ValueError, match="one label per subject"):
        SubjectRandomUnderSampler().fit_resample(X, y_mixed, groups=groups)
    with pytest.raises(ValueError, match="n_windows, n_channels"):
        WindowRandomOverSampler().fit_resample(X[:, 0], y)


def test_subject_sampler_in_pipeline_receives_groups_by_routing(data):
    X, y, groups = data
    pipe = make_pipeline(
        SubjectRandomUnderSampler(random_state=0), ACFTransformer(lags=4), LogisticRegression()
    )
    with sklearn.config_context(enable_metadata_routing=True):
        pipe.fit(X, y, groups=groups)
        assert pipe.steps[0][1].subjects_per_class_ == {0: 2, 1: 2}
        res = cross_validate(pipe, X, y, cv=SubjectKFold(2), params={"groups": groups})
    assert len(res["test_score"]) == 2


def test_window_sampler_before_cnn_in_pipeline(data):
    X, y, _ = data
    pipe = make_pipeline(
        WindowRandomOverSampler(random_state=0), GaitCNNClassifier(max_epochs=1, random_state=0)
    )
    pipe.fit(X.astype(np.float32), y)
    assert pipe.predict(X.astype(np.float32)).shape == (len(y),)
    assert clone(pipe).steps[0][1].random_state == 0


def test_evaluate_reports_seed003_metrics(data):
    X, y, groups = data
    res = evaluate(
        make_pipeline(ACFTransformer(lags=4), LogisticRegression()),
        X,
        y,
        groups,
        n_splits=2,
        aggregate="vote",
    )
    assert {"precision", "recall", "f1", "balanced_accuracy", "subject_f1"} <= set(res.columns)
