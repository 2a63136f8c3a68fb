"""Tables and heatmaps of a grid, laid out like BioDeep's Tables 1–2.

Rows are the training (source) dataset, columns the testing (target)
dataset. The diagonal holds the within-dataset subject-wise score
(``protocol="within"``); off-diagonal cells hold one transfer protocol
(``direct``, ``fine_tune`` or ``scratch``). A cell reads
``0.74 [0.61, 0.86]``: the score and its 95 % interval over subjects
(:func:`~skgait.metrics.subject_interval`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._vocabulary import METRICS, PROTOCOLS, TASK_TARGETS

__all__ = ["format_table", "plot_heatmaps", "results_tables"]


def _order(values, preferred=()):
    seen = list(dict.fromkeys(values))
    return [v for v in preferred if v in seen] + [v for v in seen if v not in preferred]


def _metrics_of(task):
    kind = TASK_TARGETS.get(task, (None, "classification"))[1]
    return METRICS[kind]


def results_tables(results, metric=None, *, column="{metric}"):
    """Source × target tables of a grid, one per task, metric, estimator, protocol.

    Parameters
    ----------
    results : DataFrame
        Table returned by :meth:`CrossDatasetGrid.run` (or read back).
    metric : str or None, default=None
        Only this metric (``"accuracy"``, ``"balanced_accuracy"``,
        ``"mae"``); None gives every metric of each task.
    column : str, default="{metric}"
        The column shown, as a template of the metric's name:
        ``"{metric}_low"`` and ``"{metric}_high"`` give the bounds of the
        95 % intervals over subjects, ``"baseline_{metric}"`` the majority
        class (median age) on the same folds.

    Returns
    -------
    tables : dict of (task, metric, estimator, protocol) to DataFrame
        Rows: training dataset; columns: testing dataset. Each transfer
        protocol's table has the ``within`` scores on its diagonal; the
        ``leaky_window`` table has only a diagonal. When the grid has no transfer
        protocol, a ``within`` table holds the diagonal alone. Failed or
        missing cells are NaN.
    """
    ok = results[results["status"] == "FINISHED"] if "status" in results else results
    labels = _order(list(results["source"]) + list(results["target"]))
    transfer = [p for p, (where, _) in PROTOCOLS.items() if where == "transfer"]
    tables = {}
    for task in _order(results["task"]):
        metrics = [m for m in _metrics_of(task) if metric in (None, m)]
        for estimator in _order(results["estimator"]):
            sub = ok[(ok["task"] == task) & (ok["estimator"] == estimator)]
            present = set(
                results[(results["task"] == task) & (results["estimator"] == estimator)]["protocol"]
            )
            protocols = [p for p in transfer if p in present]
            if not protocols and "within" in present:
                protocols = ["within"]
            if "leaky_window" in present:
                protocols.append("leaky_window")
            for protocol in protocols:
                for m in metrics:
                    shown = column.format(metric=m)
                    if shown not in sub:
                        continue
                    table = pd.DataFrame(np.nan, index=labels, columns=labels)
                    table.index.name, table.columns.name = "train", "test"
                    diag = "leaky_window" if protocol == "leaky_window" else "within"
                    for _, r in sub[sub["protocol"] == diag].iterrows():
                        table.loc[r["source"], r["target"]] = r[shown]
                    if protocol in transfer:
                        for _, r in sub[sub["protocol"] == protocol].iterrows():
                            table.loc[r["source"], r["target"]] = r[shown]
                    keep = table.notna().any(axis=1) | table.notna().any(axis=0)
                    if keep.any():
                        tables[(task, m, estimator, protocol)] = table.loc[keep, keep]
    return tables


def cell_text(value, low=np.nan, high=np.nan, sep=" "):
    """One cell as text: ``0.74 [0.61, 0.86]`` (the interval when known), ``-`` if missing."""
    if not np.isfinite(value):
        return "-"
    if np.isfinite(low) and np.isfinite(high):
        return f"{value:.2f}{sep}[{low:.2f}, {high:.2f}]"
    return f"{value:.2f}"


def format_table(table, low=None, high=None):
    """A table as text, each cell ``0.74 [0.61, 0.86]``.

    Parameters
    ----------
    table : DataFrame
        A table of :func:`results_tables` (accuracies as fractions, MAE in
        years).
    low, high : DataFrame, optional
        The tables of the interval's bounds (``results_tables(...,
        column="{metric}_low")``); without them, bare scores.

    Returns
    -------
    text : str
    """
    low = table * np.nan if low is None else low.reindex_like(table)
    high = table * np.nan if high is None else high.reindex_like(table)
    text = pd.DataFrame(
        [
            [cell_text(v, lo, hi) for v, lo, hi in zip(*rows)]
            for rows in zip(table.to_numpy(float), low.to_numpy(float), high.to_numpy(float))
        ],
        index=table.index,
        columns=table.columns,
    )
    return text.to_string()


def colour_limits(metric, tables):
    """One colour scale for every panel of a metric, so that colours compare.

    Accuracies span 0-1 whatever the values; a MAE spans 0 to the
    largest value of all the panels (a panel of its own would stretch its
    few values over the whole colour map).

    Parameters
    ----------
    metric : str
        ``"mae"``, or an accuracy metric.
    tables : list of DataFrame
        The panels' tables (fractions for accuracies, years for MAE).

    Returns
    -------
    vmin, vmax : float
    """
    if metric != "mae":
        return 0.0, 1.0
    values = np.concatenate([t.to_numpy(dtype=float).ravel() for t in tables])
    finite = values[np.isfinite(values)]
    return 0.0, float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def plot_heatmaps(results, directory):
    """Write one heatmap PNG per task and metric, a panel per estimator × protocol.

    Each cell is annotated with its score and, below it, its 95 % interval
    over subjects; each panel's title gives the chance level (majority
    class, median age) of its diagonal.

    Parameters
    ----------
    results : DataFrame
        A grid table.
    directory : str or path-like
        Folder for the PNG files (created).

    Returns
    -------
    paths : list of pathlib.Path
        ``heatmap_<task>_<metric>.png`` files.
    """
    # A bare Figure renders PNG with the Agg canvas: no pyplot, no GUI, no
    # global backend switch.
    from matplotlib.figure import Figure

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = results_tables(results)
    lows = results_tables(results, column="{metric}_low")
    highs = results_tables(results, column="{metric}_high")
    chance = results_tables(results, column="baseline_{metric}")
    paths = []
    for task, metric in dict.fromkeys((k[0], k[1]) for k in tables):
        panels = [(k, t) for k, t in tables.items() if k[:2] == (task, metric)]
        n = len(panels)
        cols = min(n, 3)
        rows = -(-n // cols)
        size = max(len(t) for _, t in panels)
        # at least as wide as the title (one small panel would cut it)
        fig = Figure(figsize=(max(6.0, cols * (2.6 + 1.3 * size)), rows * (2.0 + 0.9 * size)))
        cmap = "viridis_r" if metric == "mae" else "viridis"
        vmin, vmax = colour_limits(metric, [t for _, t in panels])
        for i, (key, table) in enumerate(panels):
            estimator, protocol = key[2:]
            ax = fig.add_subplot(rows, cols, i + 1)
            values = table.to_numpy(dtype=float)
            low, high = (
                t[key].reindex_like(table).to_numpy(float) if key in t else values * np.nan
                for t in (lows, highs)
            )
            image = ax.imshow(
                np.ma.masked_invalid(values), cmap=cmap, aspect="auto", vmin=vmin, vmax=vmax
            )
            ax.set_xticks(range(table.shape[1]), table.columns, rotation=30, ha="right", fontsize=8)
            ax.set_yticks(range(table.shape[0]), table.index, fontsize=8)
            ax.set_xlabel("test")
            ax.set_ylabel("train")
            title = f"{estimator} · {protocol}"
            if key in chance:
                base = np.diag(chance[key].reindex_like(table).to_numpy(float))
                if np.isfinite(base).any():
                    title += f"\nchance (diagonal) {np.nanmin(base):.2f}–{np.nanmax(base):.2f}"
            ax.set_title(title, fontsize=9)
            for (r, c), v in np.ndenumerate(values):
                if np.isfinite(v):
                    bright = image.norm(v) > 0.6  # light cells of viridis: dark text
                    if metric == "mae":
                        bright = not bright
                    ax.text(
                        c,
                        r,
                        cell_text(v, low[r, c], high[r, c], sep="\n"),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="k" if bright else "w",
                    )
            fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        unit = "years" if metric == "mae" else "fraction"
        fig.suptitle(
            f"{task}: {metric} ({unit}) [95 % interval over subjects]; "
            "rows = training, columns = testing"
        )
        fig.tight_layout()
        path = directory / f"heatmap_{task}_{metric}.png"
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths
