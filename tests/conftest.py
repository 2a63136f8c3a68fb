"""Shared fixtures: the real data home, and an isolated cache for every test."""

import os
from pathlib import Path

import pytest

DEFAULT_DATA_HOME = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _data_home():
    return Path(os.environ.get("SKGAIT_DATA") or DEFAULT_DATA_HOME)


@pytest.fixture(scope="session")
def data_home():
    """The folder holding the shared real datasets; skip when it is absent."""
    home = _data_home()
    if not (home / "SisFall").is_dir():
        pytest.skip(f"real gait data not found under {home} (set SKGAIT_DATA)")
    return home


@pytest.fixture(autouse=True)
def _data_home_env(monkeypatch):
    monkeypatch.setenv("SKGAIT_DATA", str(_data_home()))
