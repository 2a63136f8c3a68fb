"""Training throughput of the BioDeep CNN: skgait vs skorch defaults vs plain PyTorch.

Trains the default :class:`skgait.models.networks.BioDeepCNN` (binary output) on
``N`` ACF-like windows of shape (6, 10) for a few epochs, at several batch
sizes, three ways:

- ``skgait``: ``GaitCNNClassifier`` with its defaults (in-memory
  ``TensorBatchLoader``, shuffled, skorch callbacks and history on);
- ``skorch``: ``skorch.NeuralNetClassifier`` with its defaults
  (``DataLoader`` over ``skorch.dataset.Dataset``, per-sample collation, no
  shuffling) and the same module, Adam, lr, ``train_split=None``;
- ``torch``: a hand-written loop: tensors, ``torch.randperm`` shuffling and
  slicing, no DataLoader, no callbacks, PyTorch defaults (per-tensor Adam,
  oneDNN convolutions);
- ``torch+``: the same loop with skgait's two kernel choices (fused Adam,
  native CPU convolutions below batch 32), so that ``torch+/skgait``
  isolates the cost of skorch's machinery (callbacks, history).

For each thread setting (1 thread and PyTorch's default, through
:func:`torch.set_num_threads`) and batch size it prints samples per second
and the ratios of speeds skgait/skorch (target >= 1.4 at batch 128 with the
default threads), torch/skgait and torch+/skgait (target <= 1.1). Each
figure is the median of interleaved runs (every runner once per round), so
that a load that drifts on a shared machine hits all of them alike; the
load average is printed before and after. On a loaded machine,
``--clock cpu`` times the process's CPU time instead of the wall time; at
1 thread that is the work done, whatever the load (with several threads it
also counts threads that wait busily).

Usage::

    python benchmarks/bench_cnn_training.py            # N=20000, 3 epochs, 3 rounds
    python benchmarks/bench_cnn_training.py --quick    # N=2000, 2 epochs, 1 round
    python benchmarks/bench_cnn_training.py --threads 1 --batch-sizes 10
"""

import argparse
import os
import statistics
import time

import numpy as np
import torch
from skorch import NeuralNetClassifier
from torch import nn

from skgait.models import GaitCNNClassifier
from skgait.models.networks import BioDeepCNN


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6, 10)).astype(np.float32)
    X[:, :, 0] = 1.0  # ACF at lag 0
    y = (X[:, 0, 1] + 0.5 * rng.normal(size=n) > 0).astype(np.int64)
    return X, y


#: Clock of every run: wall time, or the process's CPU time (all threads),
#: which another process's load affects far less (``--clock cpu``).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


def run_skgait(X, y, batch_size, epochs):
    est = GaitCNNClassifier(batch_size=batch_size, max_epochs=epochs, random_state=0)
    start = clock()
    est.fit(X, y)
    return clock() - start


def run_skorch(X, y, batch_size, epochs):
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        BioDeepCNN,
        module__n_channels=X.shape[1],
        module__n_timepoints=X.shape[2],
        module__n_outputs=2,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=batch_size,
        max_epochs=epochs,
        train_split=None,
        verbose=0,
    )
    start = clock()
    net.fit(X, y)
    return clock() - start


def run_torch(X, y, batch_size, epochs, tuned=False):
    torch.manual_seed(0)
    start = clock()
    model = BioDeepCNN(X.shape[1], X.shape[2], 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=tuned)
    previous = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = not (tuned and batch_size < 32)
    try:
        _torch_loop(model, optimizer, X, y, batch_size, epochs)
    finally:
        torch.backends.mkldnn.enabled = previous
    return clock() - start


def run_torch_tuned(X, y, batch_size, epochs):
    return run_torch(X, y, batch_size, epochs, tuned=True)


def _torch_loop(model, optimizer, X, y, batch_size, epochs):
    loss_fn = nn.BCEWithLogitsLoss()
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.float32))
    n = len(Xt)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n)
        Xs, ys = Xt[perm], yt[perm]
        for i in range(0, n, batch_size):
            xb, yb = Xs[i : i + batch_size], ys[i : i + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(xb)[:, 0], yb)
            loss.backward()
            optimizer.step()
            loss.item()  # as a training loop that logs the loss would


RUNNERS = {
    "skgait": run_skgait,
    "skorch": run_skorch,
    "torch": run_torch,
    "torch+": run_torch_tuned,
}

#: (numerator, denominator, target) of every printed ratio of speeds; a target
#: of None is informative only.
RATIOS = (
    ("skgait", "skorch", 1.4),
    ("torch", "skgait", None),
    ("torch+", "skgait", 1.1),
)


def measure(X, y, batch_size, epochs, repeats):
    """Median seconds of each runner over ``repeats`` interleaved rounds."""
    times = {name: [] for name in RUNNERS}
    for _ in range(repeats):  # round-robin: load drifts hit all alike
        for name, runner in RUNNERS.items():
            times[name].append(runner(X, y, batch_size, epochs))
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N=2000, 2 epochs, 1 repeat")
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[10, 128, 512])
    parser.add_argument("--repeats", type=int, default=3, help="median of this many runs")
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, torch.get_num_threads()],
        help="torch.set_num_threads settings (default: 1 and torch's default)",
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall time, or CPU time on a loaded machine (at 1 thread)",
    )
    args = parser.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]
    if args.quick:
        args.n, args.epochs, args.repeats = 2000, 2, 1

    X, y = make_data(args.n)
    print(
        f"N={args.n} windows of (6, 10), {args.epochs} epochs, median of "
        f"{args.repeats} interleaved runs, {args.clock} clock, torch {torch.__version__}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    header = f"{'threads':>7} {'batch':>6} " + " ".join(f"{name + '/s':>9}" for name in RUNNERS)
    header += " " + " ".join(f"{a + '/' + b:>14}" for a, b, _ in RATIOS)
    print(header)
    rows = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        for runner in RUNNERS.values():  # warm-up: first-call costs (kernels, imports)
            runner(X[:200], y[:200], 10, 1)
        for batch_size in args.batch_sizes:
            seconds = measure(X, y, batch_size, args.epochs, args.repeats)
            rate = {name: args.n * args.epochs / s for name, s in seconds.items()}
            ratios = {(a, b): rate[a] / rate[b] for a, b, _ in RATIOS}
            rows.append((threads, batch_size, rate, ratios))
            line = f"{threads:>7} {batch_size:>6} "
            line += " ".join(f"{rate[name]:>9.0f}" for name in RUNNERS)
            line += " " + " ".join(f"{ratios[a, b]:>14.2f}" for a, b, _ in RATIOS)
            print(line, flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    targets = ", ".join(
        f"{a}/{b} {'>=' if a == 'skgait' else '<='} {t}" for a, b, t in RATIOS if t is not None
    )
    print(f"targets: {targets} (skgait/skorch at batch 128, default threads)")
    return rows


if __name__ == "__main__":
    main()
