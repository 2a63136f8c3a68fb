"""Cross-dataset grids: BioDeep's cross-testing tables, honestly evaluated."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import numbers
import warnings
from collections.abc import Mapping

from tqdm.auto import tqdm

from ..tracking import DEFAULT_TRACKING_URI, flatten_params, stable_repr
from ..utils._validation import check_device, resolve_device
from ._entries import entry_specs, load_entries
from ._plan import make_plan
from ._record import Recorder
from ._run import Runner
from ._vocabulary import (
    DEFAULT_ESTIMATORS,
    METRICS,
    PROTOCOLS,
    TASK_TARGETS,
    estimator_for,
    on_device,
)
from ._windows import WindowSpec

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
      regression); optionally ``"leaky_window"``, window-level K-fold, to compare
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
        "regression": reg}``, a name of :data:`ESTIMATORS` (``"acf_rf"``,
        ``"acf_cnn"``, ``"cnn"``, ``"gait_pipeline"``) or a dict
        ``{"estimator": "acf_cnn", "max_epochs": 5, ...}`` (see
        :func:`make_estimator`). None means ``{"acf_rf": "acf_rf",
        "acf_cnn": "acf_cnn"}``.
    protocols : sequence of str, default=("within", "direct", "fine_tune", "scratch")
        Names from :data:`PROTOCOLS`.
    pairs : "same_placement", "all" or list of (source, target), default="same_placement"
        Off-diagonal cells: pairs of entries with the same placement (as in
        the paper), every pair, or the listed labels.
    windows : WindowSpec, dict or None, default=None
        How every entry is windowed: a :class:`WindowSpec` or a dict of its
        fields (``rate``, ``length``, ``overlap``, ``activity``,
        ``channels``, as in :func:`~skgait.datasets.make_windows`); None
        gives the defaults (50 Hz, 2.56 s, half overlap, walking, six
        channels).
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
        (``"gender:acf_cnn:fine_tune:*"``). The model of a cross-validated cell
        is the one of its last fold; of a ``direct`` cell, the source model.
    register_name : str or None, default=None
        Name under which logged models are registered in the MLflow Model
        Registry (one version per cell, tagged with its cell key); None
        registers each as ``skgait-<task>-<estimator>``.
    recompute : bool, default=False
        Recompute cells already FINISHED in the experiment.
    progress : bool, default=False
        Show a tqdm progress bar.

    Attributes
    ----------
    results_ : DataFrame
        One row per cell: ``source``, ``target``, ``task``, ``estimator``,
        ``protocol``, ``status`` (FINISHED / FAILED), the metrics
        (``accuracy``, ``balanced_accuracy`` or ``mae``), the bounds of their
        95 % intervals over subjects (``<metric>_low``, ``<metric>_high``;
        :func:`~skgait.metrics.subject_interval`) and their ``baseline_*``
        (majority class / median age on the same folds),
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
        windows=None,
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
        register_name=None,
        recompute=False,
        progress=False,
    ):
        self.datasets = datasets
        self.tasks = tasks
        self.estimators = estimators
        self.protocols = protocols
        self.pairs = pairs
        self.windows = windows
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
        self.register_name = register_name
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

        tasks = _names("tasks", self.tasks, TASK_TARGETS)
        protocols = _names("protocols", self.protocols, PROTOCOLS)
        windows = WindowSpec.from_value(self.windows).check()
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
        return tasks, protocols, windows

    def _resolve_estimators(self, tasks, windows):
        """``{(name, task): estimator}``; errors name the estimator and task."""
        specs = DEFAULT_ESTIMATORS if self.estimators is None else self.estimators
        if not isinstance(specs, Mapping) or not specs:
            raise ValueError(
                f"estimators must be a non-empty dict of name to estimator, got {specs!r}."
            )
        out = {}
        for name, spec in specs.items():
            for task in tasks:
                kind = TASK_TARGETS[task][1]
                estimator = estimator_for(
                    name, spec, task, kind, self.random_state, rate=windows.rate
                )
                if self.device is not None:
                    estimator = on_device(estimator, self.device)
                out[(name, task)] = estimator
        return out

    # ------------------------------------------------------------------
    # what is recorded of a cell
    # ------------------------------------------------------------------
    def _config_hash(self, cell, estimator, entries, windows):
        config = {
            "cell": cell.key,
            "estimator": type(estimator).__name__,
            "params": {
                k: stable_repr(v) for k, v in sorted(estimator.get_params(deep=True).items())
            },
            "windows": [
                windows.rate,
                windows.length,
                windows.overlap,
                str(windows.activity),
                list(windows.channels),
            ],
            "max_windows_per_subject": self.max_windows_per_subject,
            "n_splits": self.n_splits,
            "random_state": self.random_state,
            "source": entries[cell.source].signature(),
            "target": entries[cell.target].signature(),
        }
        text = json.dumps(config, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _cell_log(self, cell, estimator, entries, windows, copied_from=None):
        """``(params, tags, metrics)`` of a cell's MLflow run."""
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
            **self._shared_params(entries, windows),
            "n_timepoints": tgt.X.shape[2],
        }
        lags = [
            v
            for k, v in estimator.get_params(deep=True).items()
            if k == "lags" or k.endswith("__lags")
        ]
        if lags:
            params["lags"] = lags[0]
        params.update(flatten_params(estimator))
        tags = {
            "task": cell.task,
            "protocol": cell.protocol,
            "estimator": cell.estimator,
            "source": cell.source,
            "target": cell.target,
        }
        if copied_from is not None:
            tags["skgait.reused_cell"] = copied_from.key
        metrics = METRICS[TASK_TARGETS[cell.task][1]]
        metrics = (
            metrics
            + tuple(f"{m}_{bound}" for m in metrics for bound in ("low", "high"))
            + tuple(f"baseline_{m}" for m in metrics)
            + (
                "fit_seconds",
                "fine_tune_seconds",
                "n_windows",
                "n_subjects",
                "n_train_windows",
                "seconds",
            )
        )
        return params, tags, metrics

    def _shared_params(self, entries, windows):
        """Parameters every run of the grid logs: the datasets, windows and folds."""
        return {
            "datasets": ",".join(e.dataset for e in entries.values()),
            "placements": ",".join(e.placement for e in entries.values()),
            **windows.params(),
            "n_splits": self.n_splits,
            "random_state": self.random_state,
            "max_windows_per_subject": self.max_windows_per_subject,
        }

    def _wants_model(self, cell):
        if self.log_models is True:
            return True
        if not self.log_models:
            return False
        return any(
            fnmatch.fnmatchcase(cell.key, p) or fnmatch.fnmatchcase(cell.name, p)
            for p in self.log_models
        )

    # ------------------------------------------------------------------
    def run(self):
        """Plan the cells, compute those not finished before, record every row.

        Three steps: :func:`make_plan` lists the cells and which builds on
        which; a runner computes the cells that a :class:`Recorder` did not
        read back (from MLflow or the CSV), in dependency order; the
        recorder writes each new row to the CSV and MLflow.

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
        tasks, protocols, windows = self._check_params()
        estimators = self._resolve_estimators(tasks, windows)
        specs = entry_specs(self.datasets)
        recorder = Recorder(
            self.results_path,
            (self.tracking_uri or DEFAULT_TRACKING_URI) if self.tracking else None,
            self.experiment,
            recompute=self.recompute,
            register_name=self.register_name,
        )
        entries = load_entries(
            specs,
            data_home=self.data_home,
            max_windows_per_subject=self.max_windows_per_subject,
            windows=windows,
        )
        plan = make_plan(entries, tasks, protocols, estimators, self.pairs)
        self.cells_ = plan.cells
        self.results_path_ = recorder.results_path
        hashes = {
            c.key: self._config_hash(c, estimators[(c.estimator, c.task)], entries, windows)
            for c in plan
        }

        def log(cell, row, copied_from=None):
            estimator = estimators[(cell.estimator, cell.task)]
            return self._cell_log(cell, estimator, entries, windows, copied_from)

        grid_params = {
            **self._shared_params(entries, windows),
            "datasets": ",".join(entries),
            "placements": ",".join(e.placement for e in entries.values()),
            "tasks": ",".join(tasks),
            "protocols": ",".join(protocols),
            "estimators": ",".join(
                DEFAULT_ESTIMATORS if self.estimators is None else self.estimators
            ),
            "pairs": self.pairs if isinstance(self.pairs, str) else stable_repr(self.pairs),
            **{f"n_windows.{k}": len(e.X) for k, e in entries.items()},
        }
        done = recorder.start(plan, hashes, grid_params, log)
        self.parent_run_id_ = recorder.parent_run_id
        todo = [c for c in plan if c.key not in done]
        bar = tqdm(
            total=len(plan),
            initial=len(plan) - len(todo),
            desc="cells",
            unit="cell",
            disable=not self.progress,
        )

        def record(cell, row, model, X_example, copied_from):
            row.update(cell_key=cell.key, config_hash=hashes[cell.key], cached=False)
            if row["status"] != "FINISHED":
                warnings.warn(f"Cell {cell.name} failed: {row['error']}", UserWarning, stacklevel=3)
            recorder.record(cell, row, *log(cell, row, copied_from), model, X_example)
            bar.update(1)

        runner = Runner(
            plan,
            estimators,
            entries,
            self._wants_model,
            n_splits=self.n_splits,
            random_state=self.random_state,
            n_threads=self.n_threads,
            n_jobs=self.n_jobs,
        )
        try:
            runner.run(todo, done, record)
        except BaseException as exc:
            recorder.fail(exc)
            raise
        finally:
            bar.close()
        self.results_ = recorder.finish()
        return self.results_


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
    ...                    tasks=["gender"], estimators={"rf": "acf_rf"},
    ...                    protocols=["direct"], max_windows_per_subject=10,
    ...                    tracking=False, results_path=None)
    >>> results[["source", "target", "status"]].values.tolist()
    [['hugadb', 'ipol', 'FINISHED'], ['ipol', 'hugadb', 'FINISHED']]
    """
    return CrossDatasetGrid(datasets, **params).run()
