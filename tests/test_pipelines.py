"""make_gait_pipeline: one measured configuration per task, conformant, fits real windows."""

import numpy as np
import pytest
from sklearn.base import is_classifier, is_regressor

from skgait.pipelines import TASKS, GaitPipeline, make_gait_pipeline
from skgait.utils.estimator_checks import CHECKS_3D, SKLEARN_API_CHECKS


def _id(value):
    return getattr(value, "__name__", repr(value))


@pytest.mark.parametrize("check", CHECKS_3D + SKLEARN_API_CHECKS, ids=_id)
@pytest.mark.parametrize("task", TASKS)
def test_pipeline_passes_conformance_checks(task, check):
    check(f"make_gait_pipeline({task!r})", make_gait_pipeline(task, random_state=0))


@pytest.mark.parametrize("task", TASKS)
def test_pipeline_kind(task):
    pipe = make_gait_pipeline(task)
    assert isinstance(pipe, GaitPipeline)
    assert is_regressor(pipe) if task == "age" else is_classifier(pipe)


def test_unknown_task_is_named():
    with pytest.raises(ValueError, match="Unknown task 'sex'; expected one of"):
        make_gait_pipeline("sex")


def test_predict_subjects_averages_window_probabilities():
    from skgait.utils.estimator_checks import make_windows

    X, y = make_windows(n_windows=6, n_timepoints=64)
    pipe = make_gait_pipeline("gender", random_state=0).fit(X, y)
    groups = np.array(["b", "a", "b", "a", "b", "a"])
    subjects, proba = pipe.predict_proba_subjects(X, groups)
    window_proba = pipe.predict_proba(X)
    assert subjects.tolist() == ["a", "b"]
    np.testing.assert_allclose(proba[0], window_proba[groups == "a"].mean(axis=0))
    _, labels = pipe.predict_subjects(X, groups)
    np.testing.assert_array_equal(labels, pipe.classes_[proba.argmax(axis=1)])


@pytest.fixture(scope="module")
def sisfall_subset(data_home):
    from skgait.datasets import load_sisfall, make_windows

    X, meta = make_windows(load_sisfall(data_home=data_home), placement="waist")
    subjects = ["SA01", "SA02", "SA03", "SA06", "SE01", "SE02", "SE03", "SE06"]
    first = meta.groupby("subject").cumcount().to_numpy() < 12  # 12 windows each
    keep = meta["subject"].isin(subjects).to_numpy() & first
    return X[keep], meta[keep].reset_index(drop=True)


@pytest.mark.realdata
@pytest.mark.parametrize("task", TASKS)
def test_pipeline_fits_real_windows(task, sisfall_subset):
    X, meta = sisfall_subset
    y = {
        "gender": meta["sex"],
        "age": meta["age"],
        "age_group": np.where(meta["age"] >= 45, "elderly", "young"),
        "identity": meta["subject"],
    }[task]
    pipe = make_gait_pipeline(task, random_state=0).fit(X, y)
    subjects, pred = pipe.predict_subjects(X, meta["subject"])
    assert len(subjects) == 8 and len(pred) == 8
    if task == "identity":  # the training windows themselves: each person found
        np.testing.assert_array_equal(pred, subjects)
