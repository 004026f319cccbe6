"""The ``workstation`` console script: a thin launcher above both layers.

``gui`` (the default with no command) and ``demo`` start Qt; every other command runs ``workstation.cli`` and never
imports Qt, so headless commands stay fast and work without a display.
"""
from __future__ import annotations

import sys

GUI_COMMANDS = {"gui", "demo"}


class _GuiCommands:
    """Registers ``gui`` and ``demo`` in the CLI parser; their handlers import Qt only when run."""

    @staticmethod
    def register(sub) -> None:
        g = sub.add_parser("gui", help="open the workstation window (default)")
        g.set_defaults(func=_run_gui)
        d = sub.add_parser("demo", help="build (or reuse) the synthetic demo store and open it in the window")
        d.add_argument("--rebuild", action="store_true", help="delete and rebuild the demo store")
        d.add_argument("--patients", type=int, default=24, help="cohort size when building (default 24)")
        d.add_argument("--no-window", action="store_true", help="build the demo store and stop (no Qt)")
        d.set_defaults(func=_run_demo)


def _run_gui(args) -> int:
    from ui.app import run_gui

    return run_gui(args)


def _run_demo(args) -> int:
    from workstation.demo import ensure_demo_store

    info = ensure_demo_store(rebuild=args.rebuild, n_patients=args.patients)
    print(f"Demo store: {info.db_path} ({info.n_patients} synthetic patients; passphrase kept in "
          f"{info.passphrase_file}).")
    if args.no_window:
        return 0
    from ui.app import run_gui

    return run_gui(args, store_path=info.db_path, passphrase=info.passphrase)


def main(argv: list[str] | None = None) -> None:
    from workstation.cli import run

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in ([], ["--self-test"]) or argv == ["--selftest"]:
        argv = ["selftest"] if argv else ["gui"]
    elif not any(a in ("-h", "--help", "--version") for a in argv) and not _has_command(argv):
        argv = argv + ["gui"]
    from ui import report_cmd, selftest

    sys.exit(run(argv, extra_modules=[_GuiCommands, selftest, report_cmd]))


def _has_command(argv: list[str]) -> bool:
    skip = False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("--db", "--passphrase-env"):
            skip = True
            continue
        if a.startswith("--db=") or a.startswith("--passphrase-env="):
            continue
        if not a.startswith("-"):
            return True
    return False


if __name__ == "__main__":
    main()
