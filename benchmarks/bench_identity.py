"""Identification across sessions and authentication of unseen people, on the shared data.

Prints the numbers quoted in ``docs/identification.md``:

1. **Identification** (who of the enrolled people is walking?), with the
   cross-session protocols of :func:`~skgait.model_selection.identification_protocol`:
   SisFall slow walk (D01) → fast walk (D02), waist, 38 people; IPOL trial
   1 → 2, right foot, 19 people; HuGaDB one file of every person held out,
   right thigh, 18 people. Windows of 2.56 s at 50 Hz (SisFall without
   overlap, the others 50 %). Window accuracy and recording accuracy
   (window probabilities averaged over each test recording), for
   ``CrossCorrelationFeatures → StandardScaler → shrinkage LDA`` and, with
   ``--cnn``, the parallel CNN+LSTM of Zou et al. (2020) trained for 15
   epochs (one seed).
2. **Authentication** of people unseen in training: subjects split 70 / 30
   (``GroupShuffleSplit``, seeds 0, 1, 2); an embedding is learnt on the
   training subjects; every test person is enrolled with the mean
   embedding of their first session (SisFall D01, IPOL trial 1, HuGaDB
   first file) and every window of their other sessions is a probe that
   claims each test identity in turn (one genuine claim, the others
   impostor). Equal error rate over all claims. Embeddings: the LDA space
   of the identification model (cosine similarity), and, with
   ``--siamese``, :class:`~skgait.verification.SiameseVerifier` (parallel
   CNN+LSTM trained with the contrastive loss on un-confounded pairs; seed
   0 only, SisFall).

Everything runs on one PyTorch thread; about 1 minute without the
networks, 3-4 minutes with ``--cnn --siamese`` on a laptop core.

Usage::

    python benchmarks/bench_identity.py
    python benchmarks/bench_identity.py --cnn --siamese
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgait.datasets import load_hugadb, load_ipol_healthy_gait, load_sisfall, make_windows
from skgait.features import CrossCorrelationFeatures
from skgait.metrics import verification_report
from skgait.model_selection import score_identification
from skgait.models import GaitCNNLSTMClassifier
from skgait.verification import SiameseVerifier


def datasets():
    """(name, X, meta, session column) of each benchmark."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NaN windows dropped
        yield ("sisfall D01→D02 (waist)",
               *make_windows(load_sisfall(), placement="waist", overlap=0.0), "trial")
        yield ("ipol trial 1→2 (right foot)",
               *make_windows(load_ipol_healthy_gait(), placement="right_foot",
                             overlap=0.5, segment="trial"), "trial")
        yield ("hugadb file→file (right thigh)",
               *make_windows(load_hugadb(), placement="right_thigh", overlap=0.5), "recording")


def identifier():
    """The best identification model measured (see docs/identification.md)."""
    return make_pipeline(
        CrossCorrelationFeatures(lags=(2, 4, 8, 16)),
        StandardScaler(),
        LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
    )


def lda_embedding():
    return make_pipeline(
        CrossCorrelationFeatures(lags=(2, 4, 8, 16)),
        StandardScaler(),
        LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto"),
    )


def claims_eer(embed_test, subjects, sessions):
    """EER of every probe window claiming every enrolled test identity."""
    E = embed_test / np.linalg.norm(embed_test, axis=1, keepdims=True)
    first_session = {s: sorted(sessions[subjects == s])[0] for s in np.unique(subjects)}
    enrol = sessions == np.array([first_session[s] for s in subjects])
    people = np.unique(subjects)
    T = np.stack([E[enrol & (subjects == p)].mean(axis=0) for p in people])
    T /= np.linalg.norm(T, axis=1, keepdims=True)
    genuine = subjects[~enrol][:, None] == people[None]
    return verification_report(genuine.ravel().astype(int), (E[~enrol] @ T.T).ravel())["eer"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cnn", action="store_true", help="also the parallel CNN+LSTM identifier")
    parser.add_argument("--siamese", action="store_true", help="also the SiameseVerifier (SisFall)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    print("=== Identification across sessions (accuracy; chance = 1 / people) ===")
    sets = list(datasets())
    for name, X, meta, _ in sets:
        models = {"CrossCorrelation+LDA": identifier()}
        if args.cnn:
            models["CNN+LSTM (parallel)"] = GaitCNNLSTMClassifier(max_epochs=15, random_state=0)
        for model_name, model in models.items():
            s = score_identification(model, X, meta)
            print(f"{name:32s} {model_name:22s} windows {s['window_accuracy']:.3f}  "
                  f"recordings {s['recording_accuracy']:.3f}  chance {s['chance']:.3f}  "
                  f"people {s['n_subjects']}  test windows {s['n_test_windows']}")
    print(f"[{time.perf_counter() - start:.0f} s]\n")

    print("=== Authentication of unseen people (EER over all claims; 70/30 subject split) ===")
    for name, X, meta, column in sets:
        subjects = meta["subject"].to_numpy().astype(str)
        sessions = meta[column].to_numpy().astype(str)
        eers = []
        for seed in range(3):
            train, test = next(GroupShuffleSplit(1, test_size=0.3, random_state=seed)
                               .split(X, groups=subjects))
            emb = lda_embedding().fit(X[train], subjects[train])
            eers.append(claims_eer(emb.transform(X[test]), subjects[test], sessions[test]))
        print(f"{name:32s} CrossCorrelation+LDA embedding  EER seeds 0-2: "
              + ", ".join(f"{e:.3f}" for e in eers) + f"  (mean {np.mean(eers):.3f})")
        if args.siamese and name.startswith("sisfall"):
            train, test = next(GroupShuffleSplit(1, test_size=0.3, random_state=0)
                               .split(X, groups=subjects))
            ver = SiameseVerifier(n_pairs=2000, max_epochs=10, random_state=0)
            ver.fit(X[train], subjects[train], sessions=sessions[train])
            eer = claims_eer(ver.embed(X[test]), subjects[test], sessions[test])
            print(f"{name:32s} SiameseVerifier (CNN+LSTM)      EER seed 0: {eer:.3f}")
    print(f"[{time.perf_counter() - start:.0f} s]")


if __name__ == "__main__":
    main()
