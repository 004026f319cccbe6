"""``python -m ui.screenshots OUTDIR [--patients N]``: a 1600×1000 PNG of every screen, on a fresh demo store.

Builds the synthetic demo cohort in a temporary folder with :func:`workstation.demo.build_demo_store` (real demo
files through the real importers; fast key derivation, no keyring, no prompt), opens the main window, unlocks it
through the unlock dialog and saves, for demo patient demo-0001 (every data type): the unlock dialog, the patient
list, the banner with the overview, then every registered view. It then opens a second patient whose record has
recent values for the risk models and saves the risk view (recorded and with a what-if change) and the
pharmacogenomics view with a drug's evidence open. If the demo store cannot be built (an importer missing), it
falls back to the UI's synthetic fixture store and says so. Prints one line per PNG; exit code 0 when ≥ 10 saved.

Views in hidden tabs load when shown, so each tab is shot after its view's ``loaded`` signal, plus a short
single-shot timer for pyqtgraph to paint; nothing sleeps.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QPainter

W, H = 1600, 1000
PASSPHRASE = "synthetic-demo-passphrase"
FULL_PATIENT = "demo-0001"          # omics, wearables, genome, clinical record
RISK_PATIENT = "demo-0003"          # recent blood pressure, lipids and creatinine
SETTLE_MS = 150                     # one paint cycle for pyqtgraph after a tab change


def build_store(folder: Path, n_patients: int) -> tuple[Path, str, str, str | None]:
    """(store path, passphrase, patient for every screen, patient for the risk screens, or None)."""
    from workstation import vault

    path = folder / "demo-patients.duckdb"
    try:
        from workstation.demo import build_demo_store

        store = build_demo_store(path, PASSPHRASE, n_patients=n_patients, kdf=vault.FAST_KDF)
        store.close()
        return path, PASSPHRASE, FULL_PATIENT, RISK_PATIENT if n_patients >= 3 else None
    except Exception as exc:  # noqa: BLE001 - any failure of the demo build falls back to the UI fixture
        print(f"The demo store could not be built ({type(exc).__name__}: {exc}); using the UI's synthetic "
              "fixture store instead.", file=sys.stderr)
        from ui.views._fixture import PASSPHRASE as FIX_PW, build_fixture_store

        path = folder / "fixture.duckdb"
        build_fixture_store(path, wear_days=120)
        return path, FIX_PW, "SYN-00001", None


class Shooter:
    """Drives the window through the screens with signals and single-shot timers, saving a PNG at each step."""

    def __init__(self, app, win, session, out: Path, passphrase: str, patient: str, risk_patient: str | None):
        self.app, self.win, self.session, self.out = app, win, session, out
        self.passphrase, self.patient, self.risk_patient = passphrase, patient, risk_patient
        self.saved: list[Path] = []
        self.pending: set[str] = set()
        self.on_ready: Callable[[], None] | None = None
        for vid, view in win.views.items():
            view.loaded.connect(lambda v=vid: self._loaded(v))
        session.alerts_ready.connect(lambda _pid, _a: self._loaded("_alerts"))
        session.runner.error.connect(self._fail)
        self.failed: list[str] = []

    # -- plumbing ------------------------------------------------------------------------------------------------
    def _fail(self, text: str) -> None:
        self.failed.append(text)
        print(f"error: {text}", file=sys.stderr)

    def save(self, name: str, pixmap=None) -> None:
        path = self.out / f"{len(self.saved):02d}_{name}.png"
        (pixmap or self.win.grab()).save(str(path))
        self.saved.append(path)
        print(path, flush=True)

    def later(self, fn: Callable[[], None], ms: int = SETTLE_MS) -> None:
        QTimer.singleShot(ms, fn)

    def open_patient(self, pid: str, then: Callable[[], None]) -> None:
        """Select ``pid``; ``then`` runs once the visible view and the banner alerts have loaded."""
        from ui.alerts import available

        current = list(self.win.views)[self.win.tabs.currentIndex()]
        self.pending = {current} | ({"_alerts"} if available() else set())
        self.on_ready = then
        if not self.win.patients.select(pid):
            self._fail(f"patient {pid} is not in the store")
            self.app.exit(1)

    def _loaded(self, what: str) -> None:
        self.pending.discard(what)
        if not self.pending and self.on_ready is not None:
            fn, self.on_ready = self.on_ready, None
            self.later(fn)

    def tab(self, view_id: str) -> None:
        self.win.tabs.setCurrentIndex(list(self.win.views).index(view_id))

    def show_tab(self, view_id: str, then: Callable[[], None]) -> None:
        """Show a tab; hidden tabs load the open patient when shown, so wait for that view's ``loaded``."""
        view = self.win.views[view_id]
        if view.stale:
            self.pending = {view_id}
            self.on_ready = then
            self.tab(view_id)
        else:
            self.tab(view_id)
            self.later(then)

    # -- the screens ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        self.dialog = self.win.ask_unlock()
        self.later(self.shoot_unlock, 300)

    def shoot_unlock(self) -> None:
        dlg = self.dialog.grab()
        shot = self.win.grab()
        p = QPainter(shot)
        p.fillRect(shot.rect(), _dim())
        p.drawPixmap(QPoint((shot.width() - dlg.width()) // 2, (shot.height() - dlg.height()) // 3), dlg)
        p.end()
        self.save("unlock", shot)
        self.session.patients_loaded.connect(self._patients_loaded)
        self.dialog.passphrase.setText(self.passphrase)
        self.dialog.ok.click()

    def _patients_loaded(self, _df) -> None:
        self.session.patients_loaded.disconnect(self._patients_loaded)
        self.later(self.shoot_list)

    def shoot_list(self) -> None:
        self.save("patient_list")
        self.open_patient(self.patient, self.shoot_views)

    def shoot_views(self) -> None:
        order = ["overview"] + [v for v in ("risk", "pgx") if v in self.win.views] + \
                [v for v in self.win.views if v not in ("overview", "risk", "pgx")]
        names = {"overview": "banner_overview", "timeline": "labs_timeline", "pgx": "pharmacogenomics"}

        def step(i: int) -> None:
            if i > 0:
                self.save(names.get(order[i - 1], order[i - 1]))
            if i < len(order):
                self.show_tab(order[i], lambda: step(i + 1))
            else:
                self.later(self.second_patient)

        step(0)

    def second_patient(self) -> None:
        if self.risk_patient is None or "risk" not in self.win.views:
            self.finish()
            return
        self.tab("risk")
        self.open_patient(self.risk_patient, self.shoot_risk)

    def shoot_risk(self) -> None:
        risk = self.win.views["risk"]
        if risk.bundle is not None and any(s.model == "prevent_cvd_10y" for s in risk.bundle.scores):
            risk.select_model("prevent_cvd_10y")
        self.later(self._risk_recorded)

    def _risk_recorded(self) -> None:
        self.save(f"risk_{self.risk_patient}")
        risk = self.win.views["risk"]
        ctl = risk.whatif.controls.get("sbp_mmhg")
        if ctl is not None:
            ctl.set_value(120.0)
        statin = risk.whatif.controls.get("statin")
        if statin is not None:
            statin.setCurrentIndex(statin.findData(True))
        self.later(self._risk_whatif)

    def _risk_whatif(self) -> None:
        self.save(f"risk_whatif_{self.risk_patient}")
        if "pgx" in self.win.views:
            self.show_tab("pgx", self._pgx_all)
        else:
            self.finish()

    def _pgx_all(self) -> None:
        pgx = self.win.views["pgx"]
        pgx.mode.setCurrentIndex(pgx.mode.findData("all"))
        self.later(lambda: (self.save(f"pharmacogenomics_all_{self.risk_patient}"), self.finish()))

    def finish(self) -> None:
        self.app.exit(0 if not self.failed else 1)


def _dim():
    from PySide6.QtGui import QColor

    return QColor(20, 26, 36, 110)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Save a PNG of every screen on a fresh synthetic demo store.")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--patients", type=int, default=6, help="demo patients to build (default 6)")
    ap.add_argument("--theme", choices=["light", "dark"], default="light", help="colour theme (default light)")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # grabs need no screen; without one Qt aborts

    from ui.app import configure, ensure_app
    from ui.main_window import MainWindow
    from ui.runner import Runner
    from ui.session import Session
    from ui.settings_store import ephemeral

    app = ensure_app()
    with tempfile.TemporaryDirectory(prefix="ws-shots-") as d:
        path, passphrase, patient, risk_patient = build_store(Path(d), args.patients)
        prefs = ephemeral()
        prefs.set("appearance/theme", args.theme)
        configure(app, prefs)
        runner = Runner()
        session = Session(runner)
        win = MainWindow(session, prefs, store_path=path)
        win.resize(W, H)
        win.show()
        shooter = Shooter(app, win, session, args.outdir, passphrase, patient, risk_patient)
        QTimer.singleShot(0, shooter.start)
        rc = app.exec()
        win.close()
        runner.shutdown()
    n = len(shooter.saved)
    print(f"{n} screenshots in {args.outdir}")
    return 0 if rc == 0 and n >= 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
