"""Shared fixtures: the real data home, set for every test (SKGAIT_DATA)."""

import pytest
import torch
from _data import DATA_HOME

# pytest runs in two xdist workers on a 2-core machine: one intra-op thread
# per worker avoids oversubscription (measured 10-20x slower fits without).
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def data_home():
    """The folder holding the shared real datasets; skip when it is absent."""
    home = DATA_HOME
    if not (home / "SisFall").is_dir():
        pytest.skip(f"real gait data not found under {home} (set SKGAIT_DATA)")
    return home


@pytest.fixture(scope="session")
def sisfall_walking_windows(data_home):
    """``(X, meta)``: SisFall's walking at the waist, 2.56 s windows at 50 Hz, half overlapping."""
    from skgait.datasets import load_sisfall, make_windows

    return make_windows(
        load_sisfall(data_home=data_home),
        placement="waist",
        rate=50.0,
        length=2.56,
        overlap=0.5,
        activity="walking",
    )


@pytest.fixture(autouse=True)
def _data_home_env(monkeypatch):
    monkeypatch.setenv("SKGAIT_DATA", str(DATA_HOME))


def pytest_configure(config):
    """Compile the numba kernels once, in the controller, before xdist workers start.

    The kernels are cached on disk (``cache=True``); two workers compiling and
    writing the same cache entry at once can corrupt it on a fresh checkout.
    """
    if hasattr(config, "workerinput"):  # an xdist worker: the controller did it
        return
    import numpy as np

    from skgait.features import ACFTransformer

    for dtype in (np.float32, np.float64):
        windows = np.random.default_rng(0).normal(size=(2, 2, 16)).astype(dtype)
        ACFTransformer(lags=3).fit_transform(windows)
