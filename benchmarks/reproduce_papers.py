"""The papers' presets measured with the papers' protocol and with the honest one.

Prints the numbers of ``docs/papers.md``. Every model is a preset of
:mod:`skgait.presets`; each is scored twice on the same windows: with the
paper's window-level split (:class:`~skgait.model_selection.LeakyWindowKFold`:
windows of the same people, often of the same recording, on both sides) and
with the honest split (new subjects for gender and age, other recordings of
the same people for identity). A baseline that ignores the input sits beside
every number.

1. **BioDeep** (Mostafa et al., 2021) on HuGaDB, right shin, all 18
   subjects (all within the paper's 15-35 years), resampled to the 56.35 Hz
   the paper states, 2.56 s windows half overlapping, 66 ACF features:
   the random forest (100 trees) averaged over ``--runs`` seeds (the paper:
   10), and the BioDeep CNN (``--epochs`` epochs, one seed), 5-fold
   window-level vs 5-fold subject-wise; gender (accuracy, balanced
   accuracy) and age (MAE in years), with the majority / median baseline.
2. **Identification** (Zou et al., 2020; Marín-Jiménez et al., 2017) on
   IPOL HealthyGait, right foot, 19 people, 2.56 s windows at 50 Hz half
   overlapping: one 90 / 10 window-level split (as Zou et al.'s 33,104 /
   3,740 samples) vs trial 1 → trial 2. Window accuracy and chance
   (1 / people). The networks train ``--epochs`` epochs (Marín-Jiménez:
   30, their maximum), one seed.
3. **Gender + age group as one multi-label target** (Chatzitzisi et al.,
   2020) on SisFall, waist, 38 people (young 19-30 / elderly 60-75), 2.56 s
   windows at 50 Hz: ACF up to 0.2 s and a multi-label random forest (100
   trees), out-of-fold predictions of 5-fold window-level vs subject-wise
   splits, scored by :func:`~skgait.metrics.multilabel_report`, beside the
   training majority of each label.
4. **Lightweight multi-task CNN** (Rajababu et al.): the same SisFall
   windows, gender (main) + age group, the ``"rajababu"`` preset
   (depthwise-separable features) against the same network with BioDeep's
   convolutions, ``--epochs`` epochs, 5-fold subject-wise; balanced accuracy
   of each task and parameter counts.
5. **Walking extraction** (Zou et al., 2020): the ``"zou_walking"`` preset
   (1024-sample crops at 50 Hz, a third "unclassified" class) trained on
   the mixed-activity files of 12 HuGaDB subjects (right thigh,
   accelerometer) and applied to the other 6 (their dataset #8 also tests
   on new people); per-step accuracy of the classified steps and the share
   left unclassified, for thresholds None, 0.8, 0.9, beside the majority.

Runs on one PyTorch thread. Usage::

    python benchmarks/reproduce_papers.py --runs 10 --epochs 10
    python benchmarks/reproduce_papers.py --only identity
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import make_pipeline

from skgait.datasets import (
    ACTIVITIES,
    GaitDataset,
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    make_windows,
)
from skgait.features import ACFTransformer
from skgait.metrics import multilabel_report
from skgait.model_selection import LeakyWindowKFold, SubjectKFold, evaluate
from skgait.models import GaitSegmenter
from skgait.presets import make_preset, paper_protocol
from skgait.targets import AgeGroups, make_gender_age_target


def biodeep_windows():
    protocol = paper_protocol("biodeep_forest")
    X, meta = make_windows(
        load_hugadb(),
        placement=protocol["placement"],
        rate=protocol["rate"],
        length=protocol["length"],
        overlap=protocol["overlap"],
        corrupted_gyroscope="keep",  # the paper keeps all 18 subjects
    )
    low, high = protocol["age_range"]
    keep = meta["age"].between(low, high).to_numpy()
    return X[keep], meta[keep].reset_index(drop=True)


def biodeep(runs, epochs):
    X, meta = biodeep_windows()
    groups = meta["subject"].to_numpy()
    print(
        f"HuGaDB right shin: {len(X)} windows, {meta['subject'].nunique()} subjects "
        f"({(meta.groupby('subject')['sex'].first() == 'F').sum()} women)"
    )
    rows = []
    for task, y in (("gender", meta["sex"].to_numpy()), ("age", meta["age"].to_numpy())):
        models = [(f"forest, seed {seed}", "biodeep_forest", seed) for seed in range(runs)]
        models.append(("CNN", "biodeep_cnn", 0))
        for label, name, seed in models:
            estimator = make_preset(name, task=task, random_state=seed)
            if name == "biodeep_cnn":
                estimator.set_params(cnn__max_epochs=epochs)
            result = evaluate(
                estimator, X, y, groups, protocol=["leaky_window", "subject"], random_state=0
            )
            result.insert(0, "task", task)
            result.insert(1, "run", label)
            rows.append(result)
    table = pd.concat(rows, ignore_index=True)
    table["preset"] = np.where(table["run"] == "CNN", "CNN", "forest")
    metrics = [c for c in ("accuracy", "balanced_accuracy", "mae") if c in table]
    summary = table.groupby(["task", "preset", "protocol", "model"])[metrics].agg(["mean", "std"])
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(summary.round(3).dropna(axis=1, how="all"))


def identity_windows():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return make_windows(
            load_ipol_healthy_gait(),
            placement="right_foot",
            rate=50.0,
            overlap=0.5,
            segment="trial",
        )


def identity(epochs):
    X, meta = identity_windows()
    subject = meta["subject"].to_numpy()
    trial = meta["trial"].astype(str).to_numpy()
    leaky = next(LeakyWindowKFold(n_splits=10, random_state=0).split(X))
    first, second = (trial == "1"), (trial == "2")
    sessions = (np.flatnonzero(first), np.flatnonzero(second))
    print(f"IPOL right foot: {len(X)} windows, {len(np.unique(subject))} people")
    presets = [
        "zou_cnn_lstm",
        "zou_cnn",
        "zou_lstm",
        "zou_fourier",
        "zou_wavelet",
        "zou_eigengait",
        "marin_jimenez_softmax",
        "marin_jimenez_7nn",
        "marin_jimenez_svm",
    ]
    Y = pd.DataFrame({"subject": subject, "age": meta["age"].to_numpy(dtype=float)})
    for name in presets:
        preset = "marin_jimenez" if name == "marin_jimenez_softmax" else name
        estimator = make_preset(preset, random_state=0)
        multitask = preset.startswith("marin_jimenez")
        if preset.startswith("zou_") and hasattr(estimator, "max_epochs"):
            estimator.set_params(max_epochs=epochs)
        scores = {}
        for protocol, (train, test) in (("window-level", leaky), ("trial 1→2", sessions)):
            start = time.perf_counter()
            model = clone(estimator).fit(X[train], Y.iloc[train] if multitask else subject[train])
            pred = model.predict(X[test])
            if isinstance(pred, pd.DataFrame):
                pred = pred["subject"].to_numpy()
            scores[protocol] = (np.mean(pred == subject[test]), time.perf_counter() - start)
        chance = 1 / len(np.unique(subject))
        print(
            f"{name:22s} "
            + "  ".join(f"{p}: {a:.3f} ({t:.0f} s)" for p, (a, t) in scores.items())
            + f"  chance {chance:.3f}"
        )


def sisfall_windows():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X, meta = make_windows(load_sisfall(), placement="waist", rate=50.0, overlap=0.0)
    return X, meta.reset_index(drop=True)


def _splits(X, meta):
    subject = meta["subject"].to_numpy()
    sex = meta["sex"].to_numpy()
    return {
        "window-level": list(LeakyWindowKFold(5, random_state=0).split(X)),
        "subject-wise": list(SubjectKFold(5).split(X, sex, subject)),
    }


def multilabel():
    X, meta = sisfall_windows()
    Y = make_gender_age_target(meta, "sisfall")
    print(f"SisFall waist: {len(X)} windows, {meta['subject'].nunique()} people; labels {list(Y)}")
    models = {
        "ACF + forest": make_pipeline(
            ACFTransformer(lags=0.2, rate=50.0),
            RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0),
        ),
        "majority": DummyClassifier(strategy="most_frequent"),
    }
    keys = ("accuracy", "f1", "mean_accuracy", "subset_accuracy", "hamming_loss")
    for protocol, splits in _splits(X, meta).items():
        for name, model in models.items():
            pred = np.zeros(Y.shape, dtype=int)
            for train, test in splits:
                pred[test] = clone(model).fit(X[train], Y.iloc[train]).predict(X[test])
            report = multilabel_report(Y, pred)
            per_label = "  ".join(f"{k} {v:.3f}" for k, v in report["f1_per_label"].items())
            print(
                f"{protocol:13s} {name:13s} "
                + "  ".join(f"{k} {report[k]:.3f}" for k in keys)
                + f"  F1 {per_label}"
            )


def lightweight(epochs):
    X, meta = sisfall_windows()
    Y = pd.DataFrame(
        {
            "sex": meta["sex"].to_numpy(),
            "age_group": AgeGroups("sisfall").fit_transform(meta["age"]),
        }
    )
    splits = _splits(X, meta)["subject-wise"]
    for label, features in (("separable (rajababu)", "separable"), ("BioDeep convs", "biodeep")):
        net = make_preset("rajababu", random_state=0).set_params(
            max_epochs=epochs, module__features=features
        )
        scores = {"sex": [], "age_group": []}
        for train, test in splits:
            fitted = clone(net).fit(X[train], Y.iloc[train])
            pred = fitted.predict(X[test])
            for task in scores:
                scores[task].append(balanced_accuracy_score(Y[task].iloc[test], pred[task]))
        n_params = sum(p.numel() for p in fitted.module_.parameters())
        n_features = sum(p.numel() for p in fitted.module_.features.parameters())
        print(
            f"{label:22s} parameters {n_params} (features {n_features})  "
            + "  ".join(f"{t} {np.mean(v):.3f}" for t, v in scores.items())
            + "  (balanced accuracy, subject-wise; chance 0.500)"
        )


def walking(epochs):
    hugadb = load_hugadb()
    various = [
        r
        for r in hugadb.recordings
        if r.info["source_file_kind"] == "various" and r.placement == "right_thigh"
    ]
    subjects = sorted({r.subject for r in various}, key=int)
    tested = set(subjects[::3])
    train = GaitDataset("hugadb", [r for r in various if r.subject not in tested], hugadb.subjects)
    test = [r for r in various if r.subject in tested]
    print(
        f"HuGaDB right thigh: train {len(subjects) - len(tested)} subjects, test {sorted(tested)}"
    )
    extractor = make_preset("zou_walking", random_state=0).set_params(
        placement="right_thigh",
        channels=("acc_x", "acc_y", "acc_z"),
        segmenter=GaitSegmenter(max_epochs=epochs, random_state=0),
    )
    extractor.fit(train)
    truth = np.concatenate([r.activity == ACTIVITIES.index("walking") for r in test])
    print(
        f"majority (always {'walking' if truth.mean() >= 0.5 else 'not walking'}): "
        f"{max(truth.mean(), 1 - truth.mean()):.3f}"
    )
    for threshold in (None, 0.8, 0.9):
        extractor.set_params(threshold=threshold)
        labels = np.concatenate([extractor.predict_labels(r) for r in test])
        classified = labels != "unclassified"
        accuracy = np.mean((labels[classified] == "walking") == truth[classified])
        print(
            f"threshold {threshold}: accuracy of classified steps {accuracy:.3f}, "
            f"unclassified {1 - classified.mean():.3f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="forest seeds (the paper: 10)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of the networks")
    parser.add_argument(
        "--only",
        choices=["biodeep", "identity", "multilabel", "lightweight", "walking"],
        default=None,
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    sections = [
        (
            "biodeep",
            "BioDeep (Mostafa et al., 2021): gender and age, HuGaDB",
            lambda: biodeep(args.runs, args.epochs),
        ),
        (
            "identity",
            "Identification (Zou et al., 2020; Marín-Jiménez et al., 2017): IPOL",
            lambda: identity(args.epochs),
        ),
        (
            "multilabel",
            "Gender + age group, multi-label (Chatzitzisi et al., 2020): SisFall",
            multilabel,
        ),
        (
            "lightweight",
            "Lightweight multi-task CNN (Rajababu et al.): SisFall",
            lambda: lightweight(args.epochs),
        ),
        ("walking", "Walking extraction (Zou et al., 2020): HuGaDB", lambda: walking(args.epochs)),
    ]
    for name, title, run in sections:
        if args.only in (None, name):
            print(f"=== {title} ===")
            run()
            print(f"[{time.perf_counter() - start:.0f} s]\n")


if __name__ == "__main__":
    main()
