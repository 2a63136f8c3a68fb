"""Behaviour of skgait.model_selection: splitters, protocols, aggregation, baselines."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, mean_absolute_error
from sklearn.model_selection import GroupKFold, cross_val_score, cross_validate

import skgait.model_selection as ms
from skgait.model_selection import (
    CrossSessionSplit,
    LeakyWindowKFold,
    SubjectKFold,
    SubjectRegressionKFold,
    aggregate_predictions,
    check_subject_wise,
    evaluate,
    evaluation_protocols,
    get_protocol,
    make_aggregated_scorer,
    make_baseline,
)


def _dataset(n_subjects, seed, windows=(3, 12), classes=("F", "M")):
    """Subjects with a random number of windows, one label and age each."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(windows[0], windows[1] + 1, size=n_subjects)
    groups = np.repeat([f"s{i:02d}" for i in range(n_subjects)], counts)
    labels = np.array(classes)[np.arange(n_subjects) % len(classes)]
    ages = rng.uniform(20, 80, size=n_subjects).round(1)
    subject_index = np.repeat(np.arange(n_subjects), counts)
    X = rng.normal(size=(len(groups), 2, 8))
    return X, labels[subject_index], ages[subject_index], groups


def _assert_no_shared_group(cv, X, y, groups):
    n = 0
    covered = np.zeros(len(groups), dtype=int)
    for train, test in cv.split(X, y, groups):
        assert not set(groups[train]) & set(groups[test])
        covered[test] += 1
        n += 1
    assert n == cv.get_n_splits(X, y, groups)
    return covered


# ---------------------------------------------------------------------------
# Subject-wise splitters
# ---------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:SubjectKFold. some classes have fewer subjects")
@settings(max_examples=60, deadline=None)
@given(
    n_subjects=st.integers(4, 25),
    n_splits=st.integers(2, 4),
    shuffle=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_subject_kfold_never_puts_a_subject_on_both_sides(n_subjects, n_splits, shuffle, seed):
    X, sex, _, groups = _dataset(n_subjects, seed)
    cv = SubjectKFold(n_splits, shuffle=shuffle, random_state=seed if shuffle else None)
    covered = _assert_no_shared_group(cv, X, sex, groups)
    assert np.all(covered == 1)  # every window tested exactly once


@settings(max_examples=60, deadline=None)
@given(
    n_subjects=st.integers(4, 25),
    n_splits=st.integers(2, 4),
    bins=st.one_of(st.integers(1, 5), st.just([40.0, 60.0])),
    seed=st.integers(0, 10_000),
)
def test_subject_regression_kfold_never_puts_a_subject_on_both_sides(
    n_subjects, n_splits, bins, seed
):
    X, _, age, groups = _dataset(n_subjects, seed)
    cv = SubjectRegressionKFold(n_splits, bins=bins, shuffle=True, random_state=seed)
    covered = _assert_no_shared_group(cv, X, age, groups)
    assert np.all(covered == 1)


def test_subject_kfold_balances_classes():
    # 20 subjects, 25 % women, 10 windows each: every fold should hold
    # one woman for every three men, as the whole set does.
    groups = np.repeat(np.arange(20), 10)
    y = np.where(groups < 5, "F", "M")
    X = np.zeros((200, 1))
    for train, test in SubjectKFold(5, shuffle=True, random_state=0).split(X, y, groups):
        assert np.mean(y[test] == "F") == pytest.approx(0.25)
        assert np.mean(y[train] == "F") == pytest.approx(0.25)


def test_subject_kfold_stratifies_better_than_unstratified_group_kfold():
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(30), rng.integers(5, 15, size=30))
    y = (rng.random(30) < 0.3)[groups].astype(int)
    X = np.zeros((len(groups), 1))

    def spread(cv):
        return np.std([y[test].mean() for _, test in cv.split(X, y, groups)])

    assert spread(SubjectKFold(5)) < spread(GroupKFold(5))


def test_subject_regression_kfold_balances_age_bins():
    # Six young and six old subjects; each of three folds gets both.
    ages = np.repeat([20, 22, 24, 26, 28, 30, 60, 62, 64, 66, 68, 70.0], 4)
    groups = np.repeat(np.arange(12), 4)
    cv = SubjectRegressionKFold(3, bins=[45.0], shuffle=True, random_state=0)
    for _, test in cv.split(np.zeros((48, 1)), ages, groups):
        assert len(np.unique(groups[test][ages[test] < 45])) == 2
        assert len(np.unique(groups[test][ages[test] > 45])) == 2


def test_subject_regression_kfold_quantile_bins_spread_the_age_range():
    rng = np.random.default_rng(0)
    subject_age = np.sort(rng.uniform(18, 90, size=20))
    groups = np.repeat(np.arange(20), 6)
    ages = subject_age[groups]
    cv = SubjectRegressionKFold(4, bins=4)
    for _, test in cv.split(np.zeros((120, 1)), ages, groups):
        # Every fold has a subject from each age quartile.
        assert set(np.unique(groups[test]) // 5) == {0, 1, 2, 3}


@pytest.mark.parametrize(
    "cv", [SubjectKFold(2), SubjectRegressionKFold(2), CrossSessionSplit("1", "2")]
)
def test_splitters_require_groups(cv):
    X, sex, age, _ = _dataset(6, 0)
    y = age if isinstance(cv, SubjectRegressionKFold) else sex
    with pytest.raises(ValueError, match="needs `groups`"):
        next(cv.split(X, y))


@pytest.mark.parametrize("cv", [SubjectKFold(2), SubjectRegressionKFold(2)])
def test_splitters_reject_groups_of_wrong_length(cv):
    X, _, age, groups = _dataset(6, 0)
    with pytest.raises(ValueError, match="same length"):
        next(cv.split(X, age if isinstance(cv, SubjectRegressionKFold) else None, groups[:-1]))


def test_subject_kfold_rejects_continuous_target():
    X, _, age, groups = _dataset(6, 0)
    with pytest.raises(ValueError, match="SubjectRegressionKFold"):
        next(SubjectKFold(2).split(X, age, groups))


def test_subject_kfold_rejects_more_splits_than_subjects():
    X, sex, _, groups = _dataset(3, 0)
    with pytest.raises(ValueError, match="number of subjects"):
        next(SubjectKFold(5).split(X, sex, groups))


def test_subject_kfold_warns_when_a_class_has_fewer_subjects_than_folds():
    groups = np.repeat(np.arange(12), 5)
    y = np.where(groups < 3, "F", "M")  # 3 women, 9 men
    X = np.zeros((60, 1))
    with pytest.warns(UserWarning, match="fewer subjects than n_splits=4"):
        list(SubjectKFold(4).split(X, y, groups))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(SubjectKFold(3).split(X, y, groups))


def test_subject_kfold_without_y_balances_only_sizes():
    X, _, _, groups = _dataset(8, 0)
    covered = _assert_no_shared_group(SubjectKFold(4), X, None, groups)
    assert np.all(covered == 1)


def test_subject_regression_kfold_rejects_bad_bins():
    X, _, age, groups = _dataset(8, 0)
    with pytest.raises(ValueError, match="increasing"):
        next(SubjectRegressionKFold(2, bins=[60.0, 30.0]).split(X, age, groups))


def test_subject_kfold_works_in_cross_val_score():
    X, sex, _, groups = _dataset(10, 0)
    scores = cross_val_score(
        DummyClassifier(), X.reshape(len(X), -1), sex, groups=groups, cv=SubjectKFold(5)
    )
    assert scores.shape == (5,)


def test_subject_kfold_receives_groups_through_metadata_routing():
    X, sex, _, groups = _dataset(10, 0)
    with sklearn.config_context(enable_metadata_routing=True):
        scores = cross_val_score(
            DummyClassifier(),
            X.reshape(len(X), -1),
            sex,
            params={"groups": groups},
            cv=SubjectKFold(5),
        )
    assert scores.shape == (5,)


def test_check_subject_wise_flags_a_leaky_splitter():
    X, sex, _, groups = _dataset(6, 0)
    assert check_subject_wise(SubjectKFold(3), X, sex, groups) == 3
    with pytest.raises(ValueError, match="not subject-wise"):
        check_subject_wise(LeakyWindowKFold(3, random_state=0), X, sex, groups)


# ---------------------------------------------------------------------------
# Cross-session split
# ---------------------------------------------------------------------------


def _sessions_dataset(seed=0):
    """Subjects with sessions D01/D02 (and D03 for some); s09 has only D01."""
    rng = np.random.default_rng(seed)
    subject, session = [], []
    for s in range(10):
        sessions = ["D01"] if s == 9 else ["D01", "D02"] + (["D03"] if s % 3 == 0 else [])
        for sess in sessions:
            n = rng.integers(2, 6)
            subject += [f"s{s}"] * n
            session += [sess] * n
    return np.array(subject), np.array(session)


def test_cross_session_split_train_on_one_session_test_on_another():
    subject, session = _sessions_dataset()
    X = np.zeros((len(subject), 1))
    cv = CrossSessionSplit(train="D01", test="D02")
    ((train, test),) = list(cv.split(X, groups=np.column_stack([subject, session])))
    assert set(session[train]) == {"D01"}
    assert set(session[test]) == {"D02"}
    # Same subjects on both sides; s09 (no D02) is dropped.
    assert set(subject[train]) == set(subject[test]) == {f"s{i}" for i in range(9)}
    assert cv.get_n_splits() == 1


def test_cross_session_split_with_session_labels_only():
    subject, session = _sessions_dataset()
    cv = CrossSessionSplit(train="D01", test=["D02", "D03"])
    ((train, test),) = list(cv.split(np.zeros((len(session), 1)), groups=session))
    assert set(session[train]) == {"D01"} and set(session[test]) == {"D02", "D03"}
    assert "s9" in set(subject[train])  # no subject filter without subject ids


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_leave_one_session_out_never_shares_a_session(seed):
    subject, session = _sessions_dataset(seed)
    groups = np.column_stack([subject, session])
    X = np.zeros((len(subject), 1))
    cv = CrossSessionSplit()
    splits = list(cv.split(X, groups=groups))
    assert len(splits) == cv.get_n_splits(groups=groups) == 3
    for train, test in splits:
        assert not set(session[train]) & set(session[test])
        assert set(subject[train]) == set(subject[test])


def test_cross_session_split_in_cross_val_score():
    subject, session = _sessions_dataset()
    X = np.zeros((len(subject), 1))
    y = np.where(np.isin(subject, ["s0", "s2", "s4", "s6", "s8"]), "F", "M")
    scores = cross_val_score(
        DummyClassifier(),
        X,
        y,
        groups=np.column_stack([subject, session]),
        cv=CrossSessionSplit("D01", "D02"),
    )
    assert scores.shape == (1,)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"train": "D01"}, "both"),
        ({"train": "D01", "test": "D01"}, "both `train` and `test`"),
        ({"train": "D01", "test": "D09"}, "do not occur"),
    ],
)
def test_cross_session_split_errors(kwargs, match):
    _, session = _sessions_dataset()
    with pytest.raises(ValueError, match=match):
        next(CrossSessionSplit(**kwargs).split(np.zeros((len(session), 1)), groups=session))


# ---------------------------------------------------------------------------
# Leaky protocol and the registry
# ---------------------------------------------------------------------------


def test_leaky_window_kfold_puts_subjects_on_both_sides():
    X, sex, _, groups = _dataset(5, 0, windows=(10, 10))
    cv = LeakyWindowKFold(5, random_state=0)
    for train, test in cv.split(X, sex, groups):
        assert set(groups[test]) <= set(groups[train])


def test_leaky_split_exists_only_under_its_name():
    leaky = [
        name
        for name in ms.__all__
        if isinstance(getattr(ms, name), type)
        and "leak" in (getattr(ms, name).__doc__ or "").lower()[:80]
    ]
    assert leaky == ["LeakyWindowKFold"]
    # The default protocol everywhere is the subject-wise one.
    assert next(iter(evaluation_protocols())) == "subject"
    assert isinstance(get_protocol(), SubjectKFold)
    assert isinstance(get_protocol(task="regression"), SubjectRegressionKFold)
    assert isinstance(get_protocol("leaky_window"), LeakyWindowKFold)
    assert isinstance(get_protocol("cross_session", train="1", test="2"), CrossSessionSplit)
    assert set(evaluation_protocols()) == {"subject", "cross_session", "leaky_window"}


def test_get_protocol_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown protocol 'random'"):
        get_protocol("random")
    with pytest.raises(ValueError, match="Unknown task"):
        get_protocol("subject", task="ranking")


# ---------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------


def test_vote_by_hand():
    groups = ["r1", "r1", "r1", "r2", "r2", "r3"]
    labels = ["F", "M", "F", "M", "M", "F"]
    uniq, agg = aggregate_predictions(labels, groups, method="vote")
    assert uniq.tolist() == ["r1", "r2", "r3"]
    assert agg.tolist() == ["F", "M", "F"]


def test_vote_ties_go_to_the_smallest_label():
    _, agg = aggregate_predictions(["M", "F", "M", "F"], ["a"] * 4, method="vote")
    assert agg.tolist() == ["F"]
    _, agg = aggregate_predictions([2, 1, 1, 2], [0, 0, 1, 1], method="vote")
    assert agg.tolist() == [1, 1]


def test_vote_on_probabilities_returns_vote_fractions():
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.6, 0.4]])
    _, agg = aggregate_predictions(proba, [0, 0, 0, 1], method="vote")
    np.testing.assert_allclose(agg, [[1 / 3, 2 / 3], [1.0, 0.0]])


def test_mean_proba_by_hand():
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])
    _, agg = aggregate_predictions(proba, [0, 0, 0], method="mean_proba")
    np.testing.assert_allclose(agg, [[1.4 / 3, 1.6 / 3]])


def test_product_proba_by_hand():
    # Product: F 0.9*0.2*0.3 = 0.054, M 0.1*0.8*0.7 = 0.056 → M slightly,
    # whereas the mean (0.467 vs 0.533) and the vote (1 vs 2) also say M.
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])
    _, agg = aggregate_predictions(proba, [0, 0, 0], method="product_proba")
    np.testing.assert_allclose(agg, [[0.054 / 0.110, 0.056 / 0.110]])
    # One confident window dominates the product but not the vote.
    proba = np.array([[0.99, 0.01], [0.4, 0.6], [0.4, 0.6]])
    _, prod = aggregate_predictions(proba, [0, 0, 0], method="product_proba")
    _, vote = aggregate_predictions(proba, [0, 0, 0], method="vote")
    assert prod[0].argmax() == 0 and vote[0].argmax() == 1


def test_product_proba_survives_zero_probabilities():
    proba = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    _, agg = aggregate_predictions(proba, [0, 0, 0], method="product_proba")
    assert np.all(np.isfinite(agg))
    assert agg[0].argmax() == 1


def test_mean_and_median_for_regression():
    values = [20.0, 30.0, 70.0, 50.0, 52.0]
    groups = ["a", "a", "a", "b", "b"]
    _, mean = aggregate_predictions(values, groups, method="mean")
    _, median = aggregate_predictions(values, groups, method="median")
    np.testing.assert_allclose(mean, [40.0, 51.0])
    np.testing.assert_allclose(median, [30.0, 51.0])


def test_aggregation_keeps_groups_apart_by_any_label_type():
    uniq, agg = aggregate_predictions([1.0, 2.0, 3.0], [10, 2, 10], method="mean")
    assert uniq.tolist() == [2, 10]
    np.testing.assert_allclose(agg, [2.0, 2.0])


@pytest.mark.parametrize(
    "y, groups, method, match",
    [
        ([1, 2], [0, 0], "majority", "unknown aggregation method 'majority'"),
        ([1, 2, 3], [0, 0], "vote", "same length"),
        ([1, 2], None, "vote", "needs `groups`"),
        ([0.1, 0.2], [0, 0], "mean_proba", "predict_proba"),
        ([[0.1, 0.9]], [0], "mean", "1-D regression"),
        ([[np.nan, 1.0]], [0], "product_proba", "NaN"),
    ],
)
def test_aggregation_errors(y, groups, method, match):
    with pytest.raises(ValueError, match=match):
        aggregate_predictions(y, groups, method=method)


# ---------------------------------------------------------------------------
# Aggregated scorers
# ---------------------------------------------------------------------------


def _separable(seed=0, n_subjects=8, per_subject=10, noise=1.0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_subjects), per_subject)
    y = groups % 2
    X = rng.normal(scale=noise, size=(len(groups), 3)) + 1.5 * y[:, None]
    return X, y, groups


def test_aggregated_scorer_matches_hand_computation():
    X, y, groups = _separable(noise=3.0)
    clf = LogisticRegression().fit(X, y)
    scorer = make_aggregated_scorer(accuracy_score, method="mean_proba")
    _, proba = aggregate_predictions(clf.predict_proba(X), groups, method="mean_proba")
    expected = accuracy_score(y[::10], clf.classes_[proba.argmax(axis=1)])
    assert scorer(clf, X, y, groups=groups) == pytest.approx(expected)
    vote = make_aggregated_scorer(accuracy_score, method="vote")
    _, labels = aggregate_predictions(clf.predict(X), groups, method="vote")
    assert vote(clf, X, y, groups=groups) == pytest.approx(accuracy_score(y[::10], labels))


@pytest.mark.parametrize("method", ["vote", "mean_proba", "product_proba"])
def test_aggregated_scorer_in_cross_val_score_with_group_kfold(method):
    X, y, groups = _separable(noise=2.0)
    scorer = make_aggregated_scorer(accuracy_score, method=method)
    cv = GroupKFold(n_splits=4)
    with sklearn.config_context(enable_metadata_routing=True):
        scores = cross_val_score(
            LogisticRegression(), X, y, cv=cv, scoring=scorer, params={"groups": groups}
        )
    # Recompute by hand: each fold scores its two test subjects.
    expected = []
    for train, test in cv.split(X, y, groups):
        clf = LogisticRegression().fit(X[train], y[train])
        expected.append(scorer(clf, X[test], y[test], groups=groups[test]))
    np.testing.assert_allclose(scores, expected)
    assert set(np.round(scores * 2) / 2) <= {0.0, 0.5, 1.0}  # two subjects per fold


def test_aggregated_scorer_at_recording_level_via_alias():
    X, y, groups = _separable(per_subject=12)
    recordings = np.char.add(groups.astype(str), np.tile(np.repeat(["a", "b"], 6), 8))
    subject_scorer = make_aggregated_scorer(accuracy_score)
    recording_scorer = make_aggregated_scorer(accuracy_score, level="recording")
    n_units = {}

    def count(y_true, y_pred):
        n_units.setdefault("n", []).append(len(y_true))
        return accuracy_score(y_true, y_pred)

    counting = make_aggregated_scorer(count, level="recording")
    with sklearn.config_context(enable_metadata_routing=True):
        res = cross_validate(
            LogisticRegression(),
            X,
            y,
            cv=GroupKFold(4),
            scoring={"subject": subject_scorer, "recording": recording_scorer, "n": counting},
            params={"groups": groups, "recording": recordings},
        )
    assert set(res) >= {"test_subject", "test_recording"}
    assert n_units["n"] == [4, 4, 4, 4]  # 2 subjects x 2 recordings per test fold


def test_aggregated_regression_scorer():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(10), 5)
    age = rng.uniform(20, 70, size=10)[groups]
    X = age[:, None] + rng.normal(scale=5, size=(50, 1))
    scorer = make_aggregated_scorer(mean_absolute_error, method="mean", greater_is_better=False)
    with sklearn.config_context(enable_metadata_routing=True):
        scores = cross_val_score(
            LinearRegression(),
            X,
            age,
            cv=SubjectRegressionKFold(5),
            scoring=scorer,
            params={"groups": groups},
        )
    assert np.all(scores <= 0)


def test_aggregated_scorer_without_routing_explains_what_to_do():
    X, y, groups = _separable()
    scorer = make_aggregated_scorer(accuracy_score, method="mean_proba")
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        cross_val_score(
            LogisticRegression(),
            X,
            y,
            groups=groups,
            cv=GroupKFold(4),
            scoring=scorer,
            error_score="raise",
        )
    # With the default error_score=nan, sklearn turns the error into NaN
    # scores and a warning that carries the same explanation.
    with pytest.warns(UserWarning, match="enable_metadata_routing=True"):
        scores = cross_val_score(
            LogisticRegression(), X, y, groups=groups, cv=GroupKFold(4), scoring=scorer
        )
    assert np.isnan(scores).all()


def test_aggregated_scorer_rejects_varying_target_in_a_group():
    X, y, _ = _separable()
    clf = LogisticRegression().fit(X, y)
    scorer = make_aggregated_scorer(accuracy_score)
    with pytest.raises(ValueError, match="varies within"):
        scorer(clf, X, y, groups=np.zeros(len(y)))


def test_make_aggregated_scorer_rejects_unknown_method():
    with pytest.raises(ValueError, match="unknown aggregation method 'max'"):
        make_aggregated_scorer(accuracy_score, method="max")


# ---------------------------------------------------------------------------
# Baselines and evaluate
# ---------------------------------------------------------------------------


def test_make_baseline():
    assert isinstance(make_baseline("classification"), DummyClassifier)
    assert make_baseline("classification").strategy == "most_frequent"
    assert make_baseline("regression").strategy == "median"
    with pytest.raises(ValueError, match="Unknown task"):
        make_baseline("clustering")


def _subject_signature_data(seed=0, n_subjects=12, per_subject=20):
    """Each subject has a strong random signature unrelated to the label."""
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"s{i}" for i in range(n_subjects)], per_subject)
    idx = np.repeat(np.arange(n_subjects), per_subject)
    signature = rng.normal(scale=3.0, size=(n_subjects, 5))
    X = signature[idx] + rng.normal(scale=0.3, size=(len(idx), 5))
    sex = np.where(np.arange(n_subjects) % 2, "F", "M")[idx]
    age = rng.uniform(20, 80, size=n_subjects)[idx]
    return X, sex, age, groups


def test_evaluate_shows_the_leak_next_to_the_baseline():
    from sklearn.ensemble import RandomForestClassifier

    X, sex, _, groups = _subject_signature_data()
    res = evaluate(
        RandomForestClassifier(n_estimators=30, random_state=0),
        X,
        sex,
        groups,
        protocol=["leaky_window", "subject"],
        n_splits=4,
        aggregate="mean_proba",
    )
    assert list(res.columns[:3]) == ["protocol", "model", "n_splits"]
    assert {
        "accuracy",
        "balanced_accuracy",
        "subject_accuracy",
        "subject_balanced_accuracy",
        "fit_time",
    } <= set(res.columns)
    res = res.set_index(["protocol", "model"])
    assert res.loc[("leaky_window", "estimator"), "accuracy"] > 0.95
    assert res.loc[("subject", "estimator"), "balanced_accuracy"] < 0.8
    # Every test fold holds both classes: the mean over folds, where a
    # constant prediction scores exactly 0.5. (Pooled, the baseline would
    # score 1/3: the training majority of each of these stratified folds is
    # the minority of its test fold.)
    assert res.loc[("subject", "baseline"), "balanced_accuracy"] == 0.5


def test_evaluate_regression_reports_positive_mae():
    X, _, age, groups = _subject_signature_data()
    res = evaluate(LinearRegression(), X, age, groups, n_splits=3, aggregate="mean")
    assert res["model"].tolist() == ["estimator", "baseline"]
    assert (res["mae"] > 0).all() and (res["subject_mae"] > 0).all()


def test_evaluate_folds_are_shared_and_tidy():
    X, sex, _, groups = _subject_signature_data()
    folds = evaluate(LogisticRegression(), X, sex, groups, n_splits=3, return_folds=True)
    assert len(folds) == 6
    assert folds.groupby("model")["fold"].apply(list).tolist() == [[0, 1, 2]] * 2


def test_evaluate_cross_session_needs_sessions():
    X, sex, _, groups = _subject_signature_data()
    with pytest.raises(ValueError, match="needs `sessions`"):
        evaluate(LogisticRegression(), X, sex, groups, protocol="cross_session")
    sessions = np.tile(np.repeat(["1", "2"], 10), 12)
    res = evaluate(
        LogisticRegression(),
        X,
        sex,
        groups,
        protocol="cross_session",
        sessions=sessions,
        aggregate="vote",
    )
    assert res["n_splits"].tolist() == [2, 2]


def test_evaluate_leaves_global_routing_config_alone():
    X, sex, _, groups = _subject_signature_data()
    evaluate(LogisticRegression(), X, sex, groups, n_splits=3, aggregate="vote")
    assert sklearn.get_config()["enable_metadata_routing"] is False


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"groups": None}, "needs `groups`"),
        ({"aggregate": "max"}, "unknown aggregation method"),
        ({"protocol": "random"}, "Unknown protocol"),
        ({"task": "ranking"}, "Unknown task"),
    ],
)
def test_evaluate_errors(kwargs, match):
    X, sex, _, groups = _subject_signature_data()
    args = {"groups": groups, **kwargs}
    with pytest.raises(ValueError, match=match):
        evaluate(LogisticRegression(), X, sex, **args)


def test_evaluate_rejects_y_of_wrong_length():
    X, sex, _, groups = _subject_signature_data()
    with pytest.raises(ValueError, match="same length"):
        evaluate(LogisticRegression(), X, sex[:-1], groups)


def test_evaluate_accepts_pandas_inputs():
    X, sex, _, groups = _subject_signature_data()
    meta = pd.DataFrame({"sex": sex, "subject": groups, "dataset": "toy"})
    res = evaluate(
        LogisticRegression(), X, meta["sex"], meta["dataset"] + ":" + meta["subject"], n_splits=3
    )
    assert len(res) == 2


@pytest.mark.parametrize("cv_class", [SubjectKFold, SubjectRegressionKFold])
def test_subject_splitters_draw_a_partition_per_seed(cv_class):
    # Subjects with one class (or age bin) each and unequal window counts:
    # StratifiedGroupKFold's greedy order ignored the seed here.
    rng = np.random.default_rng(0)
    n_windows = rng.integers(5, 40, size=16)
    groups = np.repeat(np.arange(16), n_windows)
    age = np.repeat(np.linspace(20, 70, 16), n_windows)
    y = age if cv_class is SubjectRegressionKFold else np.where(age > 40, "old", "young")
    X = np.zeros((len(y), 1))
    partitions = {
        frozenset(
            frozenset(groups[test])
            for _, test in cv_class(n_splits=4, shuffle=True, random_state=seed).split(X, y, groups)
        )
        for seed in range(10)
    }
    assert len(partitions) >= 9


def test_cv_scores_average_folds_that_hold_every_class():
    metrics = {"balanced_accuracy": balanced_accuracy_score}
    y_true = [np.array(["F", "F", "M"]), np.array(["F", "M", "M"])]
    y_pred = [np.array(["M", "M", "M"]), np.array(["F", "F", "F"])]
    scores, pooled = ms.cv_scores(metrics, y_true, y_pred, classification=True, owner="t")
    assert scores == {"balanced_accuracy": 0.5} and not pooled


def test_cv_scores_pool_when_a_fold_lacks_a_class():
    # The mean over folds would be (0.5 + 1.0) / 2 = 0.75 for "always M".
    metrics = {"balanced_accuracy": balanced_accuracy_score}
    y_true = [np.array(["F", "M", "M"]), np.array(["M", "M"])]
    y_pred = [np.array(["M", "M", "M"]), np.array(["M", "M"])]
    with pytest.warns(UserWarning, match=r"lack class\(es\) \['F'\].*pooled"):
        scores, pooled = ms.cv_scores(metrics, y_true, y_pred, classification=True, owner="t")
    assert scores == {"balanced_accuracy": 0.5} and pooled


def test_cv_scores_regression_is_the_mean_over_folds():
    y_true = [np.array([1.0, 3.0]), np.array([10.0])]
    y_pred = [np.array([2.0, 2.0]), np.array([13.0])]
    scores, pooled = ms.cv_scores(
        {"mae": mean_absolute_error}, y_true, y_pred, classification=False, owner="t"
    )
    assert scores == {"mae": 2.0} and not pooled


# ------------------------------------------------------------ LeaveOneDatasetOut
@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["sisfall", "ipol", "hugadb", "umafall"]), min_size=2, max_size=40))
def test_leave_one_dataset_out_never_puts_a_dataset_on_both_sides(datasets):
    datasets = np.array(datasets)
    if len(np.unique(datasets)) < 2:
        datasets[0] = "other"
    groups = np.char.add(
        np.char.add(datasets.astype(str), ":"), np.arange(len(datasets)).astype(str)
    )
    cv = ms.LeaveOneDatasetOut()
    splits = list(cv.split(np.zeros((len(groups), 1)), groups=groups))
    assert len(splits) == cv.get_n_splits(groups=groups) == len(np.unique(datasets))
    for train, test in splits:
        assert len(np.unique(datasets[test])) == 1
        assert not np.intersect1d(datasets[train], datasets[test]).size
        assert len(train) + len(test) == len(groups)


def test_leave_one_dataset_out_holds_out_the_named_datasets_only():
    groups = np.array(["a:1", "a:2", "b:1", "c:1"])
    cv = ms.LeaveOneDatasetOut(test="b")
    assert [test.tolist() for _, test in cv.split(np.zeros((4, 1)), groups=groups)] == [[2]]


def test_leave_one_dataset_out_needs_two_datasets():
    with pytest.raises(ValueError, match="at least two datasets"):
        list(ms.LeaveOneDatasetOut().split(np.zeros((2, 1)), groups=["a:1", "a:2"]))


def test_leave_one_dataset_out_names_an_unknown_dataset():
    with pytest.raises(ValueError, match=r"\['c'\] do not occur"):
        list(ms.LeaveOneDatasetOut(test="c").split(np.zeros((2, 1)), groups=["a:1", "b:2"]))


def test_leave_one_dataset_out_in_cross_validate_with_a_subject_scorer():
    X, y, _, groups = _dataset(12, seed=3)
    groups = np.where(np.arange(len(groups)) < len(groups) // 2, "a:", "b:") + groups
    scorer = make_aggregated_scorer(accuracy_score, method="mean_proba")
    with sklearn.config_context(enable_metadata_routing=True):
        res = cross_validate(
            LogisticRegression(),
            X.reshape(len(X), -1),
            y,
            cv=ms.LeaveOneDatasetOut(),
            scoring=scorer,
            params={"groups": groups},
            error_score="raise",
        )
    assert len(res["test_score"]) == 2


# ------------------------------------------------------------ TargetDatasetKFold
def _pooled_groups():
    other = [f"sisfall:S{k}" for k in range(6) for _ in range(2)]
    target = [f"ipol:{k}" for k in range(8) for _ in range(3)]
    groups = np.array(other + target)
    y = np.array(["F" if int(g[-1]) % 2 else "M" for g in groups])
    return groups, y


def test_target_dataset_kfold_keeps_other_datasets_in_training():
    groups, y = _pooled_groups()
    is_other = np.char.startswith(groups.astype(str), "sisfall:")
    splits = list(ms.TargetDatasetKFold("ipol", n_splits=4).split(groups, y, groups))
    assert len(splits) == 4
    tested = np.concatenate([test for _, test in splits])
    assert sorted(tested.tolist()) == np.flatnonzero(~is_other).tolist()
    for train, test in splits:
        assert set(np.flatnonzero(is_other)) <= set(train.tolist())
        assert not np.intersect1d(groups[train], groups[test]).size
        assert set(y[test]) == {"F", "M"}


def test_target_dataset_kfold_splits_the_target_as_subject_kfold():
    groups, y = _pooled_groups()
    target = np.flatnonzero(np.char.startswith(groups.astype(str), "ipol:"))
    cv = ms.TargetDatasetKFold("ipol", n_splits=4, shuffle=True, random_state=3)
    plain = SubjectKFold(4, shuffle=True, random_state=3).split(target, y[target], groups[target])
    for (_, test), (_, expected) in zip(cv.split(groups, y, groups), plain):
        assert test.tolist() == target[expected].tolist()


def test_target_dataset_kfold_names_a_missing_target():
    groups, y = _pooled_groups()
    with pytest.raises(ValueError, match=r"'hugadb' does not occur.*\['ipol', 'sisfall'\]"):
        list(ms.TargetDatasetKFold("hugadb").split(groups, y, groups))


def test_target_dataset_kfold_as_inner_splitter_scores_target_people_only():
    X, y, _, groups = _dataset(16, seed=4)
    groups = np.where(np.arange(len(groups)) < len(groups) // 2, "a:", "b:") + groups
    res = ms.evaluate_nested(
        [LogisticRegression(C=0.1), LogisticRegression(C=10.0)],
        X.reshape(len(X), -1),
        y,
        groups,
        cv=ms.TargetDatasetKFold("b", n_splits=2),
        inner_cv=ms.TargetDatasetKFold("b", n_splits=2),
        n_bootstrap=10,
    )
    assert set(res.predictions["subject"].str[:2]) == {"b:"}
    assert res.n == len(np.unique(groups[np.char.startswith(groups.astype(str), "b:")]))
