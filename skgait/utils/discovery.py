"""Discovery of skgait's public estimators, as :mod:`sklearn.utils.discovery`.

Examples
--------
>>> from skgait.utils.discovery import all_estimators
>>> names = [name for name, _ in all_estimators(type_filter="transformer")]
>>> "ACFTransformer" in names and "AgeGroups" in names
True
"""

import importlib
import inspect
import pkgutil
from operator import itemgetter

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)

__all__ = ["all_estimators"]

#: Subpackages not walked: command-line entry points hold no estimator.
_SKIPPED_PACKAGES = {"cli"}

_FILTERS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
}


def _public_modules():
    import skgait

    yield skgait
    for info in pkgutil.walk_packages(skgait.__path__, prefix="skgait."):
        parts = info.name.split(".")[1:]
        if parts[0] in _SKIPPED_PACKAGES or any(p.startswith("_") for p in parts):
            continue
        yield importlib.import_module(info.name)


def all_estimators(type_filter=None):
    """Every public estimator class of skgait.

    Walks skgait's public modules (no part of the dotted name starting with
    ``_``) and collects the classes that subclass
    :class:`~sklearn.base.BaseEstimator`, are not abstract and whose name
    does not start with ``_``, as :func:`sklearn.utils.discovery.all_estimators`
    does for scikit-learn. An estimator defined in a private module counts
    once it is re-exported by a public one.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "sampler"}, \
list of those, or None, default=None
        Keep only estimators of these kinds (a sampler has
        ``fit_resample``); None keeps all.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs sorted by name.
    """
    found = {}
    for module in _public_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                name.startswith("_")
                or not cls.__module__.startswith("skgait.")
                or not issubclass(cls, BaseEstimator)
                or inspect.isabstract(cls)
            ):
                continue
            found[name] = cls
    estimators = sorted(found.items(), key=itemgetter(0))
    if type_filter is None:
        return estimators
    kinds = [type_filter] if isinstance(type_filter, str) else list(type_filter)
    unknown = sorted(set(kinds) - {*_FILTERS, "sampler"})
    if unknown:
        raise ValueError(
            f"type_filter must be None or among {sorted({*_FILTERS, 'sampler'})}; "
            f"got {unknown}."
        )

    def keep(cls):
        for kind in kinds:
            if kind == "sampler" and hasattr(cls, "fit_resample"):
                return True
            if kind in _FILTERS and issubclass(cls, _FILTERS[kind]):
                return True
        return False

    return [(name, cls) for name, cls in estimators if keep(cls)]
