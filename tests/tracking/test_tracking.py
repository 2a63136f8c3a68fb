"""log_model: a fitted estimator as MLflow models that load back and predict the same."""

import mlflow
import numpy as np
import pytest
import torch
from mlflow.tracking import MlflowClient
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline

from skgait import __version__
from skgait.features import ACFTransformer
from skgait.models import GaitCNNClassifier
from skgait.tracking import log_model


@pytest.fixture(scope="module")
def sisfall(data_home):
    """Real windows: the first 6 of each recording of 2 women and 2 men of SisFall."""
    from skgait.datasets import load_sisfall, make_windows

    X, meta = make_windows(load_sisfall(data_home=data_home), placement="waist")
    first = meta.groupby("recording").cumcount().to_numpy() < 6
    keep = meta["subject"].isin(["SA01", "SA02", "SA03", "SA06"]).to_numpy() & first
    return X[keep], meta["sex"].to_numpy()[keep]


@pytest.fixture
def run(tmp_path, monkeypatch):
    """A run in a SQLite store that ``runs:/`` URIs resolve to."""
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    client = MlflowClient(uri)
    experiment = client.create_experiment("models", (tmp_path / "artifacts").as_uri())
    return client, client.create_run(experiment).info.run_id


def _forest():
    return make_pipeline(
        ACFTransformer(lags=10), RandomForestClassifier(n_estimators=5, random_state=0)
    )


@pytest.mark.realdata
def test_a_logged_forest_predicts_as_the_fitted_one_through_sklearn_and_pyfunc(sisfall, run):
    X, y = sisfall
    model = _forest().fit(X, y)
    client, run_id = run
    log_model(client, run_id, model, X)
    expected = model.predict(X)
    loaded = mlflow.sklearn.load_model(f"runs:/{run_id}/model")
    np.testing.assert_array_equal(loaded.predict(X), expected)
    pyfunc = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    np.testing.assert_array_equal(pyfunc.predict(X), expected)
    (spec,) = pyfunc.metadata.get_input_schema().inputs
    assert spec.shape == (-1, *X.shape[1:])
    assert not client.list_artifacts(run_id, "network")  # a forest has no network


@pytest.mark.realdata
def test_a_logged_cnn_predicts_as_the_fitted_one_and_its_network_loads_bare(sisfall, run):
    X, y = sisfall
    cnn = GaitCNNClassifier(max_epochs=1, batch_size=16, random_state=0)
    model = make_pipeline(ACFTransformer(lags=10, output="3d"), cnn).fit(X, y)
    client, run_id = run
    log_model(client, run_id, model, X)
    pyfunc = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    np.testing.assert_array_equal(pyfunc.predict(X), model.predict(X))
    network = mlflow.pytorch.load_model(f"runs:/{run_id}/network")
    Xt = model[:-1].transform(X)
    with torch.no_grad():
        logits = network(torch.as_tensor(Xt)).numpy()
    np.testing.assert_allclose(logits, model[-1].forward(Xt).numpy(), rtol=1e-5, atol=1e-6)
    # Its weights warm-start another network (only ``features.*`` is taken).
    GaitCNNClassifier(max_epochs=1, warm_start_from=network.state_dict()).fit(Xt, y)


def _requirements(run, model, X):
    client, run_id = run
    log_model(client, run_id, model, X)
    path = mlflow.artifacts.download_artifacts(f"runs:/{run_id}/model/requirements.txt")
    return open(path).read().split("\n")


def _cnn_pipeline():
    return make_pipeline(
        ACFTransformer(lags=10, output="3d"), GaitCNNClassifier(max_epochs=1, random_state=0)
    )


def test_the_requirements_pin_what_the_pickle_holds_and_pip_is_never_asked(run, monkeypatch):
    def no_inference(*args, **kwargs):
        raise AssertionError("MLflow inferred the requirements (it runs pip in a subprocess)")

    monkeypatch.setattr(mlflow.models, "infer_pip_requirements", no_inference)
    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    requirements = _requirements(run, _forest().fit(X, np.array(["F", "M"] * 4)), X)
    assert f"scikit-learn=={__import__('sklearn').__version__}" in requirements
    assert f"numpy=={np.__version__}" in requirements


def test_the_requirements_install_from_pypi_without_an_unpublished_skgait(run):
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    lines = _requirements(run, _forest().fit(X, np.array(["F", "M"] * 4)), X)
    parsed = [Requirement(line) for line in lines if line]
    names = {r.name for r in parsed}
    assert "skgait" not in names  # skgait==0.1.0 is no package on any index
    runtime = [Requirement(r) for r in requires("skgait") if "extra" not in r]
    for requirement in runtime:  # each with skgait's own range, or pinned to what pickled it
        assert requirement.name in names
    assert "scipy>=1.10.1" in lines and "optuna>=3.6" in lines
    assert not names & {"pytest", "ruff", "sphinx", "aeon"}  # no extras
    assert len(names) == len(parsed)  # each package once


def test_a_network_model_pins_torch_and_skorch(run):
    import skorch

    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    lines = _requirements(run, _cnn_pipeline().fit(X, np.array(["F", "M"] * 4)), X)
    assert f"torch=={torch.__version__.split('+')[0]}" in lines
    assert f"skorch=={skorch.__version__}" in lines
    assert not any(line.startswith("torch>") for line in lines)


def test_the_model_metadata_names_the_skgait_version_that_logged_it(run):
    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    client, run_id = run
    log_model(client, run_id, _forest().fit(X, np.array(["F", "M"] * 4)), X)
    info = mlflow.models.get_model_info(f"runs:/{run_id}/model")
    assert info.metadata == {"skgait_version": __version__}


def test_logging_a_network_model_prints_no_pickle_warning(run, recwarn, capfd):
    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    model = _cnn_pipeline().fit(X, np.array(["F", "M"] * 4))
    capfd.readouterr()
    client, run_id = run
    log_model(client, run_id, model, X)
    out, err = capfd.readouterr()
    assert "exercising caution" not in out + err
    assert not [w for w in recwarn if "pickle" in str(w.message).lower()]
    assert client.list_artifacts(run_id, "network")  # the network was saved all the same


def test_mlflows_pickle_warning_is_filtered_only_while_logging(run, capfd):
    import logging

    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    client, run_id = run
    log_model(client, run_id, _forest().fit(X, np.array(["F", "M"] * 4)), X)
    assert logging.getLogger("mlflow.sklearn").filters == []
    assert logging.getLogger("mlflow.pytorch").filters == []


def test_a_model_is_registered_under_the_given_name_and_loads_from_the_registry(run):
    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    model = _forest().fit(X, np.array(["F", "M"] * 4))
    client, run_id = run
    first = log_model(client, run_id, model, X, register_name="sex", tags={"k": "v"})
    second = log_model(
        client,
        client.create_run(client.get_run(run_id).info.experiment_id).info.run_id,
        model,
        X,
        register_name="sex",
    )
    assert (first.version, second.version) == (1, 2)
    assert first.run_id == run_id and first.tags == {"k": "v"}
    loaded = mlflow.pyfunc.load_model("models:/sex/1")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_flatten_params_lists_only_what_differs_from_the_defaults():
    from sklearn.ensemble import RandomForestClassifier

    from skgait.tracking import flatten_params

    model = make_pipeline(
        ACFTransformer(lags=12, output="3d"),
        GaitCNNClassifier(max_epochs=5, random_state=0, module__n_filters=8),
    )
    assert flatten_params(model) == {
        "estimator.acftransformer__lags": "12",
        "estimator.acftransformer__output": "3d",
        "estimator.gaitcnnclassifier__max_epochs": "5",
        "estimator.gaitcnnclassifier__module__n_filters": "8",
        "estimator.gaitcnnclassifier__random_state": "0",
    }
    assert flatten_params(RandomForestClassifier()) == {}


def test_flatten_params_leaves_out_skorchs_callbacks_and_internals():
    from skgait.tracking import flatten_params

    net = GaitCNNClassifier(lr=0.01, iterator_train__shuffle=False)
    everything = net.get_params(deep=True)
    assert any(k.startswith("callbacks__") for k in everything)  # what was left out
    assert flatten_params(net, prefix="") == {"lr": "0.01", "iterator_train__shuffle": "False"}


@pytest.mark.parametrize(
    "X_example", [None, np.empty((0, 3, 64), np.float32)], ids=["none", "empty"]
)
def test_a_model_without_example_inputs_is_refused_before_anything_is_logged(run, X_example):
    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    model = _forest().fit(X, np.array(["F", "M"] * 4))
    client, run_id = run
    with pytest.raises(ValueError, match=r"log_model needs a few inputs .*X_example"):
        log_model(client, run_id, model, X_example)
    assert client.list_artifacts(run_id) == []


def test_a_multi_task_network_is_logged_with_an_input_only_signature(run):
    import pandas as pd

    from skgait.models import GaitMultiTaskNet

    subject = np.repeat(np.arange(4), 4)
    X = np.random.default_rng(0).normal(size=(16, 3, 64)).astype(np.float32)
    Y = pd.DataFrame({"sex": np.where(subject % 2, "F", "M"), "age": 20.0 + subject})
    net = GaitMultiTaskNet(max_epochs=1, random_state=0).fit(X, Y)
    client, run_id = run
    log_model(client, run_id, net, X)
    network = mlflow.pyfunc.load_model(f"runs:/{run_id}/network")
    (spec,) = network.metadata.get_input_schema().inputs
    assert spec.shape == (-1, 3, 64)
    assert network.metadata.get_output_schema() is None  # a tuple, one tensor per task
    outputs = mlflow.pytorch.load_model(f"runs:/{run_id}/network")(torch.as_tensor(X))
    assert isinstance(outputs, tuple)


def test_a_search_run_takes_more_params_than_one_batch_holds_cut_to_mlflows_length(tmp_path):
    from skgait.tracking import SearchTracker

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    params = {f"p{i:03d}": "x" * 7000 for i in range(250)}  # MLflow: 100 a batch, 6000 chars
    tracker = SearchTracker(uri, experiment="wide").start("wide", params)
    logged = MlflowClient(uri).get_run(tracker.run_id).data.params
    assert set(logged) == set(params)
    assert {len(value) for value in logged.values()} == {6000}
    assert tracker.client.get_experiment(tracker.experiment_id).artifact_location == (
        (tmp_path / "mlruns" / "wide").as_uri()
    )


#: Opens a tracking store as a grid or a search does, once every process
#: is ready (``<folder>/ready-<name>`` written) and ``<folder>/go`` exists.
OPEN_STORE = """
import pathlib
import sys
import time

from skgait.tracking._grid import MlflowTracker

folder, name, uri = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
(folder / f"ready-{name}").touch()
while not (folder / "go").exists():
    time.sleep(0.001)
print(MlflowTracker(uri, "at-once").connect().experiment_id)
"""


def test_two_processes_creating_one_sqlite_store_at_once_both_open_it(tmp_path):
    import subprocess
    import sys
    import time

    (tmp_path / "open_store.py").write_text(OPEN_STORE)
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    workers = [
        subprocess.Popen(
            [sys.executable, str(tmp_path / "open_store.py"), str(tmp_path), name, uri],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    deadline = time.monotonic() + 900  # a hang, not a speed goal
    while not all((tmp_path / f"ready-{name}").exists() for name in ("a", "b")):
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers)
        time.sleep(0.01)
    (tmp_path / "go").touch()  # both create the new store's tables now
    outputs = [w.communicate(timeout=900) for w in workers]
    for worker, (_, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
    assert outputs[0][0].strip() == outputs[1][0].strip()  # one experiment


def _logged_cell(tmp_path, capfd, **tracker_params):
    """A grid cell's CNN logged as a grid logs it: (client, run id, cell, model, stderr)."""
    from skgait.experiments._cells import Cell
    from skgait.tracking import MlflowTracker, flatten_params

    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    model = _cnn_pipeline().fit(X, np.array(["F", "M"] * 4))
    tracker = MlflowTracker(f"sqlite:///{tmp_path}/mlflow.db", "cells", **tracker_params)
    tracker.connect().start_grid({"cells": 1}, cell_hashes=["h"])
    cell = Cell("ipol", "sisfall", "gender", "cnn", "direct")
    row = {"config_hash": "h", "status": "FINISHED", "accuracy": 0.5}
    capfd.readouterr()
    run_id = tracker.log_cell(
        cell, row, flatten_params(model), {}, ["accuracy"], model=model, X_example=X
    )
    return tracker.client, run_id, cell, model, capfd.readouterr().err


def test_a_grid_cell_registers_its_model_as_a_version_of_its_task_and_estimator(tmp_path, capfd):
    client, run_id, cell, _, _ = _logged_cell(tmp_path, capfd)
    (version,) = client.search_model_versions("name = 'skgait-gender-cnn'")
    assert version.run_id == run_id
    assert version.tags == {"skgait.cell_key": cell.key}


def test_a_grid_registers_its_cells_under_the_name_given(tmp_path, capfd):
    client, run_id, _, _, _ = _logged_cell(tmp_path, capfd, register_name="sex-cnn")
    assert [v.run_id for v in client.search_model_versions("name = 'sex-cnn'")] == [run_id]


def test_a_grid_cell_logs_the_parameters_set_and_no_skorch_internal(tmp_path, capfd):
    client, run_id, _, _, _ = _logged_cell(tmp_path, capfd)
    params = client.get_run(run_id).data.params
    assert params == {
        "estimator.acftransformer__output": "3d",
        "estimator.gaitcnnclassifier__max_epochs": "1",
        "estimator.gaitcnnclassifier__random_state": "0",
    }


def test_a_grid_cell_logging_a_network_prints_no_pickle_warning(tmp_path, capfd, recwarn):
    *_, err = _logged_cell(tmp_path, capfd)
    assert "exercising caution" not in err
    assert not [w for w in recwarn if "pickle" in str(w.message).lower()]
