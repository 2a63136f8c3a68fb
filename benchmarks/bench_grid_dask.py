"""Time the default grid on a local Dask cluster against the sequential run.

Usage::

    python benchmarks/bench_grid_dask.py               # 2 workers of 1 thread
    python benchmarks/bench_grid_dask.py --workers 4

It runs the built-in grid (what ``skgait grid`` runs without ``--config``,
see ``bench_grid.py``) twice in one process: first sequentially
(``n_jobs=1``), then with its cells on a ``distributed.LocalCluster`` of
``--workers`` worker processes through joblib's dask backend (what
``skgait grid --dask ADDRESS`` does). It prints both wall times, their ratio,
and checks that the two tables are identical. The cluster's start is not
timed; sending the windows to the workers is.
"""

import argparse
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_grid import cell_numbers, compare, report, run_default_grid  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SKGAIT_DATA"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster
    from joblib import parallel_config

    sequential, sequential_seconds = run_default_grid(args.data_home, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with (
            LocalCluster(n_workers=args.workers, threads_per_worker=1) as cluster,
            Client(cluster),
            parallel_config(backend="dask"),
        ):
            on_dask, dask_seconds = run_default_grid(args.data_home, n_jobs=-1)
    print(
        f"Default grid, {len(sequential)} cells ({os.cpu_count()} CPUs): sequential "
        f"{sequential_seconds:.1f} s; {args.workers}-worker LocalCluster {dask_seconds:.1f} s; "
        f"{sequential_seconds / dask_seconds:.2f}x faster (same machine, same run)."
    )
    differences = compare(cell_numbers(on_dask), cell_numbers(sequential))
    return report(differences, "the sequential run's", len(sequential))


if __name__ == "__main__":
    sys.exit(main())
