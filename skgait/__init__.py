"""skgait: scikit-learn compatible age, gender and identity recognition from IMU gait.

The package reads as the data flow:

- :mod:`skgait.datasets`: loaders for public gait datasets (recordings in SI
  units) and windowing into ``(n_windows, n_channels, n_timepoints)`` arrays;
- :mod:`skgait.features`: transformers such as :class:`ACFTransformer`;
- :mod:`skgait.models`: estimators such as :class:`GaitCNNClassifier`;
- :mod:`skgait.model_selection`: subject-wise protocols, aggregation, baselines.

Top-level names are imported lazily so that ``import skgait.datasets`` does
not import PyTorch.
"""

import importlib

__version__ = "0.1.0"

_LAZY = {
    "ACFTransformer": "skgait.features",
    "GaitCNNClassifier": "skgait.models",
    "GaitCNNRegressor": "skgait.models",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'skgait' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
