"""Conformance of every estimator in ``skgait.utils._testing.ESTIMATORS``.

(a) scikit-learn's ``parametrize_with_checks`` (it skips estimators whose
tags exclude 2-D input, so for 3-D-only estimators it yields one skip) and
scikit-learn's data-free API checks; (b) skgait's own checks on 3-D windows
(``skgait.utils.estimator_checks``). Add an estimator with one line in
``skgait/utils/_testing.py``.
"""

import warnings

import pytest
from sklearn.exceptions import SkipTestWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgait.utils._testing import all_estimators
from skgait.utils.estimator_checks import (
    CHECKS_3D,
    SKLEARN_API_CHECKS,
    sklearn_expected_failed_checks,
)


def _id(value):
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return repr(value)


with warnings.catch_warnings():
    warnings.simplefilter("ignore", SkipTestWarning)

    @parametrize_with_checks(
        all_estimators(), expected_failed_checks=sklearn_expected_failed_checks
    )
    def test_sklearn_compatible(estimator, check):
        check(estimator)


@pytest.mark.parametrize("check", SKLEARN_API_CHECKS, ids=_id)
@pytest.mark.parametrize("estimator", all_estimators(), ids=_id)
def test_sklearn_api(estimator, check):
    check(type(estimator).__name__, estimator)


@pytest.mark.parametrize("check", CHECKS_3D, ids=_id)
@pytest.mark.parametrize("estimator", all_estimators(), ids=_id)
def test_3d_checks(estimator, check):
    check(type(estimator).__name__, estimator)
