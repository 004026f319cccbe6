"""Window benchmarks; prints numbers (goals in brackets). Run: ``QT_QPA_PLATFORM=offscreen python bench/bench_ui.py``.

1. cold start: a new Python process until the patient list of a 10,000-patient store is filled     [<= 1.5 s]
2. switching patients in that store: selection until the banner and every view show the patient   [<= 150 ms]
3. frame time while zooming a 525,600-point (one year, one per minute) heart-rate plot             [<= 16 ms]

The stores are synthetic (ui/views/_fixture.py) and cached in $TMPDIR/ws-bench-ui between runs. They use the fast
test KDF; a real store adds the argon2id unlock (~0.25 s, bench/bench_store.py) to the cold start.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKSTATION_NO_KEYRING", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = Path(tempfile.gettempdir()) / "ws-bench-ui"
BIG = CACHE / "10k" / "patients.duckdb"
YEAR = CACHE / "year" / "patients.duckdb"

COLD = r"""
import sys, time
t_start = float(sys.argv[1])
from pathlib import Path
from ui.app import configure, ensure_app
from ui.main_window import MainWindow
from ui.runner import Runner
from ui.session import Session
from ui.settings_store import ephemeral
from ui.views._fixture import PASSPHRASE
app = ensure_app(); prefs = ephemeral(); configure(app, prefs)
runner = Runner(); session = Session(runner)
win = MainWindow(session, prefs, store_path=Path(sys.argv[2])); win.show()
def loaded(df):
    print(f"{time.time() - t_start:.4f} {len(df)}"); app.quit()
session.patients_loaded.connect(loaded)
session.unlock(sys.argv[2], passphrase=PASSPHRASE, use_keyring=False)
app.exec(); win.close()
"""


def ensure_stores() -> None:
    from ui.views._fixture import build_fixture_store

    if not BIG.exists():
        print("building the 10,000-patient store (once)…", flush=True)
        build_fixture_store(BIG, n_patients=10_000, n_full=12, wear_days=30, n_variants=20_000)
    if not YEAR.exists():
        print("building the one-year wearable store (once)…", flush=True)
        build_fixture_store(YEAR, n_patients=1, n_full=1, wear_days=365, n_variants=100)


def bench_cold_start(runs: int = 5) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.time()
        r = subprocess.run([sys.executable, "-c", COLD, str(t0), str(BIG)], cwd=ROOT, capture_output=True, text=True,
                           timeout=120)
        secs, n = r.stdout.split()
        assert int(n) == 10_000, r.stderr
        out.append(float(secs))
    return out


class _Waiter:
    """Runs the event loop until every watched signal has fired once (bench only; connects each signal once)."""

    def __init__(self, signals) -> None:
        from PySide6.QtCore import QEventLoop

        self.loop = QEventLoop()
        self.pending: set[int] = set()
        for i, s in enumerate(signals):
            s.connect(lambda *_a, i=i: self._hit(i))
        self.n = len(signals)

    def _hit(self, i: int) -> None:
        self.pending.discard(i)
        if not self.pending and self.loop.isRunning():
            self.loop.quit()

    def arm(self) -> None:
        self.pending = set(range(self.n))

    def wait(self) -> None:
        if self.pending:
            self.loop.exec()


def _wait(app, signals) -> None:
    w = _Waiter(signals)
    w.arm()
    w.wait()


def bench_switch(rounds: int = 3) -> list[float]:
    from ui.app import configure, ensure_app
    from ui.main_window import MainWindow
    from ui.runner import Runner
    from ui.session import Session
    from ui.settings_store import ephemeral
    from ui.views._fixture import PASSPHRASE

    app = ensure_app()
    prefs = ephemeral()
    configure(app, prefs)
    runner = Runner()
    session = Session(runner)
    win = MainWindow(session, prefs, store_path=BIG)
    win.resize(1600, 1000)
    win.show()
    session.unlock(BIG, passphrase=PASSPHRASE, use_keyring=False)
    _wait(app, [session.patients_loaded])
    views = list(win.views.values())
    ids = [f"SYN-{i:05d}" for i in range(1, 13)] + [f"SYN-{i:05d}" for i in (500, 2500, 9999)]
    times = []
    waiter = _Waiter([v.loaded for v in views])
    for _ in range(rounds):
        for pid in ids:
            waiter.arm()
            t0 = time.perf_counter()
            win.patients.select(pid)
            waiter.wait()
            times.append((time.perf_counter() - t0) * 1000)
    win.close()
    return times[len(ids):]  # first round warms caches


def bench_zoom(steps: int = 60) -> list[float]:
    import numpy as np

    from ui.app import configure, ensure_app
    from ui.views._preview import Harness
    from ui.views.wearables import WearablesView

    app = ensure_app()
    h = Harness(YEAR.parent)
    h.path = YEAR
    configure(app, h.prefs)
    view = WearablesView(h.session, h.prefs)
    view.resize(1600, 1000)
    view.show()
    h.session.patients_loaded.connect(lambda df: h.session.open_patient(str(df["id"].iloc[0])))
    h.unlock()
    _wait(app, [view.loaded])
    assert view.points == 525_600, view.points
    t0, t1 = view.curve.xData[0], view.curve.xData[-1]
    vp = view.plot.viewport()
    frames = []
    widths = np.geomspace(t1 - t0, 3600 * 6, steps // 2)
    for w in list(widths) + list(widths[::-1]):
        mid = t0 + (t1 - t0) * 0.6
        view.plot.setXRange(mid - w / 2, mid + w / 2, padding=0)
        s = time.perf_counter()
        vp.repaint()                      # a synchronous paint of the plot at the new range
        frames.append((time.perf_counter() - s) * 1000)
    view.close()
    h.close()
    return frames


def main() -> None:
    ensure_stores()
    cold = bench_cold_start() if '--no-cold' not in sys.argv else [0.0]
    print(f"cold start to patient list (10,000 patients): median {statistics.median(cold):.2f} s "
          f"(runs: {', '.join(f'{c:.2f}' for c in cold)})  [goal <= 1.5 s]")
    sw = bench_switch()
    print(f"switch patient, banner + 6 views (10,000 patients): median {statistics.median(sw):.0f} ms, "
          f"p90 {statistics.quantiles(sw, n=10)[-1]:.0f} ms, max {max(sw):.0f} ms over {len(sw)}  [goal <= 150 ms]")
    fr = bench_zoom()
    print(f"zoom frame, 525,600-point heart rate: median {statistics.median(fr):.1f} ms, "
          f"p90 {statistics.quantiles(fr, n=10)[-1]:.1f} ms, max {max(fr):.1f} ms over {len(fr)}  [goal <= 16 ms]")


if __name__ == "__main__":
    main()
