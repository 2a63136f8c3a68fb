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
    """Print source × target tables (rows = training, columns = testing)."""
    from ..experiments import DEFAULT_METRICS, TASKS, format_table, results_tables

    tables = results_tables(results)
    for (task, m, estimator, protocol), table in tables.items():
        wanted = metric or DEFAULT_METRICS[TASKS.get(task, ("", "classification"))[1]]
        if m != wanted and metric != "all":
            continue
        unit = "years" if m == "mae" else "%"
        diag = "leaky" if protocol == "leaky" else "within"
        print(
            f"\n{task} — {m} ({unit}) — {estimator} — off-diagonal: {protocol}, "
            f"diagonal: {diag} (rows = training, columns = testing)",
            file=file,
        )
        print(format_table(table, m), file=file)
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
