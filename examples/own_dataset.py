"""Bring your own dataset: a folder of CSV files in, a subject-wise score out.

:func:`skgait.datasets.load_directory` reads any folder with one CSV (or
Parquet) file per recording, named ``<subject>_<trial>_<placement>.csv``,
with columns ``time`` (s), ``acc_x, acc_y, acc_z`` (m/s²) and optionally
``gyr_x, gyr_y, gyr_z`` (rad/s), plus a ``subjects.csv`` with ``subject, age,
sex, height_cm, weight_kg``. To have such a folder to read, this script first
writes one from the real SisFall recordings (as you would export your own
device's files), then runs the ten lines a user writes.

Run with the data home set, for example::

    SKGAIT_DATA=../shared/data python examples/own_dataset.py
"""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from skgait import ACFTransformer
from skgait.datasets import load_directory, load_sisfall, make_windows
from skgait.model_selection import SubjectKFold


def export_folder(folder, n_subjects=12):
    """Write SisFall's walking trials of some subjects in load_directory's layout."""
    sisfall = load_sisfall()
    table = sisfall.subjects.head(n_subjects)
    for recording in sisfall.recordings:
        if recording.subject not in set(table["subject"]):
            continue
        data = pd.DataFrame(recording.signal, columns=list(recording.channels))
        data.insert(0, "time", np.arange(len(data)) / recording.rate)
        name = f"{recording.subject}_{recording.trial}_{recording.placement}.csv"
        data.to_csv(folder / name, index=False)
    table[["subject", "age", "sex", "height_cm", "weight_kg"]].to_csv(
        folder / "subjects.csv", index=False
    )


def main():
    with tempfile.TemporaryDirectory() as tmp:
        export_folder(Path(tmp))

        # The ten lines: your folder → windows → a score on people never seen in training.
        dataset = load_directory(tmp, activity="walking")  # every file is a walk
        print(dataset)
        X, meta = make_windows(dataset, rate=50.0, length=2.56, overlap=0.5)
        pipe = make_pipeline(
            ACFTransformer(lags=10), RandomForestClassifier(n_estimators=100, random_state=0)
        )
        cv = SubjectKFold(3, shuffle=True, random_state=0)
        scores = cross_val_score(
            pipe, X, meta["sex"], groups=meta["group"], cv=cv, scoring="balanced_accuracy"
        )
        print(f"gender, subject-wise balanced accuracy per fold: {np.round(scores, 2)}")


if __name__ == "__main__":
    main()
