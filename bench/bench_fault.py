"""Cost of the crash-safety and audit-anchor machinery (issue 17).

1. One audited write transaction (``store.audit``): the anchor computes the table counts and writes the vault header
   twice (pending before COMMIT, promoted after, each fsynced). Comparator: the same BEGIN / audit row / COMMIT on
   the same connection without the anchor (what the code did before).
2. ``Store.open`` of a store holding N variant rows: the open-time consistency check (orphan rows, anchor compare)
   against the bare attach + schema check.

Usage: python bench/bench_fault.py [--rows 2000000] [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation import vault  # noqa: E402
from workstation.store import Store, Unlock, anchor, audit, recovery  # noqa: E402

PW = "bench passphrase long"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    d = Path(tempfile.mkdtemp())
    db = d / "p.duckdb"
    s = Store.create(db, PW, kdf=vault.FAST_KDF)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES ('P1', 'Bench')")
        con.execute("INSERT INTO sources (id, patient_id, file_name, sha256, size_bytes, kind, importer, "
                    "importer_version) VALUES (nextval('source_seq'), 'P1', 'x.vcf', 'x', 1, 'vcf', 'vcf', '1')")
        sid = con.execute("SELECT max(id) FROM sources").fetchone()[0]
        con.execute(f"INSERT INTO variants (patient_id, source_id, chrom, pos, ref, alt, gt) SELECT 'P1', {sid}, "
                    f"'chr1', i, 'A', 'G', '0/1' FROM range({a.rows}) t(i)")
    with_anchor, without = [], []
    for _ in range(a.runs):
        for _ in range(20):
            t = time.perf_counter()
            s.audit("open_patient", patient_id="P1")
            with_anchor.append(time.perf_counter() - t)
            t = time.perf_counter()
            s.con.execute("BEGIN TRANSACTION")
            audit.append(s.con, "open_patient", patient_id="P1")
            s.con.execute("COMMIT")
            without.append(time.perf_counter() - t)
            s._save_anchor(state=anchor.current_state(s.con), pending=None, broken=None)  # keep the anchor true
    s.close()
    opens, checks, scans = [], [], []
    for _ in range(a.runs):
        t = time.perf_counter()
        s = Store.open(db, Unlock(passphrase=PW))
        opens.append(time.perf_counter() - t)
        t = time.perf_counter()
        anchor.current_state(s.con)            # what every open compares with the header
        checks.append(time.perf_counter() - t)
        t = time.perf_counter()
        recovery.orphan_report(s.con)          # the full orphan scan: audit verify, or an open after a crash
        scans.append(time.perf_counter() - t)
        s.close()
    m1, m0 = statistics.median(with_anchor) * 1e3, statistics.median(without) * 1e3
    print(f"audited one-row transaction: with anchor {m1:.2f} ms, without {m0:.2f} ms, ratio {m1 / m0:.2f} "
          f"(median of {len(with_anchor)})")
    o, c, sc = (statistics.median(x) * 1e3 for x in (opens, checks, scans))
    print(f"Store.open with {a.rows:,} variant rows: {o:.0f} ms, of which the anchor state {c:.1f} ms; the full "
          f"orphan scan (audit verify, or an open after a crash) {sc:.0f} ms (median of {a.runs})")


if __name__ == "__main__":
    main()
