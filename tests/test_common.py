"""Conformance of every public skgait estimator.

:func:`skgait.utils.discovery.all_estimators` finds the estimators, and
``skgait/utils/_testing.py`` gives each a small configuration
(:data:`~skgait.utils._testing.INSTANCE_PARAMS`). Every instance then runs

(a) scikit-learn's ``parametrize_with_checks`` (for an estimator whose tags
    exclude 2-D input it yields only ``check_estimator_cloneable``);
(b) scikit-learn's checks that need no data (``SKLEARN_API_CHECKS``);
(c) skgait's own checks on its real inputs (``CHECKS_3D``: 3-D windows, 1-D
    ages or a dataset, as the estimator's tags say).

The last tests make an empty or partial suite fail: an estimator with no
configuration, or fewer checks collected than a floor.
"""

import warnings
from collections import Counter

import pytest
from sklearn.exceptions import SkipTestWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgait.utils import _testing
from skgait.utils._testing import instances_to_check, missing_instance_params
from skgait.utils.discovery import all_estimators
from skgait.utils.estimator_checks import (
    CHECKS_3D,
    SKLEARN_API_CHECKS,
    sklearn_expected_failed_checks,
)

ESTIMATORS = instances_to_check()

#: Fewest checks (sklearn's, sklearn's data-free and skgait's) per instance.
MIN_CHECKS_PER_ESTIMATOR = 20


def _id(value):
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return type(value).__name__


with warnings.catch_warnings():
    warnings.simplefilter("ignore", SkipTestWarning)

    @parametrize_with_checks(ESTIMATORS, expected_failed_checks=sklearn_expected_failed_checks)
    def test_sklearn_compatible(estimator, check):
        check(estimator)


@pytest.mark.parametrize("check", SKLEARN_API_CHECKS, ids=_id)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_sklearn_api(estimator, check):
    check(type(estimator).__name__, estimator)


@pytest.mark.parametrize("check", CHECKS_3D, ids=_id)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_3d_checks(estimator, check):
    check(type(estimator).__name__, estimator)


# ----------------------------------------------------------------------
# the suite itself
# ----------------------------------------------------------------------
def test_every_estimator_is_checked():
    missing = missing_instance_params()
    assert not missing, (
        f"Estimators without a test configuration: {missing}. Add a small, fast "
        "configuration for each to INSTANCE_PARAMS in skgait/utils/_testing.py."
    )
    checked = {type(e).__name__ for e in ESTIMATORS}
    assert checked == {name for name, _ in all_estimators()}


def test_a_new_estimator_without_configuration_is_reported(monkeypatch):
    params = dict(_testing.INSTANCE_PARAMS)
    del params["AgeGroups"]
    monkeypatch.setattr(_testing, "INSTANCE_PARAMS", params)
    assert missing_instance_params() == ["AgeGroups"]


def test_discovery_finds_public_estimators_only():
    names = [name for name, _ in all_estimators()]
    assert names == sorted(names)
    assert {
        "ACFTransformer",
        "AgeGroups",
        "WalkingExtractor",
        "Verifier",
        "OptunaSearchCV",
        "SubjectRandomUnderSampler",
    } <= set(names)
    assert not any(name.startswith("_") for name in names)
    modules = {cls.__module__.split(".")[0] for _, cls in all_estimators()}
    assert modules == {"skgait"}  # no re-exported sklearn/imblearn/skorch class


def test_discovery_filters_by_kind():
    assert [n for n, _ in all_estimators("regressor")] == ["AgeGroupRegressor", "GaitCNNRegressor"]
    assert {n for n, _ in all_estimators("sampler")} == {
        "SubjectRandomUnderSampler",
        "WindowRandomOverSampler",
        "WindowRandomUnderSampler",
    }
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators("clusterer")


def _cases(test):
    """(estimator, check) pairs that ``test``'s parametrize marks produce."""
    marks = {m.args[0]: m.args[1] for m in test.pytestmark if m.name == "parametrize"}
    if "estimator, check" in marks:
        return [getattr(case, "values", case) for case in marks["estimator, check"]]
    return [(e, c) for e in marks["estimator"] for c in marks["check"]]


def test_every_estimator_collects_enough_checks():
    counts = Counter()
    for test in (test_sklearn_compatible, test_sklearn_api, test_3d_checks):
        counts.update(id(estimator) for estimator, _ in _cases(test))
    too_few = {
        type(e).__name__: counts[id(e)]
        for e in ESTIMATORS
        if counts[id(e)] < MIN_CHECKS_PER_ESTIMATOR
    }
    assert not too_few, f"Estimators with fewer than {MIN_CHECKS_PER_ESTIMATOR} checks: {too_few}"
    assert len(_cases(test_3d_checks)) == len(ESTIMATORS) * len(CHECKS_3D)
