"""The ``skgait`` command line.

Each subcommand is a module of this package with ``add_arguments(parser)``
and ``run(args) -> int``; it is registered by adding its name and one line of
help to :data:`SUBCOMMANDS`. Only the module of the command being run is
imported, so ``skgait --help`` imports none of scikit-learn, pandas or
PyTorch::

    skgait datasets            # what the data home holds
    skgait grid [--config grid.toml]
    skgait report [--csv grid_results.csv]
"""

import argparse
import importlib
import os
import sys

__all__ = ["SUBCOMMANDS", "main"]

#: Subcommand module → one line of help, in ``--help`` order.
SUBCOMMANDS = {
    "datasets": "what the data home holds: subjects and minutes of walking per placement",
    "grid": "run a cross-dataset grid (train on one dataset, test on another)",
    "report": "tables and heatmaps of a finished grid (from MLflow or the CSV)",
    "search": "run one worker of an Optuna hyperparameter search (subject-wise CV)",
}

#: Exit status of a command whose output pipe was closed (128 + SIGPIPE).
EXIT_BROKEN_PIPE = 141


def _build_parser(argv):
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="skgait",
        description="Age and gender recognition from IMU gait: datasets, "
        "cross-dataset grids, reports.",
    )
    parser.add_argument("--version", action="version", version=f"skgait {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # The first word that is not an option names the command: only its module
    # is imported and only its arguments are declared.
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    for name, help_line in SUBCOMMANDS.items():
        command = sub.add_parser(
            name.replace("_", "-"),
            help=help_line,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name.replace("_", "-") == chosen:
            module = importlib.import_module(f"{__name__}.{name}")
            command.description = module.__doc__
            module.add_arguments(command)
            command.set_defaults(_run=module.run)
    return parser


def _silence_stdout():
    # The reader of our output has gone (``skgait ... | head``): send what is
    # still buffered nowhere, so that the interpreter's final flush does not
    # print a traceback.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv=None):
    """Run the ``skgait`` command line and return its exit status.

    Parameters
    ----------
    argv : list of str or None
        Arguments without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 when the work failed (``skgait datasets``: no
        dataset found), 2 for invalid arguments or configuration (a missing
        configuration file too), 130 when interrupted, 141 when the output
        pipe was closed (``skgait ... | head``).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # here, where a closed pipe can still be caught
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE


def _main(argv):
    parser = _build_parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 2
    from ..exceptions import ConfigError, TrackingError

    try:
        return int(args._run(args) or 0)
    except ConfigError as exc:
        print(f"skgait {args.command}: {exc}", file=sys.stderr)
        return 2
    except TrackingError as exc:
        print(f"skgait {args.command}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # not an error of the command: main() ends quietly
    except (OSError, ValueError) as exc:
        print(f"skgait {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"skgait {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
