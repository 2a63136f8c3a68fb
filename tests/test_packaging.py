"""What the package declares: dependency ranges, and the README's install commands."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _dependencies():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["dependencies"]


def _bash_commands():
    return re.findall(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)


def test_no_dependency_is_pinned_to_one_version():
    # An exact pin in a library's metadata forbids every other version of that
    # package in the user's environment (for torch: every CUDA or ROCm build).
    pinned = [d for d in _dependencies() if "==" in d or "===" in d]
    assert pinned == []


def test_readme_installs_the_reference_torch_through_the_constraints_file():
    constraints = (ROOT / "constraints.txt").read_text().splitlines()
    assert "torch==2.13.0" in constraints
    commands = _bash_commands()
    assert len(commands) == 2  # the main command, then the test command
    for command in commands:
        assert re.search(r"pip install -c constraints\.txt ", command), command


def test_python_3_10_gets_tomli():
    assert "tomli>=2.0; python_version < '3.11'" in _dependencies()


@pytest.mark.integration
@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=" ".join)
def test_the_tree_is_ruff_clean(command):
    # The configuration is pyproject.toml's [tool.ruff]; `ruff check --fix` and
    # `ruff format` repair most of what this reports. ruff is a test
    # dependency: run from this interpreter, it is never skipped for want of
    # a `ruff` on PATH. The whole tree: code, docs' code blocks, README.
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
