"""Who is walking? Identification, authentication and walking extraction.

Reproduces, on the shared public datasets, the three tasks of Zou et al.,
"Deep learning based gait recognition using smartphones in the wild"
(IEEE TIFS 2020), with honest protocols:

1. **Identification** across trials: train on one recording of each
   person, test on another (HuGaDB file → file, SisFall slow → fast walk,
   IPOL trial 1 → 2), never windows of one recording on both sides.
   Channel cross-correlations + shrinkage LDA (the best model measured,
   see ``benchmarks/bench_identity.py``), the parallel CNN+LSTM of the
   paper trained end to end, ACF + random forest, and chance; window- and
   recording-level accuracy.
2. **Authentication** on subjects never seen in training: balanced pairs of
   windows, aligned side by side in time or stacked along channels, scored
   by a (chained) CNN+LSTM pair classifier (ROC AUC, EER, accuracy at EER).
3. **Walking extraction** on HuGaDB's mixed-activity recordings: a per-step
   segmenter trained on some subjects and tested on others.

Fixed 2.56 s windows are compared with two-step windows (IPOL step events).
Epochs are few so that the script runs in about two minutes on a laptop
CPU; the numbers are a smoke-level benchmark, not tuned results.

Run: ``SKGAIT_DATA=/path/to/data python examples/who_is_walking.py``
"""

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgait.datasets import (
    GaitDataset,
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    make_step_windows,
    make_windows,
)
from skgait.features import ACFTransformer, CrossCorrelationFeatures
from skgait.metrics import verification_report
from skgait.model_selection import score_identification
from skgait.models import GaitCNNLSTMClassifier, GaitSegmenter, WalkingExtractor, walking_report
from skgait.models.networks import ChainedCNNLSTM
from skgait.verification import Verifier, make_pairs

SEED = 0
EPOCHS = 8
pd.set_option("display.width", 120)
pd.set_option("display.precision", 3)


def identification_sets():
    """(name, X, meta) of each cross-trial identification benchmark."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NaN windows dropped
        ipol = load_ipol_healthy_gait()
        yield (
            "sisfall D01→D02 (waist, 2.56 s)",
            *make_windows(load_sisfall(), placement="waist", overlap=0.0),
        )
        yield (
            "hugadb file→file (right thigh, 2.56 s)",
            *make_windows(load_hugadb(), placement="right_thigh", overlap=0.5),
        )
        yield (
            "ipol 1→2 (right foot, 2.56 s)",
            *make_windows(ipol, placement="right_foot", overlap=0.5, segment="trial"),
        )
        yield (
            "ipol 1→2 (right foot, 2 steps → 128)",
            *make_step_windows(ipol, placement="right_foot", n_steps=2, n_timepoints=128),
        )


def identifiers():
    return {
        "CrossCorrelation+LDA": make_pipeline(
            CrossCorrelationFeatures(),
            StandardScaler(),
            LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
        ),
        "CNN+LSTM": GaitCNNLSTMClassifier(max_epochs=EPOCHS, random_state=SEED),
        "ACF+RF": make_pipeline(
            ACFTransformer(lags=32), RandomForestClassifier(200, n_jobs=2, random_state=SEED)
        ),
    }


def identification_table():
    rows = []
    for name, X, meta in identification_sets():
        for model_name, model in identifiers().items():
            s = score_identification(model, X, meta)
            rows.append(
                {
                    "benchmark": name,
                    "model": model_name,
                    "windows": s["window_accuracy"],
                    "recordings": s["recording_accuracy"],
                    "chance": s["chance"],
                    "subjects": s["n_subjects"],
                    "test windows": s["n_test_windows"],
                }
            )
    return pd.DataFrame(rows).set_index(["benchmark", "model"])


def authentication_sets():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ipol = load_ipol_healthy_gait()
        yield (
            "sisfall (waist, 2.56 s)",
            *make_windows(load_sisfall(), placement="waist", overlap=0.0),
        )
        yield (
            "ipol (right foot, 2.56 s)",
            *make_windows(ipol, placement="right_foot", overlap=0.5, segment="trial"),
        )
        yield "ipol (right foot, 2 steps)", *make_step_windows(ipol, placement="right_foot")


def authentication_table():
    rows = []
    for name, X, meta in authentication_sets():
        subjects = meta["subject"].to_numpy()
        sessions = meta["trial"].to_numpy()
        # Subjects are split first: those of test pairs never train.
        train_idx, test_idx = next(
            GroupShuffleSplit(1, test_size=0.3, random_state=SEED).split(X, groups=subjects)
        )
        test_pairs, test_same = make_pairs(
            subjects[test_idx], 600, sessions=sessions[test_idx], random_state=SEED
        )
        test_pairs = test_idx[test_pairs]
        train = np.zeros(len(X), dtype=bool)
        train[train_idx] = True
        train_subjects = np.unique(subjects[train])
        for alignment in ("time", "channels"):
            # The chained variant: its LSTM reads 16 CNN steps instead of
            # 256 raw samples, so that the example runs in about two minutes.
            verifier = Verifier(
                GaitCNNLSTMClassifier(ChainedCNNLSTM, max_epochs=EPOCHS, random_state=SEED),
                alignment=alignment,
                n_pairs=1500,
                random_state=SEED,
            ).fit(X[train], subjects[train], sessions=sessions[train])
            score = verifier.score_pairs(X[test_pairs[:, 0]], X[test_pairs[:, 1]])
            report = verification_report(test_same, score)
            rows.append(
                {
                    "benchmark": name,
                    "alignment": alignment,
                    "ROC AUC": report["roc_auc"],
                    "EER": report["eer"],
                    "acc@EER": report["accuracy_at_eer"],
                    "train subj.": len(train_subjects),
                    "test subj.": len(np.unique(subjects[test_pairs])),
                }
            )
        # Chance: a score that ignores the pair.
        rows.append(
            {"benchmark": name, "alignment": "chance", "ROC AUC": 0.5, "EER": 0.5, "acc@EER": 0.5}
        )
    return pd.DataFrame(rows).set_index(["benchmark", "alignment"])


def extraction_table():
    hugadb = load_hugadb()
    various = [r for r in hugadb.recordings if r.info["source_file_kind"] == "various"]
    subjects = np.array(sorted({r.subject for r in various}, key=int))
    test = set(np.random.RandomState(SEED).choice(subjects, 6, replace=False))
    train_ds = GaitDataset("hugadb", [r for r in various if r.subject not in test], hugadb.subjects)
    test_ds = GaitDataset("hugadb", [r for r in various if r.subject in test], hugadb.subjects)
    extractor = WalkingExtractor(
        GaitSegmenter(max_epochs=10, random_state=SEED),
        placement="right_thigh",
        channels=("acc_x", "acc_y", "acc_z"),  # many HuGaDB gyroscopes are corrupted
    ).fit(train_ds)
    extracted = extractor.transform(test_ds)
    report = walking_report(test_ds, extracted)
    # Windows make_windows cuts from the true and from the predicted labels.
    n_true = len(make_windows(test_ds, placement="right_thigh")[0])
    n_pred = len(make_windows(extracted, placement="right_thigh")[0])
    summary = pd.DataFrame(
        [
            {
                "train subjects": len(subjects) - len(test),
                "test subjects": len(test),
                "step accuracy": report["accuracy"],
                "balanced accuracy": report["balanced_accuracy"],
                "walking windows (true labels)": n_true,
                "walking windows (extracted)": n_pred,
            }
        ]
    )
    confusion = report["confusion"]
    walking_share = confusion["n_steps"].get("walking", 0) / confusion["n_steps"].sum()
    summary["majority baseline"] = max(walking_share, 1 - walking_share)
    return summary, confusion


def main():
    start = time.perf_counter()
    print("=== 1. Identification across trials, same mounting (accuracy) ===")
    print(identification_table().to_string())
    print(f"[{time.perf_counter() - start:.0f} s]\n")
    print("=== 2. Authentication on unseen subjects (balanced test pairs) ===")
    print(authentication_table().to_string())
    print(f"[{time.perf_counter() - start:.0f} s]\n")
    print("=== 3. Walking extraction on HuGaDB mixed activities (subject-wise) ===")
    summary, confusion = extraction_table()
    print(summary.to_string(index=False))
    print("fraction of time steps predicted 'walking', by true activity:")
    print(confusion.to_string())
    print(f"[{time.perf_counter() - start:.0f} s]")


if __name__ == "__main__":
    main()
