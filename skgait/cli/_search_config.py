"""The TOML configuration of ``skgait search``: reading, checking, and what it builds.

The format is described in :mod:`skgait.cli.search`. Every problem is
collected and reported at once in a :class:`~skgait.experiments.ConfigError`
(the grid's), before any data is read.
"""

from pathlib import Path

from ..datasets import get_loader
from ..experiments import TASKS, ConfigError, read_toml

__all__ = ["build_estimator", "load_data", "read_config", "validate_config"]

_KIND = "search config"
_SECTIONS = {"data", "search", "space"}
_DATA_KEYS = {"dataset", "windows", "placement", "rate", "length", "overlap", "activity"}
_SEARCH_KEYS = {
    "task",
    "estimator",
    "scoring",
    "n_splits",
    "random_state",
    "pruner",
    "n_trials",
    "timeout",
    "storage",
    "study_name",
    "tracking",
    "heartbeat_interval",
}
_ESTIMATORS = ("acf_rf", "cnn", "acf_cnn")
_PRUNERS = ("median", "none")
_SPACE_KEYS = {
    "int": ({"type", "low", "high"}, {"log", "step"}),
    "float": ({"type", "low", "high"}, {"log", "step"}),
    "categorical": ({"type", "choices"}, set()),
}


def read_config(path):
    """Read a TOML search config; raise :class:`ConfigError` on bad TOML.

    Parameters
    ----------
    path : str or path-like
        The ``.toml`` file.

    Returns
    -------
    config : dict
    """
    path = Path(path)
    if not path.is_file():
        raise _error(path, [f"file not found: {path}"])
    return read_toml(path, kind=_KIND)


def _error(path, problems):
    return ConfigError(problems, str(path), kind=_KIND)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _check_data(data, base, problems):
    for key in sorted(set(data) - _DATA_KEYS):
        problems.append(f"[data] unknown key {key!r}; allowed: {', '.join(sorted(_DATA_KEYS))}")
    if ("dataset" in data) == ("windows" in data):
        problems.append('[data] give exactly one of dataset = "<name>" or windows = "<file.npz>"')
    if "dataset" in data:
        try:
            get_loader(data["dataset"])
        except ValueError as exc:
            problems.append(f"[data] dataset = {data['dataset']!r}: {exc}")
        if not isinstance(data.get("placement"), str):
            problems.append('[data] placement = "<name>" is required with dataset (e.g. "waist")')
    if "windows" in data:
        file = data["windows"]
        if not isinstance(file, str) or not (base / file).is_file():
            problems.append(f"[data] windows = {file!r}: no such file (relative to {base})")
    for key, default in (("rate", 50.0), ("length", 2.56)):
        value = data.get(key, default)
        if not _is_number(value) or value <= 0:
            problems.append(f"[data] {key} = {value!r} must be a positive number")
    overlap = data.get("overlap", 0.5)
    if not _is_number(overlap) or not 0 <= overlap < 1:
        problems.append(f"[data] overlap = {overlap!r} must be a number in [0, 1)")
    if "activity" in data and not isinstance(data["activity"], str):
        problems.append(f"[data] activity = {data['activity']!r} must be a string")


def _check_search(search, problems):
    from sklearn.metrics import get_scorer_names

    for key in sorted(set(search) - _SEARCH_KEYS):
        problems.append(f"[search] unknown key {key!r}; allowed: {', '.join(sorted(_SEARCH_KEYS))}")
    if search.get("task") not in TASKS:
        problems.append(f"[search] task = {search.get('task')!r} must be one of {', '.join(TASKS)}")
    if search.get("estimator") not in _ESTIMATORS:
        problems.append(
            f"[search] estimator = {search.get('estimator')!r} must be one of "
            f"{', '.join(_ESTIMATORS)}"
        )
    scoring = search.get("scoring")
    if scoring is not None and scoring not in get_scorer_names():
        problems.append(f"[search] scoring = {scoring!r} is not a scikit-learn scorer name")
    for key, default, low, expected in (
        ("n_splits", 5, 2, "an integer >= 2"),
        ("random_state", 0, 0, "a non-negative integer"),
        ("n_trials", 20, 1, "a positive integer"),
        ("heartbeat_interval", 60, 1, "a positive integer (seconds)"),
    ):
        value = search.get(key, default)
        if not _is_int(value) or value < low:
            problems.append(f"[search] {key} = {value!r} must be {expected}")
    if search.get("pruner", "median") not in _PRUNERS:
        problems.append(
            f"[search] pruner = {search.get('pruner')!r} must be one of {', '.join(_PRUNERS)}"
        )
    timeout = search.get("timeout")
    if timeout is not None and (not _is_number(timeout) or timeout <= 0):
        problems.append(f"[search] timeout = {timeout!r} must be a positive number of seconds")
    for key in ("storage", "study_name", "tracking"):
        if key in search and not isinstance(search[key], str):
            problems.append(f"[search] {key} = {search[key]!r} must be a string")


def _check_space(space, problems):
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if not isinstance(space, dict) or not space:
        problems.append("[space] is missing or empty: add one [space.<param>] table per parameter")
        return {}
    dists = {}
    for name, entry in space.items():
        where = f"[space.{name}]"
        if not isinstance(entry, dict):
            problems.append(f'{where} must be a table with type = "int" | "float" | "categorical"')
            continue
        kind = entry.get("type")
        if kind not in _SPACE_KEYS:
            problems.append(f'{where} type = {kind!r} must be "int", "float" or "categorical"')
            continue
        required, optional = _SPACE_KEYS[kind]
        missing = sorted(required - set(entry))
        unknown = sorted(set(entry) - required - optional)
        if missing:
            problems.append(f"{where} missing {', '.join(missing)} for type = {kind!r}")
        if unknown:
            problems.append(f"{where} unknown key(s) {', '.join(unknown)} for type = {kind!r}")
        if missing or unknown:
            continue
        try:
            if kind == "categorical":
                choices = entry["choices"]
                if not isinstance(choices, list) or not choices:
                    raise ValueError(f"choices = {choices!r} must be a non-empty list")
                dists[name] = CategoricalDistribution(choices)
            else:
                check = _is_int if kind == "int" else _is_number
                low, high = entry["low"], entry["high"]
                if not (check(low) and check(high)):
                    raise ValueError(f"low = {low!r} and high = {high!r} must be {kind}s")
                if low > high:
                    raise ValueError(f"low = {low!r} must be <= high = {high!r}")
                cls = IntDistribution if kind == "int" else FloatDistribution
                kwargs = {"log": bool(entry.get("log", False))}
                if "step" in entry:
                    kwargs["step"] = entry["step"]
                elif kind == "int":
                    kwargs["step"] = 1
                dists[name] = cls(low, high, **kwargs)
        except ValueError as exc:
            problems.append(f"{where} {exc}")
    return dists


def build_estimator(estimator, task, *, rate=50.0, random_state=0):
    """The named estimator of a search config, as a :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    estimator : {"acf_rf", "cnn", "acf_cnn"}
        Pipeline name.
    task : {"gender", "age"}
        Classification of sex or regression of age.
    rate : float, default=50.0
        Sampling rate of the windows (for lags and lengths in seconds).
    random_state : int, default=0
        Seed of the model.

    Returns
    -------
    pipeline : Pipeline
    """
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.pipeline import Pipeline

    from skgait.features import ACFTransformer
    from skgait.features._crop import WindowCrop

    classification = TASKS[task][1] == "classification"
    steps = [("crop", WindowCrop(rate=rate))]
    if estimator == "acf_rf":
        rf = RandomForestClassifier if classification else RandomForestRegressor
        steps += [
            ("acf", ACFTransformer(lags=10, rate=rate)),
            ("rf", rf(n_estimators=100, random_state=random_state)),
        ]
    else:
        from skgait.models import GaitCNNClassifier, GaitCNNRegressor

        if estimator == "acf_cnn":
            steps.append(("acf", ACFTransformer(lags=10, rate=rate, output="3d")))
        net = GaitCNNClassifier if classification else GaitCNNRegressor
        steps.append(("cnn", net(random_state=random_state)))
    return Pipeline(steps)


def validate_config(config, path="search.toml"):
    """Check a search config; return ``(estimator, distributions)`` or raise.

    Every problem is collected and reported at once in a
    :class:`ConfigError`, before any data is read.

    Parameters
    ----------
    config : dict
        Parsed TOML.
    path : str or path-like, default="search.toml"
        The file, for messages and for resolving ``windows``.

    Returns
    -------
    estimator : Pipeline
    param_distributions : dict
    """
    from sklearn.base import clone

    problems = []
    if not isinstance(config, dict):
        raise _error(path, ["the config must be a TOML table"])
    for key in sorted(set(config) - _SECTIONS):
        problems.append(f"unknown section [{key}]; allowed: [data], [search], [space.<param>]")
    data = config.get("data", {})
    search = config.get("search", {})
    if not isinstance(data, dict) or "data" not in config:
        problems.append("[data] section is missing")
        data = {}
    if not isinstance(search, dict) or "search" not in config:
        problems.append("[search] section is missing")
        search = {}
    _check_data(data, Path(path).parent, problems)
    _check_search(search, problems)
    dists = _check_space(config.get("space"), problems)
    estimator = None
    if search.get("task") in TASKS and search.get("estimator") in _ESTIMATORS:
        rs = search.get("random_state", 0)
        estimator = build_estimator(
            search["estimator"],
            search["task"],
            rate=float(data.get("rate", 50.0)),
            random_state=rs if _is_int(rs) else 0,
        )
        valid = sorted(k for k in estimator.get_params() if "__" in k)
        for name, dist in dists.items():
            value = dist.choices[0] if hasattr(dist, "choices") else dist.low
            try:
                clone(estimator).set_params(**{name: value})
            except (ValueError, TypeError, AttributeError):
                problems.append(
                    f"[space.{name}] is not a parameter of estimator "
                    f"{search['estimator']!r}; e.g. {', '.join(valid[:12])}, ..."
                )
    if problems:
        raise _error(path, problems)
    return estimator, dists


def load_data(config, path):
    """``(X, y, groups)`` named by the ``[data]`` section of a checked config."""
    import numpy as np

    data, search = config["data"], config["search"]
    column, _ = TASKS[search["task"]]
    if "windows" in data:
        file = Path(path).parent / data["windows"]
        with np.load(file, allow_pickle=False) as npz:
            missing = {"X", "y", "groups"} - set(npz.files)
            if missing:
                raise _error(
                    path, [f"[data] {file} lacks arrays {sorted(missing)} (needs X, y, groups)"]
                )
            return npz["X"], npz["y"], npz["groups"]
    from skgait import datasets

    loader = get_loader(data["dataset"])
    kwargs = {
        "placement": data["placement"],
        "rate": float(data.get("rate", 50.0)),
        "length": float(data.get("length", 2.56)),
        "overlap": float(data.get("overlap", 0.5)),
    }
    if "activity" in data:
        kwargs["activity"] = data["activity"]
    X, meta = datasets.make_windows(loader(), **kwargs)
    y = meta[column].to_numpy()
    if column == "age":
        y = y.astype(float)
    return X, y, meta["group"].to_numpy()
