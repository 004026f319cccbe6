"""``python -m ui.screens_time OUTDIR [--size 1600x1000] [--theme light|dark] [--store DIR]``: screenshots of the
time views on the synthetic demo (patient demo-0001, who takes warfarin, has omics and a year of wearables).

Saves ``timeline-medicine-start-<size>-<theme>.png`` (Labs & timeline with day zero at the start of warfarin: the
combined timeline, and the lab tracks with their reference bands, eGFR below its range), and
``wearables-day-…`` and ``wearables-month-…`` (one day of minute samples; a month of per-day summaries with
resting heart rate and timeline annotations). ``--store DIR`` keeps the demo store there between runs (built once,
fast key derivation). Driven by signals and single-shot timers; nothing sleeps.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from ui.screens_base import PASSPHRASE, Shots
PATIENT = "demo-0001"
MEDICINE = "warfarin"
SETTLE_MS = 200


def demo_store(folder: Path) -> Path:
    from workstation import vault
    from workstation.demo import build_demo_store

    path = folder / "demo-patients.duckdb"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        build_demo_store(path, PASSPHRASE, n_patients=2, kdf=vault.FAST_KDF).close()
    return path


class TimeShots(Shots):
    def listed(self) -> None:
        tl = self.win.views["timeline"]
        tl.loaded.connect(self._timeline_loaded)
        self.win.tabs.setCurrentWidget(tl)
        self.win.patients.select(PATIENT)

    def _timeline_loaded(self) -> None:
        tl = self.win.views["timeline"]
        tl.loaded.disconnect(self._timeline_loaded)
        if not tl.set_day_zero("medication", MEDICINE):
            print(f"no {MEDICINE} start for {PATIENT}", file=sys.stderr)
        QTimer.singleShot(SETTLE_MS, self._shoot_timeline)

    def _shoot_timeline(self) -> None:
        tl = self.win.views["timeline"]
        lanes = tl._lanes
        row = next((r for r in lanes.rows if MEDICINE in r.text.lower()), None) if lanes is not None else None
        egfr = next((t for t in tl._bound if t.track.code == "33914-3"), None)
        if row is not None and egfr is not None:      # a read-out as a user pointing at the lanes would see
            x = float(egfr.curve.xData[-1])
            tl.read_at(x, row.y, lanes.p)
        self.save("timeline-medicine-start")
        we = self.win.views["wearables"]
        we.loaded.connect(self._wearables_loaded)
        self.win.tabs.setCurrentWidget(we)

    def _wearables_loaded(self) -> None:
        we = self.win.views["wearables"]
        we.loaded.disconnect(self._wearables_loaded)
        we.scale_buttons["day"].click()
        QTimer.singleShot(SETTLE_MS, self._shoot_day)

    def _shoot_day(self) -> None:
        self.save("wearables-day")
        we = self.win.views["wearables"]
        we.scale_buttons["month"].click()
        if we.data is not None and we.data.annotations:      # the month around the latest annotated event
            we.show_scale("month", end=we.data.annotations[-1].t + 12 * 86400)
        QTimer.singleShot(SETTLE_MS, self._shoot_month)

    def _shoot_month(self) -> None:
        self.save("wearables-month")
        self.app.exit(0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Screenshots of the timeline and wearables views on the demo.")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--size", default="1600x1000", help="window size WxH (default 1600x1000)")
    ap.add_argument("--theme", choices=["light", "dark"], default="light")
    ap.add_argument("--store", type=Path, help="folder to keep the demo store in between runs")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    args.outdir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from ui.app import configure, ensure_app
    from ui.main_window import MainWindow
    from ui.runner import Runner
    from ui.session import Session
    from ui.settings_store import ephemeral

    app = ensure_app()
    with tempfile.TemporaryDirectory(prefix="ws-time-shots-") as d:
        path = demo_store(args.store or Path(d))
        prefs = ephemeral()
        prefs.set("appearance/theme", args.theme)
        configure(app, prefs)
        runner = Runner()
        session = Session(runner)
        win = MainWindow(session, prefs, store_path=path)
        win.resize(w, h)
        win.show()
        shots = TimeShots(app, win, session, args.outdir, f"{w}x{h}-{args.theme}")
        QTimer.singleShot(0, shots.start)
        rc = app.exec()
        win.close()
        runner.shutdown()
    return 0 if rc == 0 and len(shots.saved) == 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
