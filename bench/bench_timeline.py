"""Labs & timeline per patient, split into its two halves; prints numbers. Run:
``QT_QPA_PLATFORM=offscreen python bench/bench_timeline.py``.

For the 12 full patients of bench_ui's 10,000-patient synthetic store ($TMPDIR/ws-bench-ui, built by bench_ui.py
when missing): (1) the worker's load (``ui.views.timeline._load``: the core queries and assembly) and (2) the GUI
thread's part of a switch (the view's ``clear`` then ``_loaded`` with that data, and a synchronous repaint), each
as wall time and as this process's CPU time. CPU time is the steadier figure on a shared machine. The script uses
only names both the issue-18 tree and the tree before it have, so running it from an older checkout (with its own
store folder, ``TMPDIR=...``) gives the comparator. ``--rounds N`` (default 5).
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKSTATION_NO_KEYRING", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_ui import BIG, ensure_stores  # noqa: E402

IDS = [f"SYN-{i:05d}" for i in range(1, 13)]


class _Profile:
    def __init__(self, pid: str) -> None:
        self.id = pid


def main() -> None:
    rounds = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--rounds=")), 5)
    ensure_stores()
    from ui.app import configure, ensure_app
    from ui.runner import Runner
    from ui.session import Session
    from ui.settings_store import ephemeral
    from ui.views import timeline as view_mod
    from ui.views._fixture import PASSPHRASE
    from workstation.store import Store, Unlock

    app = ensure_app()
    prefs = ephemeral()
    configure(app, prefs)
    store = Store.open(BIG, Unlock(passphrase=PASSPHRASE))
    runner = Runner()
    view = view_mod.TimelineView(Session(runner), prefs)
    view.resize(1600, 900)
    view.show()
    load_w, load_c, draw_w, draw_c = [], [], [], []
    try:
        for r in range(rounds + 1):
            for pid in IDS:
                w0, c0 = time.perf_counter(), time.process_time()
                data = view_mod._load(store, pid)
                w1, c1 = time.perf_counter(), time.process_time()
                view.profile = _Profile(pid)
                view.clear()
                view._loaded(data)
                view.repaint()
                w2, c2 = time.perf_counter(), time.process_time()
                if r:                           # the first round warms caches and builds the plot items
                    load_w.append((w1 - w0) * 1000)
                    load_c.append((c1 - c0) * 1000)
                    draw_w.append((w2 - w1) * 1000)
                    draw_c.append((c2 - c1) * 1000)
    finally:
        view.profile = None
        view.clear()
        view.close()
        runner.shutdown()
        store.close()

    def med(xs: list[float]) -> str:
        return f"{statistics.median(xs):.1f} ms"

    print(f"timeline load (worker): wall {med(load_w)}, CPU {med(load_c)}; "
          f"GUI part of a switch (clear, draw, repaint): wall {med(draw_w)}, CPU {med(draw_c)}; "
          f"n={len(load_w)} ({len(IDS)} patients x {rounds} rounds)")


if __name__ == "__main__":
    main()
