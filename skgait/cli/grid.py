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

Example grid.toml: see `python -c "import skgait.experiments._config as c; print(c.__doc__)"`.
"""

import copy
import time
from pathlib import Path


def add_arguments(parser):
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
        help="estimators of the configuration to keep, or built-in types random_forest, cnn",
    )
    parser.add_argument(
        "--protocols",
        nargs="+",
        metavar="PROTOCOL",
        help="within, leaky, direct, fine_tune, scratch",
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
    parser.add_argument("--tracking-uri", help="MLflow tracking URI (default sqlite:///mlflow.db)")
    parser.add_argument("--experiment", help="MLflow experiment name")
    parser.add_argument("--no-tracking", action="store_true", help="write the CSV only")
    parser.add_argument("--results", metavar="CSV", help="local CSV (default grid_results.csv)")
    parser.add_argument(
        "--log-models",
        nargs="*",
        metavar="PATTERN",
        help="log the fitted models of the cells matching these patterns (no pattern: every cell)",
    )
    parser.add_argument("--recompute", action="store_true", help="recompute finished cells")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_metric_argument(parser)


def _with_flags(raw, args):
    raw = copy.deepcopy(raw)
    if args.datasets:
        entries = []
        for text in args.datasets:
            name, _, placement = text.partition(":")
            entries.append({"dataset": name, **({"placement": placement} if placement else {})})
        raw["datasets"] = entries
    for flag, key in (
        ("tasks", "tasks"),
        ("protocols", "protocols"),
        ("pairs", "pairs"),
        ("max_windows_per_subject", "max_windows_per_subject"),
        ("n_splits", "n_splits"),
        ("random_state", "random_state"),
        ("n_jobs", "n_jobs"),
        ("device", "device"),
    ):
        value = getattr(args, flag)
        if value is not None:
            raw[key] = value
    if args.estimators:
        known = raw.get("estimators") or {}
        raw["estimators"] = {
            name: known[name] if isinstance(known, dict) and name in known else {"type": name}
            for name in args.estimators
        }
    tracking = dict(raw.get("tracking") or {})
    for flag, key in (
        ("tracking_uri", "uri"),
        ("experiment", "experiment"),
        ("results", "results"),
    ):
        value = getattr(args, flag)
        if value is not None:
            tracking[key] = value
    if args.no_tracking:
        tracking["enabled"] = False
    if args.recompute:
        tracking["recompute"] = True
    if args.log_models is not None:
        tracking["log_models"] = args.log_models or True
    if tracking:
        raw["tracking"] = tracking
    return raw


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

    grid = config.to_grid(data_home=args.data_home, progress=not args.no_progress)
    print(
        f"Grid from {source}: datasets {[label for label, *_ in entry_specs(grid.datasets)]}, "
        f"tasks {list(grid.tasks)}, estimators {list(grid.estimators)}, "
        f"protocols {list(grid.protocols)}",
        flush=True,
    )
    start = time.perf_counter()
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
