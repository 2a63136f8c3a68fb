"""Parameter count and CPU inference latency of every skgait network.

Every :class:`torch.nn.Module` exported by :mod:`skgait.models` is built for
windows of ``--channels`` × ``--times`` (default: 6 IMU axes × 128 samples,
2.56 s at 50 Hz) and timed in eval mode, without gradients, at batch 1 and
batch 256. Latencies are per window (median of ``--repeats`` runs) and are
compared with :class:`~skgait.models.networks.BioDeepCNN`.

Run::

    python benchmarks/bench_networks.py [--threads 1]
"""

import argparse
import inspect
import time

import torch
from torch import nn

import skgait.models as models

TASKS = {"subject": 38, "sex": 2, "age": 1}


def _networks(n_channels, n_timepoints):
    """(name, module) for every nn.Module class in skgait.models."""
    out = []
    for name in models.__all__:
        cls = getattr(models, name)
        if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
            continue
        params = inspect.signature(cls).parameters
        if name == "MultiTaskNetwork":
            out.append(
                ("MultiTaskNetwork (default, 3 tasks)", cls(n_channels, n_timepoints, TASKS))
            )
            out.append(
                (
                    "MultiTaskNetwork (separable, 3 tasks)",
                    cls(n_channels, n_timepoints, TASKS, features="separable"),
                )
            )
            continue
        kwargs = {"n_channels": n_channels, "n_timepoints": n_timepoints, "n_outputs": 1}
        kwargs = {k: v for k, v in kwargs.items() if k in params}
        out.append((name, cls(**kwargs)))
    return out


def _latency(module, x, repeats):
    module.eval()
    times = []
    with torch.inference_mode():
        for _ in range(3):
            module(x)
        for _ in range(repeats):
            start = time.perf_counter()
            module(x)
            times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] / len(x)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--times", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rows = []
    for name, module in _networks(args.channels, args.times):
        n_params = sum(p.numel() for p in module.parameters())
        lat1 = _latency(module, torch.randn(1, args.channels, args.times), args.repeats)
        lat256 = _latency(
            module, torch.randn(256, args.channels, args.times), max(5, args.repeats // 5)
        )
        rows.append((name, n_params, lat1 * 1e6, lat256 * 1e6))
    ref = next(r for r in rows if r[0] == "BioDeepCNN")
    print(
        f"windows: {args.channels} channels x {args.times} samples; "
        f"torch {torch.__version__}, {torch.get_num_threads()} CPU thread(s)"
    )
    header = (
        f"{'network':40s} {'params':>8s} {'x BioDeep':>9s} "
        f"{'us/win b=1':>11s} {'x BioDeep':>9s} {'us/win b=256':>13s} {'x BioDeep':>9s}"
    )
    print(header)
    print("-" * len(header))
    for name, n, l1, l256 in rows:
        print(
            f"{name:40s} {n:8d} {n / ref[1]:9.2f} {l1:11.1f} {l1 / ref[2]:9.2f} "
            f"{l256:13.2f} {l256 / ref[3]:9.2f}"
        )
    return rows


if __name__ == "__main__":
    main()
