"""MLflow tracking of a grid: a parent run per grid, a nested run per cell."""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import os
import re
import socket
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

from ._model import log_model
from ._store import (
    _MAX_KEY,
    _MAX_PARAM_VALUE,
    _MAX_TAG_VALUE,
    _ExperimentTracker,
    _is_finite,
    _metric_history,
    _truncate,
)

__all__ = [
    "MlflowTracker",
    "flatten_params",
    "read_grid_results",
    "read_results_csv",
    "stable_repr",
]

#: A grid cell's coordinates: the columns every grid table has.
_COORDINATES = ("source", "target", "task", "estimator", "protocol")
#: Columns of a grid table read as text, never as numbers or NaN (a dataset
#: labelled "NA", a config hash "0e10").
_TEXT_COLUMNS = (*_COORDINATES, "status", "error", "cell_key", "config_hash", "run_id")
#: Counts: integers, empty where a failed cell has none (never ``114.0``).
INTEGER_COLUMNS = ("n_windows", "n_subjects", "n_folds")

_KIND_TAG = "skgait.kind"
_CELL_KEY_TAG = "skgait.cell_key"
_HASH_TAG = "skgait.config_hash"
#: On a grid's parent run: the hash of its cells' config hashes, and the
#: process running it (to tell a run left RUNNING by a killed grid).
_GRID_HASH_TAG = "skgait.grid_hash"
_HOST_TAG = "skgait.host"
_PID_TAG = "skgait.pid"
_ROW_TAG = "skgait.row"
_ROW_PARTS_TAG = "skgait.row.parts"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
#: Keys of a cell's row logged as metric histories and artifacts, not stored
#: in the row's tags: per-fold scores, the confusion matrix, training curves.
DETAIL_KEYS = ("fold_scores", "confusion_matrix", "subject_confusion_matrix", "curves")


def stable_repr(value):
    """``repr`` without memory addresses, so that it is the same across runs."""
    return _ADDRESS.sub("", repr(value))


def flatten_params(estimator, prefix="estimator."):
    """The parameters of ``estimator`` set away from their defaults, as strings MLflow accepts.

    A leaf parameter is listed when its value differs from the default in
    the signature of the estimator it belongs to (a pipeline step, a skorch
    network), and always when it is an argument given through a skorch
    prefix (``module__n_filters``, ``iterator_train__shuffle``: skorch has
    them only once set, and passes them to a class whose own default need
    not be skorch's). Sub-estimators and pipeline ``steps`` are left
    out (their own leaves are listed), and so are the parameters of a
    skorch network's callbacks (``callbacks__...``: the settings of its
    default loggers and scorers; callbacks the user gives show in
    ``callbacks``). Values are ``repr`` strings truncated to MLflow's 6000
    characters, keys to 250.

    Parameters
    ----------
    estimator : estimator
    prefix : str, default="estimator."

    Returns
    -------
    params : dict of str to str

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from skgait.features import ACFTransformer
    >>> from skgait.tracking import flatten_params
    >>> flatten_params(make_pipeline(ACFTransformer(lags=12), RandomForestClassifier(max_depth=8)))
    {'estimator.acftransformer__lags': '12', 'estimator.randomforestclassifier__max_depth': '8'}
    """
    params = estimator.get_params(deep=True)
    out = {}
    for key, value in sorted(params.items()):
        if hasattr(value, "get_params") and not isinstance(value, type):
            continue
        if key == "steps" or key.endswith("__steps") or "callbacks__" in key:
            continue
        owner_key, _, name = key.rpartition("__")
        owner = params.get(owner_key, estimator) if owner_key else estimator
        # A class as owner: a skorch argument (``module__n_filters``), listed once set.
        if not isinstance(owner, type) and _is_default(value, _default(owner, name)):
            continue
        text = value if isinstance(value, str) else stable_repr(value)
        out[_truncate(prefix + key, _MAX_KEY)] = _truncate(text, _MAX_PARAM_VALUE)
    return out


#: No default: the parameter is not in its owner's signature.
_NO_DEFAULT = object()


def _default(owner, name):
    """The default of parameter ``name`` of the estimator ``owner``.

    The first signature along the class's bases that names it with a
    default: a subclass passing ``**kwargs`` on (skgait's networks to
    skorch's) keeps its parents' defaults.
    """
    for base in type(owner).__mro__:
        init = base.__dict__.get("__init__")
        if init is None:
            continue
        try:
            parameter = inspect.signature(init).parameters.get(name)
        except (TypeError, ValueError):  # a builtin without a signature
            return _NO_DEFAULT
        if parameter is not None and parameter.default is not inspect.Parameter.empty:
            return parameter.default
    return _NO_DEFAULT


def _is_default(value, default):
    if default is _NO_DEFAULT:
        return False
    if value is default:
        return True
    try:
        return type(value) is type(default) and bool(value == default)
    except (TypeError, ValueError):  # arrays and the like: not compared, listed
        return False


def _history_metrics(row, timestamp):
    """A cell's per-fold scores and training curves as MLflow metric histories.

    ``fold/<metric>`` holds the score of each test fold at ``step`` = fold
    index (``fold/accuracy``, ``fold/baseline_mae``...); ``<fit>/<key>``
    holds a training curve at ``step`` = epoch, for each fitted network
    (``fold_0/train_loss``, ``fold_0/valid_loss``, ``source/train_loss``).
    Non-finite values are left out.
    """
    out = []
    for name, values in (row.get("fold_scores") or {}).items():
        out += _metric_history(f"fold/{name}", values, timestamp)
    for fit, curves in (row.get("curves") or {}).items():
        for key, values in curves.items():
            if key != "epoch":
                out += _metric_history(f"{fit}/{key}", values, timestamp, curves["epoch"])
    return out


def _confusion_figure(confusion, title):
    """The confusion matrix as a figure (no pyplot state, no GUI)."""
    from matplotlib.figure import Figure
    from sklearn.metrics import ConfusionMatrixDisplay

    size = 2.5 + 0.6 * len(confusion["labels"])
    figure = Figure(figsize=(size + 1.0, size), layout="constrained")
    axes = figure.subplots()
    display = ConfusionMatrixDisplay(
        np.asarray(confusion["counts"]), display_labels=confusion["labels"]
    )
    display.plot(ax=axes, cmap="Blues", colorbar=False)
    axes.set_title(title, fontsize=9)
    return figure


def _row_tags(row):
    """The row as tags that always read back whole: JSON cut into tag-sized parts."""
    text = json.dumps(row, default=_json_default)
    parts = [text[i : i + _MAX_TAG_VALUE] for i in range(0, len(text), _MAX_TAG_VALUE)] or [""]
    tags = {_ROW_TAG: parts[0]}
    if len(parts) > 1:
        tags[_ROW_PARTS_TAG] = str(len(parts))
        tags.update({f"{_ROW_TAG}.{i}": part for i, part in enumerate(parts[1:], start=1)})
    return tags


def _read_row(tags):
    """The row stored by :func:`_row_tags`, or None if it does not parse.

    Runs logged by skgait 0.1.0 kept the row in one tag cut at MLflow's
    8000 characters (long dataset labels); such a row is unreadable.
    """
    try:
        parts = int(tags.get(_ROW_PARTS_TAG, 1))
        text = "".join(tags[_ROW_TAG if i == 0 else f"{_ROW_TAG}.{i}"] for i in range(parts))
        row = json.loads(text)
    except (KeyError, ValueError):
        return None
    return row if isinstance(row, dict) else None


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def grid_hash(cell_hashes):
    """The hash of a grid: of the config hashes of its cells, in any order."""
    text = ",".join(sorted(cell_hashes))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _process_alive(tags):
    """Whether the process that tagged a run (host, pid) still runs here."""
    if tags.get(_HOST_TAG) != socket.gethostname():
        return False
    try:
        os.kill(int(tags.get(_PID_TAG, "")), 0)
    except PermissionError:
        return True  # another user's process
    except (OSError, ValueError):
        return False
    return True


class MlflowTracker(_ExperimentTracker):
    """Write a grid to MLflow and read back the cells already finished.

    Parameters
    ----------
    tracking_uri : str or None
        Any MLflow tracking URI; None uses :data:`DEFAULT_TRACKING_URI`.
    experiment : str
        Experiment name; created if absent.
    register_name : str or None, default=None
        The MLflow Model Registry name of the cells' logged models (each a
        new version, tagged with its cell key ``skgait.cell_key``); None
        registers a cell's model under ``skgait-<task>-<estimator>`` (one
        registered model per task and estimator, a version per cell).

    Attributes
    ----------
    client : mlflow.tracking.MlflowClient
    experiment_id : str
    parent_run_id : str or None
    source_tags : dict of str to str
        MLflow's source tags and skgait's version (:func:`context_tags`),
        resolved by :meth:`connect` and set on the grid's run and its cells.
    """

    def __init__(self, tracking_uri=None, experiment="skgait-cross-dataset", register_name=None):
        super().__init__(tracking_uri, experiment)
        self.register_name = register_name
        self.parent_run_id = None
        self.stale_cells = {}

    def _runs(self, filter_string):
        """Every run of the experiment matching ``filter_string``, oldest first."""
        token = None
        while True:
            page = self.client.search_runs(
                [self.experiment_id],
                filter_string=filter_string,
                max_results=1000,
                order_by=["attributes.start_time ASC"],
                page_token=token,
            )
            yield from page
            token = page.token
            if not token:
                return

    def finished_cells(self):
        """Rows of cells FINISHED in this experiment, by (cell key, config hash).

        Returns
        -------
        cells : dict of (str, str) to dict
            The row of the most recent finished run of each cell, with its
            ``run_id``.

        Warns
        -----
        UserWarning
            For a run whose stored row cannot be read back (logged by an
            older skgait with a row cut at MLflow's tag length); its cell is
            computed again.
        """

        def _search():
            found = {}
            finished = f"tags.`{_KIND_TAG}` = 'cell' and attributes.status = 'FINISHED'"
            for run in self._runs(finished):
                tags = run.data.tags
                if _ROW_TAG not in tags:
                    continue
                row = _read_row(tags)
                if row is None or "cell_key" not in row:
                    warnings.warn(
                        f"MLflow run {run.info.run_id} ({tags.get('mlflow.runName')}) "
                        "holds a result row that does not read back (cut at MLflow's "
                        "tag length by an older skgait); its cell is computed again.",
                        UserWarning,
                        stacklevel=4,
                    )
                    continue
                # Per-fold scores and curves (``fold/accuracy``,
                # ``fold_0/train_loss``) are histories, not columns.
                row.update({k: v for k, v in run.data.metrics.items() if "/" not in k})
                row["run_id"] = run.info.run_id
                found[(row["cell_key"], tags.get(_HASH_TAG))] = row
            return found

        return self._call("looking up finished cells", _search)

    def start_grid(self, params, tags=None, cell_hashes=()):
        """Create the parent run of a grid, after ending the runs a killed one left.

        Runs of the same grid (same :func:`grid_hash` of ``cell_hashes``)
        still RUNNING while the process that started them is gone (kill -9,
        a lost machine) are marked KILLED. Cell runs of this grid's cells
        that never finished (RUNNING, so marked KILLED, or KILLED) are kept
        in :attr:`stale_cells`: :meth:`log_cell` logs a cell into its stale
        run, so that a resumed cell still has one run.
        """
        cell_hashes = set(cell_hashes)
        this_grid = grid_hash(cell_hashes)
        run_tags = {
            **self.source_tags,
            _KIND_TAG: "grid",
            "mlflow.runName": time.strftime("grid-%Y%m%d-%H%M%S"),
            _GRID_HASH_TAG: this_grid,
            _HOST_TAG: socket.gethostname(),
            _PID_TAG: str(os.getpid()),
            **(tags or {}),
        }

        def _start():
            self.stale_cells = self._end_stale_runs(this_grid, cell_hashes)
            run = self.client.create_run(self.experiment_id, tags=run_tags)
            self._log_batch(run.info.run_id, params=params)
            return run.info.run_id

        self.parent_run_id = self._call("starting the grid's parent run", _start)
        return self.parent_run_id

    def _end_stale_runs(self, this_grid, cell_hashes):
        """Mark KILLED the runs a killed grid left RUNNING; return its cells' runs."""
        live = set()
        grids = (
            f"tags.`{_KIND_TAG}` = 'grid' and tags.`{_GRID_HASH_TAG}` = '{this_grid}' "
            "and attributes.status = 'RUNNING'"
        )
        for run in self._runs(grids):
            if _process_alive(run.data.tags):
                live.add(run.info.run_id)
            else:
                self.client.set_terminated(run.info.run_id, status="KILLED")
        stale = {}
        unfinished = f"tags.`{_KIND_TAG}` = 'cell' and attributes.status != 'FINISHED'"
        for run in self._runs(unfinished):
            tags, status = run.data.tags, run.info.status
            if (
                status not in ("RUNNING", "KILLED")
                or tags.get(_HASH_TAG) not in cell_hashes
                or tags.get("mlflow.parentRunId") in live
            ):
                continue
            if status == "RUNNING":
                self.client.set_terminated(run.info.run_id, status="KILLED")
            stale[(tags.get(_CELL_KEY_TAG), tags[_HASH_TAG])] = run.info.run_id
        return stale

    def log_cell(self, cell, row, params, tags, metrics, model=None, X_example=None):
        """Log one cell as a nested run and return its run id.

        The row's ``fold_scores`` and ``curves`` become metric histories
        (``fold/<metric>`` at step = fold, ``<fit>/<key>`` at step = epoch)
        and its ``confusion_matrix`` the artifacts ``confusion_matrix.json``
        and ``confusion_matrix.png``; they are not stored in the row's tags.
        ``model``, when given, is logged with :func:`log_model`, with a few
        of its inputs ``X_example`` (such as its first training windows),
        and registered (``register_name``).
        A cell with a stale run (:meth:`start_grid`) is logged into it. A
        ``KeyboardInterrupt`` while logging ends the run KILLED.
        """
        run_tags = {
            **self.source_tags,
            "mlflow.parentRunId": self.parent_run_id,
            "mlflow.runName": cell.name,
            _KIND_TAG: "cell",
            _CELL_KEY_TAG: cell.key,
            _HASH_TAG: row["config_hash"],
        }
        run_tags.update(tags)
        if row.get("error"):
            run_tags["skgait.error"] = row["error"]
        # Tags for reading (names, labels, the error) are cut to MLflow's
        # length; the row, read back on resume, is stored whole.
        run_tags = {k: _truncate(str(v), _MAX_TAG_VALUE) for k, v in run_tags.items()}
        stored = {
            k: v
            for k, v in row.items()
            if k not in metrics and k not in ("traceback", "run_id", "cached", *DETAIL_KEYS)
        }
        run_tags.update(_row_tags(stored))
        started_at, seconds = row.get("started_at"), row.get("seconds")
        if not _is_finite(started_at):
            started_at = time.time()
        start_ms = int(started_at * 1000)
        end_ms = start_ms + int(1000 * (seconds if _is_finite(seconds) else 0.0))

        stale = self.stale_cells.pop((cell.key, row["config_hash"]), None)

        def _log():
            if stale is None:
                run = self.client.create_run(self.experiment_id, start_time=start_ms, tags=run_tags)
                run_id = run.info.run_id
            else:
                run_id = stale
                old_tags = self.client.get_run(run_id).data.tags
                if "skgait.error" in old_tags and "skgait.error" not in run_tags:
                    self.client.delete_tag(run_id, "skgait.error")  # this time it worked
                self._log_batch(run_id, tags=run_tags)
            try:
                return _fill(run_id)
            except KeyboardInterrupt:
                self.client.set_terminated(run_id, status="KILLED")
                raise

        def _fill(run_id):
            values = [m for k in metrics for m in _metric_history(k, [row.get(k)], end_ms)]
            self._log_batch(
                run_id,
                params=params,
                metrics=values + _history_metrics(row, end_ms),
                tags={"skgait.n_metrics": len(values)} if values else None,
            )
            for name in ("confusion_matrix", "subject_confusion_matrix"):
                if row.get(name):
                    self._log_confusion(run_id, row[name], _truncate(cell.name, 80), name)
            if row.get("traceback"):
                self.client.log_text(run_id, row["traceback"], "error.txt")
            if model is not None:
                name = self.register_name or f"skgait-{cell.task}-{cell.estimator}"
                tags = {_CELL_KEY_TAG: cell.key}
                log_model(self.client, run_id, model, X_example, register_name=name, tags=tags)
            status = "FINISHED" if row["status"] == "FINISHED" else "FAILED"
            self.client.set_terminated(run_id, status=status, end_time=end_ms)
            return run_id

        return self._call(f"logging cell {cell.key!r}", _log)

    def _log_confusion(self, run_id, confusion, title, name="confusion_matrix"):
        """``<name>.json`` (labels, counts with true labels in rows) and its figure.

        ``name`` is ``confusion_matrix`` (windows) or
        ``subject_confusion_matrix`` (subjects, by majority vote). The
        figure (``<name>.png``) needs matplotlib, which comes with MLflow;
        without it only the JSON is logged.
        """
        self.client.log_dict(run_id, confusion, f"{name}.json")
        if importlib.util.find_spec("matplotlib") is not None:
            self.client.log_figure(run_id, _confusion_figure(confusion, title), f"{name}.png")

    def finish_grid(self, table, figures, status="FINISHED", tags=None):
        """Attach the table and heatmaps to the parent run and close it."""

        def _finish():
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "results.csv")
                table.to_csv(path, index=False)
                self.client.log_artifact(self.parent_run_id, path)
            for figure in figures:
                self.client.log_artifact(self.parent_run_id, str(figure), "heatmaps")
            self._log_batch(self.parent_run_id, tags=tags)
            self.client.set_terminated(self.parent_run_id, status=status)

        self._call("closing the grid's parent run", _finish)

    def fail_grid(self, status="FAILED"):
        """End the parent run FAILED (or ``status``), ignoring errors (on the way out).

        Parameters
        ----------
        status : {"FAILED", "KILLED"}, default="FAILED"
            KILLED when the user interrupted the grid (Ctrl-C).

        Returns
        -------
        ended : bool
            Whether the store took the status.
        """
        if self.client is not None and self.parent_run_id is not None:
            try:
                self.client.set_terminated(self.parent_run_id, status=status)
            except Exception:  # noqa: BLE001
                return False
            return True
        return False


def read_grid_results(tracking_uri=None, experiment="skgait-cross-dataset", run_id=None):
    """The table of a grid logged to MLflow.

    Parameters
    ----------
    tracking_uri : str or None
        None uses :data:`DEFAULT_TRACKING_URI`.
    experiment : str
        Experiment holding the grid.
    run_id : str or None
        Parent run of the grid; None takes the latest FINISHED grid.

    Returns
    -------
    results : DataFrame
        The ``results.csv`` artifact of the parent run.
    """
    tracker = MlflowTracker(tracking_uri, experiment)
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracker.tracking_uri)
    if run_id is None:
        exp = tracker._call("opening the experiment", client.get_experiment_by_name, experiment)
        if exp is None:
            raise ValueError(
                f"No experiment {experiment!r} at {tracker.tracking_uri!r}; run "
                "`skgait grid` first or pass the right --experiment."
            )
        runs = tracker._call(
            "looking up grids",
            client.search_runs,
            [exp.experiment_id],
            filter_string=f"tags.`{_KIND_TAG}` = 'grid' and attributes.status = 'FINISHED'",
            order_by=["attributes.start_time DESC"],
            max_results=1,
        )
        if not runs:
            raise ValueError(
                f"No finished grid in experiment {experiment!r} at {tracker.tracking_uri!r}."
            )
        run_id = runs[0].info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        path = tracker._call(
            f"downloading results.csv of run {run_id}",
            client.download_artifacts,
            run_id,
            "results.csv",
            tmp,
        )
        return read_results_csv(path)


def read_results_csv(path):
    """Read a grid table written by :class:`CrossDatasetGrid` (``results_path``).

    Parameters
    ----------
    path : str or path-like
        The CSV file.

    Returns
    -------
    results : DataFrame
        Text columns (datasets, task, estimator, protocol, status, error,
        keys) as strings, an empty error as ``""``; counts (``n_windows``,
        ``n_subjects``, ``n_folds``) as nullable integers (``Int64``).

    Raises
    ------
    ValueError
        If the file lacks a cell's coordinates (it is not a grid table) or
        cannot be parsed.
    """
    table = pd.read_csv(
        path,
        dtype={**dict.fromkeys(_TEXT_COLUMNS, str), **dict.fromkeys(INTEGER_COLUMNS, "Int64")},
        keep_default_na=False,
        na_values=[""],
    )
    missing = [c for c in _COORDINATES if c not in table]
    if missing:
        raise ValueError(f"{path} is not a grid table: it lacks columns {missing}.")
    if "error" in table:
        table["error"] = table["error"].fillna("").astype(str)
    return table
