"""``workstation selftest`` (and the packaged ``--self-test``): prove the installation works.

Prints versions and checks: encrypted DuckDB, onnxruntime, every model (hash-checked), the Qt platform plugin
(offscreen) and Qt's PDF writer. Exit 0 only if all pass. Uses synthetic data only.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("selftest", help="print versions and prove crypto, models and Qt work (exit 0 if all do)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_selftest)


def check_qt():
    from workstation.selftest import Check

    t0 = time.perf_counter()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import QMarginsF
        from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter

        app = QGuiApplication.instance() or QGuiApplication([sys.argv[0], "-platform",
                                                             os.environ["QT_QPA_PLATFORM"]])
        plat = app.platformName()
        qt = Check("Qt platform", True, f"PySide6 {pyside_version}, platform plugin '{plat}'",
                   time.perf_counter() - t0)
        t1 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="ws-selftest-") as d:
            out = Path(d) / "selftest.pdf"
            w = QPdfWriter(str(out))
            w.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait, QMarginsF(15, 15, 15, 15)))
            p = QPainter(w)
            p.drawText(100, 100, "workstation self-test")
            p.end()
            data = out.read_bytes()
            ok = data.startswith(b"%PDF") and len(data) > 500
        pdf = Check("PDF writer", ok, f"QPdfWriter wrote {len(data)} bytes" if ok else "no valid PDF written",
                    time.perf_counter() - t1)
        return [qt, pdf]
    except Exception as exc:
        return [Check("Qt platform", False, str(exc).splitlines()[0], time.perf_counter() - t0)]


def check_plots():
    """pyqtgraph (the plotting library every chart uses) imports against this Qt."""
    from workstation.selftest import Check

    t0 = time.perf_counter()
    try:
        import pyqtgraph

        return Check("plots", True, f"pyqtgraph {pyqtgraph.__version__}", time.perf_counter() - t0)
    except Exception as exc:
        return Check("plots", False, f"pyqtgraph does not load: {str(exc).splitlines()[0]}", time.perf_counter() - t0)


def cmd_selftest(args) -> int:
    from workstation.selftest import run_core_checks, versions

    t0 = time.perf_counter()
    vers = versions()
    checks = run_core_checks() + check_qt()
    try:
        import PySide6

        vers["pyside6"] = PySide6.__version__
    except ImportError:
        vers["pyside6"] = "missing"
    checks.append(check_plots())
    vers["pyqtgraph"] = checks[-1].detail.split()[1] if checks[-1].ok else "missing"
    ok = all(c.ok for c in checks)
    total = time.perf_counter() - t0
    if getattr(args, "json", False):
        print(json.dumps({"ok": ok, "versions": vers, "seconds": round(total, 3),
                          "checks": [c.__dict__ for c in checks]}, indent=2))
    else:
        print("Versions: " + ", ".join(f"{k} {v}" for k, v in vers.items()))
        for c in checks:
            print(f"  [{'PASS' if c.ok else 'FAIL'}] {c.name}: {c.detail} ({c.seconds * 1000:.0f} ms)")
        print(f"Self-test {'passed' if ok else 'FAILED'} in {total:.2f} s.")
    return 0 if ok else 1
