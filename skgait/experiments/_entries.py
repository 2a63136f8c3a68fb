"""The rows and columns of a grid: datasets loaded, windowed and subsampled once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets import PLACEMENTS, GaitDataset, get_loader, load_directory, make_windows
from ._vocabulary import TASK_TARGETS

__all__ = ["DIRECTORY_OPTIONS", "DirectoryEntry", "entry_specs", "load_entries"]

#: Keys of a ``datasets`` entry with a ``directory``, besides it: the
#: parameters of :func:`~skgait.datasets.load_directory` of the same names.
DIRECTORY_OPTIONS = ("activity", "rate", "subjects", "pattern")


@dataclass(frozen=True)
class DirectoryEntry:
    """A folder of the user's own recordings, read by :func:`~skgait.datasets.load_directory`."""

    path: Path
    options: tuple = ()  # (name, value) pairs of DIRECTORY_OPTIONS: hashable

    @classmethod
    def from_spec(cls, spec):
        """The folder of a ``{"directory": path, ...}`` entry, with its load_directory options."""
        options = tuple((k, spec[k]) for k in DIRECTORY_OPTIONS if k in spec)
        return cls(Path(spec["directory"]), options)

    @property
    def name(self):
        return self.path.name

    def load(self):
        return load_directory(self.path, name=self.name, **dict(self.options))


@dataclass
class _Entry:
    """One row/column of the grid: windows of one dataset at one placement."""

    label: str
    dataset: str
    placement: str
    X: np.ndarray
    meta: pd.DataFrame

    def target(self, task, X=None):
        """``(X, y, groups)`` of the windows with a known target; ``X`` replaces
        the windows by their features (one row per window)."""
        X = self.X if X is None else X
        column, kind = TASK_TARGETS[task]
        if column not in self.meta:
            raise ValueError(
                f"Dataset {self.label!r}: meta has no column {column!r} for task {task!r}."
            )
        y = self.meta[column].to_numpy()
        keep = pd.notna(y)
        y = y[keep].astype(str if kind == "classification" else np.float64)
        return X[keep], y, self.meta["group"].to_numpy()[keep].astype(str)

    def signature(self):
        return {
            "dataset": self.dataset,
            "placement": self.placement,
            "shape": list(self.X.shape),
            "n_subjects": int(self.meta["group"].nunique()),
        }


def _subsample(X, meta, max_per_subject):
    """At most ``max_per_subject`` windows per subject, evenly spaced in time."""
    if max_per_subject is None:
        return X, meta
    keep = []
    for _, index in meta.groupby("group", sort=False).indices.items():
        if len(index) > max_per_subject:
            index = index[np.linspace(0, len(index) - 1, max_per_subject).round().astype(int)]
        keep.append(index)
    keep = np.sort(np.concatenate(keep))
    return np.ascontiguousarray(X[keep]), meta.iloc[keep].reset_index(drop=True)


def entry_specs(specs):
    """``[(label, dataset, placement, windows)]`` from a grid's ``datasets``."""
    if isinstance(specs, Mapping):
        items = list(specs.items())
    elif isinstance(specs, (list, tuple)):
        items = [(None, s) for s in specs]
    else:
        raise ValueError(
            "datasets must be a dict of label to placement / (dataset, "
            f"placement) / (X, meta), or a list of (dataset, placement); got "
            f"{type(specs).__name__}."
        )
    if not items:
        raise ValueError("datasets must not be empty.")
    out = []
    for label, spec in items:
        where = f"datasets[{label!r}]" if label is not None else f"datasets[{len(out)}]"
        dataset = placement = windows = None
        if isinstance(spec, str) or spec is None:
            dataset, placement = label, spec
        elif isinstance(spec, GaitDataset):
            dataset = spec
        elif isinstance(spec, Mapping) and "directory" in spec:
            unknown = set(spec) - {"directory", "placement", "label", *DIRECTORY_OPTIONS}
            if unknown or "dataset" in spec:
                raise ValueError(
                    f"{where}: unknown keys {sorted(unknown | ({'dataset'} & set(spec)))} "
                    f"beside 'directory'; expected placement, label or "
                    f"{', '.join(DIRECTORY_OPTIONS)}."
                )
            dataset = DirectoryEntry.from_spec(spec)
            placement, label = spec.get("placement"), spec.get("label", label)
        elif isinstance(spec, Mapping):
            unknown = set(spec) - {"dataset", "placement", "label"}
            if unknown:
                raise ValueError(f"{where}: unknown keys {sorted(unknown)}.")
            dataset, placement = spec.get("dataset", label), spec.get("placement")
            label = spec.get("label", label)
        elif isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], np.ndarray):
            windows = spec
        elif isinstance(spec, (tuple, list)) and len(spec) == 2:
            dataset, placement = spec
        else:
            raise ValueError(
                f"{where}: expected a placement, (dataset, placement), "
                f"{{'dataset': ..., 'placement': ...}} or (X, meta); got {spec!r}."
            )
        if windows is None:
            if isinstance(dataset, str):
                try:
                    get_loader(dataset)
                except ValueError as exc:
                    raise ValueError(f"{where}: {exc} Or give a GaitDataset.") from None
            elif isinstance(dataset, DirectoryEntry):
                if not dataset.path.is_dir():
                    raise ValueError(f"{where}: directory {str(dataset.path)!r} is not a folder.")
            elif not isinstance(dataset, GaitDataset):
                raise ValueError(
                    f"{where}: dataset must be a name or a GaitDataset, got {dataset!r}."
                )
            if placement is not None and placement not in PLACEMENTS:
                raise ValueError(
                    f"{where}: unknown placement {placement!r}; expected one of "
                    f"{', '.join(PLACEMENTS)}."
                )
        if label is None:
            name = dataset if isinstance(dataset, str) else dataset.name
            label = f"{name}/{placement}" if placement else name
        out.append((str(label), dataset, placement, windows))
    labels = [s[0] for s in out]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise ValueError(f"datasets: labels {dupes} appear twice; give each entry its own label.")
    return out


def load_entries(specs, *, data_home, windows, max_windows_per_subject):
    """Load, window (``windows``, a :class:`WindowSpec`) and subsample every entry.

    Errors name the entry.
    """
    loaded, entries = {}, {}
    for label, dataset, placement, cut in specs:
        where = f"datasets[{label!r}]"
        if cut is not None:
            X, meta = cut
            X = np.asarray(X)
            if X.ndim != 3 or not isinstance(meta, pd.DataFrame) or len(meta) != len(X):
                raise ValueError(
                    f"{where}: (X, meta) must be a 3-D array (n_windows, n_channels, "
                    "n_timepoints) and a DataFrame with one row per window; got "
                    f"X of shape {X.shape} and {type(meta).__name__}."
                )
            meta = meta.reset_index(drop=True)
            if "group" not in meta:
                meta = meta.assign(
                    group=meta["dataset"].astype(str) + ":" + meta["subject"].astype(str)
                )
            name = str(meta["dataset"].iloc[0]) if "dataset" in meta else label
            placement = str(meta["placement"].iloc[0]) if "placement" in meta else ""
        else:
            if isinstance(dataset, (str, DirectoryEntry)):
                if dataset not in loaded:
                    try:
                        loaded[dataset] = (
                            dataset.load()
                            if isinstance(dataset, DirectoryEntry)
                            else get_loader(dataset)(data_home=data_home)
                        )
                    except (OSError, ValueError) as exc:
                        raise type(exc)(f"{where}: could not load {dataset!r}: {exc}") from exc
                dataset = loaded[dataset]
            try:
                X, meta = make_windows(dataset, placement=placement, **windows.kwargs())
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from exc
            name = dataset.name
            placement = placement or str(meta["placement"].iloc[0])
        X, meta = _subsample(X, meta, max_windows_per_subject)
        entries[label] = _Entry(label, name, placement, X, meta)
    return entries
