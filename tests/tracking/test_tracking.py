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


def test_the_requirements_are_the_installed_versions_and_pip_is_never_asked(run, monkeypatch):
    def no_inference(*args, **kwargs):
        raise AssertionError("MLflow inferred the requirements (it runs pip in a subprocess)")

    monkeypatch.setattr(mlflow.models, "infer_pip_requirements", no_inference)
    X = np.random.default_rng(0).normal(size=(8, 3, 64)).astype(np.float32)
    y = np.array(["F", "M"] * 4)
    client, run_id = run
    log_model(client, run_id, _forest().fit(X, y), X)
    path = mlflow.artifacts.download_artifacts(f"runs:/{run_id}/model/requirements.txt")
    requirements = open(path).read().split()
    assert f"skgait=={__version__}" in requirements
    assert f"scikit-learn=={__import__('sklearn').__version__}" in requirements


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
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{name}").exists() for name in ("a", "b")):
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers)
        time.sleep(0.01)
    (tmp_path / "go").touch()  # both create the new store's tables now
    outputs = [w.communicate(timeout=120) for w in workers]
    for worker, (_, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
    assert outputs[0][0].strip() == outputs[1][0].strip()  # one experiment
