"""Data home resolution, missing-data errors and the parsed-file cache."""

import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from _data import copy_dataset

from skgait.datasets import (
    get_data_home,
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    load_umafall,
)
from skgait.datasets._cache import get_cache_home
from skgait.exceptions import DataFormatError, DatasetNotFoundError


def test_data_home_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SKGAIT_DATA", str(tmp_path))
    assert get_data_home() == tmp_path
    assert get_data_home(tmp_path / "x") == tmp_path / "x"


def test_default_data_home(monkeypatch):
    monkeypatch.delenv("SKGAIT_DATA", raising=False)
    assert get_data_home() == Path.home() / "skgait_data"


@pytest.mark.parametrize("route", ["SKGAIT_DATA", "data_home"])
@pytest.mark.parametrize(
    "load, folder, layout, source",
    [
        (load_sisfall, "SisFall", "<CODE>_<SUBJ>_R<NN>.txt", "sistemic.udea.edu.co"),
        (
            load_hugadb,
            "HuGaDB",
            "HuGaDB_v1_<activity>_<SS>_<CC>.txt",
            "github.com/romanchereshnev/HuGaDB",
        ),
        (
            load_ipol_healthy_gait,
            "IPOL_HealthyGait",
            "GaitData/<S>-<T>.json",
            "github.com/CyrilVoisard/ipol_dataset_1",
        ),
        (
            load_umafall,
            "UMAFall",
            "UMAFall_Subject_<SS>_<ADL|Fall>_<activity>_<trial>_<date>.csv",
            "figshare.com",
        ),
    ],
    ids=["sisfall", "hugadb", "ipol", "umafall"],
)
def test_missing_data_home_says_what_and_where(
    monkeypatch, tmp_path, route, load, folder, layout, source
):
    if route == "SKGAIT_DATA":
        monkeypatch.setenv("SKGAIT_DATA", str(tmp_path))
        kwargs = {}
    else:
        kwargs = {"data_home": tmp_path}
    with pytest.raises(DatasetNotFoundError) as excinfo:
        load(**kwargs)
    message = str(excinfo.value)
    assert str(tmp_path / folder) in message
    assert "does not exist" in message and "SKGAIT_DATA" in message
    assert layout in message  # the expected layout
    assert source in message  # where to get it


def test_folder_without_expected_files(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="holds no file matching"):
        load_sisfall(tmp_path)


def test_cache_home_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path))
    assert get_cache_home() == tmp_path


@pytest.fixture
def small_sisfall(data_home, tmp_path):
    names = ["subjects.csv", "SA01/D01_SA01_R01.txt", "SA01/D02_SA01_R01.txt"]
    return copy_dataset(data_home / "SisFall", tmp_path, names)


def test_cache_reload_equals_parse_and_changed_file_invalidates(
    small_sisfall, monkeypatch, tmp_path
):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    fresh = load_sisfall(small_sisfall, cache=False)
    first = load_sisfall(small_sisfall)
    cached = load_sisfall(small_sisfall)
    assert len(list((tmp_path / "cache").rglob("*.npz"))) == 2
    for a, b, c in zip(fresh.recordings, first.recordings, cached.recordings):
        np.testing.assert_array_equal(a.signal, c.signal)
        np.testing.assert_array_equal(b.activity, c.activity)
        assert (a.subject, a.trial, a.rate, a.info) == (c.subject, c.trial, c.rate, c.info)

    changed = small_sisfall / "SA01" / "D01_SA01_R01.txt"
    lines = changed.read_bytes().splitlines(keepends=True)
    changed.write_bytes(b"".join(lines[:100]))
    # SisFall's registry lists this file: an edited copy is refused ...
    with pytest.raises(DataFormatError, match="truncated or edited"):
        load_sisfall(small_sisfall)
    # ... and a file no registry knows (a user's own data) is read afresh,
    # never served from the cache of its old content.
    monkeypatch.setattr("skgait.datasets._loading.registry_check", lambda name, folder: None)
    reloaded = load_sisfall(small_sisfall)
    assert reloaded.recordings[0].n_samples == 100
    assert reloaded.recordings[1].n_samples == cached.recordings[1].n_samples
    # the stale entry was replaced, not kept beside the new one
    assert len(list((tmp_path / "cache").rglob("*.npz"))) == 2


def test_cache_keeps_entries_of_other_loader_options(small_sisfall, monkeypatch, tmp_path):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    load_sisfall(small_sisfall)
    load_sisfall(small_sisfall, accelerometer="MMA8451Q")
    assert len(list((tmp_path / "cache").rglob("*.npz"))) == 4


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated: BadZipFile
        lambda data: b"",  # empty: EOFError
        lambda data: b"not a cache entry" * 100,  # garbage
        lambda data: data[:-30],  # cut inside the zip's end record
    ],
    ids=["truncated", "empty", "garbage", "cut_end"],
)
def test_damaged_cache_entry_is_parsed_again_and_replaced(
    small_sisfall, monkeypatch, tmp_path, damage
):
    monkeypatch.setenv("SKGAIT_CACHE", str(tmp_path / "cache"))
    fresh = load_sisfall(small_sisfall, cache=False)
    load_sisfall(small_sisfall)
    entries = sorted((tmp_path / "cache").rglob("*.npz"))
    entries[0].write_bytes(damage(entries[0].read_bytes()))
    with pytest.warns(
        UserWarning, match=r"cache entry .*\.npz of .*D0[12]_SA01_R01\.txt cannot be read"
    ):
        reloaded = load_sisfall(small_sisfall)
    for a, b in zip(fresh.recordings, reloaded.recordings):
        np.testing.assert_array_equal(a.signal, b.signal)
    with warnings.catch_warnings():  # the entry was replaced: read without a word
        warnings.simplefilter("error")
        again = load_sisfall(small_sisfall)
    assert sorted((tmp_path / "cache").rglob("*.npz")) == entries
    np.testing.assert_array_equal(again.recordings[0].signal, fresh.recordings[0].signal)


def test_relative_data_home_is_made_absolute(monkeypatch, tmp_path):
    # ``SKGAIT_DATA=../shared/data``, as in the README: the folder must not
    # move when the caller later changes directory (or starts a subprocess).
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    monkeypatch.setenv("SKGAIT_DATA", "../shared/data")
    home = get_data_home()
    assert home.is_absolute()
    assert home == tmp_path / "shared" / "data"
    assert get_data_home("data") == tmp_path / "repo" / "data"


def test_tests_resolve_a_relative_data_home_once(tmp_path):
    # tests/_data.py is what every test (and every example run from another
    # working directory) receives as the data home.
    import subprocess
    import sys

    tests = Path(__file__).resolve().parents[1]
    (tmp_path / "repo").mkdir()
    env = {**os.environ, "SKGAIT_DATA": "../shared/data", "PYTHONPATH": str(tests)}
    out = subprocess.run(
        [sys.executable, "-c", "from _data import DATA_HOME; print(DATA_HOME)"],
        cwd=tmp_path / "repo",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(out) == tmp_path / "shared" / "data"
