"""The ``handbp`` command: one module per subcommand.

Subcommands of handbp itself (NumPy only) live in this package. Packages that need
more, like ``verify`` (JAX), add theirs through the ``handbp.commands`` entry-point
group: each entry point names a function ``register(subparsers)``. handbp never imports
them by name, so ``handbp step`` runs without JAX installed.

Errors: a bad option is argparse's usage error (exit status 2). Input that cannot be used
(a ``ValueError`` or ``TypeError``, a broken or missing file) is one line,
``handbp <command>: error: ...``, and exit status 2; a failure of the system while
working (an ``OSError`` such as a folder that cannot be written, or running out of
memory) is one line and exit status 1. Anything else is a bug in handbp: one line that
says so, exit status 1, and the traceback only when the environment variable
``HANDBP_DEBUG`` is set to 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, entry_points, version

from handbp.cli import descent, equations, evaluate, step, train

DEBUG_VARIABLE = "HANDBP_DEBUG"
"""Set to 1 to see the traceback of an unexpected error."""

COMMANDS = (step, equations, train, evaluate, descent)
"""handbp's own subcommands, each a module with ``register(subparsers)``."""


def package_version() -> str:
    """handbp's version from the installed package metadata."""
    try:
        return version("handbp")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The ``handbp`` argument parser, with the commands of installed plugins."""
    parser = argparse.ArgumentParser(
        prog="handbp",
        description="Hand-derived backpropagation, one function per slide equation, "
        "proven against JAX autodiff.",
        epilog=f"Errors are one line; set {DEBUG_VARIABLE}=1 to see the traceback of an "
        "unexpected one.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    for plugin in sorted(entry_points(group="handbp.commands"), key=lambda ep: ep.name):
        plugin.load()(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``handbp`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    where = f"handbp {args.command}"
    try:
        return int(args.func(args))
    except BrokenPipeError:  # e.g. `handbp step | head`: the reader left, that is fine
        sys.stdout = open(os.devnull, "w")  # so that the flush at exit does not fail too
        return 0
    except KeyboardInterrupt:
        print(f"\n{where}: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError) as error:
        print(f"{where}: error: {error}", file=sys.stderr)
        return 2
    except (OSError, MemoryError) as error:
        message = str(error) or type(error).__name__
        if isinstance(error, MemoryError):
            message = f"out of memory ({message}); try smaller settings"
        print(f"{where}: error: {message}", file=sys.stderr)
        return 1
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE) == "1":
            traceback.print_exc()
        print(
            f"{where}: internal error: {type(error).__name__}: {error} (a bug in handbp; "
            f"run with {DEBUG_VARIABLE}=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
