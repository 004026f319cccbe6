"""The headless ``workstation`` commands. Never imports Qt (``gui`` and ``demo`` live in ``ui/launcher.py``).

Each command group is a module with ``register(subparsers)``; handlers are ``func(args) -> int``. User errors
(:class:`workstation.errors.WorkstationError`) are printed as one sentence on stderr with a non-zero exit code.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from workstation import __version__
from workstation.errors import WorkstationError
from workstation.progress import Cancelled

# Command modules under workstation.cli, in help order.
COMMAND_MODULES = [
    "store_cmds",
    "import_cmd",
    "pgx_cmd",
    "models_cmd",
    "exchange_cmd",
    "family_cmd",
    "batch_cmd",
]


def build_parser(extra_modules: list | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="Offline precision-medicine workstation. Without a command, opens the window.")
    parser.add_argument("--version", action="version", version=f"workstation {__version__}")
    parser.add_argument("--db", metavar="PATH", default=None,
                        help="patient store (default: patients.duckdb in your user data folder)")
    parser.add_argument("--passphrase-env", metavar="NAME", default=None,
                        help="read the recovery passphrase from the environment variable NAME (for automation)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"workstation.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"workstation.cli.{name}":
                continue  # command group not built yet
            raise
        mod.register(sub)
    for mod in extra_modules or []:
        mod.register(sub)
    return parser


def run(argv: list[str] | None = None, *, extra_modules: list | None = None) -> int:
    parser = build_parser(extra_modules)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except WorkstationError as exc:
        print(f"workstation: {exc}", file=sys.stderr)
        return exc.exit_code
    except Cancelled:
        print("workstation: cancelled; nothing was changed.", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("workstation: interrupted; nothing was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:   # output piped into e.g. `head`, which stopped reading: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


if __name__ == "__main__":
    main()
