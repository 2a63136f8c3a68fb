"""OptunaSearchCV: subject-wise search, pruning, storage, routing, tracking, CLI."""

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
import optuna
import pandas as pd
import pytest
import sklearn
from optuna.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline

from skgait import ACFTransformer
from skgait.features._crop import WindowCrop
from skgait.model_selection import LeakyWindowKFold, OptunaSearchCV, SubjectKFold
from skgait.tracking import DEFAULT_TRACKING_URI

TIMING = ["duration_s", "mean_fit_time"]


def _windows(n_subjects=12, per_subject=8, n_timepoints=64, seed=0):
    """Sex shows in the period of the signal (8 vs 12 samples), i.e. at lags > 4."""
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"s{i:02d}" for i in range(n_subjects)], per_subject)
    sex = np.where(np.arange(n_subjects) % 2 == 0, "F", "M")[np.arange(len(groups)) // per_subject]
    t = np.arange(n_timepoints)
    period = np.where(sex == "F", 8.0, 12.0)[:, None]
    phase = rng.uniform(0, 2 * np.pi, size=(len(groups), 1))
    sig = np.sin(2 * np.pi * t / period + phase)
    X = np.stack([sig, -sig], axis=1) + 0.8 * rng.normal(size=(len(groups), 2, n_timepoints))
    return X, sex, groups


def _pipe():
    return Pipeline(
        [
            ("crop", WindowCrop()),
            ("acf", ACFTransformer(lags=4)),
            ("rf", RandomForestClassifier(n_estimators=10, random_state=0)),
        ]
    )


SPACE = {
    "acf__lags": IntDistribution(1, 12),
    "rf__max_depth": CategoricalDistribution([2, 4, None]),
}


def _search(**kwargs):
    kwargs = {"cv": SubjectKFold(3), "n_trials": 4, "random_state": 0, **kwargs}
    return OptunaSearchCV(_pipe(), SPACE, **kwargs)


@pytest.fixture(scope="module")
def data():
    return _windows()


# ----------------------------------------------------------------------
# conformance
# ----------------------------------------------------------------------
def test_window_crop_passes_the_3d_checks():
    from skgait.utils.estimator_checks import check_estimator_3d

    check_estimator_3d(WindowCrop(length=4))


@pytest.mark.parametrize(
    "estimator", [WindowCrop(length=4), _search()], ids=lambda e: type(e).__name__
)
def test_sklearn_api_checks(estimator):
    from skgait.utils.estimator_checks import SKLEARN_API_CHECKS

    for check in SKLEARN_API_CHECKS:
        check(type(estimator).__name__, estimator)


def test_window_crop_in_seconds_needs_a_rate(data):
    X, _, _ = data
    with pytest.raises(ValueError, match="needs rate"):
        WindowCrop(length=0.5).fit(X)
    with pytest.raises(ValueError, match="longer than the windows"):
        WindowCrop(length=2.0, rate=50.0).fit(X)


# ----------------------------------------------------------------------
# subject-wise only
# ----------------------------------------------------------------------
def test_groups_are_required(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="needs `groups`"):
        _search().fit(X, y)


def test_leaky_window_kfold_is_refused(data):
    X, y, groups = data
    with pytest.raises(ValueError, match="refuses LeakyWindowKFold"):
        _search(cv=LeakyWindowKFold(3, random_state=0)).fit(X, y, groups=groups)


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored by KFold")
def test_a_splitter_that_shares_subjects_is_refused(data):
    X, y, groups = data
    with pytest.raises(ValueError, match="by subject only: KFold is not subject-wise"):
        _search(cv=KFold(3, shuffle=True, random_state=0)).fit(X, y, groups=groups)


def test_unknown_parameter_fails_before_any_trial(data):
    X, y, groups = data
    search = OptunaSearchCV(_pipe(), {"rf__no_such": [1, 2]}, cv=SubjectKFold(3))
    with pytest.raises(ValueError, match="'rf__no_such' is not a parameter of Pipeline"):
        search.fit(X, y, groups=groups)
    assert not hasattr(search, "study_")


def test_default_cv_is_subject_kfold_for_classifiers(data):
    X, y, groups = data
    search = _search(cv=None, n_trials=1).fit(X, y, groups=groups)
    assert search.n_splits_ == 5


# ----------------------------------------------------------------------
# results
# ----------------------------------------------------------------------
def test_best_params_cv_results_and_refit(data):
    X, y, groups = data
    search = _search(n_trials=5, scoring="balanced_accuracy").fit(X, y, groups=groups)
    res = search.cv_results_
    assert isinstance(res, pd.DataFrame) and len(res) == 5 == search.n_trials_
    assert {
        "number",
        "state",
        "param_acf__lags",
        "param_rf__max_depth",
        "split0_test_score",
        "split2_test_score",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
        "duration_s",
    } <= set(res.columns)
    assert set(search.best_params_) == set(SPACE)
    assert search.best_score_ == pytest.approx(res["mean_test_score"].max())
    assert res.loc[search.best_index_, "rank_test_score"] == 1
    # Refitted on all windows with the best parameters.
    assert search.best_estimator_.get_params()["acf__lags"] == search.best_params_["acf__lags"]
    assert search.best_estimator_.named_steps["acf"].n_channels_ == 2
    assert search.predict(X).shape == (len(X),)
    assert search.predict_proba(X).shape == (len(X), 2)
    assert search.classes_.tolist() == ["F", "M"]
    assert 0 <= search.score(X, y) <= 1


def test_same_random_state_gives_same_search(data):
    X, y, groups = data
    a = _search(n_trials=6).fit(X, y, groups=groups)
    b = _search(n_trials=6).fit(X, y, groups=groups)
    assert a.best_params_ == b.best_params_
    pd.testing.assert_frame_equal(
        a.cv_results_.drop(columns=TIMING), b.cv_results_.drop(columns=TIMING)
    )


def test_window_length_is_searched_by_cropping(data):
    X, y, groups = data
    search = OptunaSearchCV(
        _pipe(),
        {"crop__length": IntDistribution(16, 64, step=16)},
        cv=SubjectKFold(3),
        n_trials=3,
        random_state=0,
    ).fit(X, y, groups=groups)
    assert search.cv_results_["param_crop__length"].isin([16, 32, 48, 64]).all()
    assert search.best_estimator_.named_steps["crop"].length_ == search.best_params_["crop__length"]


# ----------------------------------------------------------------------
# pruning
# ----------------------------------------------------------------------
class _OneFeature(ClassifierMixin, BaseEstimator):
    """Predicts ``X[:, feature] > 0.5``: feature 0 is the label, others noise."""

    def __init__(self, feature=0):
        self.feature = feature

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return self.classes_[(X[:, self.feature] > 0.5).astype(int)]


def test_median_pruner_prunes_hopeless_trials():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(10), 10)
    y = groups % 2
    X = np.column_stack([y, rng.random((100, 5))])
    search = OptunaSearchCV(
        _OneFeature(),
        {"feature": IntDistribution(0, 5)},
        cv=SubjectKFold(5),
        n_trials=20,
        sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3),
    ).fit(X, y, groups=groups)
    res = search.cv_results_
    pruned = res[res["state"] == "PRUNED"]
    assert len(pruned) > 0
    assert (pruned["param_feature"] != 0).all()  # the informative feature is never pruned
    assert search.best_params_ == {"feature": 0}
    summary = search.pruning_summary_
    assert summary["n_pruned"] == len(pruned)
    assert summary["folds_not_run"] == int((5 - pruned["n_folds_run"]).sum()) > 0
    assert summary["seconds_saved"] >= 0


def test_without_pruner_nothing_is_pruned(data):
    X, y, groups = data
    search = _search(n_trials=4).fit(X, y, groups=groups)
    assert search.pruning_summary_["n_pruned"] == 0
    assert search.pruning_summary_["folds_run"] == 12


def test_epoch_pruning_needs_a_validation_split(data):
    from skgait.models import GaitCNNClassifier

    X, y, groups = data
    search = OptunaSearchCV(
        GaitCNNClassifier(max_epochs=2),
        {"lr": FloatDistribution(1e-4, 1e-2)},
        cv=SubjectKFold(3),
        n_trials=1,
        pruning="epochs",
    )
    with pytest.raises(ValueError, match="train_split=None"):
        search.fit(X.astype(np.float32), y, groups=groups)


def test_epoch_pruning_reports_each_epoch_of_each_fold(data):
    from skgait.models import GaitCNNClassifier, GroupValidSplit

    X, y, groups = data
    net = GaitCNNClassifier(
        max_epochs=2, train_split=GroupValidSplit(0.25, random_state=0), random_state=0
    )
    search = OptunaSearchCV(
        net,
        {"lr": FloatDistribution(1e-4, 1e-2, log=True), "max_epochs": [1, 2]},
        cv=SubjectKFold(3),
        n_trials=3,
        random_state=0,
        pruning="epochs",
        pruner=optuna.pruners.MedianPruner(n_startup_trials=1),
    ).fit(X.astype(np.float32), y, groups=groups)
    for t in search.study_.trials:
        steps = sorted(t.intermediate_values)
        epochs = t.params["max_epochs"]
        # stride 2 (the largest max_epochs): fold f, epoch e -> step 2 f + e.
        assert steps[:epochs] == list(range(epochs))
        assert all(s % 2 < epochs for s in steps)
    assert search.pruning_summary_["n_trials"] == 3


#: Epochs run by the networks of the test below, in order.
_EPOCHS = []


def test_a_stop_request_stops_a_network_after_its_epoch_and_fails_the_trial(data):
    # what SIGTERM does in `skgait search`, here requested by the network
    # itself at the end of its second epoch
    from skorch.callbacks import Callback

    from skgait.model_selection._trials import STOP, StopRequested
    from skgait.models import GaitCNNClassifier

    class StopAtEpoch2(Callback):
        def on_epoch_end(self, net, **kwargs):
            _EPOCHS.append(len(net.history))
            if len(net.history) == 2:
                STOP.request(143)

    X, y, groups = data
    net = GaitCNNClassifier(max_epochs=5, callbacks=[StopAtEpoch2()], random_state=0)
    search = OptunaSearchCV(net, {"lr": [1e-3]}, cv=SubjectKFold(3), n_trials=2, random_state=0)
    try:
        with pytest.raises(StopRequested):
            search.fit(X.astype(np.float32), y, groups=groups)
    finally:
        STOP.clear()
    assert _EPOCHS == [1, 2]  # the network stopped after the epoch in progress
    (trial,) = search.study_.trials
    assert trial.state == optuna.trial.TrialState.FAIL


# ----------------------------------------------------------------------
# storage
# ----------------------------------------------------------------------
def test_sqlite_study_persists_across_instances_and_processes(data, tmp_path):
    X, y, groups = data
    url = f"sqlite:///{tmp_path / 'search.db'}"
    first = _search(n_trials=3, storage=url, study_name="persist").fit(X, y, groups=groups)
    second = _search(n_trials=2, storage=url, study_name="persist").fit(X, y, groups=groups)
    assert second.n_trials_ == 5 and len(second.cv_results_) == 5
    assert second.best_score_ >= first.best_score_
    code = (
        f"import optuna; s = optuna.load_study(study_name='persist', storage={url!r}); "
        "print(len(s.trials), s.best_trial.number, s.best_value)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n, number, value = out.stdout.split()
    best = second.study_.best_trial
    assert (int(n), int(number), float(value)) == (5, best.number, pytest.approx(best.value))


# ----------------------------------------------------------------------
# nested evaluation
# ----------------------------------------------------------------------
def test_nested_cross_val_score_with_metadata_routing(data):
    X, y, groups = data
    inner = _search(n_trials=2, cv=SubjectKFold(2))
    with sklearn.config_context(enable_metadata_routing=True):
        scores = cross_val_score(inner, X, y, cv=SubjectKFold(3), params={"groups": groups})
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    # scikit-learn refuses groups= under routing: params carries them to both loops.
    with (
        sklearn.config_context(enable_metadata_routing=True),
        pytest.raises(
            ValueError, match="`groups` can only be passed if metadata routing is not enabled"
        ),
    ):
        cross_val_score(inner, X, y, groups=groups, cv=SubjectKFold(3), params={"groups": groups})


def test_routing_sends_groups_to_the_inner_splitter_only(data):
    routing = _search().get_metadata_routing()
    assert routing.consumes("fit", ["groups"]) == {"groups"}
    assert routing.route_params(caller="fit", params={"groups": [1]}).splitter.split == {
        "groups": [1]
    }
    assert routing.route_params(caller="fit", params={"groups": [1]}).estimator.fit == {}


def test_nested_cross_val_score_without_routing(data):
    X, y, groups = data
    inner = _search(n_trials=2, cv=SubjectKFold(2))
    scores = cross_val_score(
        inner, X, y, groups=groups, cv=SubjectKFold(3), params={"groups": groups}
    )
    assert scores.shape == (3,)
    # Without params={"groups": ...} the inner search cannot split by subject.
    with pytest.raises(ValueError, match="needs `groups`"):
        cross_val_score(inner, X, y, groups=groups, cv=SubjectKFold(3), error_score="raise")


# ----------------------------------------------------------------------
# tracking
# ----------------------------------------------------------------------
def test_tracking_logs_search_and_trials_as_nested_runs(data, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)
    X, y, groups = data
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    search = _search(n_trials=3, tracking=uri, experiment_name="t").fit(X, y, groups=groups)
    client = MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name("t")
    runs = client.search_runs([exp.experiment_id])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(parents) == 1 and len(children) == 3
    parent = parents[0]
    assert {c.data.tags["mlflow.parentRunId"] for c in children} == {parent.info.run_id}
    assert {c.data.tags["optuna.state"] for c in children} == {"COMPLETE"}
    assert {"acf__lags", "rf__max_depth"} <= set(children[0].data.params)
    assert parent.data.metrics["best_score"] == pytest.approx(search.best_score_)
    artifacts = {a.path for a in client.list_artifacts(parent.info.run_id, "optuna")}
    assert {"optuna/optimization_history.png", "optuna/slice.png"} <= artifacts


def test_a_tracked_trial_logs_each_fold_score_as_one_metric_history(data, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)
    X, y, groups = data
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    search = _search(n_trials=2, tracking=uri, refit=False).fit(X, y, groups=groups)
    client = MlflowClient(tracking_uri=uri)
    trials = {t.number: t for t in search.study_.trials}
    runs = client.search_runs([client.get_experiment_by_name("skgait-search").experiment_id])
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(children) == 2
    for run in children:
        trial = trials[int(run.data.tags["optuna.trial_number"])]
        history = sorted(
            client.get_metric_history(run.info.run_id, "fold/test_score"), key=lambda m: m.step
        )
        assert [m.step for m in history] == list(range(search.n_splits_)) == [0, 1, 2]
        assert [m.value for m in history] == pytest.approx(trial.user_attrs["split_test_scores"])
        assert run.data.metrics["mean_test_score"] == pytest.approx(trial.value)
        assert not any(key.startswith("split") for key in run.data.metrics)


def test_a_search_keeps_its_artifacts_beside_its_sqlite_store(data, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    work, store = tmp_path / "work", tmp_path / "store"
    work.mkdir()
    store.mkdir()
    monkeypatch.chdir(work)
    uri = f"sqlite:///{store / 's.db'}"
    X, y, groups = data
    _search(n_trials=2, tracking=uri, experiment_name="t").fit(X, y, groups=groups)
    assert not (work / "mlruns").exists()
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("t").experiment_id])
    (parent,) = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert parent.info.artifact_uri.startswith((store / "mlruns").as_uri())
    artifacts = store / "mlruns" / "t" / parent.info.run_id / "artifacts"
    assert (artifacts / "optuna" / "optimization_history.png").is_file()
    assert (artifacts / "model" / "MLmodel").is_file()


def test_a_search_against_a_broken_store_fails_before_its_study_exists(data, tmp_path):
    from skgait.exceptions import TrackingError

    (tmp_path / "s.db").write_text("not a database")
    uri = f"sqlite:///{tmp_path / 's.db'}"
    search = _search(n_trials=1, tracking=uri)
    X, y, groups = data
    with pytest.raises(TrackingError) as info:
        search.fit(X, y, groups=groups)
    assert uri in str(info.value)
    assert not hasattr(search, "study_")  # no trial was fitted


def test_a_search_against_an_unreachable_server_fails_in_seconds(data, monkeypatch):
    from skgait.exceptions import TrackingError

    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", raising=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        uri = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens there
    search = _search(n_trials=1, tracking=uri)
    X, y, groups = data
    start = time.monotonic()
    with pytest.raises(TrackingError, match="is not reachable") as info:
        search.fit(X, y, groups=groups)
    assert time.monotonic() - start < 10
    assert uri in str(info.value)
    assert not hasattr(search, "study_")


def test_tracking_logs_the_refitted_best_estimator_as_an_mlflow_model(data, tmp_path, monkeypatch):
    import mlflow
    from mlflow.tracking import MlflowClient

    from skgait import __version__

    monkeypatch.chdir(tmp_path)  # the experiment's artifacts go to ./mlruns
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)  # runs:/ URIs resolve there
    X, y, groups = data
    search = _search(n_trials=2, tracking=uri, experiment_name="t").fit(X, y, groups=groups)
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("t").experiment_id])
    (parent,) = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    model = f"runs:/{parent.info.run_id}/model"
    expected = search.best_estimator_.predict(X)
    np.testing.assert_array_equal(mlflow.sklearn.load_model(model).predict(X), expected)
    np.testing.assert_array_equal(mlflow.pyfunc.load_model(model).predict(X), expected)
    (spec,) = mlflow.models.get_model_info(model).signature.inputs.inputs
    assert spec.shape == (-1, *X.shape[1:])
    for run in runs:  # the search and its trials say where they come from
        assert run.data.tags["skgait.version"] == __version__
        assert run.data.tags["mlflow.source.name"] == sys.argv[0]


def test_a_search_without_refit_logs_no_model(data, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    X, y, groups = data
    _search(n_trials=1, tracking=uri, refit=False).fit(X, y, groups=groups)
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name("skgait-search").experiment_id])
    (parent,) = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert client.list_artifacts(parent.info.run_id, "optuna")
    assert not client.list_artifacts(parent.info.run_id, "model")


class RecordingTracker:
    """A tracker hook that records what the search tells it."""

    def __init__(self):
        self.calls = []

    def start(self, run_name, params):
        self.calls.append(("start", run_name))

    def __call__(self, study, trial):
        self.calls.append(("trial", trial.number))

    def finish(self, study, summary, status="FINISHED"):
        self.calls.append(("finish", status))


def test_a_tracker_hook_sees_the_search_start_each_trial_and_the_end(data):
    X, y, groups = data
    tracker = RecordingTracker()
    _search(n_trials=2, tracking=tracker, study_name="hook").fit(X, y, groups=groups)
    assert tracker.calls == [
        ("start", "search hook"),
        ("trial", 0),
        ("trial", 1),
        ("finish", "FINISHED"),
    ]


def test_model_selection_does_not_import_mlflow():
    code = "import sys, skgait.model_selection; print('mlflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------
CONFIG = """
tasks = ["gender"]
n_splits = 3

[windows]
rate = 50.0

[[datasets]]
windows = "windows.npz"

[search]
estimator = "acf_rf"
scoring = "balanced_accuracy"
pruner = "median"

[space.acf__lags]
type = "int"
low = 1
high = 12

[space.rf__n_estimators]
type = "int"
low = 3
high = 8
"""


@pytest.fixture
def config_dir(tmp_path, data):
    X, y, groups = data
    np.savez(tmp_path / "windows.npz", X=X, y=y, groups=groups)
    (tmp_path / "search.toml").write_text(CONFIG)
    return tmp_path


def test_cli_reports_every_config_problem_before_work(config_dir, capsys):
    from skgait.cli.search import main

    bad = CONFIG.replace('tasks = ["gender"]', 'tasks = ["height"]').replace(
        "high = 12", "high = 0"
    )
    bad = bad.replace("[space.rf__n_estimators]", "[space.rf__n_trees]") + "\n[extra]\nx = 1\n"
    (config_dir / "bad.toml").write_text(bad)
    status = main(
        ["--config", str(config_dir / "bad.toml"), "--storage", "sqlite://", "--study-name", "s"]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "extra = {'x': 1}: unknown key" in err
    assert "tasks[0] = 'height': unknown; expected one of 'gender', 'age'." in err
    assert "space.acf__lags.low = 1: must be <= high = 0." in err


def test_cli_names_datasets_as_the_grid_does(config_dir):
    from skgait.exceptions import ConfigError
    from skgait.experiments._config import read_config, validate_config

    config = read_config(config_dir / "search.toml")
    for name in ("ipol", "ipol_healthy_gait"):
        config["datasets"] = [{"dataset": name, "placement": "waist"}]
        validate_config(config, config_dir / "search.toml")
    config["datasets"] = [{"dataset": "atlantis", "placement": "waist"}]
    with pytest.raises(ConfigError, match="dataset = 'atlantis': unknown dataset"):
        validate_config(config, config_dir / "search.toml")


#: The sections a grid and a search share, written once.
SHARED = """
tasks = ["gender"]
n_splits = 3
random_state = 7
tracking = true
tracking_uri = "sqlite:///mlflow.db"
experiment = "shared"

[windows]
rate = 50.0
length = 2.56
overlap = 0.5
activity = "walking"

[[datasets]]
dataset = "ipol"
placement = "waist"
"""

SEARCH_ONLY = """
[search]
estimator = "acf_rf"

[space.acf__lags]
type = "int"
low = 1
high = 12
"""


def test_grid_and_search_read_the_same_shared_sections(tmp_path):
    from skgait.experiments import load_config
    from skgait.experiments._config import read_config, validate_config

    (tmp_path / "grid.toml").write_text(SHARED)
    (tmp_path / "search.toml").write_text(SHARED + SEARCH_ONLY)
    grid = load_config(tmp_path / "grid.toml").params
    search = validate_config(read_config(tmp_path / "search.toml"), tmp_path / "search.toml")
    assert grid["tasks"] == [search.task] == ["gender"]
    assert grid["n_splits"] == search.n_splits == 3
    assert grid["random_state"] == search.random_state == 7
    assert grid["windows"] == search.windows
    assert search.windows == {"rate": 50.0, "length": 2.56, "overlap": 0.5, "activity": "walking"}
    assert grid["datasets"] == [search.dataset] == [{"dataset": "ipol", "placement": "waist"}]
    assert grid["tracking_uri"] == search.tracking == "sqlite:///mlflow.db"
    assert grid["experiment"] == search.experiment == "shared"


@pytest.mark.parametrize(
    "old, new",
    [
        ("rate = 50.0", "rate = -1"),
        ("overlap = 0.5", "overlap = 1.5"),
        ('activity = "walking"', 'activity = "flying"'),
        ('dataset = "ipol"', 'dataset = "atlantis"'),
        ('placement = "waist"', 'placement = "hat"'),
        ("random_state = 7", "random_state = -7"),
        ("n_splits = 3", "n_splits = 1"),
        ('tasks = ["gender"]', 'tasks = ["height"]'),
        ("tracking = true", 'tracking = "yes"'),
    ],
)
def test_grid_and_search_give_the_same_message_for_a_bad_shared_value(tmp_path, old, new):
    from skgait.exceptions import ConfigError
    from skgait.experiments import load_config
    from skgait.experiments._config import read_config, validate_config

    bad = SHARED.replace(old, new)
    (tmp_path / "grid.toml").write_text(bad)
    (tmp_path / "search.toml").write_text(bad + SEARCH_ONLY)
    with pytest.raises(ConfigError) as grid:
        load_config(tmp_path / "grid.toml")
    with pytest.raises(ConfigError) as search:
        validate_config(read_config(tmp_path / "search.toml"), tmp_path / "search.toml")
    assert len(grid.value.errors) == 1
    assert search.value.errors == grid.value.errors


def test_search_takes_one_task_one_dataset_and_its_own_tracking_keys(tmp_path):
    from skgait.exceptions import ConfigError
    from skgait.experiments import read_toml
    from skgait.experiments._config import validate_config

    (tmp_path / "search.toml").write_text(SHARED + SEARCH_ONLY)
    config = read_toml(tmp_path / "search.toml")
    config["tasks"] = ["gender", "age"]
    config["datasets"] *= 2
    config["results_path"] = "results.csv"
    with pytest.raises(ConfigError) as info:
        validate_config(config, tmp_path / "search.toml")
    errors = "\n".join(info.value.errors)
    assert "tasks = ['gender', 'age']: a search optimises one task" in errors
    assert "datasets = [" in errors and "a search runs on one dataset" in errors
    assert "results_path = 'results.csv': unknown key; expected one of" in errors


@pytest.mark.parametrize(
    "tracking, uri",
    [
        ({}, None),
        ({"tracking": False, "tracking_uri": "sqlite:///x.db"}, None),
        ({"tracking": True}, DEFAULT_TRACKING_URI),
        ({"tracking_uri": "sqlite:///x.db"}, "sqlite:///x.db"),
    ],
)
def test_search_is_tracked_only_when_asked(tmp_path, tracking, uri):
    from skgait.experiments import read_toml
    from skgait.experiments._config import validate_config

    (tmp_path / "search.toml").write_text(SHARED + SEARCH_ONLY)
    config = read_toml(tmp_path / "search.toml")
    for key in ("tracking", "tracking_uri", "experiment"):
        del config[key]
    assert validate_config({**config, **tracking}, tmp_path / "search.toml").tracking == uri


def test_search_config_of_the_first_format_says_where_each_key_went(tmp_path, capsys):
    from skgait.cli.search import main

    old = """
[data]
dataset = "sisfall"
placement = "waist"
rate = 50.0

[search]
task = "gender"
estimator = "acf_rf"
n_splits = 3
random_state = 0
tracking = "sqlite:///mlflow.db"

[space.acf__lags]
type = "int"
low = 1
high = 12
"""
    (tmp_path / "old.toml").write_text(old)
    status = main(["--config", str(tmp_path / "old.toml"), "--storage", "sqlite://"])
    err = capsys.readouterr().err
    assert status == 2
    assert "data = {" in err and "the [data] section was split, as in a grid" in err
    assert "in [windows]" in err and "[[datasets]] entry" in err
    assert "search.task = 'gender': moved, as in a grid: write tasks = ['gender'] at the" in err
    assert "search.n_splits = 3: moved, as in a grid: write n_splits = 3 at the top level" in err
    assert "search.random_state = 0: moved" in err
    assert "write tracking_uri = 'sqlite:///mlflow.db' at the top level" in err


def test_cli_rejects_parameters_of_another_estimator(config_dir, capsys):
    from skgait.cli.search import main

    bad = CONFIG.replace("[space.rf__n_estimators]", "[space.rf__n_trees]")
    (config_dir / "bad.toml").write_text(bad)
    assert (
        main(
            [
                "--config",
                str(config_dir / "bad.toml"),
                "--storage",
                "sqlite://",
                "--study-name",
                "s",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "space.rf__n_trees = {'type': 'int', 'low': 3, 'high': 8}: not a parameter" in err
    assert "of estimator 'acf_rf'" in err


def test_cli_reads_its_config_with_tomli_on_python_3_10(config_dir):
    # Python 3.10 (supported) has no tomllib; the tomli package is the same
    # parser under another name. Simulated in a subprocess: tomllib missing,
    # tomli present.
    code = textwrap.dedent("""
        import sys, tomllib
        sys.modules["tomli"], sys.modules["tomllib"] = tomllib, None
        from skgait.experiments._config import read_config
        print(sorted(read_config(sys.argv[1])))
    """)
    out = subprocess.run(
        [sys.executable, "-c", code, str(config_dir / "search.toml")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['datasets', 'n_splits', 'search', 'space', 'tasks', 'windows']"


def test_cli_needs_storage_and_study_name(config_dir, capsys):
    from skgait.cli import main

    assert main(["search", "--config", str(config_dir / "search.toml")]) == 2
    err = capsys.readouterr().err
    assert "no storage" in err and "no study name" in err


def test_cli_worker_runs_trials_in_a_sqlite_study(config_dir, capsys):
    from skgait.cli.search import main

    url = f"sqlite:///{config_dir / 'cli.db'}"
    args = ["--config", str(config_dir / "search.toml"), "--storage", url, "--study-name", "cli"]
    assert main([*args, "--n-trials", "2"]) == 0
    assert main([*args, "--n-trials", "1"]) == 0
    assert len(optuna.load_study(study_name="cli", storage=url).trials) == 3
    assert "study 'cli': 3 trials" in capsys.readouterr().out


def test_cli_worker_tracks_to_its_tracking_table(config_dir, monkeypatch):
    from mlflow.tracking import MlflowClient

    from skgait.cli.search import main

    monkeypatch.chdir(config_dir)
    uri = f"sqlite:///{config_dir / 'mlflow.db'}"
    tracked = f'tracking_uri = "{uri}"\nexperiment = "from-config"\n' + CONFIG
    (config_dir / "tracked.toml").write_text(tracked)
    args = ["--config", str(config_dir / "tracked.toml"), "--storage", "sqlite://"]
    assert main([*args, "--study-name", "tracked", "--n-trials", "1"]) == 0
    experiment = MlflowClient(tracking_uri=uri).get_experiment_by_name("from-config")
    assert experiment is not None
    assert len(MlflowClient(tracking_uri=uri).search_runs([experiment.experiment_id])) == 2


def _run_worker(config_dir, *extra, config="search.toml", study="s", n_trials=2):
    from skgait.cli.search import main

    url = f"sqlite:///{config_dir / (study + '.db')}"
    args = ["--config", str(config_dir / config), "--storage", url, "--study-name", study]
    return main([*args, "--n-trials", str(n_trials), *extra]), url


def test_cli_seed_makes_a_single_worker_repeat_its_trials(config_dir):
    studies = []
    for study in ("first", "second"):
        status, url = _run_worker(config_dir, "--seed", "3", study=study, n_trials=4)
        assert status == 0
        studies.append(optuna.load_study(study_name=study, storage=url).trials)
    assert [t.params for t in studies[0]] == [t.params for t in studies[1]]
    assert [t.value for t in studies[0]] == [t.value for t in studies[1]]
    assert len({tuple(t.params.items()) for t in studies[0]}) > 1  # not one point drawn 4 times


def test_cli_seed_key_of_the_config_seeds_the_sampler_as_the_option_does(config_dir):
    seeded = CONFIG.replace('pruner = "median"', 'pruner = "median"\nseed = 3')
    (config_dir / "seeded.toml").write_text(seeded)
    _, by_key = _run_worker(config_dir, config="seeded.toml", study="key")
    _, by_option = _run_worker(config_dir, "--seed", "3", study="option")
    trials = [
        optuna.load_study(study_name=n, storage=u).trials
        for n, u in (("key", by_key), ("option", by_option))
    ]
    assert [t.params for t in trials[0]] == [t.params for t in trials[1]]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("seed", "-1", "search.seed = -1: expected an integer seed"),
        ("register_name", '""', "search.register_name = '': expected a non-empty name."),
    ],
)
def test_cli_refuses_a_bad_seed_or_register_name(config_dir, capsys, key, value, message):
    bad = CONFIG.replace('pruner = "median"', f'pruner = "median"\n{key} = {value}')
    (config_dir / "bad.toml").write_text(bad)
    status, _ = _run_worker(config_dir, config="bad.toml")
    assert status == 2
    assert message in capsys.readouterr().err


def test_cli_progress_prints_trials_done_and_the_best_so_far(config_dir, capsys):
    status, _ = _run_worker(config_dir, "--progress", n_trials=2)
    assert status == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("trial ")]
    assert len(lines) == 2
    assert re.fullmatch(
        r"trial 1/2 done \(#0 complete [01]\.\d{4}\); best [01]\.\d{4} \(trial 0\)", lines[0]
    )
    assert lines[1].startswith("trial 2/2 done (#1 ")


def test_cli_progress_is_quiet_when_stderr_is_no_terminal(config_dir, capsys):
    assert _run_worker(config_dir, n_trials=1)[0] == 0  # pytest's capture is no terminal
    assert "trial 1/1 done" not in capsys.readouterr().err


def test_cli_summary_shows_an_interval_over_subjects_and_the_majority_baseline(config_dir, capsys):
    assert _run_worker(config_dir, "--seed", "0")[0] == 0
    out = capsys.readouterr().out
    assert re.search(
        r"best configuration out of fold: balanced_accuracy (\d\.\d\d) "
        r"\[(\d\.\d\d), (\d\.\d\d)\] \(95 % interval over 12 subjects\); "
        r"majority baseline 0\.50\.",
        out,
    ), out


def test_cli_without_tracking_table_registers_no_model(config_dir, capsys):
    assert _run_worker(config_dir)[0] == 0
    out = capsys.readouterr().out
    assert "registered as" not in out
    assert not (config_dir / "mlflow.db").exists()


def test_a_tracked_cli_search_prints_no_pickle_warning(config_dir, monkeypatch, capfd, recwarn):
    monkeypatch.chdir(config_dir)
    uri = f"sqlite:///{config_dir / 'mlflow.db'}"
    (config_dir / "tracked.toml").write_text(f'tracking_uri = "{uri}"\n' + CONFIG)
    capfd.readouterr()
    assert _run_worker(config_dir, config="tracked.toml")[0] == 0
    out, err = capfd.readouterr()
    assert "registered as 'skgait-gender-acf_rf' version 1" in out  # a model was logged
    assert "exercising caution" not in out + err
    assert not [w for w in recwarn if "pickle" in str(w.message).lower()]


@pytest.fixture(scope="module")
def real_windows(data_home):
    """Real SisFall windows: the first 4 of each recording of 4 women and 4 men."""
    from skgait.datasets import load_sisfall, make_windows

    X, meta = make_windows(load_sisfall(data_home=data_home), placement="waist")
    subjects = ["SA01", "SA02", "SA03", "SA04", "SA06", "SA07", "SA08", "SA09"]
    first = meta.groupby("recording").cumcount().to_numpy() < 4
    keep = meta["subject"].isin(subjects).to_numpy() & first
    y, groups = meta["sex"].to_numpy(str), meta["group"].to_numpy(str)
    return X[keep], y[keep], groups[keep]


#: Loads a registered model in a process of its own and saves its predictions.
LOAD_REGISTERED = """
import sys

import mlflow
import numpy as np

mlflow.set_tracking_uri(sys.argv[1])
model = mlflow.pyfunc.load_model(sys.argv[2])
np.save(sys.argv[4], model.predict(np.load(sys.argv[3])["X"]))
"""


@pytest.mark.realdata
def test_cli_registers_a_refitted_model_that_loads_in_a_fresh_process(
    config_dir, real_windows, capsys, monkeypatch
):
    from sklearn.base import clone

    from skgait.experiments._config import read_config, validate_config

    X, y, groups = real_windows
    assert len(set(y[groups == g][0] for g in np.unique(groups))) == 2
    np.savez(config_dir / "real.npz", X=X, y=y, groups=groups)
    monkeypatch.chdir(config_dir)
    uri = f"sqlite:///{config_dir / 'mlflow.db'}"
    tracked = f'tracking_uri = "{uri}"\n' + CONFIG.replace("windows.npz", "real.npz")
    (config_dir / "real.toml").write_text(tracked)
    status, url = _run_worker(config_dir, "--seed", "0", config="real.toml", study="real")
    assert status == 0
    out = capsys.readouterr().out
    name = "skgait-gender-acf_rf"
    assert f"registered as {name!r} version 1 (models:/{name}/1)" in out
    (config_dir / "load.py").write_text(LOAD_REGISTERED)
    loaded = subprocess.run(
        [sys.executable, "load.py", uri, f"models:/{name}/1", "real.npz", "pred.npy"],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    config = validate_config(read_config(config_dir / "real.toml"), config_dir / "real.toml")
    best = optuna.load_study(study_name="real", storage=url).best_params
    refit = clone(config.estimator).set_params(**best).fit(X, y)
    np.testing.assert_array_equal(
        np.load(config_dir / "pred.npy", allow_pickle=True), refit.predict(X)
    )


def test_the_python_search_registers_its_best_estimator_under_the_experiment(
    data, tmp_path, monkeypatch
):
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    X, y, groups = data
    search = _search(n_trials=1, tracking=uri, experiment_name="lags").fit(X, y, groups=groups)
    (version,) = MlflowClient(uri).search_model_versions("name = 'lags'")
    run = MlflowClient(uri).get_run(version.run_id)
    assert "mlflow.parentRunId" not in run.data.tags  # the search's run, not a trial's
    assert hasattr(search, "best_estimator_")


@pytest.mark.parametrize(("n_trials", "plotted"), [(4, False), (10, True)])
def test_parameter_importances_are_plotted_from_ten_completed_trials(
    data, tmp_path, monkeypatch, n_trials, plotted
):
    from mlflow.tracking import MlflowClient

    from skgait.tracking._search import MIN_TRIALS_FOR_IMPORTANCE

    assert MIN_TRIALS_FOR_IMPORTANCE == 10
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    X, y, groups = data
    _search(n_trials=n_trials, tracking=uri, refit=False).fit(X, y, groups=groups)
    client = MlflowClient(uri)
    runs = client.search_runs([client.get_experiment_by_name("skgait-search").experiment_id])
    (parent,) = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    names = {a.path for a in client.list_artifacts(parent.info.run_id, "optuna")}
    assert ("optuna/param_importances.png" in names) is plotted
    assert "optuna/optimization_history.png" in names
    reason = parent.data.tags.get("optuna.param_importances")
    if plotted:
        assert reason is None
    else:
        assert reason == "not computed: 4 completed trials, fewer than 10"


def test_verbose_one_writes_a_progress_line_per_trial(data, capsys):
    X, y, groups = data
    _search(n_trials=3, verbose=1).fit(X, y, groups=groups)
    err = capsys.readouterr().err
    assert [line[:16] for line in err.splitlines() if line.startswith("trial ")] == [
        "trial 1/3 done (",
        "trial 2/3 done (",
        "trial 3/3 done (",
    ]


# ----------------------------------------------------------------------
# killed workers: their trial ends FAILED and runs again
# ----------------------------------------------------------------------
#: Runs ``skgait search`` with every random forest fit held at a gate: the
#: fit creates ``<gate>/fitting`` and waits for ``<gate>/open``. The test
#: signals the worker while a trial is certainly in progress, then opens the
#: gate; nothing depends on how fast the machine is.
GATED_WORKER = """
import pathlib
import sys
import time

from sklearn.ensemble import RandomForestClassifier

gate = pathlib.Path(sys.argv[1])
fit = RandomForestClassifier.fit


def gated_fit(self, X, y, sample_weight=None):
    (gate / "fitting").touch()
    while not (gate / "open").exists():
        time.sleep(0.01)
    return fit(self, X, y, sample_weight=sample_weight)


RandomForestClassifier.fit = gated_fit
from skgait.cli import main  # noqa: E402

sys.exit(main(sys.argv[2:]))
"""


def _worker(config_dir, url, n_trials, gate=None):
    args = [
        "search",
        "--config",
        str(config_dir / "search.toml"),
        "--storage",
        url,
        "--study-name",
        "killed",
        "--n-trials",
        str(n_trials),
        "--heartbeat-interval",
        "1",
    ]
    if gate is None:
        command = [sys.executable, "-m", "skgait.cli", *args]
    else:
        gate.mkdir(exist_ok=True)
        (config_dir / "gated_worker.py").write_text(GATED_WORKER)
        command = [sys.executable, str(config_dir / "gated_worker.py"), str(gate), *args]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _held_trial(url, worker, gate, timeout=900):  # a hang, not a speed goal
    """Number of the trial whose fit ``worker`` holds at ``gate``."""
    deadline = time.monotonic() + timeout
    while not (gate / "fitting").exists():
        if worker.poll() is not None:
            pytest.fail(f"the worker exited early: {worker.communicate()[1][-3000:]}")
        if time.monotonic() > deadline:
            worker.kill()
            pytest.fail(f"no fit started within {timeout} s")
        time.sleep(0.05)
    study = optuna.load_study(study_name="killed", storage=url)
    (running,) = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,))
    return running.number


def _retry_of(study, number):
    return [t for t in study.trials if t.system_attrs.get("failed_trial") == number]


def test_sigterm_fails_the_running_trial_at_once_and_it_runs_again(config_dir):
    url = f"sqlite:///{config_dir / 'killed.db'}"
    gate = config_dir / "gate"
    worker = _worker(config_dir, url, n_trials=3, gate=gate)
    number = _held_trial(url, worker, gate)
    worker.send_signal(signal.SIGTERM)
    (gate / "open").touch()  # the fold ends; the trial stops at the next safe point
    _, err = worker.communicate(timeout=900)
    assert worker.returncode == 143, err[-3000:]
    assert "terminated (SIGTERM)" in err
    study = optuna.load_study(study_name="killed", storage=url)
    killed = study.trials[number]
    assert killed.state == optuna.trial.TrialState.FAIL
    assert len(killed.user_attrs["split_test_scores"]) == 1  # stopped after its first fold
    assert len(study.trials) == number + 2  # no trial started after the signal
    (retry,) = _retry_of(study, number)
    assert retry.state == optuna.trial.TrialState.WAITING and retry.params == killed.params

    next_run = _worker(config_dir, url, n_trials=1)
    _, err = next_run.communicate(timeout=900)
    assert next_run.returncode == 0, err[-3000:]
    (retry,) = _retry_of(optuna.load_study(study_name="killed", storage=url), number)
    assert retry.state == optuna.trial.TrialState.COMPLETE


def test_a_sigterm_that_lands_in_a_finaliser_is_not_lost():
    # A signal handler runs wherever the main thread is, for instance in a
    # weakref finaliser (SQLAlchemy's connection pool has some): an exception
    # raised by the handler there is printed and ignored, and the worker went
    # on to exit 0. The handler only records the request; the search raises
    # at its next safe point.
    import weakref

    from skgait.cli.search import _stop_on_sigterm
    from skgait.model_selection._trials import STOP, StopRequested

    class Resource:
        pass

    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        resource = Resource()
        weakref.finalize(resource, signal.raise_signal, signal.SIGTERM)
        del resource  # the finaliser runs, and the handler inside it
        with pytest.raises(StopRequested) as info:
            STOP.check()
        assert info.value.code == 143
    finally:
        signal.signal(signal.SIGTERM, previous)
        STOP.clear()


def test_sigkill_leaves_a_stale_trial_that_the_next_run_fails_and_retries(config_dir):
    url = f"sqlite:///{config_dir / 'killed.db'}"
    gate = config_dir / "gate"
    worker = _worker(config_dir, url, n_trials=3, gate=gate)
    number = _held_trial(url, worker, gate)
    worker.kill()  # no chance to clean up
    worker.communicate(timeout=900)
    study = optuna.load_study(study_name="killed", storage=url)
    assert study.trials[number].state == optuna.trial.TrialState.RUNNING
    time.sleep(2.5)  # the grace period: twice the heartbeat interval of 1 s

    next_run = _worker(config_dir, url, n_trials=1)
    _, err = next_run.communicate(timeout=900)
    assert next_run.returncode == 0, err[-3000:]
    study = optuna.load_study(study_name="killed", storage=url)
    assert study.trials[number].state == optuna.trial.TrialState.FAIL
    (retry,) = _retry_of(study, number)
    assert retry.state == optuna.trial.TrialState.COMPLETE
    assert retry.params == study.trials[number].params


# ----------------------------------------------------------------------
# PostgreSQL: several worker processes share one study
# ----------------------------------------------------------------------
def _pg_binary(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free port.

    ``SKGAIT_TEST_POSTGRES_URL`` points the test at an existing server
    instead. As root, the cluster runs as the ``postgres`` user (PostgreSQL
    refuses to run as root).
    """
    pytest.importorskip("psycopg2", reason="psycopg2-binary is needed for PostgreSQL storage")
    if os.environ.get("SKGAIT_TEST_POSTGRES_URL"):
        yield os.environ["SKGAIT_TEST_POSTGRES_URL"]
        return
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; "
            "apt-get install -y postgresql, or set SKGAIT_TEST_POSTGRES_URL"
        )
    prefix = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no 'postgres' user to run the server as")
        runuser = shutil.which("runuser") or shutil.which("su")
        prefix = [runuser, "-u", "postgres", "--"] if runuser.endswith("runuser") else None
        if prefix is None:
            pytest.skip("running as root without runuser to drop privileges")
    root = tempfile.mkdtemp(prefix="skgait-pg-")
    os.chmod(root, 0o755)
    if prefix:
        os.chown(root, user.pw_uid, user.pw_gid)
    datadir, port = os.path.join(root, "data"), _free_port()

    def run(cmd):
        return subprocess.run(
            prefix + cmd, capture_output=True, text=True, timeout=900, check=False
        )

    out = run([initdb, "-D", datadir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
    if out.returncode:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"initdb failed: {out.stderr}")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    out = run([pg_ctl, "-D", datadir, "-o", opts, "-l", os.path.join(root, "log"), "-w", "start"])
    if out.returncode:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"pg_ctl start failed: {out.stderr}{out.stdout}")
    try:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE optuna_test")
        conn.close()
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/optuna_test"
    finally:
        run([pg_ctl, "-D", datadir, "-m", "fast", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.integration
def test_three_cli_workers_share_one_postgresql_study(config_dir, postgres_url):
    args = [
        sys.executable,
        "-m",
        "skgait.cli",
        "search",
        "--config",
        str(config_dir / "search.toml"),
        "--storage",
        postgres_url,
        "--study-name",
        "shared",
        "--n-trials",
        "10",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    workers = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    outputs = [w.communicate(timeout=900) for w in workers]  # a hang, not a speed goal
    for w, (_, err) in zip(workers, outputs):
        assert w.returncode == 0, err[-3000:]

    study = optuna.load_study(study_name="shared", storage=postgres_url)
    numbers = sorted(t.number for t in study.trials)
    assert numbers == list(range(30))  # none lost, none duplicated
    assert {t.state for t in study.trials} <= {
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.PRUNED,
    }
    code = textwrap.dedent(f"""
        import optuna
        s = optuna.load_study(study_name="shared", storage={postgres_url!r})
        print(s.best_trial.number, repr(s.best_value), sorted(s.best_params.items()))
    """)
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    best = study.best_trial
    assert fresh.stdout.strip() == f"{best.number} {best.value!r} {sorted(best.params.items())}"


# ----------------------------------------------------------------------
# real data: nested evaluation on SisFall (examples/nested_search.py)
# ----------------------------------------------------------------------
@pytest.mark.realdata
def test_nested_search_on_sisfall_reports_lags_per_fold(sisfall_walking_windows):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "nested_search.py"
    spec = importlib.util.spec_from_file_location("nested_search", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    X, meta = sisfall_walking_windows
    results = example.nested_search(X, meta, outer_splits=3, n_trials=6, n_estimators=30)
    assert len(results) == 3
    assert results["acf__lags"].between(2, 40).all()
    assert results["outer_test_score"].between(0, 1).all()
    assert (results["trials"] == 6).all()
