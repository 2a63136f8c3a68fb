"""Time the default cross-dataset grid and check that its tables do not change.

Usage::

    python benchmarks/bench_grid.py                      # time it, print the tables
    python benchmarks/bench_grid.py --save ref.json      # ... and save the scores
    python benchmarks/bench_grid.py --compare ref.json   # ... and compare with them
    python benchmarks/bench_grid.py --baseline f178daf   # time commit f178daf first,
                                                         # print the ratio, compare tables

It runs what ``skgait grid`` runs without ``--config``: the built-in grid
(:func:`~skgait.experiments.default_config`) on the data home
(``--data-home``, default ``$SKGAIT_DATA``), with MLflow tracking into a
temporary SQLite store and the CSV in a temporary folder, so that no cell is
read back from an earlier run. The wall time counts everything ``skgait
grid`` does: finding the datasets, loading, windowing, every cell and the
tracking.

``--save`` writes every cell's scores and sizes (the numbers behind the
tables, not the timings); ``--compare`` reports each cell whose numbers
differ from a saved file, and exits with 1 if any does.
``bench_grid_f178daf.json`` holds the numbers of commit f178daf (before the
grid did its work once) on the project's data home.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The skgait tree to time: this checkout, or the one ``--baseline`` set up.
sys.path.insert(0, os.environ.get("SKGAIT_BENCH_CODE") or str(ROOT))

from skgait.cli._common import print_tables  # noqa: E402
from skgait.experiments import _cells, default_config  # noqa: E402

#: Columns of a result row that are not the cell's numbers: its coordinates
#: (the cell key), timings and bookkeeping. A baseline tree older than these
#: column groups saves every column; the comparison keeps this tree's.
NOT_COMPARED = {
    *getattr(_cells, "KEY_COLUMNS", ()),
    *getattr(_cells, "RUN_COLUMNS", ()),
    *getattr(_cells, "TIMING_COLUMNS", ()),
}
#: Columns of a result row that the tables are made of.
COMPARED = tuple(c for c in _cells.ROW_COLUMNS if c not in NOT_COMPARED)


def run_default_grid(data_home, n_jobs):
    """Run the default grid in a temporary MLflow store; ``(results, seconds)``."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = default_config(data_home=data_home)
            grid = config.to_grid(
                data_home=data_home,
                **({} if n_jobs is None else {"n_jobs": n_jobs}),
                tracking=True,
                tracking_uri=f"sqlite:///{Path(tmp) / 'mlflow.db'}",
                results_path=Path(tmp) / "grid_results.csv",
                progress=False,
            )
            results = grid.run()
        return results, time.perf_counter() - start


def cell_numbers(results):
    """``{cell key: {column: value}}`` of the compared columns."""
    out = {}
    for row in results.to_dict("records"):
        values = {}
        for column in COMPARED:
            value = row.get(column)
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            values[column] = value
        out[row["cell_key"]] = values
    return out


#: Estimator names of the default grid before the grid and the search shared
#: one vocabulary (the same pipelines): old cell-key part → new.
RENAMED = {"estimator=random_forest|": "estimator=acf_rf|", "estimator=cnn|": "estimator=acf_cnn|"}


def _renamed(key):
    for old, new in RENAMED.items():
        key = key.replace(old, new)
    return key


def compare(numbers, reference):
    """Lines describing every difference between two ``cell_numbers``.

    Cell keys of the reference are renamed (:data:`RENAMED`); a column that
    only one side has (a column added since) is not a difference.
    """
    reference = {_renamed(k): v for k, v in reference.items()}
    lines = []
    for key in sorted(set(numbers) | set(reference)):
        if key not in reference:
            lines.append(f"{key}: not in the reference")
        elif key not in numbers:
            lines.append(f"{key}: missing from this run")
        else:
            for column in set(numbers[key]) & set(reference[key]):
                a, b = numbers[key][column], reference[key][column]
                if a != b:
                    lines.append(f"{key}: {column} = {a!r}, reference {b!r}")
    return lines


def report(differences, reference, n_cells):
    """Print the differences from ``reference`` or that there is none; the exit status."""
    if differences:
        print(f"{len(differences)} difference(s) from {reference}:")
        print("\n".join(differences))
        return 1
    print(f"Tables identical to {reference} ({n_cells} cells).")
    return 0


def time_baseline(rev, data_home, n_jobs, folder):
    """Run this benchmark on commit ``rev`` (a temporary git worktree) in a subprocess.

    Returns
    -------
    numbers : dict
        Its :func:`cell_numbers`.
    seconds : float
        Its grid time.
    """
    tree = Path(folder) / "baseline"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), rev],
        check=True,
    )
    try:
        saved, timed = Path(folder) / "numbers.json", Path(folder) / "seconds.txt"
        command = [sys.executable, __file__, "--save", str(saved), "--seconds-to", str(timed)]
        if data_home:
            command += ["--data-home", data_home]
        if n_jobs is not None:
            command += ["--n-jobs", str(n_jobs)]
        subprocess.run(
            command,
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "SKGAIT_BENCH_CODE": str(tree)},
        )
        return json.loads(saved.read_text()), float(timed.read_text())
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SKGAIT_DATA"))
    parser.add_argument(
        "--n-jobs", type=int, default=None, help="cells in parallel (default: the configuration's)"
    )
    parser.add_argument("--save", metavar="JSON", help="save the cells' numbers")
    parser.add_argument("--compare", metavar="JSON", help="compare with saved numbers")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="first time the same grid at git commit REV, then print the ratio "
        "and compare the tables with it",
    )
    parser.add_argument("--seconds-to", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.baseline:
        with tempfile.TemporaryDirectory() as tmp:
            base_numbers, base_seconds = time_baseline(
                args.baseline, args.data_home, args.n_jobs, tmp
            )
    results, seconds = run_default_grid(args.data_home, args.n_jobs)
    print_tables(results, metric="all")
    print(f"\nDefault grid: {len(results)} cells in {seconds:.1f} s ({os.cpu_count()} CPUs)")
    if args.seconds_to:
        Path(args.seconds_to).write_text(f"{seconds!r}\n")
    numbers = cell_numbers(results)
    if args.baseline:
        print(
            f"Baseline {args.baseline}: {base_seconds:.1f} s; this tree: {seconds:.1f} s; "
            f"{base_seconds / seconds:.2f}x faster (same machine, same run)."
        )
        if report(compare(numbers, base_numbers), f"{args.baseline}'s", len(numbers)):
            return 1
    if args.save:
        Path(args.save).write_text(json.dumps(numbers, indent=1, sort_keys=True) + "\n")
        print(f"Saved {len(numbers)} cells to {args.save}")
    if args.compare:
        reference = json.loads(Path(args.compare).read_text())
        return report(compare(numbers, reference), args.compare, len(numbers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
