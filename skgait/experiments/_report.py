"""Tables and heatmaps of a grid, laid out like BioDeep's Tables 1–2.

Rows are the training (source) dataset, columns the testing (target)
dataset. The diagonal holds the within-dataset subject-wise score
(``protocol="within"``); off-diagonal cells hold one transfer protocol
(``direct``, ``fine_tune`` or ``scratch``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._registry import METRICS, PROTOCOLS, TASKS

__all__ = ["format_table", "plot_heatmaps", "results_tables"]


def _order(values, preferred=()):
    seen = list(dict.fromkeys(values))
    return [v for v in preferred if v in seen] + [v for v in seen if v not in preferred]


def _metrics_of(task):
    kind = TASKS.get(task, (None, "classification"))[1]
    return METRICS[kind]


def results_tables(results, metric=None):
    """Source × target tables of a grid, one per task, metric, estimator, protocol.

    Parameters
    ----------
    results : DataFrame
        Table returned by :meth:`CrossDatasetGrid.run` (or read back).
    metric : str or None, default=None
        Only this metric (``"accuracy"``, ``"balanced_accuracy"``,
        ``"mae"``); None gives every metric of each task.

    Returns
    -------
    tables : dict of (task, metric, estimator, protocol) to DataFrame
        Rows: training dataset; columns: testing dataset. Each transfer
        protocol's table has the ``within`` scores on its diagonal; the
        ``leaky`` table has only a diagonal. When the grid has no transfer
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
            if "leaky" in present:
                protocols.append("leaky")
            for protocol in protocols:
                for m in metrics:
                    if m not in sub:
                        continue
                    table = pd.DataFrame(np.nan, index=labels, columns=labels)
                    table.index.name, table.columns.name = "train", "test"
                    diag = "leaky" if protocol == "leaky" else "within"
                    for _, r in sub[sub["protocol"] == diag].iterrows():
                        table.loc[r["source"], r["target"]] = r[m]
                    if protocol in transfer:
                        for _, r in sub[sub["protocol"] == protocol].iterrows():
                            table.loc[r["source"], r["target"]] = r[m]
                    keep = table.notna().any(axis=1) | table.notna().any(axis=0)
                    if keep.any():
                        tables[(task, m, estimator, protocol)] = table.loc[keep, keep]
    return tables


def format_table(table, metric):
    """A table as text: accuracies in %, MAE in years."""
    if metric == "mae":
        return table.to_string(float_format=lambda v: f"{v:.2f}", na_rep="-")
    return (100 * table).to_string(float_format=lambda v: f"{v:.1f}", na_rep="-")


def colour_limits(metric, tables):
    """One colour scale for every panel of a metric, so that colours compare.

    Accuracies (in %) span 0-100 whatever the values; a MAE spans 0 to the
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
        return 0.0, 100.0
    values = np.concatenate([t.to_numpy(dtype=float).ravel() for t in tables])
    finite = values[np.isfinite(values)]
    return 0.0, float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def plot_heatmaps(results, directory):
    """Write one heatmap PNG per task and metric, a panel per estimator × protocol.

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
    paths = []
    for task, metric in dict.fromkeys((k[0], k[1]) for k in tables):
        panels = [(k[2], k[3], t) for k, t in tables.items() if k[:2] == (task, metric)]
        n = len(panels)
        cols = min(n, 3)
        rows = -(-n // cols)
        size = max(len(t) for _, _, t in panels)
        # at least as wide as the title (one small panel would cut it)
        fig = Figure(figsize=(max(6.0, cols * (2.2 + 0.9 * size)), rows * (1.8 + 0.8 * size)))
        scale = 1.0 if metric == "mae" else 100.0
        cmap = "viridis_r" if metric == "mae" else "viridis"
        vmin, vmax = colour_limits(metric, [t for _, _, t in panels])
        for i, (estimator, protocol, table) in enumerate(panels):
            ax = fig.add_subplot(rows, cols, i + 1)
            values = table.to_numpy(dtype=float) * scale
            image = ax.imshow(
                np.ma.masked_invalid(values), cmap=cmap, aspect="auto", vmin=vmin, vmax=vmax
            )
            ax.set_xticks(range(table.shape[1]), table.columns, rotation=30, ha="right", fontsize=8)
            ax.set_yticks(range(table.shape[0]), table.index, fontsize=8)
            ax.set_xlabel("test")
            ax.set_ylabel("train")
            ax.set_title(f"{estimator} · {protocol}", fontsize=9)
            for (r, c), v in np.ndenumerate(values):
                if np.isfinite(v):
                    bright = image.norm(v) > 0.6  # light cells of viridis: dark text
                    if metric == "mae":
                        bright = not bright
                    ax.text(
                        c,
                        r,
                        f"{v:.1f}" if scale == 100 else f"{v:.2f}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="k" if bright else "w",
                    )
            fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        unit = "years" if metric == "mae" else "%"
        fig.suptitle(f"{task}: {metric} ({unit}); rows = training, columns = testing")
        fig.tight_layout()
        path = directory / f"heatmap_{task}_{metric}.png"
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths
