"""Research for the recommended pipelines: what helps gender and age on new people.

**Exploration on the same folds, not selection-free**: every configuration
is scored on the folds on which it is compared, so the best of them is
flattered by the choice. Reported numbers come from
``benchmarks/bench_accuracy.py``, which compares candidates inside the
training folds only (:func:`skgait.model_selection.evaluate_nested`).

Every experiment is scored with 5-fold ``StratifiedGroupKFold`` over subjects (shuffled with the seed), the
window probabilities of each test subject averaged, balanced accuracy (MAE
in years for age) computed once on the pooled out-of-fold subject
predictions; mean ± standard deviation over the seeds. The folds of one
dataset, task and seed are the same for every experiment.

Experiments (``--only NAME ...`` runs some of them):

``lags``
    ACF of the six raw channels, lags up to 0.2 s (10 lags) vs 1 s (50).
``gravity``
    The same on gravity-aligned vertical / horizontal / norm channels
    (:class:`skgait.features.GravityAlignment`), and distribution + spectral
    statistics (:class:`skgait.features.GaitStatistics`) on raw vs aligned
    channels, and their combinations.
``cycles``
    Gait-cycle normalised windows: steps detected as peaks of the vertical
    acceleration, each stride (two steps) resampled to 64 samples, the
    strides of a window averaged; the mean stride (and stride time) as
    features.
``rotation``
    Small random rotations (±15° about random axes) of the training windows
    (two rotated copies each) for the orientation-dependent ACF (0.2 s) on
    raw channels; one seed. (Gravity-aligned features are invariant to
    rotations, so augmentation cannot change them.)
``balance``
    The forest with ``class_weight="balanced_subsample"`` vs none, on the
    imbalanced HuGaDB (14 M / 4 F) and IPOL (11 M / 8 F) gender (SisFall is
    19 / 19).
``cnn``
    :class:`skgait.models.GaitCNNClassifier` (BioDeep CNN, 5 epochs, batch
    64), gender: on SisFall on standardised raw windows vs on the ACF (1 s)
    of the aligned channels; on HuGaDB (14 M / 4 F) on the ACF with the
    plain vs the class-weighted binary cross-entropy. One seed (slow).
``pooling``
    Gender trained on SisFall + IPOL waist pooled (aligned statistics, which
    do not depend on the axes of either device), scored on each dataset's
    own subjects vs trained on that dataset alone; the folds split the
    pooled subjects.
``chosen``
    The chosen pipelines (:func:`skgait.pipelines.make_gait_pipeline`) on
    every dataset: gender, age (MAE against the training median) and,
    on SisFall, young vs elderly.

Run::

    SKGAIT_DATA=/path/to/data python benchmarks/research_accuracy.py [--seeds 3]

Research forests have 100 trees (the pipelines 200). Features of the windows are cached under ``--cache`` (they learn nothing
from labels). On two loaded cores: about 25 minutes with 3 seeds, most of
it the CNN (one seed).
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import find_peaks
from sklearn.base import clone, is_classifier
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import balanced_accuracy_score, mean_absolute_error

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import fingerprint, load_windows, subject_oof

from skgait.features import ACFTransformer, GaitStatistics, GravityAlignment
from skgait.pipelines import make_gait_pipeline

RATE = 50.0
CACHE = None


def cached(key, compute):
    if CACHE is None:
        return compute()
    path = Path(CACHE) / f"{key}.npy"
    if path.exists():
        return np.load(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = np.asarray(compute(), dtype=np.float32)
    np.save(path, out)
    return out


# ------------------------------------------------------------------ features
def aligned(X):
    return GravityAlignment().fit_transform(X)


def acf(X, seconds):
    return ACFTransformer(lags=seconds, rate=RATE).fit_transform(X)


def stats(X):
    return GaitStatistics(rate=RATE).fit_transform(X)


def mean_stride(X, length=64):
    """Gait-cycle normalised windows: the mean stride of each window, and its duration.

    Steps are the peaks of the (smoothed, centred) vertical acceleration at
    least 0.3 s apart with a prominence of half its standard deviation; a
    stride runs from a step to the step after next. Each stride of every
    aligned channel is resampled to ``length`` samples and the strides of
    the window averaged. Windows with fewer than three steps fall back to
    the whole window resampled. Returns (n, 6 * length + 2): the mean
    stride, the mean stride time (s) and its coefficient of variation.
    """
    V = aligned(X).astype(np.float64)
    n, c, t = V.shape
    out = np.zeros((n, c * length + 2))
    grid = np.linspace(0.0, 1.0, length)
    kernel = np.ones(5) / 5
    n_fallback = 0
    for i in range(n):
        v = np.convolve(V[i, 0] - V[i, 0].mean(), kernel, mode="same")
        peaks, _ = find_peaks(v, distance=int(0.3 * RATE), prominence=0.5 * v.std() + 1e-9)
        segments = [(peaks[k], peaks[k + 2]) for k in range(len(peaks) - 2)]
        if not segments:
            segments = [(0, t - 1)]
            n_fallback += 1
        strides = []
        for a, b in segments:
            src = np.linspace(0.0, 1.0, b - a + 1)
            strides.append([np.interp(grid, src, V[i, ch, a : b + 1]) for ch in range(c)])
        out[i, : c * length] = np.mean(strides, axis=0).ravel()
        durations = np.array([(b - a) / RATE for a, b in segments])
        out[i, -2] = durations.mean()
        out[i, -1] = durations.std() / durations.mean()
    print(f"    (mean stride: {n_fallback} of {n} windows had < 3 detected steps)", flush=True)
    return out


def feature_sets(name, X):
    """Name -> precomputed per-window features (cached)."""
    key = f"{name}_{fingerprint(X)}"
    A = cached(f"aligned_{key}", lambda: aligned(X))
    builders = {
        "acf 0.2 s raw": lambda: acf(X, 0.2),
        "acf 1 s raw": lambda: acf(X, 1.0),
        "acf 0.2 s aligned": lambda: acf(A, 0.2),
        "acf 1 s aligned": lambda: acf(A, 1.0),
        "stats raw": lambda: stats(X),
        "stats aligned": lambda: stats(A),
        "mean stride aligned": lambda: mean_stride(X),
    }
    out = {}
    for label, build in builders.items():
        out[label] = cached(f"{label.replace(' ', '_').replace('.', '')}_{key}", build)
    out["stats aligned + acf 0.2 s aligned"] = np.hstack(
        [out["stats aligned"], out["acf 0.2 s aligned"]]
    )
    out["stats aligned + acf 1 s aligned"] = np.hstack(
        [out["stats aligned"], out["acf 1 s aligned"]]
    )
    out["stats aligned + mean stride"] = np.hstack(
        [out["stats aligned"], out["mean stride aligned"]]
    )
    return out


# -------------------------------------------------------------------- models
#: Trees of the research forests (the pipelines use 200; 100 halves the time
#: of the many configurations, and the "chosen" rows measure the pipelines).
N_TREES = 100


def forest(task, seed, class_weight="balanced_subsample", n_trees=N_TREES):
    if task == "age":
        return RandomForestRegressor(
            n_trees, max_features="sqrt", min_samples_leaf=5, n_jobs=1, random_state=seed
        )
    return RandomForestClassifier(
        n_trees, max_features="sqrt", class_weight=class_weight, n_jobs=1, random_state=seed
    )


class Fixed:
    """Precomputed features + an estimator fitted on the training rows."""

    def __init__(self, features, estimator):
        self.features, self.estimator = features, estimator

    def fit_predict(self, X, y, train, test):
        est = clone(self.estimator).fit(self.features[train], y[train])
        if is_classifier(est):
            return est.classes_, est.predict_proba(self.features[test])
        return None, est.predict(self.features[test])


def random_rotations(n, max_degrees, rng):
    axes = rng.normal(size=(n, 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    angles = np.deg2rad(rng.uniform(-max_degrees, max_degrees, n))
    K = np.zeros((n, 3, 3))
    K[:, 0, 1], K[:, 0, 2], K[:, 1, 2] = -axes[:, 2], axes[:, 1], -axes[:, 0]
    K -= K.transpose(0, 2, 1)
    s, c = np.sin(angles)[:, None, None], np.cos(angles)[:, None, None]
    return np.eye(3) + s * K + (1 - c) * K @ K  # Rodrigues


def rotate(X, R):
    out = X.copy()
    out[:, 0:3] = np.einsum("nij,njt->nit", R, X[:, 0:3])
    out[:, 3:6] = np.einsum("nij,njt->nit", R, X[:, 3:6])
    return out


class RotationAugmented:
    """ACF of raw channels; the training windows plus ``copies`` rotated copies."""

    def __init__(self, seconds, estimator, copies=2, max_degrees=15.0, seed=0):
        self.seconds, self.estimator = seconds, estimator
        self.copies, self.max_degrees, self.seed = copies, max_degrees, seed

    def fit_predict(self, X, y, train, test):
        rng = np.random.default_rng(self.seed)
        Xs = [X[train]] + [
            rotate(X[train], random_rotations(len(train), self.max_degrees, rng))
            for _ in range(self.copies)
        ]
        F = acf(np.concatenate(Xs), self.seconds)
        est = clone(self.estimator).fit(F, np.tile(y[train], self.copies + 1))
        return est.classes_, est.predict_proba(acf(X[test], self.seconds))


class CNN:
    """GaitCNNClassifier on standardised inputs (per channel, fitted on training rows)."""

    def __init__(self, inputs, seed, epochs=5, weighted=False):
        self.inputs, self.seed, self.epochs, self.weighted = inputs, seed, epochs, weighted

    def fit_predict(self, X, y, train, test):
        from skgait.models import GaitCNNClassifier

        Z = self.inputs
        mu = Z[train].mean(axis=(0, 2), keepdims=True)
        sd = Z[train].std(axis=(0, 2), keepdims=True) + 1e-6
        Zs = ((Z - mu) / sd).astype(np.float32)
        kwargs = {}
        if self.weighted:
            from skgait.losses import ClassWeightFromTarget, WeightedBCELoss

            kwargs = {"criterion": WeightedBCELoss, "callbacks": [ClassWeightFromTarget()]}
        clf = GaitCNNClassifier(
            max_epochs=self.epochs, batch_size=64, random_state=self.seed, **kwargs
        )
        clf.fit(Zs[train], y[train])
        return clf.classes_, clf.predict_proba(Zs[test])


class Pipe:
    """A :func:`make_gait_pipeline` pipeline fitted on raw windows."""

    def __init__(self, task, seed):
        self.task, self.seed = task, seed

    def fit_predict(self, X, y, train, test):
        est = make_gait_pipeline(self.task, random_state=self.seed).fit(X[train], y[train])
        if is_classifier(est):
            return est.classes_, est.predict_proba(X[test])
        return None, est.predict(X[test])


# ------------------------------------------------------------------ protocol
def targets(meta, task):
    if task == "gender":
        return meta["sex"].astype(str).to_numpy()
    if task == "age_group":
        return np.where(meta["age"].to_numpy() >= 45, "elderly", "young")
    return meta["age"].to_numpy(float)


def metric(task, truth, pred):
    if task == "age":
        return mean_absolute_error(truth, pred)
    return balanced_accuracy_score(truth, pred)


ROWS = []
#: "experiment/dataset/task/config" rows not to run again (``--skip``).
SKIP = set()


def report(experiment, dataset, task, label, scores, note=""):
    scores = np.asarray(scores, float)
    sd = f" ± {scores.std():.3f}" if len(scores) > 1 else ""
    ROWS.append(
        {
            "experiment": experiment,
            "dataset": dataset,
            "task": task,
            "config": label,
            "score": scores.mean(),
            "sd": scores.std(),
            "seeds": len(scores),
            "note": note,
        }
    )
    print(
        f"  {experiment:9s} {dataset:18s} {task:9s} {label:44s} {scores.mean():.3f}{sd} "
        f"({len(scores)} seed{'s' if len(scores) > 1 else ''}) {note}",
        flush=True,
    )


def run_model(make_model, X, y, meta, task, seeds):
    return [
        metric(task, *subject_oof(make_model(seed), X, y, meta, task, seed)[1:]) for seed in seeds
    ]


# ---------------------------------------------------------------- experiments
def exp_features(data, seeds, labels, experiment, tasks_of):
    for name, (X, meta, F) in data.items():
        for task in tasks_of(name):
            y = targets(meta, task)
            for label in labels:
                if f"{experiment}/{name}/{task}/{label}" in SKIP:
                    continue
                scores = run_model(
                    lambda s, f=F[label]: Fixed(f, forest(task, s)), X, y, meta, task, seeds
                )
                report(experiment, name, task, label, scores)


def exp_balance(data, seeds):
    for name in ("hugadb", "ipol"):
        if name not in data:
            continue
        X, meta, F = data[name]
        y = targets(meta, "gender")
        for label in ("stats aligned", "acf 1 s raw"):
            for cw in ("balanced_subsample", None):
                scores = run_model(
                    lambda s, f=F[label], c=cw: Fixed(f, forest("gender", s, c)),
                    X,
                    y,
                    meta,
                    "gender",
                    seeds,
                )
                report("balance", name, "gender", f"{label}, class_weight={cw}", scores)


def exp_rotation(data, seeds):
    for name in ("sisfall",):
        X, meta, F = data[name]
        for task in ("gender", "age_group"):
            y = targets(meta, task)
            for seconds in (0.2,):
                scores = run_model(
                    lambda s, sec=seconds: RotationAugmented(sec, forest(task, s), seed=s),
                    X,
                    y,
                    meta,
                    task,
                    seeds[:1],
                )
                report(
                    "rotation", name, task, f"acf {seconds:g} s raw + 2 rotated copies ±15°", scores
                )


def exp_cnn(data, seeds):
    import torch

    torch.set_num_threads(1)
    seed = seeds[:1]
    for name in ("sisfall", "hugadb"):
        if name not in data:
            continue
        X, meta, F = data[name]
        A = ACFTransformer(lags=1.0, rate=RATE, output="3d").fit_transform(aligned(X))
        y = targets(meta, "gender")
        runs = (
            (("cnn raw windows", X, False), ("cnn acf 1 s aligned", A, False))
            if name == "sisfall"
            else (("cnn acf 1 s aligned", A, False), ("cnn acf 1 s aligned, weighted BCE", A, True))
        )
        for label, Z, weighted in runs:
            t0 = time.perf_counter()
            scores = run_model(
                lambda s, z=Z, w=weighted: CNN(z, s, weighted=w), X, y, meta, "gender", seed
            )
            report("cnn", name, "gender", label, scores, f"{time.perf_counter() - t0:.0f} s")


def exp_pooling(data, seeds):
    (Xs, ms, Fs), (Xi, mi, Fi) = data["sisfall"], data["ipol"]
    X = np.concatenate([Xs, Xi])
    meta = pd.concat([ms, mi], ignore_index=True)
    y = targets(meta, "gender")
    for label in ("stats aligned",):
        F = np.concatenate([Fs[label], Fi[label]])
        per = {"sisfall": [], "ipol": []}
        for seed in seeds:
            subjects, truth, pred = subject_oof(
                Fixed(F, forest("gender", seed)), X, y, meta, "gender", seed
            )
            for ds in per:
                mask = np.char.startswith(subjects.astype(str), ds + ":")
                per[ds].append(balanced_accuracy_score(truth[mask], pred[mask]))
        for ds, scores in per.items():
            report("pooling", ds, "gender", f"{label}, trained on sisfall+ipol", scores)


def exp_chosen(data, seeds):
    for name, (X, meta, _F) in data.items():
        tasks = ["gender", "age"] + (["age_group"] if name == "sisfall" else [])
        for task in tasks:
            y = targets(meta, task)
            scores = run_model(lambda s: Pipe(task, s), X, y, meta, task, seeds)
            note = ""
            if task == "age":
                from sklearn.dummy import DummyRegressor

                base = run_model(
                    lambda s: Fixed(np.zeros((len(X), 1)), DummyRegressor(strategy="median")),
                    X,
                    y,
                    meta,
                    task,
                    seeds,
                )
                note = f"median baseline {np.mean(base):.2f} -> ratio {np.mean(scores) / np.mean(base):.2f}"
            report("chosen", name, task, "make_gait_pipeline", scores, note)


EXPERIMENTS = ("lags", "gravity", "cycles", "rotation", "balance", "cnn", "pooling", "chosen")


def main(argv=None):
    global CACHE
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=EXPERIMENTS, default=list(EXPERIMENTS))
    parser.add_argument(
        "--cache", default=os.environ.get("SKGAIT_RESEARCH_CACHE", "/tmp/skgait_research")
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=["sisfall", "ipol", "hugadb"],
        choices=["sisfall", "ipol", "hugadb"],
    )
    parser.add_argument("--csv", default=None, help="also write the rows here")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        metavar="EXP/DATASET/TASK/CONFIG",
        help="feature rows already measured, not to run again",
    )
    args = parser.parse_args(argv)
    CACHE = args.cache or None
    SKIP.update(args.skip)
    warnings.filterwarnings("ignore", module="skgait.features")
    seeds = list(range(args.seeds))
    start = time.perf_counter()
    data = {}
    for name in args.datasets:
        X, meta = load_windows(name)
        data[name] = (X, meta, feature_sets(name, X))
        print(
            f"{name}: {len(X)} windows, {meta['group'].nunique()} subjects "
            f"{meta.groupby('sex')['group'].nunique().to_dict()}",
            flush=True,
        )

    def sis_only(name):
        return ("gender", "age_group") if name == "sisfall" else ()

    def gender_all(name):
        return ("gender", "age_group") if name == "sisfall" else ("gender",)

    if "lags" in args.only:
        exp_features(data, seeds, ["acf 0.2 s raw", "acf 1 s raw"], "lags", sis_only)
    if "gravity" in args.only:
        exp_features(
            data,
            seeds,
            [
                "stats aligned",
                "stats aligned + acf 0.2 s aligned",
                "acf 0.2 s aligned",
                "stats raw",
                "acf 1 s aligned",
            ],
            "gravity",
            gender_all,
        )
    if "cycles" in args.only:
        exp_features(
            data,
            seeds,
            ["mean stride aligned", "stats aligned + mean stride"],
            "cycles",
            gender_all,
        )
    if "rotation" in args.only:
        exp_rotation(data, seeds)
    if "balance" in args.only:
        exp_balance(data, seeds)
    if "pooling" in args.only:
        exp_pooling(data, seeds)
    if "cnn" in args.only:
        exp_cnn(data, seeds)
    if "chosen" in args.only:
        exp_chosen(data, seeds)
    if args.csv:
        pd.DataFrame(ROWS).to_csv(args.csv, index=False)
    print(f"\nFinished in {time.perf_counter() - start:.0f} s.")


if __name__ == "__main__":
    main()
