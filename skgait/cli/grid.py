"""Run a cross-dataset grid (BioDeep's cross-testing tables, evaluated by
subject) and print its tables: rows = training dataset, columns = testing
dataset, the within-dataset score on the diagonal.

Without --config or --datasets, a built-in grid runs on the datasets found:
gender and age, ACF + random forest and the BioDeep CNN, HuGaDB right foot
<-> IPOL right foot and SisFall waist <-> IPOL waist (UMAFall waist when it
has enough subjects), protocols within, direct, fine_tune and scratch.
Flags override the configuration's values. Every cell is logged to MLflow
(default: sqlite:///mlflow.db in the working directory) and written to a
local CSV as it finishes; cells already finished are skipped unless
--recompute.

Every flag sets the configuration key and grid parameter of its name
(--n-splits is n_splits). Example grid.toml: see
`python -c "import skgait.experiments._config._grid as c; print(c.__doc__)"`.
"""

import contextlib
import copy
import time
from pathlib import Path

#: Flags whose value is the configuration key (and grid parameter) of their
#: name, set as given: ``--n-splits 3`` is ``n_splits = 3``.
_PLAIN = (
    "tasks",
    "protocols",
    "pairs",
    "max_windows_per_subject",
    "n_splits",
    "random_state",
    "n_jobs",
    "device",
    "tracking",
    "tracking_uri",
    "experiment",
    "results_path",
    "register_name",
    "recompute",
)


def add_arguments(parser):
    """The grid's flags: each sets the parameter of its name (``--n-splits`` is ``n_splits``)."""
    from ._common import add_metric_argument

    parser.add_argument("--config", help="TOML grid configuration")
    parser.add_argument(
        "--datasets",
        nargs="+",
        metavar="DATASET[:PLACEMENT]",
        help="entries, e.g. hugadb:right_foot ipol:right_foot",
    )
    parser.add_argument("--tasks", nargs="+", metavar="TASK", help="gender, age")
    parser.add_argument(
        "--estimators",
        nargs="+",
        metavar="NAME",
        help="estimators of the configuration to keep, or names of ESTIMATORS: "
        "acf_rf, acf_cnn, cnn, gait_pipeline",
    )
    parser.add_argument(
        "--protocols",
        nargs="+",
        metavar="PROTOCOL",
        help="within, leaky_window, direct, fine_tune, scratch",
    )
    parser.add_argument("--pairs", help="same_placement (default) or all")
    parser.add_argument("--max-windows-per-subject", type=int, metavar="N")
    parser.add_argument("--n-splits", type=int, metavar="K")
    parser.add_argument("--random-state", type=int)
    parser.add_argument("--n-jobs", type=int, help="cells in parallel (joblib)")
    parser.add_argument(
        "--device", help="device of every network: cpu, cuda, cuda:N or auto (CUDA when available)"
    )
    parser.add_argument("--data-home", help="default: $SKGAIT_DATA")
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run the cells on the Dask cluster whose scheduler is at ADDRESS "
        "(tcp://host:8786), through joblib's dask backend",
    )
    parser.add_argument("--tracking-uri", help="MLflow tracking URI (default sqlite:///mlflow.db)")
    parser.add_argument("--experiment", help="MLflow experiment name")
    parser.add_argument(
        "--no-tracking",
        dest="tracking",
        action="store_false",
        default=None,
        help="write the CSV only",
    )
    parser.add_argument(
        "--results-path", metavar="CSV", help="local CSV (default grid_results.csv)"
    )
    parser.add_argument(
        "--register-name",
        metavar="NAME",
        help="register logged models under NAME in the MLflow Model Registry "
        "(default skgait-<task>-<estimator>)",
    )
    parser.add_argument(
        "--log-models",
        nargs="*",
        metavar="PATTERN",
        help="log the fitted models of the cells matching these patterns (no pattern: every cell)",
    )
    parser.add_argument(
        "--recompute", action="store_true", default=None, help="recompute finished cells"
    )
    parser.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bar"
    )
    add_metric_argument(parser)


def _with_flags(raw, args):
    raw = copy.deepcopy(raw)
    if args.datasets:
        entries = []
        for text in args.datasets:
            name, _, placement = text.partition(":")
            entries.append({"dataset": name, **({"placement": placement} if placement else {})})
        raw["datasets"] = entries
    for key in _PLAIN:
        value = getattr(args, key)
        if value is not None:
            raw[key] = value
    if args.estimators:
        known = raw.get("estimators") or {}
        raw["estimators"] = {
            name: known[name] if isinstance(known, dict) and name in known else {"estimator": name}
            for name in args.estimators
        }
    if args.log_models is not None:
        raw["log_models"] = args.log_models or True
    return raw


@contextlib.contextmanager
def _cluster(address):
    """Cells on the Dask cluster at ``address`` (joblib's dask backend); None: here."""
    if address is None:
        yield
        return
    try:
        from distributed import Client
    except ImportError as exc:
        raise OSError(
            "--dask needs the distributed package: pip install 'dask[distributed]'."
        ) from exc
    from joblib import parallel_config

    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise OSError(f"no Dask scheduler answers at {address!r}: {exc}") from exc
    with client:
        workers = len(client.scheduler_info()["workers"])
        print(f"Dask: {address} ({workers} worker(s))", flush=True)
        with parallel_config(backend="dask"):
            yield


def run(args):
    from ..experiments import default_config, load_config, parse_config
    from ..experiments._entries import entry_specs
    from ..tracking import DEFAULT_TRACKING_URI
    from ._common import print_tables

    notes = []
    if args.config:
        config = load_config(args.config)
        raw, source = config.raw, config.source
    elif args.datasets:
        raw, source = {}, "command-line flags"
    else:
        config = default_config(data_home=args.data_home)
        raw, source, notes = config.raw, config.source, config.notes
    folder = Path(args.config).parent if args.config else None
    config = parse_config(_with_flags(raw, args), source=source, folder=folder)
    for note in notes:
        print(f"note: {note}")

    grid = config.to_grid(data_home=args.data_home, progress=args.progress)
    print(
        f"Grid from {source}: datasets {[label for label, *_ in entry_specs(grid.datasets)]}, "
        f"tasks {list(grid.tasks)}, estimators {list(grid.estimators)}, "
        f"protocols {list(grid.protocols)}",
        flush=True,
    )
    start = time.perf_counter()
    with _cluster(args.dask):
        results = grid.run()
    elapsed = time.perf_counter() - start
    print_tables(results, metric=args.metric)
    n_cached = int(results["cached"].sum())
    print(
        f"\n{len(results)} cells in {elapsed:.0f} s"
        + (
            f" ({n_cached} read back from earlier runs; --recompute to redo them)"
            if n_cached
            else ""
        )
    )
    if grid.results_path_ is not None:
        print(f"Table: {grid.results_path_}")
    if grid.tracking:
        uri = grid.tracking_uri or DEFAULT_TRACKING_URI
        if uri.startswith(("http://", "https://")):
            print(f"MLflow: open {uri} (experiment {grid.experiment!r}, run {grid.parent_run_id_})")
        else:
            print(
                f"MLflow: run `mlflow ui --backend-store-uri {uri}` and open "
                f"http://127.0.0.1:5000 (experiment {grid.experiment!r}, run "
                f"{grid.parent_run_id_})"
            )
    return 1 if (results["status"] != "FINISHED").any() else 0
