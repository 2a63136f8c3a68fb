"""The test tree mirrors the package, and its modules stand alone."""

import ast
import re
from pathlib import Path

import skgait

TESTS = Path(__file__).resolve().parent
PACKAGE = Path(skgait.__file__).resolve().parent
#: Modules of the top-level package, and the checks of the whole project.
TOP_LEVEL = {
    "test_common.py",  # every public estimator, through the conformance checks
    "test_docs.py",
    "test_doctests.py",
    "test_examples.py",
    "test_house_style.py",  # how every estimator is built, the compat module, the exceptions
    "test_layout.py",
    "test_packaging.py",
    "test_pipelines.py",  # skgait/pipelines.py
    "test_presets.py",  # skgait/presets.py
}


def _test_modules():
    return sorted(TESTS.rglob("test_*.py"))


def test_every_test_folder_is_named_after_a_subpackage():
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    folders = {p.parent.name for p in _test_modules() if p.parent != TESTS}
    assert folders, "the tests should live in folders that mirror skgait's subpackages"
    assert folders <= subpackages, sorted(folders - subpackages)


def test_only_the_whole_project_checks_sit_at_the_top():
    at_top = {p.name for p in _test_modules() if p.parent == TESTS}
    assert at_top == TOP_LEVEL


def test_test_module_names_are_unique():
    # pytest imports test modules by their base name (no __init__.py).
    names = [p.name for p in _test_modules()]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def test_no_test_module_imports_another():
    # Shared helpers live in conftest.py fixtures or in the tests' helper
    # modules (_data.py, _synthetic.py), never in a test module; a script a test
    # writes for a subprocess counts too.
    pattern = re.compile(r"^\s*(from|import)\s+(test_\w+|conftest)\b", re.M)
    offenders = []
    for path in _test_modules():
        text = path.read_text()
        imported = [
            alias.name
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Import)
            for alias in node.names
        ] + [
            node.module or ""
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.ImportFrom)
        ]
        if any(name.split(".")[0].startswith("test_") for name in imported) or pattern.search(text):
            offenders.append(str(path.relative_to(TESTS)))
    assert offenders == []
