"""Cross-dataset grids: table, validation before training, failures, MLflow.

Small on purpose (a few windows per subject, forests of a few trees): the
behaviour under test is the bookkeeping, not the accuracy.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
import warnings

import numpy as np
import pandas as pd
import pytest
from _grids import (
    FailingClassifier,
    MajorityClassifier,
    MeanRegressor,
    synthetic_dataset,
    synthetic_grid,
)
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.pipeline import make_pipeline

from skgait.datasets import CHANNELS
from skgait.exceptions import ConfigError, TrackingError
from skgait.experiments import (
    CrossDatasetGrid,
    load_config,
    parse_config,
    results_tables,
)
from skgait.features import ACFTransformer
from skgait.tracking import read_grid_results

RF = {"estimator": "acf_rf", "n_estimators": 5}


# --------------------------------------------------------------------------
# a small real-data grid, tracked in a SQLite store, shared by several tests
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_grid(tmp_path_factory, data_home):
    tmp = tmp_path_factory.mktemp("real_grid")
    params = dict(
        datasets={"hugadb": "right_foot", "ipol": "right_foot"},
        # HuGaDB's right-foot gyroscope is corrupted in most files (make_windows
        # drops those); its accelerometer is intact for all 18 subjects.
        windows={"channels": CHANNELS[:3]},
        tasks=["gender", "age"],
        estimators={"rf": RF},
        protocols=["within", "direct", "scratch"],
        max_windows_per_subject=4,
        n_splits=3,
        data_home=str(data_home),
        tracking_uri=f"sqlite:///{tmp}/mlflow.db",
        experiment="test-grid",
        results_path=tmp / "results.csv",
        log_models=["*protocol=direct"],
    )
    grid = CrossDatasetGrid(**params)
    results = grid.run()
    return grid, results, params


@pytest.mark.realdata
def test_real_grid_returns_one_row_per_cell_with_metrics(real_grid):
    grid, results, _ = real_grid
    # 2 tasks x (2 diagonal + 2 direct + 2 scratch) cells
    assert len(results) == 12
    assert set(results["protocol"]) == {"within", "direct", "scratch"}
    assert (results["status"] == "FINISHED").all() and (results["error"] == "").all()
    gender = results[results["task"] == "gender"]
    age = results[results["task"] == "age"]
    assert gender[["accuracy", "balanced_accuracy", "baseline_accuracy"]].notna().all().all()
    assert gender["mae"].isna().all()
    assert (age["mae"] > 0).all() and age["baseline_mae"].notna().all()
    direct = results.query("protocol == 'direct' and task == 'gender'").set_index("target")
    assert direct.loc["ipol", "n_subjects"] == 19 and direct.loc["hugadb", "n_subjects"] == 18
    assert (results["fit_seconds"] > 0).all() and (results["n_windows"] > 0).all()
    assert results["cell_key"].is_unique and results["run_id"].notna().all()


@pytest.mark.realdata
def test_real_grid_writes_the_table_to_csv(real_grid):
    grid, results, _ = real_grid
    on_disk = pd.read_csv(grid.results_path_)
    assert list(on_disk.columns) == list(results.columns)
    assert len(on_disk) == len(results)


@pytest.mark.realdata
def test_tables_put_training_datasets_in_rows(real_grid):
    _, results, _ = real_grid
    table = results_tables(results)[("gender", "accuracy", "rf", "direct")]
    assert table.index.name == "train" and table.columns.name == "test"
    within = results.query("protocol == 'within' and task == 'gender'").set_index("source")
    direct = results.query("protocol == 'direct' and task == 'gender'").set_index("source")
    assert table.loc["ipol", "ipol"] == within.loc["ipol", "accuracy"]
    assert table.loc["hugadb", "ipol"] == direct.loc["hugadb", "accuracy"]


@pytest.mark.realdata
def test_mlflow_has_a_parent_run_with_nested_cells_heatmaps_and_models(real_grid):
    from mlflow.tracking import MlflowClient

    grid, results, params = real_grid
    client = MlflowClient(params["tracking_uri"])
    parent = client.get_run(grid.parent_run_id_)
    assert parent.info.status == "FINISHED"
    children = client.search_runs(
        [parent.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{grid.parent_run_id_}'",
    )
    assert len(children) == len(results)
    run = client.get_run(
        results.query("protocol == 'direct' and task == 'gender'")["run_id"].iloc[0]
    )
    assert run.data.params["task"] == "gender" and run.data.params["protocol"] == "direct"
    assert run.data.params["rate"] == "50.0" and run.data.params["lags"] == "10"
    assert run.data.params["estimator.rf__n_estimators"] == "5"
    assert {"accuracy", "balanced_accuracy", "baseline_accuracy"} <= set(run.data.metrics)
    assert run.data.tags["skgait.cell_key"].startswith("source=")
    assert "skgait.version" in run.data.tags
    assert "model/MLmodel" in {a.path for a in client.list_artifacts(run.info.run_id, "model")}
    artifacts = {a.path for a in client.list_artifacts(grid.parent_run_id_)}
    assert "results.csv" in artifacts
    heatmaps = {a.path for a in client.list_artifacts(grid.parent_run_id_, "heatmaps")}
    assert heatmaps == {
        "heatmaps/heatmap_gender_accuracy.png",
        "heatmaps/heatmap_gender_balanced_accuracy.png",
        "heatmaps/heatmap_age_mae.png",
    }
    back = read_grid_results(params["tracking_uri"], "test-grid", grid.parent_run_id_)
    assert len(back) == len(results)


@pytest.mark.realdata
def test_rerun_skips_finished_cells_and_recompute_redoes_them(real_grid):
    grid, results, params = real_grid
    again = CrossDatasetGrid(**params).run()
    assert again["cached"].all()
    assert list(again["run_id"]) == list(results["run_id"])
    np.testing.assert_allclose(again["accuracy"], results["accuracy"])

    redone = CrossDatasetGrid(**{**params, "tasks": ["gender"], "recompute": True}).run()
    assert not redone["cached"].any()
    assert set(redone["run_id"]).isdisjoint(results["run_id"])


@pytest.mark.realdata
def test_cnn_fine_tune_reports_fine_tune_time_and_speed_up(tmp_path, data_home):
    grid = CrossDatasetGrid(
        {"hugadb": "right_foot", "ipol": "right_foot"},
        tasks=["gender"],
        estimators={
            "cnn": {
                "estimator": "acf_cnn",
                "max_epochs": 2,
                "fine_tune_epochs": 1,
                "batch_size": 32,
            }
        },
        protocols=["fine_tune", "scratch"],
        max_windows_per_subject=3,
        n_splits=2,
        data_home=str(data_home),
        tracking=False,
        results_path=tmp_path / "r.csv",
    )
    results = grid.run()
    assert (results["status"] == "FINISHED").all(), results["error"].tolist()
    fine_tune = results[results["protocol"] == "fine_tune"]
    assert len(fine_tune) == 2
    assert (fine_tune["fine_tune_seconds"] > 0).all() and (fine_tune["speed_up"] > 0).all()
    assert results[results["protocol"] == "scratch"]["speed_up"].isna().all()


# --------------------------------------------------------------------------
# validation before any training
# --------------------------------------------------------------------------


def test_different_numbers_of_time_points_fail_before_training(tmp_path):
    MajorityClassifier.fits = 0
    rng = np.random.default_rng(0)

    def windows(name, n_timepoints):
        meta = pd.DataFrame(
            {
                "dataset": name,
                "subject": [str(i % 4) for i in range(8)],
                "placement": "waist",
                "sex": ["F", "M"] * 4,
                "age": 30.0,
            }
        )
        return rng.normal(size=(8, 6, n_timepoints)).astype(np.float32), meta

    grid = synthetic_grid(tmp_path, datasets={"a": windows("a", 128), "b": windows("b", 100)})
    with pytest.raises(
        ValueError,
        match=r"'a' has windows of 6 channels x 128 time points "
        r"but 'b' has 6 x 100",
    ):
        grid.run()
    assert MajorityClassifier.fits == 0
    assert not (tmp_path / "results.csv").exists()


def test_a_placement_without_gyroscope_fails_before_training(tmp_path):
    MajorityClassifier.fits = 0
    acc_only = synthetic_dataset("phone", channels=CHANNELS[:3])
    grid = synthetic_grid(tmp_path, datasets={"a": synthetic_dataset("a"), "phone": acc_only})
    with pytest.raises(ValueError, match=r"datasets\['phone'\].*lacks requested channels"):
        grid.run()
    assert MajorityClassifier.fits == 0


@pytest.mark.parametrize(
    "params, message",
    [
        ({"tasks": ["gender", "height"]}, r"tasks: unknown value 'height'"),
        ({"protocols": ["within", "transfer"]}, r"protocols: unknown value 'transfer'"),
        ({"datasets": {"nope": "waist"}}, r"datasets\['nope'\]: unknown dataset 'nope'"),
        (
            {"datasets": {"sisfall": "left_ear"}},
            r"datasets\['sisfall'\]: unknown placement 'left_ear'",
        ),
        (
            {"estimators": {"m": MeanRegressor()}},
            r"estimators\['m'\] is a regressor and cannot run task 'gender'",
        ),
        (
            {"estimators": {"m": {"estimator": "svm"}}},
            r"estimators\['m'\]: Unknown estimator 'svm'",
        ),
        ({"protocols": ["fine_tune"]}, r"'fine_tune' needs an estimator with a warm_start_from"),
        ({"n_splits": 1}, r"n_splits must be an integer >= 2, got 1"),
    ],
)
def test_invalid_grid_parameters_fail_before_training(tmp_path, params, message):
    MajorityClassifier.fits = 0
    with pytest.raises(ValueError, match=message):
        synthetic_grid(tmp_path, **params).run()
    assert MajorityClassifier.fits == 0


# --------------------------------------------------------------------------
# failures and parallel backends
# --------------------------------------------------------------------------


def test_a_failing_cell_is_reported_and_the_others_finish(tmp_path):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    grid = synthetic_grid(
        tmp_path,
        estimators={"majority": MajorityClassifier(), "bad": FailingClassifier()},
        tracking=True,
        tracking_uri=uri,
        experiment="failing",
    )
    with pytest.warns(UserWarning, match="always fails"):
        results = grid.run()
    bad = results[results["estimator"] == "bad"]
    good = results[results["estimator"] == "majority"]
    assert (bad["status"] == "FAILED").all() and len(bad) == 4
    assert bad["error"].str.contains("RuntimeError: this estimator always fails").all()
    assert (good["status"] == "FINISHED").all() and good["accuracy"].notna().all()
    client = MlflowClient(uri)
    run = client.get_run(bad["run_id"].iloc[0])
    assert run.info.status == "FAILED"
    assert "always fails" in run.data.tags["skgait.error"]
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["error.txt"]
    # failed cells are retried, finished ones read back
    with pytest.warns(UserWarning, match="always fails"):
        again = synthetic_grid(
            tmp_path,
            estimators={"majority": MajorityClassifier(), "bad": FailingClassifier()},
            tracking=True,
            tracking_uri=uri,
            experiment="failing",
        ).run()
    assert list(again["cached"]) == [True] * 4 + [False] * 4


def test_a_diverged_cnn_cell_is_failed_with_the_reason(tmp_path):
    # lr = inf makes the loss NaN in the first epoch; the network would then
    # predict the first class everywhere, a chance-level "result".
    cnn = {"estimator": "acf_cnn", "lr": float("inf"), "max_epochs": 2, "batch_size": 4}
    with pytest.warns(UserWarning, match="training diverged"):
        results = synthetic_grid(tmp_path, estimators={"cnn": cnn, "rf": RF}).run()
    diverged = results[results["estimator"] == "cnn"]
    assert len(diverged) == 4 and (diverged["status"] == "FAILED").all()
    assert diverged["accuracy"].isna().all()
    assert (
        diverged["error"]
        .str.contains(
            "TrainingDivergedError: GaitCNNClassifier: training diverged at epoch 1: train_loss is nan"
        )
        .all()
    )
    assert (results[results["estimator"] == "rf"]["status"] == "FINISHED").all()


def test_an_exploding_cnn_cell_is_failed_with_the_reason(tmp_path):
    # lr = 1e8 keeps the loss finite (about 1e36) but useless: the cell
    # must not finish at chance level.
    cnn = {"estimator": "acf_cnn", "lr": 1e8, "max_epochs": 2, "batch_size": 4}
    with pytest.warns(UserWarning, match="training diverged"):
        results = synthetic_grid(tmp_path, estimators={"cnn": cnn}).run()
    assert (results["status"] == "FAILED").all() and results["accuracy"].isna().all()
    assert (
        results["error"]
        .str.contains(r"TrainingDivergedError: .* train_loss is \S+, above max_loss=1e\+06")
        .all()
    )


@contextlib.contextmanager
def dask_backend():
    """Joblib's ``dask`` backend on a one-worker in-process cluster."""
    joblib = pytest.importorskip("joblib")
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        yield


@pytest.mark.integration
def test_grid_runs_on_a_dask_cluster(tmp_path):
    grid = synthetic_grid(
        tmp_path,
        tasks=["gender", "age"],
        estimators={"rf": RF},
        protocols=["within", "direct", "scratch"],
    )
    with dask_backend():
        results = grid.run()
    assert len(results) == 12 and (results["status"] == "FINISHED").all()
    sequential = synthetic_grid(
        tmp_path,
        tasks=["gender", "age"],
        estimators={"rf": RF},
        protocols=["within", "direct", "scratch"],
        results_path=tmp_path / "seq.csv",
    ).run()
    np.testing.assert_allclose(results["mae"], sequential["mae"])


# --------------------------------------------------------------------------
# work done once: features per entry, scratch from within, one source fit
# --------------------------------------------------------------------------


class WarmMajority(MajorityClassifier):
    """A MajorityClassifier with a ``warm_start_from``; logs ``(n, warm)`` per fit."""

    log = []

    def __init__(self, warm_start_from=None):
        self.warm_start_from = warm_start_from

    def fit(self, X, y):
        type(self).log.append((len(X), self.warm_start_from is not None))
        return super().fit(X, y)

    def feature_weights(self):
        return {"majority": self.majority_}


class WholeACF(ACFTransformer):
    """An ACFTransformer the grid does not know as per-window: fitted per fold."""


def test_a_scratch_cell_is_read_from_the_within_cell_of_its_target(tmp_path):
    MajorityClassifier.fits = 0
    results = synthetic_grid(tmp_path, protocols=["within", "scratch"]).run()
    assert MajorityClassifier.fits == 2 * 2  # the two within cells' folds only
    within = results[results["protocol"] == "within"].set_index("target")
    scratch = results[results["protocol"] == "scratch"].set_index("target")
    columns = [
        "status",
        "accuracy",
        "balanced_accuracy",
        "baseline_accuracy",
        "n_folds",
        "n_train_windows",
        "n_windows",
        "n_subjects",
    ]
    pd.testing.assert_frame_equal(scratch.loc[["a", "b"], columns], within.loc[["a", "b"], columns])
    MajorityClassifier.fits = 0
    alone = synthetic_grid(tmp_path, protocols=["scratch"], results_path=None).run()
    assert MajorityClassifier.fits == 2 * 2  # without within cells, scratch fits
    pd.testing.assert_frame_equal(
        alone.set_index("target").loc[["a", "b"], columns], within.loc[["a", "b"], columns]
    )


def test_fine_tune_starts_from_the_model_of_the_direct_cell(tmp_path):
    WarmMajority.log = []
    results = synthetic_grid(
        tmp_path, estimators={"warm": WarmMajority()}, protocols=["direct", "fine_tune"]
    ).run()
    assert (results["status"] == "FINISHED").all()
    from_scratch = [n for n, warm in WarmMajority.log if not warm]
    assert len(from_scratch) == 2  # one fit per source, shared by direct and fine_tune
    assert sum(warm for _, warm in WarmMajority.log) == 2 * 2  # fine-tuned per target fold


def test_per_window_features_are_computed_once_per_entry(tmp_path, monkeypatch):
    calls = []
    transform = ACFTransformer.transform

    def counting(self, X):
        calls.append(len(X))
        return transform(self, X)

    monkeypatch.setattr(ACFTransformer, "transform", counting)
    results = synthetic_grid(
        tmp_path,
        tasks=["gender", "age"],
        estimators={"rf": RF},
        protocols=["within", "direct", "scratch"],
    ).run()
    assert (results["status"] == "FINISHED").all()
    assert len(calls) == 2  # entries a and b, for every task, protocol and fold


def test_shared_features_give_the_scores_of_the_whole_pipeline(tmp_path):
    def forest(acf):
        return {
            "classification": make_pipeline(acf, RandomForestClassifier(5, random_state=0)),
            "regression": make_pipeline(acf, RandomForestRegressor(5, random_state=0)),
        }

    params = dict(
        tasks=["gender", "age"], protocols=["within", "direct", "scratch"], results_path=None
    )
    shared = synthetic_grid(
        tmp_path, estimators={"rf": forest(ACFTransformer(lags=10))}, **params
    ).run()
    whole = synthetic_grid(tmp_path, estimators={"rf": forest(WholeACF(lags=10))}, **params).run()
    columns = ["accuracy", "balanced_accuracy", "mae", "baseline_accuracy", "baseline_mae"]
    pd.testing.assert_frame_equal(shared[columns], whole[columns])


def _logged_grid(tmp_path, monkeypatch, **params):
    """A grid logging every model to a SQLite store; ``runs:/`` URIs resolve there."""
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    grid = synthetic_grid(
        tmp_path, protocols=["direct"], tracking=True, tracking_uri=uri, log_models=True, **params
    )
    return grid, grid.run()


def test_a_logged_model_is_the_whole_pipeline(tmp_path, monkeypatch):
    import mlflow

    _, results = _logged_grid(tmp_path, monkeypatch, estimators={"rf": RF})
    model = mlflow.sklearn.load_model(f"runs:/{results['run_id'].iloc[0]}/model")
    assert [name for name, _ in model.steps] == ["crop", "acf", "rf"]
    X = np.random.default_rng(0).normal(size=(3, 6, 128)).astype(np.float32)
    assert model.predict(X).shape == (3,)


def test_a_logged_model_takes_the_cells_windows_and_predicts_through_pyfunc(tmp_path, monkeypatch):
    import mlflow

    from skgait.datasets import make_windows

    windows = {name: make_windows(synthetic_dataset(name, seed=i)) for i, name in enumerate("ab")}
    _, results = _logged_grid(tmp_path, monkeypatch, datasets=windows, estimators={"rf": RF})
    row = results.iloc[0]
    uri = f"runs:/{row['run_id']}/model"
    info = mlflow.models.get_model_info(uri)
    assert {"sklearn", "python_function"} <= set(info.flavors)
    (spec,) = info.signature.inputs.inputs
    assert spec.shape == (-1, 6, 128) and spec.type == np.dtype("float32")
    # The input example: the first windows the (direct) cell's model was trained on.
    X = windows[row["source"]][0]
    pyfunc = mlflow.pyfunc.load_model(uri)
    np.testing.assert_array_equal(pyfunc.input_example, X[:5])
    expected = mlflow.sklearn.load_model(uri).predict(X)
    np.testing.assert_array_equal(pyfunc.predict(X), expected)


def test_a_logged_cnn_cell_also_logs_its_network_in_the_pytorch_flavour(tmp_path, monkeypatch):
    import mlflow
    import torch

    cnn = {"estimator": "acf_cnn", "max_epochs": 1, "batch_size": 16}
    _, results = _logged_grid(tmp_path, monkeypatch, estimators={"cnn": cnn})
    run_id = results["run_id"].iloc[0]
    model = mlflow.sklearn.load_model(f"runs:/{run_id}/model")
    module = mlflow.pytorch.load_model(f"runs:/{run_id}/network")
    X = mlflow.pyfunc.load_model(f"runs:/{run_id}/model").input_example
    Xt = model[:-1].transform(X)
    with torch.no_grad():
        logits = module(torch.as_tensor(Xt)).numpy()
    np.testing.assert_allclose(logits, model[-1].forward(Xt).numpy(), rtol=1e-5, atol=1e-6)
    (spec,) = mlflow.models.get_model_info(f"runs:/{run_id}/network").signature.inputs.inputs
    assert spec.shape == (-1, *Xt.shape[1:])


def _git_checkout(folder):
    """A git repository holding one committed script; returns the script and the commit."""
    folder.mkdir()
    script = folder / "run_grid.py"
    script.write_text("# runs a grid\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(folder)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", script.name], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "grid"], check=True)
    commit = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    return script, commit


@pytest.fixture
def main_script(monkeypatch):
    """Make ``path`` the running script, as MLflow's source tags see it."""
    from mlflow.tracking.context import registry
    from mlflow.tracking.context.git_context import GitRunContext

    def run_as(path):
        monkeypatch.setattr(sys, "argv", [str(path)])
        for provider in registry._run_context_provider_registry:
            if isinstance(provider, GitRunContext):  # it caches the first answer
                monkeypatch.setattr(provider, "_cache", {})

    return run_as


def test_grid_and_cell_runs_carry_mlflows_source_and_git_tags(tmp_path, main_script):
    from mlflow.tracking import MlflowClient

    from skgait import __version__

    script, commit = _git_checkout(tmp_path / "repo")
    main_script(script)
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    grid = synthetic_grid(tmp_path, tracking=True, tracking_uri=uri)
    results = grid.run()
    client = MlflowClient(uri)
    runs = [client.get_run(grid.parent_run_id_)]
    runs += [client.get_run(run_id) for run_id in results["run_id"]]
    for run in runs:
        assert run.data.tags["mlflow.source.git.commit"] == commit
        assert run.data.tags["mlflow.source.name"] == str(script)
        assert run.data.tags["mlflow.source.type"] == "LOCAL"
        assert run.data.tags["skgait.version"] == __version__
        assert run.data.tags["mlflow.user"]


def test_a_grid_outside_a_git_checkout_has_no_git_tags(tmp_path, main_script):
    from mlflow.tracking import MlflowClient

    script = tmp_path / "run_grid.py"
    script.write_text("# runs a grid\n")
    main_script(script)
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    grid = synthetic_grid(tmp_path, tracking=True, tracking_uri=uri)
    grid.run()
    tags = MlflowClient(uri).get_run(grid.parent_run_id_).data.tags
    assert tags["mlflow.source.name"] == str(script)
    assert "mlflow.source.git.commit" not in tags


class BackendRecorder(MajorityClassifier):
    """Records the joblib backend a nested ``Parallel`` would use in ``fit``."""

    backends = []

    def fit(self, X, y):
        from joblib.parallel import get_active_backend

        type(self).backends.append(type(get_active_backend()[0]).__name__)
        return super().fit(X, y)


@pytest.mark.integration
def test_parallelism_inside_a_cell_stays_off_the_dask_cluster(tmp_path):
    BackendRecorder.backends = []
    grid = synthetic_grid(tmp_path, estimators={"rec": BackendRecorder()})
    with dask_backend():
        results = grid.run()
    assert (results["status"] == "FINISHED").all()
    assert set(BackendRecorder.backends) == {"ThreadingBackend"}


def test_windows_per_subject_are_capped(tmp_path):
    grid = synthetic_grid(tmp_path, max_windows_per_subject=3)
    results = grid.run()
    direct = results[results["protocol"] == "direct"]
    assert (direct["n_windows"] == 6 * 3).all()


# --------------------------------------------------------------------------
# configuration files
# --------------------------------------------------------------------------


def test_a_dataset_is_named_as_in_the_registry_or_by_its_alias():
    from skgait.datasets import DATASET_ALIASES, DATASET_LOADERS, get_loader

    assert DATASET_ALIASES == {"ipol_healthy_gait": "ipol"}
    for name in ("ipol", "ipol_healthy_gait"):
        config = parse_config(
            {
                "datasets": [
                    {"dataset": name, "placement": "waist"},
                    {"dataset": "sisfall", "placement": "waist"},
                ]
            }
        )
        assert config.params["datasets"][0]["dataset"] == name
    assert get_loader("ipol_healthy_gait") is DATASET_LOADERS["ipol"]
    with pytest.raises(ValueError, match="unknown dataset 'ipol2'; expected one of 'hugadb'"):
        get_loader("ipol2")


def test_config_errors_name_every_key_and_value():
    with pytest.raises(ConfigError) as info:
        parse_config(
            {
                "tasks": ["gender", "shoe_size"],
                "protocols": ["direct", "sideways"],
                "n_splits": "5",
                "max_windows_per_subject": 0,
                "windows": {"rate": -50, "channels": ["acc_x", "mag_x"]},
                "datasets": [{"dataset": "hugadb", "placement": "left_ear"}, {"dataset": "nope"}],
                "estimators": {
                    "rf": {"estimator": "acf_rf", "n_estimators": "many"},
                    "net": {"estimator": "acf_cnn", "max_epoch": 3},
                    "x": {"estimator": "svm"},
                },
                "recompute": "yes",
                "colour": "blue",
            }
        )
    text = str(info.value)
    for expected in [
        "tasks[1] = 'shoe_size'",
        "protocols[1] = 'sideways'",
        "n_splits = '5'",
        "max_windows_per_subject = 0",
        "windows.rate = -50",
        "windows.channels[1] = 'mag_x'",
        "datasets[0].placement = 'left_ear'",
        "datasets[1].dataset = 'nope'",
        "estimators.rf.n_estimators = 'many'",
        "estimators.net.max_epoch = 3",
        "estimators.x.estimator = 'svm'",
        "recompute = 'yes'",
        "colour = 'blue'",
    ]:
        assert expected in text, f"{expected!r} not in:\n{text}"
    assert len(info.value.errors) == 13


def test_config_rejects_non_finite_numbers_and_seeds_numpy_refuses(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text(
        textwrap.dedent("""
        random_state = 4294967296
        [windows]
        rate = inf
        length = nan
        [[datasets]]
        dataset = "hugadb"
        placement = "right_foot"
        [estimators.cnn]
        estimator = "acf_cnn"
        lr = inf
        [estimators.cnn_nan]
        estimator = "acf_cnn"
        lr = nan
        [estimators.rf]
        estimator = "acf_rf"
        random_state = -1
        [estimators.rf_seed]
        estimator = "acf_rf"
        random_state = 4294967296
    """)
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    for expected in [
        "random_state = 4294967296: expected an integer seed in [0, 4294967295]",
        "windows.rate = inf: expected a finite positive number of Hz",
        "windows.length = nan: expected a finite positive number of seconds",
        "estimators.cnn.lr = inf: expected a finite number",
        "estimators.cnn_nan.lr = nan: expected a finite number",
        "estimators.rf.random_state = -1: expected an integer seed",
        "estimators.rf_seed.random_state = 4294967296: expected an integer seed",
    ]:
        assert expected in text, f"{expected!r} not in:\n{text}"
    assert len(info.value.errors) == 7
    # the largest seed NumPy accepts is valid
    path.write_text(
        textwrap.dedent("""
        random_state = 4294967295
        [[datasets]]
        dataset = "hugadb"
        placement = "right_foot"
        [estimators.rf]
        estimator = "acf_rf"
        random_state = 4294967295
    """)
    )
    assert load_config(path).params["random_state"] == 2**32 - 1


def test_config_bounds_the_windows_rate():
    config = {"datasets": [{"dataset": "hugadb", "placement": "right_foot"}], "windows": {}}
    with pytest.raises(
        ConfigError, match=r"windows.rate = 1000000000000.0: expected .* at most 10000"
    ):
        parse_config({**config, "windows": {"rate": 1e12}})
    assert parse_config({**config, "windows": {"rate": 10_000}}).params["windows"]["rate"] == 10_000


def test_config_builds_the_grid_it_describes():
    config = parse_config(
        {
            "tasks": ["age"],
            "protocols": ["within"],
            "max_windows_per_subject": 5,
            "windows": {"rate": 25.0, "length": 5.12},
            "datasets": [{"dataset": "sisfall", "placement": "waist"}],
            "estimators": {"rf": {"estimator": "acf_rf", "n_estimators": 7}},
            "tracking": False,
            "results_path": "out.csv",
        }
    )
    grid = config.to_grid()
    assert grid.tasks == ["age"] and grid.windows == {"rate": 25.0, "length": 5.12}
    assert grid.tracking is False and grid.results_path == "out.csv"
    assert grid.datasets == [{"dataset": "sisfall", "placement": "waist"}]


# --------------------------------------------------------------------------
# a real MLflow server over HTTP
# --------------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(tmp_path):
    port = _free_port()
    mlflow = os.path.join(os.path.dirname(sys.executable), "mlflow")
    command = [mlflow] if os.path.exists(mlflow) else [sys.executable, "-m", "mlflow"]
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen(
        [
            *command,
            "server",
            "--backend-store-uri",
            f"sqlite:///{tmp_path}/server.db",
            "--default-artifact-root",
            str(tmp_path / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mlflow server exited: {(tmp_path / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=2) as response:
                if response.status == 200:
                    return proc, uri
        except OSError:
            time.sleep(0.5)
    _stop_server(proc)
    raise RuntimeError("mlflow server did not answer /health within 120 s")


def _stop_server(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def mlflow_server(tmp_path, monkeypatch):
    # Fail fast once the server is gone instead of retrying for minutes.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    proc, uri = _start_server(tmp_path)
    yield proc, uri
    _stop_server(proc)


@pytest.mark.integration
def test_grid_logs_to_a_remote_mlflow_server(tmp_path, mlflow_server):
    from mlflow.tracking import MlflowClient

    _, uri = mlflow_server
    grid = synthetic_grid(
        tmp_path, tracking=True, tracking_uri=uri, experiment="remote", log_models=True
    )
    results = grid.run()
    client = MlflowClient(uri)
    children = client.search_runs(
        [client.get_experiment_by_name("remote").experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{grid.parent_run_id_}'",
    )
    assert {r.info.run_id for r in children} == set(results["run_id"])
    assert all(r.info.status == "FINISHED" for r in children)
    assert all("accuracy" in r.data.metrics for r in children)
    assert "model/MLmodel" in {
        a.path for a in client.list_artifacts(children[0].info.run_id, "model")
    }
    assert "heatmaps" in {a.path for a in client.list_artifacts(grid.parent_run_id_)}
    back = read_grid_results(uri, "remote")
    assert list(back["cell_key"]) == list(results["cell_key"])


class _KillServerOnFit(MajorityClassifier):
    """Kills the tracking server when the grid reaches its ``at``-th fit."""

    server = None
    at = 0

    def fit(self, X, y):
        super().fit(X, y)
        if type(self).fits == type(self).at:
            _stop_server(type(self).server)
        return self


@pytest.mark.integration
def test_killed_server_gives_a_clear_error_and_keeps_results_locally(tmp_path, mlflow_server):
    proc, uri = mlflow_server
    _KillServerOnFit.server, _KillServerOnFit.fits = proc, 0
    # cells in order: within a (2 folds), within b (2 folds), direct a->b, direct b->a;
    # kill during the second cell
    _KillServerOnFit.at = 3
    grid = synthetic_grid(
        tmp_path,
        estimators={"m": _KillServerOnFit()},
        tracking=True,
        tracking_uri=uri,
        experiment="killed",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(TrackingError) as info:
            grid.run()
    message = str(info.value)
    assert uri in message and "results.csv" in message
    assert "re-run the grid" in message
    saved = pd.read_csv(tmp_path / "results.csv")
    assert len(saved) == 4 and (saved["status"] == "FINISHED").all()
    assert saved["run_id"].notna().sum() == 1  # only the first cell reached the server
    assert len(info.value.results) == 4


# --------------------------------------------------------------------------
# tracking failures: unreachable server, errors mid-grid, long labels
# --------------------------------------------------------------------------


def test_unreachable_tracking_server_fails_in_seconds_before_loading_data(tmp_path, monkeypatch):
    # MLflow's defaults: the client retries for minutes before giving up.
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", raising=False)
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_TIMEOUT", raising=False)

    def no_loading(*args, **kwargs):
        raise AssertionError("data was loaded before the tracking store was checked")

    monkeypatch.setattr("skgait.experiments._grid.load_entries", no_loading)
    uri = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    grid = synthetic_grid(tmp_path, tracking=True, tracking_uri=uri, experiment="nowhere")
    start = time.monotonic()
    with pytest.raises(TrackingError, match="is not reachable") as info:
        grid.run()
    assert time.monotonic() - start < 10
    assert uri in str(info.value) and "--no-tracking" in str(info.value)
    assert not (tmp_path / "results.csv").exists()


def test_tracking_error_mid_grid_fails_the_parent_run_and_resume_reads_the_csv(
    tmp_path, monkeypatch
):
    from mlflow.tracking import MlflowClient

    from skgait.tracking import MlflowTracker

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    log_cell, calls = MlflowTracker.log_cell, []

    def second_call_fails(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise TrackingError("store went away (simulated)")
        return log_cell(self, *args, **kwargs)

    monkeypatch.setattr(MlflowTracker, "log_cell", second_call_fails)
    MajorityClassifier.fits = 0
    grid = synthetic_grid(tmp_path, tracking=True, tracking_uri=uri, experiment="flaky")
    with pytest.warns(UserWarning, match="Tracking is off"), pytest.raises(TrackingError):
        grid.run()
    client = MlflowClient(uri)
    assert client.get_run(grid.parent_run_id_).info.status == "FAILED"
    saved = pd.read_csv(tmp_path / "results.csv")
    assert len(saved) == 4 and (saved["status"] == "FINISHED").all()
    assert saved["run_id"].notna().sum() == 1  # only the first cell reached MLflow
    assert MajorityClassifier.fits == 6  # 2 + 2 folds within, 2 direct

    # The store is back: nothing is computed again; the three cells that
    # only the CSV holds are logged now, under the new parent run.
    monkeypatch.setattr(MlflowTracker, "log_cell", log_cell)
    resumed = synthetic_grid(tmp_path, tracking=True, tracking_uri=uri, experiment="flaky")
    again = resumed.run()
    assert MajorityClassifier.fits == 6
    assert again["cached"].all() and again["run_id"].notna().all()
    np.testing.assert_allclose(again["accuracy"], saved["accuracy"])
    assert client.get_run(resumed.parent_run_id_).info.status == "FINISHED"
    children = client.search_runs(
        [client.get_experiment_by_name("flaky").experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{resumed.parent_run_id_}'",
    )
    assert len(children) == 3 and all(r.info.status == "FINISHED" for r in children)


def test_a_long_dataset_label_reads_back_from_mlflow(tmp_path):
    label = "walk-" + "x" * 9000  # the stored row is longer than an MLflow tag
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    datasets = {label: synthetic_dataset("a", seed=0), "b": synthetic_dataset("b", seed=1)}

    def run():
        return synthetic_grid(
            tmp_path,
            datasets=datasets,
            tracking=True,
            tracking_uri=uri,
            experiment="long",
            results_path=None,
        ).run()

    first = run()
    assert (first["status"] == "FINISHED").all() and first["run_id"].notna().all()
    MajorityClassifier.fits = 0
    again = run()
    assert MajorityClassifier.fits == 0 and again["cached"].all()
    assert list(again["source"]) == list(first["source"])
    assert list(again["run_id"]) == list(first["run_id"])


def test_stored_rows_read_back_whole_and_cut_ones_are_refused():
    from skgait.tracking._grid import _read_row, _row_tags

    row = {"source": "x" * 20000, "cell_key": "k", "accuracy": 0.5}
    tags = _row_tags(row)
    assert all(len(v) <= 8000 for v in tags.values())  # MLflow's tag length
    assert _read_row(tags) == row
    # skgait 0.1.0 cut the row at 8000 characters: unreadable, not a crash
    assert _read_row({"skgait.row": tags["skgait.row"]}) is None


def test_heatmap_panels_of_a_metric_share_one_colour_scale():
    from skgait.experiments._report import colour_limits

    # accuracies: always 0-100 %, so that 60 % has one colour in every panel
    panels = [pd.DataFrame([[0.5, 0.6]]), pd.DataFrame([[0.9, np.nan]])]
    assert colour_limits("balanced_accuracy", panels) == (0.0, 1.0)
    # MAE: 0 to the largest MAE of all panels, not of each panel
    panels = [pd.DataFrame([[2.0, 12.9]]), pd.DataFrame([[3.1, np.nan]])]
    assert colour_limits("mae", panels) == (0.0, 12.9)
    assert colour_limits("mae", [pd.DataFrame([[np.nan]])]) == (0.0, 1.0)


def test_a_grid_table_reads_back_text_as_written(tmp_path):
    # One reader for the CSV a grid writes: `skgait report` and a resumed grid
    # both keep a dataset labelled "NA" and an empty error as they were.
    from skgait.experiments._cells import Cell
    from skgait.experiments._results import finished_rows, results_table, write_results_csv
    from skgait.tracking import read_results_csv

    cell = Cell("NA", "null", "gender", "rf", "direct")
    row = {
        **dict(
            zip(
                ("source", "target", "task", "estimator", "protocol"),
                ("NA", "null", "gender", "rf", "direct"),
            )
        ),
        "status": "FINISHED",
        "accuracy": 0.5,
        "cell_key": cell.key,
        "config_hash": "0e10",
    }
    path = tmp_path / "deep" / "results.csv"
    write_results_csv(results_table({cell.key: row}, [cell]), path)
    table = read_results_csv(path)
    assert table.loc[0, ["source", "target", "error", "config_hash"]].tolist() == [
        "NA",
        "null",
        "",
        "0e10",
    ]
    (back,) = finished_rows(path).values()
    assert (back["source"], back["config_hash"], back["accuracy"]) == ("NA", "0e10", 0.5)
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "other.csv", index=False)
    with pytest.raises(ValueError, match="not a grid table"):
        read_results_csv(tmp_path / "other.csv")


def test_a_resumed_grid_writes_counts_as_integers(tmp_path):
    import csv

    estimators = {"majority": MajorityClassifier(), "bad": FailingClassifier()}
    for _ in range(2):  # the second run reads the finished cells back
        with pytest.warns(UserWarning, match="always fails"):
            results = synthetic_grid(tmp_path, estimators=estimators).run()
    assert results["cached"].sum() == 4
    with open(tmp_path / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for column in ("n_windows", "n_subjects", "n_folds"):
        written = {r[column] for r in rows if r["status"] == "FINISHED"}
        assert written and all(v.isdigit() for v in written), (column, written)
    # a failed cell has no folds: an empty field, not NaN or 0
    assert {r["n_folds"] for r in rows if r["status"] == "FAILED"} == {""}
    assert results["n_windows"].dtype == "Int64"


# --------------------------------------------------------------------------
# interrupted grids: no run left RUNNING, one run per cell
# --------------------------------------------------------------------------


class InterruptedClassifier(MajorityClassifier):
    def fit(self, X, y):
        raise KeyboardInterrupt  # the user pressed Ctrl-C during training


def test_ctrl_c_ends_the_grids_run_killed(tmp_path):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    grid = synthetic_grid(
        tmp_path, estimators={"ctrl_c": InterruptedClassifier()}, tracking=True, tracking_uri=uri
    )
    with pytest.raises(KeyboardInterrupt):
        grid.run()
    assert MlflowClient(uri).get_run(grid.parent_run_id_).info.status == "KILLED"


#: A majority classifier whose process dies (SIGKILL) when MLflow pickles it
#: to log it while the file ``flag`` exists: a grid killed in the middle of
#: logging a cell, its parent run and that cell's run left RUNNING.
DYING_MODULE = """
import os
import signal

from _grids import MajorityClassifier


class DiesWhenLogged(MajorityClassifier):
    def __init__(self, flag=""):
        self.flag = flag

    def __getstate__(self):
        if os.path.exists(self.flag):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__getstate__()
"""

KILLED_GRID = """
import sys

from dying import DiesWhenLogged
from _grids import synthetic_grid

tmp, uri, flag = sys.argv[1:]
synthetic_grid(
    __import__("pathlib").Path(tmp),
    estimators={"dies": DiesWhenLogged(flag)},
    tracking=True,
    tracking_uri=uri,
    log_models=True,
).run()
"""


def test_a_resumed_grid_kills_the_stale_runs_and_keeps_one_run_per_cell(tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    flag = tmp_path / "die"
    flag.touch()
    (tmp_path / "dying.py").write_text(DYING_MODULE)
    (tmp_path / "killed_grid.py").write_text(KILLED_GRID)
    tests = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tests/_grids.py
    path = os.pathsep.join([str(tmp_path), tests, os.environ.get("PYTHONPATH", "")])
    killed = subprocess.run(
        [sys.executable, str(tmp_path / "killed_grid.py"), str(tmp_path), uri, str(flag)],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    client = MlflowClient(uri)
    (experiment,) = [e for e in client.search_experiments() if e.name == "skgait-cross-dataset"]
    (parent,) = client.search_runs([experiment.experiment_id], "tags.`skgait.kind` = 'grid'")
    (cell,) = client.search_runs([experiment.experiment_id], "tags.`skgait.kind` = 'cell'")
    assert parent.info.status == cell.info.status == "RUNNING"

    flag.unlink()
    monkeypatch.syspath_prepend(str(tmp_path))
    from dying import DiesWhenLogged

    grid = synthetic_grid(
        tmp_path,
        estimators={"dies": DiesWhenLogged(str(flag))},
        tracking=True,
        tracking_uri=uri,
        log_models=True,
    )
    results = grid.run()
    assert client.get_run(parent.info.run_id).info.status == "KILLED"
    runs = client.search_runs([experiment.experiment_id], "tags.`skgait.kind` = 'cell'")
    keys = [r.data.tags["skgait.cell_key"] for r in runs]
    assert sorted(keys) == sorted(results["cell_key"])  # one run per cell
    assert {r.info.status for r in runs} == {"FINISHED"}
    resumed = results.set_index("cell_key").loc[cell.data.tags["skgait.cell_key"], "run_id"]
    assert resumed == cell.info.run_id
    assert client.get_run(grid.parent_run_id_).info.status == "FINISHED"
