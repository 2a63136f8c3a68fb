"""Heel strikes from a lower-back IMU: skgait's detect_steps against scikit-digital-health.

Usage::

    python benchmarks/bench_steps.py
    python benchmarks/bench_steps.py --skdh-python /work/skdhvenv/bin/python

On the 38 lower-back (L5) recordings of the IPOL healthy-gait set (19
subjects, 2 trials each, whole recordings: standing, 10 m walk, U-turn,
walk back, stop) the reference heel strikes are the ends of the annotated
footsteps of both feet. A detected event matches a reference within ±50 ms,
one to one (:func:`skgait.datasets.score_steps`, counts pooled over the
recordings). For each method it prints precision, recall, F1 and the median
|error| of the matched pairs, on all 38 recordings and on the even-numbered
subjects, which took no part in choosing detect_steps' defaults (chosen on
the odd-numbered ones), then the F1 ratio of skgait to skdh and the time per
recording, and last the F1 with a strict |error| < 50 ms and the F1 counting
only the events inside the walks (the trial boundaries: from the start to
the end of walking, U-turn included).

Methods:

- ``skgait``: :func:`skgait.datasets.detect_steps` with its defaults;
- ``skgait, search=0`` (a control): the vertical-acceleration peaks alone,
  without the forward-acceleration timing;
- ``skdh``: ``skdh.gait.GaitLumbar`` of scikit-digital-health (default
  settings, AP-CWT initial contacts after its quality checks, the whole
  recording as one gait bout), run in the interpreter given by
  ``--skdh-python`` (skdh is not a dependency of skgait; install it in its
  own environment) through ``_skdh_gait_events.py``; skipped with a message
  without it.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skgait.datasets import detect_steps, load_ipol_healthy_gait, score_steps  # noqa: E402
from skgait.datasets._base import STANDARD_GRAVITY  # noqa: E402
from skgait.datasets._steps import _footstep_ends  # noqa: E402

HERE = Path(__file__).resolve().parent
TOLERANCE = 0.05
#: |error| < 50 ms, i.e. at most 4 samples at 100 Hz.
STRICT = 0.049


def best_time(func, repeats=3):
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def skdh_events(python, recordings):
    """``(initial contacts per recording, seconds)`` from skdh, or None with a message."""
    if python is None:
        print("skdh: skipped (pass --skdh-python PATH, an interpreter with scikit-digital-health)")
        return None
    if not Path(python).is_file():
        print(f"skdh: skipped ({python} does not exist)")
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.npz", Path(folder) / "out.npz"
        accelerations = {
            f"acc_{i}": r.signal[:, :3].astype(np.float64) / STANDARD_GRAVITY
            for i, r in enumerate(recordings)
        }
        np.savez(source, rate=recordings[0].rate, **accelerations)
        run = subprocess.run(
            [python, str(HERE / "_skdh_gait_events.py"), str(source), str(target)],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            print(f"skdh: skipped (it failed: {run.stderr.strip().splitlines()[-1:]})")
            return None
        version = subprocess.run(
            [python, "-c", "import skdh; print(skdh.__version__)"], capture_output=True, text=True
        ).stdout.strip()
        print(f"skdh: scikit-digital-health {version} in {python}")
        out = np.load(target)
        return [out[f"ic_{i}"] for i in range(len(recordings))], float(out["seconds"])


def report(name, detected, reference, subsets):
    cells = []
    for indices in subsets.values():
        s = score_steps(
            [detected[i] for i in indices], [reference[i] for i in indices], 100.0, TOLERANCE
        )
        cells.append(
            f"{s['precision']:9.3f} {s['recall']:6.3f} {s['f1']:6.3f} "
            f"{1000 * s['median_abs_error_s']:6.0f}"
        )
    print(f"{name:<20}" + "   ".join(cells))
    return score_steps(detected, reference, 100.0, TOLERANCE)["f1"]


def variants(name, detected, reference, recordings):
    """F1 on all recordings with a strict tolerance, and inside the walks only."""
    strict = score_steps(detected, reference, 100.0, STRICT)["f1"]

    def walk(events):
        bounds = [r.segments["trial"] for r in recordings]
        return [e[(e >= start) & (e < end)] for e, (start, end) in zip(events, bounds)]

    walking = score_steps(walk(detected), walk(reference), 100.0, TOLERANCE)["f1"]
    print(f"{name:<20}{strict:>22.3f}{walking:>26.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skdh-python", help="Python interpreter with scikit-digital-health installed"
    )
    args = parser.parse_args(argv)

    recordings = load_ipol_healthy_gait().select(placement="waist")
    reference = [_footstep_ends(r) for r in recordings]
    subsets = {
        f"all {len(recordings)} recordings": range(len(recordings)),
        "even subjects (held out)": [
            i for i, r in enumerate(recordings) if int(r.subject) % 2 == 0
        ],
    }
    seconds, detected = best_time(lambda: [detect_steps(r) for r in recordings])
    _, vertical = best_time(lambda: [detect_steps(r, search=0) for r in recordings], 1)
    peer = skdh_events(args.skdh_python, recordings)

    print(f"\nHeel strikes within ±{1000 * TOLERANCE:.0f} ms of IPOL's annotated footstep ends")
    head = "precision recall     F1  |e|ms"
    print(" " * 20 + "   ".join(f"{k:<30}" for k in subsets))
    print(" " * 20 + "   ".join(head for _ in subsets))
    f1 = report("skgait", detected, reference, subsets)
    report("skgait, search=0", vertical, reference, subsets)
    per_recording = f"skgait {1000 * seconds / len(recordings):.1f} ms"
    methods = {"skgait": detected, "skgait, search=0": vertical}
    if peer is not None:
        peer_f1 = report("skdh GaitLumbar", peer[0], reference, subsets)
        methods["skdh GaitLumbar"] = peer[0]
        print(f"\nF1 ratio skgait / skdh (all recordings): {f1 / peer_f1:.2f}")
        per_recording += (
            f", skdh {1000 * peer[1] / len(recordings):.1f} ms "
            f"(ratio skdh / skgait {peer[1] / seconds:.0f})"
        )
    print(f"Time per recording: {per_recording}")

    print(f"\nF1, all {len(recordings)} recordings: |error| < 50 ms; ±50 ms inside the walks only")
    print(" " * 20 + f"{'F1 (< 50 ms)':>22}{'F1 (TrialBoundaries)':>26}")
    for name, events in methods.items():
        variants(name, events, reference, recordings)


if __name__ == "__main__":
    main()
