"""``skgait search``: run one worker of a (shared) hyperparameter search.

::

    skgait search --storage URL --study-name NAME --n-trials N --config search.toml

Each worker loads the data named in the config, builds the estimator and
runs ``n_trials`` trials of :class:`~skgait.model_selection.OptunaSearchCV`
on the study ``NAME`` in ``URL`` (created by the first worker, joined by the
others). Starting the command N times against the same PostgreSQL or MySQL
URL runs N workers in parallel; a SQLite file suits one machine and a few
workers.

While it runs, a line on stderr after each trial gives the trials done and
the best score so far (when stderr is a terminal, or with ``--progress``;
``--no-progress`` silences it). At the end the worker refits the study's
best configuration on all its data (``best_estimator_`` of the search) and,
when tracked (``tracking_uri`` or ``tracking = true``), logs it to the
search's MLflow run as the model ``model`` and registers it in the MLflow
Model Registry as a new version of ``register_name`` (default
``skgait-<task>-<estimator>``): load it with
``mlflow.pyfunc.load_model("models:/<name>/<version>")``. The summary puts
that configuration's out-of-fold score with a 95 % interval over subjects
beside the best score, and the majority (median) baseline.

``seed`` (``--seed``) seeds Optuna's sampler: one worker with a seed runs
the same trials every time (the model's own seed is ``random_state``).
Without it each worker draws its own start points; workers sharing a study
should not share a seed.

A killed worker does not leave its trial RUNNING for ever. On SIGTERM the
worker finishes the fold (for a network, the epoch) in progress, marks
the trial FAILED, queues it to run again and exits with status 143 (the
signal handler only records the request; the trial stops at that safe
point, so the signal cannot be lost in whatever code it interrupts). A
worker that dies without a word (SIGKILL, a lost machine) stops writing
the trial's heartbeat: after twice ``heartbeat_interval`` seconds, the next
worker to start a trial marks it FAILED and runs it again (once, with
:class:`~optuna.storages.RetryFailedTrialCallback`).

The config is TOML, checked completely before any data is loaded. It is
written as a grid configuration (``skgait grid``) for what the two share:
one task in ``tasks``, ``n_splits``, ``random_state``, ``[windows]``, one
``[[datasets]]`` entry and ``tracking_uri`` / ``experiment``, checked by the
same code with the same messages (every key is the Python parameter of the
same name); ``[search]`` and ``[space]`` are the search's own::

    tasks = ["gender"]         # one of "gender" (classification), "age" (regression)
    n_splits = 5
    random_state = 0
    tracking_uri = "sqlite:///mlflow.db"   # optional: without it, no MLflow run
    experiment = "skgait-search"

    [windows]
    rate = 50.0                # Hz
    length = 2.56              # s
    overlap = 0.5
    activity = "walking"

    [[datasets]]
    dataset = "sisfall"        # a dataset name (as in a grid; `skgait datasets`)
    placement = "waist"
    # or, instead of dataset and placement:
    # windows = "windows.npz"  # arrays X, y, groups (relative to this file)

    [search]
    estimator = "acf_rf"       # "acf_rf", "acf_cnn", "cnn" or "gait_pipeline" (as in a grid)
    scoring = "balanced_accuracy"
    pruner = "median"          # "median" or "none"
    n_trials = 20              # per worker
    heartbeat_interval = 60    # s; database storage only (see above)
    device = "auto"            # of the network: cpu, cuda, cuda:N, auto
    seed = 0                   # of the sampler (see above); default: none
    register_name = "sex-acf"  # MLflow Model Registry name of the refitted best
    # storage, study_name, timeout: as the options of the same names

    [space.acf__lags]
    type = "int"               # "int", "float" or "categorical"
    low = 2
    high = 40

    [space.rf__max_depth]
    type = "categorical"
    choices = [4, 8, 16]

A file of an earlier format, with a ``[data]`` or ``[tracking]`` table, or
``task``, ``n_splits``, ``random_state`` or ``tracking`` in ``[search]``,
is refused with a message saying where each key goes now.

Estimators (:data:`~skgait.experiments.ESTIMATORS`, the names a grid uses;
their step names are the prefixes of the space):
``acf_rf`` = ``crop`` (:class:`~skgait.features.WindowCrop`, off by
default) → ``acf`` (:class:`~skgait.ACFTransformer`, ``rate`` set, so float
lags are seconds) → ``rf`` (random forest); ``cnn`` = ``crop`` → ``cnn``
(:class:`~skgait.GaitCNNClassifier` / ``Regressor``); ``acf_cnn`` = ``crop``
→ ``acf`` (3-D output) → ``cnn``; ``gait_pipeline`` =
:func:`~skgait.pipelines.make_gait_pipeline` of the task.
"""

import argparse
import signal
import sys

__all__ = ["add_arguments", "main", "run"]


def _stop_on_sigterm(signum, frame):
    """Record SIGTERM; the search stops at its next safe point.

    Nothing is raised here: the handler may run inside any Python code,
    a finaliser included, where an exception would be ignored. (``run``
    imports the stop flag before it installs this handler.)
    """
    from ..model_selection._trials import STOP

    STOP.request(128 + signum)


def add_arguments(parser):
    """Add the arguments of ``skgait search`` to ``parser``."""
    parser.add_argument(
        "--config",
        required=True,
        help="TOML file: tasks, tracking_uri, [windows], [[datasets]], [search], [space.<param>]",
    )
    parser.add_argument(
        "--storage",
        help="study storage URL, e.g. sqlite:///search.db or "
        "postgresql+psycopg2://user@host/db (default: [search] storage)",
    )
    parser.add_argument("--study-name", help="study name (default: [search] study_name)")
    parser.add_argument(
        "--n-trials", type=int, help="trials run by this worker (default: [search] n_trials or 20)"
    )
    parser.add_argument(
        "--timeout", type=float, help="stop starting trials after this many seconds"
    )
    parser.add_argument(
        "--heartbeat-interval",
        type=int,
        metavar="SECONDS",
        help="seconds between a running trial's heartbeats; a trial of a "
        "killed worker is marked FAILED and retried once after twice this "
        "(default: [search] heartbeat_interval or 60)",
    )
    parser.add_argument(
        "--tracking-uri",
        help="MLflow tracking URI (default: the configuration's tracking_uri; none there, off)",
    )
    parser.add_argument(
        "--device",
        help="device of the network: cpu, cuda, cuda:N or auto (default: [search] device, "
        "else the estimator's own)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="seed of the sampler: one worker runs the same trials every time "
        "(default: [search] seed, else none)",
    )
    parser.add_argument(
        "--register-name",
        metavar="NAME",
        help="MLflow Model Registry name of the refitted best model "
        "(default: [search] register_name or skgait-<task>-<estimator>)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="a line on stderr after each trial: trials done, best so far "
        "(default: when stderr is a terminal)",
    )
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
    from ..exceptions import ConfigError
    from ..experiments import ConfigChecker, on_device
    from ..experiments._config import load_data, read_config, validate_config
    from ..experiments._config._search import KIND
    from ..model_selection._trials import STOP, StopRequested

    try:
        config = validate_config(read_config(args.config), args.config)
        search = config.search
        storage = args.storage or search.get("storage")
        study_name = args.study_name or search.get("study_name")
        n_trials = args.n_trials if args.n_trials is not None else search.get("n_trials", 20)
        heartbeat = (
            args.heartbeat_interval
            if args.heartbeat_interval is not None
            else search.get("heartbeat_interval", 60)
        )
        c = ConfigChecker()
        if not storage:
            c.error(
                "search.storage",
                storage,
                "no storage; pass --storage URL (e.g. sqlite:///search.db) or set it in [search].",
            )
        if not study_name:
            c.error(
                "search.study_name",
                study_name,
                "no study name; pass --study-name NAME or set it in [search].",
            )
        if not c.is_int(n_trials) or n_trials < 1:
            c.error("--n-trials", n_trials, "expected a positive integer.")
        if heartbeat < 1:
            c.error("--heartbeat-interval", heartbeat, "expected a positive integer (seconds).")
        seed = args.seed if args.seed is not None else search.get("seed")
        if args.seed is not None:
            c.seed("--seed", args.seed)
        estimator = config.estimator
        if args.device is not None:
            estimator = on_device(estimator, c.device("--device", args.device))
        c.raise_errors(args.config, KIND)
        X, y, groups = load_data(config)
    except ConfigError as exc:
        print(f"skgait search: {exc}", file=sys.stderr)
        return 2

    import optuna

    from skgait.model_selection import OptunaSearchCV
    from skgait.tracking import SearchTracker

    from ._summary import best_configuration_summary

    uri = args.tracking_uri or config.tracking
    tracker = None
    if uri:
        tracker = SearchTracker(
            uri,
            config.experiment or "skgait-search",
            register_name=args.register_name
            or search.get("register_name")
            or f"skgait-{config.task}-{search['estimator']}",
        )
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    pruner = (
        optuna.pruners.MedianPruner(n_startup_trials=5)
        if search.get("pruner", "median") == "median"
        else None
    )
    searcher = OptunaSearchCV(
        estimator,
        config.distributions,
        cv=config.n_splits,
        scoring=search.get("scoring"),
        n_trials=n_trials,
        timeout=args.timeout if args.timeout is not None else search.get("timeout"),
        pruner=pruner,
        storage=storage,
        study_name=study_name,
        heartbeat_interval=heartbeat,
        load_if_exists=True,
        # Without a seed, workers of one study draw their own start points.
        random_state=seed,
        refit=True,
        tracking=tracker,
        verbose=2 if args.verbose else int(progress),
    )
    STOP.clear()
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        searcher.fit(X, y, groups=groups)
    except StopRequested as exc:
        print(
            f"skgait search: terminated (SIGTERM); the trial in progress is marked "
            f"FAILED in study {study_name!r} and queued to run again.",
            file=sys.stderr,
        )
        return exc.code
    finally:
        signal.signal(signal.SIGTERM, previous)
        stopped = STOP.code
        STOP.clear()
    if stopped is not None:  # after the last trial's last safe point
        print("skgait search: terminated (SIGTERM) after its last trial.", file=sys.stderr)
        return stopped
    summary = searcher.pruning_summary_
    print(
        f"study {study_name!r}: {summary['n_trials']} trials "
        f"({summary['n_complete']} complete, {summary['n_pruned']} pruned, "
        f"{summary['n_failed']} failed); best {searcher.best_score_:.4f} "
        f"(mean over {searcher.n_splits_} folds) with {searcher.best_params_}"
    )
    print(best_configuration_summary(searcher, X, y, groups, random_state=config.random_state))
    version = getattr(tracker, "model_version", None)
    if version is not None:
        print(
            f"model refitted on all {len(y)} windows: registered as {version.name!r} "
            f"version {version.version} (models:/{version.name}/{version.version})"
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
        prog="skgait search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
