"""Work a grid does once and shares between its cells.

- Per-window features: the leading steps of a pipeline that map each window
  on its own (:class:`~skgait.features.WindowCrop`,
  :class:`~skgait.features.ACFTransformer`: their ``fit`` only records the
  input's shape) give the same rows whichever windows they are
  fitted on, so they are computed once per dataset entry and configuration,
  and every cell fits the remaining steps on their output.
- ``scratch`` cells: training from scratch on the target's subject-wise folds
  is the target's ``within`` cell (same folds, same estimator), so a scratch
  cell's scores are read from that cell instead of being computed again.
"""

from __future__ import annotations

import time

from sklearn.base import clone
from sklearn.pipeline import Pipeline

from ..features import ACFTransformer, WindowCrop
from ..tracking import stable_repr
from ..tracking._grid import DETAIL_KEYS
from ._cells import SCORE_COLUMNS, SIZE_COLUMNS, check_target, new_row

__all__ = ["SharedFeatures", "assemble", "scratch_from_within", "split_per_window"]

#: Transformers whose ``fit`` learns nothing from the values and whose
#: ``transform`` maps each window on its own (exact types, not subclasses).
_PER_WINDOW = (WindowCrop, ACFTransformer)

#: Columns of a ``within`` row that its target's ``scratch`` cells share.
_SHARED_COLUMNS = ("status", "error", *SCORE_COLUMNS, "fit_seconds", *SIZE_COLUMNS, *DETAIL_KEYS)


def split_per_window(estimator):
    """``(head, tail)``: the leading per-window steps of a pipeline and the rest.

    Parameters
    ----------
    estimator : estimator

    Returns
    -------
    head : list of (str, transformer)
        Leading steps whose types are in ``_PER_WINDOW``; empty for anything
        else than a plain :class:`~sklearn.pipeline.Pipeline` (one with
        ``memory`` or ``transform_input`` is kept whole).
    tail : estimator
        What is fitted on the head's output: the last step alone, a
        pipeline of the remaining steps, or ``estimator`` when ``head`` is
        empty.
    """
    if (
        not isinstance(estimator, Pipeline)
        or estimator.memory is not None
        or getattr(estimator, "transform_input", None) is not None
    ):
        return [], estimator
    head = []
    for name, step in estimator.steps[:-1]:
        if type(step) not in _PER_WINDOW:
            break
        head.append((name, step))
    if not head:
        return [], estimator
    rest = estimator.steps[len(head) :]
    tail = rest[0][1] if len(rest) == 1 else Pipeline(rest, verbose=estimator.verbose)
    return head, tail


class SharedFeatures:
    """Output of per-window steps, computed once per entry and configuration."""

    def __init__(self):
        self._cache = {}

    def transform(self, label, X, head):
        """``(fitted_head, features)`` of the windows ``X`` of entry ``label``."""
        if not head:
            return [], X
        key = (
            label,
            tuple(
                (name, type(step).__name__, stable_repr(step.get_params())) for name, step in head
            ),
        )
        if key not in self._cache:
            fitted = []
            for name, step in head:
                step = clone(step)
                X = step.fit_transform(X)
                fitted.append((name, step))
            self._cache[key] = fitted, X
        return self._cache[key]


def assemble(estimator, fitted_head, model):
    """The fitted pipeline ``estimator``: ``fitted_head`` then the fitted tail."""
    if not fitted_head or model is None:
        return model
    n_tail = len(estimator.steps) - len(fitted_head)
    tail = model.steps if n_tail > 1 else [(estimator.steps[-1][0], model)]
    pipeline = clone(estimator)
    pipeline.steps = [*fitted_head, *tail]
    return pipeline


def scratch_from_within(cell, within, kind, source, n_splits):
    """The row of a ``scratch`` cell from the ``within`` row of its target.

    The source must still be usable (a known target of at least two
    classes), as when the cell is computed: otherwise the row is FAILED
    with that error.
    """
    row = new_row(cell)
    start = time.perf_counter()
    row["n_windows"], row["n_subjects"] = within.get("n_windows"), within.get("n_subjects")
    try:
        _, ys, gs = source
        check_target(kind, ys, gs, n_splits, cell.source, cv=False)
    except ValueError as exc:
        row.update(status="FAILED", error=f"{type(exc).__name__}: {exc}")
    else:
        row.update({k: within[k] for k in _SHARED_COLUMNS if k in within})
    row["seconds"] = time.perf_counter() - start
    return row
