"""The documentation builds with Sphinx, warnings as errors."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
REQUIRED = ("sphinx", "myst_parser", "numpydoc")


@pytest.mark.integration
@pytest.mark.skipif(
    any(importlib.util.find_spec(name) is None for name in REQUIRED),
    reason="building the docs needs sphinx, myst-parser and numpydoc "
    "(pip install sphinx myst-parser numpydoc)",
)
def test_docs_build_without_warnings(tmp_path):
    # Build a copy, so that autosummary's generated pages stay out of docs/.
    source = tmp_path / "docs"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns("_build", "generated"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(source),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=900,  # a hang, not a speed goal
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "html" / "index.html").is_file()
    assert (tmp_path / "html" / "api" / "generated" / "skgait.datasets.load_sisfall.html").is_file()


@pytest.mark.realdata
def test_getting_started_reads_a_folder_in_load_directorys_layout(data_home, tmp_path, monkeypatch):
    # The page's "bring your own dataset" block, run as written on a folder that
    # examples/own_dataset.py writes from real SisFall recordings.
    import re
    import runpy

    monkeypatch.setenv("SKGAIT_DATA", str(data_home))
    example = runpy.run_path(str(DOCS.parent / "examples" / "own_dataset.py"))
    (tmp_path / "my_walks").mkdir()
    example["export_folder"](tmp_path / "my_walks", n_subjects=8)
    page = (DOCS / "getting_started.md").read_text()
    block = re.search(r"## Bring your own dataset.*?```python\n(.*?)```", page, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block, "getting_started.md", "exec"), namespace)
    assert namespace["dataset"].subjects["subject"].nunique() == 8
    assert namespace["X"].shape[1:] == (6, 128)
    assert len(namespace["scores"]) == 3
