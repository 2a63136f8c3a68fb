"""evaluate_nested: selection inside the training folds only, scored per subject."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV

from skgait.model_selection import LeaveOneDatasetOut, evaluate_nested

#: (step, subjects) of every call the spies below receive, in order.
_LOG = []


class _SpyClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression on columns 1:, logging the subjects (column 0) it is fitted on."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        _LOG.append(("fit", frozenset(X[:, 0].astype(int).tolist())))
        self.model_ = LogisticRegression(C=self.C).fit(X[:, 1:], y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X[:, 1:])

    def predict_proba(self, X):
        return self.model_.predict_proba(X[:, 1:])


def _spy_scorer(estimator, X, y):
    _LOG.append(("score", frozenset(X[:, 0].astype(int).tolist())))
    return float(np.mean(estimator.predict(X) == y))


def _subjects(n_subjects=12, per_subject=4, seed=0):
    """Subject id in column 0 (what the spies log), a noisy label signal after it."""
    rng = np.random.default_rng(seed)
    subject = np.repeat(np.arange(n_subjects), per_subject)
    y = np.where(subject % 2, "F", "M")
    X = np.column_stack([subject, rng.normal(size=(len(y), 2)) + (y == "F")[:, None]])
    return X, y, subject


def _assert_no_test_subject_seen(result, per_fold):
    """The spies' calls, ``per_fold`` per outer fold in order, never saw its test subjects."""
    test_subjects = result.predictions.groupby("fold")["subject"].apply(set)
    assert len(_LOG) == len(test_subjects) * per_fold, "unexpected number of spy calls"
    for fold in range(len(test_subjects)):
        calls = _LOG[fold * per_fold : (fold + 1) * per_fold]
        for step, seen in calls:
            leaked = seen & test_subjects[fold]
            assert not leaked, f"fold {fold}: {step} saw outer-test subjects {sorted(leaked)}"


@pytest.fixture(autouse=True)
def _empty_log():
    _LOG.clear()
    yield
    _LOG.clear()


def test_nested_evaluation_never_lets_a_test_subject_reach_a_selection_step():
    X, y, subject = _subjects()
    candidates = {"strong": _SpyClassifier(C=1.0), "weak": _SpyClassifier(C=1e-3)}
    result = evaluate_nested(
        candidates, X, y, subject, n_splits=3, inner_splits=2, scoring=_spy_scorer
    )
    # Per outer fold: 2 candidates x 2 inner folds (a fit and a score each),
    # then the winner refitted on the outer training fold.
    fits_and_scores = 2 * 2 * 2 + 1
    _assert_no_test_subject_seen(result, fits_and_scores)


def test_nested_search_never_lets_a_test_subject_reach_a_selection_step():
    X, y, subject = _subjects()
    search = GridSearchCV(_SpyClassifier(), {"C": [1.0, 1e-3]}, scoring=_spy_scorer)
    result = evaluate_nested(search, X, y, subject, n_splits=3, inner_splits=2)
    _assert_no_test_subject_seen(result, 2 * 2 * 2 + 1)
    assert set(result.folds["chosen"]) <= {"{'C': 1.0}", "{'C': 0.001}"}


def test_nested_evaluation_chooses_the_informative_candidate():
    X, y, subject = _subjects(n_subjects=20)
    result = evaluate_nested(
        {"prior": DummyClassifier(), "logistic": LogisticRegression()},
        X[:, 1:],
        y,
        subject,
        n_bootstrap=200,
    )
    assert result.folds["chosen"].tolist() == ["logistic"] * 5
    assert result.metric == "balanced_accuracy"
    assert result.n == 20
    assert result.score > result.baseline_score == 0.5
    lo, hi = result.interval
    assert lo <= result.score <= hi


def test_nested_regression_scores_mae_per_subject():
    rng = np.random.default_rng(0)
    subject = np.repeat(np.arange(15), 4)
    age = rng.uniform(20, 80, 15)[subject]
    X = np.column_stack([age + rng.normal(size=len(age)), rng.normal(size=len(age))])
    result = evaluate_nested(
        [LinearRegression(), DummyRegressor()], X, age, subject, n_bootstrap=100
    )
    assert result.metric == "mae"
    assert result.folds["chosen"].str.contains("LinearRegression").all()
    assert result.score < 1.0 < result.baseline_score


def test_nested_evaluation_takes_a_cross_dataset_outer_splitter():
    X, y, subject = _subjects()
    groups = np.where(subject < 6, "a:", "b:") + subject.astype(str)
    result = evaluate_nested(
        LogisticRegression(), X[:, 1:], y, groups, cv=LeaveOneDatasetOut(), n_bootstrap=50
    )
    tested = result.predictions.groupby("fold")["subject"].apply(lambda s: {g[0] for g in s})
    assert tested.tolist() == [{"a"}, {"b"}]


def test_nested_evaluation_refuses_an_outer_splitter_that_shares_subjects():
    from skgait.model_selection import LeakyWindowKFold

    X, y, subject = _subjects()
    with pytest.raises(ValueError, match="on both sides"):
        evaluate_nested(LogisticRegression(), X, y, subject, cv=LeakyWindowKFold(3))


def test_nested_evaluation_aggregates_a_ridge_classifier_by_vote():
    from sklearn.linear_model import RidgeClassifier

    X, y, subject = _subjects(n_subjects=20)
    result = evaluate_nested(
        [RidgeClassifier(), LogisticRegression()], X[:, 1:], y, subject, n_bootstrap=50
    )
    assert len(result.folds) == 5 and result.n == 20


def test_nested_evaluation_runs_an_optuna_search_on_the_training_subjects():
    from skgait.model_selection import OptunaSearchCV

    X, y, subject = _subjects()
    search = OptunaSearchCV(
        _SpyClassifier(), {"C": [1.0, 1e-3]}, n_trials=2, scoring=_spy_scorer, random_state=0
    )
    result = evaluate_nested(search, X, y, subject, n_splits=3, inner_splits=2, n_bootstrap=20)
    # Per outer fold: 2 trials x 2 inner folds (a fit and a score each), then the refit.
    _assert_no_test_subject_seen(result, 2 * 2 * 2 + 1)
