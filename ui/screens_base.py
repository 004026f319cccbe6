"""What the screenshot drivers (``ui.screens_care``, ``ui.screens_time``) share: one window at one size and theme,
unlocked with the synthetic demo passphrase, each PNG named ``<screen>-<suffix>.png``; a background error ends
the run with exit code 1. Subclasses implement ``listed()``: the patient list is loaded, take the screens."""
from __future__ import annotations

import sys
from pathlib import Path

PASSPHRASE = "synthetic-demo-passphrase"


class Shots:
    def __init__(self, app, win, session, out: Path, suffix: str) -> None:
        self.app, self.win, self.session, self.out, self.suffix = app, win, session, out, suffix
        self.saved: list[Path] = []
        session.runner.error.connect(lambda text: (print(f"error: {text}", file=sys.stderr), app.exit(1)))

    def save(self, name: str) -> None:
        path = self.out / f"{name}-{self.suffix}.png"
        self.win.grab().save(str(path))
        self.saved.append(path)
        print(path, flush=True)

    def start(self) -> None:
        self.session.patients_loaded.connect(self._listed)
        self.session.unlock(self.win.store_path, passphrase=PASSPHRASE, use_keyring=False)

    def _listed(self, _df) -> None:
        self.session.patients_loaded.disconnect(self._listed)
        self.listed()

    def listed(self) -> None:
        raise NotImplementedError
