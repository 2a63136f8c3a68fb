"""Checks for skgait estimators on 3-D windows, next to scikit-learn's.

scikit-learn's :func:`~sklearn.utils.estimator_checks.parametrize_with_checks`
feeds 2-D tables; skgait's estimators take windows ``(n_windows, n_channels,
n_timepoints)``. The checks here run every estimator on small synthetic
windows; :func:`sklearn_expected_failed_checks` lists, with a reason, the
scikit-learn checks that cannot apply to a 3-D-only estimator.

To put a new estimator under test, add one instance to
:data:`skgait.utils._testing.ESTIMATORS` (see ``tests/test_common.py``).

Examples
--------
>>> from skgait.features import ACFTransformer
>>> from skgait.utils.estimator_checks import check_estimator_3d
>>> check_estimator_3d(ACFTransformer(lags=3))
"""

import pickle

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags
from sklearn.utils import estimator_checks as _skl

__all__ = [
    "CHECKS_3D",
    "SKLEARN_API_CHECKS",
    "check_clone_params",
    "check_estimator_3d",
    "check_fit_output_shape",
    "check_fit_rejects_nan",
    "check_not_fitted_error",
    "check_pickle_roundtrip",
    "check_random_state_determinism",
    "check_transformer_preserves_dtype",
    "make_windows",
    "sklearn_expected_failed_checks",
]


def make_windows(
    n_windows=24,
    n_channels=3,
    n_timepoints=64,
    *,
    task="classification",
    dtype=np.float64,
    random_state=0,
):
    """Small synthetic windows: sinusoids whose frequency depends on the target.

    Parameters
    ----------
    n_windows, n_channels, n_timepoints : int
        Shape of ``X``.
    task : {"classification", "regression"}, default="classification"
        ``y`` is two balanced classes (slow vs fast sinusoids) or a
        continuous frequency.
    dtype : dtype, default=np.float64
        Dtype of ``X``.
    random_state : int, default=0
        Seed of the phases, noise and targets.

    Returns
    -------
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
    y : ndarray of shape (n_windows,)
        int labels 0/1 for classification, float frequencies for regression.
    """
    rng = np.random.default_rng(random_state)
    if task == "classification":
        y = np.arange(n_windows) % 2
        freq = np.where(y == 0, 2.0, 5.0)
    elif task == "regression":
        freq = rng.uniform(1.0, 6.0, size=n_windows)
        y = freq
    else:
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    t = np.arange(n_timepoints) / n_timepoints
    phase = rng.uniform(0, 2 * np.pi, size=(n_windows, n_channels, 1))
    X = np.sin(2 * np.pi * freq[:, None, None] * t + phase)
    X += 0.3 * rng.standard_normal(X.shape)
    return X.astype(dtype), y


def _data_for(estimator, **kwargs):
    if is_regressor(estimator):
        return make_windows(task="regression", **kwargs)
    return make_windows(task="classification", **kwargs)


def _is_supervised(estimator):
    return is_classifier(estimator) or is_regressor(estimator)


def _fit(estimator, X, y):
    return estimator.fit(X, y) if _is_supervised(estimator) else estimator.fit(X)


def _output(estimator, X):
    """The output a user reads: transform, else predict_proba, else predict."""
    if hasattr(estimator, "transform"):
        return estimator.transform(X)
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def _requires_fit(estimator):
    return get_tags(estimator).requires_fit


def check_fit_output_shape(name, estimator):
    """fit then transform/predict on 3-D windows give one row per window."""
    X, y = _data_for(estimator)
    est = _fit(clone(estimator), X, y)
    if hasattr(est, "transform"):
        Xt = est.transform(X)
        assert Xt.shape[0] == X.shape[0], (
            f"{name}.transform returned {Xt.shape[0]} rows for {X.shape[0]} windows"
        )
        assert np.all(np.isfinite(Xt)), f"{name}.transform returned NaN or inf"
    if hasattr(est, "predict"):
        pred = est.predict(X)
        assert pred.shape == (X.shape[0],), (
            f"{name}.predict returned shape {pred.shape}, expected ({X.shape[0]},)"
        )
        if is_classifier(est):
            assert set(np.unique(pred)) <= set(np.unique(y))
    if hasattr(est, "predict_proba"):
        proba = est.predict_proba(X)
        n_classes = len(np.unique(y))
        assert proba.shape == (X.shape[0], n_classes)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def check_transformer_preserves_dtype(name, estimator):
    """A transformer returns float32 for float32 windows, float64 for float64."""
    if not hasattr(estimator, "transform"):
        return
    for dtype in get_tags(estimator).transformer_tags.preserves_dtype:
        X, y = _data_for(estimator, dtype=np.dtype(dtype))
        Xt = _fit(clone(estimator), X, y).transform(X)
        assert Xt.dtype == np.dtype(dtype), (
            f"{name}.transform returned {Xt.dtype} for {dtype} input"
        )


def check_random_state_determinism(name, estimator):
    """Two fits with the same ``random_state`` give identical outputs."""
    if "random_state" not in estimator.get_params():
        return
    X, y = _data_for(estimator)
    outputs = []
    for _ in range(2):
        est = clone(estimator).set_params(random_state=0)
        outputs.append(np.asarray(_output(_fit(est, X, y), X)))
    np.testing.assert_array_equal(
        outputs[0],
        outputs[1],
        err_msg=f"{name}: two fits with random_state=0 differ",
    )


def check_not_fitted_error(name, estimator):
    """transform/predict before fit raise ``NotFittedError``."""
    if not _requires_fit(estimator):
        return
    X, _ = _data_for(estimator)
    for method in ("transform", "predict", "predict_proba", "decision_function"):
        if hasattr(estimator, method):
            try:
                getattr(clone(estimator), method)(X)
            except NotFittedError:
                continue
            raise AssertionError(
                f"{name}.{method} before fit did not raise NotFittedError"
            )


def check_clone_params(name, estimator):
    """``clone`` keeps every parameter (compared by identity or equality)."""
    params = estimator.get_params(deep=False)
    cloned = clone(estimator).get_params(deep=False)
    assert params.keys() == cloned.keys()
    for key, value in params.items():
        assert _same_param(value, cloned[key]), (
            f"{name}: clone changed {key}: {value!r} -> {cloned[key]!r}"
        )


def _same_param(value, other):
    """Equal values, or estimators of the same type (also inside lists, like ``steps``)."""
    if hasattr(value, "get_params"):
        return type(value) is type(other)
    if isinstance(value, (list, tuple)) and any(
        hasattr(v, "get_params") or isinstance(v, (list, tuple)) for v in value
    ):
        return (
            type(value) is type(other)
            and len(value) == len(other)
            and all(_same_param(v, o) for v, o in zip(value, other))
        )
    return value is other or np.array_equal(
        np.asarray(value, dtype=object), np.asarray(other, dtype=object)
    )


def check_pickle_roundtrip(name, estimator):
    """A fitted estimator survives pickling with identical outputs."""
    X, y = _data_for(estimator)
    est = _fit(clone(estimator), X, y)
    before = np.asarray(_output(est, X))
    restored = pickle.loads(pickle.dumps(est))
    after = np.asarray(_output(restored, X))
    np.testing.assert_array_equal(
        before, after, err_msg=f"{name}: outputs differ after pickle round trip"
    )


def check_fit_rejects_nan(name, estimator):
    """NaN windows raise ``ValueError`` in fit (and in transform/predict)."""
    X, y = _data_for(estimator)
    X_nan = X.copy()
    X_nan[0, 0, 0] = np.nan
    try:
        _fit(clone(estimator), X_nan, y)
    except ValueError:
        pass
    else:
        raise AssertionError(f"{name}.fit accepted NaN input")
    est = _fit(clone(estimator), X, y)
    for method in ("transform", "predict"):
        if hasattr(est, method):
            try:
                getattr(est, method)(X_nan)
            except ValueError:
                continue
            raise AssertionError(f"{name}.{method} accepted NaN input")


#: The 3-D checks, in the order :func:`check_estimator_3d` runs them.
CHECKS_3D = (
    check_fit_output_shape,
    check_transformer_preserves_dtype,
    check_random_state_determinism,
    check_not_fitted_error,
    check_clone_params,
    check_pickle_roundtrip,
    check_fit_rejects_nan,
)


def check_estimator_3d(estimator):
    """Run every check of :data:`CHECKS_3D` on ``estimator``.

    Parameters
    ----------
    estimator : estimator instance
        An unfitted skgait estimator taking 3-D windows.

    Raises
    ------
    AssertionError
        On the first check that fails.
    """
    name = type(estimator).__name__
    for check in CHECKS_3D:
        check(name, estimator)


#: scikit-learn's checks that need no data, run on every estimator (sklearn's
#: ``parametrize_with_checks`` skips 3-D-only estimators altogether).
SKLEARN_API_CHECKS = (
    _skl.check_estimator_cloneable,
    _skl.check_estimator_repr,
    _skl.check_no_attributes_set_in_init,
    _skl.check_do_not_raise_errors_in_init_or_set_params,
    _skl.check_get_params_invariance,
    _skl.check_set_params,
    _skl.check_parameters_default_constructible,
    _skl.check_estimator_tags_renamed,
    _skl.check_valid_tag_types,
    _skl.check_mixin_order,
)


def sklearn_expected_failed_checks(estimator):
    """Scikit-learn checks expected to fail on ``estimator``, with reasons.

    For :func:`~sklearn.utils.estimator_checks.parametrize_with_checks`'s
    ``expected_failed_checks``. scikit-learn 1.9 runs none of its data checks
    on an estimator whose tags say ``two_d_array=False`` (it yields a single
    skipped check instead), so 3-D-only estimators need no entry here: they
    are covered by :data:`SKLEARN_API_CHECKS` and :data:`CHECKS_3D`. An
    estimator that also accepts 2-D tables lists here the checks it cannot
    pass and why.

    Parameters
    ----------
    estimator : estimator instance

    Returns
    -------
    dict
        Check name -> reason.
    """
    return dict(_EXPECTED_FAILURES.get(type(estimator).__name__, {}))


#: Estimator class name -> {sklearn check name: reason}.
_EXPECTED_FAILURES = {}
