"""scikit-learn's private names, imported in this one module.

skgait builds on a few helpers that scikit-learn keeps private (parameter
constraints, the fit context, metadata routing, indexing). Every other module
imports them from here, as imbalanced-learn's ``utils/_sklearn_compat.py``
does, so that a scikit-learn release that moves or renames one changes this
file only (``tests/test_sklearn_compat.py`` checks that no other module
imports a private scikit-learn name).

Each name exists, at the path imported, in every scikit-learn from the lowest
version pyproject.toml declares (1.6) on; the comment beside it says since
when, so a fallback is written here the day a release moves it.
"""

# since 1.3
from sklearn.base import _fit_context

# sklearn.utils._indexing since 1.5 (sklearn.utils before)
from sklearn.utils._indexing import _safe_indexing

# since 1.3
from sklearn.utils._metadata_requests import _routing_enabled

# since 1.2
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
)

# since 1.2
from sklearn.utils._set_output import _get_output_config

# _check_method_params since 1.4 (_check_fit_params before)
from sklearn.utils.validation import _check_method_params, _num_samples

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_check_method_params",
    "_fit_context",
    "_get_output_config",
    "_num_samples",
    "_routing_enabled",
    "_safe_indexing",
]
