"""The TOML configuration of ``skgait search``: reading, checking, and what it builds.

The format is described in :mod:`skgait.cli.search`: the keys a search
shares with a grid (``tasks``, ``n_splits``, ``random_state``,
``[windows]``, ``[[datasets]]``, ``tracking``, ``tracking_uri``,
``experiment``) are checked by the same
:class:`~skgait.experiments.ConfigChecker`, ``[search]`` and ``[space]`` here.
The estimator is named as in a grid (:data:`~skgait.experiments.ESTIMATORS`).
Every problem is collected and reported at once in a
:class:`~skgait.exceptions.ConfigError`, before any data is read.
"""

from dataclasses import dataclass
from pathlib import Path

from ...datasets import get_loader
from ...exceptions import ConfigError
from ...tracking import DEFAULT_TRACKING_URI
from .._vocabulary import ESTIMATORS, TASK_TARGETS, make_estimator, on_device
from .._windows import WindowSpec
from ._checker import ConfigChecker, read_toml

__all__ = ["KIND", "SEARCH_KEYS", "SearchConfig", "load_data", "read_config", "validate_config"]

KIND = "search config"
#: Tracking keys of a search (the grid's keys of the same names).
_TRACKING_KEYS = ("tracking", "tracking_uri", "experiment")
#: The top-level keys of a search configuration.
SEARCH_KEYS = (
    "tasks",
    "n_splits",
    "random_state",
    "windows",
    "datasets",
    *_TRACKING_KEYS,
    "search",
    "space",
)
_SEARCH_KEYS = {
    "estimator",
    "scoring",
    "pruner",
    "n_trials",
    "timeout",
    "storage",
    "study_name",
    "heartbeat_interval",
    "device",
    "seed",
    "register_name",
}
#: Keys of the first format's ``[search]`` table that moved, and how to write them now.
_MOVED = {
    "task": "tasks = [{value!r}] at the top level",
    "n_splits": "n_splits = {value!r} at the top level",
    "random_state": "random_state = {value!r} at the top level",
    "tracking": "tracking_uri = {value!r} at the top level",
}
_DATA_RENAMED = (
    "the [data] section was split, as in a grid: write rate, length, overlap and activity "
    'in [windows], and dataset and placement (or windows = "<file.npz>") in one '
    "[[datasets]] entry."
)
_PRUNERS = ("median", "none")
is_int, is_number = ConfigChecker.is_int, ConfigChecker.is_number
_SPACE_KEYS = {
    "int": ({"type", "low", "high"}, {"log", "step"}),
    "float": ({"type", "low", "high"}, {"log", "step"}),
    "categorical": ({"type", "choices"}, set()),
}


@dataclass
class SearchConfig:
    """A checked search configuration.

    Attributes
    ----------
    estimator : Pipeline
        From :func:`~skgait.experiments.make_estimator`.
    distributions : dict
        Parameter name → Optuna distribution, from ``[space]``.
    task : str
        The one task searched.
    n_splits, random_state : int
    windows : dict
        Keyword arguments of :func:`~skgait.datasets.make_windows` (the
        fields of a :class:`~skgait.experiments.WindowSpec`).
    dataset : dict
        The ``[[datasets]]`` entry: ``dataset`` and ``placement``, or
        ``windows`` (the path of an ``.npz`` file).
    tracking : str or None
        The MLflow tracking URI, None when the search is not tracked.
    experiment : str or None
        The MLflow experiment name.
    search : dict
        The ``[search]`` table as written.
    source : str
        The file, for messages.
    """

    estimator: object
    distributions: dict
    task: str
    n_splits: int
    random_state: int
    windows: dict
    dataset: dict
    tracking: object
    experiment: object
    search: dict
    source: str


def read_config(path):
    """Read a TOML search config; raise :class:`~skgait.exceptions.ConfigError` on bad TOML.

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
        raise ConfigError([f"<file> = {str(path)!r}: file not found."], str(path), KIND)
    return read_toml(path, kind=KIND)


def _check_search(c, search):
    from sklearn.metrics import get_scorer_names

    for key, value in search.items():
        if key in _MOVED:
            where = _MOVED[key].format(value=value)
            c.error(f"search.{key}", value, f"moved, as in a grid: write {where}.")
        elif key not in _SEARCH_KEYS:
            c.error(
                f"search.{key}",
                value,
                f"unknown key; expected one of {', '.join(sorted(_SEARCH_KEYS))}.",
            )
    if search.get("estimator") not in ESTIMATORS:
        c.error(
            "search.estimator",
            search.get("estimator"),
            f"expected one of {', '.join(map(repr, ESTIMATORS))}.",
        )
    scoring = search.get("scoring")
    if scoring is not None and scoring not in get_scorer_names():
        c.error("search.scoring", scoring, "not a scikit-learn scorer name.")
    for key, default, expected in (
        ("n_trials", 20, "expected a positive integer."),
        ("heartbeat_interval", 60, "expected a positive integer (seconds)."),
    ):
        value = search.get(key, default)
        if not is_int(value) or value < 1:
            c.error(f"search.{key}", value, expected)
    if search.get("pruner", "median") not in _PRUNERS:
        c.error(
            "search.pruner", search["pruner"], f"expected one of {', '.join(map(repr, _PRUNERS))}."
        )
    timeout = search.get("timeout")
    if timeout is not None and not (is_number(timeout) and timeout > 0):
        c.error("search.timeout", timeout, "expected a finite positive number of seconds.")
    for key in ("storage", "study_name"):
        if key in search and not isinstance(search[key], str):
            c.error(f"search.{key}", search[key], "expected a string.")
    if "device" in search:
        c.device("search.device", search["device"])
    if "seed" in search:
        c.seed("search.seed", search["seed"])
    name = search.get("register_name", "name")
    if not isinstance(name, str) or not name.strip():
        c.error("search.register_name", name, "expected a non-empty name.")


def _check_space(c, space):
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if not isinstance(space, dict) or not space:
        c.error("space", space, "missing or empty; add one [space.<param>] table per parameter.")
        return {}
    dists = {}
    for name, entry in space.items():
        where = f"space.{name}"
        if not isinstance(entry, dict):
            c.error(where, entry, 'expected a table with type = "int", "float" or "categorical".')
            continue
        kind = entry.get("type")
        if kind not in _SPACE_KEYS:
            c.error(f"{where}.type", kind, 'expected "int", "float" or "categorical".')
            continue
        required, optional = _SPACE_KEYS[kind]
        missing = sorted(required - set(entry))
        if missing:
            c.error(where, entry, f"missing {', '.join(missing)} for type = {kind!r}.")
        c.unknown({k: v for k, v in entry.items() if k != "type"}, required | optional, f"{where}.")
        if missing or set(entry) - required - optional:
            continue
        if kind == "categorical":
            choices = entry["choices"]
            if not isinstance(choices, list) or not choices:
                c.error(f"{where}.choices", choices, "expected a non-empty list.")
                continue
            dists[name] = CategoricalDistribution(choices)
            continue
        check = is_int if kind == "int" else is_number
        low, high = entry["low"], entry["high"]
        bad = [(k, v) for k, v in (("low", low), ("high", high)) if not check(v)]
        for key, value in bad:
            c.error(f"{where}.{key}", value, f"expected a{'n' if kind == 'int' else ''} {kind}.")
        if bad:
            continue
        if low > high:
            c.error(f"{where}.low", low, f"must be <= high = {high!r}.")
            continue
        cls = IntDistribution if kind == "int" else FloatDistribution
        kwargs = {"log": bool(entry.get("log", False))}
        if "step" in entry:
            kwargs["step"] = entry["step"]
        elif kind == "int":
            kwargs["step"] = 1
        try:
            dists[name] = cls(low, high, **kwargs)
        except ValueError as exc:
            c.error(where, entry, str(exc))
    return dists


def validate_config(config, path="search.toml"):
    """Check a search config (the parsed TOML) into a :class:`SearchConfig`.

    Every problem is collected and reported at once in a
    :class:`~skgait.exceptions.ConfigError`, before any data is read.

    Parameters
    ----------
    config : dict
        Parsed TOML.
    path : str or path-like, default="search.toml"
        The file, for messages and for resolving a ``windows`` file.

    Returns
    -------
    config : SearchConfig
    """
    from sklearn.base import clone

    c = ConfigChecker()
    if not isinstance(config, dict):
        raise ConfigError([f"<root> = {config!r}: expected a table."], str(path), KIND)
    if "data" in config:
        c.error("data", config["data"], _DATA_RENAMED)
    c.unknown({k: v for k, v in config.items() if k != "data"}, set(SEARCH_KEYS))
    tasks = c.tasks(config, default=None)
    if tasks is not None and len(tasks) != 1:
        c.error("tasks", tasks, "a search optimises one task; give one name.")
    n_splits = c.n_splits(config)
    random_state = config.get("random_state", 0)
    c.seed("random_state", random_state)
    windows = c.windows(config)
    datasets = c.datasets(config, files=Path(path).parent)
    if len(datasets) > 1:
        c.error("datasets", config["datasets"], "a search runs on one dataset; give one entry.")
    tracking = c.tracking(config, _TRACKING_KEYS)
    search = c.table(config, "search")
    _check_search(c, search)
    dists = _check_space(c, config.get("space"))
    estimator = None
    if tasks and len(tasks) == 1 and search.get("estimator") in ESTIMATORS:
        rate = windows.get("rate", WindowSpec.rate)
        estimator = make_estimator(
            search["estimator"],
            tasks[0],
            rate=float(rate) if is_number(rate) else WindowSpec.rate,
            random_state=random_state if is_int(random_state) else 0,
        )
        if isinstance(search.get("device"), str):
            estimator = on_device(estimator, search["device"])
        valid = sorted(k for k in estimator.get_params() if "__" in k)
        for name, dist in dists.items():
            value = dist.choices[0] if hasattr(dist, "choices") else dist.low
            try:
                clone(estimator).set_params(**{name: value})
            except (ValueError, TypeError, AttributeError):
                c.error(
                    f"space.{name}",
                    config["space"][name],
                    f"not a parameter of estimator {search['estimator']!r}; "
                    f"e.g. {', '.join(valid[:12])}, ...",
                )
    c.raise_errors(str(path), KIND)
    uri = None
    if tracking.get("tracking", "tracking_uri" in tracking):
        uri = tracking.get("tracking_uri", DEFAULT_TRACKING_URI)
    return SearchConfig(
        estimator=estimator,
        distributions=dists,
        task=tasks[0],
        n_splits=n_splits,
        random_state=random_state,
        windows=windows,
        dataset=datasets[0],
        tracking=uri,
        experiment=tracking.get("experiment"),
        search=search,
        source=str(path),
    )


def load_data(config):
    """``(X, y, groups)`` of the ``[[datasets]]`` entry of a :class:`SearchConfig`."""
    import numpy as np

    entry = config.dataset
    if "windows" in entry:
        file = entry["windows"]
        with np.load(file, allow_pickle=False) as npz:
            missing = {"X", "y", "groups"} - set(npz.files)
            if missing:
                raise ConfigError(
                    [
                        f"datasets[0].windows = {str(file)!r}: lacks arrays {sorted(missing)} "
                        "(needs X, y, groups)."
                    ],
                    config.source,
                    KIND,
                )
            return npz["X"], npz["y"], npz["groups"]
    from ... import datasets
    from .._entries import DirectoryEntry

    column, _ = TASK_TARGETS[config.task]
    if "directory" in entry:
        dataset = DirectoryEntry.from_spec(entry).load()
    else:
        dataset = get_loader(entry["dataset"])()
    X, meta = datasets.make_windows(dataset, placement=entry.get("placement"), **config.windows)
    y = meta[column].to_numpy()
    if column == "age":
        y = y.astype(float)
    return X, y, meta["group"].to_numpy()
