"""Cross-dataset grids: BioDeep's cross-testing tables, honestly evaluated."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import numbers
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from ..datasets import CHANNELS
from ..exceptions import TrackingError
from ..tracking import DEFAULT_TRACKING_URI, MlflowTracker, flatten_params, stable_repr
from ..utils._validation import check_device, resolve_device
from ._cells import Cell, run_cell, transfer_param
from ._entries import entry_specs, load_entries
from ._registry import DEFAULT_ESTIMATORS, METRICS, PROTOCOLS, TASKS, estimator_for, on_device
from ._report import plot_heatmaps
from ._results import finished_rows, results_table, write_results_csv
from ._shared import SharedFeatures, assemble, scratch_from_within, split_per_window

__all__ = ["CrossDatasetGrid", "run_grid"]


class CrossDatasetGrid:
    """Train on one gait dataset, test on another: every pair, task, model, protocol.

    The grid reproduces BioDeep's cross-testing tables (rows = training
    dataset, columns = testing dataset) with subject-wise evaluation. Each
    dataset entry is windowed once with the same ``rate``, ``length`` and
    ``channels``, so that every model sees windows of one shape. Then every
    cell runs:

    - diagonal (source = target): ``"within"``, subject-wise K-fold CV
      (:class:`~skgait.model_selection.SubjectKFold` for classification,
      :class:`~skgait.model_selection.SubjectRegressionKFold` for
      regression); optionally ``"leaky"``, window-level K-fold, to compare
      with papers;
    - off-diagonal: ``"direct"`` (train on every source subject, test on
      every target subject), ``"fine_tune"`` (train on the source, then on
      each subject-wise target fold start from the source's convolutional
      weights with ``warm_start_from``, fine-tune on the training subjects,
      test on the held-out ones; estimators with a ``warm_start_from``
      parameter only, others are skipped) and ``"scratch"`` (train from
      scratch on the same target folds).

    Cells run through :class:`joblib.Parallel`, so ``n_jobs`` or a
    ``joblib.parallel_backend("dask")`` / ``"ray"`` context spreads them over
    cores or a cluster. Each finished cell is appended to a local CSV and
    logged to MLflow as a nested run of the grid's parent run; a cell already
    FINISHED with the same configuration, in MLflow or in the CSV (cells
    computed while tracking was off), is read back instead of recomputed.

    Parameters
    ----------
    datasets : dict or list
        The grid's rows and columns. A dict maps a label to a placement
        (the label is then a dataset name: ``{"hugadb": "right_foot"}``), to
        a ``(dataset, placement)`` pair, to ``{"dataset": ..., "placement":
        ...}``, or to already cut windows ``(X, meta)``. A list holds
        ``(dataset, placement)`` pairs or dicts, labelled
        ``"<dataset>/<placement>"``. A dataset is a name from
        :data:`~skgait.datasets.DATASET_LOADERS` or an alias (loaded from
        ``data_home``) or a
        :class:`~skgait.datasets.GaitDataset`.
    tasks : sequence of {"gender", "age"}, default=("gender", "age")
        ``"gender"``: classify ``meta["sex"]``; ``"age"``: regress
        ``meta["age"]``. Windows with an unknown target are dropped.
    estimators : dict, default=None
        Name → estimator. A value is a scikit-learn estimator or pipeline
        taking ``(n_windows, n_channels, n_timepoints)`` windows (used for
        the tasks of its kind), a dict ``{"classification": clf,
        "regression": reg}``, a built-in type name (``"random_forest"``,
        ``"cnn"``) or a dict ``{"type": "cnn", "max_epochs": 5, ...}``
        (see :func:`make_estimator`). None means ``{"random_forest":
        "random_forest", "cnn": "cnn"}``.
    protocols : sequence of str, default=("within", "direct", "fine_tune", "scratch")
        Names from :data:`PROTOCOLS`.
    pairs : "same_placement", "all" or list of (source, target), default="same_placement"
        Off-diagonal cells: pairs of entries with the same placement (as in
        the paper), every pair, or the listed labels.
    rate, length, overlap, activity, channels
        Windowing, as in :func:`~skgait.datasets.make_windows`.
    max_windows_per_subject : int or None, default=None
        Keep at most this many windows per subject (evenly spaced), to bound
        the cost of large datasets.
    n_splits : int, default=5
        Subject-wise folds of every target.
    random_state : int, default=0
        Seed of the folds (estimators keep their own ``random_state``).
    data_home : str or None, default=None
        Where dataset names are loaded from; None uses ``SKGAIT_DATA``.
    n_jobs : int or None, default=None
        Cells run in parallel by :class:`joblib.Parallel`; None defers to the
        active joblib backend (one job by default).
    n_threads : int or None, default=1
        Threads of PyTorch, numba and BLAS inside each cell. Cells are the
        unit of parallelism; a small CNN trains much slower on several
        threads of a busy machine. None leaves the libraries' settings.
    device : str or None, default=None
        Device of every network of the grid: ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"auto"`` (CUDA when available). None leaves each
        estimator's own (the built-in CNN's is ``"cpu"``). A CUDA device
        this machine lacks is refused before any data is loaded.
    tracking : bool, default=True
        Log to MLflow. The local CSV is written either way.
    tracking_uri : str or None, default=None
        MLflow tracking URI; None means ``"sqlite:///mlflow.db"`` in the
        working directory (no server). ``http://host:port`` logs to an
        ``mlflow server``.
    experiment : str, default="skgait-cross-dataset"
        MLflow experiment.
    results_path : str, path-like or None, default="grid_results.csv"
        Local CSV rewritten after every cell, so results survive a tracking
        failure. None writes no CSV.
    log_models : bool or sequence of str, default=()
        Cells whose fitted model is logged as an MLflow model (``model``,
        plus ``network`` for skgait CNNs; see
        :func:`skgait.tracking.log_model`): True for every cell, or fnmatch
        patterns of cell keys or names
        (``"gender:cnn:fine_tune:*"``). The model of a cross-validated cell
        is the one of its last fold; of a ``direct`` cell, the source model.
    recompute : bool, default=False
        Recompute cells already FINISHED in the experiment.
    progress : bool, default=False
        Show a tqdm progress bar.

    Attributes
    ----------
    results_ : DataFrame
        One row per cell: ``source``, ``target``, ``task``, ``estimator``,
        ``protocol``, ``status`` (FINISHED / FAILED), the metrics
        (``accuracy``, ``balanced_accuracy`` or ``mae``) and their
        ``baseline_*`` (majority class / median age on the same folds),
        ``fit_seconds`` (source fit for ``direct``/``fine_tune``, mean fold
        fit otherwise), ``fine_tune_seconds``, ``speed_up`` (scratch
        ``fit_seconds`` / ``fine_tune_seconds`` of the same cell), target
        ``n_windows`` and ``n_subjects``, ``error``, ``cell_key``,
        ``config_hash``, ``run_id`` and ``cached``.
    cells_ : list of Cell
        The cells, in table order.
    parent_run_id_ : str or None
        MLflow run of this grid.
    results_path_ : pathlib.Path or None
        The CSV written.

    See Also
    --------
    skgait.model_selection.evaluate : One dataset, one estimator.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from skgait import ACFTransformer
    >>> from skgait.experiments import CrossDatasetGrid
    >>> grid = CrossDatasetGrid(
    ...     {"hugadb": "right_foot", "ipol": "right_foot"}, tasks=["gender"],
    ...     estimators={"rf": make_pipeline(ACFTransformer(lags=10),
    ...                                      RandomForestClassifier(10, random_state=0))},
    ...     protocols=["within", "direct"], max_windows_per_subject=10, n_splits=3,
    ...     tracking=False, results_path=None,  # no MLflow store, no CSV here
    ... )
    >>> results = grid.run()
    >>> results[["source", "target", "protocol", "status"]]
       source  target protocol    status
    0  hugadb  hugadb   within  FINISHED
    1    ipol    ipol   within  FINISHED
    2  hugadb    ipol   direct  FINISHED
    3    ipol  hugadb   direct  FINISHED
    """

    def __init__(
        self,
        datasets,
        *,
        tasks=("gender", "age"),
        estimators=None,
        protocols=("within", "direct", "fine_tune", "scratch"),
        pairs="same_placement",
        rate=50.0,
        length=2.56,
        overlap=0.5,
        activity="walking",
        channels=CHANNELS,
        max_windows_per_subject=None,
        n_splits=5,
        random_state=0,
        data_home=None,
        n_jobs=None,
        n_threads=1,
        device=None,
        tracking=True,
        tracking_uri=None,
        experiment="skgait-cross-dataset",
        results_path="grid_results.csv",
        log_models=(),
        recompute=False,
        progress=False,
    ):
        self.datasets = datasets
        self.tasks = tasks
        self.estimators = estimators
        self.protocols = protocols
        self.pairs = pairs
        self.rate = rate
        self.length = length
        self.overlap = overlap
        self.activity = activity
        self.channels = channels
        self.max_windows_per_subject = max_windows_per_subject
        self.n_splits = n_splits
        self.random_state = random_state
        self.data_home = data_home
        self.n_jobs = n_jobs
        self.n_threads = n_threads
        self.device = device
        self.tracking = tracking
        self.tracking_uri = tracking_uri
        self.experiment = experiment
        self.results_path = results_path
        self.log_models = log_models
        self.recompute = recompute
        self.progress = progress

    # ------------------------------------------------------------------
    # validation (no data touched)
    # ------------------------------------------------------------------
    def _check_params(self):
        def _names(param, value, allowed):
            values = [value] if isinstance(value, str) else list(value)
            if not values:
                raise ValueError(f"{param} must not be empty.")
            for v in values:
                if v not in allowed:
                    raise ValueError(
                        f"{param}: unknown value {v!r}; expected one of "
                        f"{', '.join(map(repr, allowed))}."
                    )
            return list(dict.fromkeys(values))

        tasks = _names("tasks", self.tasks, TASKS)
        protocols = _names("protocols", self.protocols, PROTOCOLS)
        if self.n_threads is not None and (
            not isinstance(self.n_threads, numbers.Integral) or self.n_threads < 1
        ):
            raise ValueError(
                f"n_threads must be a positive integer or None, got {self.n_threads!r}."
            )
        if self.device is not None:
            check_device(resolve_device(self.device), type(self).__name__)
        if not isinstance(self.n_splits, numbers.Integral) or self.n_splits < 2:
            raise ValueError(f"n_splits must be an integer >= 2, got {self.n_splits!r}.")
        m = self.max_windows_per_subject
        if m is not None and (not isinstance(m, numbers.Integral) or m < 1):
            raise ValueError(
                f"max_windows_per_subject must be a positive integer or None, got {m!r}."
            )
        if not (
            self.log_models is True
            or self.log_models is False
            or all(isinstance(p, str) for p in self.log_models)
        ):
            raise ValueError(
                "log_models must be True, False or a list of cell-key patterns; "
                f"got {self.log_models!r}."
            )
        return tasks, protocols

    def _resolve_estimators(self, tasks):
        """``{(name, task): estimator}``; errors name the estimator and task."""
        specs = DEFAULT_ESTIMATORS if self.estimators is None else self.estimators
        if not isinstance(specs, Mapping) or not specs:
            raise ValueError(
                f"estimators must be a non-empty dict of name to estimator, got {specs!r}."
            )
        out = {}
        for name, spec in specs.items():
            for task in tasks:
                kind = TASKS[task][1]
                estimator = estimator_for(name, spec, task, kind, self.random_state)
                if self.device is not None:
                    estimator = on_device(estimator, self.device)
                out[(name, task)] = estimator
        return out

    # ------------------------------------------------------------------
    # data
    # ------------------------------------------------------------------

    def _cells(self, entries, tasks, protocols, estimators):
        labels = list(entries)
        if isinstance(self.pairs, str):
            if self.pairs == "same_placement":
                pairs = [
                    (s, t)
                    for s in labels
                    for t in labels
                    if s != t and entries[s].placement == entries[t].placement
                ]
            elif self.pairs == "all":
                pairs = [(s, t) for s in labels for t in labels if s != t]
            else:
                raise ValueError(
                    f"pairs: unknown value {self.pairs!r}; expected 'same_placement', "
                    "'all' or a list of (source, target) labels."
                )
        else:
            pairs = []
            for i, pair in enumerate(self.pairs):
                if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
                    raise ValueError(f"pairs[{i}]: expected (source, target), got {pair!r}.")
                for side in pair:
                    if side not in entries:
                        raise ValueError(
                            f"pairs[{i}]: unknown dataset label {side!r}; labels are {labels}."
                        )
                if pair[0] != pair[1]:
                    pairs.append(tuple(pair))
        cells = []
        for task in tasks:
            for name in dict.fromkeys(n for n, _ in estimators):
                estimator = estimators[(name, task)]
                can_transfer = transfer_param(estimator) is not None
                for protocol in protocols:
                    where = PROTOCOLS[protocol][0]
                    if protocol == "fine_tune" and not can_transfer:
                        continue
                    cell_pairs = [(s, s) for s in labels] if where == "diagonal" else pairs
                    cells += [Cell(s, t, task, name, protocol) for s, t in cell_pairs]
        if "fine_tune" in protocols and not any(c.protocol == "fine_tune" for c in cells) and pairs:
            raise ValueError(
                "protocols: 'fine_tune' needs an estimator with a warm_start_from "
                "parameter (a skgait CNN, e.g. estimators={'cnn': 'cnn'}); none of "
                f"{sorted({n for n, _ in estimators})} has one."
            )
        return cells

    def _check_shapes(self, entries, cells):
        """Every transfer pair must have windows of one shape: fail before training."""
        problems = []
        for s, t in dict.fromkeys((c.source, c.target) for c in cells if c.source != c.target):
            a, b = entries[s].X.shape[1:], entries[t].X.shape[1:]
            if a != b:
                problems.append(
                    f"{s!r} has windows of {a[0]} channels x {a[1]} time points but "
                    f"{t!r} has {b[0]} x {b[1]}"
                )
        if problems:
            raise ValueError(
                "Cannot train on one dataset and test on another with windows of "
                "different shapes: " + "; ".join(problems) + ". Window both with the "
                "same channels=, rate= and length=."
            )

    # ------------------------------------------------------------------
    def _config_hash(self, cell, estimator, entries):
        config = {
            "cell": cell.key,
            "estimator": type(estimator).__name__,
            "params": {
                k: stable_repr(v) for k, v in sorted(estimator.get_params(deep=True).items())
            },
            "windows": [
                self.rate,
                self.length,
                self.overlap,
                str(self.activity),
                list(self.channels),
            ],
            "max_windows_per_subject": self.max_windows_per_subject,
            "n_splits": self.n_splits,
            "random_state": self.random_state,
            "source": entries[cell.source].signature(),
            "target": entries[cell.target].signature(),
        }
        text = json.dumps(config, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _cell_params(self, cell, estimator, entries):
        src, tgt = entries[cell.source], entries[cell.target]
        params = {
            "task": cell.task,
            "protocol": cell.protocol,
            "estimator": cell.estimator,
            "estimator_class": type(estimator).__name__,
            "source": cell.source,
            "target": cell.target,
            "source_dataset": src.dataset,
            "source_placement": src.placement,
            "target_dataset": tgt.dataset,
            "target_placement": tgt.placement,
            "datasets": ",".join(e.dataset for e in entries.values()),
            "placements": ",".join(e.placement for e in entries.values()),
            "rate": self.rate,
            "window_length": self.length,
            "overlap": self.overlap,
            "n_timepoints": tgt.X.shape[2],
            "channels": ",".join(self.channels),
            "activity": self.activity,
            "n_splits": self.n_splits,
            "random_state": self.random_state,
            "max_windows_per_subject": self.max_windows_per_subject,
        }
        lags = [
            v
            for k, v in estimator.get_params(deep=True).items()
            if k == "lags" or k.endswith("__lags")
        ]
        if lags:
            params["lags"] = lags[0]
        params.update(flatten_params(estimator))
        return params

    def _wants_model(self, cell):
        if self.log_models is True:
            return True
        if not self.log_models:
            return False
        return any(
            fnmatch.fnmatchcase(cell.key, p) or fnmatch.fnmatchcase(cell.name, p)
            for p in self.log_models
        )

    def _write_csv(self, table):
        if self.results_path is not None:
            write_results_csv(table, self.results_path)

    # ------------------------------------------------------------------
    def run(self):
        """Run every cell and return the results table.

        Returns
        -------
        results : DataFrame
            :attr:`results_`.

        Raises
        ------
        ValueError
            Before any training, if a parameter, dataset, placement, task,
            estimator or protocol is invalid, or two datasets to transfer
            between have windows of different shapes (channels, time points).
        TrackingError
            If the tracking store cannot be opened (before any data is
            loaded; a tracking server that does not answer fails within
            seconds), or
            stops answering during the grid: the remaining cells still run,
            their rows are in ``results_path``, and the error (raised at the
            end) holds the table in ``results``.

        Warns
        -----
        UserWarning
            For each failed cell, with its error.
        """
        tasks, protocols = self._check_params()
        estimators = self._resolve_estimators(tasks)
        specs = entry_specs(self.datasets)
        tracker, done = None, {}
        if self.tracking:
            # Before any data is loaded: an unreachable store fails in seconds.
            tracker = MlflowTracker(self.tracking_uri or DEFAULT_TRACKING_URI, self.experiment)
            tracker.connect()
            if not self.recompute:
                done = tracker.finished_cells()
        entries = load_entries(
            specs,
            data_home=self.data_home,
            max_windows_per_subject=self.max_windows_per_subject,
            window_params=dict(
                rate=self.rate,
                length=self.length,
                overlap=self.overlap,
                activity=self.activity,
                channels=self.channels,
            ),
        )
        cells = self._cells(entries, tasks, protocols, estimators)
        self._check_shapes(entries, cells)
        self.cells_ = cells
        self.results_path_ = None if self.results_path is None else Path(self.results_path)

        hashes = {
            c.key: self._config_hash(c, estimators[(c.estimator, c.task)], entries) for c in cells
        }
        # Cells finished while tracking was off (or with tracking disabled)
        # are only in the CSV: read them back too, MLflow's row first.
        saved = {} if self.recompute else finished_rows(self.results_path)
        self.parent_run_id_ = None
        if tracker is not None:
            self.parent_run_id_ = tracker.start_grid(
                self._grid_params(entries, tasks, protocols), cell_hashes=hashes.values()
            )

        rows, todo, untracked = {}, [], []
        for cell in cells:
            key = (cell.key, hashes[cell.key])
            cached = done.get(key)
            if cached is None and key in saved:
                cached = saved[key]
                if tracker is not None:
                    untracked.append(cell)
            if cached is not None:
                cached.update(cached=True, cell_key=cell.key, config_hash=hashes[cell.key])
                rows[cell.key] = cached
            else:
                todo.append(cell)

        # Work done once: per-window features per entry, scratch cells read
        # from their target's within cell.
        shared = SharedFeatures()
        heads = {key: split_per_window(est) for key, est in estimators.items()}
        targets = {}

        def data(label, cell):
            head = heads[(cell.estimator, cell.task)][0]
            _, X = shared.transform(label, entries[label].X, head)
            key = (label, cell.task, id(X))
            if key not in targets:
                targets[key] = entries[label].target(cell.task, X)
            return targets[key]

        by_key = {c.key: c for c in cells}
        reused = {}  # within cell key -> its target's scratch cells
        for cell in todo:
            within = Cell(cell.target, cell.target, cell.task, cell.estimator, "within").key
            if (
                cell.protocol == "scratch"
                and within in by_key
                and (within not in rows or not self._wants_model(cell))
            ):
                reused.setdefault(within, []).append(cell)
        derived = {c.key for cells_ in reused.values() for c in cells_}
        # fine_tune cells start from the model of a direct cell of their
        # source (the same fit), so they run after the direct cells.
        direct = {(c.source, c.task, c.estimator) for c in todo if c.protocol == "direct"}
        waiting = [
            c
            for c in todo
            if c.protocol == "fine_tune" and (c.source, c.task, c.estimator) in direct
        ]
        feeds = {(c.source, c.task, c.estimator) for c in waiting}
        source_fits = {}

        def job(cell, source_fit=None):
            head, tail = heads[(cell.estimator, cell.task)]
            wanted = (
                self._wants_model(cell)
                or any(self._wants_model(c) for c in reused.get(cell.key, ()))
                or (cell.protocol == "direct" and (cell.source, cell.task, cell.estimator) in feeds)
            )
            return delayed(run_cell)(
                cell,
                tail,
                TASKS[cell.task][1],
                data(cell.source, cell),
                data(cell.target, cell),
                n_splits=self.n_splits,
                random_state=self.random_state,
                return_model=wanted,
                n_threads=self.n_threads,
                source_fit=source_fit,
            )

        first = (job(c) for c in todo if c.key not in derived and c not in waiting)
        then = (job(c, source_fits.get((c.source, c.task, c.estimator))) for c in waiting)
        tracking_error = None

        def track(cell, row, model=None, X_example=None):
            nonlocal tracking_error
            if tracker is None or tracking_error is not None:
                return
            estimator = estimators[(cell.estimator, cell.task)]
            kind = TASKS[cell.task][1]
            tags = {
                "task": cell.task,
                "protocol": cell.protocol,
                "estimator": cell.estimator,
                "source": cell.source,
                "target": cell.target,
            }
            if cell.key in derived:
                tags["skgait.reused_cell"] = Cell(
                    cell.target, cell.target, cell.task, cell.estimator, "within"
                ).key
            try:
                row["run_id"] = tracker.log_cell(
                    cell,
                    row,
                    self._cell_params(cell, estimator, entries),
                    tags,
                    METRICS[kind]
                    + tuple(f"baseline_{m}" for m in METRICS[kind])
                    + (
                        "fit_seconds",
                        "fine_tune_seconds",
                        "n_windows",
                        "n_subjects",
                        "n_train_windows",
                        "seconds",
                    ),
                    model,
                    X_example,
                )
            except TrackingError as exc:
                tracking_error = exc
                tracker.fail_grid()  # best effort: the store may take this one
                warnings.warn(
                    f"{exc}. Tracking is off for the rest of this grid; results "
                    f"keep being written to {self.results_path_}.",
                    UserWarning,
                    stacklevel=4,
                )

        def finish(cell, row, model):
            row.update(cell_key=cell.key, config_hash=hashes[cell.key], cached=False)
            if row["status"] != "FINISHED":
                warnings.warn(f"Cell {cell.name} failed: {row['error']}", UserWarning, stacklevel=3)
            if model is not None and self._wants_model(cell):
                # The fitted model is the tail: put the per-window steps back.
                label = cell.source if cell.protocol == "direct" else cell.target
                head = heads[(cell.estimator, cell.task)][0]
                fitted_head, _ = shared.transform(label, entries[label].X, head)
                model = assemble(estimators[(cell.estimator, cell.task)], fitted_head, model)
                X_example = entries[label].X
            else:
                model = X_example = None
            track(cell, row, model, X_example)
            row.pop("traceback", None)
            rows[cell.key] = row
            self._write_csv(results_table(rows, cells))
            bar.update(1)

        def reuse(within_key, within_row, model):
            for cell in reused.pop(within_key, ()):
                row = scratch_from_within(
                    cell, within_row, TASKS[cell.task][1], data(cell.source, cell), self.n_splits
                )
                finish(cell, row, model)

        bar = tqdm(
            total=len(cells),
            initial=len(cells) - len(todo),
            desc="cells",
            unit="cell",
            disable=not self.progress,
        )
        try:
            for cell in untracked:  # finished while tracking was off: log them now
                track(cell, rows[cell.key])
            if rows:
                self._write_csv(results_table(rows, cells))
            for key in [k for k in reused if k in rows]:  # within read back
                reuse(key, rows[key], None)
            for jobs in (first, then):
                for row, model in Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")(
                    jobs
                ):
                    cell = by_key[
                        Cell(
                            row["source"],
                            row["target"],
                            row["task"],
                            row["estimator"],
                            row["protocol"],
                        ).key
                    ]
                    source = (cell.source, cell.task, cell.estimator)
                    if cell.protocol == "direct" and source in feeds and model is not None:
                        source_fits[source] = (model, row["fit_seconds"])
                    finish(cell, row, model)
                    reuse(cell.key, row, model)
        except BaseException as exc:
            if tracker is not None:
                tracker.fail_grid("KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED")
            raise
        finally:
            bar.close()

        table = results_table(rows, cells)
        self._write_csv(table)
        self.results_ = table
        if tracker is not None and tracking_error is None:
            with tempfile.TemporaryDirectory() as tmp:
                figures = plot_heatmaps(table, tmp) if len(table) else []
                try:
                    tracker.finish_grid(
                        table,
                        figures,
                        tags={
                            "skgait.n_cells": len(table),
                            "skgait.n_failed": int((table["status"] != "FINISHED").sum()),
                            "skgait.n_cached": int(table["cached"].sum()),
                        },
                    )
                except TrackingError as exc:
                    tracking_error = exc
                    tracker.fail_grid()
        if tracking_error is not None:
            where = f" in {self.results_path_}" if self.results_path_ is not None else ""
            raise TrackingError(
                f"{tracking_error} The grid finished without tracking: all "
                f"{len(table)} cell results are{where} (and in the error's "
                "`results`); re-run the grid once the tracking store is back to "
                "log them (finished cells are read back from MLflow and the CSV, "
                "not computed again).",
                results=table,
            ) from tracking_error
        return table

    def _grid_params(self, entries, tasks, protocols):
        return {
            "datasets": ",".join(entries),
            "placements": ",".join(e.placement for e in entries.values()),
            "tasks": ",".join(tasks),
            "protocols": ",".join(protocols),
            "estimators": ",".join(
                DEFAULT_ESTIMATORS if self.estimators is None else self.estimators
            ),
            "pairs": self.pairs if isinstance(self.pairs, str) else stable_repr(self.pairs),
            "rate": self.rate,
            "window_length": self.length,
            "overlap": self.overlap,
            "channels": ",".join(self.channels),
            "activity": self.activity,
            "n_splits": self.n_splits,
            "random_state": self.random_state,
            "max_windows_per_subject": self.max_windows_per_subject,
            **{f"n_windows.{k}": len(e.X) for k, e in entries.items()},
        }


def run_grid(datasets, **params):
    """Run a :class:`CrossDatasetGrid` and return its results table.

    Parameters
    ----------
    datasets : dict or list
        As in :class:`CrossDatasetGrid`.
    **params
        Other parameters of :class:`CrossDatasetGrid`.

    Returns
    -------
    results : DataFrame
        One row per cell.

    Examples
    --------
    >>> from skgait.experiments import run_grid
    >>> results = run_grid({"hugadb": "right_foot", "ipol": "right_foot"},
    ...                    tasks=["gender"], estimators={"rf": "random_forest"},
    ...                    protocols=["direct"], max_windows_per_subject=10,
    ...                    tracking=False, results_path=None)
    >>> results[["source", "target", "status"]].values.tolist()
    [['hugadb', 'ipol', 'FINISHED'], ['ipol', 'hugadb', 'FINISHED']]
    """
    return CrossDatasetGrid(datasets, **params).run()
