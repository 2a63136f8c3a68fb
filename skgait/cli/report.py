"""Print the tables of a finished grid and write its heatmaps, read back
from MLflow (the latest finished grid of the experiment, or --run-id) or
from the local CSV (--csv)."""

import sys
from pathlib import Path


def add_arguments(parser):
    from ._common import add_metric_argument

    parser.add_argument("--csv", help="read this grid CSV instead of MLflow")
    parser.add_argument("--tracking-uri", help="MLflow tracking URI (default sqlite:///mlflow.db)")
    parser.add_argument("--experiment", default="skgait-cross-dataset", help="MLflow experiment")
    parser.add_argument("--run-id", help="parent run of the grid (default: the latest finished)")
    parser.add_argument("--output", default="grid_report", help="folder for the heatmap PNGs")
    add_metric_argument(parser)


def _sqlite_path(uri):
    prefix = "sqlite:///"
    return Path(uri[len(prefix) :]) if uri.startswith(prefix) else None


def run(args):
    from ..experiments import plot_heatmaps
    from ..tracking import DEFAULT_TRACKING_URI, read_grid_results, read_results_csv
    from ._common import print_tables

    if args.csv:
        if not Path(args.csv).is_file():
            raise FileNotFoundError(f"No grid CSV at {args.csv!r}.")
        results = read_results_csv(args.csv)
        print(f"Grid table: {args.csv}")
    else:
        uri = args.tracking_uri or DEFAULT_TRACKING_URI
        db = _sqlite_path(uri)
        if db is not None and not db.is_file():
            fallback = Path("grid_results.csv")
            if args.tracking_uri is None and fallback.is_file():
                print(f"No MLflow store at {db}; reading {fallback}.", file=sys.stderr)
                results = read_results_csv(fallback)
            else:
                raise FileNotFoundError(
                    f"No MLflow store at {str(db)!r}: run `skgait grid` first, or pass "
                    "--tracking-uri or --csv."
                )
        else:
            results = read_grid_results(uri, args.experiment, args.run_id)
            print(
                f"Grid read from MLflow {uri} (experiment {args.experiment!r}"
                + (f", run {args.run_id}" if args.run_id else ", latest finished grid")
                + ")"
            )
    print_tables(results, metric=args.metric)
    paths = plot_heatmaps(results, args.output)
    print("\nHeatmaps:")
    for path in paths:
        print(f"  {path}")
    return 0
