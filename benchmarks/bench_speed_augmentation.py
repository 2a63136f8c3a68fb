"""Identification across trials with the enrolment replayed at other speeds.

Prints the speed-augmentation tables of ``docs/identification.md``. The
enrolment trial of every person (SisFall: slow walk D01 or fast walk D02)
holds one walking speed, so the identity model's within-person covariance
never sees a change of speed, which is what the probe trial differs by.
Every training recording is also replayed ``a = 0.85`` and ``1.15`` times
as fast (:func:`~skgait.datasets.replay_at_speed` on the whole recording,
before windowing: time axis scaled by ``a``; acceleration's deviation from
its mean scaled by ``a**2``, rotation rate by ``a``: the same motion played
at another speed), windowed like the originals and added with the person's
label. Probes are untouched and re-mounted (``random_remount``, seed 0, one
rotation per recording); accuracy per probe recording (mean window
probabilities).

Default: SisFall slow ↔ fast (waist), where the augmentation was explored
(the factors were fixed before the first run and not tuned), on three
window grids: overlapping by half, apart (the 1st, 3rd, ... windows of
each recording) and apart on the grid shifted by half a window (the 2nd,
4th, ...). About 15 minutes on two shared cores.

``--out-of-sample``: the same factors, unchanged, on data the augmentation
was not explored on: IPOL trial 1 ↔ 2 (right foot, lower back) and HuGaDB
file → file (right thigh), with the splits, re-mounting and 95 % bootstrap
intervals over probe recordings of ``bench_identity.py``, the mounting
control (``GravityDirection``, 1-nearest neighbour) beside, and the window
accuracy (mean per probe recording) as a finer measure. About 2 minutes.

Usage::

    python benchmarks/bench_speed_augmentation.py
    python benchmarks/bench_speed_augmentation.py --out-of-sample
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


def grid_order(meta):
    """Rank of each window in its recording (0, 1, ...), by start time."""
    ids = meta["subject"].astype(str) + "/" + meta["recording"].astype(str)
    return meta.groupby(ids)["start_s"].rank(method="first").to_numpy().astype(int) - 1


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
        sisfall = load_sisfall()
        X, meta = make_windows(sisfall, placement="waist", overlap=0.5)
        # every enrolment recording replayed, then windowed like the originals
        replayed = {
            (trial, a): make_windows(
                replay_at_speed(
                    GaitDataset(
                        sisfall.name,
                        [r for r in sisfall.select(placement="waist") if r.trial == trial],
                        sisfall.subjects,
                    ),
                    a,
                ),
                placement="waist",
                overlap=0.5,
            )
            for trial in ("D01", "D02")
            for a in FACTORS
        }
    meta = meta.reset_index(drop=True)
    ids = (meta["subject"].astype(str) + "/" + meta["recording"].astype(str)).to_numpy()
    order = grid_order(meta)
    trial, subject = meta["trial"].astype(str).to_numpy(), meta["subject"].astype(str).to_numpy()
    print("| windows | direction | model | plain | speed-augmented | probes |")
    print("|---|---|---|---|---|---|")
    grids = {"overlapping by half": None, "apart": 0, "apart, grid shifted 1.28 s": 1}
    for grid, parity in grids.items():
        keep = np.ones(len(X), bool) if parity is None else order % 2 == parity
        for train_trial, test_trial in (("D01", "D02"), ("D02", "D01")):
            train, test = keep & (trial == train_trial), keep & (trial == test_trial)
            X_probe = random_remount(X[test], ids[test], random_state=0)[0]
            extra, extra_y = [], []
            for a in FACTORS:
                Xr, mr = replayed[train_trial, a]
                rows = slice(None) if parity is None else grid_order(mr) % 2 == parity
                extra.append(Xr[rows])
                extra_y.append(mr["subject"].astype(str).to_numpy()[rows])
            X_aug = np.concatenate([X[train], *extra]).astype(np.float32)
            y_aug = np.concatenate([subject[train], *extra_y])
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
            models_here = {**models(), "mounting control": bench.CONTROL}
            for model_name, model in models_here.items():
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
