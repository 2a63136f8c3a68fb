"""Helpers shared by the subcommands: printing grid tables, the metric option.

Nothing here imports :mod:`skgait.experiments` (scikit-learn, pandas) until a
command runs, so that ``--help`` stays fast.
"""


def _metric_name(value):
    """``--metric``'s type: a metric of a grid's table or ``"all"`` (checked only when given)."""
    import argparse

    from ..experiments import METRIC_FUNCTIONS

    names = [*METRIC_FUNCTIONS, "all"]
    if value not in names:
        raise argparse.ArgumentTypeError(
            f"invalid metric {value!r} (choose from {', '.join(names)})"
        )
    return value


def print_tables(results, metric=None, file=None):
    """Print source × target tables (rows = training, columns = testing).

    Each cell reads ``0.74 [0.61, 0.86]``: the score and its 95 % interval
    over subjects; a line under each table gives the chance level (majority
    class or median age on the same folds) of each target.
    """
    from ..experiments import DEFAULT_METRICS, TASK_TARGETS, format_table, results_tables

    tables = results_tables(results)
    lows, highs, chance = (
        results_tables(results, column=c)
        for c in ("{metric}_low", "{metric}_high", "baseline_{metric}")
    )
    for key, table in tables.items():
        task, m, estimator, protocol = key
        wanted = metric or DEFAULT_METRICS[TASK_TARGETS.get(task, ("", "classification"))[1]]
        if m != wanted and metric != "all":
            continue
        unit = "years" if m == "mae" else "fraction"
        diag = "leaky_window" if protocol == "leaky_window" else "within"
        print(
            f"\n{task} — {m} ({unit}) [95 % interval over subjects] — {estimator} — "
            f"off-diagonal: {protocol}, diagonal: {diag} (rows = training, columns = testing)",
            file=file,
        )
        print(format_table(table, lows.get(key), highs.get(key)), file=file)
        if key in chance:
            level = chance[key].reindex_like(table)
            print(
                f"chance on the diagonal ({'median age' if m == 'mae' else 'majority class'}, "
                "same folds): "
                + ", ".join(
                    f"{t} {level.loc[t, t]:.2f}"
                    for t in table.index
                    if level.loc[t, t] == level.loc[t, t]
                ),
                file=file,
            )
    ft = results[(results["protocol"] == "fine_tune") & results["speed_up"].notna()]
    if len(ft):
        print(
            f"\nfine_tune speed-up (scratch fit time / fine-tune time): median "
            f"{ft['speed_up'].median():.1f}x over {len(ft)} cells "
            f"(min {ft['speed_up'].min():.1f}x, max {ft['speed_up'].max():.1f}x)",
            file=file,
        )
    failed = results[results["status"] != "FINISHED"]
    if len(failed):
        print(f"\n{len(failed)} cell(s) FAILED:", file=file)
        for _, r in failed.iterrows():
            print(
                f"  {r['task']}:{r['estimator']}:{r['protocol']}:{r['source']}->{r['target']}: "
                f"{r['error']}",
                file=file,
            )


def add_metric_argument(parser):
    parser.add_argument(
        "--metric",
        type=_metric_name,
        metavar="METRIC",
        default=None,
        help="metric of the printed tables: accuracy or balanced_accuracy (default) for "
        "gender, mae (default) for age; 'all' prints every metric",
    )
