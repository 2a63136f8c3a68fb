"""SisFall slow ↔ fast identification with the enrolment replayed at other speeds.

Prints the speed-augmentation table of ``docs/identification.md``. The
enrolment trial of every person (slow walk D01 or fast walk D02) holds one
walking speed, so the identity model's within-person covariance never sees
a change of speed, which is what the probe trial differs by. Every
training recording is also replayed ``a = 0.85`` and ``1.15`` times as fast
(time axis scaled by ``a``; acceleration's deviation from the recording's
mean scaled by ``a**2``, rotation rate by ``a``: the same motion played at
another speed), cut on the same window grid and added with the person's
label. Probes are untouched and re-mounted (``random_remount``, seed 0, one
rotation per recording); accuracy per probe recording (mean window
probabilities). Each walk is rebuilt from its half-overlapping windows, and
three window grids are scored: overlapping by half, apart (the 1st, 3rd,
... windows) and apart on the grid shifted by half a window (the 2nd, 4th,
...). Exploration on the reported probes: the factors were fixed before
the run and not tuned. About 15 minutes on two shared cores.

Usage::

    python benchmarks/bench_speed_augmentation.py
"""

import argparse
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from skgait.datasets import (
    GaitDataset,
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    make_windows,
    random_remount,
    replay_at_speed,
)
from skgait.features import CrossCorrelationFeatures, TimeDerivative, WalkingFrame
from skgait.pipelines import make_gait_pipeline

FACTORS = (0.85, 1.15)
LENGTH, STEP = 128, 64


def walks(X, ids, starts):
    """Each recording's signal rebuilt from its half-overlapping windows."""
    out = {}
    for r in np.unique(ids):
        rows = np.flatnonzero(ids == r)
        rows = rows[np.argsort(starts[rows])]
        if not np.allclose(np.diff(starts[rows]), STEP / 50.0):
            raise ValueError(f"{r}: windows are not contiguous")
        out[r] = np.concatenate([X[rows[0]]] + [X[k][:, LENGTH - STEP :] for k in rows[1:]], 1)
    return out


def replay(signal, a):
    """The walk played ``a`` times as fast (accelerometer channels first)."""
    n = signal.shape[1]
    t = np.arange(0, (n - 1) / a, 1.0) * a
    out = np.stack([np.interp(t, np.arange(n), c) for c in signal])
    mean = out[:3].mean(axis=1, keepdims=True)
    out[:3] = mean + a**2 * (out[:3] - mean)
    out[3:] = a * out[3:]
    return out


def cut(signal):
    return np.stack(
        [signal[:, s : s + LENGTH] for s in range(0, signal.shape[1] - LENGTH + 1, STEP)]
    )


def models():
    derivatives = make_union(
        make_gait_pipeline("identity").steps[0][1],
        make_pipeline(
            WalkingFrame(step_range=(0.24, 0.8), rate=50.0),
            TimeDerivative(rate=50.0),
            CrossCorrelationFeatures(lags=tuple(range(1, 9)), gravity_channels=None),
        ),
    )
    return {
        "recommended": make_gait_pipeline("identity"),
        "+ derivative correlations": make_pipeline(
            derivatives,
            StandardScaler(),
            LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
        ),
    }


def main():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X, meta = make_windows(load_sisfall(), placement="waist", overlap=0.5)
    meta = meta.reset_index(drop=True)
    ids = (meta["subject"].astype(str) + "/" + meta["recording"].astype(str)).to_numpy()
    starts = meta["start_s"].to_numpy()
    order = meta.groupby(ids)["start_s"].rank(method="first").to_numpy().astype(int) - 1
    trial, subject = meta["trial"].astype(str).to_numpy(), meta["subject"].astype(str).to_numpy()
    signals = walks(X, ids, starts)
    print("| windows | direction | model | plain | speed-augmented | probes |")
    print("|---|---|---|---|---|---|")
    grids = {"overlapping by half": None, "apart": 0, "apart, grid shifted 1.28 s": 1}
    for grid, parity in grids.items():
        keep = np.ones(len(X), bool) if parity is None else order % 2 == parity
        for train_trial, test_trial in (("D01", "D02"), ("D02", "D01")):
            train, test = keep & (trial == train_trial), keep & (trial == test_trial)
            X_probe = random_remount(X[test], ids[test], random_state=0)[0]
            extra, extra_y = [], []
            for r in np.unique(ids[train]):
                for a in FACTORS:
                    w = cut(replay(signals[r], a))
                    w = w if parity is None else w[parity::2]
                    extra.append(w)
                    extra_y += [r.split("/")[0]] * len(w)
            X_aug = np.concatenate([X[train], *extra]).astype(np.float32)
            y_aug = np.concatenate([subject[train], extra_y])
            recordings = np.unique(ids[test])
            for name, model in models().items():
                accuracy = []
                for Xf, yf in ((X[train], subject[train]), (X_aug, y_aug)):
                    fitted = clone(model).fit(Xf, yf)
                    proba = fitted.predict_proba(X_probe)
                    correct = [
                        fitted.classes_[np.argmax(proba[ids[test] == r].mean(0))] == r.split("/")[0]
                        for r in recordings
                    ]
                    accuracy.append(np.mean(correct))
                print(
                    f"| {grid} | {train_trial} → {test_trial} | {name} | {accuracy[0]:.3f} | "
                    f"{accuracy[1]:.3f} | {len(recordings)} |",
                    flush=True,
                )


def out_of_sample():
    """IPOL and HuGaDB (not explored): the enrolment recordings replayed before windowing."""
    import bench_identity as bench  # the splits, re-mounting and intervals of bench_identity.py

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ipol, hugadb = load_ipol_healthy_gait(), load_hugadb()
    sets = [
        ("IPOL right foot", ipol, "right_foot", {"segment": "trial"}, [("1", "2"), ("2", "1")]),
        ("IPOL lower back", ipol, "waist", {"segment": "trial"}, [("1", "2"), ("2", "1")]),
        ("HuGaDB right thigh", hugadb, "right_thigh", {}, ["last file", "file before last"]),
    ]
    print(
        "| data | direction | model | recordings: plain | speed-augmented | "
        "windows (mean per recording): plain | speed-augmented | probes | chance |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, dataset, placement, kwargs, directions in sets:

        def windows(data, placement=placement, kwargs=kwargs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # NaN windows dropped
                return make_windows(data, placement=placement, overlap=0.5, **kwargs)

        X, meta = windows(dataset)
        subject = meta["subject"].astype(str).to_numpy()
        ids = (meta["subject"].astype(str) + "/" + meta["recording"].astype(str)).to_numpy()
        for direction, cv, columns in bench.splits(meta, directions):
            train, test = next(cv.split(X, groups=meta[columns].to_numpy()))
            X_probe = bench.remounted_probes(X, meta, cv, columns)[test]
            enrolled = set(ids[train])
            source = GaitDataset(
                dataset.name,
                [
                    r
                    for r in dataset.select(placement=placement)
                    if f"{r.subject}/{r.recording}" in enrolled
                ],
                dataset.subjects,
            )
            replayed = [windows(replay_at_speed(source, a)) for a in FACTORS]
            X_aug = np.concatenate([X[train], *(Xr for Xr, _ in replayed)])
            y_aug = np.concatenate(
                [subject[train], *(m["subject"].astype(str).to_numpy() for _, m in replayed)]
            )
            recordings = np.unique(ids[test])
            truth = np.array([r.split("/")[0] for r in recordings])
            models = {"identity pipeline": make_gait_pipeline("identity")}
            models["mounting control"] = bench.CONTROL
            for model_name, model in models.items():
                cells = []
                for Xf, yf in ((X[train], subject[train]), (X_aug, y_aug)):
                    fitted = clone(model).fit(Xf, yf)
                    proba = fitted.predict_proba(X_probe)
                    predicted = [
                        fitted.classes_[np.argmax(proba[ids[test] == r].mean(0))]
                        for r in recordings
                    ]
                    correct = np.asarray(predicted) == truth
                    hits = fitted.classes_[proba.argmax(1)] == subject[test]
                    windows_right = np.array([hits[ids[test] == r].mean() for r in recordings])
                    cells.append(bench.fmt(correct.mean(), bench.interval(correct)))
                    cells.append(bench.fmt(windows_right.mean(), bench.interval(windows_right)))
                print(
                    f"| {name} | {direction} | {model_name} | {cells[0]} | {cells[2]} | "
                    f"{cells[1]} | {cells[3]} | {len(recordings)} | "
                    f"{1 / len(np.unique(truth)):.3f} |",
                    flush=True,
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out-of-sample",
        action="store_true",
        help="IPOL and HuGaDB, the enrolment recordings replayed with replay_at_speed",
    )
    if parser.parse_args().out_of_sample:
        out_of_sample()
    else:
        main()
