"""Devices: ``"auto"`` resolves to what the machine has; a device it lacks is a clear error."""

import numpy as np
import pytest
import torch

from skgait.models import GaitCNNClassifier
from skgait.utils import _validation
from skgait.verification import SiameseVerifier

X = np.random.default_rng(0).normal(size=(20, 6, 64)).astype(np.float32)
Y = np.repeat([0, 1], 10)


def _estimators(device):
    return [
        GaitCNNClassifier(device=device, max_epochs=1),
        SiameseVerifier(device=device, max_epochs=1, n_pairs=10),
    ]


@pytest.mark.parametrize("estimator", _estimators("cuda"), ids=lambda e: type(e).__name__)
def test_cuda_on_a_build_without_cuda_names_the_problem(estimator, monkeypatch):
    monkeypatch.setattr(torch.backends.cuda, "is_built", lambda: False)
    with pytest.raises(ValueError, match=r"device='cuda' asks for CUDA, but this PyTorch build"):
        estimator.fit(X, Y)


@pytest.mark.parametrize("estimator", _estimators("cuda:1"), ids=lambda e: type(e).__name__)
def test_a_cuda_device_that_is_not_visible_names_the_count(estimator, monkeypatch):
    monkeypatch.setattr(torch.backends.cuda, "is_built", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"asks for CUDA device 1, but 1 CUDA device\(s\)"):
        estimator.fit(X, Y)


@pytest.mark.parametrize("estimator", _estimators("gpu0"), ids=lambda e: type(e).__name__)
def test_an_unknown_device_is_refused(estimator):
    with pytest.raises(ValueError, match=r"device='gpu0' is not a torch device"):
        estimator.fit(X, Y)


@pytest.mark.parametrize("available, expected", [(False, "cpu"), (True, "cuda")])
def test_auto_is_cuda_when_available_else_cpu(available, expected, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    _validation._cuda_or_cpu.cache_clear()
    try:
        assert _validation.resolve_device("auto") == expected
        assert GaitCNNClassifier(device="auto").device == expected
        assert GaitCNNClassifier(device="auto").get_params()["device"] == "auto"
    finally:
        _validation._cuda_or_cpu.cache_clear()


def test_siamese_verifier_trains_on_auto():
    verifier = SiameseVerifier(device="auto", max_epochs=1, n_pairs=10, random_state=0)
    verifier.fit(X, np.repeat(np.arange(4), 5))
    assert verifier.device == _validation.resolve_device("auto")
    assert next(verifier.module_.parameters()).device.type == torch.device(verifier.device).type


# --device of grids and searches


def _no_cuda(monkeypatch):
    monkeypatch.setattr(torch.backends.cuda, "is_built", lambda: False)


def test_on_device_sets_every_network_and_leaves_forests_alone():
    from skgait.experiments import make_estimator, on_device

    cnn = make_estimator("acf_cnn", "gender")
    moved = on_device(cnn, "auto")
    assert moved is not cnn and moved[-1].get_params()["device"] == "auto"
    assert cnn[-1].get_params()["device"] == "cpu"  # the original is untouched
    forest = make_estimator("acf_rf", "gender")
    assert on_device(forest, "auto") is forest


def test_a_grid_puts_every_network_on_its_device():
    from skgait.experiments import CrossDatasetGrid, WindowSpec

    grid = CrossDatasetGrid([], tasks=["gender"], device="auto")
    estimators = grid._resolve_estimators(["gender"], WindowSpec())
    assert estimators[("acf_cnn", "gender")][-1].get_params()["device"] == "auto"
    assert "device" not in estimators[("acf_rf", "gender")][-1].get_params()


def test_a_grid_on_a_missing_cuda_device_fails_before_loading_data(monkeypatch):
    from skgait.experiments import CrossDatasetGrid

    _no_cuda(monkeypatch)
    grid = CrossDatasetGrid(
        [{"dataset": "nowhere"}], tasks=["gender"], device="cuda", tracking=False
    )
    with pytest.raises(ValueError, match="CrossDatasetGrid: device='cuda' asks for CUDA"):
        grid.run()


def test_grid_device_flag_on_a_missing_cuda_is_a_configuration_error(monkeypatch, capsys):
    from skgait.cli import main

    _no_cuda(monkeypatch)
    status = main(["grid", "--datasets", "hugadb:right_foot", "--device", "cuda", "--no-tracking"])
    assert status == 2
    err = capsys.readouterr().err
    assert "device = 'cuda'" in err and "no CUDA support" in err


def test_search_config_device_is_checked_and_set(monkeypatch):
    from skgait.exceptions import ConfigError
    from skgait.experiments._config import validate_config

    config = {
        "tasks": ["gender"],
        "datasets": [{"dataset": "sisfall", "placement": "waist"}],
        "search": {"estimator": "cnn", "device": "auto"},
        "space": {"cnn__lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": True}},
    }
    assert validate_config(config).estimator.get_params()["cnn__device"] == "auto"
    _no_cuda(monkeypatch)
    config["search"]["device"] = "cuda"
    with pytest.raises(ConfigError, match=r"search\.device = 'cuda'.*no CUDA support"):
        validate_config(config)
