"""Grid configuration files (TOML), their validation, and the default grid.

A configuration is checked entirely before any data is loaded: every
problem is reported at once, each naming its key and value
(``estimators.acf_cnn.max_epochs = 'ten': ...``). Every key is the
:class:`~skgait.experiments.CrossDatasetGrid` parameter of the same name
(:data:`GRID_KEYS`); ``tasks``, ``n_splits``, ``random_state``,
``[windows]``, ``[[datasets]]`` and the tracking keys are written and
checked as in a search configuration (``skgait search``).

Example ``grid.toml``::

    tasks = ["gender", "age"]
    protocols = ["within", "direct", "fine_tune", "scratch"]
    pairs = "same_placement"        # or "all", or [["hugadb", "ipol"], ...]
    n_splits = 5
    random_state = 0
    max_windows_per_subject = 40
    n_jobs = 1
    n_threads = 1                   # threads per cell (PyTorch, numba, BLAS)
    device = "auto"                 # of every network: cpu, cuda, cuda:N, auto
    tracking = true                 # log to MLflow (the CSV is written either way)
    tracking_uri = "sqlite:///mlflow.db"
    experiment = "skgait-cross-dataset"
    results_path = "grid_results.csv"
    log_models = []
    register_name = "my-gait-models"  # Model Registry name (default skgait-<task>-<estimator>)
    recompute = false

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

    [estimators.acf_rf]
    estimator = "acf_rf"            # a name of ESTIMATORS: acf_rf, acf_cnn, cnn, gait_pipeline
    n_estimators = 100

    [estimators.acf_cnn]
    estimator = "acf_cnn"
    max_epochs = 10
    fine_tune_epochs = 2
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ...datasets import get_loader
from ...exceptions import ConfigError
from .._vocabulary import ESTIMATORS, PROTOCOLS, TASK_TARGETS, make_estimator
from ._checker import TRACKING_KEYS, ConfigChecker, is_int, is_number, read_toml

__all__ = [
    "GRID_KEYS",
    "GridConfig",
    "default_config",
    "load_config",
    "parse_config",
]

#: The keys of a grid configuration: parameters of CrossDatasetGrid.
GRID_KEYS = (
    "tasks",
    "protocols",
    "pairs",
    "n_splits",
    "random_state",
    "max_windows_per_subject",
    "n_jobs",
    "n_threads",
    "device",
    "windows",
    "datasets",
    "estimators",
    *TRACKING_KEYS,
)


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
        from .._grid import CrossDatasetGrid

        params = {**self.params, **overrides}
        datasets = params.pop("datasets")
        return CrossDatasetGrid(datasets, **params)


def parse_config(config, source="configuration", *, folder=None):
    """Validate a configuration dict (the parsed TOML) into a :class:`GridConfig`.

    Parameters
    ----------
    config : dict
        As read from TOML (see the module docstring for the keys).
    source : str
        Named in error messages.
    folder : path-like, optional
        The configuration file's folder: a ``directory`` entry of
        ``[[datasets]]`` is read relative to it (default: the working
        directory).

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
    c = ConfigChecker()
    if not isinstance(config, dict):
        raise ConfigError([f"<root> = {config!r}: expected a table."], source)
    c.unknown(config, set(GRID_KEYS))
    params = {"tasks": c.tasks(config)}
    params["protocols"] = c.names(
        "protocols",
        config.get("protocols", ["within", "direct", "fine_tune", "scratch"]),
        list(PROTOCOLS),
    )
    params["n_splits"] = c.n_splits(config)
    params["random_state"] = config.get("random_state", 0)
    c.seed("random_state", params["random_state"])
    if "max_windows_per_subject" in config:
        value = config["max_windows_per_subject"]
        if not is_int(value) or value < 1:
            c.error("max_windows_per_subject", value, "expected a positive integer.")
        params["max_windows_per_subject"] = value
    if "n_jobs" in config:
        value = config["n_jobs"]
        if not is_int(value) or value == 0:
            c.error("n_jobs", value, "expected a non-zero integer (-1 for every core).")
        params["n_jobs"] = value

    if "n_threads" in config:
        value = config["n_threads"]
        if not is_int(value) or value < 1:
            c.error("n_threads", value, "expected a positive integer.")
        params["n_threads"] = value

    if "device" in config:
        params["device"] = c.device("device", config["device"])

    if "windows" in config:
        params["windows"] = c.windows(config)
    entries = params["datasets"] = c.datasets(config, folder=folder)

    labels = []
    for e in entries:
        name = e.get("dataset") if "directory" not in e else Path(str(e["directory"])).name
        if isinstance(name, str):
            placement = e.get("placement")
            labels.append(e.get("label") or (f"{name}/{placement}" if placement else name))
    pairs = config.get("pairs", "same_placement")
    if isinstance(pairs, str):
        if pairs not in ("same_placement", "all"):
            c.error(
                "pairs", pairs, "expected 'same_placement', 'all' or a list of [source, target]."
            )
    elif isinstance(pairs, list):
        for i, pair in enumerate(pairs):
            if not (isinstance(pair, list) and len(pair) == 2):
                c.error(f"pairs[{i}]", pair, "expected [source, target].")
                continue
            for side in pair:
                if side not in labels:
                    c.error(
                        f"pairs[{i}]", pair, f"unknown dataset label {side!r}; labels are {labels}."
                    )
        pairs = [tuple(p) for p in pairs]
    else:
        c.error("pairs", pairs, "expected 'same_placement', 'all' or a list of [source, target].")
    params["pairs"] = pairs

    estimators = config.get(
        "estimators", {name: {"estimator": name} for name in ("acf_rf", "acf_cnn")}
    )
    params["estimators"] = {}
    if not isinstance(estimators, dict) or not estimators:
        c.error("estimators", estimators, "expected a table of named estimator tables.")
    else:
        tasks = params["tasks"] or list(TASK_TARGETS)
        for name, spec in estimators.items():
            key = f"estimators.{name}"
            if not isinstance(spec, dict):
                c.error(key, spec, "expected a table with estimator = one of ESTIMATORS.")
                continue
            if spec.get("estimator") not in ESTIMATORS:
                c.error(
                    f"{key}.estimator",
                    spec.get("estimator"),
                    f"unknown estimator; expected one of {', '.join(map(repr, ESTIMATORS))}.",
                )
                continue
            _check_estimator(c, key, spec, tasks)
            params["estimators"][name] = dict(spec)

    params.update(c.tracking(config))
    c.raise_errors(source)
    return GridConfig(params=params, source=source, raw=config)


def _check_estimator(c, key, spec, tasks):
    """Build the estimator for each task to catch bad parameters now."""
    params = {k: v for k, v in spec.items() if k != "estimator"}
    bad = list(_non_finite(params, key))
    for where, value in bad:
        c.error(where, value, "expected a finite number.")
    if bad:
        return
    seed = params.get("random_state")
    if seed is not None and not c.seed(f"{key}.random_state", seed):
        return
    lags = params.get("lags", 10)
    if not is_int(lags) or lags < 1:
        c.error(f"{key}.lags", lags, "expected a positive integer.")
        return
    for name in ("max_epochs", "fine_tune_epochs", "batch_size"):
        if name in params and (not is_int(params[name]) or params[name] < 1):
            c.error(f"{key}.{name}", params[name], "expected a positive integer.")
            return
    if "lr" in params and not (is_number(params["lr"]) and params["lr"] > 0):
        c.error(f"{key}.lr", params["lr"], "expected a finite positive number.")
        return
    for task in dict.fromkeys(tasks):
        try:
            final = make_estimator(spec["estimator"], task, **params).steps[-1][1]
        except (TypeError, ValueError) as exc:
            named = [n for n in params if f"'{n}'" in str(exc)]
            c.error(
                f"{key}.{named[0]}" if named else key,
                params.get(named[0]) if named else params,
                str(exc),
            )
            return
        validate = getattr(final, "_validate_params", None)
        if validate is not None:
            try:
                validate()
            except (TypeError, ValueError) as exc:
                named = [n for n in params if f"'{n}'" in str(exc)]
                where = f"{key}.{named[0]}" if named else key
                c.error(where, params.get(named[0]) if named else params, str(exc))
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
    ConfigError
        If ``path`` is not a file, the TOML is malformed or a key is invalid.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError([f"<file> = {str(path)!r}: file not found."], str(path))
    return parse_config(read_toml(path), source=str(path), folder=path.parent)


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
    10 CNN epochs from scratch and 2 for fine-tuning, cells in parallel on
    every core (``n_jobs = -1``), so that it finishes in about a minute on
    two cores. Entries whose data is missing or too small
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
    from ...datasets import make_windows

    notes, entries, loaded = [], [], {}
    for name, placement in BIODEEP_ENTRIES:
        label = f"{name}/{placement}"
        try:
            if name not in loaded:
                loaded[name] = get_loader(name)(data_home=data_home)
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
            notes.append(
                f"{e['dataset']}/{e['placement']} left out: no other dataset "
                "at that placement to transfer with."
            )
    config = {
        "tasks": ["gender", "age"],
        "protocols": ["within", "direct", "fine_tune", "scratch"],
        "pairs": "same_placement",
        "n_splits": n_splits,
        "random_state": 0,
        "max_windows_per_subject": 40,
        "n_jobs": -1,
        "windows": {"rate": 50.0, "length": 2.56, "overlap": 0.5},
        "datasets": kept,
        "estimators": {
            "acf_rf": {"estimator": "acf_rf", "n_estimators": 100},
            "acf_cnn": {
                "estimator": "acf_cnn",
                "max_epochs": 10,
                "fine_tune_epochs": 2,
                "batch_size": 32,
            },
        },
    }
    if not kept:
        raise ConfigError(
            [
                "datasets = []: no two datasets share a placement in the data home. "
                + " ".join(notes)
            ],
            "default configuration",
        )
    result = parse_config(config, source="default configuration")
    result.notes = notes
    return result
