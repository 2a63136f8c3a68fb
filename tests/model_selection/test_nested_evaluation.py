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


class _DomainSpy(_SpyClassifier):
    """Checks that the ``domains`` it receives are those of its rows (the subject's first letter)."""

    __metadata_request__fit = {"domains": True}  # noqa: RUF012 (sklearn convention)
    __metadata_request__predict = {"domains": True}  # noqa: RUF012
    __metadata_request__predict_proba = {"domains": True}  # noqa: RUF012

    def _check(self, X, domains, step):
        expected = np.where(X[:, 0] < 6, "a", "b")
        np.testing.assert_array_equal(domains, expected)
        _LOG.append((step, len(domains)))

    def fit(self, X, y, domains=None):
        self._check(X, domains, "fit")
        return super().fit(X, y)

    def predict(self, X, domains=None):
        self._check(X, domains, "predict")
        return super().predict(X)

    def predict_proba(self, X, domains=None):
        self._check(X, domains, "predict_proba")
        return super().predict_proba(X)


def test_nested_evaluation_passes_each_window_its_metadata():
    X, y, subject = _subjects()
    domains = np.where(subject < 6, "a", "b")
    _LOG.clear()
    result = evaluate_nested(
        {"spy": _DomainSpy(), "plain": LogisticRegression()},
        X,
        y,
        subject,
        params={"domains": domains},
        n_splits=3,
        n_bootstrap=10,
    )
    steps = {step for step, _ in _LOG}
    assert steps == {"fit", "predict", "predict_proba"} and len(result.folds) == 3


def test_domain_standardisation_through_nested_metadata_reads_a_shifted_dataset():
    """Dataset b is dataset a's features shifted and scaled: standardised per
    dataset (the domains passed as metadata), a model learnt on a reads b."""
    from sklearn.pipeline import make_pipeline

    from skgait.preprocessing import DomainStandardScaler

    rng = np.random.default_rng(0)
    subject = np.repeat(np.arange(24), 4)
    y = np.where(subject % 2, "F", "M")
    X = rng.normal(size=(len(y), 2)) + 3.0 * (y == "F")[:, None]
    b = subject >= 12
    X[b] = 20.0 + 5.0 * X[b]
    groups = np.where(b, "b:", "a:") + subject.astype(str)
    model = make_pipeline(DomainStandardScaler(), LogisticRegression())
    kwargs = {"cv": LeaveOneDatasetOut(), "n_bootstrap": 10}
    with_domains = evaluate_nested(
        model, X, y, groups, params={"domains": np.where(b, "b", "a")}, **kwargs
    )
    without = evaluate_nested(model, X, y, groups, **kwargs)
    assert with_domains.score >= 0.9 > 0.6 >= without.score


def test_nested_evaluation_refuses_metadata_of_another_length_or_for_a_search():
    X, y, subject = _subjects()
    with pytest.raises(ValueError, match=r"params\['domains'\] must hold one value per window"):
        evaluate_nested(LogisticRegression(), X, y, subject, params={"domains": y[:-1]})
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, refit=True)
    with pytest.raises(ValueError, match="params are not passed to a search"):
        evaluate_nested(search, X, y, subject, params={"domains": y})
