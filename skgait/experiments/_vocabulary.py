"""Names grids and searches understand: datasets, tasks, protocols, estimators.

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
    "ESTIMATORS",
    "METRICS",
    "METRIC_FUNCTIONS",
    "PROTOCOLS",
    "TASK_TARGETS",
    "estimator_for",
    "make_estimator",
    "on_device",
]

#: Task name → (``meta`` column holding the target, kind of estimator).
TASK_TARGETS = {
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
    "leaky_window": (
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


def _final(step, params, name):
    """``step`` with ``params`` set; an unknown name is a ValueError naming the estimator."""
    known = step.get_params(deep=False)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is not a parameter of {name!r}'s {type(step).__name__}; "
            f"its parameters: {', '.join(sorted(known))}."
        )
    return step.set_params(**params)


def _forest(kind, random_state, params):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    cls = RandomForestClassifier if kind == "classification" else RandomForestRegressor
    forest = cls(n_estimators=100, n_jobs=1, random_state=random_state)
    return "rf", _final(forest, params, "acf_rf")


def _network(kind, random_state, params, name):
    from ..models import GaitCNNClassifier, GaitCNNRegressor

    cls = GaitCNNClassifier if kind == "classification" else GaitCNNRegressor
    return "cnn", _final(cls(random_state=random_state), params, name)


def _windowed(name, task, rate, random_state, lags=None, **params):
    """``crop`` (whole windows, searchable) → [``acf``] → the final step."""
    from ..features import ACFTransformer, WindowCrop

    if lags is None:
        lags = 10
    elif name == "cnn":
        raise ValueError("'lags' is a parameter of the ACF, which 'cnn' has not.")
    kind = TASK_TARGETS[task][1]
    steps = [("crop", WindowCrop(rate=rate))]
    if name == "acf_rf":
        steps += [
            ("acf", ACFTransformer(lags=lags, rate=rate)),
            _forest(kind, random_state, params),
        ]
        return Pipeline(steps)
    if name == "acf_cnn":
        steps.append(("acf", ACFTransformer(lags=lags, rate=rate, output="3d")))
    steps.append(_network(kind, random_state, params, name))
    return Pipeline(steps)


def _gait_pipeline(name, task, rate, random_state, **params):
    from ..pipelines import make_gait_pipeline

    return make_gait_pipeline(task, random_state, rate=rate, **params)


#: Estimator name → (what it is, builder). One vocabulary for grids
#: (``estimators``), searches (``[search] estimator``) and
#: :func:`make_estimator`.
ESTIMATORS = {
    "acf_rf": (
        "ACFTransformer(lags) then a random forest (100 trees): the papers' baseline",
        _windowed,
    ),
    "acf_cnn": (
        "ACFTransformer(lags, output='3d') then the BioDeep CNN "
        "(GaitCNNClassifier / GaitCNNRegressor)",
        _windowed,
    ),
    "cnn": ("the BioDeep CNN on the raw windows", _windowed),
    "gait_pipeline": (
        "skgait.pipelines.make_gait_pipeline(task): the measured pipeline of the task",
        _gait_pipeline,
    ),
}


def make_estimator(estimator, task, *, rate=50.0, random_state=0, **params):
    """Build a named estimator for a task, as grids and searches do.

    Every estimator but ``"gait_pipeline"`` starts with a
    :class:`~skgait.features.WindowCrop` step ``crop`` that keeps whole
    windows (a search may tune its ``length``).

    Parameters
    ----------
    estimator : {"acf_rf", "acf_cnn", "cnn", "gait_pipeline"}
        A name of :data:`ESTIMATORS`: ``"acf_rf"``, ACF → random forest
        (step ``rf``); ``"acf_cnn"``, ACF → BioDeep CNN (step ``cnn``);
        ``"cnn"``, the CNN on the raw windows; ``"gait_pipeline"``,
        :func:`~skgait.pipelines.make_gait_pipeline` of ``task``.
    task : {"gender", "age"}
        Picks the classifier or the regressor (:data:`TASK_TARGETS`).
    rate : float, default=50.0
        Sampling rate of the windows, in Hz.
    random_state : int, default=0
        Seed of the model.
    **params
        ``lags`` (of the ACF, default 10) and parameters of the final step
        (``n_estimators=50``, ``max_epochs=5``…); for ``"gait_pipeline"``,
        ``bandwidth``.

    Returns
    -------
    estimator : Pipeline
        Unfitted.

    Raises
    ------
    ValueError
        If the name, the task or a parameter is unknown.

    Examples
    --------
    >>> from skgait.experiments import make_estimator
    >>> pipe = make_estimator("acf_rf", "gender", n_estimators=10)
    >>> [name for name, _ in pipe.steps]
    ['crop', 'acf', 'rf']
    >>> pipe[-1]
    RandomForestClassifier(n_estimators=10, n_jobs=1, random_state=0)
    """
    if estimator not in ESTIMATORS:
        raise ValueError(
            f"Unknown estimator {estimator!r}; expected one of {', '.join(map(repr, ESTIMATORS))}."
        )
    if task not in TASK_TARGETS:
        raise ValueError(
            f"Unknown task {task!r}; expected one of {', '.join(map(repr, TASK_TARGETS))}."
        )
    try:
        return ESTIMATORS[estimator][1](estimator, task, rate, random_state, **params)
    except TypeError as exc:  # an unknown keyword of a builder
        raise ValueError(f"{estimator!r}: {exc}") from None


#: The estimators of a grid given none: name → estimator of :data:`ESTIMATORS`.
DEFAULT_ESTIMATORS = {"acf_rf": "acf_rf", "acf_cnn": "acf_cnn"}


def estimator_for(name, spec, task, kind, random_state, rate=50.0):
    """The estimator of a grid's ``estimators[name]`` for ``task``; errors name both."""
    where = f"estimators[{name!r}]"
    if isinstance(spec, str):
        spec = {"estimator": spec}
    if isinstance(spec, Mapping) and "estimator" in spec:
        params = dict(spec)
        params.setdefault("random_state", random_state)
        params.setdefault("rate", rate)
        try:
            return make_estimator(params.pop("estimator"), task, **params)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from exc
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"classification", "regression", *TASK_TARGETS}
        if unknown:
            raise ValueError(
                f"{where}: unknown keys {sorted(unknown)}; expected 'estimator' or "
                "'classification' / 'regression' (or task names)."
            )
        chosen = spec.get(task, spec.get(kind))
        if chosen is None:
            raise ValueError(f"{where} has no estimator for task {task!r} ({kind}).")
        spec = chosen
    if not (hasattr(spec, "fit") and hasattr(spec, "get_params")):
        raise ValueError(
            f"{where}: expected a scikit-learn estimator, an estimator name of "
            f"ESTIMATORS or {{'classification': ..., 'regression': ...}}; got {spec!r}."
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
    >>> on_device(make_estimator("acf_cnn", "gender"), "auto")[-1].get_params()["device"]
    'auto'
    """
    keys = [k for k in estimator.get_params(deep=True) if k.split("__")[-1] == "device"]
    if not keys:
        return estimator
    return clone(estimator).set_params(**dict.fromkeys(keys, device))
