"""The ``skgait`` command line: datasets, grid, report."""

import re
import textwrap

import pandas as pd
import pytest

from skgait.cli import SUBCOMMANDS, main


def test_every_subcommand_is_registered_and_has_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


def test_no_subcommand_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: skgait" in capsys.readouterr().out


@pytest.mark.realdata
def test_datasets_lists_placements_and_missing_datasets(capsys, data_home):
    assert main(["datasets", "--no-progress", "--data-home", str(data_home)]) == 0
    out = capsys.readouterr().out
    assert f"Data home: {data_home}" in out
    lines = {tuple(line.split()[:3]) for line in out.splitlines()}
    assert ("hugadb", "right_foot", "18") in lines
    assert ("sisfall", "waist", "38") in lines
    assert ("ipol", "waist", "19") in lines
    # datasets absent from the shared data home are listed with the loader's message
    assert "Not found" in out
    assert "ou_isir: DatasetNotFoundError" in out and "Obtain the data from" in out


TINY = """
    tasks = ["gender"]
    protocols = ["within", "direct"]
    n_splits = 3
    max_windows_per_subject = 3
    tracking_uri = "sqlite:///{tmp}/mlflow.db"
    results_path = "{tmp}/results.csv"
    experiment = "cli"

    [[datasets]]
    dataset = "hugadb"
    placement = "right_foot"

    [[datasets]]
    dataset = "ipol"
    placement = "right_foot"

    [estimators.rf]
    estimator = "acf_rf"
    n_estimators = 5
"""


@pytest.fixture
def tiny_config(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text(textwrap.dedent(TINY).format(tmp=tmp_path))
    return path


@pytest.mark.realdata
def test_grid_from_a_config_prints_tables_and_the_mlflow_command(
    capsys, tiny_config, tmp_path, data_home
):
    assert (
        main(["grid", "--config", str(tiny_config), "--no-progress", "--data-home", str(data_home)])
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "gender — balanced_accuracy (fraction) [95 % interval over subjects] — rf — "
        "off-diagonal: direct" in out
    )
    assert re.search(r"\d\.\d\d \[\d\.\d\d, \d\.\d\d\]", out)  # 0.74 [0.61, 0.86]
    assert "chance on the diagonal (majority class, same folds): hugadb/right_foot 0.50" in out
    assert "rows = training, columns = testing" in out
    assert f"mlflow ui --backend-store-uri sqlite:///{tmp_path}/mlflow.db" in out
    results = pd.read_csv(tmp_path / "results.csv")
    assert len(results) == 4 and (results["status"] == "FINISHED").all()

    # a second run reads every cell back
    assert (
        main(["grid", "--config", str(tiny_config), "--no-progress", "--data-home", str(data_home)])
        == 0
    )
    assert "4 read back from earlier runs" in capsys.readouterr().out

    # the report reads the grid back from MLflow and writes heatmaps
    assert (
        main(
            [
                "report",
                "--tracking-uri",
                f"sqlite:///{tmp_path}/mlflow.db",
                "--experiment",
                "cli",
                "--output",
                str(tmp_path / "report"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "off-diagonal: direct" in out
    assert (tmp_path / "report" / "heatmap_gender_accuracy.png").is_file()


@pytest.mark.realdata
def test_flags_override_the_config(capsys, tiny_config, tmp_path, data_home):
    assert (
        main(
            [
                "grid",
                "--config",
                str(tiny_config),
                "--no-progress",
                "--no-tracking",
                "--protocols",
                "within",
                "--results-path",
                str(tmp_path / "flags.csv"),
                "--data-home",
                str(data_home),
            ]
        )
        == 0
    )
    results = pd.read_csv(tmp_path / "flags.csv")
    assert set(results["protocol"]) == {"within"}
    assert not (tmp_path / "mlflow.db").exists()


def test_report_reads_a_csv(capsys, tmp_path):
    rows = [
        {
            "source": s,
            "target": t,
            "task": "age",
            "estimator": "rf",
            "protocol": p,
            "status": "FINISHED",
            "mae": v,
            "speed_up": None,
            "error": "",
        }
        for s, t, p, v in [
            ("a", "a", "within", 3.0),
            ("b", "b", "within", 4.0),
            ("a", "b", "direct", 9.0),
            ("b", "a", "direct", 8.0),
        ]
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "grid.csv", index=False)
    assert (
        main(["report", "--csv", str(tmp_path / "grid.csv"), "--output", str(tmp_path / "out")])
        == 0
    )
    out = capsys.readouterr().out
    table = out.split("(rows = training, columns = testing)\n")[1]
    assert table.splitlines()[2].split() == ["a", "3.00", "9.00"]
    assert table.splitlines()[3].split() == ["b", "8.00", "4.00"]
    assert (tmp_path / "out" / "heatmap_age_mae.png").is_file()


def test_report_without_a_store_says_what_to_do(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["report"]) == 1
    err = capsys.readouterr().err
    assert "No MLflow store at 'mlflow.db'" in err and "skgait grid" in err


def test_config_errors_are_reported_by_key_and_value_before_any_work(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        textwrap.dedent("""
        tasks = ["gender", "wingspan"]
        n_splits = "five"

        [[datasets]]
        dataset = "hugadb"
        placement = "nose"

        [estimators.rf]
        estimator = "acf_rf"
        n_trees = 5
    """)
    )
    assert (
        main(
            [
                "grid",
                "--config",
                str(path),
                "--no-progress",
                "--results-path",
                str(tmp_path / "r.csv"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "tasks[1] = 'wingspan'" in err
    assert "n_splits = 'five'" in err
    assert "datasets[0].placement = 'nose'" in err
    assert "estimators.rf.n_trees = 5: 'n_trees' is not a parameter of 'acf_rf'" in err
    assert not (tmp_path / "r.csv").exists()


def test_flag_values_are_validated_like_the_config(capsys, tmp_path):
    assert (
        main(
            [
                "grid",
                "--datasets",
                "hugadb:right_foot",
                "atlantis:waist",
                "--tasks",
                "gender",
                "--protocols",
                "within",
                "--no-tracking",
                "--no-progress",
                "--results-path",
                str(tmp_path / "r.csv"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "datasets[1].dataset = 'atlantis': unknown dataset" in err


def test_malformed_toml_is_a_config_error(capsys, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("tasks = [\n")
    assert main(["grid", "--config", str(path)]) == 2
    assert "broken.toml" in capsys.readouterr().err


def _run_python(code, **env):
    """Run ``code`` in a fresh interpreter (this skgait first on the path); return the result."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import skgait

    environ = {**os.environ, **env}
    environ["PYTHONPATH"] = os.pathsep.join(
        [str(Path(skgait.__file__).parents[1]), environ.get("PYTHONPATH", "")]
    )
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )


@pytest.mark.parametrize("command", [[], *([name] for name in SUBCOMMANDS)])
def test_help_imports_neither_sklearn_pandas_nor_torch(command):
    # What makes --help slow is what it imports: scikit-learn alone costs over
    # a second. Count the modules rather than time the command (no flaky timing).
    result = _run_python(
        f"""
        import sys
        from skgait.cli import main
        try:
            main({[*command, "--help"]!r})
        except SystemExit as exit:
            assert exit.code == 0, exit.code
        heavy = ("sklearn", "pandas", "torch", "mlflow", "optuna", "skgait.experiments")
        print(sorted(name for name in heavy if name in sys.modules))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_closed_output_pipe_ends_quietly(tmp_path):
    # `skgait datasets | head -1`: the reader is gone before skgait writes.
    result = _run_python(
        f"""
        import os, sys
        from skgait.cli import main
        read_end, write_end = os.pipe()
        os.close(read_end)
        os.dup2(write_end, sys.stdout.fileno())
        sys.exit(main(["datasets", "--no-progress", "--data-home", {str(tmp_path)!r}]))
        """
    )
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert result.returncode == 141


def test_datasets_finding_nothing_fails(tmp_path, capsys):
    assert main(["datasets", "--no-progress", "--data-home", str(tmp_path)]) == 1
    assert f"No dataset found in {tmp_path}" in capsys.readouterr().out


def test_a_missing_grid_config_is_a_configuration_error(tmp_path, capsys):
    missing = tmp_path / "grid.toml"
    assert main(["grid", "--config", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "file not found" in err


def test_a_bad_metric_is_refused_with_the_metric_names(capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", "--metric", "f1"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid metric 'f1'" in err and "balanced_accuracy" in err


def test_numba_keeps_its_compiled_kernels_in_skgaits_cache(tmp_path):
    result = _run_python(
        """
        import numpy as np
        from skgait.features import ACFTransformer
        ACFTransformer(lags=3).fit_transform(np.random.default_rng(0).normal(size=(4, 6, 64)))
        """,
        SKGAIT_CACHE=str(tmp_path),
        NUMBA_CACHE_DIR="",
    )
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "numba").rglob("*.nbi")), "no numba index file in skgait's cache"


# --dask: the cells of a grid on a Dask cluster


def test_grid_on_a_dask_scheduler_that_does_not_answer_exits_1(capsys, tmp_path):
    status = main(
        ["grid", "--datasets", "hugadb:right_foot", "--no-tracking", "--no-progress"]
        + ["--results-path", str(tmp_path / "r.csv"), "--dask", "tcp://127.0.0.1:1"]
    )
    assert status == 1
    assert "no Dask scheduler answers at 'tcp://127.0.0.1:1'" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.integration
@pytest.mark.realdata
def test_a_grid_on_a_dask_cluster_gives_the_tables_of_a_grid_run_here(capsys, tmp_path, data_home):
    from distributed import LocalCluster

    flags = ["grid", "--datasets", "hugadb:right_foot", "ipol:right_foot", "--tasks", "gender"]
    flags += ["--estimators", "acf_rf", "--protocols", "within", "direct", "--n-splits", "2"]
    flags += ["--max-windows-per-subject", "3", "--no-tracking", "--no-progress"]
    flags += ["--data-home", str(data_home)]
    assert main([*flags, "--results-path", str(tmp_path / "here.csv")]) == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster:
        address = cluster.scheduler_address
        assert main([*flags, "--results-path", str(tmp_path / "dask.csv"), "--dask", address]) == 0
    assert "Dask: " in capsys.readouterr().out
    numbers = [c for c in ("balanced_accuracy", "balanced_accuracy_low", "n_subjects")]
    here, there = (pd.read_csv(tmp_path / f"{n}.csv") for n in ("here", "dask"))
    pd.testing.assert_frame_equal(here[numbers], there[numbers])
