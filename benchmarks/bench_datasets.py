"""Data-layer benchmark: cold parse, cached reload and windowing of all shared datasets.

Every figure is printed as a ratio against the same baseline measured in the
same run: ``pandas.read_csv(file)`` with default options on every data file the
loaders read (``json.loads`` for IPOL's JSON metadata). Targets (issue 2, 2-core machine): cold parse no slower than the
baseline, cached reload of everything under 1 s, peak memory of a cold parse
under 3x the parsed float32 size.

Usage::

    SKGAIT_DATA=../shared/data python benchmarks/bench_datasets.py
"""

import argparse
import gc
import json
import os
import tempfile
import time
import tracemalloc

import pandas as pd

from skgait.datasets import (
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    load_umafall,
    make_windows,
)
from skgait.datasets._home import get_data_home

LOADERS = {
    "hugadb": (load_hugadb, ["**/HuGaDB_v1_*.txt"], "HuGaDB"),
    "sisfall": (load_sisfall, ["S*/D0*.txt"], "SisFall"),
    "ipol": (load_ipol_healthy_gait, ["GaitData/*.txt", "GaitData/*.json"], "IPOL_HealthyGait"),
    "umafall": (load_umafall, ["UMAFall_*.csv"], "UMAFall"),
}


def _files():
    home = get_data_home()
    files = []
    for _, patterns, folder in LOADERS.values():
        for pattern in patterns:
            files.extend(sorted((home / folder).glob(pattern)))
    return files


def _timed(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _load_all(cache):
    return {name: loader(cache=cache) for name, (loader, _, _) in LOADERS.items()}


def _pandas_baseline(files):
    for file in files:
        if file.suffix == ".json":
            json.loads(file.read_text())  # IPOL metadata: the standard library
        else:
            pd.read_csv(file)


def _window_all(datasets):
    n = 0
    for ds in datasets.values():
        for placement in ds.placements:
            channels = {r.channels for r in ds.select(placement=placement)}
            X, _ = make_windows(ds, placement=placement, rate=50.0, length=2.56,
                                overlap=0.5, channels=min(channels, key=len))
            n += len(X)
    return n


def main(repeats=3):
    files = _files()
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"{len(files)} files, {size_mb:.1f} MB, data home {get_data_home()}")
    os.environ["SKGAIT_CACHE"] = tempfile.mkdtemp(prefix="skgait-bench-cache-")
    _load_all(cache=False)  # compile the parser once (numba caches it on disk)

    t_pandas, _ = _timed(lambda: _pandas_baseline(files), repeats)
    t_cold, datasets = _timed(lambda: _load_all(cache=False), repeats)
    _load_all(cache=True)  # fill the cache
    t_warm, _ = _timed(lambda: _load_all(cache=True), repeats)
    t_win, n_windows = _timed(lambda: _window_all(datasets), repeats)

    parsed = sum(r.signal.astype("float32", copy=False).nbytes
                 for ds in datasets.values() for r in ds.recordings)
    del datasets
    gc.collect()
    tracemalloc.start()
    datasets = _load_all(cache=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rows = [
        ("pandas.read_csv defaults (baseline)", t_pandas, ""),
        ("cold parse, all datasets", t_cold, "target <= 1.0x"),
        ("cached reload, all datasets", t_warm, "target < 1 s"),
        (f"windowing, 50 Hz 2.56 s 50 % ({n_windows} windows)", t_win, ""),
    ]
    print(f"\n{'step':<48} {'seconds':>8} {'x baseline':>11}  note")
    for name, seconds, note in rows:
        print(f"{name:<48} {seconds:8.3f} {seconds / t_pandas:10.2f}x  {note}")
    print(f"\nparsed float32 size {parsed / 1e6:.1f} MB; peak traced memory of a cold "
          f"parse {peak / 1e6:.1f} MB = {peak / parsed:.2f}x (target < 3x)")
    verdicts = {
        "cold parse no slower than pandas": t_cold <= t_pandas,
        "cached reload under 1 s": t_warm < 1.0,
        "peak memory under 3x parsed size": peak < 3 * parsed,
    }
    for name, ok in verdicts.items():
        print(f"{'PASS' if ok else 'MISS'}: {name}")
    return verdicts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    main(parser.parse_args().repeats)
