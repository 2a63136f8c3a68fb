"""Metadata routing: ``groups`` reaches a network's subject-wise validation split.

With ``sklearn.config_context(enable_metadata_routing=True)``, the subjects
passed to ``fit`` or to ``cross_validate(..., params={"groups": g})`` must
reach :class:`~skgait.models.GroupValidSplit`, bare, in a Pipeline and in
:class:`~skgait.model_selection.OptunaSearchCV`. The tests look at the
split itself: no subject on both sides.
"""

import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from optuna.distributions import FloatDistribution
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from skgait.model_selection import OptunaSearchCV, SubjectKFold
from skgait.models import GaitCNNClassifier, GaitMultiTaskNet, GroupValidSplit

torch.set_num_threads(1)

N_SUBJECTS, PER_SUBJECT = 8, 6
SUBJECTS = np.repeat(np.arange(N_SUBJECTS), PER_SUBJECT)


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(len(SUBJECTS), 3, 16)).astype(np.float32)
    X[:, 0, 0] = SUBJECTS  # each window carries its subject, to read the split back
    y = np.where(SUBJECTS % 4 < 2, "F", "M")
    return X, y


class RecordSplit(Callback):
    """Records the subjects of the training and validation parts of every fit."""

    splits = []

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.first_epoch_ = True

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        if self.first_epoch_:
            self.first_epoch_ = False
            type(self).splits.append((_subjects(dataset_train), _subjects(dataset_valid)))


def _subjects(subset):
    assert subset is not None, "no validation part"
    X = subset.dataset.X[np.asarray(subset.indices)]
    return set(X[:, 0, 0].astype(int).tolist())


@pytest.fixture(autouse=True)
def _routing():
    RecordSplit.splits = []
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _net(**params):
    return GaitCNNClassifier(
        max_epochs=1,
        train_split=GroupValidSplit(0.25, random_state=0),
        callbacks=[RecordSplit()],
        random_state=0,
        **params,
    )


def _pipe():
    return Pipeline([("identity", FunctionTransformer()), ("cnn", _net())])


def _assert_group_wise(n_fits):
    assert len(RecordSplit.splits) == n_fits
    for train, valid in RecordSplit.splits:
        assert train and valid and not train & valid, (train, valid)


@pytest.mark.parametrize("make", [_net, _pipe], ids=["bare", "pipeline"])
def test_fit_groups_reach_the_validation_split(make):
    X, y = _data()
    make().fit(X, y, groups=SUBJECTS)
    _assert_group_wise(1)
    train, valid = RecordSplit.splits[0]
    assert train | valid == set(range(N_SUBJECTS)) and len(valid) == 2


@pytest.mark.parametrize("make", [_net, _pipe], ids=["bare", "pipeline"])
def test_cross_validate_params_groups_reach_the_validation_split(make):
    X, y = _data()
    cv = GroupKFold(n_splits=2)
    result = cross_validate(make(), X, y, cv=cv, params={"groups": SUBJECTS}, error_score="raise")
    assert result["test_score"].shape == (2,)
    _assert_group_wise(2)
    # each network split the subjects of its own training fold
    for (train, valid), (fold_train, _) in zip(RecordSplit.splits, cv.split(X, y, SUBJECTS)):
        assert train | valid == set(SUBJECTS[fold_train].tolist())


@pytest.mark.parametrize("make", [_net, _pipe], ids=["bare", "pipeline"])
def test_optuna_search_routes_groups_to_the_validation_split(make):
    X, y = _data()
    prefix = "" if make is _net else "cnn__"
    search = OptunaSearchCV(
        make(),
        {f"{prefix}lr": FloatDistribution(1e-3, 1e-2)},
        cv=SubjectKFold(2),
        n_trials=1,
        random_state=0,
    )
    search.fit(X, y, groups=SUBJECTS)
    _assert_group_wise(3)  # two folds, then the refit on all subjects
    train, valid = RecordSplit.splits[-1]
    assert train | valid == set(range(N_SUBJECTS))


def test_the_network_consumes_groups_only_through_its_split():
    assert _net().get_metadata_routing().consumes("fit", ["groups"]) == {"groups"}
    no_split = GaitCNNClassifier(max_epochs=1)
    assert no_split.get_metadata_routing().consumes("fit", ["groups"]) == set()
    multitask = GaitMultiTaskNet(task_patience=2)  # its own GroupValidSplit
    assert multitask.get_metadata_routing().consumes("fit", ["groups"]) == {"groups"}


def test_multitask_early_stopping_gets_groups_through_routing():
    X, y = _data()
    Y = pd.DataFrame({"sex": y, "age": 20.0 + SUBJECTS})
    net = GaitMultiTaskNet(max_epochs=2, task_patience=1, callbacks=[RecordSplit()], random_state=0)
    cross_validate(
        net,
        X,
        Y,
        cv=GroupKFold(n_splits=2),
        params={"groups": SUBJECTS},
        error_score="raise",
        scoring=lambda est, X, y: 0.0,
    )
    _assert_group_wise(2)
