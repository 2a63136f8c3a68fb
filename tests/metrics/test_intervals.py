"""Intervals over subjects and one prediction per subject."""

import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import cross_val_predict

from skgait.datasets import load_sisfall, make_windows
from skgait.experiments._cells import Cell, run_cell
from skgait.metrics import subject_interval, subject_predictions
from skgait.model_selection import SubjectKFold


def _windows(n_subjects, per_subject=5, accuracy=0.8, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_subjects), per_subject)
    y_true = np.where(groups % 2, "F", "M")
    right = rng.random(len(groups)) < accuracy
    return y_true, np.where(right, y_true, np.where(y_true == "F", "M", "F")), groups


def test_the_interval_is_the_same_for_the_same_seed():
    y_true, y_pred, groups = _windows(12)
    assert subject_interval(y_true, y_pred, groups) == subject_interval(y_true, y_pred, groups)


def test_the_interval_resamples_subjects_not_windows():
    # one window or fifty per person: the same people, the same uncertainty
    few = subject_interval(*_windows(10, per_subject=2), "accuracy")
    y_true, y_pred, groups = _windows(10, per_subject=2)
    many = subject_interval(
        np.repeat(y_true, 25), np.repeat(y_pred, 25), np.repeat(groups, 25), "accuracy"
    )
    assert few == pytest.approx(many)


def test_a_constant_score_has_a_zero_width_interval():
    y_true, _, groups = _windows(8)
    assert subject_interval(y_true, y_true, groups, "accuracy") == (1.0, 1.0)
    assert subject_interval(
        np.arange(40.0), np.arange(40.0) + 2, np.repeat(np.arange(8), 5), "mae"
    ) == pytest.approx((2.0, 2.0))


def test_one_subject_has_no_interval():
    assert np.isnan(subject_interval(["F", "M"], ["F", "F"], [1, 1])).all()


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="Unknown metric 'f1'"):
        subject_interval(["F"], ["F"], [1], "f1")
    with pytest.raises(ValueError, match="have 2, 1 and 2 values"):
        subject_interval(["F", "M"], ["F"], [1, 2])
    with pytest.raises(ValueError, match="confidence must be in"):
        subject_interval(["F", "M"], ["F", "M"], [1, 2], confidence=95)


def test_a_subject_prediction_is_the_majority_vote_or_the_mean():
    subjects, true, pred = subject_predictions(
        ["F", "F", "F", "M", "M"], ["F", "M", "M", "M", "M"], ["a", "a", "a", "b", "b"]
    )
    assert subjects.tolist() == ["a", "b"] and pred.tolist() == ["M", "M"]
    assert true.tolist() == ["F", "M"]
    _, _, mean = subject_predictions([30, 30, 50], [28, 34, 45], [1, 1, 2], classification=False)
    assert mean.tolist() == [31.0, 45.0]


def test_a_cell_row_has_intervals_and_a_confusion_matrix_of_subjects():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(8), 6).astype(str)
    y = np.where(np.arange(48) // 6 % 2, "F", "M")
    X = rng.normal(size=(48, 3, 16)) + (y == "F")[:, None, None]
    row, _ = run_cell(
        Cell("a", "a", "gender", "lda", "within"),
        _FlatLDA(),
        "classification",
        (X, y, groups),
        (X, y, groups),
        n_splits=4,
    )
    assert row["status"] == "FINISHED", row["error"]
    for m in ("accuracy", "balanced_accuracy"):
        assert row[f"{m}_low"] <= row[m] <= row[f"{m}_high"]
    counts = np.asarray(row["subject_confusion_matrix"]["counts"])
    assert counts.sum() == 8  # one vote per subject
    assert np.asarray(row["confusion_matrix"]["counts"]).sum() == 48


class _FlatLDA(LinearDiscriminantAnalysis):
    def fit(self, X, y):
        return super().fit(X.reshape(len(X), -1), y)

    def predict(self, X):
        return super().predict(X.reshape(len(X), -1))


@pytest.fixture(scope="module")
def sisfall_predictions(data_home):
    """Out-of-fold predictions of the sex of SisFall's walkers (38 subjects)."""
    X, meta = make_windows(load_sisfall(data_home=data_home), placement="waist")
    features = np.concatenate([X.mean(axis=2), X.std(axis=2)], axis=1)
    y, groups = meta["sex"].to_numpy(str), meta["group"].to_numpy(str)
    cv = SubjectKFold(5, shuffle=True, random_state=0)
    y_pred = cross_val_predict(LinearDiscriminantAnalysis(), features, y, groups=groups, cv=cv)
    return y, y_pred, groups


@pytest.mark.realdata
def test_a_real_interval_contains_its_point_estimate(sisfall_predictions):
    y, y_pred, groups = sisfall_predictions
    low, high = subject_interval(y, y_pred, groups, "balanced_accuracy")
    assert low < balanced_accuracy_score(y, y_pred) < high


@pytest.mark.realdata
def test_a_real_interval_narrows_with_more_subjects(sisfall_predictions):
    y, y_pred, groups = sisfall_predictions
    subjects = np.unique(groups)
    widths = []
    for n in (10, 20, len(subjects)):
        keep = np.isin(groups, subjects[:n])
        low, high = subject_interval(y[keep], y_pred[keep], groups[keep], "accuracy")
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2] > 0, widths


def test_every_resample_keeps_the_people_of_every_class():
    # 2 women among 8 people: a constant prediction is at chance in every resample
    groups = np.repeat(np.arange(8), 4)
    y_true = np.where(groups < 2, "F", "M")
    assert subject_interval(y_true, np.full(32, "M"), groups) == (0.5, 0.5)
