"""Benchmark the consult summary. Prints numbers; asserts nothing.

    python bench/bench_report.py [--runs 9]

Builds the 2-patient synthetic demo store (real files through the real importers) in a temp folder, then, per run,
for demo-0001 (FHIR + VCF + omics + wearables): ``build_report`` (profile load, PGx calls + guidance, every model
scored, content assembled) and ``write_report_pdf`` (QTextDocument laid out on QPdfWriter, four 300 dpi trend
plots), for the normal and the de-identified variant. Prints the median and max of each step. Goal: <= 1 s per
report (content + PDF).
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
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QGuiApplication  # noqa: E402

from ui.report_pdf import write_report_pdf  # noqa: E402
from workstation import vault  # noqa: E402
from workstation.demo import build_demo_store  # noqa: E402
from workstation.report import build_report  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841
    with tempfile.TemporaryDirectory(prefix="bench-report-") as d:
        t0 = time.perf_counter()
        store = build_demo_store(Path(d) / "demo.duckdb", "bench passphrase", n_patients=2, kdf=vault.FAST_KDF)
        print(f"demo store built in {time.perf_counter() - t0:.1f} s (not part of the report timing)")
        print(f"{platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}")
        try:
            for deid in (False, True):
                content_t, pdf_t, total_t, pages, size = [], [], [], 0, 0
                for i in range(args.runs + 1):          # the first run warms caches (tables, models) and is dropped
                    t1 = time.perf_counter()
                    content = build_report(store, "demo-0001", deidentify=deid)
                    t2 = time.perf_counter()
                    out = Path(d) / f"report-{int(deid)}-{i}.pdf"
                    pages = write_report_pdf(content, out)
                    t3 = time.perf_counter()
                    size = out.stat().st_size
                    if i == 0:
                        first = t3 - t1
                    else:
                        content_t.append(t2 - t1)
                        pdf_t.append(t3 - t2)
                        total_t.append(t3 - t1)
                label = "de-identified" if deid else "normal"
                print(f"{label:>13}: content median {statistics.median(content_t) * 1000:.0f} ms, "
                      f"PDF median {statistics.median(pdf_t) * 1000:.0f} ms, total median "
                      f"{statistics.median(total_t) * 1000:.0f} ms (max {max(total_t) * 1000:.0f} ms) over "
                      f"{len(total_t)} runs; first run {first * 1000:.0f} ms; {pages} page(s), {size / 1024:.0f} KiB")
        finally:
            store.close()


if __name__ == "__main__":
    main()
