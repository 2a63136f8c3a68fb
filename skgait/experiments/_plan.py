"""A grid's plan: its cells in table order, and which cell builds on which.

Two protocols build on another cell of the same grid:

- a ``scratch`` cell trains from scratch on its target's subject-wise folds,
  which is exactly its target's ``within`` cell (same folds, same
  estimator): its scores are copied from that cell;
- a ``fine_tune`` cell starts from the model fitted on its whole source, which
  is the model of a ``direct`` cell of the same source, task and estimator.

:meth:`Plan.waves` orders the cells to compute so that every cell comes after
the one it builds on. Nothing here touches data, files or MLflow.
"""

from __future__ import annotations

from ._cells import Cell, transfer_param
from ._vocabulary import PROTOCOLS

__all__ = ["Plan", "make_plan"]


class Plan:
    """The cells of a grid and their dependencies.

    Parameters
    ----------
    cells : list of Cell
        In table order.

    Attributes
    ----------
    cells : list of Cell
    """

    def __init__(self, cells):
        self.cells = list(cells)
        self._keys = {c.key: c for c in self.cells}

    def __iter__(self):
        return iter(self.cells)

    def __len__(self):
        return len(self.cells)

    def cell(self, key):
        """The cell of a key."""
        return self._keys[key]

    def needs(self, cell):
        """The planned cell ``cell`` builds on, or None.

        A ``scratch`` cell needs its target's ``within`` cell, a
        ``fine_tune`` cell the first ``direct`` cell of its source (same
        task and estimator).
        """
        if cell.protocol == "scratch":
            within = Cell(cell.target, cell.target, cell.task, cell.estimator, "within")
            return self._keys.get(within.key)
        if cell.protocol == "fine_tune":
            return next(
                (
                    c
                    for c in self.cells
                    if c.protocol == "direct"
                    and (c.source, c.task, c.estimator) == (cell.source, cell.task, cell.estimator)
                ),
                None,
            )
        return None

    def waves(self, todo):
        """``todo`` in the order it can run: cells that need none of ``todo`` first.

        Parameters
        ----------
        todo : list of Cell
            The cells to compute (the others are read back).

        Returns
        -------
        waves : list of list of Cell
            Each cell comes in a later wave than the cell of ``todo`` it
            needs; cells within a wave are independent.
        """
        pending = {c.key for c in todo}
        waves, left = [], list(todo)
        while left:
            ready = [
                c for c in left if (n := self.needs(c)) is None or n.key not in pending or n is c
            ]
            if not ready:  # pragma: no cover - needs() has no cycle
                raise RuntimeError("The grid's cells depend on each other in a cycle.")
            waves.append(ready)
            pending -= {c.key for c in ready}
            left = [c for c in left if c.key in pending]
        return waves


def _pairs(pairs, entries):
    labels = list(entries)
    if isinstance(pairs, str):
        if pairs == "same_placement":
            return [
                (s, t)
                for s in labels
                for t in labels
                if s != t and entries[s].placement == entries[t].placement
            ]
        if pairs == "all":
            return [(s, t) for s in labels for t in labels if s != t]
        raise ValueError(
            f"pairs: unknown value {pairs!r}; expected 'same_placement', "
            "'all' or a list of (source, target) labels."
        )
    out = []
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise ValueError(f"pairs[{i}]: expected (source, target), got {pair!r}.")
        for side in pair:
            if side not in entries:
                raise ValueError(
                    f"pairs[{i}]: unknown dataset label {side!r}; labels are {labels}."
                )
        if pair[0] != pair[1]:
            out.append(tuple(pair))
    return out


def _check_shapes(entries, cells):
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
            "same channels, rate and length."
        )


def make_plan(entries, tasks, protocols, estimators, pairs):
    """The plan of a grid: every (pair, task, estimator, protocol) that can run.

    Parameters
    ----------
    entries : dict of label to entry
        The datasets, loaded and windowed (their ``placement`` and ``X``).
    tasks, protocols : list of str
    estimators : dict of (name, task) to estimator
    pairs : "same_placement", "all" or list of (source, target)

    Returns
    -------
    plan : Plan

    Raises
    ------
    ValueError
        If ``pairs`` names an unknown label, ``fine_tune`` is asked for and
        no estimator can transfer, or a transfer pair has windows of
        different shapes.
    """
    transfer_pairs = _pairs(pairs, entries)
    cells = []
    for task in tasks:
        for name in dict.fromkeys(n for n, _ in estimators):
            can_transfer = transfer_param(estimators[(name, task)]) is not None
            for protocol in protocols:
                if protocol == "fine_tune" and not can_transfer:
                    continue
                diagonal = PROTOCOLS[protocol][0] == "diagonal"
                cell_pairs = [(s, s) for s in entries] if diagonal else transfer_pairs
                cells += [Cell(s, t, task, name, protocol) for s, t in cell_pairs]
    if (
        "fine_tune" in protocols
        and transfer_pairs
        and not any(c.protocol == "fine_tune" for c in cells)
    ):
        raise ValueError(
            "protocols: 'fine_tune' needs an estimator with a warm_start_from "
            "parameter (a skgait CNN, e.g. estimators={'acf_cnn': 'acf_cnn'}); none of "
            f"{sorted({n for n, _ in estimators})} has one."
        )
    _check_shapes(entries, cells)
    return Plan(cells)
