"""Running a grid's plan: the cells to compute, in waves, through joblib.

:class:`Runner` turns the cells of a :class:`~skgait.experiments._plan.Plan`
that were not read back into :func:`~skgait.experiments._cells.run_cell`
jobs and hands every new row to a callback. It does the work a grid shares
between cells once (:mod:`skgait.experiments._shared`): per-window features
per dataset entry, ``scratch`` rows copied from their target's ``within``
cell, and ``fine_tune`` cells started from the model of their source's
``direct`` cell. It touches neither files nor MLflow.
"""

from __future__ import annotations

from joblib import Parallel, delayed

from ._cells import Cell, run_cell
from ._shared import SharedFeatures, assemble, scratch_from_within, split_per_window
from ._vocabulary import TASK_TARGETS

__all__ = ["Runner"]


class Runner:
    """Computes the cells of a plan.

    Parameters
    ----------
    plan : Plan
    estimators : dict of (name, task) to estimator
    entries : dict of label to entry
        The datasets, windowed.
    wants_model : callable
        ``wants_model(cell)``: whether the cell's fitted model is recorded.
    n_splits, random_state, n_threads, n_jobs
        As in :class:`~skgait.experiments.CrossDatasetGrid`.
    """

    def __init__(
        self, plan, estimators, entries, wants_model, *, n_splits, random_state, n_threads, n_jobs
    ):
        self.plan = plan
        self.estimators = estimators
        self.entries = entries
        self.wants_model = wants_model
        self.n_splits = n_splits
        self.random_state = random_state
        self.n_threads = n_threads
        self.n_jobs = n_jobs
        self._shared = SharedFeatures()
        self._heads = {key: split_per_window(est) for key, est in estimators.items()}
        self._targets = {}

    def data(self, label, cell):
        """``(X, y, groups)`` of entry ``label`` for ``cell``: features and known targets."""
        head = self._heads[(cell.estimator, cell.task)][0]
        _, X = self._shared.transform(label, self.entries[label].X, head)
        key = (label, cell.task, id(X))
        if key not in self._targets:
            self._targets[key] = self.entries[label].target(cell.task, X)
        return self._targets[key]

    def copies(self, todo, done):
        """``{within key: [scratch cells]}``: the cells of ``todo`` copied from a within cell.

        A scratch cell is computed only when its within cell is not planned,
        or was read back and the scratch cell's own model is wanted.
        """
        out = {}
        for cell in todo:
            within = self.plan.needs(cell) if cell.protocol == "scratch" else None
            if within is not None and (within.key not in done or not self.wants_model(cell)):
                out.setdefault(within.key, []).append(cell)
        return out

    def _model(self, cell, model):
        """The fitted pipeline to record (the per-window steps put back) and an input example."""
        if model is None or not self.wants_model(cell):
            return None, None
        label = cell.source if cell.protocol == "direct" else cell.target
        head = self._heads[(cell.estimator, cell.task)][0]
        fitted_head, _ = self._shared.transform(label, self.entries[label].X, head)
        return (
            assemble(self.estimators[(cell.estimator, cell.task)], fitted_head, model),
            self.entries[label].X,
        )

    def run(self, todo, done, record):
        """Compute ``todo`` and call ``record(cell, row, model, X_example, copied_from)`` per row.

        Parameters
        ----------
        todo : list of Cell
            The cells to compute.
        done : dict of cell key to row
            The rows read back: their scratch cells are copied at once.
        record : callable
            Called once per cell of ``todo``, as it finishes; ``model`` and
            ``X_example`` are None unless the cell's model is wanted;
            ``copied_from`` is the within cell a scratch row was copied
            from, or None.
        """
        copies = self.copies(todo, done)
        copied = {c.key for cells in copies.values() for c in cells}
        compute = [c for c in todo if c.key not in copied]
        keys = {c.key for c in compute}
        feeds = {
            n.key
            for c in compute
            if c.protocol == "fine_tune" and (n := self.plan.needs(c)) is not None and n.key in keys
        }
        source_fits = {}

        def copy(within, row, model):
            for cell in copies.pop(within.key, ()):
                kind = TASK_TARGETS[cell.task][1]
                copied_row = scratch_from_within(
                    cell, row, kind, self.data(cell.source, cell), self.n_splits
                )
                record(cell, copied_row, *self._model(cell, model), within)

        def job(cell):
            head, tail = self._heads[(cell.estimator, cell.task)]
            wanted = (
                self.wants_model(cell)
                or any(self.wants_model(c) for c in copies.get(cell.key, ()))
                or cell.key in feeds
            )
            need = self.plan.needs(cell)
            return delayed(run_cell)(
                cell,
                tail,
                TASK_TARGETS[cell.task][1],
                self.data(cell.source, cell),
                self.data(cell.target, cell),
                n_splits=self.n_splits,
                random_state=self.random_state,
                return_model=wanted,
                n_threads=self.n_threads,
                source_fit=source_fits.get(need.key)
                if cell.protocol == "fine_tune" and need
                else None,
            )

        for key in [k for k in copies if k in done]:  # within cells read back
            copy(self.plan.cell(key), done[key], None)
        for wave in self.plan.waves(compute):
            jobs = (job(c) for c in wave)
            for row, model in Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")(jobs):
                cell = self.plan.cell(
                    Cell(
                        *(row[k] for k in ("source", "target", "task", "estimator", "protocol"))
                    ).key
                )
                if cell.key in feeds and model is not None:
                    source_fits[cell.key] = (model, row["fit_seconds"])
                record(cell, row, *self._model(cell, model), None)
                copy(cell, row, model)
