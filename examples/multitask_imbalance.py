"""Multi-task learning and imbalance-aware losses for gender and age group.

Under the subject-wise protocol (3 folds of :class:`SubjectKFold`: no
subject in both training and test) on SisFall (waist) and IPOL HealthyGait
(waist), it compares for gender and age group:

- single-task networks (one :class:`GaitMultiTaskNet` head) and one
  multi-task network learning both (plus the training subjects' identity
  as an auxiliary task, λ = 0.3, Marín-Jiménez et al., 2017);
- categorical cross-entropy (= BCE for two classes), its weighted form
  (eq. 5 / 11 of Chatzitzisi et al., 2020: weights from the training labels) and the focal
  loss (γ = 2);
- the majority-class baseline.

Metrics are pooled over the out-of-fold windows: accuracy, mAcc (mean
per-class accuracy = balanced accuracy), macro F1, and mAcc of subject-level
decisions (product of the windows' softmax scores). Training windows are
capped at 20 per subject with :class:`SubjectRandomUnderSampler` so that
long recordings do not dominate, and to keep the run under two minutes.

Run: ``SKGAIT_DATA=../shared/data python examples/multitask_imbalance.py``
"""

import time
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from skgait.datasets import load_ipol_healthy_gait, load_sisfall, make_windows
from skgait.model_selection import SubjectKFold, aggregate_predictions
from skgait.models import GaitMultiTaskNet
from skgait.sampling import SubjectRandomUnderSampler
from skgait.targets import AgeGroups

DATASETS = [("SisFall", load_sisfall, "sisfall"), ("IPOL", load_ipol_healthy_gait, "riaz")]
LOSSES = {"BCE/CE": "ce", "weighted": "weighted_ce", "focal": "focal"}
TASKS = ("sex", "age_group")
NET = dict(max_epochs=6, batch_size=64, lr=3e-3, random_state=0)


def _scores(y, pred, proba, classes, groups):
    _, p = aggregate_predictions(proba, groups, method="product_proba")
    subj_pred = classes[np.argmax(p, axis=1)]
    subj_true = pd.Series(y).groupby(groups).first().to_numpy()
    return {
        "acc": accuracy_score(y, pred),
        "mAcc": balanced_accuracy_score(y, pred),
        "F1": f1_score(y, pred, average="macro", zero_division=0),
        "subject mAcc": balanced_accuracy_score(subj_true, subj_pred),
    }


def run_dataset(name, loader, preset):
    X, meta = make_windows(loader(), placement="waist", rate=50.0, length=2.56, overlap=0.5)
    X = X.astype(np.float32)
    Y = pd.DataFrame(
        {
            "sex": meta["sex"].to_numpy(),
            "age_group": AgeGroups(preset).fit_transform(meta["age"]),
            "subject": meta["group"].to_numpy(),
        }
    )
    groups = meta["group"].to_numpy()
    oof = {}  # (model, loss, task) -> list of (index, pred, proba)
    for train, test in SubjectKFold(3, shuffle=True, random_state=0).split(X, Y["sex"], groups):
        sampler = SubjectRandomUnderSampler(20, balance_classes=False, random_state=0)
        sampler.fit_resample(X[train], Y["sex"].to_numpy()[train], groups=groups[train])
        train = train[sampler.sample_indices_]
        for task in TASKS:  # majority baseline
            majority = Y[task].iloc[train].mode()[0]
            oof.setdefault(("baseline", "majority", task), []).append(
                (test, np.full(len(test), majority, dtype=object), None)
            )
        for loss_name, loss in LOSSES.items():
            fits = [("single-task", [task], task) for task in TASKS]
            fits.append(("multi-task", [*TASKS, "subject"], None))
            for model, tasks, only in fits:
                net = GaitMultiTaskNet(
                    tasks=tasks,
                    losses={t: loss for t in TASKS if t in tasks},
                    task_weights={"subject": 0.3} if "subject" in tasks else None,
                    **NET,
                )
                net.fit(X[train], Y.iloc[train][tasks])
                pred, proba = net.predict(X[test]), net.predict_proba(X[test])
                for task in TASKS if only is None else [only]:
                    oof.setdefault((model, loss_name, task), []).append(
                        (test, pred[task].to_numpy(), proba[task])
                    )
    rows = []
    for (model, loss_name, task), parts in oof.items():
        index = np.concatenate([p[0] for p in parts])
        pred = np.concatenate([p[1] for p in parts])
        y = Y[task].to_numpy()[index]
        if parts[0][2] is None:
            classes = np.unique(y)
            proba = (pred[:, None] == classes[None, :]).astype(float)
        else:
            classes = np.asarray(sorted(Y[task].unique()))
            proba = np.concatenate([p[2] for p in parts])
        row = {"dataset": name, "task": task, "model": model, "loss": loss_name}
        rows.append({**row, **_scores(y, pred, proba, classes, groups[index])})
    return rows


def main():
    # 54 small fits: one thread each avoids oversubscribing a busy 2-core
    # machine (the per-batch work is too small to gain from two threads).
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=UserWarning)
    start = time.perf_counter()
    rows = []
    for name, loader, preset in DATASETS:
        rows += run_dataset(name, loader, preset)
    table = pd.DataFrame(rows).sort_values(["dataset", "task", "model", "loss"])
    pd.set_option("display.width", 120)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\n{time.perf_counter() - start:.0f} s")
    return table


if __name__ == "__main__":
    main()
