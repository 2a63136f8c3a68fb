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
def sisfall_windows(data_home):
    from skgait.datasets import load_sisfall, make_windows

    X, meta = make_windows(load_sisfall(data_home=data_home), placement="waist")
    return X, meta.reset_index(drop=True)


def _first(meta, n):
    """The first ``n`` windows of every recording."""
    return meta.groupby("recording").cumcount().to_numpy() < n


@pytest.fixture(scope="module")
def sisfall_subset(sisfall_windows):
    X, meta = sisfall_windows
    subjects = ["SA01", "SA02", "SA03", "SA06", "SE01", "SE02", "SE03", "SE06"]
    keep = meta["subject"].isin(subjects).to_numpy() & _first(meta, 6)  # 12 windows each
    return X[keep], meta[keep].reset_index(drop=True)


def _targets(meta, task):
    return {
        "gender": meta["sex"].to_numpy(),
        "age": meta["age"].to_numpy(float),
        "age_group": np.where(meta["age"] >= 45, "elderly", "young"),
        "identity": meta["subject"].to_numpy(),
    }[task]


@pytest.mark.realdata
@pytest.mark.parametrize("task", TASKS)
def test_pipeline_fits_real_windows(task, sisfall_subset):
    X, meta = sisfall_subset
    pipe = make_gait_pipeline(task, random_state=0).fit(X, _targets(meta, task))
    subjects, pred = pipe.predict_subjects(X, meta["subject"])
    assert len(subjects) == 8 and len(pred) == 8
    if task == "identity":  # the training windows themselves: each person found
        np.testing.assert_array_equal(pred, subjects)


#: Held-out SisFall subjects: 4 young (2 F, 2 M) and 4 elderly (2 F, 2 M).
_HELD_OUT = ["SA01", "SA02", "SA09", "SA12", "SE02", "SE05", "SE10", "SE12"]


@pytest.mark.realdata
@pytest.mark.parametrize("task", ["gender", "age", "age_group"])
def test_pipeline_beats_the_baseline_on_held_out_subjects(task, sisfall_windows):
    """Trained on 30 SisFall subjects, scored per subject on 8 others never seen.

    The bar is the baseline's (chance balanced accuracy 0.5, the training
    median for age), not the cross-validated accuracy: 8 subjects are too
    few for a tighter one.
    """
    from sklearn.metrics import balanced_accuracy_score, mean_absolute_error

    X, meta = sisfall_windows
    in_pool = _first(meta, 10)
    test = in_pool & meta["subject"].isin(_HELD_OUT).to_numpy()
    train = in_pool & ~test
    y = _targets(meta, task)
    pipe = make_gait_pipeline(task, random_state=0).fit(X[train], y[train])
    subjects, pred = pipe.predict_subjects(X[test], meta["subject"][test])
    truth = meta[test].groupby("subject")["subject"].first().index
    assert subjects.tolist() == sorted(_HELD_OUT) == truth.tolist()
    y_subject = (
        meta[test].assign(y=y[test]).groupby("subject")["y"].first().loc[subjects].to_numpy()
    )
    if task == "age":
        median_mae = mean_absolute_error(y_subject, np.full(8, np.median(y[train])))
        assert mean_absolute_error(y_subject, pred) < median_mae
    else:
        assert balanced_accuracy_score(y_subject, pred) > 0.5


@pytest.mark.realdata
def test_identity_pipeline_finds_people_in_another_session(sisfall_windows):
    """Trained on the slow walk (D01) of 8 people, applied to their fast walk (D02)."""
    X, meta = sisfall_windows
    in_pool = meta["subject"].isin(_HELD_OUT).to_numpy() & _first(meta, 10)
    session = meta["recording"].str[:3].to_numpy()
    train, test = in_pool & (session == "D01"), in_pool & (session == "D02")
    y = meta["subject"].to_numpy()
    pipe = make_gait_pipeline("identity", random_state=0).fit(X[train], y[train])
    subjects, pred = pipe.predict_subjects(X[test], y[test])
    assert np.mean(pred == subjects) >= 0.5  # chance: 1 in 8


@pytest.mark.realdata
def test_identity_pipeline_predicts_the_same_for_a_remounted_device(sisfall_subset):
    """Every probe recording turned 15-45 degrees: the same probabilities."""
    from skgait.datasets import random_remount

    X, meta = sisfall_subset
    y = meta["subject"].to_numpy()
    pipe = make_gait_pipeline("identity").fit(X, y)
    turned, _ = random_remount(X, (meta["subject"] + meta["recording"]).to_numpy(), random_state=0)
    assert not np.allclose(turned, X)
    np.testing.assert_allclose(pipe.predict_proba(turned), pipe.predict_proba(X), atol=1e-6)


@pytest.mark.realdata
def test_gender_pipeline_predicts_the_same_for_a_remounted_device(sisfall_subset):
    """Both members of the gender vote read gravity-aligned channels: every
    recording turned 15-45 degrees leaves the probabilities as they were."""
    from skgait.datasets import random_remount

    X, meta = sisfall_subset
    pipe = make_gait_pipeline("gender", random_state=0).fit(X, meta["sex"].to_numpy())
    turned, _ = random_remount(X, (meta["subject"] + meta["recording"]).to_numpy(), random_state=0)
    assert not np.allclose(turned, X)
    np.testing.assert_allclose(pipe.predict_proba(turned), pipe.predict_proba(X), atol=1e-3)


@pytest.mark.parametrize("task", TASKS)
def test_nested_random_state_makes_fits_reproducible(task):
    """``check_random_state_determinism`` looks for a top-level ``random_state``,
    which a pipeline has not: the same check through the forest's seed."""
    from skgait.utils.estimator_checks import make_windows

    X, y = make_windows(task="regression" if task == "age" else "classification")
    outputs = []
    for _ in range(2):
        pipe = make_gait_pipeline(task, random_state=0).fit(X, y)
        outputs.append(pipe.predict_proba(X) if task != "age" else pipe.predict(X))
    np.testing.assert_array_equal(outputs[0], outputs[1])


#: 3-D checks with nothing to check on these pipelines: no ``transform`` (they
#: end in a model) and no top-level ``random_state`` (the forest's seed is
#: nested; ``test_nested_random_state_makes_fits_reproducible`` covers it).
_NOT_APPLICABLE = {"check_transformer_preserves_dtype", "check_random_state_determinism"}


@pytest.mark.parametrize("task", TASKS)
def test_conformance_checks_really_exercise_the_pipeline(task, monkeypatch):
    """Count the 3-D checks that fitted or called the pipeline on data (a check
    that returns early passes without checking anything)."""
    import skgait.utils.estimator_checks as ec

    calls = []
    data_for = ec._data_for
    monkeypatch.setattr(ec, "_data_for", lambda *a, **k: calls.append(1) or data_for(*a, **k))
    exercised = set()
    for check in CHECKS_3D:
        before = len(calls)
        check(task, make_gait_pipeline(task, random_state=0))
        if len(calls) > before:
            exercised.add(check.__name__)
    data_free = {"check_clone_params"}  # compares parameters only
    names = {check.__name__ for check in CHECKS_3D}
    assert names - exercised - data_free == _NOT_APPLICABLE
    assert len(exercised) == len(CHECKS_3D) - len(_NOT_APPLICABLE) - len(data_free) >= 10


@pytest.mark.parametrize("task", ["gender", "age", "age_group"])
def test_bandwidth_band_limits_the_features(task):
    pipe = make_gait_pipeline(task, bandwidth=10.0)
    band_limit = pipe.named_steps["features"][0]
    assert type(band_limit).__name__ == "BandLimit" and band_limit.cutoff == 10.0


def test_bandwidth_leaves_out_gender_band_powers_above_it():
    from skgait.utils.estimator_checks import make_windows

    X, y = make_windows(n_windows=8)
    pipe = make_gait_pipeline("gender", bandwidth=10.0)
    vote = pipe.named_steps["votingclassifier"]
    statistics = vote.named_estimators["statistics"][0]
    names = statistics.fit(pipe[:1].fit_transform(X)).get_feature_names_out()
    assert not any(name.endswith("12Hz") for name in names)
    assert any(name.endswith("logpower_6_10Hz") for name in names)


def test_gender_vote_standardises_each_dataset_with_its_domains():
    """With the domains routed, the statistics member reads a dataset whose
    windows are 3 times larger as the training dataset itself (the member's
    features are standardised per dataset); without them it does not."""
    import sklearn

    from skgait.utils.estimator_checks import make_windows

    X, y = make_windows(n_windows=40, n_channels=6, n_timepoints=128)
    X = X + np.array([0, 0, 9.8, 0, 0, 0])[:, None]  # gravity along z
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_gait_pipeline("gender", random_state=0)
        pipe.set_params(votingclassifier__minirocket="drop")
        pipe.fit(X, y, domains=["a"] * len(X))
        members = pipe.named_steps["votingclassifier"].named_estimators_
        assert members["statistics"][1].domains_.tolist() == ["a"]
        as_fitted = pipe.predict_proba(X, domains=["a"] * len(X))
        larger = pipe.predict_proba(3 * X, domains=["b"] * len(X))
        _, per_subject = pipe.predict_proba_subjects(3 * X, y, domains=["b"] * len(X))
    np.testing.assert_allclose(larger, as_fitted)
    np.testing.assert_allclose(per_subject[0], larger[y == 0].mean(axis=0))
    assert not np.allclose(pipe.predict_proba(3 * X), as_fitted)


def test_age_group_pipeline_averages_three_logistic_penalties():
    """The age-group vote: ACF and sample entropy, then the mean probability
    of logistic regressions at C = 0.01, 0.1 and 1 (none chosen)."""
    from sklearn.utils import get_tags

    from skgait.utils.estimator_checks import make_windows

    pipe = make_gait_pipeline("age_group")
    assert get_tags(pipe).input_tags.three_d_array  # read through the feature union
    union = pipe.named_steps["features"]
    assert [type(t).__name__ for _, t in union.transformer_list] == ["ACFTransformer", "Pipeline"]
    assert union.transformer_list[0][1].lags == 0.2
    assert type(union.transformer_list[1][1][-1]).__name__ == "SampleEntropy"
    vote = pipe.named_steps["votingclassifier"]
    assert [member[-1].C for _, member in vote.estimators] == [0.01, 0.1, 1.0]
    X, y = make_windows(n_windows=30, n_channels=6, n_timepoints=128)
    X = X + np.array([0, 0, 9.8, 0, 0, 0])[:, None]
    pipe.fit(X, y)
    features = pipe[:1].transform(X)
    assert features.shape == (30, 6 * 10 + 6)  # 10 lags of 6 channels, 6 entropies
    members = pipe.named_steps["votingclassifier"].estimators_
    np.testing.assert_allclose(
        pipe.predict_proba(X), np.mean([m.predict_proba(features) for m in members], axis=0)
    )


def test_bandwidth_is_refused_for_identity():
    with pytest.raises(ValueError, match="bandwidth is not available for 'identity'"):
        make_gait_pipeline("identity", bandwidth=10.0)
