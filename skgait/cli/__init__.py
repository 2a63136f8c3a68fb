"""The ``skgait`` command line.

Each subcommand is a module of this package with ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``; it is registered by
adding its module name to :data:`SUBCOMMANDS`::

    skgait datasets            # what the data home holds
    skgait grid [--config grid.toml]
    skgait report [--csv grid_results.csv]
"""

import argparse
import importlib
import sys

__all__ = ["SUBCOMMANDS", "main"]

#: Subcommand modules, in ``--help`` order; add one line per subcommand.
SUBCOMMANDS = [
    "datasets",
    "grid",
    "report",
    "search",
]


def _build_parser():
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="skgait",
        description="Age and gender recognition from IMU gait: datasets, "
        "cross-dataset grids, reports.",
    )
    parser.add_argument("--version", action="version", version=f"skgait {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        command = sub.add_parser(
            name.replace("_", "-"),
            help=module.HELP,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv=None):
    """Run the ``skgait`` command line and return its exit status.

    Parameters
    ----------
    argv : list of str or None
        Arguments without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 when the work failed, 2 for invalid arguments or
        configuration.
    """
    from ..experiments import ConfigError, TrackingError

    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except ConfigError as exc:
        print(f"skgait {args.command}: {exc}", file=sys.stderr)
        return 2
    except TrackingError as exc:
        print(f"skgait {args.command}: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"skgait {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"skgait {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
