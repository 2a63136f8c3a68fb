"""CNN+LSTM identification, cross-trial splits and identity under re-mounting."""

import numpy as np
import pytest
import torch

from skgait.datasets import load_ipol_healthy_gait, make_step_windows
from skgait.model_selection import (
    CrossRecordingSplit,
    identification_protocol,
    score_identification,
)
from skgait.models import GaitCNNClassifier, GaitCNNLSTMClassifier
from skgait.models.networks import CNNLSTM, ChainedCNNLSTM


def _windows(n_subjects=3, per_subject=12, n_timepoints=32, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_subjects * per_subject, 3, n_timepoints)).astype(np.float32)
    who = np.repeat([f"s{k}" for k in range(n_subjects)], per_subject)
    for k in range(n_subjects):
        X[who == f"s{k}", k % 3] += 1.5
    return X, who


@pytest.mark.parametrize("lstm, width", [("single", 8), ("bidirectional", 16), ("two_layer", 8)])
def test_chained_cnnlstm_output_and_embedding_shapes(lstm, width):
    net = ChainedCNNLSTM(n_channels=3, n_timepoints=64, n_outputs=5, lstm=lstm, n_hidden=8)
    x = torch.zeros(4, 3, 64)
    assert net(x).shape == (4, 5)
    assert net.embed(x).shape == (4, width)


@pytest.mark.parametrize("lstm, width", [("single", 16), ("bidirectional", 24), ("two_layer", 16)])
def test_cnnlstm_output_and_embedding_shapes(lstm, width):
    net = CNNLSTM(n_channels=3, n_timepoints=64, n_outputs=5, lstm=lstm, n_hidden=8)
    x = torch.zeros(4, 3, 64)
    assert net(x).shape == (4, 5)
    assert net.embed(x).shape == (4, width)  # CNN branch (8) + LSTM state


def test_cnnlstm_branches_read_the_raw_window_in_parallel():
    """Zou et al. (2020): the LSTM reads the window itself, not the CNN's output."""
    torch.manual_seed(0)
    net = CNNLSTM(n_channels=3, n_timepoints=32, n_outputs=4, n_hidden=8).eval()
    assert net.lstm.input_size == 3
    x = torch.randn(5, 3, 32)
    before = net.embed(x)
    with torch.no_grad():  # changing the CNN leaves the LSTM's half alone
        net.features[0].weight.mul_(-2.0)
    after = net.embed(x)
    torch.testing.assert_close(after[:, 8:], before[:, 8:])
    assert not torch.allclose(after[:, :8], before[:, :8])
    _, (h_n, _) = net.lstm(x.transpose(1, 2))
    torch.testing.assert_close(after[:, 8:], h_n[-1])


def test_cnnlstm_features_match_biodeep_cnn_names():
    cnn = GaitCNNClassifier(max_epochs=1, random_state=0).fit(*_windows())
    net = CNNLSTM(n_channels=3, n_timepoints=32, n_outputs=3)
    own = {k: v.shape for k, v in net.state_dict().items() if k.startswith("features.")}
    source = {k: v.shape for k, v in cnn.feature_weights().items() if k.startswith("features.")}
    assert own == source


def test_cnn_fix_copies_and_freezes_the_cnn():
    X, who = _windows()
    cnn = GaitCNNClassifier(max_epochs=2, random_state=0).fit(X, who)
    clf = GaitCNNLSTMClassifier(
        mode="cnn_fix", warm_start_from=cnn.feature_weights(), max_epochs=2, random_state=0
    ).fit(X, who)
    assert len(clf.history) == 2  # max_epochs, not fine_tune_epochs
    for name, p in clf.module_.named_parameters():
        assert p.requires_grad == (not name.startswith("features."))
    torch.testing.assert_close(clf.module_.features[0].weight, cnn.module_.features[0].weight)


def test_lstm_fix_copies_and_freezes_the_lstm():
    X, who = _windows()
    source = GaitCNNLSTMClassifier(max_epochs=1, random_state=1).fit(X, who)
    clf = GaitCNNLSTMClassifier(
        mode="lstm_fix", warm_start_from=source.recurrent_weights(), max_epochs=2, random_state=0
    ).fit(X, who)
    for name, p in clf.module_.named_parameters():
        assert p.requires_grad == (not name.startswith("lstm."))
    torch.testing.assert_close(clf.module_.lstm.weight_hh_l0, source.module_.lstm.weight_hh_l0)


@pytest.mark.parametrize("mode", ["cnn_fix", "lstm_fix"])
def test_fix_modes_need_pretrained_weights(mode):
    with pytest.raises(ValueError, match="warm_start_from"):
        GaitCNNLSTMClassifier(mode=mode, max_epochs=1).fit(*_windows())


def test_unknown_mode_is_rejected():
    with pytest.raises(ValueError, match="mode must be one of"):
        GaitCNNLSTMClassifier(mode="frozen", max_epochs=1).fit(*_windows())


def test_cnn_fix_accepts_longer_windows_but_not_other_channels():
    X, who = _windows()
    cnn = GaitCNNClassifier(max_epochs=1, random_state=0).fit(X, who)
    longer = np.concatenate([X, X], axis=2)
    GaitCNNLSTMClassifier(mode="cnn_fix", warm_start_from=cnn.feature_weights(), max_epochs=1).fit(
        longer, who
    )
    stacked = np.concatenate([X, X], axis=1)
    with pytest.raises(ValueError, match="channels"):
        GaitCNNLSTMClassifier(
            mode="cnn_fix", warm_start_from=cnn.feature_weights(), max_epochs=1
        ).fit(stacked, who)


def test_identifier_is_deterministic_and_learns():
    X, who = _windows(per_subject=20)
    a = GaitCNNLSTMClassifier(max_epochs=15, random_state=0).fit(X, who)
    b = GaitCNNLSTMClassifier(max_epochs=15, random_state=0).fit(X, who)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.score(X, who) > 0.6


def _random_recordings(rng):
    n_subjects = rng.integers(2, 6)
    rows = []
    for s in range(n_subjects):
        for r in range(rng.integers(1, 5)):
            rows += [(f"s{s}", f"{r:02d}")] * int(rng.integers(1, 6))
    return np.array(rows)


@pytest.mark.parametrize("seed", range(30))
def test_cross_recording_split_never_shares_a_recording(seed):
    rng = np.random.default_rng(seed)
    groups = _random_recordings(rng)
    # Recording ids repeat across subjects ("00" of s0 and of s1 differ).
    key = np.char.add(np.char.add(groups[:, 0], "/"), groups[:, 1])
    if all(len(np.unique(key[groups[:, 0] == s])) < 2 for s in np.unique(groups[:, 0])):
        with pytest.raises(ValueError, match="two recordings"):
            next(CrossRecordingSplit().split(groups, groups=groups))
        return
    cv = CrossRecordingSplit(n_splits=3, shuffle=True, random_state=seed)
    for train, test in cv.split(groups, groups=groups):
        assert not np.intersect1d(key[train], key[test]).size
        assert set(groups[test, 0]) == set(groups[train, 0])  # same people
        assert len(test) and len(train)


@pytest.mark.parametrize("name", ["hugadb", "sisfall", "ipol", "ipol_healthy_gait"])
def test_identification_protocols_are_cross_trial(name):
    _, columns = identification_protocol(name)
    assert "subject" in columns
    with pytest.raises(ValueError, match="No identification protocol"):
        identification_protocol("umafall")


def test_score_identification_on_ipol_step_windows(data_home):
    """Real data, IPOL trial 1 → 2 on two-step windows: well above chance."""
    X, meta = make_step_windows(load_ipol_healthy_gait(), placement="right_foot")
    keep = meta["subject"].isin(sorted(meta["subject"].unique())[:6]).to_numpy()
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline

    from skgait.features import ACFTransformer

    model = make_pipeline(ACFTransformer(lags=16), RandomForestClassifier(50, random_state=0))
    scores = score_identification(model, X[keep], meta[keep].reset_index(drop=True))
    assert scores["n_subjects"] == 6
    assert scores["window_accuracy"] > 2 * scores["chance"]
    assert 0 <= scores["recording_accuracy"] <= 1


def test_cross_correlation_features_ignore_the_scale_of_each_channel():
    from skgait.features import CrossCorrelationFeatures

    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 6, 64)) + np.array([0, 0, 9.8, 0, 0, 0])[:, None]
    features = CrossCorrelationFeatures(lags=(1, 3))
    F = features.fit_transform(X)
    assert F.shape == (4, features.n_features_out_) == (4, 3 + 6 + 15 + 2 * 36)
    faster_and_stronger = X * np.array([2.0, 2.0, 2.0, 3.0, 3.0, 3.0])[:, None]
    np.testing.assert_allclose(features.transform(faster_and_stronger), F, atol=1e-12)
    # zero lag: Pearson correlation of channels 0 and 1, as numpy computes it
    assert F[0, 9] == pytest.approx(np.corrcoef(X[0, 0], X[0, 1])[0, 1])
    assert features.get_feature_names_out()[9] == "corr_0_1"


def test_cross_correlation_features_check_their_input():
    from skgait.exceptions import ConstantSeriesWarning
    from skgait.features import CrossCorrelationFeatures

    X = np.random.default_rng(0).normal(size=(2, 6, 32))
    with pytest.raises(ValueError, match="lags"):
        CrossCorrelationFeatures(lags=(40,)).fit(X)
    with pytest.raises(ValueError, match="gravity_channels"):
        CrossCorrelationFeatures(gravity_channels=(0, 1, 9)).fit(X)
    X[0, 4] = 1.0
    with pytest.warns(ConstantSeriesWarning, match="constant"):
        F = CrossCorrelationFeatures().fit_transform(X)
    assert np.all(np.isfinite(F))


def test_sisfall_slow_to_fast_walk_identification(data_home):
    """Real data: 38 people, trained on the slow walk (D01), tested on the fast one (D02)."""
    import warnings

    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skgait.datasets import load_sisfall, make_windows
    from skgait.features import CrossCorrelationFeatures

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X, meta = make_windows(load_sisfall(), placement="waist", overlap=0.0)
    model = make_pipeline(
        CrossCorrelationFeatures(),
        StandardScaler(),
        LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
    )
    scores = score_identification(model, X, meta)
    assert scores["n_subjects"] == 38
    assert scores["window_accuracy"] > 0.75 and scores["recording_accuracy"] > 0.8


def test_score_identification_reports_every_test_recording():
    X, who = _windows(n_subjects=3, per_subject=12)
    recording = np.tile(np.repeat(["r1", "r2", "r3"], 4), 3)
    import pandas as pd
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    meta = pd.DataFrame({"subject": who, "recording": recording})
    model = make_pipeline(
        FunctionTransformer(lambda W: W.mean(axis=2)), LinearDiscriminantAnalysis()
    )
    scores = score_identification(
        model, X, meta, cv=CrossRecordingSplit(n_splits=2), columns=["subject", "recording"]
    )
    correct = scores["recording_correct"]
    assert correct.dtype == bool and len(correct) == 2 * 3  # 2 splits x 3 people
    assert np.mean(correct) == pytest.approx(scores["recording_accuracy"])


@pytest.fixture(scope="module")
def sisfall_waist(data_home):
    import warnings

    from skgait.datasets import load_sisfall, make_windows

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return make_windows(load_sisfall(), placement="waist", overlap=0.0)


def _remounted_probes(X, meta, test_trial):
    from skgait.datasets import random_remount

    probe = (meta["trial"] == test_trial).to_numpy()
    recordings = (meta["subject"] + "/" + meta["recording"]).to_numpy()
    X = X.copy()
    X[probe] = random_remount(X[probe], recordings[probe], random_state=0)[0]
    return X


@pytest.mark.realdata
def test_mounting_control_identifies_sisfall_people_only_as_mounted(sisfall_waist):
    """Gravity direction + 1-NN: far above chance as recorded, near chance re-mounted."""
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    from skgait.features import GravityDirection

    X, meta = sisfall_waist
    control = make_pipeline(GravityDirection(), KNeighborsClassifier(1, metric="cosine"))
    as_recorded = score_identification(control, X, meta)["recording_accuracy"]
    remounted = score_identification(control, _remounted_probes(X, meta, "D02"), meta)
    assert as_recorded > 10 * remounted["chance"]
    assert remounted["recording_accuracy"] < 4 * remounted["chance"]


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize(("train", "test"), [("D01", "D02"), ("D02", "D01")])
def test_identity_pipeline_survives_a_remounted_device(sisfall_waist, train, test):
    """Issue 19's target: SisFall slow <-> fast walk, probes turned 15-45 degrees, >= 0.80."""
    from skgait.model_selection import CrossSessionSplit
    from skgait.pipelines import make_gait_pipeline

    X, meta = sisfall_waist
    scores = score_identification(
        make_gait_pipeline("identity"),
        _remounted_probes(X, meta, test),
        meta,
        cv=CrossSessionSplit(train=train, test=test),
        columns=["subject", "trial"],
    )
    assert scores["n_test_recordings"] == 38
    assert scores["recording_accuracy"] >= 0.80
