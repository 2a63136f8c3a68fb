"""Benchmark skgait's ACFTransformer against the Python ecosystem.

Usage::

    python benchmarks/bench_acf.py            # X of shape (20000, 6, 500)
    python benchmarks/bench_acf.py --quick    # (2000, 6, 500)
    python benchmarks/bench_acf.py --smoke    # tiny, for the test suite

For float64 and float32 windows and lags 10 and 100 it times

- skgait's :class:`~skgait.features.ACFTransformer` (best of a few repeats
  after a warm-up call that compiles the numba kernel);
- ``X.sum()`` on the same array, the read-bandwidth baseline;
- a NumPy loop over lags, vectorised over windows;
- aeon's ``AutocorrelationFunctionTransformer``, statsmodels' ``acf`` per
  series and tsfresh's ``autocorrelation`` per series and lag. Those that are
  too slow for the whole array are timed on a subset and scaled linearly to
  the full size (marked ``*``); missing packages are skipped with a message.

It checks agreement with BioDeep eq. 1-2 where the definitions match:
statsmodels ``acf(adjusted=False, fft=False)`` is eq. 1-2; tsfresh divides by
``(n - h) * var`` instead of ``n * var`` (so eq. 1-2 times ``n / (n - h)``);
aeon computes a Pearson correlation of ``x[:-h]`` and ``x[h:]`` (means and
variances of the two overlapping segments), compared with a NumPy Pearson
reference. Peak extra memory is measured with ``tracemalloc`` (NumPy
allocations) and reported next to the size of the output.
"""

import argparse
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skgait.features import ACFTransformer  # noqa: E402


def best_time(func, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def scaled_time(func, n_subset, n_total, repeats=1):
    """Time ``func`` on ``n_subset`` windows and scale to ``n_total``."""
    return best_time(func, repeats) * n_total / n_subset


def peak_extra_bytes(func):
    tracemalloc.start()
    tracemalloc.reset_peak()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def eq12(X, lags):
    """BioDeep eq. 1-2, NumPy, one vectorised product per lag."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[-1]
    xc = X - X.mean(axis=-1, keepdims=True)
    g = np.empty(X.shape[:-1] + (lags + 1,))
    for h in range(lags + 1):
        g[..., h] = np.einsum("...t,...t->...", xc[..., h:], xc[..., : n - h])
    return g[..., 1:] / g[..., :1]


def pearson_lagged(X, lags):
    """Pearson correlation of x[:-h] and x[h:] (aeon's definition)."""
    X = np.asarray(X, dtype=np.float64)
    out = np.empty(X.shape[:-1] + (lags,))
    for h in range(1, lags + 1):
        a, b = X[..., :-h], X[..., h:]
        a = a - a.mean(axis=-1, keepdims=True)
        b = b - b.mean(axis=-1, keepdims=True)
        out[..., h - 1] = (a * b).sum(-1) / np.sqrt((a * a).sum(-1) * (b * b).sum(-1))
    return out


def baselines():
    """name -> (callable(X, lags) -> (n, c, lags) array, subset size, note)."""
    found = {}
    try:
        from aeon.transformations.collection import AutocorrelationFunctionTransformer

        def run_aeon(X, lags):
            return AutocorrelationFunctionTransformer(n_lags=lags).fit_transform(X)

        found["aeon"] = run_aeon
    except ImportError as exc:
        print(f"aeon not installed, skipped ({exc})")
    try:
        from statsmodels.tsa.stattools import acf as sm_acf

        def run_statsmodels(X, lags):
            flat = X.reshape(-1, X.shape[-1])
            out = np.array([sm_acf(x, nlags=lags, adjusted=False, fft=False)[1:] for x in flat])
            return out.reshape(X.shape[0], X.shape[1], lags)

        found["statsmodels"] = run_statsmodels
    except ImportError as exc:
        print(f"statsmodels not installed, skipped ({exc})")
    try:
        from tsfresh.feature_extraction.feature_calculators import autocorrelation

        def run_tsfresh(X, lags):
            flat = X.reshape(-1, X.shape[-1])
            out = np.array([[autocorrelation(x, h) for h in range(1, lags + 1)] for x in flat])
            return out.reshape(X.shape[0], X.shape[1], lags)

        found["tsfresh"] = run_tsfresh
    except ImportError as exc:
        print(f"tsfresh not installed, skipped ({exc})")
    return found


def numpy_loop(X, lags):
    return eq12(X, lags)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="2000 windows")
    size.add_argument("--smoke", action="store_true", help="tiny run for tests")
    args = parser.parse_args(argv)
    if args.smoke:
        n_windows, n_timepoints, repeats, all_lags = 40, 128, 1, (10,)
        subsets = {"numpy": 40, "aeon": 40, "statsmodels": 4, "tsfresh": 2}
    elif args.quick:
        n_windows, n_timepoints, repeats, all_lags = 2000, 500, 3, (10, 100)
        subsets = {"numpy": 2000, "aeon": 500, "statsmodels": 50, "tsfresh": 10}
    else:
        n_windows, n_timepoints, repeats, all_lags = 20000, 500, 5, (10, 100)
        subsets = {"numpy": 2000, "aeon": 2000, "statsmodels": 200, "tsfresh": 20}
    n_channels = 6
    import numba

    print(
        f"X: ({n_windows}, {n_channels}, {n_timepoints}); numba threads: "
        f"{numba.get_num_threads()}; best of {repeats} after a warm-up call"
    )
    rng = np.random.default_rng(0)
    X64 = rng.standard_normal((n_windows, n_channels, n_timepoints))
    # A gait-like offset (gravity on acc_z) to exercise centring.
    X64[:, 2] += 9.81
    others = baselines()
    rows = []
    for dtype in (np.float64, np.float32):
        X = X64.astype(dtype)
        read_s = best_time(X.sum, repeats + 2)
        read_bw = X.nbytes / read_s
        print(
            f"\n{np.dtype(dtype).name}: X.sum() {read_s * 1e3:.1f} ms = "
            f"{read_bw / 1e9:.1f} GB/s read bandwidth ({X.nbytes / 1e6:.0f} MB)"
        )
        for lags in all_lags:
            est = ACFTransformer(lags=lags).fit(X[:2])
            est.transform(X[:2])  # compile
            t_skgait = best_time(lambda: est.transform(X), repeats)
            peak = peak_extra_bytes(lambda: est.transform(X))
            out = est.transform(X).reshape(n_windows, n_channels, lags)
            out_bytes = out.nbytes
            check = min(n_windows, 200)
            ref = eq12(X[:check], lags)
            err = np.abs(out[:check] - ref).max()
            rows.append(
                (np.dtype(dtype).name, lags, "skgait", t_skgait, "", err, peak, out_bytes, 1.0)
            )
            # NumPy per-lag loop.
            sub = subsets["numpy"]
            t = scaled_time(lambda: numpy_loop(X[:sub], lags), sub, n_windows)
            peak_np = peak_extra_bytes(lambda: numpy_loop(X[: min(sub, 500)], lags))
            peak_np *= sub / min(sub, 500) * n_windows / sub
            rows.append(
                (
                    np.dtype(dtype).name,
                    lags,
                    "numpy loop",
                    t,
                    "*" if sub < n_windows else "",
                    0.0,
                    peak_np,
                    out_bytes,
                    t / t_skgait,
                )
            )
            for name, func in others.items():
                sub = min(subsets[name], n_windows)
                Xs = X[:sub]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    func(Xs[:1], lags)  # warm-up (aeon compiles numba)
                    res = func(Xs, lags)
                    t = scaled_time(lambda: func(Xs, lags), sub, n_windows)
                if name == "aeon":
                    err_b = np.abs(res - pearson_lagged(Xs, lags)).max()
                    note = "vs Pearson(x[:-h], x[h:])"
                    diff_eq12 = np.abs(res - eq12(Xs, lags)).max()
                    note += f"; vs eq.1-2 {diff_eq12:.2g}"
                elif name == "tsfresh":
                    scale = n_timepoints / (n_timepoints - np.arange(1, lags + 1))
                    err_b = np.abs(res - eq12(Xs, lags) * scale).max()
                    note = "vs eq.1-2 * n/(n-h)"
                else:
                    err_b = np.abs(res - eq12(Xs, lags)).max()
                    note = "vs eq.1-2"
                rows.append(
                    (
                        np.dtype(dtype).name,
                        lags,
                        name,
                        t,
                        "*" if sub < n_windows else "",
                        err_b,
                        np.nan,
                        out_bytes,
                        t / t_skgait,
                        note,
                    )
                )
            print_rows(rows, X.nbytes, read_bw, read_s, dtype, lags)
    print(
        "\n* timed on a subset of windows and scaled linearly to "
        f"{n_windows} windows. ratio = baseline time / skgait time. "
        "peak extra = tracemalloc peak of NumPy allocations during the call."
    )
    if not args.smoke:
        compare_methods(repeats)
    return 0


#: (n_timepoints, lags) where ``method`` matters: gait windows, then whole
#: recordings (about 40 s at 100 Hz) with up to 20 s of lags.
METHOD_SIZES = ((500, 10), (500, 100), (4096, 300), (4096, 1000), (4096, 2000))


def compare_methods(repeats, n_series=1200):
    """Time ``method="direct"``, ``"fft"`` and ``"auto"`` against direct.

    Whether the FFT kernel and the automatic choice earn their code: the
    direct kernel wins on gait windows; the FFT only on long series with
    many lags, where ``"auto"`` should pick it.
    """
    rng = np.random.default_rng(0)
    print(f"\nmethod (float64, {n_series} series): time and ratio to direct")
    print(f"  {'n_timepoints':>12} {'lags':>5} {'direct s':>9} {'fft':>12} {'auto':>12}")
    for n_timepoints, lags in METHOD_SIZES:
        X = rng.standard_normal((n_series // 6, 6, n_timepoints))
        times = {}
        for method in ("direct", "fft", "auto"):
            est = ACFTransformer(lags=lags, method=method).fit(X[:2])
            est.transform(X[:2])  # compile
            times[method] = best_time(lambda: est.transform(X), repeats)
        d = times["direct"]
        print(
            f"  {n_timepoints:>12} {lags:>5} {d:9.3f} "
            + " ".join(f"{times[m]:6.3f} {times[m] / d:4.2f}x" for m in ("fft", "auto"))
        )


def print_rows(rows, nbytes, read_bw, read_s, dtype, lags):
    sel = [r for r in rows if r[0] == np.dtype(dtype).name and r[1] == lags]
    print(f"\n  lags={lags}")
    print(
        f"  {'method':<12} {'time (s)':>10} {'GB/s':>7} {'% read BW':>9} "
        f"{'x slower':>9} {'peak extra MB':>13} {'output MB':>9}  max |diff|"
    )
    for row in sel:
        name, t, star, err, peak, out_bytes, ratio = (
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
        )
        note = row[9] if len(row) > 9 else ("vs eq.1-2" if name == "skgait" else "(reference)")
        peak_s = f"{peak / 1e6:13.1f}" if np.isfinite(peak) else f"{'-':>13}"
        print(
            f"  {name:<12} {t:>9.4f}{star or ' '} {nbytes / t / 1e9:7.2f} "
            f"{100 * read_s / t:8.0f}% {ratio:9.1f} {peak_s} {out_bytes / 1e6:9.1f}  "
            f"{err:.2g} {note}"
        )


if __name__ == "__main__":
    sys.exit(main())
