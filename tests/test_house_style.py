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
