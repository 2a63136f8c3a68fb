"""Cross-testing on real data: HuGaDB right foot → IPOL right foot.

BioDeep's transfer learning (``warm_start_from``) between two real datasets
with the sensor at the same place, on a few windows per subject and 2
epochs: it runs end to end, fine-tuning starts from exactly the source's
convolutional weights, trains 2 epochs where scratch trains 10 (the time
saved is measured by ``benchmarks/bench_transfer.py``), and a shape mismatch
is reported clearly.

Needs the shared datasets (``SKGAIT_DATA`` holding ``HuGaDB/`` and
``IPOL_HealthyGait/``); skipped otherwise.
"""

import re
import warnings

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skgait import ACFTransformer
from skgait.datasets import load_hugadb, load_ipol_healthy_gait, make_windows
from skgait.models import GaitCNNClassifier, GaitCNNRegressor

pytestmark = pytest.mark.realdata

WINDOWS = {"rate": 50.0, "length": 2.56, "overlap": 0.5, "activity": "walking"}


def _few_windows(X, meta, per_subject):
    """The first ``per_subject`` windows of every subject."""
    keep = np.sort(
        np.concatenate([rows[:per_subject] for rows in meta.groupby("group").indices.values()])
    )
    return X[keep], meta.iloc[keep].reset_index(drop=True)


def _acf(X, lags):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="skgait.features")
        return ACFTransformer(lags=lags, output="3d").fit_transform(X)


@pytest.fixture(scope="module")
def hugadb_foot(data_home):
    X, meta = make_windows(load_hugadb(data_home=data_home), placement="right_foot", **WINDOWS)
    return _few_windows(X, meta, per_subject=6)


@pytest.fixture(scope="module")
def ipol_foot(data_home):
    X, meta = make_windows(
        load_ipol_healthy_gait(data_home=data_home), placement="right_foot", **WINDOWS
    )
    return _few_windows(X, meta, per_subject=10)


@pytest.fixture(scope="module")
def source_net(hugadb_foot):
    """A gender CNN trained for 2 epochs on HuGaDB right foot, ACF lags 10."""
    X, meta = hugadb_foot
    return GaitCNNClassifier(max_epochs=2, random_state=0).fit(_acf(X, 10), meta["sex"])


class _FeaturesAtTrainBegin(Callback):
    """Record the ``features.*`` weights when training begins."""

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.weights_ = {
            k: v.detach().clone()
            for k, v in net.module_.state_dict().items()
            if k.startswith("features.")
        }


def _same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("Net, column", [(GaitCNNClassifier, "sex"), (GaitCNNRegressor, "age")])
def test_warm_start_from_file_runs_end_to_end_on_another_dataset(
    source_net, ipol_foot, tmp_path, Net, column
):
    X, meta = ipol_foot
    path = source_net.save_weights(tmp_path / "hugadb_right_foot.pt")
    target = Net(warm_start_from=path, fine_tune_epochs=2, random_state=0)
    target.fit(_acf(X, 10), meta[column])
    assert len(target.history) == 2
    pred = target.predict(_acf(X[:5], 10))
    assert pred.shape == (5,)
    if column == "sex":
        assert set(pred) <= {"F", "M"}
    else:
        assert np.all(np.isfinite(pred))


def test_fine_tuning_starts_from_the_source_features(source_net, ipol_foot):
    X, meta = ipol_foot
    source = source_net.feature_weights()
    source.pop("input_shape")
    snapshot = _FeaturesAtTrainBegin()
    target = GaitCNNClassifier(
        warm_start_from=source_net.feature_weights(),
        fine_tune_epochs=2,
        random_state=0,
        callbacks=[("snapshot", snapshot)],
    )
    target.fit(_acf(X, 10), meta["sex"])
    assert _same_weights(snapshot.weights_, source)
    # Without freezing, fine-tuning then moves them.
    after = {k: v for k, v in target.module_.state_dict().items() if k.startswith("features.")}
    assert not _same_weights(after, source)


def test_frozen_features_stay_those_of_the_source(source_net, ipol_foot):
    X, meta = ipol_foot
    source = source_net.feature_weights()
    source.pop("input_shape")
    target = GaitCNNClassifier(
        warm_start_from=source_net.feature_weights(),
        freeze="features",
        fine_tune_epochs=2,
        random_state=0,
    )
    target.fit(_acf(X, 10), meta["sex"])
    after = {k: v for k, v in target.module_.state_dict().items() if k.startswith("features.")}
    assert _same_weights(after, source)


def test_fine_tuning_trains_fewer_epochs_than_scratch_on_the_same_windows(source_net, ipol_foot):
    # The speed-up itself is measured by benchmarks/bench_transfer.py, not here.
    X, meta = ipol_foot
    F, y = _acf(X, 10), meta["sex"]
    scratch = GaitCNNClassifier(max_epochs=10, random_state=0).fit(F, y)
    fine_tune = GaitCNNClassifier(
        warm_start_from=source_net.feature_weights(),
        max_epochs=10,
        fine_tune_epochs=2,
        random_state=0,
    ).fit(F, y)
    assert (len(scratch.history), len(fine_tune.history)) == (10, 2)


def test_transfer_to_other_acf_lags_names_both_shapes(source_net, ipol_foot):
    X, meta = ipol_foot
    target = GaitCNNClassifier(warm_start_from=source_net.feature_weights(), random_state=0)
    message = "(n_channels, n_timepoints)=(6, 10), but X has windows of shape (6, 20)"
    with pytest.raises(ValueError, match=re.escape(message)):
        target.fit(_acf(X, 20), meta["sex"])
