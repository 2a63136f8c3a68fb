"""Behaviour of the BioDeep CNN estimators (skgait.models)."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback, EarlyStopping

from skgait.models import (
    GaitCNNClassifier,
    GaitCNNRegressor,
    GroupValidSplit,
    TensorBatchLoader,
    WindowDataset,
)
from skgait.models.networks import BioDeepCNN

torch.set_num_threads(1)


def make_acf_like(n=120, n_channels=6, n_timepoints=10, n_classes=2, seed=0):
    """Windows whose class is visible in channel 0 (learnable in a few epochs)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    X = rng.normal(scale=0.3, size=(n, n_channels, n_timepoints))
    X[:, 0, :] += (y[:, None] - (n_classes - 1) / 2) * 1.5
    groups = np.arange(n) // 10  # 10 windows per "subject"
    return X, y, groups


def weights_of(est):
    return {k: v.detach().clone() for k, v in est.module_.state_dict().items()}


# ----------------------------------------------------------------------------
# network
# ----------------------------------------------------------------------------


def test_network_shapes_and_submodules():
    net = BioDeepCNN(n_channels=6, n_timepoints=10, n_outputs=3)
    assert net(torch.zeros(5, 6, 10)).shape == (5, 3)
    assert {name.split(".")[0] for name, _ in net.named_parameters()} == {"features", "head"}
    conv1, conv2 = net.features[0], net.features[3]
    assert (conv1.out_channels, conv1.stride) == (16, (1,))
    assert (conv2.out_channels, conv2.stride) == (32, (2,))
    assert net.head[1].out_features == 64


@pytest.mark.parametrize("n_timepoints", [6, 10, 128, 256])
def test_network_flattened_size_matches_forward(n_timepoints):
    net = BioDeepCNN(n_channels=3, n_timepoints=n_timepoints, n_outputs=1)
    assert net.features(torch.zeros(2, 3, n_timepoints)).flatten(1).shape[1] == net.n_features_out


def test_network_too_short_input_is_a_clear_error():
    with pytest.raises(ValueError, match="n_timepoints=5 are too short.*at least 6"):
        BioDeepCNN(n_channels=6, n_timepoints=5, n_outputs=1)


# ----------------------------------------------------------------------------
# shape inference and tasks
# ----------------------------------------------------------------------------


def test_shapes_are_inferred_from_X_and_y():
    X, y, _ = make_acf_like(n=40, n_channels=4, n_timepoints=12, n_classes=3)
    est = GaitCNNClassifier(max_epochs=1, random_state=0).fit(X, y)
    assert (est.n_channels_, est.n_timepoints_, est.n_outputs_) == (4, 12, 3)
    assert est.module_.features[0].in_channels == 4
    assert est.module_.head[-1].out_features == 3
    # fit does not write inferred values into the parameters
    assert "module__n_channels" not in est.get_params()


def test_user_set_module_params_are_not_overridden():
    X, y, _ = make_acf_like(n=40)
    est = GaitCNNClassifier(
        max_epochs=1, module__n_hidden=8, module__n_outputs=2, criterion=torch.nn.CrossEntropyLoss
    )
    est.fit(X, y)
    assert est.module_.head[1].out_features == 8
    assert est.module_.head[-1].out_features == 2
    assert est.predict_proba(X).shape == (40, 2)


@pytest.mark.parametrize(
    "n, n_classes, n_logits, criterion, rtol, min_score",
    [
        (200, 2, 1, torch.nn.BCEWithLogitsLoss, 1e-6, 0.9),
        (240, 3, 3, torch.nn.CrossEntropyLoss, 1e-5, 0.8),
    ],
    ids=["binary-one-logit-bce", "multiclass-softmax-cross-entropy"],
)
def test_output_layer_and_loss_follow_the_classes(
    n, n_classes, n_logits, criterion, rtol, min_score
):
    X, y, _ = make_acf_like(n=n, n_classes=n_classes)
    est = GaitCNNClassifier(max_epochs=6, random_state=0).fit(X, y)
    assert est.module_.head[-1].out_features == n_logits
    assert isinstance(est.criterion_, criterion)
    proba = est.predict_proba(X)
    assert proba.shape == (n, n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=rtol)
    assert est.score(X, y) > min_score


def test_string_labels_round_trip():
    X, y, _ = make_acf_like(n=120)
    labels = np.array(["F", "M"])[y]
    est = GaitCNNClassifier(max_epochs=4, random_state=0).fit(X, labels)
    assert est.classes_.tolist() == ["F", "M"]
    pred = est.predict(X)
    assert pred.dtype == labels.dtype and set(pred) <= {"F", "M"}


def test_single_class_is_a_clear_error():
    X, _, _ = make_acf_like(n=20)
    with pytest.raises(ValueError, match="at least 2 classes"):
        GaitCNNClassifier(max_epochs=1).fit(X, np.zeros(20))


def test_regression_scales_y_and_predicts_in_original_unit():
    rng = np.random.default_rng(0)
    X = rng.normal(scale=0.3, size=(200, 6, 10))
    age = rng.uniform(18, 60, size=200)
    X[:, 0, :] += ((age - 39) / 21)[:, None]
    est = GaitCNNRegressor(max_epochs=15, random_state=0, lr=3e-3).fit(X, age)
    assert isinstance(est.criterion_, torch.nn.L1Loss)
    assert est.y_min_[0] == age.min() and est.y_max_[0] == age.max()
    pred = est.predict(X)
    assert pred.shape == (200,)
    assert np.mean(np.abs(pred - age)) < 0.5 * np.mean(np.abs(age - age.mean()))


class _TargetRange(Callback):
    """Smallest and largest target the loss sees in training batches."""

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            yb = batch[1]
            self.low = min(getattr(self, "low", np.inf), float(yb.min()))
            self.high = max(getattr(self, "high", -np.inf), float(yb.max()))


def test_regression_trains_on_targets_scaled_to_0_1():
    # the paper's scaling: training minimum -> 0, maximum -> 1 (a network
    # trained on [0, 2] predicts as well once unscaled, so check the range)
    X, _, _ = make_acf_like(n=40)
    age = np.linspace(18, 60, 40)
    seen = _TargetRange()
    GaitCNNRegressor(callbacks=[seen], max_epochs=1, random_state=0).fit(X, age)
    assert (seen.low, seen.high) == (0.0, 1.0)


def test_regression_with_2d_y_returns_2d():
    X, _, _ = make_acf_like(n=40)
    y = np.column_stack([np.linspace(20, 50, 40), np.linspace(1.5, 1.9, 40)])
    est = GaitCNNRegressor(max_epochs=1, random_state=0).fit(X, y)
    assert est.n_outputs_ == 2 and est.predict(X).shape == (40, 2)


# ----------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------


def test_nan_input_is_rejected_in_fit_and_predict():
    X, y, _ = make_acf_like(n=40)
    X_nan = X.copy()
    X_nan[3, 1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GaitCNNClassifier(max_epochs=1).fit(X_nan, y)
    est = GaitCNNClassifier(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        est.predict(X_nan)


def test_float64_input_is_trained_as_float32():
    X, y, _ = make_acf_like(n=40)
    assert X.dtype == np.float64
    est = GaitCNNClassifier(max_epochs=1).fit(X, y)
    assert est.predict_proba(X).dtype == np.float32
    assert next(est.module_.parameters()).dtype == torch.float32


def test_predict_on_other_window_shape_is_a_clear_error():
    X, y, _ = make_acf_like(n=40)
    est = GaitCNNClassifier(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on \(6, 10\)"):
        est.predict(X[:, :3])


def test_2d_input_is_rejected():
    with pytest.raises(ValueError, match="n_windows, n_channels"):
        GaitCNNClassifier(max_epochs=1).fit(np.zeros((10, 60)), np.arange(10) % 2)


# ----------------------------------------------------------------------------
# determinism, clone, pickle, device
# ----------------------------------------------------------------------------


def test_random_state_gives_identical_weights_and_predictions():
    X, y, _ = make_acf_like(n=100)
    a = GaitCNNClassifier(max_epochs=2, random_state=3).fit(X, y)
    b = GaitCNNClassifier(max_epochs=2, random_state=3).fit(X, y)
    for key, value in weights_of(a).items():
        torch.testing.assert_close(value, weights_of(b)[key], rtol=0, atol=0)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = GaitCNNClassifier(max_epochs=2, random_state=4).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


def test_fit_does_not_touch_global_torch_rng():
    X, y, _ = make_acf_like(n=40)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    GaitCNNClassifier(max_epochs=1, random_state=0).fit(X, y)
    torch.testing.assert_close(torch.rand(3), expected)


def test_clone_before_and_after_fit():
    X, y, _ = make_acf_like(n=40)
    est = GaitCNNClassifier(max_epochs=1, lr=0.01, module__n_hidden=16, random_state=0)
    unfitted = clone(est)
    assert unfitted.get_params()["module__n_hidden"] == 16
    est.fit(X, y)
    fitted_clone = clone(est)
    assert not hasattr(fitted_clone, "module_")
    assert fitted_clone.get_params()["lr"] == 0.01
    np.testing.assert_array_equal(fitted_clone.fit(X, y).predict_proba(X), est.predict_proba(X))


def test_pickle_round_trip():
    X, y, _ = make_acf_like(n=40)
    labels = np.array(["F", "M"])[y]
    est = GaitCNNClassifier(max_epochs=1, random_state=0, device="auto").fit(X, labels)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))
    assert restored.get_params()["device"] == "auto"
    assert restored.classes_.tolist() == ["F", "M"]


def test_device_auto_resolves_to_cpu_without_cuda():
    X, y, _ = make_acf_like(n=20)
    est = GaitCNNRegressor(device="auto", max_epochs=1)
    assert est.get_params()["device"] == "auto"
    est.fit(X, y.astype(float))
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert est.device == expected
    assert next(est.module_.parameters()).device.type == expected
    assert clone(est).get_params()["device"] == "auto"


# ----------------------------------------------------------------------------
# transfer learning
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source():
    X, y, _ = make_acf_like(n=120)
    return GaitCNNClassifier(max_epochs=3, random_state=0).fit(X, y)


def _features(est):
    return {k: v for k, v in weights_of(est).items() if k.startswith("features.")}


@pytest.mark.parametrize("fmt", ["safetensors", "pt"])
def test_save_and_warm_start_from_path(source, tmp_path, fmt):
    pytest.importorskip("safetensors") if fmt == "safetensors" else None
    path = source.save_weights(tmp_path / f"source.{fmt}")
    X, y, _ = make_acf_like(n=60, seed=1)
    target = GaitCNNClassifier(
        warm_start_from=path, freeze="features", fine_tune_epochs=1, random_state=0
    ).fit(X, y)
    for key, value in _features(source).items():
        torch.testing.assert_close(_features(target)[key], value)


class _WeightsAtStart(Callback):
    """Keeps a copy of the network's weights when training begins."""

    def on_train_begin(self, net, **kwargs):
        self.weights = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}


def test_warm_start_from_a_whole_network_file_copies_features_but_not_the_head(source, tmp_path):
    # save_weights writes the head too; fine-tuning must start from a new one
    path = source.save_weights(tmp_path / "source.pt")
    X, y, _ = make_acf_like(n=60, seed=1)
    start, fresh = _WeightsAtStart(), _WeightsAtStart()
    GaitCNNClassifier(
        warm_start_from=path, callbacks=[start], fine_tune_epochs=1, random_state=0
    ).fit(X, y)
    GaitCNNClassifier(callbacks=[fresh], max_epochs=1, random_state=0).fit(X, y)
    source_weights = weights_of(source)
    head = [k for k in start.weights if k.startswith("head.")]
    assert head and len(head) + len(_features(source)) == len(start.weights)
    for key in head:
        assert not torch.equal(start.weights[key], source_weights[key]), key
        torch.testing.assert_close(start.weights[key], fresh.weights[key], rtol=0, atol=0)
    for key, value in _features(source).items():
        torch.testing.assert_close(start.weights[key], value, rtol=0, atol=0)


def test_warm_start_from_dict_survives_clone(source):
    weights = source.feature_weights()
    est = GaitCNNClassifier(warm_start_from=weights, fine_tune_epochs=1)
    cloned = clone(est)
    assert set(cloned.warm_start_from) == set(weights)
    X, y, _ = make_acf_like(n=40, seed=2)
    cloned.fit(X, y)  # loads without error
    assert len(cloned.history) == 1


def test_estimator_as_warm_start_from_is_rejected(source):
    X, y, _ = make_acf_like(n=20)
    with pytest.raises(TypeError, match="feature_weights"):
        GaitCNNClassifier(warm_start_from=source).fit(X, y)


def test_frozen_features_unchanged_head_trained(source):
    X, y, _ = make_acf_like(n=60, seed=1)
    target = GaitCNNClassifier(
        warm_start_from=source.feature_weights(),
        freeze="features",
        fine_tune_epochs=2,
        random_state=0,
    ).fit(X, y)
    assert len(target.history) == 2  # fine_tune_epochs, not max_epochs
    for key, value in _features(source).items():
        torch.testing.assert_close(_features(target)[key], value, rtol=0, atol=0)
    assert all(not p.requires_grad for p in target.module_.features.parameters())
    assert all(p.requires_grad for p in target.module_.head.parameters())


def test_unfrozen_features_are_fine_tuned(source):
    X, y, _ = make_acf_like(n=60, seed=1)
    target = GaitCNNClassifier(
        warm_start_from=source.feature_weights(), fine_tune_epochs=2, random_state=0
    ).fit(X, y)
    changed = [not torch.equal(_features(target)[k], v) for k, v in _features(source).items()]
    assert any(changed)


def test_new_head_for_other_number_of_classes(source):
    X, y, _ = make_acf_like(n=90, n_classes=3, seed=1)
    target = GaitCNNClassifier(
        warm_start_from=source.feature_weights(), freeze="features", random_state=0
    ).fit(X, y)
    assert target.module_.head[-1].out_features == 3
    assert target.predict_proba(X).shape == (90, 3)


def test_classifier_features_transfer_to_regressor(source):
    X, _, _ = make_acf_like(n=60, seed=1)
    age = np.linspace(20, 40, 60)
    reg = GaitCNNRegressor(
        warm_start_from=source.feature_weights(), freeze="features", random_state=0
    ).fit(X, age)
    assert reg.module_.head[-1].out_features == 1
    assert reg.predict(X).shape == (60,)
    for key, value in _features(source).items():
        torch.testing.assert_close(_features(reg)[key], value)


def test_channel_mismatch_is_a_clear_error(source):
    X, y, _ = make_acf_like(n=20, n_channels=3)
    with pytest.raises(ValueError, match=r"\(6, 10\).*\(3, 10\)"):
        GaitCNNClassifier(warm_start_from=source.feature_weights()).fit(X, y)
    # without the recorded input shape, the tensor shapes are compared
    weights = {k: v for k, v in source.feature_weights().items() if k != "input_shape"}
    with pytest.raises(
        ValueError, match=r"'features.0.weight' has shape \(16, 6, 3\).*\(16, 3, 3\)"
    ):
        GaitCNNClassifier(warm_start_from=weights).fit(X, y)


def test_lag_mismatch_is_a_clear_error(source):
    X, y, _ = make_acf_like(n=20, n_timepoints=20)
    with pytest.raises(ValueError, match=r"\(6, 10\).*\(6, 20\)"):
        GaitCNNClassifier(warm_start_from=source.feature_weights()).fit(X, y)


def test_freeze_without_weights_is_an_error():
    X, y, _ = make_acf_like(n=20)
    with pytest.raises(ValueError, match="warm_start_from"):
        GaitCNNClassifier(freeze="features").fit(X, y)


def test_missing_weights_file_is_an_error(tmp_path):
    X, y, _ = make_acf_like(n=20)
    with pytest.raises(FileNotFoundError, match="no weights file"):
        GaitCNNClassifier(warm_start_from=tmp_path / "nope.safetensors").fit(X, y)


# ----------------------------------------------------------------------------
# batches and subject-wise validation
# ----------------------------------------------------------------------------


def test_tensor_batch_loader_covers_every_window_once_per_epoch():
    X = np.arange(25, dtype=np.float32).reshape(25, 1, 1)
    ds = WindowDataset(X, np.arange(25))
    loader = TensorBatchLoader(
        ds, batch_size=10, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    seen = torch.cat([xb.flatten() for xb, _ in loader])
    assert sorted(seen.tolist()) == list(range(25)) and seen.tolist() != list(range(25))
    for xb, yb in loader:
        assert torch.equal(xb.flatten().long(), yb)  # X and y stay aligned


def test_tensor_batch_loader_falls_back_to_dataloader():
    class Plain(torch.utils.data.Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            return torch.full((2, 3), float(i)), i

    batches = list(TensorBatchLoader(Plain(), batch_size=4))
    assert [len(xb) for xb, _ in batches] == [4, 3]


def test_group_valid_split_keeps_subjects_apart():
    X, y, groups = make_acf_like(n=100)
    ds = WindowDataset(X.astype(np.float32), y)
    train, valid = GroupValidSplit(0.3, random_state=0)(ds, y, groups=groups)
    assert len(train) + len(valid) == 100
    assert not set(groups[train.indices]) & set(groups[valid.indices])


def test_group_valid_split_needs_groups():
    X, y, _ = make_acf_like(n=20)
    est = GaitCNNClassifier(max_epochs=1, train_split=GroupValidSplit(0.25))
    with pytest.raises(ValueError, match="groups=subjects"):
        est.fit(X, y)


def test_early_stopping_on_subject_wise_validation():
    X, y, groups = make_acf_like(n=120)
    labels = np.array(["F", "M"])[y]
    est = GaitCNNClassifier(
        max_epochs=30,
        random_state=0,
        train_split=GroupValidSplit(0.25, random_state=0),
        callbacks=[EarlyStopping(patience=2, threshold=1.0)],
    ).fit(X, labels, groups=groups)
    assert len(est.history) < 30
    assert "valid_loss" in est.history[-1] and "valid_acc" in est.history[-1]
    assert 0.0 <= est.history[-1, "valid_acc"] <= 1.0


def test_unshuffled_training_can_be_requested():
    X, y, _ = make_acf_like(n=40)
    est = GaitCNNClassifier(max_epochs=1, iterator_train__shuffle=False).fit(X, y)
    assert len(est.history) == 1


def test_plain_dataloader_iterator_still_works():
    X, y, _ = make_acf_like(n=40)
    est = GaitCNNClassifier(
        max_epochs=1,
        random_state=0,
        iterator_train=torch.utils.data.DataLoader,
        iterator_valid=torch.utils.data.DataLoader,
    ).fit(X, y)
    assert est.predict(X).shape == (40,)


# ----------------------------------------------------------------------------
# ecosystem
# ----------------------------------------------------------------------------


def test_grid_search_over_module_and_training_params():
    X, y, groups = make_acf_like(n=80)
    grid = GridSearchCV(
        GaitCNNClassifier(random_state=0),
        {
            "module__n_hidden": [8, 16],
            "lr": [1e-3],
            "max_epochs": [1],
            "batch_size": [10, 40],
        },
        cv=GroupKFold(n_splits=2),
    ).fit(X, y, groups=groups)
    assert (
        grid.best_estimator_.module_.head[1].out_features == grid.best_params_["module__n_hidden"]
    )
    assert len(grid.cv_results_["params"]) == 4


def test_pipeline_with_acf_and_group_kfold():
    acf = pytest.importorskip("skgait.features")
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    t = np.arange(128) / 50
    freq = np.where(y == 0, 1.0, 2.5)
    X = np.sin(2 * np.pi * freq[:, None, None] * t + rng.uniform(0, 6, size=(60, 6, 1)))
    X += 0.2 * rng.normal(size=X.shape)
    groups = np.arange(60) // 6
    pipe = Pipeline(
        [
            ("acf", acf.ACFTransformer(lags=10, output="3d")),
            ("cnn", GaitCNNClassifier(max_epochs=3, random_state=0)),
        ]
    )
    scores = cross_val_score(pipe, X, y, groups=groups, cv=GroupKFold(n_splits=3))
    assert scores.shape == (3,) and np.all((0 <= scores) & (scores <= 1))
    grid = GridSearchCV(
        pipe,
        {
            "cnn__module__n_hidden": [8],
            "cnn__lr": [1e-3, 1e-2],
            "cnn__max_epochs": [1],
            "cnn__batch_size": [10],
        },
        cv=GroupKFold(n_splits=2),
    ).fit(X, y, groups=groups)
    assert grid.best_estimator_.named_steps["cnn"].n_timepoints_ == 10


# ----------------------------------------------------------------------------
# saving and loading parameters the skorch way
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3])
def test_initialize_then_load_params_predicts_like_the_saved_net(tmp_path, n_classes):
    X, y, _ = make_acf_like(n=60, n_classes=n_classes)
    labels = np.array(["F", "M", "X"])[y]
    saved = GaitCNNClassifier(max_epochs=2, random_state=0).fit(X, labels)
    saved.save_params(f_params=tmp_path / "params.pt")

    fresh = GaitCNNClassifier(
        classes=list(saved.classes_),
        module__n_channels=6,
        module__n_timepoints=10,
    ).initialize()
    fresh.load_params(f_params=tmp_path / "params.pt")
    assert (fresh.n_channels_, fresh.n_timepoints_, fresh.n_outputs_) == (6, 10, saved.n_outputs_)
    np.testing.assert_array_equal(fresh.predict_proba(X), saved.predict_proba(X))
    np.testing.assert_array_equal(fresh.predict(X), saved.predict(X))
    with pytest.raises(ValueError, match=r"fitted on \(6, 10\)"):
        fresh.predict(X[:, :, :8])


def test_classes_fix_the_labels_and_outputs():
    X, y, _ = make_acf_like(n=40, n_classes=2)
    est = GaitCNNClassifier(classes=[0, 1, 2], max_epochs=1, random_state=0).fit(X, y)
    assert est.classes_.tolist() == [0, 1, 2] and est.n_outputs_ == 3
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes=\[0, 1\]"):
        GaitCNNClassifier(classes=[0, 1], max_epochs=1).fit(X, np.where(y == 1, 2, 0))


def test_regressor_without_fit_cannot_predict_in_training_units(tmp_path):
    X, y, _ = make_acf_like(n=40)
    saved = GaitCNNRegressor(max_epochs=1, random_state=0).fit(X, 20.0 + y)
    saved.save_params(f_params=tmp_path / "params.pt")
    fresh = GaitCNNRegressor(
        module__n_channels=6, module__n_timepoints=10, module__n_outputs=1
    ).initialize()
    fresh.load_params(f_params=tmp_path / "params.pt")
    with pytest.raises(AttributeError, match="range \\(y_min_, y_max_\\) fit sets"):
        fresh.predict(X)
