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
import math
import numbers
import sys
import time
import traceback
from dataclasses import dataclass

import numpy as np
from joblib import parallel_config
from sklearn.base import clone
from sklearn.metrics import confusion_matrix

from ..metrics import subject_interval, subject_predictions
from ..model_selection import cv_scores, get_protocol, make_baseline
from ._vocabulary import METRIC_FUNCTIONS, METRICS, PROTOCOLS

__all__ = ["Cell", "ROW_COLUMNS", "check_target", "run_cell", "transfer_param"]


#: Bounds of the 95 % interval over subjects of each metric.
INTERVAL_COLUMNS = tuple(
    f"{m}_{bound}" for m in ("accuracy", "balanced_accuracy", "mae") for bound in ("low", "high")
)

#: Coordinates of a cell.
KEY_COLUMNS = ("source", "target", "task", "estimator", "protocol")
#: The cell's scores, its baseline's and their intervals.
SCORE_COLUMNS = (
    "accuracy",
    "balanced_accuracy",
    "mae",
    "baseline_accuracy",
    "baseline_balanced_accuracy",
    "baseline_mae",
    *INTERVAL_COLUMNS,
)
#: Timings that depend on the machine.
TIMING_COLUMNS = ("fit_seconds", "fine_tune_seconds", "speed_up")
#: How much data the cell saw.
SIZE_COLUMNS = ("n_windows", "n_subjects", "n_train_windows", "n_folds")
#: Bookkeeping of the run.
RUN_COLUMNS = ("cell_key", "config_hash", "run_id", "cached", "started_at", "seconds")

#: Columns of a result row, in table order.
ROW_COLUMNS = (
    *KEY_COLUMNS,
    "status",
    *SCORE_COLUMNS,
    *TIMING_COLUMNS,
    *SIZE_COLUMNS,
    "error",
    *RUN_COLUMNS,
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


def _fold_scores(kind, y_true, y_pred, labels):
    """The metrics of one test fold; NaN balanced accuracy if it lacks a class.

    The balanced accuracy of a fold without every one of ``labels`` is
    undefined: the cell's score is then that of the pooled predictions (see
    :func:`~skgait.model_selection.cv_scores`), and a NaN fold score is not
    logged.
    """
    lacking = kind == "classification" and len(np.unique(y_true)) < len(labels)
    return {
        m: math.nan
        if lacking and m == "balanced_accuracy"
        else float(METRIC_FUNCTIONS[m](y_true, y_pred))
        for m in METRICS[kind]
    }


def _confusion(labels, y_true, y_pred):
    """A confusion matrix as plain data: labels and counts (true in rows)."""
    counts = confusion_matrix(y_true, y_pred, labels=labels)
    if counts.sum() != len(y_true):
        unknown = sorted(set(np.unique(y_pred).tolist()) - set(labels.tolist()))
        raise ValueError(
            f"The model predicted class(es) {unknown} that are not labels of "
            f"the data {labels.tolist()}."
        )
    return {"labels": labels.tolist(), "counts": counts.tolist()}


def _outcomes(kind, y_true, y_pred, groups, labels, random_state):
    """Per-subject uncertainty of a cell's predictions: intervals and confusion.

    ``<metric>_low`` / ``<metric>_high``: the 95 % interval of each metric
    over subjects (:func:`~skgait.metrics.subject_interval`, seeded with
    ``random_state``); for classification, the confusion matrices of the
    windows (``confusion_matrix``) and of the subjects, each by the majority
    vote of its windows (``subject_confusion_matrix``).
    """
    out = {}
    for m in METRICS[kind]:
        out[f"{m}_low"], out[f"{m}_high"] = subject_interval(
            y_true, y_pred, groups, m, random_state=random_state
        )
    if kind == "classification":
        out["confusion_matrix"] = _confusion(labels, y_true, y_pred)
        _, subject_true, subject_pred = subject_predictions(y_true, y_pred, groups)
        out["subject_confusion_matrix"] = _confusion(labels, subject_true, subject_pred)
    return out


def _curves(model):
    """Per-epoch training curves of a fitted skorch network, or None.

    The epochs' ``train_loss`` and every ``valid_*`` value recorded in its
    history (``valid_loss``, ``valid_acc``...), with their ``epoch``
    numbers; the network is the last step of a pipeline. None for a model
    without a history (a forest).
    """
    net = model.steps[-1][1] if hasattr(model, "steps") else model
    history = getattr(net, "history_", None)
    if not history:
        return None
    keys = [
        k
        for k in dict.fromkeys(k for epoch in history for k in epoch)
        if k == "train_loss" or k.startswith("valid_")
    ]
    curves = {"epoch": [int(epoch.get("epoch", i + 1)) for i, epoch in enumerate(history)]}
    for key in keys:
        values = [epoch.get(key) for epoch in history]
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
            curves[key] = [float(v) for v in values]
    return curves


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return estimator, time.perf_counter() - start


def _cv(estimator, kind, X, y, groups, folds, random_state):
    """Cross-validate ``estimator`` and the baseline on ``folds`` and score them.

    Each fold is fitted once and predicted once. The scores are those of
    :func:`~skgait.model_selection.cv_scores`: the mean over folds, or the
    pooled out-of-fold predictions when a test fold lacks a class (its
    balanced accuracy is undefined).

    Returns
    -------
    scores : dict
        The row's metrics, their intervals over subjects and ``baseline_*``,
        and its details: per-fold scores (``fold_scores``), the confusion
        matrices of the out-of-fold predictions (``confusion_matrix``,
        ``subject_confusion_matrix``; classification) and each fold's
        training curves (``curves``, skorch networks).
    fit_seconds : float
        Mean fit time of the model over folds.
    model : estimator
        The model of the last fold.
    """
    labels = np.unique(y) if kind == "classification" else None
    metrics = {m: METRIC_FUNCTIONS[m] for m in METRICS[kind]}
    y_pred = np.empty_like(y)
    scores, fold_scores, fit_seconds, curves = {}, {}, [], []
    for name, candidate in (("", estimator), ("baseline_", make_baseline(kind))):
        truths, predictions = [], []
        for train, test in folds:
            model, seconds = _timed_fit(clone(candidate), X[train], y[train])
            predictions.append(model.predict(X[test]))
            truths.append(y[test])
            for m, v in _fold_scores(kind, truths[-1], predictions[-1], labels).items():
                fold_scores.setdefault(f"{name}{m}", []).append(v)
            if not name:
                y_pred[test] = predictions[-1]
                fit_seconds.append(seconds)
                curves.append(_curves(model))
                last = model
        if kind == "regression":
            pooled = {m: float(np.mean(fold_scores[f"{name}{m}"])) for m in metrics}
        else:
            pooled, _ = cv_scores(
                metrics,
                truths,
                predictions,
                classification=True,
                owner=f"run_cell{name and ' (baseline)'}",
            )
        scores.update({f"{name}{m}": v for m, v in pooled.items()})
    tested = np.concatenate([test for _, test in folds])
    scores.update(_outcomes(kind, y[tested], y_pred[tested], groups[tested], labels, random_state))
    scores["fold_scores"] = fold_scores
    if curves[0] is not None:
        scores["curves"] = {f"fold_{i}": c for i, c in enumerate(curves)}
    return scores, float(np.mean(fit_seconds)), last


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
    network cost more than they give (measured in the grids page of the user
    guide). None leaves the libraries alone.
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
        Keys of :data:`ROW_COLUMNS` that the cell fills, and the details
        behind its scores, as plain lists and dicts: ``fold_scores``
        (metric → score of each test fold, baselines included;
        cross-validated protocols), ``confusion_matrix`` (``labels`` and
        ``counts``, true labels in rows, summed over the test folds;
        classification) and ``curves`` (fit → ``epoch`` and per-epoch
        ``train_loss`` and ``valid_*`` values of each fitted skorch network:
        ``fold_0``, ``fold_1``… and ``source``).
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
        # within: the subject-wise folds of every other protocol; leaky_window:
        # model_selection's protocol of the same name.
        splitter = "leaky_window" if cell.protocol == "leaky_window" else "subject"
        cv = get_protocol(splitter, task=kind, n_splits=n_splits, random_state=random_state)
        folds = list(cv.split(Xt, yt, gt))
        scores, row["fit_seconds"], model = _cv(estimator, kind, Xt, yt, gt, folds, random_state)
        row.update(scores)
        row["n_folds"] = len(folds)
        row["n_train_windows"] = float(np.mean([len(tr) for tr, _ in folds]))
        return model

    check_target(kind, ys, gs, n_splits, cell.source, cv=False)
    if cell.protocol == "direct":
        check_target(kind, yt, gt, n_splits, cell.target, cv=False)
        model, row["fit_seconds"] = _timed_fit(clone(estimator), Xs, ys)
        labels = np.unique(np.concatenate([ys, yt])) if kind == "classification" else None
        y_pred = model.predict(Xt)
        row.update(_scores(kind, yt, y_pred))
        baseline = make_baseline(kind).fit(Xs, ys).predict(Xt)
        row.update({f"baseline_{m}": v for m, v in _scores(kind, yt, baseline).items()})
        row.update(_outcomes(kind, yt, y_pred, gt, labels, random_state))
        if (curves := _curves(model)) is not None:
            row["curves"] = {"source": curves}
        row["n_folds"] = 1
        row["n_train_windows"] = len(ys)
        return model

    check_target(kind, yt, gt, n_splits, cell.target)
    cv = get_protocol("subject", task=kind, n_splits=n_splits, random_state=random_state)
    folds = list(cv.split(Xt, yt, gt))
    row["n_folds"] = len(folds)
    row["n_train_windows"] = float(np.mean([len(tr) for tr, _ in folds]))
    if cell.protocol == "scratch":
        scores, row["fit_seconds"], model = _cv(estimator, kind, Xt, yt, gt, folds, random_state)
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
        scores, row["fine_tune_seconds"], model = _cv(
            clone(estimator).set_params(**{param: weights}), kind, Xt, yt, gt, folds, random_state
        )
        if (curves := _curves(source_model)) is not None:
            scores["curves"] = {"source": curves, **scores.get("curves", {})}
    else:  # pragma: no cover - validated before
        raise ValueError(f"Unknown protocol {cell.protocol!r}.")
    row.update(scores)
    return model
