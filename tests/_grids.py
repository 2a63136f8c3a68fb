"""Small synthetic grids for the tests of the grid's bookkeeping.

Noise datasets and trivial estimators: what is under test is the plan, the
runner and the recorder, not the accuracy.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from skgait.datasets import CHANNELS, GaitDataset, Recording
from skgait.experiments import CrossDatasetGrid


def synthetic_dataset(
    name, n_subjects=6, channels=CHANNELS, placement="waist", seconds=20, rate=50.0, seed=0
):
    """A GaitDataset of noise: walking throughout, alternating sexes."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    recordings = [
        Recording(
            signal=rng.normal(size=(n, len(channels))).astype(np.float32),
            channels=channels,
            rate=rate,
            dataset=name,
            subject=str(s),
            recording=f"{name}-{s}",
            trial="1",
            placement=placement,
            source_placement=placement,
            activity=np.ones(n, dtype=np.int8),
        )
        for s in range(n_subjects)
    ]
    subjects = pd.DataFrame(
        {
            "subject": [str(s) for s in range(n_subjects)],
            "age": 20.0 + 5 * np.arange(n_subjects),
            "sex": ["F", "M"] * (n_subjects // 2),
            "height_cm": np.nan,
            "weight_kg": np.nan,
        }
    )
    return GaitDataset(name, recordings, subjects)


class MajorityClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the training majority; counts fits across clones."""

    fits = 0

    def fit(self, X, y):
        type(self).fits += 1
        values, counts = np.unique(y, return_counts=True)
        self.classes_ = values
        self.majority_ = values[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class FailingClassifier(MajorityClassifier):
    def fit(self, X, y):
        raise RuntimeError("this estimator always fails")


class MeanRegressor(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def synthetic_grid(tmp_path, **params):
    params.setdefault(
        "datasets",
        {
            "a": synthetic_dataset("a", seed=0),
            "b": synthetic_dataset("b", seed=1),
        },
    )
    params.setdefault("tasks", ["gender"])
    params.setdefault("estimators", {"majority": MajorityClassifier()})
    params.setdefault("protocols", ["within", "direct"])
    params.setdefault("n_splits", 2)
    params.setdefault("tracking", False)
    params.setdefault("results_path", tmp_path / "results.csv")
    return CrossDatasetGrid(params.pop("datasets"), **params)
