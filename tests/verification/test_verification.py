"""Pairs without subject leakage, alignments, EER and the Verifier."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skgait.datasets import load_ipol_healthy_gait, load_sisfall, make_step_windows, make_windows
from skgait.exceptions import TrainingDivergedError
from skgait.metrics import equal_error_rate, verification_report
from skgait.models import GaitCNNLSTMClassifier
from skgait.verification import (
    SiameseVerifier,
    Verifier,
    align_pairs,
    make_pairs,
    pair_train_test_split,
)


def test_eer_hand_computed():
    # Thresholds 0.9, 0.6, 0.4: at 0.6 one impostor (0.6) is accepted and one
    # genuine (0.4) rejected: FAR = FRR = 1/2.
    eer, threshold = equal_error_rate([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], return_threshold=True)
    assert eer == 0.5 and threshold == 0.6
    assert equal_error_rate([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert equal_error_rate([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 1.0


def test_eer_interpolates_between_roc_points():
    # Tied scores: the ROC jumps diagonally from (FAR, FRR) = (0, 1) to (1, 0),
    # so the curves cross half way: EER = 1/2. Same with one clean pair more:
    # (0, 1) → (0, 1/2) → (1/2, 0) → ... crossing at 1/4.
    assert equal_error_rate([0, 1], [0.5, 0.5]) == 0.5
    assert equal_error_rate([0, 1, 0, 1], [0.1, 0.9, 0.5, 0.5]) == 0.25


def test_verification_report_hand_computed():
    report = verification_report([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    assert report["roc_auc"] == 0.75
    assert report["eer"] == 0.5
    assert report["accuracy_at_eer"] == 0.5
    with pytest.raises(ValueError, match="both 1"):
        verification_report([1, 1], [0.2, 0.3])


@pytest.mark.parametrize("seed", range(20))
def test_make_pairs_is_balanced_and_labelled_right(seed):
    rng = np.random.default_rng(seed)
    groups = rng.choice(list("abcdef"), size=int(rng.integers(10, 60)))
    if len(np.unique(groups)) < 2:
        return
    n_pairs = int(rng.integers(2, 200))
    pairs, same = make_pairs(groups, n_pairs, random_state=seed)
    assert pairs.shape == (n_pairs, 2)
    assert same.sum() == round(n_pairs / 2)
    np.testing.assert_array_equal(groups[pairs[:, 0]] == groups[pairs[:, 1]], same == 1)
    assert np.all(pairs[:, 0] != pairs[:, 1])


def test_make_pairs_is_reproducible_and_respects_sessions():
    groups = np.repeat(["a", "b", "c"], 6)
    sessions = np.tile(["1", "1", "1", "2", "2", "2"], 3)
    p1 = make_pairs(groups, 50, sessions=sessions, random_state=3)
    p2 = make_pairs(groups, 50, sessions=sessions, random_state=3)
    np.testing.assert_array_equal(p1[0], p2[0])
    pairs, same = p1
    genuine = pairs[same == 1]
    assert np.all(sessions[genuine[:, 0]] != sessions[genuine[:, 1]])


def test_impostor_pairs_join_two_sessions_like_genuine_ones():
    groups = np.repeat(["a", "b", "c"], 6)
    sessions = np.tile(["1", "1", "1", "2", "2", "2"], 3)
    pairs, same = make_pairs(groups, 200, sessions=sessions, random_state=0)
    assert np.all(sessions[pairs[:, 0]] != sessions[pairs[:, 1]])
    assert np.all((groups[pairs[:, 0]] == groups[pairs[:, 1]]) == (same == 1))


def test_session_only_scorer_is_at_chance_on_sisfall_pairs(data_home):
    """Real data: SisFall slow (D01) and fast (D02) walks of 38 subjects.

    Genuine pairs join the two walks; if impostor pairs joined them only
    half the time, "are the walks different?" would separate the classes
    (ROC AUC near 0.75) without looking at a single sample.
    """
    import warnings

    from sklearn.metrics import roc_auc_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _, meta = make_windows(load_sisfall(), placement="waist", overlap=0.0)
    subjects, trials = meta["subject"].to_numpy(), meta["trial"].to_numpy()
    _, _, te, te_same = pair_train_test_split(
        subjects,
        test_size=0.3,
        n_train_pairs=10,
        n_test_pairs=2000,
        sessions=trials,
        random_state=0,
    )
    session_pair = np.char.add(trials[te[:, 0]].astype(str), trials[te[:, 1]].astype(str))
    # Best session-only scorer: the share of genuine pairs in each session pair.
    rate = {k: te_same[session_pair == k].mean() for k in np.unique(session_pair)}
    score = np.array([rate[k] for k in session_pair])
    assert abs(roc_auc_score(te_same, score) - 0.5) <= 0.05
    differs = trials[te[:, 0]] != trials[te[:, 1]]
    assert abs(roc_auc_score(te_same, differs) - 0.5) <= 0.05


@pytest.mark.parametrize("seed", range(30))
def test_pair_split_never_shares_a_subject(seed):
    rng = np.random.default_rng(seed)
    n_subjects = int(rng.integers(4, 15))
    groups = np.repeat(np.arange(n_subjects), rng.integers(2, 6, size=n_subjects))
    tr, tr_same, te, te_same = pair_train_test_split(
        groups, test_size=0.3, n_train_pairs=60, n_test_pairs=20, random_state=seed
    )
    assert not set(groups[tr].ravel()) & set(groups[te].ravel())
    assert tr_same.mean() == 0.5 and te_same.mean() == 0.5


def test_align_pairs_axes():
    a = np.zeros((3, 2, 5))
    b = np.ones((3, 2, 5))
    t = align_pairs(a, b, "time")
    c = align_pairs(a, b, "channels")
    assert t.shape == (3, 2, 10) and c.shape == (3, 4, 5)
    assert t[0, 0, :5].sum() == 0 and t[0, 0, 5:].sum() == 5
    assert c[0, :2].sum() == 0 and c[0, 2:].sum() == 10
    with pytest.raises(ValueError, match="alignment"):
        align_pairs(a, b, "diagonal")


def _people(n_subjects=6, per_subject=10, seed=0):
    rng = np.random.default_rng(seed)
    who = np.repeat(np.arange(n_subjects), per_subject)
    t = np.arange(32) / 32
    freq = 1.0 + who[:, None, None]
    X = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6, size=(len(who), 2, 1)))
    return (X + 0.1 * rng.normal(size=X.shape)).astype(np.float32), who


@pytest.mark.parametrize("alignment", ["time", "channels"])
def test_verifier_enroll_verify_clone_pickle(alignment):
    X, who = _people()
    ver = Verifier(
        GaitCNNLSTMClassifier(max_epochs=2, random_state=0),
        alignment=alignment,
        n_pairs=100,
        random_state=0,
    ).fit(X[who < 4], who[who < 4])
    ver.enroll("new", X[who == 5][:3])
    result = ver.verify("new", X[who == 5][3:6])
    assert 0.0 <= result.score <= 1.0 and isinstance(result.accepted, bool)
    restored = pickle.loads(pickle.dumps(ver))
    assert restored.verify("new", X[who == 5][3:6]).score == pytest.approx(result.score)
    assert clone(ver).get_params()["alignment"] == alignment
    with pytest.raises(KeyError, match="not enrolled"):
        ver.verify("nobody", X[:2])


def test_verifier_scores_are_symmetric_and_deterministic():
    X, who = _people()
    kwargs = {"n_pairs": 100, "random_state": 0}
    a = Verifier(GaitCNNLSTMClassifier(max_epochs=2, random_state=0), **kwargs).fit(X, who)
    b = Verifier(GaitCNNLSTMClassifier(max_epochs=2, random_state=0), **kwargs).fit(X, who)
    np.testing.assert_allclose(
        a.score_pairs(X[:5], X[5:10]), a.score_pairs(X[5:10], X[:5]), rtol=1e-6
    )
    np.testing.assert_array_equal(a.score_pairs(X[:5], X[5:10]), b.score_pairs(X[:5], X[5:10]))


def test_authentication_smoke_on_ipol_step_windows(data_home):
    """Real data: subject-disjoint pairs of IPOL two-step windows."""
    X, meta = make_step_windows(load_ipol_healthy_gait(), placement="right_foot")
    subjects = meta["subject"].to_numpy()
    tr, _, te, te_same = pair_train_test_split(
        subjects, test_size=5, n_train_pairs=10, n_test_pairs=200, random_state=0
    )
    train = np.isin(subjects, np.unique(subjects[tr]))
    ver = Verifier(
        GaitCNNLSTMClassifier(max_epochs=3, random_state=0),
        alignment="channels",
        n_pairs=400,
        random_state=0,
    ).fit(X[train], subjects[train])
    report = verification_report(te_same, ver.score_pairs(X[te[:, 0]], X[te[:, 1]]))
    assert 0.0 <= report["eer"] <= 1.0 and report["n_genuine"] == 100


def _siamese(**kwargs):
    params = {
        "module__n_hidden": 16,
        "embedding_dim": 8,
        "n_pairs": 400,
        "max_epochs": 6,
        "lr": 3e-3,
        "random_state": 0,
    }
    return SiameseVerifier(**{**params, **kwargs})


def test_siamese_verifier_separates_people_unseen_in_training():
    X, who = _people(n_subjects=8, per_subject=12)  # person k: frequency k + 1
    unseen = np.isin(who, [2, 5])  # inside the range of frequencies trained on
    ver = _siamese(max_epochs=15).fit(X[~unseen], who[~unseen])
    odd = np.arange(len(who)) % 2 == 1
    enrolled, probe = unseen & ~odd, unseen & odd
    ver.enroll(X[enrolled], who[enrolled])
    genuine = ver.decision_function(X[probe], who[probe])
    impostor = ver.decision_function(X[probe], 7 - who[probe])  # claims the other one
    report = verification_report(
        np.r_[np.ones_like(genuine), np.zeros_like(impostor)], np.r_[genuine, impostor]
    )
    assert report["eer"] < 0.2
    np.testing.assert_array_equal(ver.verify(X[probe], who[probe]), genuine >= ver.threshold)


def test_siamese_verifier_is_deterministic_clonable_and_picklable():
    X, who = _people()
    a = _siamese(max_epochs=2).fit(X, who)
    b = clone(a).fit(X, who)
    np.testing.assert_array_equal(a.embed(X[:5]), b.embed(X[:5]))
    np.testing.assert_allclose(np.linalg.norm(a.embed(X[:5]), axis=1), 1.0, rtol=1e-5)
    a.enroll(X[:10], who[:10])
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(
        restored.decision_function(X[:3], who[:3]), a.decision_function(X[:3], who[:3])
    )


def test_siamese_verifier_rejects_unknown_claims_and_bad_shapes():
    X, who = _people()
    ver = _siamese(max_epochs=1).fit(X, who).enroll(X[:10], who[:10])
    with pytest.raises(KeyError, match="not enrolled"):
        ver.decision_function(X[:2], ["nobody", "nobody"])
    with pytest.raises(ValueError, match="fitted on"):
        ver.embed(X[:, :, :16])
    with pytest.raises(ValueError, match="margin"):
        _siamese(margin=3.0).fit(X, who)


def test_siamese_verifier_takes_module_parameters_and_callbacks():
    from skorch.callbacks import Callback

    class EpochCounter(Callback):
        def on_epoch_end(self, net, **kwargs):
            epochs.append(len(net.history))

    epochs = []
    X, who = _people()
    ver = _siamese(max_epochs=2, module__n_hidden=4, callbacks=[EpochCounter()]).fit(X, who)
    assert ver.module_.lstm.hidden_size == 4
    assert epochs == [1, 2]
    assert len(ver.history) == 2


def test_siamese_verifier_draws_its_training_pairs_across_sessions(monkeypatch):
    from skgait.verification import _siamese as siamese_module

    drawn = []

    def spy(groups, n_pairs, **kwargs):
        drawn.append(kwargs["sessions"])
        return make_pairs(groups, n_pairs, **kwargs)

    monkeypatch.setattr(siamese_module, "make_pairs", spy)
    X, who = _people()
    sessions = np.arange(len(who)) % 2
    _siamese(max_epochs=2).fit(X, who, sessions=sessions)
    assert len(drawn) == 2  # afresh every epoch
    for used in drawn:
        np.testing.assert_array_equal(used, sessions)


def test_siamese_verifier_reports_a_diverging_loss_as_training_diverged():
    X, who = _people()
    with pytest.raises(TrainingDivergedError, match="diverged at epoch 1: train_loss is nan"):
        _siamese(max_epochs=3, lr=float("inf")).fit(X, who)


# make_pairs: every subject takes part alike (issue 20, item 7)


def _talkative_groups():
    """Subject "A" has 100 windows, 8 others 10, "K" one session only."""
    groups = np.array(["A"] * 100 + [c for c in "BCDEFGHI" for _ in range(10)] + ["K"] * 10)
    sessions = np.array(["1", "2"] * 90 + ["1"] * 10)
    return groups, sessions


@pytest.mark.parametrize("with_sessions", [True, False])
def test_impostor_pairs_draw_every_subject_as_often_as_genuine_pairs(with_sessions):
    groups, sessions = _talkative_groups()
    pairs, same = make_pairs(
        groups, 20000, sessions=sessions if with_sessions else None, random_state=0
    )
    for label in (0, 1):
        members = groups[pairs[same == label]].ravel()
        share = np.mean(members == "A")
        assert abs(share - 1 / 9) < 0.015, (label, share)  # not 100 / 190 of the windows


def test_subjects_without_a_genuine_pair_are_left_out_of_every_pair():
    groups, sessions = _talkative_groups()
    pairs, _ = make_pairs(groups, 2000, sessions=sessions, random_state=0)
    assert "K" not in set(groups[pairs].ravel())
    lonely = np.append(groups[:180], "Z")  # one window: no genuine pair possible
    pairs, _ = make_pairs(lonely, 2000, random_state=0)
    assert "Z" not in set(lonely[pairs].ravel())


def test_make_pairs_needs_two_subjects_with_a_genuine_pair():
    with pytest.raises(ValueError, match="at least 2 subjects with windows of two sessions"):
        make_pairs(["a", "a", "b", "b"], 10, sessions=["1", "2", "1", "1"])


# evaluate_authentication: the threshold is chosen on validation people


def _tilted_people(n_people=15, per_session=4, seed=0):
    rng = np.random.default_rng(seed)
    subjects = np.repeat(np.arange(n_people), 2 * per_session)
    sessions = np.tile(np.repeat([1, 2], per_session), n_people)
    tilt = rng.normal(size=(n_people, 3))[subjects] + [0.0, 0.0, 4.0]
    X = tilt[:, :, None] + 0.3 * rng.normal(size=(len(subjects), 3, 16))
    return X, subjects, sessions


def test_authentication_threshold_never_sees_test_people(monkeypatch):
    from skgait.features import GravityDirection
    from skgait.verification import _evaluation

    seen = []
    choose = _evaluation._choose_threshold

    def spy(claims):
        seen.append(set(claims["probe_subject"]) | set(claims["claimed_subject"]))
        return choose(claims)

    monkeypatch.setattr(_evaluation, "_choose_threshold", spy)
    X, subjects, sessions = _tilted_people()
    result = _evaluation.evaluate_authentication(
        GravityDirection(), X, subjects, sessions, n_splits=3, random_state=0
    )
    assert len(seen) == 3
    for people, fold in zip(seen, result["folds"]):
        assert people == set(fold["validation"])
        assert not people & set(fold["test"]) and not people & set(fold["train"])


def test_authentication_embedding_is_fitted_on_training_people_only():
    from sklearn.base import BaseEstimator, TransformerMixin

    from skgait.verification import evaluate_authentication

    class Recorder(TransformerMixin, BaseEstimator):
        fitted_on = []

        def fit(self, X, y):
            Recorder.fitted_on.append(set(y))
            return self

        def transform(self, X):
            return X.mean(axis=2)

    X, subjects, sessions = _tilted_people()
    result = evaluate_authentication(Recorder(), X, subjects, sessions, n_splits=3, random_state=0)
    for people, fold in zip(Recorder.fitted_on, result["folds"]):
        assert people == set(fold["train"])


def test_authentication_pools_test_claims_of_every_person_once():
    from skgait.features import GravityDirection
    from skgait.verification import evaluate_authentication

    X, subjects, sessions = _tilted_people()
    result = evaluate_authentication(
        GravityDirection(), X, subjects, sessions, n_splits=3, random_state=0
    )
    claims = result["claims"]
    assert sorted(np.unique(claims["probe_subject"])) == list(range(15))
    assert result["n_genuine"] == 15 * 4  # every probe window claims its own identity once
    genuine = claims["genuine"]
    assert result["far"] == pytest.approx(np.mean(claims["accepted"][~genuine]))
    assert result["eer"] == pytest.approx(equal_error_rate(genuine, claims["score"]))
    assert result["eer"] < 0.1  # the tilt identifies these people


def test_authentication_needs_enough_people_with_two_sessions():
    from skgait.features import GravityDirection
    from skgait.verification import evaluate_authentication

    X, subjects, sessions = _tilted_people(n_people=8)
    with pytest.raises(ValueError, match="8 people have two sessions"):
        evaluate_authentication(GravityDirection(), X, subjects, sessions, n_splits=3)


def test_authentication_takes_an_embedding_network():
    from skgait.verification import evaluate_authentication

    X, who = _people(n_subjects=9, per_subject=8)
    sessions = np.tile(np.repeat([1, 2], 4), 9)
    result = evaluate_authentication(
        _siamese(max_epochs=1, n_pairs=64), X, who, sessions, n_splits=3, random_state=0
    )
    assert result["n_people"] == 9 and 0.0 <= result["eer"] <= 1.0


def test_authentication_chooses_among_candidates_on_validation_people():
    from sklearn.preprocessing import FunctionTransformer

    from skgait.features import GravityDirection
    from skgait.verification import evaluate_authentication

    X, subjects, sessions = _tilted_people()
    noise = FunctionTransformer(lambda W: np.random.default_rng(len(W)).normal(size=(len(W), 3)))
    result = evaluate_authentication(
        [noise, GravityDirection()], X, subjects, sessions, n_splits=3, random_state=0
    )
    assert [fold["candidate"] for fold in result["folds"]] == [1, 1, 1]
    alone = evaluate_authentication(
        GravityDirection(), X, subjects, sessions, n_splits=3, random_state=0
    )
    assert result["eer"] == alone["eer"]
