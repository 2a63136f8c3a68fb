"""One cell of a cross-dataset grid: fit, fine-tune, score, time.

A cell is (source, target, task, estimator, protocol). :func:`run_cell` runs
it on windows already cut and returns one result row (a dict) and, when
asked, the last fitted model. It never raises: an exception becomes the
row's ``error`` so that one bad cell cannot lose the others. It touches
neither files nor MLflow, so it runs the same in a thread, a process or a
Dask worker.
"""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
from dataclasses import dataclass

import numpy as np
from joblib import parallel_config
from sklearn.base import clone

from ..model_selection import LeakyWindowKFold, cv_scores, get_protocol, make_baseline
from ._registry import METRIC_FUNCTIONS, METRICS, PROTOCOLS

__all__ = ["Cell", "ROW_COLUMNS", "check_target", "run_cell", "transfer_param"]

#: Columns of a result row, in table order.
ROW_COLUMNS = (
    "source",
    "target",
    "task",
    "estimator",
    "protocol",
    "status",
    "accuracy",
    "balanced_accuracy",
    "mae",
    "baseline_accuracy",
    "baseline_balanced_accuracy",
    "baseline_mae",
    "fit_seconds",
    "fine_tune_seconds",
    "speed_up",
    "n_windows",
    "n_subjects",
    "n_train_windows",
    "n_folds",
    "error",
    "cell_key",
    "config_hash",
    "run_id",
    "cached",
    "started_at",
    "seconds",
)


@dataclass(frozen=True)
class Cell:
    """Coordinates of one cell of the grid."""

    source: str
    target: str
    task: str
    estimator: str
    protocol: str

    @property
    def key(self):
        """Deterministic, human-readable id of the cell (an MLflow tag)."""
        return (
            f"source={self.source}|target={self.target}|task={self.task}|"
            f"estimator={self.estimator}|protocol={self.protocol}"
        )

    @property
    def name(self):
        """Short run name."""
        return f"{self.task}:{self.estimator}:{self.protocol}:{self.source}->{self.target}"


def transfer_param(estimator):
    """Name of the ``warm_start_from`` parameter of ``estimator`` or None.

    ``"warm_start_from"`` for a skgait CNN, ``"cnn__warm_start_from"`` for a
    pipeline whose step ``cnn`` is one. Estimators with none cannot run the
    ``fine_tune`` protocol.
    """
    names = [
        k
        for k in estimator.get_params(deep=True)
        if k == "warm_start_from" or k.endswith("__warm_start_from")
    ]
    if len(names) > 1:
        raise ValueError(
            f"{type(estimator).__name__} has several warm_start_from parameters "
            f"{names}; fine_tune needs exactly one network to transfer."
        )
    return names[0] if names else None


def _feature_weights(fitted, param):
    """``feature_weights()`` of the fitted network that owns ``param``."""
    owner = fitted
    if param != "warm_start_from":
        owner = fitted.get_params(deep=True)[param.rsplit("__", 1)[0]]
    if not hasattr(owner, "feature_weights"):
        raise TypeError(
            f"{type(owner).__name__} has a warm_start_from parameter but no "
            "feature_weights() method to export the source's weights."
        )
    return owner.feature_weights()


def _scores(kind, y_true, y_pred):
    return {m: float(METRIC_FUNCTIONS[m](y_true, y_pred)) for m in METRICS[kind]}


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return estimator, time.perf_counter() - start


def _cv(make_model, kind, X, y, folds):
    """Fit ``make_model()`` and the baseline on each fold and score them.

    :func:`~skgait.model_selection.cv_scores`: the mean over folds, or the
    pooled out-of-fold predictions when a test fold lacks a class (its
    balanced accuracy is undefined).
    """
    predictions, baselines, fit_times = [], [], []
    model = None
    for train, test in folds:
        model, seconds = _timed_fit(make_model(), X[train], y[train])
        fit_times.append(seconds)
        predictions.append(model.predict(X[test]))
        baseline = make_baseline(kind).fit(X[train], y[train])
        baselines.append(baseline.predict(X[test]))
    y_true = [y[test] for _, test in folds]
    metrics = {m: METRIC_FUNCTIONS[m] for m in METRICS[kind]}
    classification = kind == "classification"
    scores, _ = cv_scores(
        metrics, y_true, predictions, classification=classification, owner="run_cell"
    )
    base, _ = cv_scores(
        metrics, y_true, baselines, classification=classification, owner="run_cell (baseline)"
    )
    return scores, base, float(np.mean(fit_times)), model


def check_target(kind, y, groups, n_splits, label, *, cv=True):
    n_subjects = len(np.unique(groups))
    if len(y) == 0:
        raise ValueError(f"Dataset {label!r} has no window with a known target.")
    if cv and n_subjects < n_splits:
        raise ValueError(
            f"Dataset {label!r} has {n_subjects} subjects with a known target, "
            f"fewer than n_splits={n_splits} subject-wise folds."
        )
    if kind == "classification" and len(np.unique(y)) < 2:
        raise ValueError(
            f"Dataset {label!r} has a single class {np.unique(y).tolist()}; "
            "classification needs at least two."
        )


@contextlib.contextmanager
def limit_threads(n_threads):
    """Run with ``n_threads`` threads in PyTorch, numba and BLAS/OpenMP pools.

    Cells are the unit of parallelism; inside one, several threads on a tiny
    network cost more than they give (on a loaded 2-core machine a BioDeep
    CNN fit took 20x longer with 2 PyTorch threads than with 1). None leaves
    the libraries alone.
    """
    if n_threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    numba = sys.modules.get("numba")
    previous_torch = torch.get_num_threads() if torch is not None else None
    previous_numba = numba.get_num_threads() if numba is not None else None
    try:
        if torch is not None:
            torch.set_num_threads(n_threads)
        if numba is not None:
            numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))
        with threadpool_limits(limits=n_threads):
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(previous_torch)
        if numba is not None:
            numba.set_num_threads(previous_numba)


def new_row(cell):
    """The first columns of a cell's row: what the cell is, and when it started."""
    return {
        "source": cell.source,
        "target": cell.target,
        "task": cell.task,
        "estimator": cell.estimator,
        "protocol": cell.protocol,
        "started_at": time.time(),
    }


def run_cell(
    cell,
    estimator,
    kind,
    source,
    target,
    *,
    n_splits=5,
    random_state=0,
    return_model=False,
    n_threads=1,
    source_fit=None,
):
    """Run one cell and return ``(row, model)``; never raises.

    Parameters
    ----------
    cell : Cell
    estimator : estimator
        Unfitted; cloned for every fit.
    kind : {"classification", "regression"}
    source, target : tuple of (X, y, groups)
        Windows with a known target, labels and subject ids. The same object
        for diagonal protocols.
    n_splits, random_state : int
        Subject-wise folds of the target, identical for every protocol and
        estimator of a target.
    return_model : bool
        Return the last fitted model (the source model for ``direct``).
    n_threads : int or None
        Threads of the numerical libraries inside the cell
        (:func:`limit_threads`).
    source_fit : tuple of (estimator, float) or None
        For ``fine_tune``: ``clone(estimator)`` already fitted on the whole
        source and its fit time (the model of a ``direct`` cell of the same
        source), so that it is not fitted again. None fits it.

    Returns
    -------
    row : dict
        Keys of :data:`ROW_COLUMNS` that the cell fills.
    model : estimator or None
    """
    row = new_row(cell)
    start = time.perf_counter()
    model = None
    try:
        # Parallelism inside a cell (a forest's n_jobs) stays on the machine
        # running the cell: under joblib's Dask or Ray backend a nested
        # Parallel would otherwise send its tasks to the cluster.
        with limit_threads(n_threads), parallel_config(backend="threading"):
            model = _run(
                cell, estimator, kind, source, target, n_splits, random_state, row, source_fit
            )
        row["status"] = "FINISHED"
        row["error"] = ""
    except Exception as exc:  # noqa: BLE001 - one cell must not stop the grid
        row["status"] = "FAILED"
        row["error"] = f"{type(exc).__name__}: {exc}"
        row["traceback"] = traceback.format_exc()
        model = None
    row["seconds"] = time.perf_counter() - start
    return row, (model if return_model else None)


def _run(cell, estimator, kind, source, target, n_splits, random_state, row, source_fit):
    Xs, ys, gs = source
    Xt, yt, gt = target
    where = PROTOCOLS[cell.protocol][0]
    row["n_windows"] = len(yt)
    row["n_subjects"] = int(len(np.unique(gt)))

    if where == "diagonal":
        check_target(kind, yt, gt, n_splits, cell.target)
        if cell.protocol == "leaky":
            cv = LeakyWindowKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
        else:
            cv = get_protocol("subject", task=kind, n_splits=n_splits, random_state=random_state)
        folds = list(cv.split(Xt, yt, gt))
        scores, base, fit_seconds, model = _cv(lambda: clone(estimator), kind, Xt, yt, folds)
        row.update(scores)
        row.update({f"baseline_{k}": v for k, v in base.items()})
        row["fit_seconds"] = fit_seconds
        row["n_folds"] = len(folds)
        row["n_train_windows"] = float(np.mean([len(tr) for tr, _ in folds]))
        return model

    check_target(kind, ys, gs, n_splits, cell.source, cv=False)
    if cell.protocol == "direct":
        check_target(kind, yt, gt, n_splits, cell.target, cv=False)
        model, row["fit_seconds"] = _timed_fit(clone(estimator), Xs, ys)
        row.update(_scores(kind, yt, model.predict(Xt)))
        baseline = make_baseline(kind).fit(Xs, ys)
        row.update({f"baseline_{k}": v for k, v in _scores(kind, yt, baseline.predict(Xt)).items()})
        row["n_folds"] = 1
        row["n_train_windows"] = len(ys)
        return model

    check_target(kind, yt, gt, n_splits, cell.target)
    cv = get_protocol("subject", task=kind, n_splits=n_splits, random_state=random_state)
    folds = list(cv.split(Xt, yt, gt))
    row["n_folds"] = len(folds)
    row["n_train_windows"] = float(np.mean([len(tr) for tr, _ in folds]))
    if cell.protocol == "scratch":
        scores, base, row["fit_seconds"], model = _cv(lambda: clone(estimator), kind, Xt, yt, folds)
    elif cell.protocol == "fine_tune":
        param = transfer_param(estimator)
        if param is None:
            raise TypeError(
                f"Estimator {cell.estimator!r} ({type(estimator).__name__}) has no "
                "warm_start_from parameter; fine_tune needs a skgait CNN."
            )
        if source_fit is None:
            source_fit = _timed_fit(clone(estimator), Xs, ys)
        source_model, row["fit_seconds"] = source_fit
        weights = _feature_weights(source_model, param)
        scores, base, row["fine_tune_seconds"], model = _cv(
            lambda: clone(estimator).set_params(**{param: weights}), kind, Xt, yt, folds
        )
    else:  # pragma: no cover - validated before
        raise ValueError(f"Unknown protocol {cell.protocol!r}.")
    row.update(scores)
    row.update({f"baseline_{k}": v for k, v in base.items()})
    return model
