"""What a grid cell reports beyond its table row, and how MLflow gets it.

A cell's row carries its per-fold scores, its confusion matrix and its
networks' training curves as plain data; the tracker logs them as metric
histories (step = fold, step = epoch) and artifacts.
"""

import json
import pickle
import warnings

import numpy as np
import pytest
from _grids import MajorityClassifier, synthetic_grid
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from skorch.dataset import ValidSplit

from skgait.experiments._cells import Cell, _cv, run_cell
from skgait.experiments._vocabulary import METRIC_FUNCTIONS, METRICS
from skgait.model_selection import SubjectKFold, cv_scores, get_protocol, make_baseline
from skgait.models import GaitCNNClassifier

CNN = {"estimator": "acf_cnn", "max_epochs": 2, "batch_size": 16}


def fold_loop(estimator, kind, X, y, folds):
    """The loop ``_cv`` replaced: fit, predict and score each fold, then ``cv_scores``."""
    predictions = [clone(estimator).fit(X[tr], y[tr]).predict(X[te]) for tr, te in folds]
    scores, _ = cv_scores(
        {m: METRIC_FUNCTIONS[m] for m in METRICS[kind]},
        [y[te] for _, te in folds],
        predictions,
        classification=kind == "classification",
        owner="loop",
    )
    return scores


def noisy_windows(n_subjects=8, per_subject=10, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_subjects), per_subject)
    X = rng.normal(size=(len(groups), 6)) + rng.normal(size=(n_subjects, 6))[groups]
    return X, groups


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_cv_gives_the_scores_of_the_fold_loop(kind):
    X, groups = noisy_windows()
    if kind == "classification":
        y = np.where(groups % 2, "F", "M")
        estimator = RandomForestClassifier(5, random_state=0)
    else:
        y = 20.0 + 3 * groups + np.random.default_rng(1).normal(size=len(groups))
        estimator = RandomForestRegressor(5, random_state=0)
    cv = get_protocol("subject", task=kind, n_splits=4, random_state=0)
    folds = list(cv.split(X, y, groups))
    scores, fit_seconds, model = _cv(estimator, kind, X, y, groups, folds, 0)
    expected = fold_loop(estimator, kind, X, y, folds)
    baseline = fold_loop(make_baseline(kind), kind, X, y, folds)
    assert {m: scores[m] for m in METRICS[kind]} == expected
    assert {m: scores[f"baseline_{m}"] for m in METRICS[kind]} == baseline
    for m in METRICS[kind]:
        assert len(scores["fold_scores"][m]) == len(folds)
        assert scores[m] == pytest.approx(np.mean(scores["fold_scores"][m]))
    assert fit_seconds > 0 and hasattr(model, "estimators_")


def test_cv_pools_the_folds_with_a_warning_when_a_fold_lacks_a_class():
    X, groups = noisy_windows()
    y = np.where(groups < 2, "F", "M")  # 2 women, 4 folds: two folds of men only
    folds = list(SubjectKFold(4, shuffle=True, random_state=0).split(X, y, groups))
    estimator = RandomForestClassifier(5, random_state=0)
    with pytest.warns(UserWarning, match="pooled out-of-fold predictions"):
        expected = fold_loop(estimator, "classification", X, y, folds)
    with pytest.warns(UserWarning, match="run_cell: .* pooled out-of-fold predictions"):
        scores, _, _ = _cv(estimator, "classification", X, y, groups, folds, 0)
    assert {m: scores[m] for m in METRICS["classification"]} == expected
    assert scores["baseline_balanced_accuracy"] == 0.5  # majority class: chance
    # the confusion matrix is that of the pooled predictions
    counts = np.asarray(scores["confusion_matrix"]["counts"])
    assert scores["confusion_matrix"]["labels"] == ["F", "M"]
    assert counts.sum() == len(y) and counts.sum(axis=1).tolist() == [20, 60]
    assert np.trace(counts) / counts.sum() == scores["accuracy"]


def test_a_fold_lacking_a_class_has_no_balanced_accuracy_and_no_sklearn_warning():
    X, groups = noisy_windows()
    y = np.where(groups < 2, "F", "M")
    folds = list(SubjectKFold(4, shuffle=True, random_state=0).split(X, y, groups))
    lacking = [len(np.unique(y[test])) < 2 for _, test in folds]
    assert any(lacking) and not all(lacking)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores, _, _ = _cv(
            RandomForestClassifier(5, random_state=0), "classification", X, y, groups, folds, 0
        )
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2 and all("pooled out-of-fold" in m for m in messages), messages
    for name in ("balanced_accuracy", "baseline_balanced_accuracy"):
        assert np.isnan(scores["fold_scores"][name]).tolist() == lacking
    assert np.isfinite(scores["fold_scores"]["accuracy"]).all()


class CountingMajority(MajorityClassifier):
    predicts = 0

    def predict(self, X):
        type(self).predicts += 1
        return super().predict(X)


def test_cv_fits_and_predicts_each_fold_once():
    X, groups = noisy_windows()
    y = np.where(groups % 2, "F", "M")
    folds = list(SubjectKFold(4, shuffle=True, random_state=0).split(X, y, groups))
    CountingMajority.fits = CountingMajority.predicts = 0
    _cv(CountingMajority(), "classification", X, y, groups, folds, 0)
    assert CountingMajority.fits == CountingMajority.predicts == len(folds)


def cnn_windows(n_subjects=6, per_subject=8, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_subjects), per_subject)
    X = rng.normal(size=(len(groups), 3, 32)).astype(np.float32)
    return X, np.where(groups % 2, "F", "M"), groups


def test_a_cell_row_carries_fold_scores_confusion_matrix_and_curves_as_plain_data():
    target = cnn_windows()
    net = GaitCNNClassifier(max_epochs=3, batch_size=16, train_split=ValidSplit(4), random_state=0)
    cell = Cell("a", "a", "gender", "cnn", "within")
    row, _ = run_cell(cell, net, "classification", target, target, n_splits=2)
    assert row["status"] == "FINISHED", row["error"]
    assert set(row["fold_scores"]) == {
        "accuracy",
        "balanced_accuracy",
        "baseline_accuracy",
        "baseline_balanced_accuracy",
    }
    assert all(len(v) == 2 for v in row["fold_scores"].values())
    assert sorted(row["curves"]) == ["fold_0", "fold_1"]
    curves = row["curves"]["fold_0"]
    assert curves["epoch"] == [1, 2, 3]
    assert {"train_loss", "valid_loss", "valid_acc"} <= set(curves)
    assert all(len(v) == 3 for v in curves.values())
    assert np.asarray(row["confusion_matrix"]["counts"]).sum() == len(target[1])
    details = {k: row[k] for k in ("fold_scores", "confusion_matrix", "curves")}
    # plain data: JSON refuses NumPy scalars and arrays; cells run in processes
    assert json.loads(json.dumps(details)) == details
    assert pickle.loads(pickle.dumps(details)) == details


def test_a_direct_cell_has_the_confusion_matrix_of_its_test_and_the_source_curves():
    source, target = cnn_windows(seed=0), cnn_windows(seed=1)
    net = GaitCNNClassifier(max_epochs=2, batch_size=16, random_state=0)
    cell = Cell("a", "b", "gender", "cnn", "direct")
    row, model = run_cell(cell, net, "classification", source, target, return_model=True)
    assert row["status"] == "FINISHED", row["error"]
    counts = np.asarray(row["confusion_matrix"]["counts"])
    predictions = model.predict(target[0])
    assert counts.sum() == len(target[1])
    assert np.trace(counts) == np.sum(predictions == target[1])
    assert row["accuracy"] == np.trace(counts) / counts.sum()
    assert row["curves"]["source"]["epoch"] == [1, 2]
    assert "fold_scores" not in row


@pytest.fixture(scope="module")
def tracked_grid(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tracked")
    uri = f"sqlite:///{tmp}/mlflow.db"
    grid = synthetic_grid(
        tmp,
        tasks=["gender", "age"],
        estimators={"cnn": CNN},
        protocols=["within", "direct", "scratch"],
        tracking=True,
        tracking_uri=uri,
        experiment="details",
    )
    return grid, grid.run(), uri, tmp


def _run(results, task, protocol, target="a"):
    return results.query(f"task == '{task}' and protocol == '{protocol}' and target == '{target}'")


def test_mlflow_has_per_fold_metric_histories_and_training_curves(tracked_grid):
    from mlflow.tracking import MlflowClient

    _, results, uri, _ = tracked_grid
    assert (results["status"] == "FINISHED").all(), results["error"].tolist()
    client = MlflowClient(uri)
    for task, metric in (("gender", "balanced_accuracy"), ("age", "mae")):
        for protocol in ("within", "scratch"):
            row = _run(results, task, protocol).iloc[0]
            history = client.get_metric_history(row["run_id"], f"fold/{metric}")
            assert [m.step for m in history] == list(range(row["n_folds"]))
            assert np.mean([m.value for m in history]) == pytest.approx(row[metric])
            assert len(client.get_metric_history(row["run_id"], f"fold/baseline_{metric}")) == 2
            for fold in range(row["n_folds"]):
                curve = client.get_metric_history(row["run_id"], f"fold_{fold}/train_loss")
                assert [m.step for m in curve] == [1, 2]  # epochs
        run = client.get_run(_run(results, task, "direct")["run_id"].iloc[0])
        assert [
            m.step for m in client.get_metric_history(run.info.run_id, "source/train_loss")
        ] == [
            1,
            2,
        ]
        assert not any(k.startswith("fold/") for k in run.data.metrics)
        # the details are histories and artifacts, not part of the stored row
        assert "curves" not in run.data.tags["skgait.row"]


def test_mlflow_has_a_confusion_matrix_per_classification_cell(tracked_grid):
    from mlflow.tracking import MlflowClient

    _, results, uri, tmp = tracked_grid
    client = MlflowClient(uri)
    for protocol in ("within", "direct", "scratch"):
        row = _run(results, "gender", protocol).iloc[0]
        artifacts = {a.path for a in client.list_artifacts(row["run_id"])}
        assert {"confusion_matrix.json", "confusion_matrix.png"} <= artifacts
        path = client.download_artifacts(row["run_id"], "confusion_matrix.json", str(tmp))
        with open(path) as f:
            confusion = json.load(f)
        counts = np.asarray(confusion["counts"])
        assert confusion["labels"] == ["F", "M"]
        assert counts.sum() == row["n_windows"]  # every test window once
        # equal folds (3 subjects of equal length each): the mean over folds
        # is the accuracy of the pooled predictions
        assert np.trace(counts) / counts.sum() == pytest.approx(row["accuracy"])
    row = _run(results, "age", "within").iloc[0]
    assert "confusion_matrix.json" not in {a.path for a in client.list_artifacts(row["run_id"])}


def test_mlflow_has_a_confusion_matrix_of_subjects_per_classification_cell(tracked_grid):
    from mlflow.tracking import MlflowClient

    _, results, uri, tmp = tracked_grid
    client = MlflowClient(uri)
    for protocol in ("within", "direct"):
        row = _run(results, "gender", protocol).iloc[0]
        name = "subject_confusion_matrix.json"
        folder = tmp / row["run_id"]
        folder.mkdir()
        path = client.download_artifacts(row["run_id"], name, str(folder))
        with open(path) as f:
            counts = np.asarray(json.load(f)["counts"])
        assert counts.sum() == row["n_subjects"]  # one majority vote per subject


def test_a_resumed_grid_reads_back_table_columns_only(tracked_grid):
    from skgait.tracking import MlflowTracker

    grid, results, uri, _ = tracked_grid
    tracker = MlflowTracker(uri, "details").connect()
    rows = list(tracker.finished_cells().values())
    assert len(rows) == len(results)
    assert not any("/" in key for row in rows for key in row)


def test_metrics_beyond_one_batch_are_all_logged(tmp_path):
    from mlflow.tracking import MlflowClient

    from skgait.tracking import MlflowTracker

    tracker = MlflowTracker(f"sqlite:///{tmp_path}/mlflow.db", "batches").connect()
    tracker.start_grid({}, {})
    epochs = list(range(1, 1202))  # 2 x 1201 points: three batches of at most 1000
    row = {
        "status": "FINISHED",
        "config_hash": "h",
        "accuracy": 0.5,
        "curves": {"fold_0": {"epoch": epochs, "train_loss": [1.0] * len(epochs)}},
        "fold_scores": {"accuracy": [0.25, 0.75]},
    }
    row["curves"]["fold_1"] = row["curves"]["fold_0"]
    cell = Cell("a", "a", "gender", "m", "within")
    run_id = tracker.log_cell(cell, row, {}, {}, ("accuracy",))
    client = MlflowClient(tracker.tracking_uri)
    assert len(client.get_metric_history(run_id, "fold_1/train_loss")) == len(epochs)
    assert [m.value for m in client.get_metric_history(run_id, "fold/accuracy")] == [0.25, 0.75]
    assert client.get_run(run_id).data.tags["skgait.n_metrics"] == "1"
