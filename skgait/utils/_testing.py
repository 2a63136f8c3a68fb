"""The estimators that ``tests/test_common.py`` puts under conformance checks.

Add an estimator with ONE line in :data:`ESTIMATORS`: a small, fast
configuration (few lags, few epochs, ``random_state`` set when it has one).
"""

from sklearn.base import clone

from ..features import ACFTransformer, GaitStatistics, GravityAlignment, WindowCrop
from ..models import GaitCNNClassifier, GaitCNNLSTMClassifier, GaitCNNRegressor, GaitMultiTaskNet

__all__ = ["ESTIMATORS", "all_estimators"]

#: Unfitted instances checked by sklearn's ``parametrize_with_checks`` and by
#: :mod:`skgait.utils.estimator_checks`.
ESTIMATORS = [
    ACFTransformer(lags=4),
    ACFTransformer(lags=4, output="3d", include_lag0=True, method="fft"),
    WindowCrop(length=0.5, rate=50.0),
    GravityAlignment(),
    GaitStatistics(rate=50.0),
    GaitCNNClassifier(max_epochs=2, random_state=0),
    GaitCNNRegressor(max_epochs=2, random_state=0),
    GaitCNNLSTMClassifier(max_epochs=2, random_state=0),
    GaitMultiTaskNet(max_epochs=2, random_state=0),
]


def all_estimators():
    """Fresh (cloned) instances of :data:`ESTIMATORS`."""
    return [clone(estimator) for estimator in ESTIMATORS]
