"""A grid's results table: built from cell rows, written to and read from CSV.

The table has one row per cell, in the order of the grid's cells, with the
columns of :data:`~skgait.experiments._cells.ROW_COLUMNS`. The CSV is
rewritten atomically after every cell, so that an interrupted grid loses no
finished cell, and read back to resume one.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..tracking import read_results_csv
from ..tracking._grid import INTEGER_COLUMNS
from ._cells import ROW_COLUMNS

__all__ = ["finished_rows", "results_table", "write_results_csv"]


def finished_rows(path):
    """The FINISHED rows of a grid table, by (cell key, config hash).

    An unreadable file gives none, with a warning: its cells are computed
    again rather than read back wrong.
    """
    if path is None or not Path(path).is_file():
        return {}
    try:
        table = read_results_csv(path)
    except (OSError, ValueError) as exc:  # pandas' ParserError is a ValueError
        warnings.warn(
            f"Could not read back {path} ({exc}); its cells are computed again.",
            UserWarning,
            stacklevel=3,
        )
        return {}
    if not {"cell_key", "config_hash", "status"} <= set(table.columns):
        return {}
    finished = table[table["status"] == "FINISHED"]
    columns = [c for c in finished.columns if c in ROW_COLUMNS]
    # plain values in the rows: a missing count as NaN, not pandas' NA
    finished = finished[columns].astype(object)
    finished = finished.where(finished.notna(), np.nan)
    return {(row["cell_key"], row["config_hash"]): row for row in finished.to_dict("records")}


def write_results_csv(table, path):
    """Write ``table`` to ``path`` atomically (a temporary file, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    table.to_csv(tmp, index=False)
    os.replace(tmp, path)


def results_table(rows, cells):
    """The table of ``rows`` (cell key → row), in the order of ``cells``.

    Columns missing from every row are NaN, counts are nullable integers;
    ``speed_up`` is computed.
    """
    order = {c.key: i for i, c in enumerate(cells)}
    table = pd.DataFrame([rows[k] for k in sorted(rows, key=order.get)])
    for column in ROW_COLUMNS:
        if column not in table:
            table[column] = np.nan
    table = table[list(ROW_COLUMNS)]
    # As objects: a column that no row fills is float NaN, which pandas will
    # not fill with a string or a bool.
    table["error"] = table["error"].astype(object).fillna("").astype(str)
    table["cached"] = table["cached"].astype(object).fillna(False).astype(bool)
    for column in INTEGER_COLUMNS:
        table[column] = pd.to_numeric(table[column]).astype("Int64")
    return _add_speed_up(table)


def _add_speed_up(table):
    """``speed_up`` of fine_tune rows: scratch fit time / fine-tune time."""
    table = table.copy()
    table["speed_up"] = np.nan
    scratch = table[(table["protocol"] == "scratch") & (table["status"] == "FINISHED")]
    key = ["source", "target", "task", "estimator"]
    times = scratch.set_index(key)["fit_seconds"]
    for i, r in table[table["protocol"] == "fine_tune"].iterrows():
        k = tuple(r[key])
        if k in times.index and r["fine_tune_seconds"] and np.isfinite(r["fine_tune_seconds"]):
            table.loc[i, "speed_up"] = float(times.loc[k]) / float(r["fine_tune_seconds"])
    return table
