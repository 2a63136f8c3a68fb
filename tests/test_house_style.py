"""One way to build an estimator: the house rules that a scan of the code checks."""

import ast
from pathlib import Path

import skgait

PACKAGE = Path(skgait.__file__).resolve().parent
ROOT = PACKAGE.parent
COMPAT = PACKAGE / "utils" / "_sklearn_compat.py"


def _private_sklearn_imports(path):
    """``file:line: name`` of each private scikit-learn name the file imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] != "sklearn":
                continue
            private_module = any(part.startswith("_") for part in parts)
            names = [alias.name for alias in node.names]
            private_names = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private_module or private_names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sklearn" and any(p.startswith("_") for p in parts):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name}")
    return found


def test_the_scan_finds_a_private_sklearn_import():
    assert _private_sklearn_imports(COMPAT)


def test_only_the_compat_module_imports_private_sklearn_names():
    files = [
        path
        for folder in ("skgait", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != COMPAT
    ]
    assert len(files) > 100
    found = [hit for path in files for hit in _private_sklearn_imports(path)]
    assert found == []


def _exception_classes():
    """``module.name`` of every exception or warning class defined in skgait's source."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith(
                ("Error", "Warning", "Exception")
            ):
                found.append(f"{module}.{node.name}")
    return found


def test_the_exception_scan_finds_the_exceptions_module():
    assert "skgait.exceptions.DataFormatError" in _exception_classes()


def test_every_exception_class_is_defined_in_skgait_exceptions():
    import skgait.exceptions

    elsewhere = {name for name in _exception_classes() if not name.startswith("skgait.exceptions.")}
    assert elsewhere == set()
    public = {f"skgait.exceptions.{name}" for name in skgait.exceptions.__all__}
    assert public == {n for n in _exception_classes() if n.startswith("skgait.exceptions.")}


def test_every_estimator_that_can_declares_constraints_for_all_its_parameters():
    from skorch import NeuralNet

    from skgait.utils.discovery import all_estimators

    checked, uncovered = [], {}
    for name, cls in all_estimators():
        if issubclass(cls, NeuralNet):  # skorch checks its own parameters
            continue
        params = set(cls._get_param_names())
        missing = params - set(getattr(cls, "_parameter_constraints", {}))
        if missing:
            uncovered[name] = sorted(missing)
        checked.append(name)
    assert uncovered == {}
    assert len(checked) >= 20


def test_every_feature_transformer_checks_its_windows_through_the_mixin():
    from skgait.utils._validation import WindowTransformerMixin
    from skgait.utils.discovery import all_estimators

    features = [
        cls
        for _, cls in all_estimators("transformer")
        if cls.__module__.startswith("skgait.features")
    ]
    assert len(features) >= 10
    assert [c.__name__ for c in features if not issubclass(c, WindowTransformerMixin)] == []


def _documented(path):
    """``(name, decorators)`` of each function or class whose docstring holds a ``{name}`` line."""
    import re

    placeholder = re.compile(r"^\s*\{\w+\}\s*$", flags=re.MULTILINE)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            doc = ast.get_docstring(node, clean=False) or ""
            if placeholder.search(doc):
                yield node.name, [ast.unparse(d) for d in node.decorator_list]


def test_every_docstring_placeholder_is_filled_by_fill_doc():
    found = {
        f"{path.name}:{name}": decorators
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, decorators in _documented(path)
    }
    assert "_hugadb.py:load_hugadb" in found
    assert {k: d for k, d in found.items() if "fill_doc" not in d} == {}


def test_filled_docstrings_read_the_shared_description():
    from skgait.datasets import load_sisfall
    from skgait.utils._docstring import DOCS

    assert DOCS["cache"].replace("\n", "\n    ") in load_sisfall.__doc__
    assert "{cache}" not in load_sisfall.__doc__
