"""Where a grid's rows go: a local CSV and MLflow, read back to resume.

:class:`Recorder` is the only part of a grid that touches files or the
tracking store. It opens the store before any data is loaded (a dead server
fails in seconds), reads back the cells already FINISHED with the same
configuration (MLflow first, then the CSV: cells computed while tracking
was off), records each new row as it finishes (the CSV is rewritten, the
row logged as a nested MLflow run) and closes the grid's parent run with
its table and heatmaps. When the store stops answering, the grid goes on:
rows keep going to the CSV and the error is raised at the end.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from ..exceptions import TrackingError
from ..tracking import MlflowTracker
from ._report import plot_heatmaps
from ._results import finished_rows, results_table, write_results_csv

__all__ = ["Recorder"]


class Recorder:
    """Records a grid's rows in a CSV and, when tracking, in MLflow.

    Parameters
    ----------
    results_path : path-like or None
        The CSV, rewritten after every row; None writes none.
    tracking_uri : str or None
        MLflow tracking URI; None does not track.
    experiment : str
        MLflow experiment.
    recompute : bool
        Read nothing back.
    register_name : str or None
        Model Registry name of the logged models (see
        :class:`~skgait.tracking.MlflowTracker`).

    Attributes
    ----------
    results_path : pathlib.Path or None
    parent_run_id : str or None
        The grid's MLflow run, once started.
    """

    def __init__(
        self, results_path, tracking_uri, experiment, *, recompute=False, register_name=None
    ):
        self.results_path = None if results_path is None else Path(results_path)
        self.recompute = recompute
        self.tracker = None
        self.parent_run_id = None
        self._done = {}
        self._error = None
        self._rows = {}
        self._cells = []
        if tracking_uri is not None:
            # Before any data is loaded: an unreachable store fails in seconds.
            self.tracker = MlflowTracker(tracking_uri, experiment, register_name)
            self.tracker.connect()
            if not recompute:
                self._done = self.tracker.finished_cells()

    def start(self, plan, hashes, grid_params, log):
        """Open the grid's run and read back the cells already finished.

        Parameters
        ----------
        plan : Plan
        hashes : dict of cell key to str
            Each cell's configuration hash: a cell is read back only with the
            same hash.
        grid_params : dict
            The parent run's MLflow parameters.
        log : callable
            ``log(cell, row)`` → ``(params, tags, metrics)`` of a cell's run,
            for cells read back from the CSV and logged now.

        Returns
        -------
        rows : dict of cell key to row
            The rows read back (``cached=True``).
        """
        self._cells = plan.cells
        saved = {} if self.recompute else finished_rows(self.results_path)
        if self.tracker is not None:
            self.parent_run_id = self.tracker.start_grid(grid_params, cell_hashes=hashes.values())
        untracked = []
        for cell in plan:
            key = (cell.key, hashes[cell.key])
            row = self._done.get(key)
            if row is None and key in saved:
                row = saved[key]
                untracked.append(cell)
            if row is not None:
                row.update(cached=True, cell_key=cell.key, config_hash=hashes[cell.key])
                self._rows[cell.key] = row
        if self.tracker is not None:
            for cell in untracked:  # finished while tracking was off: log them now
                self._log(cell, self._rows[cell.key], *log(cell, self._rows[cell.key]))
        if self._rows:
            self._write()
        return dict(self._rows)

    def _write(self):
        if self.results_path is not None:
            write_results_csv(results_table(self._rows, self._cells), self.results_path)

    def _log(self, cell, row, params, tags, metrics, model=None, X_example=None):
        if self.tracker is None or self._error is not None:
            return
        try:
            row["run_id"] = self.tracker.log_cell(
                cell, row, params, tags, metrics, model, X_example
            )
        except TrackingError as exc:
            self._error = exc
            self.tracker.fail_grid()  # best effort: the store may take this one
            warnings.warn(
                f"{exc}. Tracking is off for the rest of this grid; results "
                f"keep being written to {self.results_path}.",
                UserWarning,
                stacklevel=4,
            )

    def record(self, cell, row, params, tags, metrics, model=None, X_example=None):
        """Log a new row (MLflow) and rewrite the CSV with it."""
        self._log(cell, row, params, tags, metrics, model, X_example)
        row.pop("traceback", None)
        self._rows[cell.key] = row
        self._write()

    def fail(self, exc):
        """End the grid's run FAILED (KILLED for an interrupt)."""
        if self.tracker is not None:
            self.tracker.fail_grid("KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED")

    def finish(self):
        """Write the final table, close the grid's run; return the table.

        Raises
        ------
        TrackingError
            If the store stopped answering during the grid; the error holds
            the table in ``results``.
        """
        table = results_table(self._rows, self._cells)
        self._write()
        if self.tracker is not None and self._error is None:
            with tempfile.TemporaryDirectory() as tmp:
                figures = plot_heatmaps(table, tmp) if len(table) else []
                try:
                    self.tracker.finish_grid(
                        table,
                        figures,
                        tags={
                            "skgait.n_cells": len(table),
                            "skgait.n_failed": int((table["status"] != "FINISHED").sum()),
                            "skgait.n_cached": int(table["cached"].sum()),
                        },
                    )
                except TrackingError as exc:
                    self._error = exc
                    self.tracker.fail_grid()
        if self._error is not None:
            where = f" in {self.results_path}" if self.results_path is not None else ""
            raise TrackingError(
                f"{self._error} The grid finished without tracking: all "
                f"{len(table)} cell results are{where} (and in the error's "
                "`results`); re-run the grid once the tracking store is back to "
                "log them (finished cells are read back from MLflow and the CSV, "
                "not computed again).",
                results=table,
            ) from self._error
        return table
