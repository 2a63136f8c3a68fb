"""Names a grid understands: datasets, tasks, protocols and built-in estimators.

Every name a user can write in a grid or a search (Python or TOML) is
declared here once, with what it means, so that validation, the command line
and the docs read the same table. Dataset names are
:data:`skgait.datasets.DATASET_LOADERS`.
"""

from collections.abc import Mapping

from sklearn.base import clone, is_classifier, is_regressor
from sklearn.metrics import accuracy_score, balanced_accuracy_score, mean_absolute_error
from sklearn.pipeline import Pipeline

__all__ = [
    "DEFAULT_ESTIMATORS",
    "DEFAULT_METRICS",
    "ESTIMATOR_TYPES",
    "METRICS",
    "METRIC_FUNCTIONS",
    "PROTOCOLS",
    "TASKS",
    "estimator_for",
    "make_estimator",
    "on_device",
]

#: Task name → (``meta`` column holding the target, kind of estimator).
TASKS = {
    "gender": ("sex", "classification"),
    "age": ("age", "regression"),
}

#: Metric columns of each kind of task; errors (``mae``) are positive.
METRICS = {
    "classification": ("accuracy", "balanced_accuracy"),
    "regression": ("mae",),
}

#: Metric name → ``metric(y_true, y_pred)``.
METRIC_FUNCTIONS = {
    "accuracy": accuracy_score,
    "balanced_accuracy": balanced_accuracy_score,
    "mae": mean_absolute_error,
}

#: Metric of the tables printed by default, per kind of task: balanced
#: accuracy (chance is 50 % whatever the class balance) and mean absolute
#: error in years.
DEFAULT_METRICS = {"classification": "balanced_accuracy", "regression": "mae"}

#: Protocol name → (where it runs, what it measures).
PROTOCOLS = {
    "within": (
        "diagonal",
        "Subject-wise K-fold inside one dataset (SubjectKFold / "
        "SubjectRegressionKFold): the paper's diagonal, measured honestly.",
    ),
    "leaky": (
        "diagonal",
        "Window-level shuffled K-fold inside one dataset (LeakyWindowKFold): "
        "windows of every subject on both sides; only to compare with papers.",
    ),
    "direct": (
        "transfer",
        "Train on every subject of the source, test on every subject of the target, no adaptation.",
    ),
    "fine_tune": (
        "transfer",
        "Train on the source, then for each subject-wise fold of the target "
        "start from the source's convolutional weights (warm_start_from), "
        "fine-tune on the training subjects and test on the held-out ones. "
        "Only for estimators with a warm_start_from parameter (skgait CNNs).",
    ),
    "scratch": (
        "transfer",
        "Train from scratch on the same target folds as fine_tune: the "
        "reference for fine_tune's accuracy and speed-up.",
    ),
}


def _random_forest(kind, lags=10, random_state=0, **params):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    from ..features import ACFTransformer

    cls = RandomForestClassifier if kind == "classification" else RandomForestRegressor
    params.setdefault("n_estimators", 100)
    params.setdefault("n_jobs", 1)
    return Pipeline(
        [
            ("acf", ACFTransformer(lags=lags)),
            ("rf", cls(random_state=random_state, **params)),
        ]
    )


def _cnn(kind, lags=10, random_state=0, **params):
    from ..features import ACFTransformer
    from ..models import GaitCNNClassifier, GaitCNNRegressor

    cls = GaitCNNClassifier if kind == "classification" else GaitCNNRegressor
    return Pipeline(
        [
            ("acf", ACFTransformer(lags=lags, output="3d")),
            ("cnn", cls(random_state=random_state, **params)),
        ]
    )


#: Built-in estimator type → builder ``(kind, lags=10, random_state=0,
#: **params)``; ``params`` go to the final step.
ESTIMATOR_TYPES = {
    "random_forest": _random_forest,
    "cnn": _cnn,
}


def make_estimator(estimator_type, kind, **params):
    """Build a built-in estimator pipeline for a kind of task.

    Parameters
    ----------
    estimator_type : {"random_forest", "cnn"}
        ``"random_forest"``: ``ACFTransformer(lags)`` → random forest (the
        paper's baseline); ``"cnn"``: ``ACFTransformer(lags, output="3d")``
        → :class:`~skgait.models.GaitCNNClassifier` or
        :class:`~skgait.models.GaitCNNRegressor` (BioDeep).
    kind : {"classification", "regression"}
        Picks the classifier or the regressor.
    **params
        ``lags`` (default 10), ``random_state`` (default 0) and parameters of
        the final step (``n_estimators=50``, ``max_epochs=5``…).

    Returns
    -------
    estimator : Pipeline
        Unfitted.

    Examples
    --------
    >>> from skgait.experiments import make_estimator
    >>> pipe = make_estimator("random_forest", "classification", n_estimators=10)
    >>> [name for name, _ in pipe.steps]
    ['acf', 'rf']
    >>> pipe[-1]
    RandomForestClassifier(n_estimators=10, n_jobs=1, random_state=0)
    """
    if estimator_type not in ESTIMATOR_TYPES:
        raise ValueError(
            f"Unknown estimator type {estimator_type!r}; expected one of "
            f"{', '.join(map(repr, ESTIMATOR_TYPES))}."
        )
    if kind not in METRICS:
        raise ValueError(f"Unknown kind {kind!r}; expected 'classification' or 'regression'.")
    return ESTIMATOR_TYPES[estimator_type](kind, **params)


#: The estimators of a grid given none: name → built-in type.
DEFAULT_ESTIMATORS = {"random_forest": "random_forest", "cnn": "cnn"}


def estimator_for(name, spec, task, kind, random_state):
    """The estimator of a grid's ``estimators[name]`` for ``task``; errors name both."""
    where = f"estimators[{name!r}]"
    if isinstance(spec, str):
        spec = {"type": spec}
    if isinstance(spec, Mapping) and "type" in spec:
        params = dict(spec)
        type_ = params.pop("type")
        if type_ not in ESTIMATOR_TYPES:
            raise ValueError(
                f"{where}.type: unknown estimator type {type_!r}; expected one of "
                f"{', '.join(map(repr, ESTIMATOR_TYPES))}."
            )
        params.setdefault("random_state", random_state)
        try:
            return make_estimator(type_, kind, **params)
        except TypeError as exc:
            raise ValueError(f"{where}: {exc}") from exc
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"classification", "regression", *TASKS}
        if unknown:
            raise ValueError(
                f"{where}: unknown keys {sorted(unknown)}; expected 'type' or "
                "'classification' / 'regression' (or task names)."
            )
        chosen = spec.get(task, spec.get(kind))
        if chosen is None:
            raise ValueError(f"{where} has no estimator for task {task!r} ({kind}).")
        spec = chosen
    if not (hasattr(spec, "fit") and hasattr(spec, "get_params")):
        raise ValueError(
            f"{where}: expected a scikit-learn estimator, a built-in type name or "
            f"{{'classification': ..., 'regression': ...}}; got {spec!r}."
        )
    wrong = (kind == "classification" and is_regressor(spec)) or (
        kind == "regression" and is_classifier(spec)
    )
    if wrong:
        raise ValueError(
            f"{where} is a {'regressor' if kind == 'classification' else 'classifier'} "
            f"and cannot run task {task!r} ({kind}); give "
            "{'classification': clf, 'regression': reg} or drop the task."
        )
    return spec


def on_device(estimator, device):
    """A clone of ``estimator`` with ``device`` set on every network in it.

    Every parameter named ``device`` (a skorch network, or a step of a
    pipeline holding one) is set; an estimator without networks (a random
    forest) is returned unchanged.

    Parameters
    ----------
    estimator : estimator
    device : str
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``.

    Returns
    -------
    estimator : estimator

    Examples
    --------
    >>> from skgait.experiments import make_estimator, on_device
    >>> on_device(make_estimator("cnn", "classification"), "auto")[-1].get_params()["device"]
    'auto'
    """
    keys = [k for k in estimator.get_params(deep=True) if k.split("__")[-1] == "device"]
    if not keys:
        return estimator
    return clone(estimator).set_params(**dict.fromkeys(keys, device))
