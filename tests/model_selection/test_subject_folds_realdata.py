"""Subject-wise folds and their scores on HuGaDB gender (18 subjects, 4 women).

Only the subject table and the length of the recordings are read: one
window per 128 samples of each subject's right-foot recordings, so that
subjects have their real, unequal numbers of windows. The features are
irrelevant to the splitters and to the majority-class baseline.
"""

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import StratifiedGroupKFold

from skgait.datasets import load_hugadb
from skgait.experiments._cells import Cell, run_cell
from skgait.model_selection import SubjectKFold, evaluate, make_baseline

N_SEEDS = 10


@pytest.fixture(scope="module")
def hugadb_gender(data_home):
    folder = data_home / "HuGaDB"
    if not folder.is_dir():
        pytest.skip(f"HuGaDB not found under {data_home}")
    dataset = load_hugadb(folder, cache=False)
    sex = dict(zip(dataset.subjects["subject"].astype(str), dataset.subjects["sex"]))
    samples = {}
    for rec in dataset.recordings:
        if rec.placement == "right_foot":
            samples[rec.subject] = samples.get(rec.subject, 0) + rec.n_samples
    subjects = sorted(samples)
    groups = np.repeat(subjects, [samples[s] // 128 for s in subjects])
    y = np.array([sex[s] for s in groups])
    X = np.zeros((len(y), 1))
    return X, y, groups


def _partition(cv, X, y, groups):
    """The set of test-subject sets of a splitter (fold order ignored)."""
    return frozenset(frozenset(np.unique(groups[test])) for _, test in cv.split(X, y, groups))


def test_hugadb_has_4_women_among_18_subjects(hugadb_gender):
    _, y, groups = hugadb_gender
    women = np.unique(groups[y == "F"])
    assert len(np.unique(groups)) == 18 and len(women) == 4


def test_seeds_give_different_partitions(hugadb_gender):
    X, y, groups = hugadb_gender
    partitions = {
        _partition(SubjectKFold(4, shuffle=True, random_state=seed), X, y, groups)
        for seed in range(N_SEEDS)
    }
    # 4 women and 14 men in 4 stratified folds: hundreds of millions of
    # partitions, so 10 seeds drawing 10 different ones is expected.
    assert len(partitions) == N_SEEDS
    # scikit-learn's greedy StratifiedGroupKFold (which SubjectKFold used to
    # be) assigns subjects in the order of the spread of their class counts
    # (here their window counts); shuffling only breaks ties: one or two
    # partitions for all seeds.
    sklearn_partitions = {
        _partition(StratifiedGroupKFold(4, shuffle=True, random_state=seed), X, y, groups)
        for seed in range(N_SEEDS)
    }
    assert len(sklearn_partitions) <= 2


def test_a_seed_is_repeatable_and_folds_are_stratified(hugadb_gender):
    X, y, groups = hugadb_gender
    cv = SubjectKFold(4, shuffle=True, random_state=3)
    first = [test for _, test in cv.split(X, y, groups)]
    second = [test for _, test in cv.split(X, y, groups)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    for test in first:
        # 4 women in 4 folds: one each; 14 men: 3 or 4 each.
        assert len(np.unique(groups[test][y[test] == "F"])) == 1
        assert len(np.unique(groups[test][y[test] == "M"])) in (3, 4)


def test_majority_baseline_scores_chance_with_a_fold_without_women(hugadb_gender):
    # 5 folds for 4 women: one test fold holds men only. Its balanced
    # accuracy for "always M" is 1.0, and the mean over folds was 0.6; the
    # pooled out-of-fold predictions score 0.5.
    X, y, groups = hugadb_gender
    with pytest.warns(UserWarning, match="pooled out-of-fold predictions"):
        res = evaluate(DummyClassifier(), X, y, groups, n_splits=5, random_state=0)
    assert res["balanced_accuracy"].tolist() == [0.5, 0.5]


def test_grid_cell_majority_baseline_scores_chance(hugadb_gender):
    X, y, groups = hugadb_gender
    cell = Cell("hugadb", "hugadb", "gender", "majority", "within")
    with pytest.warns(UserWarning, match="pooled out-of-fold predictions"):
        row, _ = run_cell(
            cell,
            make_baseline("classification"),
            "classification",
            (X, y, groups),
            (X, y, groups),
            n_splits=5,
            random_state=0,
        )
    assert row["status"] == "FINISHED", row["error"]
    assert row["balanced_accuracy"] == 0.5
    assert row["baseline_balanced_accuracy"] == 0.5


def test_majority_baseline_scores_chance_when_every_fold_has_both_classes(hugadb_gender):
    # 4 folds for 4 women: the usual mean over folds, each exactly 0.5.
    X, y, groups = hugadb_gender
    res = evaluate(DummyClassifier(), X, y, groups, n_splits=4, random_state=0, return_folds=True)
    assert res["balanced_accuracy"].tolist() == [0.5] * 8
    res = evaluate(DummyClassifier(), X, y, groups, n_splits=4, random_state=0)
    assert res["balanced_accuracy"].tolist() == [0.5, 0.5]
