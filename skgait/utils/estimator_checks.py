"""Checks for skgait estimators on 3-D windows, next to scikit-learn's.

scikit-learn's :func:`~sklearn.utils.estimator_checks.parametrize_with_checks`
feeds 2-D tables; skgait's estimators take windows ``(n_windows, n_channels,
n_timepoints)``. The checks here run every estimator on small synthetic
windows; :func:`sklearn_expected_failed_checks` lists, with a reason, the
scikit-learn checks that cannot apply to a 3-D-only estimator.

Every public estimator is found by
:func:`skgait.utils.discovery.all_estimators` and checked with the instances
listed for its class in :data:`skgait.utils._testing.INSTANCE_PARAMS` (see
``tests/test_common.py``, which fails for a class without an entry).

Examples
--------
>>> from skgait.features import ACFTransformer
>>> from skgait.utils.estimator_checks import check_estimator_3d
>>> check_estimator_3d(ACFTransformer(lags=3))
"""

import inspect
import pickle
from typing import NamedTuple

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as _skl
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from ._sklearn_compat import InvalidParameterError

__all__ = [
    "CHECKS_3D",
    "SKLEARN_API_CHECKS",
    "CheckData",
    "check_clone_params",
    "check_dict_unchanged",
    "check_estimator_3d",
    "check_fit_check_is_fitted",
    "check_fit_does_not_change_params",
    "check_fit_idempotent",
    "check_fit_output_shape",
    "check_fit_rejects_nan",
    "check_fit_returns_self",
    "check_methods_subset_invariance",
    "check_not_fitted_error",
    "check_param_validation",
    "check_pickle_roundtrip",
    "check_random_state_determinism",
    "check_transformer_preserves_dtype",
    "make_gait_dataset",
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


class CheckData(NamedTuple):
    """Inputs of one estimator in the checks: ``fit(X, y, **fit_params)``."""

    X: object
    y: object
    fit_params: dict


def make_gait_dataset(n_subjects=4, n_samples=400, rate=50.0, *, random_state=0):
    """A small synthetic :class:`~skgait.datasets.GaitDataset` of one placement.

    Each subject has one ``"right_thigh"`` recording alternating 2 s of
    walking (a sinusoid on ``acc_z``) and 2 s of standing (noise only).

    Parameters
    ----------
    n_subjects : int, default=4
    n_samples : int, default=400
        Samples per recording.
    rate : float, default=50.0
        Sampling rate in Hz.
    random_state : int, default=0
        Seed of the noise.

    Returns
    -------
    dataset : GaitDataset

    Examples
    --------
    >>> from skgait.utils.estimator_checks import make_gait_dataset
    >>> ds = make_gait_dataset(n_subjects=2)
    >>> len(ds.recordings), ds.placements
    (2, ['right_thigh'])
    """
    import pandas as pd

    from ..datasets import ACTIVITIES, CHANNELS, GaitDataset, Recording

    rng = np.random.default_rng(random_state)
    half = int(2 * rate)
    walking = (np.arange(n_samples) // half) % 2 == 0
    activity = np.where(walking, ACTIVITIES.index("walking"), ACTIVITIES.index("standing"))
    recordings = []
    for s in range(n_subjects):
        signal = 0.1 * rng.standard_normal((n_samples, len(CHANNELS)))
        signal[walking, 2] += 3 * np.sin(np.arange(walking.sum()) / 4)
        recordings.append(
            Recording(
                signal=signal.astype(np.float32),
                channels=CHANNELS,
                rate=rate,
                dataset="synthetic",
                subject=str(s),
                recording=f"r{s}",
                trial="1",
                placement="right_thigh",
                source_placement="right_thigh",
                activity=activity,
            )
        )
    subjects = pd.DataFrame(
        {
            "subject": [str(s) for s in range(n_subjects)],
            "age": 30.0,
            "sex": "F",
            "height_cm": 170.0,
            "weight_kg": 60.0,
        }
    )
    return GaitDataset("synthetic", recordings, subjects)


def _sequence_data(estimator, dtype):
    """Windows with one label per time step (sequence labellers)."""
    X, _ = make_windows(n_windows=8, dtype=dtype)
    n_timepoints = X.shape[2]
    y = np.where(np.arange(n_timepoints) < n_timepoints // 2, "still", "walk")[None].repeat(
        len(X), 0
    )
    X[:, :, n_timepoints // 2 :] += np.sin(np.arange(n_timepoints - n_timepoints // 2) / 2).astype(
        dtype
    )
    return CheckData(X, y, {})


def _subject_data(estimator, dtype):
    """Windows whose target is the subject (identity models)."""
    X, _ = make_windows(dtype=dtype)
    return CheckData(X, np.arange(len(X)) % 6, {})


def _dataset_data(estimator, dtype):
    return CheckData(make_gait_dataset(), None, {})


#: Estimator class name -> data factory, for inputs that sklearn's tags cannot
#: describe (per-step labels, subject targets, whole datasets).
_CHECK_DATA = {
    "GaitSegmenter": _sequence_data,
    "SiameseVerifier": _subject_data,
    "Verifier": _subject_data,
    "WalkingExtractor": _dataset_data,
}


def _is_supervised(estimator):
    return is_classifier(estimator) or is_regressor(estimator)


def _takes_groups(estimator):
    method = getattr(estimator, "fit_resample", None) or estimator.fit
    return "groups" in inspect.signature(method).parameters


def _data_for(estimator, dtype=np.float64):
    """:class:`CheckData` suited to ``estimator``, from its tags.

    3-D windows (``three_d_array``) with a class or regression target and,
    when ``fit`` takes them, ``groups`` (6 subjects, each of one class), or
    those windows flattened for a model or transformer of features (2-D);
    1-D values (``one_d_labels`` without 2-D or 3-D input: transformers of a
    target such as ages); the inputs of :data:`_CHECK_DATA` otherwise.
    """
    name = type(estimator).__name__
    if name in _CHECK_DATA:
        return _CHECK_DATA[name](estimator, np.dtype(dtype))
    tags = get_tags(estimator)
    features = tags.input_tags.two_d_array and hasattr(estimator, "transform")
    if tags.input_tags.three_d_array or _is_supervised(estimator) or features:
        task = "regression" if is_regressor(estimator) else "classification"
        X, y = make_windows(task=task, dtype=dtype)
        if not tags.input_tags.three_d_array:  # a model of features: flattened windows
            X = X.reshape(len(X), -1)
        needs_y = _is_supervised(estimator) or tags.target_tags.required
        needs_y = needs_y or hasattr(estimator, "fit_resample")
        fit_params = {"groups": np.arange(len(X)) % 6} if _takes_groups(estimator) else {}
        return CheckData(X, y if needs_y else None, fit_params)
    if tags.target_tags.one_d_labels and not tags.input_tags.two_d_array:
        ages = np.random.default_rng(0).uniform(5.0, 85.0, size=24).astype(dtype)
        return CheckData(ages, None, {})
    raise ValueError(
        f"{name}: no check data for its input tags {tags.input_tags}; add a data "
        "factory to skgait.utils.estimator_checks._CHECK_DATA."
    )


def _n_items(X):
    from ..datasets import GaitDataset

    return len(X.recordings) if isinstance(X, GaitDataset) else len(X)


def _fit(estimator, data):
    if data.y is None:
        return estimator.fit(data.X, **data.fit_params)
    return estimator.fit(data.X, data.y, **data.fit_params)


def _as_array(output):
    """An estimator's output as an array (a dataset by its activity codes)."""
    from ..datasets import GaitDataset

    if isinstance(output, GaitDataset):
        return np.concatenate([r.activity for r in output.recordings])
    return np.asarray(output)


def _output(estimator, data):
    """The output a user reads of a fitted estimator.

    transform, else predict_proba, else predict, else the embedding of an
    embedding model (:class:`SiameseVerifier`), else ``score_pairs`` of each
    window with another (pair models such as :class:`Verifier`).
    """
    X = data.X
    for method in ("transform", "predict_proba", "predict", "embed"):
        if hasattr(estimator, method):
            return _as_array(getattr(estimator, method)(X))
    if hasattr(estimator, "score_pairs"):
        return estimator.score_pairs(X, X[::-1])
    raise AssertionError(f"{type(estimator).__name__} has no method to read an output from")


def _fit_output(estimator, data):
    """Fit ``estimator`` and return its output; a sampler's is its resampled X, y."""
    if hasattr(estimator, "fit_resample"):
        X_res, y_res = estimator.fit_resample(data.X, data.y, **data.fit_params)
        return np.concatenate(
            [np.asarray(X_res).reshape(len(X_res), -1), np.asarray(y_res).reshape(len(y_res), -1)],
            axis=1,
        )
    return _output(_fit(estimator, data), data)


def _with_seed(estimator):
    if "random_state" in estimator.get_params():
        return clone(estimator).set_params(random_state=0)
    return clone(estimator)


def _requires_fit(estimator):
    return get_tags(estimator).requires_fit


def _assert_equal_outputs(a, b, msg):
    if a.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6, err_msg=msg)
    else:
        np.testing.assert_array_equal(a, b, err_msg=msg)


def check_fit_output_shape(name, estimator):
    """fit then transform/predict give one output per input window.

    A transformer returns one row per window (one recording per recording
    for dataset transformers), finite when numeric; ``predict`` has the
    shape of ``y``; ``predict_proba`` sums to 1 over the classes (axis 1);
    a sampler returns windows of the input's shape with one label each.
    """
    data = _data_for(estimator)
    X, y = data.X, data.y
    n = _n_items(X)
    if hasattr(estimator, "fit_resample"):
        X_res, y_res = clone(estimator).fit_resample(X, y, **data.fit_params)
        assert X_res.shape[1:] == X.shape[1:] and len(X_res) == len(y_res), (
            f"{name}.fit_resample returned X {X_res.shape}, y {np.shape(y_res)} for X {X.shape}"
        )
        assert set(np.unique(y_res)) <= set(np.unique(y))
        return
    est = _fit(clone(estimator), data)
    if hasattr(est, "transform"):
        Xt = est.transform(X)
        assert _n_items(Xt) == n, f"{name}.transform returned {_n_items(Xt)} items for {n} inputs"
        Xt = _as_array(Xt)
        if Xt.dtype.kind in "fc":
            assert np.all(np.isfinite(Xt)), f"{name}.transform returned NaN or inf"
    if hasattr(est, "predict"):
        pred = np.asarray(est.predict(X))
        assert pred.shape == np.shape(y), (
            f"{name}.predict returned shape {pred.shape}, expected {np.shape(y)}"
        )
        if is_classifier(est):
            assert set(np.unique(pred)) <= set(np.unique(y))
    if hasattr(est, "predict_proba"):
        proba = np.asarray(est.predict_proba(X))
        n_classes = len(np.unique(y))
        assert proba.shape[:2] == (n, n_classes), (
            f"{name}.predict_proba returned shape {proba.shape} for {n} windows "
            f"and {n_classes} classes"
        )
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    if hasattr(est, "score_pairs"):
        score = est.score_pairs(X, X[::-1])
        assert score.shape == (n,) and np.all((score >= 0) & (score <= 1)), (
            f"{name}.score_pairs must return one probability per pair"
        )


def check_transformer_preserves_dtype(name, estimator):
    """A transformer returns float32 for float32 windows, float64 for float64.

    For each dtype of the ``transformer_tags.preserves_dtype`` tag.
    """
    if not hasattr(estimator, "transform"):
        return
    for dtype in get_tags(estimator).transformer_tags.preserves_dtype:
        data = _data_for(estimator, dtype=np.dtype(dtype))
        Xt = _fit(clone(estimator), data).transform(data.X)
        assert Xt.dtype == np.dtype(dtype), (
            f"{name}.transform returned {Xt.dtype} for {dtype} input; if it does "
            "not preserve dtypes, set transformer_tags.preserves_dtype = []"
        )


def check_random_state_determinism(name, estimator):
    """Two fits with the same ``random_state`` give identical outputs."""
    if "random_state" not in estimator.get_params():
        return
    data = _data_for(estimator)
    outputs = [_fit_output(_with_seed(estimator), data) for _ in range(2)]
    _assert_equal_outputs(outputs[0], outputs[1], f"{name}: two fits with random_state=0 differ")


def check_fit_idempotent(name, estimator):
    """Fitting the same instance twice gives the same outputs (as sklearn's check).

    A second ``fit`` starts afresh: nothing of the first (a trained
    network, an optimiser state) carries over.
    """
    data = _data_for(estimator)
    est = _with_seed(estimator)
    first = _fit_output(est, data)
    second = _fit_output(est, data)
    _assert_equal_outputs(first, second, f"{name}: a second fit gave other outputs")


def check_fit_returns_self(name, estimator):
    """``fit`` returns the estimator itself (so calls can be chained)."""
    data = _data_for(estimator)
    est = clone(estimator)
    assert _fit(est, data) is est, f"{name}.fit does not return self"


def check_fit_does_not_change_params(name, estimator):
    """``fit`` leaves the parameters as set, and adds only ``_``-ending public attributes.

    The 3-D version of sklearn's ``check_estimators_overwrite_params`` and
    ``check_dont_overwrite_parameters``.
    """
    data = _data_for(estimator)
    est = _with_seed(estimator)
    before_params = est.get_params(deep=False)
    before_reprs = {k: repr(v) for k, v in before_params.items()}
    before_attrs = set(vars(est))
    _fit(est, data)
    after_params = est.get_params(deep=False)
    for key, value in before_params.items():
        assert after_params[key] is value or repr(after_params[key]) == before_reprs[key], (
            f"{name}.fit changed parameter {key}: {before_reprs[key]} -> {after_params[key]!r}"
        )
    added = [
        a for a in set(vars(est)) - before_attrs if not a.startswith("_") and not a.endswith("_")
    ]
    assert not added, f"{name}.fit set public attributes {sorted(added)} that do not end with '_'"


def check_fit_check_is_fitted(name, estimator):
    """``sklearn.utils.validation.check_is_fitted`` fails before fit, passes after."""
    if not _requires_fit(estimator):
        return
    est = clone(estimator)
    try:
        check_is_fitted(est)
    except NotFittedError:
        pass
    else:
        raise AssertionError(f"check_is_fitted passes on an unfitted {name}")
    if hasattr(est, "fit_resample"):
        data = _data_for(est)
        est.fit_resample(data.X, data.y, **data.fit_params)
    else:
        _fit(est, _data_for(est))
    check_is_fitted(est)


def check_dict_unchanged(name, estimator):
    """transform/predict/predict_proba do not change the fitted estimator's state."""
    if hasattr(estimator, "fit_resample"):
        return
    data = _data_for(estimator)
    est = _fit(_with_seed(estimator), data)
    before = {k: repr(v) for k, v in vars(est).items()}
    for method in ("transform", "predict", "predict_proba", "score_pairs"):
        if hasattr(est, method):
            args = (data.X, data.X[::-1]) if method == "score_pairs" else (data.X,)
            getattr(est, method)(*args)
            after = {k: repr(v) for k, v in vars(est).items()}
            changed = sorted(
                k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
            )
            assert not changed, f"{name}.{method} changed attributes {changed}"


def check_methods_subset_invariance(name, estimator):
    """Outputs on a batch equal those on its parts (no batch-dependent output)."""
    if hasattr(estimator, "fit_resample") or get_tags(estimator).non_deterministic:
        return
    data = _data_for(estimator)
    if not isinstance(data.X, np.ndarray):
        return
    if hasattr(estimator, "score_pairs"):
        return  # the pairs of each half differ from those of the whole
    est = _fit(_with_seed(estimator), data)
    whole = _output(est, data)
    half = len(data.X) // 2
    parts = [
        _output(est, data._replace(X=data.X[:half])),
        _output(est, data._replace(X=data.X[half:])),
    ]
    _assert_equal_outputs(
        np.concatenate(parts), whole, f"{name}: outputs of a batch differ from those of its halves"
    )


def _takes_only_X(method):
    """Whether ``method`` needs no argument but X (not, say, claimed identities)."""
    required = [
        p
        for p in inspect.signature(method).parameters.values()
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return len(required) == 1


def check_not_fitted_error(name, estimator):
    """transform/predict before fit raise ``NotFittedError``."""
    if not _requires_fit(estimator):
        return
    data = _data_for(estimator)
    for method in ("transform", "predict", "predict_proba", "decision_function", "embed"):
        if hasattr(estimator, method) and _takes_only_X(getattr(estimator, method)):
            try:
                getattr(clone(estimator), method)(data.X)
            except NotFittedError:
                continue
            raise AssertionError(f"{name}.{method} before fit did not raise NotFittedError")


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
    data = _data_for(estimator)
    est = _with_seed(estimator)
    before = _fit_output(est, data)
    restored = pickle.loads(pickle.dumps(est))
    if hasattr(restored, "fit_resample"):
        after = _fit_output(restored, data)
    else:
        after = _output(restored, data)
    _assert_equal_outputs(before, after, f"{name}: outputs differ after pickle round trip")


def check_fit_rejects_nan(name, estimator):
    """NaN windows raise ``ValueError`` in fit (and in transform/predict).

    Skipped for estimators tagged ``allow_nan`` (a missing age, a gap in a
    recording).
    """
    if get_tags(estimator).input_tags.allow_nan:
        return
    data = _data_for(estimator)
    X_nan = np.array(data.X, copy=True)
    X_nan.flat[0] = np.nan
    try:
        _fit(clone(estimator), data._replace(X=X_nan))
    except ValueError:
        pass
    else:
        raise AssertionError(f"{name}.fit accepted NaN input")
    if hasattr(estimator, "fit_resample"):
        return
    est = _fit(clone(estimator), data)
    for method in ("transform", "predict"):
        if hasattr(est, method):
            try:
                getattr(est, method)(X_nan)
            except ValueError:
                continue
            raise AssertionError(f"{name}.{method} accepted NaN input")


class _NoAcceptedType:
    """A parameter value of a type no constraint accepts."""


def check_param_validation(name, estimator):
    """Fit rejects a parameter of no accepted type, naming it (``_parameter_constraints``).

    Skipped for an estimator without constraints: the skorch-based networks,
    which validate their own parameters.
    """
    constraints = getattr(estimator, "_parameter_constraints", None)
    if constraints is None:
        return
    data = _data_for(estimator)
    for param in estimator.get_params(deep=False):
        if constraints.get(param) == "no_validation":
            continue
        est = clone(estimator).set_params(**{param: _NoAcceptedType()})
        fit = est.fit_resample if hasattr(est, "fit_resample") else est.fit
        args = (data.X,) if data.y is None else (data.X, data.y)
        try:
            fit(*args, **data.fit_params)
        except InvalidParameterError as error:
            assert f"'{param}' parameter of {type(est).__name__}" in str(error), str(error)
        else:
            raise AssertionError(f"{name}.fit accepted {param}={_NoAcceptedType()!r}")


#: The 3-D checks, in the order :func:`check_estimator_3d` runs them.
CHECKS_3D = (
    check_fit_output_shape,
    check_transformer_preserves_dtype,
    check_random_state_determinism,
    check_fit_idempotent,
    check_fit_returns_self,
    check_fit_does_not_change_params,
    check_fit_check_is_fitted,
    check_dict_unchanged,
    check_methods_subset_invariance,
    check_not_fitted_error,
    check_clone_params,
    check_pickle_roundtrip,
    check_fit_rejects_nan,
    check_param_validation,
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
