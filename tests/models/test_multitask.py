"""GaitMultiTaskNet: multi-task fit/predict, losses, weights, early stopping, clone, pickle."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from skgait.models import GaitCNNClassifier, GaitMultiTaskNet
from skgait.models.networks import MultiTaskNetwork


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    subject = np.repeat(np.arange(6), 8)
    X = rng.normal(size=(48, 3, 32)).astype(np.float32)
    X += (subject % 2)[:, None, None]
    Y = pd.DataFrame(
        {
            "subject": subject,
            "sex": np.where(subject % 2, "F", "M"),
            "age": 20.0 + 5 * subject,
        }
    )
    return X, Y, subject


def test_fit_predict_every_task(data):
    X, Y, subject = data
    net = GaitMultiTaskNet(max_epochs=3, random_state=0).fit(X, Y)
    pred = net.predict(X)
    assert list(pred.columns) == ["subject", "sex", "age"]
    assert set(pred["sex"]) <= {"F", "M"} and pred["age"].dtype == float
    proba = net.predict_proba(X)
    assert proba["subject"].shape == (48, 6) and proba["sex"].shape == (48, 2)
    np.testing.assert_allclose(proba["sex"].sum(axis=1), 1.0)
    assert net.tasks_ == {"subject": "classification", "sex": "classification", "age": "regression"}
    assert net.main_task_ == "subject" and list(net.classes_) == list(range(6))
    assert is_classifier(net)


def test_score_is_main_task_and_score_tasks_reports_all(data):
    X, Y, subject = data
    net = GaitMultiTaskNet(max_epochs=2, random_state=0).fit(X, Y)
    score = net.score(X, Y)
    assert isinstance(score, float)
    assert score == pytest.approx(np.mean(net.predict(X)["subject"] == Y["subject"]))
    tasks = net.score_tasks(X, Y)
    assert set(tasks["sex"]) == {"accuracy", "balanced_accuracy", "f1_macro"}
    assert set(tasks["age"]) == {"mae", "r2"}
    by_subject = net.score_tasks(X, Y, groups=subject, method="vote")
    assert set(by_subject) == {"subject", "sex", "age"}


def test_predict_aggregated_vote_and_product(data):
    X, Y, subject = data
    net = GaitMultiTaskNet(max_epochs=2, random_state=0).fit(X, Y)
    for method in ("vote", "product_proba", "mean_proba"):
        agg = net.predict_aggregated(X, subject, method=method)
        assert agg.shape == (6, 3) and list(agg.index) == list(range(6))


def test_single_task_behaves_like_a_classifier(data):
    X, Y, _ = data
    net = GaitMultiTaskNet(max_epochs=2, random_state=0).fit(X, Y["sex"])
    assert net.predict(X).shape == (48,)
    assert net.predict_proba(X).shape == (48, 2)


def test_regression_main_task_is_a_regressor(data):
    X, Y, _ = data
    net = GaitMultiTaskNet(tasks={"age": "regression", "sex": None}, max_epochs=2, random_state=0)
    assert is_regressor(net)
    net.fit(X, Y)
    assert list(net.tasks_) == ["age", "sex"]
    assert isinstance(net.score(X, Y), float)


def test_task_weights_dunder_is_tunable(data):
    X, Y, subject = data
    net = GaitMultiTaskNet(
        max_epochs=1, task_weights={"age": 0.1}, task_weights__sex=0.3, random_state=0
    )
    assert clone(net).get_params()["task_weights__sex"] == 0.3
    net.set_params(task_weights__age=0.7).fit(X, Y)
    assert net.criterion_.task_weights == {"age": 0.7, "sex": 0.3}
    folds = [
        (np.flatnonzero(subject < 4), np.flatnonzero(subject >= 4)),
        (np.flatnonzero(subject >= 2), np.flatnonzero(subject < 2)),
    ]
    search = GridSearchCV(
        GaitMultiTaskNet(tasks=["sex", "age"], max_epochs=1, random_state=0),
        {"task_weights__age": [0.0, 1.0]},
        cv=folds,
    ).fit(X, Y)
    assert search.best_params_["task_weights__age"] in (0.0, 1.0)


def test_task_weight_zero_leaves_the_head_untouched(data):
    X, Y, _ = data
    net = GaitMultiTaskNet(max_epochs=2, task_weights={"age": 0.0}, random_state=0)
    net.fit(X, Y)
    fresh = GaitMultiTaskNet(max_epochs=0, task_weights={"age": 0.0}, random_state=0).fit(X, Y)
    torch.testing.assert_close(net.module_.heads["age"].weight, fresh.module_.heads["age"].weight)


def test_missing_labels_only_skip_their_task(data):
    X, Y, _ = data
    Y = Y.copy()
    Y.loc[:20, "age"] = np.nan
    Y["sex"] = Y["sex"].astype(object)
    Y.loc[30:35, "sex"] = None
    net = GaitMultiTaskNet(max_epochs=2, random_state=0).fit(X, Y)
    assert np.isfinite(net.history[-1, "train_loss"])
    # each task is scored on its labelled windows only, every one of them
    pred, scores = net.predict(X), net.score_tasks(X, Y)
    age, sex = Y["age"].notna(), Y["sex"].notna()
    assert (age.sum(), sex.sum()) == (27, 42)
    assert scores["age"]["mae"] == pytest.approx(np.abs(pred["age"] - Y["age"])[age].mean())
    assert scores["sex"]["accuracy"] == pytest.approx((pred["sex"] == Y["sex"])[sex].mean())
    assert scores["subject"]["accuracy"] == pytest.approx((pred["subject"] == Y["subject"]).mean())


def test_weighted_and_focal_losses_use_training_class_weights(data):
    X, Y, _ = data
    Y = Y.assign(sex=np.where(np.arange(48) < 8, "F", "M"))  # 1/6 females
    net = GaitMultiTaskNet(
        tasks=["sex", "age"], losses={"sex": "weighted_focal"}, max_epochs=1, random_state=0
    ).fit(X, Y)
    # codes F=0, M=1; eq. 5 with p = p(M) = 5/6: w0 = 1/(1 − 5/6) = 6, w1 = 1/(5/6) = 1.2
    np.testing.assert_allclose(net.class_weights_["sex"], [6.0, 1.2])
    loss = net.criterion_.losses["sex"]
    assert loss.gamma == 2.0
    np.testing.assert_allclose(loss.class_weight.numpy(), [6.0, 1.2], rtol=1e-6)


def test_task_early_stopping_needs_groups_and_stops_tasks(data):
    X, Y, subject = data
    net = GaitMultiTaskNet(tasks=["sex", "age"], max_epochs=8, task_patience=1, random_state=0)
    with pytest.raises(ValueError, match="groups"):
        net.fit(X, Y)
    net.fit(X, Y, groups=subject)
    assert "valid_age_loss" in net.history[0]
    assert set(net.stopped_tasks_) <= {"sex", "age"}
    for task in net.stopped_tasks_:
        assert task in net.criterion_.stopped or task == "sex"


class _SnapshotStoppedHeads(Callback):
    """Copies the head of each task at the end of the epoch it stopped."""

    def on_train_begin(self, net, **kwargs):
        self.heads_ = {}

    def on_epoch_end(self, net, **kwargs):
        for task in net.stopped_tasks_:
            if task not in self.heads_:
                head = net.module_.heads[task].state_dict()
                self.heads_[task] = {k: v.detach().clone() for k, v in head.items()}


def test_a_stopped_task_head_is_frozen_bit_for_bit(data):
    # Left out of the loss, the head still got zero gradients, and Adam's
    # momentum kept moving it (by up to 4e-3 here over ten epochs).
    X, Y, subject = data
    snapshot = _SnapshotStoppedHeads()
    net = GaitMultiTaskNet(
        tasks=["sex", "age"], max_epochs=12, task_patience=1, callbacks=[snapshot], random_state=0
    )
    net.fit(X, Y, groups=subject)
    assert net.stopped_tasks_ == {"age": 2} and len(net.history) == 12
    for name, before in snapshot.heads_["age"].items():
        after = net.module_.heads["age"].state_dict()[name]
        assert torch.equal(after, before), f"heads.age.{name} moved after its task stopped"
    assert not any(p.requires_grad for p in net.module_.heads["age"].parameters())
    assert all(p.requires_grad for p in net.module_.heads["sex"].parameters())


def test_task_early_stopping_needs_a_head_per_task(data):
    class OneHead(torch.nn.Module):
        def __init__(self, n_channels, n_timepoints, task_outputs):
            super().__init__()
            self.out = torch.nn.Linear(n_channels * n_timepoints, sum(task_outputs.values()))

        def forward(self, x):
            return self.out(x.flatten(1))

    X, Y, subject = data
    net = GaitMultiTaskNet(OneHead, tasks=["sex", "age"], max_epochs=2, task_patience=1)
    with pytest.raises(ValueError, match=r"OneHead has none for task\(s\) \['age'\]"):
        net.fit(X, Y, groups=subject)


def test_verification_loss_on_embedding(data):
    X, Y, _ = data
    net = GaitMultiTaskNet(max_epochs=1, task_weights={"verification": 0.1}, random_state=0)
    net.fit(X, Y)
    assert "train_verification_loss" in net.history[-1, "batches"][0]


def test_clone_pickle_and_determinism(data):
    X, Y, _ = data
    net = GaitMultiTaskNet(max_epochs=2, random_state=0, module__features="separable")
    a = clone(net).fit(X, Y)
    b = clone(net).fit(X, Y)
    pd.testing.assert_frame_equal(a.predict(X), b.predict(X))
    restored = pickle.loads(pickle.dumps(a))
    pd.testing.assert_frame_equal(a.predict(X), restored.predict(X))


def test_transfer_from_biodeep_features(data):
    X, Y, _ = data
    source = GaitCNNClassifier(max_epochs=1, random_state=0).fit(X, Y["sex"])
    net = GaitMultiTaskNet(
        warm_start_from=source.feature_weights(),
        freeze="features",
        fine_tune_epochs=1,
        random_state=0,
    ).fit(X, Y)
    torch.testing.assert_close(net.module_.features[0].weight, source.module_.features[0].weight)


def test_errors_name_the_problem(data):
    X, Y, _ = data
    with pytest.raises(ValueError, match="no column"):
        GaitMultiTaskNet(tasks=["height"], max_epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match="unknown task"):
        GaitMultiTaskNet(task_weights={"height": 1.0}, max_epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match="is for regression"):
        GaitMultiTaskNet(losses={"sex": "tukey"}, max_epochs=1).fit(X, Y)


def test_network_is_compact():
    net = MultiTaskNetwork(6, 256, {"sex": 2, "age": 1})
    n_params = sum(p.numel() for p in net.parameters())
    assert n_params < 15_000
