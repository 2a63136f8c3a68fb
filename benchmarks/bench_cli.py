"""Start-up time of the ``skgait`` command line.

Times ``skgait --help`` and each subcommand's ``--help`` (the interpreter's
start included, as a user waits for it), the median of ``--repeat`` runs,
against two baselines measured in the same run:

- ``python -c pass``: the interpreter alone, the floor of any command;
- ``python -c "import sklearn"``: what every help paid when the command line
  imported scikit-learn (and pandas) up front.

It prints the seconds, the ratio to each baseline and whether the target of
1 s per help holds. Usage::

    python benchmarks/bench_cli.py [--repeat 7]
"""

import argparse
import statistics
import subprocess
import sys
import time

from skgait.cli import SUBCOMMANDS

TARGET_S = 1.0


def _seconds(args, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (median)")
    args = parser.parse_args(argv)

    interpreter = _seconds(["-c", "pass"], args.repeat)
    sklearn = _seconds(["-c", "import sklearn"], args.repeat)
    print(f"baseline python -c pass:       {interpreter:6.3f} s")
    print(f"baseline python -c 'import sklearn': {sklearn:6.3f} s")
    print(
        f"\n{'command':<22} {'seconds':>8} {'/ python':>9} {'/ sklearn':>10}  target <= {TARGET_S} s"
    )
    for command in [[], *([name] for name in SUBCOMMANDS)]:
        seconds = _seconds(["-m", "skgait.cli", *command, "--help"], args.repeat)
        label = " ".join(["skgait", *command, "--help"])
        verdict = "met" if seconds <= TARGET_S else "NOT MET"
        print(
            f"{label:<22} {seconds:8.3f} {seconds / interpreter:8.2f}x "
            f"{seconds / sklearn:9.2f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
