"""AgeGroupRegressor: the age group first, then that group's age."""

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, RidgeClassifier
from sklearn.metrics import mean_absolute_error

from skgait.targets import AgeGroupRegressor
from skgait.utils._sklearn_compat import InvalidParameterError


def _two_groups(n=60, seed=0):
    """Ages in two separate groups (as SisFall's); feature 0 tells them apart, feature
    1 is the age within the group."""
    rng = np.random.default_rng(seed)
    age = np.r_[rng.uniform(19, 30, n // 2), rng.uniform(60, 75, n // 2)]
    X = np.column_stack([(age > 45) + rng.normal(0, 0.2, n), age + rng.normal(0, 0.5, n)])
    return X, age


def test_predicts_the_median_training_age_of_the_predicted_group():
    X, age = _two_groups()
    reg = AgeGroupRegressor(random_state=0).fit(X[:, :1], age)
    young, old = np.median(age[age < 45]), np.median(age[age > 45])
    assert dict(zip(reg.classes_, reg.medians_)) == {"young": young, "elderly": old}
    np.testing.assert_allclose(reg.predict([[0.0], [1.0]]), [young, old])


def test_within_group_regressor_is_fitted_on_its_group_only():
    X, age = _two_groups()
    reg = AgeGroupRegressor(regressor=LinearRegression(), random_state=0).fit(X, age)
    for group, regressor in zip(reg.classes_, reg.regressors_):
        members = (age > 45) == (group == "elderly")
        expected = LinearRegression().fit(X[members], age[members])
        np.testing.assert_allclose(regressor.coef_, expected.coef_)
    assert mean_absolute_error(age, reg.predict(X)) < 1.0


def test_ages_of_one_group_give_its_median_without_a_classifier():
    reg = AgeGroupRegressor().fit(np.zeros((4, 2)), [20.0, 22.0, 25.0, 29.0])
    assert reg.classifier_ is None and reg.classes_.tolist() == ["young"]
    np.testing.assert_allclose(reg.predict(np.ones((2, 2))), [23.5, 23.5])


def test_the_given_classifier_is_cloned_and_used():
    X, age = _two_groups()
    classifier = DummyClassifier(strategy="most_frequent")
    reg = AgeGroupRegressor(classifier=classifier).fit(X, age[np.argsort(age)])
    assert not hasattr(classifier, "classes_")
    assert isinstance(reg.classifier_, DummyClassifier)


def test_custom_edges_make_the_groups():
    X, age = _two_groups()
    reg = AgeGroupRegressor(edges=[25.0, 45.0], random_state=0).fit(X, age)
    assert sorted(reg.classes_) == ["[-inf, 25)", "[25, 45)", "[45, inf)"]
    assert reg.medians_[list(reg.classes_).index("[25, 45)")] == np.median(
        age[(age >= 25) & (age < 45)]
    )


def test_a_classifier_without_probabilities_is_refused():
    X, age = _two_groups()
    with pytest.raises(InvalidParameterError, match="classifier"):
        AgeGroupRegressor(classifier=RidgeClassifier()).fit(X, age)


def test_nan_features_are_refused():
    X, age = _two_groups()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AgeGroupRegressor().fit(X, age)


@pytest.mark.slow
@pytest.mark.realdata
def test_age_pipeline_beats_the_training_median_by_a_third_on_new_sisfall_people(data_home):
    """make_gait_pipeline("age") (ACF + AgeGroupRegressor), 5 subject-wise folds, every
    13th window. Measured: MAE 9.0 vs 18.0 years for the training median (0.50x;
    0.58x with seed 1); the bar is issue 19's 0.65x."""
    from skgait.datasets import load_sisfall, make_windows
    from skgait.model_selection import evaluate_nested
    from skgait.pipelines import make_gait_pipeline

    X, meta = make_windows(load_sisfall(data_home / "SisFall"), placement="waist")
    meta = meta.reset_index(drop=True)
    keep = (meta.groupby("recording", observed=True).cumcount() % 13 == 0).to_numpy()
    result = evaluate_nested(
        make_gait_pipeline("age", random_state=0),
        X[keep],
        meta["age"].to_numpy(float)[keep],
        meta["subject"].astype(str).to_numpy()[keep],
        n_bootstrap=10,
        random_state=0,
    )
    assert result.n == 38
    assert result.score <= 0.65 * result.baseline_score
