"""A user's own folder (load_directory's layout) as a dataset of a grid or a search."""

import runpy
import textwrap
from pathlib import Path

import numpy as np
import pytest

from skgait.cli import main
from skgait.exceptions import ConfigError
from skgait.experiments import CrossDatasetGrid, load_config
from skgait.experiments._config import load_data, validate_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "own_dataset.py"


@pytest.fixture(scope="module")
def own_folder(data_home, tmp_path_factory):
    """SisFall's walks of 8 subjects written as a user's folder (real recordings)."""
    folder = tmp_path_factory.mktemp("project") / "my_walks"
    folder.mkdir()
    runpy.run_path(str(EXAMPLE))["export_folder"](folder, n_subjects=8)
    return folder


def _grid_toml(folder):
    (folder.parent / "grid.toml").write_text(
        textwrap.dedent(
            f"""
            tasks = ["gender"]
            protocols = ["within"]
            n_splits = 2
            max_windows_per_subject = 3
            tracking = false
            results_path = "{folder.parent / "results.csv"}"

            [[datasets]]
            directory = "{folder.name}"   # relative to this file
            activity = "walking"

            [estimators.rf]
            estimator = "acf_rf"
            n_estimators = 5
            """
        )
    )
    return folder.parent / "grid.toml"


@pytest.mark.realdata
def test_a_grid_config_reads_a_folder_relative_to_itself(own_folder, monkeypatch, capsys):
    config = _grid_toml(own_folder)
    monkeypatch.chdir(own_folder.parent.parent)  # elsewhere: the path is the file's
    entry = load_config(config).params["datasets"][0]
    assert entry["directory"] == str(own_folder.resolve())
    assert main(["grid", "--config", str(config), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "my_walks" in out and "1 cells" in out


@pytest.mark.realdata
def test_a_grid_takes_a_folder_entry_from_python(own_folder):
    grid = CrossDatasetGrid(
        {"mine": {"directory": own_folder, "activity": "walking"}},
        tasks=["gender"],
        protocols=["within"],
        estimators={"rf": {"estimator": "acf_rf", "n_estimators": 5}},
        n_splits=2,
        max_windows_per_subject=3,
        tracking=False,
        results_path=None,
    )
    results = grid.run()
    assert results["source"].tolist() == ["mine"]
    assert (results["status"] == "FINISHED").all()
    assert int(results["n_subjects"].iloc[0]) == 8


def test_a_missing_folder_is_a_configuration_error(tmp_path):
    (tmp_path / "grid.toml").write_text('[[datasets]]\ndirectory = "absent"\nsubject = 3\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "grid.toml")
    message = str(info.value)
    assert "datasets[0].directory = 'absent': no such folder" in message
    assert "datasets[0].subject" in message  # unknown key, named


@pytest.mark.realdata
def test_a_search_reads_its_windows_from_a_folder(own_folder):
    config = validate_config(
        {
            "tasks": ["gender"],
            "datasets": [{"directory": own_folder.name, "activity": "walking"}],
            "search": {"estimator": "acf_rf"},
            "space": {"rf__max_depth": {"type": "categorical", "choices": [2, 4]}},
        },
        own_folder.parent / "search.toml",
    )
    X, y, groups = load_data(config)
    assert X.shape[1:] == (6, 128)
    assert len(np.unique(groups)) == 8 and set(y) == {"F", "M"}
