"""Cross-testing (transfer learning) of the BioDeep CNN between gait datasets.

BioDeep (§4.4, §5, §6.3) trains its CNN on one dataset, keeps the
convolutional layers, attaches a new head and fine-tunes for 2–3 epochs on
another dataset recorded with a sensor at the same place. It reports a
20–30× shorter training time than training from scratch, for an average
loss of 1.4 accuracy points (gender) and 1.2 years of MAE (age).

This example repeats that experiment on the shared datasets, with the same
sensor placement on both sides:

- HuGaDB right foot → IPOL right foot, and back;
- SisFall waist → IPOL waist (lower back), and back.

Every recording is cut into windows of 2.56 s at 50 Hz with 50 % overlap
(:func:`~skgait.datasets.make_windows` resamples each dataset to 50 Hz),
and each window is described by its autocorrelation at lags 1–10 per
channel (``ACFTransformer(lags=10, output="3d")``, shape (6, 10)). For each
(source → target, task) with task ∈ {gender, age}:

- **from scratch**: a CNN is trained on the target's training subjects for
  ``max_epochs`` epochs (the paper trained to convergence; we fix
  ``MAX_EPOCHS = 30``) and tested on the target's held-out subjects
  (subject-wise folds: :class:`~skgait.model_selection.SubjectKFold` for
  gender, :class:`~skgait.model_selection.SubjectRegressionKFold` for age);
- **fine-tuned**: a CNN is trained once on the *whole* source dataset (not
  counted in the target's training time, as in the paper); on each target
  fold a new network starts from the source's convolutional weights
  (``warm_start_from=source.feature_weights()``), gets a new head and is
  fine-tuned for ``fine_tune_epochs=3`` epochs on the same training
  subjects, then tested on the same held-out subjects. All layers are
  trained while fine-tuning (``freeze=None``);
- **scratch, 3 epochs**: the control the paper does not show: a CNN from
  scratch trained for as many epochs as the fine-tuning. If the fine-tuned
  network is no better than this one, the source features did not help;
- **baseline**: the majority sex / the median age of the training subjects.

Reading the numbers
-------------------
Scores are for people the networks have never seen (subject-wise
protocol), not for new windows of people seen in training as in the
paper's 95–99 %. With 18–38 subjects per dataset little of a gait
signature generalises to new people. For the foot sensors (HuGaDB, IPOL)
both networks are at or below the majority-class baseline for gender
(HuGaDB's 14 men among 18 subjects make "always male" score 0.74–0.78)
and no better than the median age: there, "fine-tuning costs at most 1.4
points" is met trivially, because it compares two models at chance. The
waist datasets carry some signal (gender in IPOL and SisFall, age in
SisFall's young and elderly groups): there the network trained from
scratch is the better one. In the benchmark's runs fine-tuning lost 5–13
accuracy points for gender (beyond the paper's 1.4) and 0.2–1.2 years for
age, and beat 3 epochs from scratch only once. The script prints one line
per setting saying which case it is.

The speed-up is the ratio of the target training wall times, scratch /
fine-tune. Both train on the same windows, an epoch costs the same, so the
ratio is essentially ``MAX_EPOCHS / fine_tune_epochs`` = 30 / 3 ≈ 10: it
is set by the choice of epochs, not by anything the transfer learns. The
paper's 20–30× corresponds to scratch runs of 40–90 epochs against 2–3.
``benchmarks/bench_transfer.py`` also measures how many epochs training
from scratch needs to converge (early stopping on held-out subjects): a
few (1–8 in our runs), so at convergence the speed-up is about 0.4–3×.

To run in under two minutes, this example keeps at most
``MAX_WINDOWS_PER_SUBJECT`` windows per subject, three folds and one seed;
the benchmark uses all windows, several seeds and the convergence
measurement. PyTorch runs on one thread (``torch.set_num_threads(1)``).

Set ``SKGAIT_DATA`` to the folder holding ``HuGaDB/``, ``SisFall/`` and
``IPOL_HealthyGait/``.
"""

import time
import warnings
from functools import partial

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import accuracy_score, balanced_accuracy_score, mean_absolute_error
from skorch.callbacks import EarlyStopping

from skgait import ACFTransformer
from skgait.datasets import (
    load_hugadb,
    load_ipol_healthy_gait,
    load_sisfall,
    make_windows,
)
from skgait.model_selection import SubjectKFold, SubjectRegressionKFold, make_baseline
from skgait.models import GaitCNNClassifier, GaitCNNRegressor, GroupValidSplit

LOADERS = {"HuGaDB": load_hugadb, "SisFall": load_sisfall, "IPOL": load_ipol_healthy_gait}

#: (source, target), each as (dataset, placement): same placement on both sides.
PAIRS = [
    (("HuGaDB", "right_foot"), ("IPOL", "right_foot")),
    (("IPOL", "right_foot"), ("HuGaDB", "right_foot")),
    (("SisFall", "waist"), ("IPOL", "waist")),
    (("IPOL", "waist"), ("SisFall", "waist")),
]

#: task -> (meta column, network, subject-wise splitter, baseline task, metric)
TASKS = {
    "gender": ("sex", GaitCNNClassifier, SubjectKFold, "classification", "accuracy"),
    "age": ("age", GaitCNNRegressor, SubjectRegressionKFold, "regression", "MAE (years)"),
}

WINDOWS = {"rate": 50.0, "length": 2.56, "overlap": 0.5, "activity": "walking"}
LAGS = 10
MAX_EPOCHS = 30
FINE_TUNE_EPOCHS = 3
N_SPLITS = 3
MAX_WINDOWS_PER_SUBJECT = 20

#: BioDeep §6.3: fine-tuning costs at most this much, for a 20–30× speed-up.
PAPER_COST = {"gender": 1.4, "age": 1.2}  # accuracy points / years of MAE
PAPER_SPEEDUP = (20, 30)
#: A model "clearly" beats the baseline by more than this (accuracy / years).
CLEAR_MARGIN = {"gender": 0.05, "age": 1.0}


def load_features(dataset, placement, *, max_windows_per_subject=None):
    """ACF features (n_windows, 6, LAGS) and the meta table of one placement.

    Parameters
    ----------
    dataset : {"HuGaDB", "SisFall", "IPOL"}
        Dataset name.
    placement : str
        Sensor placement, e.g. ``"right_foot"`` or ``"waist"``.
    max_windows_per_subject : int or None, default=None
        Keep at most this many windows per subject, evenly spread over the
        subject's windows (deterministic). ``None`` keeps all.

    Returns
    -------
    features : ndarray of shape (n_windows, 6, LAGS)
    meta : DataFrame
        One row per window (``sex``, ``age``, ``group`` = subject).
    """
    X, meta = make_windows(LOADERS[dataset](), placement=placement, **WINDOWS)
    if max_windows_per_subject is not None:
        keep = []
        for rows in meta.groupby("group", sort=True).indices.values():
            n = min(len(rows), max_windows_per_subject)
            keep.extend(rows[np.linspace(0, len(rows) - 1, n).round().astype(int)])
        keep = np.sort(np.asarray(keep))
        X, meta = X[keep], meta.iloc[keep].reset_index(drop=True)
    with warnings.catch_warnings():
        # A constant channel (sensor at rest) has ACF 0, with a warning.
        warnings.filterwarnings("ignore", category=UserWarning, module="skgait.features")
        features = ACFTransformer(lags=LAGS, output="3d").fit_transform(X)
    return features, meta


def _score(task, y_true, y_pred):
    if task == "gender":
        return {
            "score": accuracy_score(y_true, y_pred),
            "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
        }
    return {"score": mean_absolute_error(y_true, y_pred)}


def _quiet(message):
    """Discard EarlyStopping's messages."""


def _timed_fit(estimator, X, y, **fit_params):
    start = time.perf_counter()
    estimator.fit(X, y, **fit_params)
    return time.perf_counter() - start


def cross_test(
    source,
    target,
    task,
    *,
    max_epochs=MAX_EPOCHS,
    fine_tune_epochs=FINE_TUNE_EPOCHS,
    n_splits=N_SPLITS,
    random_state=0,
    convergence=False,
    convergence_max_epochs=100,
    patience=5,
):
    """Scratch vs fine-tuned CNN on the target's held-out subjects.

    Parameters
    ----------
    source, target : tuple of (ndarray, DataFrame)
        ACF features and meta of the source and target, from
        :func:`load_features`.
    task : {"gender", "age"}
        What to predict.
    max_epochs : int, default=MAX_EPOCHS
        Epochs of the source network and of the scratch target networks.
    fine_tune_epochs : int, default=FINE_TUNE_EPOCHS
        Epochs of fine-tuning (and of the short scratch control).
    n_splits : int, default=N_SPLITS
        Subject-wise folds of the target.
    random_state : int, default=0
        Seeds the folds and every network.
    convergence : bool, default=False
        Also train from scratch with early stopping (subject-wise
        validation on 25 % of the training subjects, ``patience`` epochs)
        and record the epoch of the best validation loss.
    convergence_max_epochs : int, default=100
        Epoch limit of the early-stopping run.
    patience : int, default=5
        Early-stopping patience.

    Returns
    -------
    results : DataFrame
        One row per (fold, model) with ``score`` (accuracy or MAE),
        ``balanced_accuracy`` (gender), ``fit_s`` (wall time of ``fit``)
        and ``epochs``. ``model`` is ``scratch``, ``fine_tune``,
        ``scratch_short``, ``baseline`` and, with ``convergence=True``,
        ``scratch_early_stop`` (``epochs`` is then the best epoch).
    """
    column, Net, Folds, baseline_task, _ = TASKS[task]
    (X_src, meta_src), (X_tgt, meta_tgt) = source, target
    y_src, y_tgt = meta_src[column].to_numpy(), meta_tgt[column].to_numpy()
    groups = meta_tgt["group"].to_numpy()
    net = partial(Net, random_state=random_state)

    # The source network is trained once, on all its subjects; its training
    # time is not part of the target's (as in the paper).
    source_net = net(max_epochs=max_epochs)
    source_s = _timed_fit(source_net, X_src, y_src)
    weights = source_net.feature_weights()

    rows = []
    cv = Folds(n_splits=n_splits, shuffle=True, random_state=random_state)
    for fold, (train, test) in enumerate(cv.split(X_tgt, y_tgt, groups)):
        models = {
            "scratch": net(max_epochs=max_epochs),
            "fine_tune": net(warm_start_from=weights, fine_tune_epochs=fine_tune_epochs),
            "scratch_short": net(max_epochs=fine_tune_epochs),
            "baseline": make_baseline(baseline_task),
        }
        if convergence:
            models["scratch_early_stop"] = net(
                max_epochs=convergence_max_epochs,
                train_split=GroupValidSplit(0.25, random_state=random_state),
                callbacks=[EarlyStopping(patience=patience, load_best=True, sink=_quiet)],
            )
        for name, model in models.items():
            fit_params = {"groups": groups[train]} if name == "scratch_early_stop" else {}
            fit_s = _timed_fit(model, X_tgt[train], y_tgt[train], **fit_params)
            epochs = len(model.history) if hasattr(model, "history_") else 0
            if name == "scratch_early_stop":
                best = [i for i, e in enumerate(model.history, 1) if e["valid_loss_best"]]
                epochs = best[-1]
            rows.append(
                {
                    "fold": fold,
                    "model": name,
                    "fit_s": fit_s,
                    "epochs": epochs,
                    "n_train": len(train),
                    "source_fit_s": source_s,
                    **_score(task, y_tgt[test], model.predict(X_tgt[test])),
                }
            )
    return pd.DataFrame(rows)


def run(
    pairs=PAIRS,
    tasks=tuple(TASKS),
    seeds=(0,),
    *,
    max_windows_per_subject=MAX_WINDOWS_PER_SUBJECT,
    verbose=True,
    **kwargs,
):
    """:func:`cross_test` for every pair, task and seed.

    ``kwargs`` go to :func:`cross_test`. Returns the concatenated per-fold
    results with ``source``, ``target``, ``task`` and ``seed`` columns.
    """
    cache = {}

    def features(key):
        if key not in cache:
            cache[key] = load_features(*key, max_windows_per_subject=max_windows_per_subject)
        return cache[key]

    parts = []
    for seed in seeds:
        for source, target in pairs:
            for task in tasks:
                start = time.perf_counter()
                res = cross_test(
                    features(source), features(target), task, random_state=seed, **kwargs
                )
                res.insert(0, "seed", seed)
                res.insert(0, "task", task)
                res.insert(0, "target", " ".join(target))
                res.insert(0, "source", " ".join(source))
                parts.append(res)
                if verbose:
                    print(
                        f"  seed {seed}  {' '.join(source)} → {' '.join(target)}  "
                        f"{task}: {time.perf_counter() - start:.1f} s",
                        flush=True,
                    )
    return pd.concat(parts, ignore_index=True)


def summarize(results, *, max_epochs=MAX_EPOCHS, fine_tune_epochs=FINE_TUNE_EPOCHS):
    """One row per (source → target, task): scores, times, ratio, target met.

    Scores are averaged over folds and seeds; times are the total target
    training wall time over folds, averaged over seeds. ``cost`` is what
    fine-tuning loses against scratch (accuracy points for gender, years of
    MAE for age; negative means fine-tuning did better) and ``cost_ok``
    whether it is within the paper's. ``ratio`` is scratch / fine-tune wall
    time; ``met`` is ``ratio >= 20`` and ``cost_ok``. With early-stopping
    runs, ``conv_epochs`` is the mean epoch of the best validation loss and
    ``ratio_conv`` the ratio had scratch training stopped there (scratch
    time per epoch × ``conv_epochs`` / fine-tune time).
    """
    out = []
    for (source, target, task), df in results.groupby(["source", "target", "task"], sort=False):
        score = df.groupby("model")["score"].mean()
        per_seed = df.groupby(["model", "seed"])["fit_s"].sum().groupby("model").mean()
        cost = score["scratch"] - score["fine_tune"]
        cost = 100 * cost if task == "gender" else -cost
        ratio = per_seed["scratch"] / per_seed["fine_tune"]
        row = {
            "source → target": f"{source} → {target}",
            "task": task,
            "metric": TASKS[task][4],
            "scratch": score["scratch"],
            "fine_tune": score["fine_tune"],
            f"scratch_{fine_tune_epochs}ep": score["scratch_short"],
            "baseline": score["baseline"],
            "cost": cost,
            "paper_cost": f"≤ {PAPER_COST[task]}",
            "cost_ok": bool(cost <= PAPER_COST[task]),
            "t_scratch_s": per_seed["scratch"],
            "t_fine_tune_s": per_seed["fine_tune"],
            "ratio": ratio,
        }
        if "scratch_early_stop" in score.index:
            conv = df.loc[df["model"] == "scratch_early_stop", "epochs"].mean()
            row["conv_epochs"] = conv
            row["ratio_conv"] = ratio * conv / max_epochs
        row["paper_ratio"] = f"{PAPER_SPEEDUP[0]}–{PAPER_SPEEDUP[1]}×"
        row["met"] = bool(ratio >= PAPER_SPEEDUP[0] and row["cost_ok"])
        out.append(row)
    return pd.DataFrame(out)


def _verdict(row, fine_tune_epochs):
    """One line on what a row of :func:`summarize` means."""
    gender = row["task"] == "gender"

    def better(a, b, margin=0.0):  # is score a better than score b by more than margin?
        return a > b + margin if gender else a < b - margin

    unit = "pts" if gender else "years"
    cost = (
        f"cost {row['cost']:+.1f} {unit} ({'within' if row['cost_ok'] else 'beyond'} the paper's)"
    )
    margin = CLEAR_MARGIN[row["task"]]
    beats = [
        name for name in ("scratch", "fine_tune") if better(row[name], row["baseline"], margin)
    ]
    if not beats:
        what = (
            "neither network beats the baseline clearly: the cost compares two near-chance models"
        )
    elif beats == ["scratch"]:
        what = (
            "only scratch beats the baseline clearly: fine-tuning the "
            "transferred features loses what it learnt"
        )
    elif beats == ["fine_tune"]:
        what = "only the fine-tuned network beats the baseline clearly"
    else:
        what = "both beat the baseline clearly"
    short = row[f"scratch_{fine_tune_epochs}ep"]
    control = ("better" if better(row["fine_tune"], short) else "no better") + (
        f" than {fine_tune_epochs} epochs from scratch ({short:.2f})"
    )
    return f"  {row['source → target']}, {row['task']}: {cost}; {what}; fine-tuned is {control}."


def print_summary(table, *, max_epochs=MAX_EPOCHS, fine_tune_epochs=FINE_TUNE_EPOCHS):
    """Print the table and what it means."""
    with pd.option_context(
        "display.width", 250, "display.max_columns", None, "display.float_format", "{:.3f}".format
    ):
        print(table.to_string(index=False))
    print(f"""
scratch: {max_epochs} epochs on the target's training subjects; fine_tune: the
source's convolutional layers + a new head, {fine_tune_epochs} epochs on the same
subjects; scratch_{fine_tune_epochs}ep: scratch for {fine_tune_epochs} epochs;
baseline: majority sex / median age of the training subjects. All scores are for held-out subjects
(subject-wise folds), not for new windows of people seen in training.
cost: accuracy points (gender) or years of MAE (age) lost by fine-tuning
(paper: ≤ 1.4 / ≤ 1.2). ratio: target training wall time, scratch /
fine-tune (paper: 20–30×). met: ratio ≥ 20 and cost within the paper's.

Speed-up: {table["ratio"].min():.1f}–{table["ratio"].max():.1f}×, close to
{max_epochs} / {fine_tune_epochs} = {max_epochs / fine_tune_epochs:.0f} epochs: both train on the
same windows and an epoch costs the same, so the ratio is set by the number of epochs
chosen, not by anything the transfer learns (the paper's 20–30× means 40–90
scratch epochs against 2–3). Target met in
{int(table["met"].sum())} of {len(table)} settings; the cost alone is within the paper's
in {int(table["cost_ok"].sum())}.""")
    if "ratio_conv" in table:
        print(f"""
Trained from scratch with early stopping on held-out subjects, the CNN
reaches its best validation loss after
{table["conv_epochs"].min():.1f}–{table["conv_epochs"].max():.1f} epochs (mean over folds);
stopped there, scratch training takes
{table["ratio_conv"].min():.1f}–{table["ratio_conv"].max():.1f}× the fine-tuning time.
Epochs beyond that fit the training subjects, not sex or age.""")
    print(f"""
With 18–38 subjects per dataset, little of a gait signature generalises to
new people, so a small cost often compares two models near chance
("clearly" below: by more than {100 * CLEAR_MARGIN["gender"]:.0f} accuracy points or
{CLEAR_MARGIN["age"]:.0f} year of MAE):""")
    for _, row in table.iterrows():
        print(_verdict(row, fine_tune_epochs))


def main():
    torch.set_num_threads(1)
    start = time.perf_counter()
    print(
        f"Cross-testing, {MAX_EPOCHS} epochs from scratch vs {FINE_TUNE_EPOCHS} of "
        f"fine-tuning, {N_SPLITS} subject-wise folds, ≤ {MAX_WINDOWS_PER_SUBJECT} "
        "windows per subject, 1 torch thread:"
    )
    results = run()
    table = summarize(results)
    print()
    print_summary(table)
    print(f"\nFinished in {time.perf_counter() - start:.0f} s.")
    return table


if __name__ == "__main__":
    main()
