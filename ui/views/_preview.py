"""Run one view alone on a fresh synthetic store: ``python -m ui.views.<name> [--smoke] [--patient N]``.

``--smoke`` quits as soon as the view has shown the first patient (exit code 0, prints ``ready``); the test suite
uses it to prove every view starts on its own. A view that reports a failure (its ``message`` signal, a runner
error or an unlock error) makes the run exit 1 with that sentence on stderr, even though it still emits ``loaded``. ``--screenshot FILE`` saves a 1600×1000 PNG of the view.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from ui.views._fixture import PASSPHRASE, build_fixture_store


class Harness:
    """A runner, a session and a store for one view (also used by tests and benchmarks)."""

    def __init__(self, folder: Path, **fixture_kw) -> None:
        from ui.runner import Runner
        from ui.session import Session
        from ui.settings_store import ephemeral

        self.path = folder / "preview.duckdb"
        if not self.path.exists():
            build_fixture_store(self.path, **fixture_kw)
        self.runner = Runner()
        self.session = Session(self.runner)
        self.prefs = ephemeral()

    def unlock(self, on_error=None) -> None:
        self.session.unlock(self.path, passphrase=PASSPHRASE, use_keyring=False, on_error=on_error)

    def close(self) -> None:
        self.session.lock()
        self.runner.shutdown()


def main(view_cls, argv: list[str] | None = None) -> int:
    from ui.app import configure, ensure_app

    ap = argparse.ArgumentParser(description=f"Run the {view_cls.__name__} alone on synthetic data.")
    ap.add_argument("--smoke", action="store_true", help="quit once the first patient is shown")
    ap.add_argument("--patient", type=int, default=0, help="index of the patient to open (default 0)")
    ap.add_argument("--screenshot", metavar="PNG", help="save a 1600x1000 screenshot and quit")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    app = ensure_app()
    with tempfile.TemporaryDirectory(prefix="ws-preview-") as d:
        h = Harness(Path(d), wear_days=90)
        configure(app, h.prefs)
        view = view_cls(h.session, h.prefs)
        view.setWindowTitle(f"{view_cls.__name__} — synthetic preview")
        view.resize(1600, 1000)
        view.show()
        h.session.patients_loaded.connect(lambda df: h.session.open_patient(str(df["id"].iloc[args.patient])))
        failed: list[str] = []

        def fail(text: str) -> None:
            failed.append(text)
            print(text, file=sys.stderr)
            app.exit(1)

        def ready() -> None:
            if failed:
                app.exit(1)
                return
            if args.screenshot:
                view.grab().save(args.screenshot)
            if args.smoke or args.screenshot:
                print("ready")
                QTimer.singleShot(0, app.quit)

        view.message.connect(fail)
        view.loaded.connect(ready)
        h.runner.error.connect(fail)
        h.unlock(on_error=fail)
        rc = app.exec()
        view.close()
        h.close()
    return 1 if failed else int(rc)
