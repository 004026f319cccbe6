"""What-if latency: from moving a risk-view slider to the repainted score and contribution chart.

    QT_QPA_PLATFORM=offscreen python bench/bench_whatif.py [--moves 200] [--runs 5] [--model prevent_cvd_10y]

Builds the synthetic demo store (3 patients) in a temporary folder, opens the risk view on demo-0001 through the
real session and runner, selects the model and then moves the systolic blood pressure slider back and forth.
Each move is timed from ``QSlider.setValue`` (what a drag does) until the view has repainted synchronously
(``QWidget.repaint``: score labels, what-if panel and pyqtgraph chart). Also printed, for comparison:
the core ``Registry.what_if`` call alone (with and without the Shapley explanation), and the same call sent
through the background runner (submit → worker → queued delivery on the GUI thread) — the path not taken.
Prints the median and 95th percentile of each run and the median over runs. Goal: ≤ 50 ms per move.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKSTATION_NO_KEYRING", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSPHRASE = "synthetic-demo-passphrase"


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _wait(signal, start) -> None:
    """Run ``start()`` and an event loop until ``signal`` fires (bench only; the app never blocks like this)."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    signal.connect(loop.quit)
    start()
    loop.exec()
    signal.disconnect(loop.quit)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--model", default="prevent_cvd_10y")
    ap.add_argument("--patient", default="demo-0001")
    args = ap.parse_args(argv)

    from PySide6.QtCore import QEventLoop

    from ui.app import configure, ensure_app
    from ui.runner import Runner
    from ui.session import Session
    from ui.settings_store import ephemeral
    from ui.views.risk_view import RiskView
    from workstation import vault
    from workstation.demo import build_demo_store

    app = ensure_app()
    with tempfile.TemporaryDirectory(prefix="ws-bench-whatif-") as d:
        path = Path(d) / "demo.duckdb"
        build_demo_store(path, PASSPHRASE, n_patients=3, kdf=vault.FAST_KDF).close()
        prefs = ephemeral()
        configure(app, prefs)
        runner = Runner()
        session = Session(runner)
        view = RiskView(session, prefs)
        view.resize(1200, 800)
        view.show()
        _wait(session.patients_loaded, lambda: session.unlock(path, passphrase=PASSPHRASE, use_keyring=False))
        _wait(view.loaded, lambda: session.open_patient(args.patient))
        view.select_model(args.model)
        score = view.bundle.score(args.model)
        if not score.ok or "sbp_mmhg" not in view.whatif.controls:
            print(f"{args.model} gives no result for {args.patient} ({score.refused}); choose another --model")
            return 1
        ctl = view.whatif.controls["sbp_mmhg"]
        reg, inputs = view.bundle.registry, view.bundle.inputs[args.model]
        lo, hi = ctl.slider.minimum(), ctl.slider.maximum()
        positions = [lo + (hi - lo) * (i % 40) // 40 for i in range(args.moves)]

        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
              f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
        print(f"model {args.model} for {args.patient}: recorded {view.value.text()}; "
              f"{args.moves} slider moves x {args.runs} runs")
        rows = {"slider -> repainted view": [], "slider -> handler done (no paint)": [],
                "core what_if + explanation": [], "core what_if, no explanation": [],
                "what_if through the runner": []}
        for _run in range(args.runs):
            t: dict[str, list[float]] = {k: [] for k in rows}
            for pos in positions:
                t0 = time.perf_counter()
                ctl.slider.setValue(pos)
                t1 = time.perf_counter()
                view.repaint()
                t2 = time.perf_counter()
                t["slider -> handler done (no paint)"].append((t1 - t0) * 1e3)
                t["slider -> repainted view"].append((t2 - t0) * 1e3)
            for pos in positions:
                sbp = lo + pos
                t0 = time.perf_counter()
                reg.what_if(args.model, inputs, {"sbp_mmhg": 90 + sbp % 90}, explain=True)
                t1 = time.perf_counter()
                reg.what_if(args.model, inputs, {"sbp_mmhg": 90 + sbp % 90})
                t2 = time.perf_counter()
                t["core what_if + explanation"].append((t1 - t0) * 1e3)
                t["core what_if, no explanation"].append((t2 - t1) * 1e3)
            for pos in positions[: max(20, args.moves // 4)]:
                loop = QEventLoop()
                t0 = time.perf_counter()
                runner.submit(reg.what_if, args.model, inputs, {"sbp_mmhg": 90 + pos % 90}, explain=True,
                              on_result=lambda _s: loop.quit())
                loop.exec()
                t["what_if through the runner"].append((time.perf_counter() - t0) * 1e3)
            for k, xs in t.items():
                rows[k].append((statistics.median(xs), _pct(xs, 0.95)))
        print(f"{'step':38s} {'median ms (runs)':>40s}   median of medians   worst p95")
        for k, runs in rows.items():
            meds = ", ".join(f"{m:.3f}" for m, _ in runs)
            print(f"{k:38s} {meds:>40s}   {statistics.median(m for m, _ in runs):10.3f} ms   "
                  f"{max(p for _, p in runs):8.3f} ms")
        print(f"last what-if shown: {view.whatif_value.text()}")
        view.close()
        session.lock()
        runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
