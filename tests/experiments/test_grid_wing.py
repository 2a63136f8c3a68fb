"""The grid wing's parts: plan → run → record, one window spec, one name per option."""

import argparse
import inspect
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from skgait.cli import grid as grid_cli
from skgait.experiments import (
    ESTIMATORS,
    CrossDatasetGrid,
    WindowSpec,
    make_estimator,
    parse_config,
)
from skgait.experiments._cells import Cell, new_row
from skgait.experiments._config import GRID_KEYS, SEARCH_KEYS, TRACKING_KEYS, validate_config
from skgait.experiments._plan import make_plan
from skgait.experiments._record import Recorder
from skgait.pipelines import GaitPipeline, make_gait_pipeline
from skgait.utils.estimator_checks import make_windows

GRID_PARAMETERS = set(inspect.signature(CrossDatasetGrid).parameters)


def _entries(*placements):
    """Two-window entries with a placement each: what make_plan reads."""
    return {
        f"d{i}": SimpleNamespace(placement=p, X=np.zeros((2, 6, 8)))
        for i, p in enumerate(placements)
    }


def _plan(protocols, estimators=None):
    estimators = estimators or {("acf_cnn", "gender"): make_estimator("acf_cnn", "gender")}
    return make_plan(_entries("waist", "waist"), ["gender"], protocols, estimators, "all")


# ----------------------------------------------------------------------
# plan
# ----------------------------------------------------------------------
def test_a_plan_runs_fine_tune_cells_after_the_direct_cell_of_their_source():
    plan = _plan(["fine_tune", "direct"])
    waves = plan.waves(plan.cells)
    assert [{c.protocol for c in wave} for wave in waves] == [{"direct"}, {"fine_tune"}]
    for cell in waves[1]:
        assert plan.needs(cell).protocol == "direct"
        assert plan.needs(cell).source == cell.source


def test_a_plan_runs_every_cell_at_once_when_the_direct_cells_are_read_back():
    plan = _plan(["direct", "fine_tune"])
    todo = [c for c in plan if c.protocol == "fine_tune"]
    assert plan.waves(todo) == [todo]


def test_a_scratch_cell_needs_the_within_cell_of_its_target():
    plan = _plan(["within", "scratch"])
    for cell in (c for c in plan if c.protocol == "scratch"):
        assert plan.needs(cell) == Cell(cell.target, cell.target, "gender", "acf_cnn", "within")
    assert all(plan.needs(c) is None for c in plan if c.protocol == "within")


def test_a_plan_pairs_only_entries_at_the_same_placement_by_default():
    estimators = {("m", "gender"): DummyClassifier()}
    plan = make_plan(
        _entries("waist", "waist", "wrist"), ["gender"], ["direct"], estimators, "same_placement"
    )
    assert [(c.source, c.target) for c in plan] == [("d0", "d1"), ("d1", "d0")]


# ----------------------------------------------------------------------
# recorder
# ----------------------------------------------------------------------
def _row(cell, status="FINISHED", accuracy=0.5):
    return {
        **new_row(cell),
        "status": status,
        "accuracy": accuracy,
        "error": "" if status == "FINISHED" else "boom",
        "cell_key": cell.key,
        "config_hash": "h",
        "cached": False,
    }


def test_a_recorder_reads_back_finished_cells_and_leaves_failed_ones_to_rerun(tmp_path):
    plan = _plan(["direct"])
    hashes = dict.fromkeys((c.key for c in plan), "h")
    first, second = plan.cells
    recorder = Recorder(tmp_path / "r.csv", None, "x")
    assert recorder.start(plan, hashes, {}, log=None) == {}
    recorder.record(first, _row(first, accuracy=0.75), {}, {}, ())
    recorder.record(second, _row(second, status="FAILED"), {}, {}, ())
    assert len(recorder.finish()) == 2

    again = Recorder(tmp_path / "r.csv", None, "x").start(plan, hashes, {}, log=None)
    assert list(again) == [first.key]
    assert again[first.key]["accuracy"] == 0.75 and again[first.key]["cached"]


def test_a_recorder_recomputes_a_cell_whose_configuration_changed(tmp_path):
    plan = _plan(["direct"])
    recorder = Recorder(tmp_path / "r.csv", None, "x")
    recorder.start(plan, dict.fromkeys((c.key for c in plan), "h"), {}, log=None)
    recorder.record(plan.cells[0], _row(plan.cells[0]), {}, {}, ())
    recorder.finish()
    changed = dict.fromkeys((c.key for c in plan), "other")
    assert Recorder(tmp_path / "r.csv", None, "x").start(plan, changed, {}, log=None) == {}


# ----------------------------------------------------------------------
# one window specification
# ----------------------------------------------------------------------
def test_window_spec_fields_are_the_windows_keys_and_make_windows_arguments():
    from skgait.datasets import make_windows as cut

    assert set(WindowSpec.names()) <= set(inspect.signature(cut).parameters)
    assert WindowSpec.from_value({"channels": ["acc_x"]}).kwargs()["channels"] == ("acc_x",)


def test_a_grid_refuses_bad_windows_before_loading_data():
    grid = CrossDatasetGrid([{"dataset": "nowhere"}], windows={"overlap": 1.0}, tracking=False)
    with pytest.raises(ValueError, match=r"windows.overlap = 1.0: expected a number in \[0, 1\)"):
        grid.run()
    with pytest.raises(ValueError, match=r"windows: unknown key\(s\) \['size'\]"):
        CrossDatasetGrid([{"dataset": "nowhere"}], windows={"size": 2}, tracking=False).run()


# ----------------------------------------------------------------------
# one name per option
# ----------------------------------------------------------------------
def test_every_grid_configuration_key_is_a_grid_parameter():
    assert set(GRID_KEYS) <= GRID_PARAMETERS


def test_every_grid_flag_sets_the_grid_parameter_of_its_name():
    parser = argparse.ArgumentParser()
    grid_cli.add_arguments(parser)
    dests = {a.dest for a in parser._actions if a.dest != "help"}
    # --config names the file, --metric the printed tables and --dask where the
    # cells run: not the grid's
    assert dests - {"config", "metric", "dask"} <= GRID_PARAMETERS
    for action in parser._actions:
        if action.dest in GRID_PARAMETERS and not action.option_strings[0].startswith("--no-"):
            assert action.option_strings == ["--" + action.dest.replace("_", "-")]


def test_grid_and_search_share_their_common_keys():
    shared = {"tasks", "n_splits", "random_state", "windows", "datasets"}
    assert shared | {"tracking", "tracking_uri", "experiment"} <= set(SEARCH_KEYS)
    assert set(SEARCH_KEYS) - {"search", "space"} <= set(GRID_KEYS)
    assert set(TRACKING_KEYS) <= set(GRID_KEYS)


# ----------------------------------------------------------------------
# one estimator vocabulary
# ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["acf_rf", "acf_cnn", "cnn"])
def test_a_name_is_the_same_pipeline_in_a_grid_and_a_search(name):
    search = validate_config(
        {
            "tasks": ["gender"],
            "datasets": [{"dataset": "sisfall", "placement": "waist"}],
            "search": {"estimator": name},
            "space": {"crop__length": {"type": "categorical", "choices": [None]}},
        }
    ).estimator
    grid = CrossDatasetGrid([], estimators={"m": name})._resolve_estimators(
        ["gender"], WindowSpec()
    )
    assert repr(grid[("m", "gender")]) == repr(search)
    assert repr(search) == repr(make_estimator(name, "gender"))


def test_a_grid_can_name_the_task_pipelines_of_make_gait_pipeline():
    grid = CrossDatasetGrid([], estimators={"best": "gait_pipeline"}, tasks=["gender", "age"])
    estimators = grid._resolve_estimators(["gender", "age"], WindowSpec())
    assert isinstance(estimators[("best", "gender")], GaitPipeline)
    expected = make_gait_pipeline("age")
    assert [type(s).__name__ for _, s in estimators[("best", "age")].steps] == [
        type(s).__name__ for _, s in expected.steps
    ]
    X, y = make_windows(n_windows=8, n_timepoints=128)
    assert estimators[("best", "gender")].fit(X, y).predict(X).shape == (8,)


def test_a_grid_configuration_names_estimators_as_make_estimator_does():
    datasets = [{"dataset": "hugadb", "placement": "right_foot"}]
    config = parse_config(
        {"datasets": datasets, "estimators": {"forest": {"estimator": "acf_rf", "lags": 5}}}
    )
    assert config.params["estimators"] == {"forest": {"estimator": "acf_rf", "lags": 5}}
    with pytest.raises(ValueError, match="estimators.forest.estimator = 'random_forest'"):
        parse_config(
            {"datasets": datasets, "estimators": {"forest": {"estimator": "random_forest"}}}
        )
    assert list(ESTIMATORS) == ["acf_rf", "acf_cnn", "cnn", "gait_pipeline"]


def test_a_grid_registers_its_logged_models_under_register_name(tmp_path):
    from _grids import synthetic_grid
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    config = parse_config(
        {
            "register_name": "sex-majority",
            "datasets": [{"dataset": "sisfall", "placement": "waist"}],
        }
    )
    assert config.params["register_name"] == "sex-majority"
    grid = synthetic_grid(
        tmp_path,
        protocols=["within"],
        tracking=True,
        tracking_uri=uri,
        log_models=True,
        register_name=config.params["register_name"],
    )
    grid.run()
    versions = MlflowClient(uri).search_model_versions("name = 'sex-majority'")
    assert len(versions) == len(grid.results_) == 2  # one per within cell
    assert {v.tags["skgait.cell_key"] for v in versions} == set(grid.results_["cell_key"])
