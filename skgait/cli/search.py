"""``skgait search``: run one worker of a (shared) hyperparameter search.

::

    skgait search --storage URL --study-name NAME --n-trials N --config search.toml

Each worker loads the data named in the config, builds the estimator and
runs ``n_trials`` trials of :class:`~skgait.model_selection.OptunaSearchCV`
on the study ``NAME`` in ``URL`` (created by the first worker, joined by the
others). Starting the command N times against the same PostgreSQL or MySQL
URL runs N workers in parallel; a SQLite file suits one machine and a few
workers.

A killed worker does not leave its trial RUNNING for ever. On SIGTERM the
worker marks the trial in progress FAILED at once, queues it to run again
and exits with status 143. A worker that dies without a word (SIGKILL, a
lost machine) stops writing the trial's heartbeat: after twice
``heartbeat_interval`` seconds, the next worker to start a trial marks it
FAILED and runs it again (once, with
:class:`~optuna.storages.RetryFailedTrialCallback`).

The config is TOML, checked completely before any data is loaded::

    [data]
    dataset = "sisfall"        # a skgait loader (load_<dataset>), or
    # windows = "windows.npz"  # arrays X, y, groups (relative to this file)
    placement = "waist"
    rate = 50.0                # Hz
    length = 2.56              # s
    overlap = 0.5
    activity = "walking"       # optional

    [search]
    task = "gender"            # "gender" (classification) or "age" (regression)
    estimator = "acf_rf"       # "acf_rf", "cnn" or "acf_cnn"
    scoring = "balanced_accuracy"
    n_splits = 5
    random_state = 0
    pruner = "median"          # "median" or "none"
    heartbeat_interval = 60    # s; database storage only (see below)

    [space.acf__lags]
    type = "int"               # "int", "float" or "categorical"
    low = 2
    high = 40

    [space.rf__max_depth]
    type = "categorical"
    choices = [4, 8, 16]

Estimators (their step names are the prefixes of the space):
``acf_rf`` = ``crop`` (:class:`~skgait.features._crop.WindowCrop`, off by
default) → ``acf`` (:class:`~skgait.ACFTransformer`, ``rate`` set, so float
lags are seconds) → ``rf`` (random forest); ``cnn`` = ``crop`` → ``cnn``
(:class:`~skgait.GaitCNNClassifier` / ``Regressor``); ``acf_cnn`` = ``crop``
→ ``acf`` (3-D output) → ``cnn``.
"""

import argparse
import signal
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

__all__ = ["HELP", "ConfigError", "add_arguments", "build_estimator", "main", "read_config", "run",
           "validate_config"]

_SECTIONS = {"data", "search", "space"}
_DATA_KEYS = {"dataset", "windows", "placement", "rate", "length", "overlap", "activity"}
_SEARCH_KEYS = {
    "task", "estimator", "scoring", "n_splits", "random_state", "pruner",
    "n_trials", "timeout", "storage", "study_name", "tracking", "heartbeat_interval",
}
_TASKS = {"gender": ("sex", "classification"), "age": ("age", "regression")}
_ESTIMATORS = ("acf_rf", "cnn", "acf_cnn")
_PRUNERS = ("median", "none")
_SPACE_KEYS = {
    "int": ({"type", "low", "high"}, {"log", "step"}),
    "float": ({"type", "low", "high"}, {"log", "step"}),
    "categorical": ({"type", "choices"}, set()),
}


class ConfigError(ValueError):
    """A search config with one or more problems, all listed in the message."""

    def __init__(self, path, problems):
        self.path = path
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid search config {path}:\n{lines}")


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
        raise ConfigError(path, [f"file not found: {path}"])
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from exc


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _check_data(data, base, problems):
    for key in sorted(set(data) - _DATA_KEYS):
        problems.append(f"[data] unknown key {key!r}; allowed: {', '.join(sorted(_DATA_KEYS))}")
    if ("dataset" in data) == ("windows" in data):
        problems.append("[data] give exactly one of dataset = \"<name>\" or windows = \"<file.npz>\"")
    if "dataset" in data:
        from skgait import datasets

        name = data["dataset"]
        if not isinstance(name, str) or not hasattr(datasets, f"load_{name}"):
            known = sorted(n[5:] for n in dir(datasets) if n.startswith("load_"))
            problems.append(f"[data] dataset = {name!r} is not a skgait loader; known: {', '.join(known)}")
        if not isinstance(data.get("placement"), str):
            problems.append("[data] placement = \"<name>\" is required with dataset (e.g. \"waist\")")
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
    if search.get("task") not in _TASKS:
        problems.append(f"[search] task = {search.get('task')!r} must be one of {', '.join(_TASKS)}")
    if search.get("estimator") not in _ESTIMATORS:
        problems.append(
            f"[search] estimator = {search.get('estimator')!r} must be one of {', '.join(_ESTIMATORS)}"
        )
    scoring = search.get("scoring")
    if scoring is not None and scoring not in get_scorer_names():
        problems.append(f"[search] scoring = {scoring!r} is not a scikit-learn scorer name")
    n_splits = search.get("n_splits", 5)
    if not _is_int(n_splits) or n_splits < 2:
        problems.append(f"[search] n_splits = {n_splits!r} must be an integer >= 2")
    rs = search.get("random_state", 0)
    if not _is_int(rs) or rs < 0:
        problems.append(f"[search] random_state = {rs!r} must be a non-negative integer")
    if search.get("pruner", "median") not in _PRUNERS:
        problems.append(f"[search] pruner = {search.get('pruner')!r} must be one of {', '.join(_PRUNERS)}")
    n_trials = search.get("n_trials", 20)
    if not _is_int(n_trials) or n_trials < 1:
        problems.append(f"[search] n_trials = {n_trials!r} must be a positive integer")
    heartbeat = search.get("heartbeat_interval", 60)
    if not _is_int(heartbeat) or heartbeat < 1:
        problems.append(f"[search] heartbeat_interval = {heartbeat!r} must be a positive integer "
                        "(seconds)")
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
            problems.append(f"{where} must be a table with type = \"int\" | \"float\" | \"categorical\"")
            continue
        kind = entry.get("type")
        if kind not in _SPACE_KEYS:
            problems.append(f"{where} type = {kind!r} must be \"int\", \"float\" or \"categorical\"")
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

    classification = _TASKS[task][1] == "classification"
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
        raise ConfigError(path, ["the config must be a TOML table"])
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
    if search.get("task") in _TASKS and search.get("estimator") in _ESTIMATORS:
        rs = search.get("random_state", 0)
        estimator = build_estimator(
            search["estimator"], search["task"], rate=float(data.get("rate", 50.0)),
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
        raise ConfigError(path, problems)
    return estimator, dists


def _load_data(config, path):
    import numpy as np

    data, search = config["data"], config["search"]
    column, _ = _TASKS[search["task"]]
    if "windows" in data:
        file = Path(path).parent / data["windows"]
        with np.load(file, allow_pickle=False) as npz:
            missing = {"X", "y", "groups"} - set(npz.files)
            if missing:
                raise ConfigError(path, [f"[data] {file} lacks arrays {sorted(missing)} (needs X, y, groups)"])
            return npz["X"], npz["y"], npz["groups"]
    from skgait import datasets

    loader = getattr(datasets, f"load_{data['dataset']}")
    kwargs = {"placement": data["placement"], "rate": float(data.get("rate", 50.0)),
              "length": float(data.get("length", 2.56)), "overlap": float(data.get("overlap", 0.5))}
    if "activity" in data:
        kwargs["activity"] = data["activity"]
    X, meta = datasets.make_windows(loader(), **kwargs)
    y = meta[column].to_numpy()
    if column == "age":
        y = y.astype(float)
    return X, y, meta["group"].to_numpy()


HELP = "run one worker of an Optuna hyperparameter search (subject-wise CV)"


class _Terminated(SystemExit):
    """Raised in the worker by SIGTERM: the search fails its running trial, then stops."""


def _exit_on_sigterm(signum, frame):
    raise _Terminated(128 + signum)


def add_arguments(parser):
    """Add the arguments of ``skgait search`` to ``parser``."""
    parser.add_argument("--config", required=True,
                        help="TOML file: [data], [search], [space.<param>]")
    parser.add_argument("--storage", help="study storage URL, e.g. sqlite:///search.db or "
                        "postgresql+psycopg2://user@host/db (default: [search] storage)")
    parser.add_argument("--study-name", help="study name (default: [search] study_name)")
    parser.add_argument("--n-trials", type=int,
                        help="trials run by this worker (default: [search] n_trials or 20)")
    parser.add_argument("--timeout", type=float, help="stop starting trials after this many seconds")
    parser.add_argument("--heartbeat-interval", type=int, metavar="SECONDS",
                        help="seconds between a running trial's heartbeats; a trial of a "
                        "killed worker is marked FAILED and retried once after twice this "
                        "(default: [search] heartbeat_interval or 60)")
    parser.add_argument("--tracking", help="MLflow tracking URI (default: off)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Optuna's per-trial log")


def run(args):
    """Run one worker for parsed ``args``; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        From a parser set up by :func:`add_arguments`.

    Returns
    -------
    status : int
        0 on success, 2 for an invalid config or arguments, 143 when stopped
        by SIGTERM (the trial in progress is then FAILED and queued again).
    """
    try:
        config = read_config(args.config)
        estimator, dists = validate_config(config, args.config)
        search = config["search"]
        storage = args.storage or search.get("storage")
        study_name = args.study_name or search.get("study_name")
        n_trials = args.n_trials if args.n_trials is not None else search.get("n_trials", 20)
        problems = []
        if not storage:
            problems.append("no storage: pass --storage URL (e.g. sqlite:///search.db) or set [search] storage")
        if not study_name:
            problems.append("no study name: pass --study-name NAME or set [search] study_name")
        if not _is_int(n_trials) or n_trials < 1:
            problems.append(f"--n-trials {n_trials!r} must be a positive integer")
        heartbeat = (args.heartbeat_interval if args.heartbeat_interval is not None
                     else search.get("heartbeat_interval", 60))
        if heartbeat < 1:
            problems.append(f"--heartbeat-interval {heartbeat!r} must be a positive integer")
        if problems:
            raise ConfigError(args.config, problems)
    except ConfigError as exc:
        print(f"skgait search: {exc}", file=sys.stderr)
        return 2

    import optuna

    from skgait.model_selection import OptunaSearchCV

    try:
        X, y, groups = _load_data(config, args.config)
    except ConfigError as exc:
        print(f"skgait search: {exc}", file=sys.stderr)
        return 2
    pruner = (
        optuna.pruners.MedianPruner(n_startup_trials=5)
        if search.get("pruner", "median") == "median" else None
    )
    searcher = OptunaSearchCV(
        estimator,
        dists,
        cv=search.get("n_splits", 5),
        scoring=search.get("scoring"),
        n_trials=n_trials,
        timeout=args.timeout if args.timeout is not None else search.get("timeout"),
        pruner=pruner,
        storage=storage,
        study_name=study_name,
        heartbeat_interval=heartbeat,
        load_if_exists=True,
        # Workers of one study must not all draw the same random start points.
        random_state=None,
        refit=False,
        tracking=args.tracking or search.get("tracking"),
        verbose=int(args.verbose),
    )
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        searcher.fit(X, y, groups=groups)
    except _Terminated:
        print(f"skgait search: terminated (SIGTERM); the trial in progress is marked "
              f"FAILED in study {study_name!r} and queued to run again.", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)
    summary = searcher.pruning_summary_
    print(
        f"study {study_name!r}: {summary['n_trials']} trials "
        f"({summary['n_complete']} complete, {summary['n_pruned']} pruned, "
        f"{summary['n_failed']} failed); best {searcher.best_score_:.4f} "
        f"with {searcher.best_params_}"
    )
    return 0


def main(argv=None):
    """Run ``skgait search`` on its own (``python -m skgait.cli.search``).

    Parameters
    ----------
    argv : list of str or None
        Arguments after ``search``; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 for an invalid config or arguments.
    """
    parser = argparse.ArgumentParser(
        prog="skgait search", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
