"""Grid configuration files (TOML), their validation, and the default grid.

A configuration is checked entirely before any data is loaded: every
problem is reported at once, each naming its key and value
(``estimators.cnn.max_epochs = 'ten': ...``).

Example ``grid.toml``::

    tasks = ["gender", "age"]
    protocols = ["within", "direct", "fine_tune", "scratch"]
    pairs = "same_placement"        # or "all", or [["hugadb", "ipol"], ...]
    n_splits = 5
    random_state = 0
    max_windows_per_subject = 40
    n_jobs = 1
    n_threads = 1                   # threads per cell (PyTorch, numba, BLAS)

    [windows]
    rate = 50.0
    length = 2.56
    overlap = 0.5
    activity = "walking"
    channels = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]

    [[datasets]]
    dataset = "hugadb"
    placement = "right_foot"

    [[datasets]]
    dataset = "ipol"
    placement = "right_foot"
    label = "ipol/right_foot"      # optional, default "<dataset>/<placement>"

    [estimators.random_forest]
    type = "random_forest"
    n_estimators = 100

    [estimators.cnn]
    type = "cnn"
    max_epochs = 10
    fine_tune_epochs = 2

    [tracking]
    enabled = true
    uri = "sqlite:///mlflow.db"
    experiment = "skgait-cross-dataset"
    results = "grid_results.csv"
    log_models = []
    recompute = false
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..datasets import ACTIVITIES, CHANNELS, PLACEMENTS
from ._registry import DATASET_LOADERS, ESTIMATOR_TYPES, PROTOCOLS, TASKS, make_estimator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["ConfigError", "GridConfig", "default_config", "load_config", "parse_config"]


class ConfigError(ValueError):
    """A grid configuration is invalid; ``errors`` lists every problem.

    Attributes
    ----------
    errors : list of str
        One message per problem, each starting with ``key = value:``.
    """

    def __init__(self, errors, source="configuration"):
        self.errors = list(errors)
        self.source = source
        lines = "\n".join(f"  - {e}" for e in self.errors)
        super().__init__(f"Invalid grid {source} ({len(self.errors)} problem(s)):\n{lines}")


_TOP = {
    "tasks", "protocols", "pairs", "n_splits", "random_state", "max_windows_per_subject",
    "n_jobs", "n_threads", "windows", "datasets", "estimators", "tracking",
}
_WINDOWS = {"rate", "length", "overlap", "activity", "channels"}
_DATASET = {"dataset", "placement", "label"}
_TRACKING = {"enabled", "uri", "experiment", "results", "log_models", "recompute"}


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_number(v):
    """A finite real number (TOML also has ``inf`` and ``nan``)."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


#: Seeds NumPy accepts (``np.random.RandomState``): 0 to 2**32 - 1.
_MAX_SEED = 2**32 - 1


def _non_finite(value, key):
    """``(key, value)`` of every NaN or infinite float in a nested value."""
    if isinstance(value, float) and not math.isfinite(value):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _non_finite(v, f"{key}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _non_finite(v, f"{key}[{i}]")


class _Checker:
    def __init__(self):
        self.errors = []

    def error(self, key, value, message):
        self.errors.append(f"{key} = {value!r}: {message}")

    def unknown(self, table, allowed, prefix):
        for key in table:
            if key not in allowed:
                self.error(f"{prefix}{key}", table[key],
                           f"unknown key; expected one of {', '.join(sorted(allowed))}.")

    def names(self, key, value, allowed):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.error(key, value, "expected a non-empty list of names.")
            return None
        ok = True
        for i, v in enumerate(value):
            if v not in allowed:
                self.error(f"{key}[{i}]", v, f"unknown; expected one of {', '.join(map(repr, allowed))}.")
                ok = False
        return value if ok else None


@dataclass
class GridConfig:
    """A validated grid configuration.

    Attributes
    ----------
    params : dict
        Keyword arguments of :class:`CrossDatasetGrid`.
    notes : list of str
        What the default configuration left out and why.
    source : str
        Where it came from (a file name, ``"default configuration"``).
    raw : dict
        The configuration as written (TOML tables), to re-validate with
        changes (command-line flags).
    """

    params: dict
    notes: list = field(default_factory=list)
    source: str = "configuration"
    raw: dict = field(default_factory=dict)

    def to_grid(self, **overrides):
        """Build the :class:`CrossDatasetGrid`, with ``overrides`` on top."""
        from ._grid import CrossDatasetGrid

        params = {**self.params, **overrides}
        datasets = params.pop("datasets")
        return CrossDatasetGrid(datasets, **params)


def parse_config(config, source="configuration"):
    """Validate a configuration dict (the parsed TOML) into a :class:`GridConfig`.

    Parameters
    ----------
    config : dict
        As read from TOML (see the module docstring for the keys).
    source : str
        Named in error messages.

    Returns
    -------
    config : GridConfig

    Raises
    ------
    ConfigError
        Listing every invalid key with its value.

    Examples
    --------
    >>> from skgait.experiments import parse_config
    >>> cfg = parse_config({"datasets": [{"dataset": "hugadb", "placement": "right_foot"}],
    ...                     "tasks": ["gender"]})
    >>> cfg.params["tasks"]
    ['gender']
    """
    c = _Checker()
    if not isinstance(config, dict):
        raise ConfigError([f"<root> = {config!r}: expected a table."], source)
    c.unknown(config, _TOP, "")
    params = {}

    tasks = c.names("tasks", config.get("tasks", ["gender", "age"]), list(TASKS))
    params["tasks"] = tasks
    protocols = c.names("protocols", config.get("protocols", ["within", "direct", "fine_tune", "scratch"]),
                        list(PROTOCOLS))
    params["protocols"] = protocols

    value = config.get("n_splits", 5)
    if not _is_int(value) or value < 2:
        c.error("n_splits", value, "expected an integer >= 2.")
    params["n_splits"] = value
    value = config.get("random_state", 0)
    if not _is_int(value) or not 0 <= value <= _MAX_SEED:
        c.error("random_state", value, f"expected an integer seed in [0, {_MAX_SEED}] (NumPy's range).")
    params["random_state"] = value
    if "max_windows_per_subject" in config:
        value = config["max_windows_per_subject"]
        if not _is_int(value) or value < 1:
            c.error("max_windows_per_subject", value, "expected a positive integer.")
        params["max_windows_per_subject"] = value
    if "n_jobs" in config:
        value = config["n_jobs"]
        if not _is_int(value) or value == 0:
            c.error("n_jobs", value, "expected a non-zero integer (-1 for every core).")
        params["n_jobs"] = value

    if "n_threads" in config:
        value = config["n_threads"]
        if not _is_int(value) or value < 1:
            c.error("n_threads", value, "expected a positive integer.")
        params["n_threads"] = value

    windows = config.get("windows", {})
    if not isinstance(windows, dict):
        c.error("windows", windows, "expected a table.")
        windows = {}
    c.unknown(windows, _WINDOWS, "windows.")
    for key, check, message in (
        ("rate", lambda v: _is_number(v) and v > 0, "expected a finite positive number of Hz."),
        ("length", lambda v: _is_number(v) and v > 0,
         "expected a finite positive number of seconds."),
        ("overlap", lambda v: _is_number(v) and 0 <= v < 1, "expected a number in [0, 1)."),
        ("activity", lambda v: v in ACTIVITIES, f"expected one of {', '.join(ACTIVITIES)}."),
    ):
        if key in windows:
            if not check(windows[key]):
                c.error(f"windows.{key}", windows[key], message)
            params[key] = windows[key]
    if "channels" in windows:
        channels = c.names("windows.channels", windows["channels"], list(CHANNELS))
        if channels is not None:
            params["channels"] = tuple(channels)

    datasets = config.get("datasets")
    entries = []
    if not isinstance(datasets, list) or not datasets:
        c.error("datasets", datasets, "expected a non-empty array of tables "
                "([[datasets]] with dataset = ... and placement = ...).")
    else:
        for i, entry in enumerate(datasets):
            key = f"datasets[{i}]"
            if not isinstance(entry, dict):
                c.error(key, entry, "expected a table with dataset and placement.")
                continue
            c.unknown(entry, _DATASET, f"{key}.")
            name = entry.get("dataset")
            if name not in DATASET_LOADERS:
                c.error(f"{key}.dataset", name,
                        f"unknown dataset; expected one of {', '.join(map(repr, DATASET_LOADERS))}.")
            placement = entry.get("placement")
            if placement is not None and placement not in PLACEMENTS:
                c.error(f"{key}.placement", placement,
                        f"unknown placement; expected one of {', '.join(PLACEMENTS)}.")
            label = entry.get("label")
            if label is not None and not isinstance(label, str):
                c.error(f"{key}.label", label, "expected a string.")
            spec = {"dataset": name, "placement": placement}
            if label is not None:
                spec["label"] = label
            entries.append(spec)
    params["datasets"] = entries

    labels = [e.get("label") or (f"{e['dataset']}/{e['placement']}" if e["placement"] else e["dataset"])
              for e in entries if isinstance(e.get("dataset"), str)]
    pairs = config.get("pairs", "same_placement")
    if isinstance(pairs, str):
        if pairs not in ("same_placement", "all"):
            c.error("pairs", pairs, "expected 'same_placement', 'all' or a list of [source, target].")
    elif isinstance(pairs, list):
        for i, pair in enumerate(pairs):
            if not (isinstance(pair, list) and len(pair) == 2):
                c.error(f"pairs[{i}]", pair, "expected [source, target].")
                continue
            for side in pair:
                if side not in labels:
                    c.error(f"pairs[{i}]", pair, f"unknown dataset label {side!r}; labels are {labels}.")
        pairs = [tuple(p) for p in pairs]
    else:
        c.error("pairs", pairs, "expected 'same_placement', 'all' or a list of [source, target].")
    params["pairs"] = pairs

    estimators = config.get("estimators", {"random_forest": {"type": "random_forest"},
                                           "cnn": {"type": "cnn"}})
    params["estimators"] = {}
    if not isinstance(estimators, dict) or not estimators:
        c.error("estimators", estimators, "expected a table of named estimator tables.")
    else:
        for name, spec in estimators.items():
            key = f"estimators.{name}"
            if not isinstance(spec, dict):
                c.error(key, spec, "expected a table with type = 'random_forest' or 'cnn'.")
                continue
            type_ = spec.get("type")
            if type_ not in ESTIMATOR_TYPES:
                c.error(f"{key}.type", type_,
                        f"unknown estimator type; expected one of {', '.join(map(repr, ESTIMATOR_TYPES))}.")
                continue
            valid_tasks = [t for t in config.get("tasks", list(TASKS)) if t in TASKS] \
                if isinstance(config.get("tasks", []), list) else []
            _check_estimator(c, key, spec, valid_tasks or list(TASKS))
            params["estimators"][name] = dict(spec)

    tracking = config.get("tracking", {})
    if not isinstance(tracking, dict):
        c.error("tracking", tracking, "expected a table.")
        tracking = {}
    c.unknown(tracking, _TRACKING, "tracking.")
    for key, param, check, message in (
        ("enabled", "tracking", lambda v: isinstance(v, bool), "expected true or false."),
        ("uri", "tracking_uri", lambda v: isinstance(v, str) and v, "expected a tracking URI string."),
        ("experiment", "experiment", lambda v: isinstance(v, str) and v, "expected a name."),
        ("results", "results_path", lambda v: isinstance(v, str) and v, "expected a CSV path."),
        ("recompute", "recompute", lambda v: isinstance(v, bool), "expected true or false."),
        ("log_models", "log_models",
         lambda v: isinstance(v, bool) or (isinstance(v, list) and all(isinstance(p, str) for p in v)),
         "expected true, false or a list of cell-key patterns."),
    ):
        if key in tracking:
            if not check(tracking[key]):
                c.error(f"tracking.{key}", tracking[key], message)
            params[param] = tracking[key]

    if c.errors:
        raise ConfigError(c.errors, source)
    return GridConfig(params=params, source=source, raw=config)


def _check_estimator(c, key, spec, tasks):
    """Build the estimator for each task kind to catch bad parameters now."""
    params = {k: v for k, v in spec.items() if k != "type"}
    bad = list(_non_finite(params, key))
    for where, value in bad:
        c.error(where, value, "expected a finite number.")
    if bad:
        return
    seed = params.get("random_state")
    if seed is not None and not (_is_int(seed) and 0 <= seed <= _MAX_SEED):
        c.error(f"{key}.random_state", seed,
                f"expected an integer seed in [0, {_MAX_SEED}] (NumPy's range).")
        return
    lags = params.get("lags", 10)
    if not _is_int(lags) or lags < 1:
        c.error(f"{key}.lags", lags, "expected a positive integer.")
        return
    for kind in dict.fromkeys(TASKS[t][1] for t in tasks):
        estimator = make_estimator(spec["type"], kind, lags=lags)
        final = estimator.steps[-1][1]
        known = final.get_params(deep=False)
        for name, value in params.items():
            if name not in ("lags", "random_state") and name not in known and "__" not in name:
                c.error(f"{key}.{name}", value, f"unknown parameter of {type(final).__name__}.")
                return
        try:
            final.set_params(**{k: v for k, v in params.items() if k != "lags"})
        except (TypeError, ValueError) as exc:
            c.error(key, params, str(exc))
            return
        validate = getattr(final, "_validate_params", None)
        if validate is not None:
            try:
                validate()
            except (TypeError, ValueError) as exc:
                bad = [n for n in params if f"'{n}'" in str(exc)]
                where = f"{key}.{bad[0]}" if bad else key
                c.error(where, params.get(bad[0]) if bad else params, str(exc))
                return
        for name in ("max_epochs", "fine_tune_epochs", "batch_size"):
            if name in params and (not _is_int(params[name]) or params[name] < 1):
                c.error(f"{key}.{name}", params[name], "expected a positive integer.")
                return
        if "lr" in params and not (_is_number(params["lr"]) and params["lr"] > 0):
            c.error(f"{key}.lr", params["lr"], "expected a finite positive number.")
            return


def load_config(path):
    """Read and validate a TOML grid configuration.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    config : GridConfig

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ConfigError
        If the TOML is malformed or a key is invalid.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No grid configuration file at {str(path)!r}.")
    try:
        with open(path, "rb") as f:
            config = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"<toml> = {path.name!r}: {exc}"], str(path)) from exc
    return parse_config(config, source=str(path))


#: The BioDeep grid: (dataset, placement) entries, in table order.
BIODEEP_ENTRIES = (
    ("hugadb", "right_foot"),
    ("ipol", "right_foot"),
    ("sisfall", "waist"),
    ("ipol", "waist"),
    ("umafall", "waist"),
)


def default_config(data_home=None, n_splits=5):
    """The built-in grid: BioDeep's cross-testing on the datasets found.

    Gender and age; an ACF + random forest pipeline and the BioDeep CNN;
    HuGaDB right foot ↔ IPOL right foot and SisFall waist ↔ IPOL waist,
    UMAFall waist when it has enough walking subjects; protocols within,
    direct, fine_tune and scratch; at most 40 windows per subject, 100 trees,
    10 CNN epochs from scratch and 2 for fine-tuning, so that it finishes in
    a few minutes on two cores. Entries whose data is missing or too small
    are left out, with a note saying why.

    Parameters
    ----------
    data_home : str or None
        Where the datasets are looked for; None uses ``SKGAIT_DATA``.
    n_splits : int, default=5

    Returns
    -------
    config : GridConfig
        ``notes`` says which entries were left out.
    """
    from ..datasets import make_windows

    notes, entries, loaded = [], [], {}
    for name, placement in BIODEEP_ENTRIES:
        label = f"{name}/{placement}"
        try:
            if name not in loaded:
                loaded[name] = DATASET_LOADERS[name](data_home=data_home)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, meta = make_windows(loaded[name], placement=placement)
        except (OSError, ValueError) as exc:
            notes.append(f"{label} left out: {str(exc).splitlines()[0]}")
            continue
        n_subjects = meta["group"].nunique()
        n_sexes = meta["sex"].nunique()
        if n_subjects < n_splits or n_sexes < 2:
            notes.append(
                f"{label} left out: {n_subjects} subject(s) with walking windows "
                f"and {n_sexes} sex(es), fewer than {n_splits} subject-wise folds "
                "of two classes need."
            )
            continue
        entries.append({"dataset": name, "placement": placement})
    by_placement = {}
    for e in entries:
        by_placement.setdefault(e["placement"], []).append(e)
    kept = [e for e in entries if len(by_placement[e["placement"]]) > 1]
    for e in entries:
        if e not in kept:
            notes.append(f"{e['dataset']}/{e['placement']} left out: no other dataset "
                         "at that placement to transfer with.")
    config = {
        "tasks": ["gender", "age"],
        "protocols": ["within", "direct", "fine_tune", "scratch"],
        "pairs": "same_placement",
        "n_splits": n_splits,
        "random_state": 0,
        "max_windows_per_subject": 40,
        "windows": {"rate": 50.0, "length": 2.56, "overlap": 0.5},
        "datasets": kept,
        "estimators": {
            "random_forest": {"type": "random_forest", "n_estimators": 100},
            "cnn": {"type": "cnn", "max_epochs": 10, "fine_tune_epochs": 2, "batch_size": 32},
        },
    }
    if not kept:
        raise ConfigError(
            [f"datasets = []: no two datasets share a placement in the data home. {' '.join(notes)}"],
            "default configuration",
        )
    result = parse_config(config, source="default configuration")
    result.notes = notes
    return result
