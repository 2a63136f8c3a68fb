"""The documentation builds with Sphinx, warnings as errors."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
REQUIRED = ("sphinx", "myst_parser", "numpydoc")


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
