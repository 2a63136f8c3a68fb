"""Accuracy for new people: skgait's pipelines against baselines and two peers.

For every shared dataset (SisFall waist, IPOL lower back, HuGaDB right
thigh; windows of 2.56 s at 50 Hz, 50 % overlap) and task, the same folds
are used for

- ``skgait``: :func:`skgait.pipelines.make_gait_pipeline` of the task;
- ``minirocket``: aeon's MiniRocket (10 000 kernels) + ridge
  (``RidgeClassifierCV`` / ``RidgeCV``), fitted inside each fold;
- ``tsfresh``: tsfresh's ``EfficientFCParameters`` features of every channel
  + a random forest (300 trees);
- ``baseline``: majority class (classification) or median age of the
  training folds (regression).

Protocols
---------
Gender, age group, age: 5-fold ``StratifiedGroupKFold`` over subjects
(shuffled, one seed per repetition; age is stratified by its quintile).
The window probabilities (values for age) of each test subject are
averaged, and the metric is computed once on the out-of-fold subject
predictions pooled over the folds (not averaged over folds); the table
shows the mean over seeds. Identification: trained on one session of
every subject and tested on another (SisFall slow walk ``D01`` → fast walk
``D02``, IPOL trial 1 → 2, HuGaDB one file → another), scored per test
recording (averaged window probabilities). Cross-dataset gender: trained on
SisFall + IPOL waist windows, tested on UMAFall waist.

Uncertainty: a 95 % interval from 2000 bootstrap resamples of the
subjects (recordings for identification) of the first seed's out-of-fold
predictions, and a label-permutation p-value (2000 permutations of the
true labels against those predictions: the chance of a score this good if
predictions and labels were unrelated).

The feature steps of skgait's pipelines and tsfresh's extraction learn
nothing from the data (each window is described on its own), so they are
computed once per dataset and cached under ``--cache``; only the models
are fitted per fold. MiniRocket learns its biases from the training windows
and is fitted inside each fold.

Run (aeon and tsfresh are not in skgait's main environment)::

    python3 -m venv /work/benchvenv
    /work/benchvenv/bin/pip install -e ".[bench]"
    SKGAIT_DATA=/path/to/data /work/benchvenv/bin/python benchmarks/bench_accuracy.py \\
        [--max-windows 4] [--seeds 3] [--peers minirocket tsfresh] [--cache /tmp/skgait_bench]

A peer whose package is missing is skipped with a message. tsfresh's
efficient set costs about 1 s of CPU per window, too much for all ~8 000
windows on two cores: ``--max-windows 4`` compares every contender on 4
evenly spaced windows of every recording (same subjects and folds), and
also scores skgait on all windows (the issue's targets are checked on
those rows). ``--prepare`` only fills the feature cache. On the shared
two-core machine: about 35 minutes of tsfresh extraction (once, cached),
then 13 minutes for ``--max-windows 4 --seeds 3``.
"""

import argparse
import hashlib
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import RidgeClassifierCV, RidgeCV
from sklearn.metrics import balanced_accuracy_score, mean_absolute_error
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgait.datasets import (
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    load_umafall,
    make_windows,
)
from skgait.model_selection import aggregate_predictions, identification_protocol
from skgait.pipelines import make_gait_pipeline

WINDOWS = {"rate": 50.0, "length": 2.56, "overlap": 0.5}

#: name -> (loader, placement, make_windows options)
DATASETS = {
    "sisfall": (load_sisfall, "waist", {}),
    "ipol": (load_ipol_healthy_gait, "waist", {"segment": "trial"}),
    "hugadb": (load_hugadb, "right_thigh", {}),
}

#: (task, dataset) -> target: the issue's rows.
TARGETS = {
    ("gender", "sisfall"): ("balanced_accuracy", ">=", 0.88),
    ("gender", "ipol"): ("balanced_accuracy", ">=", 0.82),
    ("gender", "hugadb"): ("balanced_accuracy", ">=", 0.78),
    ("age_group", "sisfall"): ("balanced_accuracy", ">=", 0.95),
    ("age", "sisfall"): ("mae_ratio", "<=", 0.6),
    ("age", "ipol"): ("mae_ratio", "<", 1.0),
    ("identity", "sisfall"): ("accuracy", ">=", 0.80),
    ("identity", "ipol"): ("accuracy", ">=", 0.98),
    ("identity", "hugadb"): ("accuracy", ">=", 0.98),
    ("gender", "sisfall+ipol->umafall"): ("balanced_accuracy", ">=", 0.70),
}

N_BOOT = 2000


# --------------------------------------------------------------------- data
def load_windows(name):
    load, placement, options = DATASETS[name]
    X, meta = make_windows(load(), placement=placement, **WINDOWS, **options)
    meta = meta.reset_index(drop=True)
    meta["group"] = meta["dataset"].astype(str) + ":" + meta["subject"].astype(str)
    return X, meta


def cached(cache, key, compute):
    """Compute once, keep as .npy under ``cache``."""
    if cache is None:
        return compute()
    path = Path(cache) / f"{key}.npy"
    if path.exists():
        return np.load(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = compute()
    np.save(path, out)
    return out


def fingerprint(X):
    return hashlib.sha1(np.ascontiguousarray(X[:, :, ::7]).tobytes()).hexdigest()[:10]


# -------------------------------------------------------------------- models
class Model:
    """A contender: precomputed features + an estimator fitted per fold, or raw windows."""

    def __init__(self, name, estimator, features=None):
        self.name, self.estimator, self.features = name, estimator, features

    def fit_predict(self, X, y, train, test):
        Z = X if self.features is None else self.features
        est = clone(self.estimator).fit(Z[train], y[train])
        if is_classifier(est):
            if hasattr(est, "predict_proba"):
                return est.classes_, est.predict_proba(Z[test])
            score = est.decision_function(Z[test])
            if score.ndim == 1:
                score = np.stack([-score, score], axis=1)
            return est.classes_, _softmax(score)
        return None, est.predict(Z[test])


def _softmax(score):
    e = np.exp(score - score.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def skgait_model(task, X, cache, key, seed):
    pipe = make_gait_pipeline(task, random_state=seed)
    # The "features" step describes each window on its own (nothing learnt
    # from other windows): computed once; the later steps are fitted per fold.
    tag = hashlib.sha1(repr(pipe[:1]).encode()).hexdigest()[:8]
    features = cached(
        cache, f"skgait_{tag}_{key}", lambda: pipe[:1].fit_transform(X).astype(np.float32)
    )
    return Model("skgait", pipe[1:], features)


def minirocket_model(task, seed):
    try:
        from aeon.transformations.collection.convolution_based import MiniRocket
    except ImportError:
        return None
    ridge = (
        RidgeCV(alphas=np.logspace(-3, 3, 10))
        if task == "age"
        else RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
    )
    est = make_pipeline(MiniRocket(random_state=seed), StandardScaler(), ridge)
    return Model("minirocket", est)


def tsfresh_features(X, params="efficient"):
    from tsfresh import extract_features
    from tsfresh.feature_extraction import EfficientFCParameters, MinimalFCParameters

    n, c, t = X.shape
    long = pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), t),
            "time": np.tile(np.arange(t), n),
            **{f"ch{k}": X[:, k].ravel().astype(np.float64) for k in range(c)},
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F = extract_features(
            long,
            column_id="id",
            column_sort="time",
            default_fc_parameters=(
                EfficientFCParameters() if params == "efficient" else MinimalFCParameters()
            ),
            n_jobs=int(os.environ.get("TSFRESH_JOBS", 1)),
            disable_progressbar=True,
        )
    F = np.array(F.sort_index().to_numpy(dtype=np.float64))  # writable copy
    F[~np.isfinite(F)] = 0.0
    return F.astype(np.float32)


def tsfresh_model(task, X, cache, key, seed, params="efficient"):
    try:
        import tsfresh  # noqa: F401
    except ImportError:
        return None
    from sklearn.ensemble import RandomForestRegressor

    features = cached(cache, f"tsfresh_{params}_{key}", lambda: tsfresh_features(X, params))
    est = (
        RandomForestRegressor(
            300, max_features="sqrt", min_samples_leaf=5, n_jobs=1, random_state=seed
        )
        if task == "age"
        else RandomForestClassifier(
            300, max_features="sqrt", n_jobs=1, class_weight="balanced_subsample", random_state=seed
        )
    )
    return Model(f"tsfresh-{params[:3]}", est, features)


def baseline_model(task):
    from skgait.model_selection import make_baseline

    return Model(
        "baseline",
        make_baseline("regression" if task == "age" else "classification"),
        features=None,
    )


# ------------------------------------------------------------------ protocol
def subject_oof(model, X, y, meta, task, seed):
    """Out-of-fold per-subject predictions, pooled over the 5 folds."""
    groups = meta["group"].to_numpy()
    strata = y if task != "age" else pd.qcut(y, 5, labels=False, duplicates="drop")
    cv = StratifiedGroupKFold(5, shuffle=True, random_state=seed)
    features = getattr(model, "features", None)  # cached per-window features
    Z = X if features is None else features
    subjects, truth, preds = [], [], []
    for train, test in cv.split(Z, strata, groups):
        classes, out = model.fit_predict(X, y, train, test)
        if task == "age":
            g, p = aggregate_predictions(np.asarray(out, float), groups[test], method="mean")
        else:
            g, proba = aggregate_predictions(out, groups[test], method="mean_proba")
            p = classes[proba.argmax(1)]
        _, t = aggregate_predictions(
            y[test], groups[test], method="vote" if task != "age" else "mean"
        )
        subjects += list(g)
        truth += list(t)
        preds += list(p)
    return np.array(subjects), np.array(truth), np.array(preds)


def identity_oof(model, X, meta, seed):
    """Per-recording predictions on the dataset's cross-session split."""
    cv, columns = identification_protocol(meta["dataset"].iloc[0])
    y = meta["subject"].astype(str).to_numpy()
    rec = (meta["subject"].astype(str) + "/" + meta["recording"].astype(str)).to_numpy()
    truth, preds, recs = [], [], []
    for train, test in cv.split(X, groups=meta[columns].to_numpy()):
        classes, proba = model.fit_predict(X, y, train, test)
        r, p = aggregate_predictions(proba, rec[test], method="mean_proba")
        _, t = aggregate_predictions(y[test], rec[test], method="vote")
        recs += list(r)
        truth += list(t)
        preds += list(classes[p.argmax(1)])
    return np.array(recs), np.array(truth), np.array(preds)


def score(task, truth, pred, train_median=None):
    if task == "age":
        return mean_absolute_error(truth, pred)
    if task == "identity":
        return float(np.mean(truth == pred))
    return balanced_accuracy_score(truth, pred)


def interval_and_p(task, truth, pred, rng):
    n = len(truth)
    boot = []
    for _ in range(N_BOOT):
        i = rng.integers(0, n, n)
        if task not in ("age", "identity") and len(np.unique(truth[i])) < 2:
            continue
        boot.append(score(task, truth[i], pred[i]))
    lo, hi = np.percentile(boot, [2.5, 97.5])
    observed = score(task, truth, pred)
    perm = np.array([score(task, rng.permutation(truth), pred) for _ in range(N_BOOT)])
    better = perm <= observed if task == "age" else perm >= observed
    return lo, hi, (1 + better.sum()) / (1 + N_BOOT)


# ---------------------------------------------------------------------- main
def subsample(meta, per_recording):
    """Indices of at most ``per_recording`` evenly spaced windows of every recording."""
    keep = []
    for _, idx in meta.groupby(["subject", "recording"], sort=False).indices.items():
        if len(idx) <= per_recording:
            keep.append(idx)
        else:
            keep.append(
                idx[np.unique(np.linspace(0, len(idx) - 1, per_recording).round().astype(int))]
            )
    return np.sort(np.concatenate(keep))


def variants(args, name):
    """(label, X, meta, peers) for a dataset: the head-to-head windows, then all windows."""
    X, meta = load_windows(name)
    if args.max_windows is None:
        yield name, X, meta, args.peers
        return
    keep = subsample(meta, args.max_windows)
    yield (
        f"{name}[{args.max_windows}/rec]",
        X[keep],
        meta.iloc[keep].reset_index(drop=True),
        args.peers,
    )
    if args.all_windows:
        yield name, X, meta, []


def prepare(args):
    """Compute the cached features (skgait's feature steps, tsfresh) and stop."""
    for name in args.datasets:
        for label, X, _meta, peers in variants(args, name):
            key = f"{name}_{fingerprint(X)}"
            t0 = time.perf_counter()
            for task in ("gender", "age", "identity"):
                skgait_model(task, X, args.cache, key, 0)
            if "tsfresh" in peers:
                tsfresh_model("gender", X, args.cache, key, 0, args.tsfresh)
            print(
                f"{label}: {len(X)} windows, features cached in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )


def run(args):
    rng = np.random.default_rng(0)
    rows = []
    cache = args.cache
    for name, X, meta, peers in (v for n in args.datasets for v in variants(args, n)):
        t0 = time.perf_counter()
        base_name = name.split("[")[0]
        key = f"{base_name}_{fingerprint(X)}"
        print(
            f"\n{name}: {len(X)} windows, {meta['group'].nunique()} subjects "
            f"{meta.groupby('sex')['group'].nunique().to_dict()}",
            flush=True,
        )
        tasks = ["gender", "age"] + (["age_group"] if base_name == "sisfall" else []) + ["identity"]
        for task in tasks:
            if task == "age_group":
                y = np.where(meta["age"].to_numpy() >= 45, "elderly", "young")
            elif task == "age":
                y = meta["age"].to_numpy(float)
            elif task == "gender":
                y = meta["sex"].astype(str).to_numpy()
            else:
                y = None
            for seed in range(args.seeds):
                models = [baseline_model(task), skgait_model(task, X, cache, key, seed)]
                if "minirocket" in peers:
                    models.append(minirocket_model(task, seed))
                if "tsfresh" in peers:
                    models.append(tsfresh_model(task, X, cache, key, seed, args.tsfresh))
                for model in models:
                    if model is None:
                        continue
                    t1 = time.perf_counter()
                    if task == "identity":
                        ids, truth, pred = identity_oof(model, X, meta, seed)
                    else:
                        ids, truth, pred = subject_oof(model, X, y, meta, task, seed)
                    row = {
                        "task": task,
                        "dataset": name,
                        "model": model.name,
                        "seed": seed,
                        "n": len(ids),
                        "score": score(task, truth, pred),
                        "seconds": time.perf_counter() - t1,
                    }
                    if seed == 0:
                        row["lo"], row["hi"], row["p"] = interval_and_p(task, truth, pred, rng)
                    rows.append(row)
                    print(
                        f"  {task:9s} seed {seed} {model.name:10s} {row['score']:.3f} "
                        f"({row['seconds']:.0f} s)",
                        flush=True,
                    )
        print(f"  [{name}: {time.perf_counter() - t0:.0f} s]", flush=True)
    if args.cross:
        rows += cross_dataset(args, rng)
    return pd.DataFrame(rows)


def cross_dataset(args, rng):
    """Gender: train SisFall + IPOL waist, test UMAFall waist."""
    parts = [load_windows(n) for n in ("sisfall", "ipol")]
    Xtr = np.concatenate([p[0] for p in parts])
    ytr = np.concatenate([p[1]["sex"].astype(str).to_numpy() for p in parts])
    Xte, mte = make_windows(load_umafall(), placement="waist", **WINDOWS)
    mte = mte.reset_index(drop=True)
    mte["group"] = "umafall:" + mte["subject"].astype(str)
    yte = mte["sex"].astype(str).to_numpy()
    X = np.concatenate([Xtr, Xte])
    train, test = np.arange(len(Xtr)), np.arange(len(Xtr), len(X))
    y = np.concatenate([ytr, yte])
    print(
        f"\ncross-dataset gender: {len(Xtr)} training windows -> UMAFall {len(Xte)} windows, "
        f"{mte['group'].nunique()} subjects {mte.groupby('sex')['group'].nunique().to_dict()}"
    )
    pipe = make_gait_pipeline("gender", random_state=0).fit(X[train], y[train])
    subjects, pred = pipe.predict_subjects(X[test], mte["group"])
    _, truth = aggregate_predictions(yte, mte["group"], method="vote")
    acc = float(np.mean(pred == truth))
    n_classes = len(np.unique(truth))
    print(
        f"  skgait: per-subject accuracy {acc:.2f} on {len(truth)} subjects; "
        + (
            "balanced accuracy undefined: the test subjects are all one sex"
            if n_classes < 2
            else f"balanced accuracy {balanced_accuracy_score(truth, pred):.2f}"
        )
    )
    return [
        {
            "task": "gender",
            "dataset": "sisfall+ipol->umafall",
            "model": "skgait",
            "seed": 0,
            "n": len(truth),
            "score": balanced_accuracy_score(truth, pred) if n_classes > 1 else np.nan,
            "accuracy": acc,
        }
    ]


def report(table):
    if table.empty:
        return
    firsts = table[table.seed == 0].set_index(["task", "dataset", "model"])
    mean = table.groupby(["task", "dataset", "model"], sort=False)["score"].mean()
    print(
        "\nscore: balanced accuracy (gender, age_group), recording accuracy (identity), "
        "MAE in years (age); mean over seeds; [95 % bootstrap interval, p] of seed 0"
    )
    lines = []
    for (task, dataset), block in mean.groupby(level=[0, 1], sort=False):
        base = block.get((task, dataset, "baseline"), np.nan)
        ours = block.get((task, dataset, "skgait"), np.nan)
        for (_, _, model), value in block.items():
            extra = ""
            if (task, dataset, model) in firsts.index and "lo" in firsts:
                f = firsts.loc[(task, dataset, model)]
                if pd.notna(f.get("lo")):
                    extra = f"[{f['lo']:.2f}, {f['hi']:.2f}] p={f['p']:.4f}"
            ratio = (
                f" ({value / base:.2f}x median)" if task == "age" and model != "baseline" else ""
            )
            verdict = ""
            if model not in ("skgait", "baseline") and np.isfinite(ours):
                diff = (value - ours) * (-1 if task == "age" else 1)
                margin = 1.0 if task == "age" else 0.02
                verdict = (
                    "skgait ahead"
                    if diff < -margin
                    else "skgait behind"
                    if diff > margin
                    else "level"
                )
            lines.append(
                f"{task:9s} {dataset:22s} {model:10s} {value:7.3f}{ratio:14s} {extra:28s} {verdict}"
            )
        target = TARGETS.get((task, dataset))
        if target and np.isfinite(ours):
            metric, op, goal = target
            value = ours / base if metric == "mae_ratio" else ours
            met = {">=": value >= goal, "<=": value <= goal, "<": value < goal}[op]
            lines.append(
                f"{'':33s}target {metric} {op} {goal}: {value:.3f} -> {'MET' if met else 'not met'}"
            )
    print("\n".join(lines))
    cross = table[table.dataset == "sisfall+ipol->umafall"]
    for _, r in cross.iterrows():
        print(
            f"gender    sisfall+ipol->umafall  skgait     balanced accuracy "
            f"{'undefined (one sex in the test set)' if pd.isna(r.score) else f'{r.score:.3f}'}, "
            f"accuracy {r.accuracy:.2f} on {r.n} subjects -> target not measurable"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument(
        "--peers", nargs="*", default=["minirocket", "tsfresh"], choices=["minirocket", "tsfresh"]
    )
    parser.add_argument(
        "--tsfresh",
        choices=["efficient", "minimal"],
        default="efficient",
        help="tsfresh feature set; 'efficient' takes about 1 s per window "
        "on a loaded core, 'minimal' (10 statistics per channel) is fast",
    )
    parser.add_argument("--no-cross", dest="cross", action="store_false")
    parser.add_argument(
        "--max-windows",
        type=int,
        default=None,
        metavar="K",
        help="head-to-head on at most K evenly spaced windows of every "
        "recording (same subjects and folds for every contender); tsfresh's "
        "efficient features cost about 1 s per window",
    )
    parser.add_argument(
        "--no-all-windows",
        dest="all_windows",
        action="store_false",
        help="with --max-windows: do not also score skgait on all windows",
    )
    parser.add_argument(
        "--prepare", action="store_true", help="only compute the cached features, then stop"
    )
    parser.add_argument(
        "--cache", default=os.environ.get("SKGAIT_BENCH_CACHE", "/tmp/skgait_bench")
    )
    args = parser.parse_args(argv)
    for peer, module in (("minirocket", "aeon"), ("tsfresh", "tsfresh")):
        if peer in args.peers:
            try:
                __import__(module)
            except ImportError:
                print(
                    f"{peer}: package {module!r} is not installed; skipping this peer "
                    f"(pip install {module})."
                )
                args.peers = [p for p in args.peers if p != peer]
    warnings.filterwarnings("ignore", module="skgait.features")
    start = time.perf_counter()
    if args.prepare:
        prepare(args)
        return None
    table = run(args)
    report(table)
    print(f"tsfresh feature set: {args.tsfresh}; seeds: {args.seeds}")
    print(f"\nFinished in {time.perf_counter() - start:.0f} s.")
    return table


if __name__ == "__main__":
    main()
