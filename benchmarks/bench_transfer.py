"""BioDeep cross-testing, in full: training time and scores, scratch vs fine-tuned.

Runs the experiment of ``examples/transfer_learning.py`` (read its
docstring for the protocol and what the numbers mean) with all windows of
every subject, several seeds, and a convergence measurement:

- pairs: HuGaDB right foot ↔ IPOL right foot, SisFall waist ↔ IPOL waist
  (both directions); windows of 2.56 s at 50 Hz, 50 % overlap;
  ``ACFTransformer(lags=10, output="3d")`` → BioDeep CNN (batch 10, Adam,
  lr 1e-3);
- for each (source → target, task ∈ {gender, age}) and seed: the source
  CNN trained on all source subjects for ``--epochs`` epochs; on each of
  ``--n-splits`` subject-wise target folds: scratch for ``--epochs``
  epochs, fine-tuned from the source features for ``--fine-tune-epochs``,
  scratch for ``--fine-tune-epochs`` (control), majority / median
  baseline, and scratch with early stopping (validation on 25 % of the
  training subjects, patience 5, at most 100 epochs) to measure how many
  epochs training from scratch needs;
- reported: accuracy (gender) or MAE in years (age) on held-out subjects,
  averaged over folds and seeds, the target training wall time (sum over
  folds, mean over seeds), the wall-time ratio scratch / fine-tune, the
  ratio at the convergence epoch, and whether BioDeep's claim (≥ 20× at a
  cost ≤ 1.4 accuracy points / ≤ 1.2 years) is met. The spread of the
  fold scores and the gender balanced accuracy are printed below.

Both sides of every ratio are measured in the same run, on one PyTorch
thread (``torch.set_num_threads(1)``), so machine load affects both.

Usage::

    python benchmarks/bench_transfer.py                 # 2 seeds, ~10 min on 2 cores
    python benchmarks/bench_transfer.py --seeds 0 --no-convergence --max-windows 30
    python benchmarks/bench_transfer.py --csv transfer.csv   # per-fold results
"""

import argparse
import importlib.util
import time
from pathlib import Path

import pandas as pd
import torch

_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "transfer_learning.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("transfer_learning", _EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument(
        "--epochs", type=int, default=30, help="epochs from scratch (source and target), default 30"
    )
    parser.add_argument("--fine-tune-epochs", type=int, default=3)
    parser.add_argument("--n-splits", type=int, default=3)
    parser.add_argument(
        "--max-windows",
        type=int,
        default=None,
        help="at most this many windows per subject (default: all)",
    )
    parser.add_argument(
        "--no-convergence", action="store_true", help="skip the early-stopping runs"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--csv", type=Path, help="write the per-fold results here")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    ex = _load_example()
    start = time.perf_counter()
    print(
        f"BioDeep cross-testing: {args.epochs} epochs from scratch vs "
        f"{args.fine_tune_epochs} of fine-tuning, {args.n_splits} subject-wise folds, "
        f"seeds {args.seeds}, windows per subject: {args.max_windows or 'all'}, "
        f"{args.threads} torch thread(s).",
        flush=True,
    )
    results = ex.run(
        seeds=args.seeds,
        max_windows_per_subject=args.max_windows,
        max_epochs=args.epochs,
        fine_tune_epochs=args.fine_tune_epochs,
        n_splits=args.n_splits,
        convergence=not args.no_convergence,
    )
    if args.csv:
        results.to_csv(args.csv, index=False)

    table = ex.summarize(results, max_epochs=args.epochs, fine_tune_epochs=args.fine_tune_epochs)
    print()
    ex.print_summary(table, max_epochs=args.epochs, fine_tune_epochs=args.fine_tune_epochs)

    # Spread over folds and seeds, and gender balanced accuracy.
    spread = results.pivot_table(
        index=["source", "target", "task"],
        columns="model",
        values="score",
        aggfunc="std",
        sort=False,
    )
    print("\nStandard deviation of the fold scores (over folds and seeds):")
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(spread.to_string())
        gender = results[results["task"] == "gender"]
        if len(gender):
            bal = gender.pivot_table(
                index=["source", "target"], columns="model", values="balanced_accuracy", sort=False
            )
            print("\nGender balanced accuracy on held-out subjects (chance 0.5):")
            print(bal.to_string())
    sources = results.groupby(["source", "task"])["source_fit_s"].mean()
    print("\nSource training (once per seed, not counted in the ratio), seconds:")
    print(sources.round(1).to_string())
    print(f"\nFinished in {time.perf_counter() - start:.0f} s.")
    return table


if __name__ == "__main__":
    main()
