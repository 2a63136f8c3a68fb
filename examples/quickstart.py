"""Quickstart: gender from gait on SisFall, evaluated on new subjects.

Loads SisFall (waist device), cuts 2.56 s windows at 50 Hz from its walking trials,
computes BioDeep's autocorrelation features and fits a RandomForest. The
score that matters is the subject-wise one: no person appears on both sides
of a split. For comparison it also prints the window-level ("leaky") score
that most papers report, where windows of the same person are in both the
training and the test set.

Run with the data home set, for example::

    SKGAIT_DATA=../shared/data python examples/quickstart.py
"""

from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline

from skgait import ACFTransformer
from skgait.datasets import load_sisfall, make_windows
from skgait.model_selection import LeakyWindowKFold, SubjectKFold


def main():
    dataset = load_sisfall()
    print(dataset)
    X, meta = make_windows(dataset, placement="waist", rate=50.0, length=2.56, overlap=0.5)
    y, groups = meta["sex"], meta["group"]
    print(f"{X.shape[0]} windows of shape {X.shape[1:]} from {groups.nunique()} subjects\n")

    pipe = Pipeline(
        [
            ("acf", ACFTransformer(lags=10)),
            ("rf", RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0)),
        ]
    )
    rows = [
        ("ACF + RandomForest", "subject-wise", pipe, SubjectKFold(5, shuffle=True, random_state=0)),
        ("ACF + RandomForest", "leaky windows", pipe, LeakyWindowKFold(5, random_state=0)),
        (
            "majority class",
            "subject-wise",
            DummyClassifier(),
            SubjectKFold(5, shuffle=True, random_state=0),
        ),
    ]
    print(f"{'model':<20} {'protocol':<14} balanced accuracy")
    for name, protocol, estimator, cv in rows:
        scores = cross_val_score(estimator, X, y, groups=groups, cv=cv, scoring="balanced_accuracy")
        print(f"{name:<20} {protocol:<14} {scores.mean():.3f} ± {scores.std():.3f}")
    print(
        "\nThe leaky score measures re-identification of people seen in training; "
        "the subject-wise score is what a new user would get."
    )


if __name__ == "__main__":
    main()
