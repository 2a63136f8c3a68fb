"""The docstring examples of ``skgait/`` are run by the default test command.

``pyproject.toml`` adds ``skgait`` to ``testpaths`` and ``--doctest-modules``
to ``addopts``; a configuration change that drops them makes these tests fail.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skgait"


def docstrings_with_examples():
    """``(file, name)`` of every module, class or function docstring holding ``>>>``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node, clean=False)
                if doc and ">>>" in doc:
                    found.append((path.relative_to(ROOT).as_posix(), getattr(node, "name", "")))
    return found


def collected_doctests():
    """Doctest ids collected by a plain ``pytest`` run (testpaths), tests/ left out."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "--ignore=tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return [line for line in result.stdout.splitlines() if line.startswith("skgait/")]


def test_the_package_has_examples():
    # A floor, so that a broken count (no file found) cannot pass silently.
    assert len(docstrings_with_examples()) >= 70


def test_every_docstring_example_is_collected():
    expected = docstrings_with_examples()
    collected = collected_doctests()
    assert len(collected) >= len(expected), (
        f"pytest collects {len(collected)} doctests but {len(expected)} docstrings of "
        "skgait/ hold examples: keep testpaths = ['tests', 'skgait'] and "
        "addopts = '--doctest-modules' in pyproject.toml"
    )
    files = {test.split("::")[0] for test in collected}
    uncollected = sorted({path for path, _ in expected} - files)
    assert not uncollected, f"examples of {uncollected} are not collected"
