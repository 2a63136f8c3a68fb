"""Identification across trials and authentication of unseen people, with the mounting control.

Prints the tables of ``docs/identification.md``. The shared datasets hold
consecutive trials recorded with the device left in place ("cross-trial,
same mounting"), so the direction of gravity in the sensor frame alone can
recognise people. Every number is printed beside the **mounting control**:
the same protocol scored on :class:`~skgait.features.GravityDirection` (3
numbers per window; 1-nearest neighbour with the cosine distance for
identification, cosine similarity of the untrained vectors for
authentication). A claim about gait counts by its margin over the control.
Every number is given on the data as recorded and **re-mounted**: each
probe recording turned by its own random rotation of 15–45° about a random
axis (:func:`~skgait.datasets.random_remount`, seed 0), enrolment
untouched.

1. **Identification** (which enrolled person walks?), per probe recording,
   both directions of every split: SisFall slow walk D01 ↔ fast walk D02
   (waist, 38 people; windows apart, overlapping by half as in
   ``bench_accuracy.py``, and apart on the grid shifted by half a window:
   the overlapping windows that the cut without overlap skips), IPOL trial 1 ↔ 2 (right foot and lower back, 19),
   HuGaDB one file of each person held out, the last and the one before
   (right thigh, 11).
   Models: ``device frame`` = ``CrossCorrelationFeatures(lags=(2, 4, 8,
   16)) → StandardScaler → shrinkage LDA`` (the earlier default); the
   candidates in the walking frame (``WalkingFrame`` → correlations without
   the gravity direction, lags 2–16 or 1–8 samples, optionally with
   ``GaitStatistics`` → LDA; the third is ``make_gait_pipeline
   ("identity")``, the fourth adds the correlations (lags 1–8) of the
   frame's derivatives, ``TimeDerivative``); and ``selected``: the candidate with the best
   re-mounted accuracy on *other* people's probes (people split in two
   halves, seeds 0 and 1; each half is scored with the choice made on the other
   half; ties go to the earlier candidate in the list), so no reported
   probe takes part in the choice.
2. **Authentication** of people unseen in training:
   :func:`~skgait.verification.evaluate_authentication` (5 folds of the
   people, 3 for HuGaDB; in each, training / validation / test people; the
   threshold is the validation people's equal-error threshold); FAR and
   FRR of the test claims at that threshold and the EER pooled over folds.
   Embeddings (cosine similarity): the LDA space (``solver="eigen"``) or
   the standardised features (no LDA) of the identity pipeline's features,
   without or with the derivative correlations, or the standardised
   features whitened by the training people's within-person covariance
   (:class:`~skgait.preprocessing.WithinClassWhitening`, the WCCN of Hatch
   et al., 2006); the best of the first four on each fold's validation people; and, per data set, the one of the four
   with the lowest mean re-mounted EER on the *other* data sets (SisFall,
   IPOL, HuGaDB: different people). Control: ``GravityDirection``. The
   walking-frame features describe each window alone, so they are computed
   once per data set and condition and the embeddings start from them.

Intervals: 95 % percentile bootstrap (seed 0) over probe recordings
(identification, 2000 resamples) or test people (authentication EER, 200
resamples). About 20 minutes (identification) and 35 (authentication) on two
heavily shared cores (``--only`` runs one part); ``--cnn`` adds the
parallel CNN+LSTM of Zou et al. (2020) as an identifier (15 epochs, seed
0) and ``--siamese`` the :class:`~skgait.verification.SiameseVerifier` as
an authentication embedding on SisFall (10 epochs, seed 0).

Usage::

    python benchmarks/bench_identity.py
    python benchmarks/bench_identity.py --cnn --siamese
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import check_cv
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skgait.datasets import (
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    make_windows,
    random_remount,
)
from skgait.features import (
    CrossCorrelationFeatures,
    GaitStatistics,
    GravityDirection,
    TimeDerivative,
    WalkingFrame,
)
from skgait.metrics import equal_error_rate
from skgait.model_selection import CrossRecordingSplit, CrossSessionSplit, score_identification
from skgait.models import GaitCNNLSTMClassifier
from skgait.pipelines import make_gait_pipeline
from skgait.preprocessing import WithinClassWhitening
from skgait.verification import SiameseVerifier, evaluate_authentication

N_BOOT = 2000


def datasets():
    """(name, X, meta, session column, directions) of each benchmark."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NaN windows dropped
        sisfall = load_sisfall()
        sisfall_apart = make_windows(sisfall, placement="waist", overlap=0.0)
        sisfall_overlap = make_windows(sisfall, placement="waist", overlap=0.5)
        ipol = load_ipol_healthy_gait()
        ipol_foot = make_windows(ipol, placement="right_foot", overlap=0.5, segment="trial")
        ipol_back = make_windows(ipol, placement="waist", overlap=0.5, segment="trial")
        hugadb = make_windows(load_hugadb(), placement="right_thigh", overlap=0.5)
    yield "SisFall waist", *sisfall_apart, "trial", [("D01", "D02"), ("D02", "D01")]
    yield "SisFall waist, 50 % overlap", *sisfall_overlap, "trial", [("D01", "D02"), ("D02", "D01")]
    yield (
        "SisFall waist, apart, grid shifted 1.28 s",
        *shifted_grid(*sisfall_overlap),
        "trial",
        [("D01", "D02"), ("D02", "D01")],
    )
    yield "IPOL right foot", *ipol_foot, "trial", [("1", "2"), ("2", "1")]
    yield "IPOL lower back", *ipol_back, "trial", [("1", "2"), ("2", "1")]
    yield "HuGaDB right thigh", *hugadb, "recording", ["last file", "file before last"]


def shifted_grid(X, meta):
    """The windows of a half-overlapping cut that the windows cut apart skip.

    With 50 % overlap, every other window of a recording (the 1st, 3rd, ...)
    is a window of the cut without overlap; the others (2nd, 4th, ...) are
    the same cut started half a window (1.28 s) later.
    """
    ids = (meta["subject"].astype(str) + "/" + meta["recording"].astype(str)).to_numpy()
    order = meta.groupby(ids)["start_s"].rank(method="first").to_numpy().astype(int) - 1
    odd = order % 2 == 1
    return X[odd], meta[odd].reset_index(drop=True)


def splits(meta, directions):
    """(direction label, cv, groups columns) of each direction."""
    for direction in directions:
        if isinstance(direction, tuple):
            train, test = direction
            yield (
                f"{train} → {test}",
                CrossSessionSplit(train=train, test=test),
                ["subject", "trial"],
            )
    if not isinstance(directions[0], tuple):
        groups = meta[["subject", "recording"]].to_numpy()
        for label, split in zip(
            directions, CrossRecordingSplit(n_splits=2).split(groups, groups=groups)
        ):
            yield label, check_cv([split]), ["subject", "recording"]


def lda():
    return LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")


def derivative_correlations():
    """The identity pipeline's features and the correlations of the frame's derivatives."""
    return make_union(
        make_gait_pipeline("identity").steps[0][1],
        make_pipeline(
            WalkingFrame(step_range=(0.24, 0.8), rate=50.0),
            TimeDerivative(rate=50.0),
            CrossCorrelationFeatures(lags=tuple(range(1, 9)), gravity_channels=None),
        ),
    )


def in_walking_frame(lags, statistics=False):
    features = CrossCorrelationFeatures(lags=lags, gravity_channels=None)
    if statistics:
        features = make_union(features, GaitStatistics(rate=50.0))
    return make_pipeline(WalkingFrame(), features, StandardScaler(), lda())


#: The identification models, candidates in their a-priori order (simplest first).
CANDIDATES = {
    "walking frame, lags 2-16": in_walking_frame((2, 4, 8, 16)),
    "walking frame, lags 1-8": in_walking_frame(tuple(range(1, 9))),
    "walking frame, lags 1-8 + statistics": make_gait_pipeline("identity"),
    "walking frame, lags 1-8 + statistics + derivative correlations": make_pipeline(
        derivative_correlations(), StandardScaler(), lda()
    ),
}
REFERENCE = {
    "device frame, lags 2-16 (earlier default)": make_pipeline(
        CrossCorrelationFeatures(lags=(2, 4, 8, 16)), StandardScaler(), lda()
    ),
}
CONTROL = make_pipeline(GravityDirection(), KNeighborsClassifier(1, metric="cosine"))


def interval(values, statistic=np.mean, seed=0):
    """95 % percentile bootstrap interval of ``statistic`` over ``values``' entries."""
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    draws = [statistic(values[rng.integers(0, len(values), len(values))]) for _ in range(N_BOOT)]
    return np.percentile(draws, [2.5, 97.5])


def fmt(value, bounds):
    return f"{value:.3f} [{bounds[0]:.2f}, {bounds[1]:.2f}]"


def remounted_probes(X, meta, cv, columns):
    """X with the windows of every test recording turned (one rotation each, seed 0)."""
    train, test = next(cv.split(X, groups=meta[columns].to_numpy()))
    recordings = (meta["subject"].astype(str) + "/" + meta["recording"].astype(str)).to_numpy()
    X = X.copy()
    X[test] = random_remount(X[test], recordings[test], random_state=0)[0]
    return X


def select_on_other_people(correct_by_candidate, probe_people, seed=0):
    """Each half of the people scored by the candidate best on the other half."""
    people = np.unique(probe_people)
    half = np.isin(
        probe_people, np.random.default_rng(seed).permutation(people)[: len(people) // 2]
    )
    names = list(correct_by_candidate)
    chosen, correct = [], np.zeros(len(probe_people), dtype=bool)
    for scored in (half, ~half):
        means = [correct_by_candidate[n][~scored].mean() for n in names]
        best = names[int(np.argmax(means))]
        chosen.append(best)
        correct[scored] = correct_by_candidate[best][scored]
    return correct, chosen


def identification(sets, cnn=False):
    print("=== Identification across trials, same mounting (accuracy per probe recording) ===")
    print("| data | direction | model | as recorded | re-mounted | probes | chance |")
    print("|---|---|---|---|---|---|---|")
    for name, X, meta, _, directions in sets:
        for direction, cv, columns in splits(meta, directions):
            X_remounted = remounted_probes(X, meta, cv, columns)
            rows, remounted_correct = {}, {}
            models = {**REFERENCE, **CANDIDATES, "mounting control": CONTROL}
            if cnn:
                models["CNN+LSTM (parallel, 15 epochs)"] = GaitCNNLSTMClassifier(
                    max_epochs=15, random_state=0
                )
            for model_name, model in models.items():
                scores = [
                    score_identification(model, Xc, meta, cv=cv, columns=columns)
                    for Xc in (X, X_remounted)
                ]
                rows[model_name] = [s["recording_correct"] for s in scores]
                remounted_correct[model_name] = scores[1]["recording_correct"]
            # score_identification's recordings come in sorted "subject/recording" order
            _, probes = next(cv.split(X, groups=meta[columns].to_numpy()))
            ids = meta["subject"].astype(str) + "/" + meta["recording"].astype(str)
            probe_people = np.array([r.split("/")[0] for r in np.unique(ids.to_numpy()[probes])])
            for model_name, (plain, remounted) in rows.items():
                print(
                    f"| {name} | {direction} | {model_name} | {fmt(plain.mean(), interval(plain))} | "
                    f"{fmt(remounted.mean(), interval(remounted))} | {len(plain)} | "
                    f"{1 / len(np.unique(probe_people)):.3f} |"
                )
            for seed in (0, 1):
                selected, chosen = select_on_other_people(
                    {n: remounted_correct[n] for n in CANDIDATES}, probe_people, seed=seed
                )
                print(
                    f"| {name} | {direction} | selected on other people, halves of seed {seed} "
                    f"({' / '.join(chosen)}) | – | {fmt(selected.mean(), interval(selected))} | "
                    f"{len(selected)} | {1 / len(np.unique(probe_people)):.3f} |",
                    flush=True,
                )


def features_only(n_columns=None):
    """Windows of precomputed features ``(n, d, 1)`` back to a table (its first columns)."""
    return FunctionTransformer(lambda F: F[:, :n_columns, 0])


def embeddings(n_identity):
    """The fixed authentication embeddings, on precomputed walking-frame features."""

    def eigen():
        return LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto")

    return {
        "LDA space of the identity features": make_pipeline(
            features_only(n_identity), StandardScaler(), eigen()
        ),
        "LDA space of the identity + derivative features": make_pipeline(
            features_only(), StandardScaler(), eigen()
        ),
        "standardised identity features": make_pipeline(
            features_only(n_identity), StandardScaler()
        ),
        "standardised identity + derivative features": make_pipeline(
            features_only(), StandardScaler()
        ),
        "within-person whitened identity features": make_pipeline(
            features_only(n_identity), StandardScaler(), WithinClassWhitening()
        ),
        "within-person whitened identity + derivative features": make_pipeline(
            features_only(), StandardScaler(), WithinClassWhitening()
        ),
    }


def pooled_eer_interval(claims):
    """95 % bootstrap interval of the pooled EER over the test people (200 resamples)."""
    people = np.unique(claims["probe_subject"])
    rows = {p: np.flatnonzero(claims["probe_subject"] == p) for p in people}
    rng = np.random.default_rng(0)
    draws = []
    for _ in range(200):
        sample = np.concatenate(
            [rows[p] for p in people[rng.integers(0, len(people), len(people))]]
        )
        draws.append(equal_error_rate(claims["genuine"][sample], claims["score"][sample]))
    return np.percentile(draws, [2.5, 97.5])


def authentication(sets, siamese=False):
    print("\n=== Authentication of unseen people (threshold from validation people) ===")
    print(
        "| data | embedding | condition | EER pooled [95 %] | FAR | FRR | people | genuine / impostor claims |"
    )
    print("|---|---|---|---|---|---|---|---|")
    identity_features = make_gait_pipeline("identity").steps[0][1]
    all_features = derivative_correlations()
    fixed = {}  # (data, embedding) -> re-mounted row, for the choice on other datasets
    for name, X, meta, column, _ in sets:
        if "shifted" in name:  # an identification check of the window grid only
            continue
        subjects = meta["subject"].astype(str).to_numpy()
        sessions = meta[column].astype(str).to_numpy()
        recordings = subjects + "/" + meta["recording"].astype(str).to_numpy()
        first = {p: min(sessions[subjects == p]) for p in np.unique(subjects)}
        probe = sessions != np.array([first[s] for s in subjects])
        X_remounted = X.copy()
        X_remounted[probe] = random_remount(X[probe], recordings[probe], random_state=0)[0]
        n_splits = 3 if len(np.unique(subjects)) < 15 else 5
        # The features describe every window alone (nothing is fitted), so they are
        # computed once; the embeddings start from them.
        n_identity = identity_features.fit_transform(X[:1]).shape[1]
        windows = {
            condition: (Xc, all_features.fit_transform(Xc)[:, :, None])
            for condition, Xc in (("as recorded", X), ("re-mounted", X_remounted))
        }
        fixed_models = embeddings(n_identity)
        models = dict(fixed_models)
        models["chosen per fold on validation people (the first four above)"] = list(
            models.values()
        )[:4]
        if siamese and name.startswith("SisFall"):
            models["SiameseVerifier (10 epochs)"] = SiameseVerifier(
                n_pairs=2000, max_epochs=10, random_state=0
            )
        models["mounting control"] = GravityDirection()
        for embed_name, estimator in models.items():
            on_windows = not isinstance(estimator, (list, Pipeline))
            for condition, (Xc, Fc) in windows.items():
                r = evaluate_authentication(
                    estimator,
                    Xc if on_windows else Fc,
                    subjects,
                    sessions,
                    n_splits=n_splits,
                    random_state=0,
                )
                row = (
                    f"{fmt(r['eer'], pooled_eer_interval(r['claims']))} | {r['far']:.3f} | "
                    f"{r['frr']:.3f} | {r['n_people']} | {r['n_genuine']} / {r['n_impostor']} |"
                )
                print(f"| {name} | {embed_name} | {condition} | {row}", flush=True)
                if condition == "re-mounted" and embed_name in fixed_models:
                    fixed[name, embed_name] = (r["eer"], row)
    chosen_on_other_datasets(fixed)


def chosen_on_other_datasets(fixed):
    """Each data set scored by the fixed embedding of lowest mean EER on the *other* data sets.

    Rows of the same people (SisFall windows apart and overlapping, IPOL foot
    and lower back) count as one data set: none of them takes part in the
    choice for the other.
    """
    print(
        "\n| data | chosen on the other data sets (re-mounted) | EER pooled [95 %] | FAR | FRR | people | genuine / impostor claims |"
    )
    print("|---|---|---|---|---|---|---|")
    names = list(dict.fromkeys(data for data, _ in fixed))
    candidates = list(dict.fromkeys(embedding for _, embedding in fixed))
    for name in names:
        others = [n for n in names if n.split()[0] != name.split()[0]]
        means = [np.mean([fixed[n, c][0] for n in others]) for c in candidates]
        best = candidates[int(np.argmin(means))]
        print(f"| {name} | {best} | {fixed[name, best][1]}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", choices=["identification", "authentication"], help="one part only"
    )
    parser.add_argument("--cnn", action="store_true", help="also the parallel CNN+LSTM identifier")
    parser.add_argument("--siamese", action="store_true", help="also the SiameseVerifier (SisFall)")
    args = parser.parse_args()
    start = time.perf_counter()
    sets = list(datasets())
    if args.only != "authentication":
        identification(sets, cnn=args.cnn)
        print(f"[{time.perf_counter() - start:.0f} s]")
    if args.only != "identification":
        authentication(sets, siamese=args.siamese)
        print(f"[{time.perf_counter() - start:.0f} s]")


if __name__ == "__main__":
    main()
