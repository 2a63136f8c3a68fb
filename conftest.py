"""Doctests of ``skgait/`` (collected by ``--doctest-modules``, see pyproject.toml).

Examples that load a real dataset (``load_sisfall()``, ``CrossDatasetGrid``
on ``"hugadb"``, ...) read it from the data home (``SKGAIT_DATA``); they are
skipped, naming the missing folder, where it holds no copy of the dataset.
"""

import re

import pytest
import torch

# The doctests train small networks: one intra-op thread per xdist worker,
# as in tests/conftest.py.
torch.set_num_threads(1)

_LOADER = re.compile(r"\bload_(\w+)\(")
_GRID = re.compile(r"\b(?:CrossDatasetGrid|run_grid)\(\s*\{([^}]*)\}")


def _sources():
    """Dataset name (as a grid or a loader names it) -> DatasetSource."""
    import importlib

    from skgait.datasets import DATASET_LOADERS

    sources = {}
    for name, loader in DATASET_LOADERS.items():
        source = getattr(importlib.import_module(loader.__module__), "SOURCE", None)
        if source is not None:
            sources[name] = sources[loader.__name__[len("load_") :]] = source
    return sources


def _missing_data(source_code, sources):
    from skgait.datasets._home import resolve_dataset_path
    from skgait.exceptions import DatasetNotFoundError

    names = set(_LOADER.findall(source_code))
    for grid in _GRID.findall(source_code):
        names.update(re.findall(r"[\"'](\w+)[\"']\s*:", grid))
    missing = []
    for name in sorted(names & set(sources)):
        try:
            resolve_dataset_path(sources[name])
        except DatasetNotFoundError:
            missing.append(sources[name].folder)
    return missing


def pytest_collection_modifyitems(config, items):
    doctests = [item for item in items if type(item).__name__ == "DoctestItem"]
    if not doctests:
        return
    sources = _sources()
    for item in doctests:
        code = "".join(example.source for example in item.dtest.examples)
        missing = _missing_data(code, sources)
        if missing:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"needs the real datasets {missing} in the data home (SKGAIT_DATA)"
                )
            )
