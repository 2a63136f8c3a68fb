"""Initial contacts of scikit-digital-health's lumbar gait pipeline, for bench_steps.py.

Run by bench_steps.py in the interpreter given by ``--skdh-python`` (skdh
is not a dependency of skgait)::

    python _skdh_gait_events.py IN.npz OUT.npz

``IN.npz`` holds ``rate`` and ``acc_<i>`` arrays of shape (n_samples, 3) in
g; ``OUT.npz`` receives ``ic_<i>``, the sample indices of the initial
contacts (heel strikes) that ``skdh.gait.GaitLumbar`` (default settings,
AP-CWT events) keeps after its quality checks, the whole recording taken as
one gait bout, and ``seconds``, the time spent in ``GaitLumbar`` (import
and file input/output left out).
"""

import sys
import time
import warnings

import numpy as np
from skdh.gait import GaitLumbar


def initial_contacts(acc, rate):
    stamps = 1.7e9 + np.arange(len(acc)) / rate  # skdh expects unix timestamps
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = GaitLumbar().predict(time=stamps, accel=acc, fs=rate, gait_pred=True)
    ic_time = np.asarray(results["IC Timestamp"], dtype=np.float64)
    return np.round((ic_time - stamps[0]) * rate).astype(np.int64)


def main(source, target):
    data = np.load(source)
    rate = float(data["rate"])
    start = time.perf_counter()
    events = {
        "ic_" + key[4:]: initial_contacts(data[key], rate)
        for key in data.files
        if key.startswith("acc_")
    }
    np.savez(target, seconds=time.perf_counter() - start, **events)


if __name__ == "__main__":
    main(*sys.argv[1:3])
