"""Benchmark a whole genome in the store (issue 11). Prints numbers; asserts nothing.

    python bench/bench_genome.py [--records 5000000] [--runs 3] [--folder /tmp] [--modes ...]

Uses bench_import_vcf.py's whole-genome writer (BGZF, GATK-style records, the 1,202 PharmCAT positions merged in)
and measures, each in a fresh child process (peak RSS per measurement), round-robin over the runs:

  floor      DuckDB read_csv of the file into an in-memory table, nothing else (the comparator)
  import     import_vcf into a new encrypted store (incl. build check and coverage kind), peak RSS
  open       Store.profile(patient) on that stored genome (a reopened store: genotypes at the PGx and polygenic
             score positions by the SQL join, summary from provenance)
  pgx_store  from_store(...) + call_table(...) on the open store: the PGx join and all gene calls
  pgx_file   from_file(...) + call_table(...) on the VCF (``pgx --vcf``)

Goals (issue 11): import <= 1.5 x floor; open <= 150 ms; PGx from the store <= 100 ms; import peak <= 1.5 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_import_vcf import _peak_mb, child as floor_child, write_genome  # noqa: E402

PW = "bench passphrase long enough"


def child(mode: str, vcf: Path, work: Path, store_path: Path) -> dict:
    if mode == "floor":
        return floor_child("floor", vcf, work)
    from workstation import vault
    from workstation.store import Store
    if mode == "import":
        from workstation.ingest.vcf import import_vcf
        s = Store.create(work / "store.duckdb", PW, kdf=vault.FAST_KDF)
        t = time.perf_counter()
        r = import_vcf(s, vcf, patient_id="bench")
        secs = time.perf_counter() - t
        s.close()
        return {"seconds": secs, "rows": r.counts["variants"], "peak_rss_mb": _peak_mb()}
    from workstation.store.db import Unlock
    s = Store.open(store_path, Unlock(passphrase=PW), read_only=True)
    try:
        from workstation import pgx
        try:
            from workstation.genome.reader import from_file, from_store
        except ImportError:                               # the code before issue 11 (for the before numbers)
            from_file = from_store = None
        prof = s.profile("bench", audit_open=False)          # warm the process (imports, caches)
        if mode == "open":
            times = []
            for _ in range(5):
                t = time.perf_counter()
                p = s.profile("bench", audit_open=False)
                times.append(time.perf_counter() - t)
            return {"seconds": statistics.median(times), "runs": [round(x * 1000, 1) for x in times],
                    "genotype_rows": len(p.variants), "peak_rss_mb": _peak_mb()}
        if mode == "pgx_store":
            times = []
            for _ in range(5):
                t = time.perf_counter()
                r = pgx.call_table(from_store(s, "bench")) if hasattr(pgx, "call_table") else pgx.call_profile(prof)
                times.append(time.perf_counter() - t)
            return {"seconds": statistics.median(times), "runs": [round(x * 1000, 1) for x in times],
                    "called": sum(c.called for c in r.genes.values()), "peak_rss_mb": _peak_mb()}
        if mode == "pgx_file":
            t = time.perf_counter()
            r = pgx.call_table(from_file(vcf))
            return {"seconds": time.perf_counter() - t, "called": sum(c.called for c in r.genes.values()),
                    "peak_rss_mb": _peak_mb()}
    finally:
        s.close()
    raise ValueError(mode)


def run_child(mode: str, vcf: Path, folder: Path, store_path: Path) -> dict:
    with tempfile.TemporaryDirectory(dir=folder) as work:
        out = subprocess.run([sys.executable, __file__, "--child", mode, "--vcf", str(vcf), "--work", work,
                              "--store", str(store_path)], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--folder", default=tempfile.gettempdir())
    ap.add_argument("--modes", default="floor,import,open,pgx_store,pgx_file")
    ap.add_argument("--child")
    ap.add_argument("--vcf")
    ap.add_argument("--work")
    ap.add_argument("--store")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, Path(a.vcf), Path(a.work), Path(a.store))))
        return
    folder = Path(a.folder)
    vcf = folder / f"bench_genome_{a.records}.vcf.gz"
    if not vcf.exists():
        t = time.perf_counter()
        write_genome(vcf, a.records)
        print(f"wrote {vcf} ({vcf.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s")
    store_path = folder / f"bench_genome_{a.records}.duckdb"
    if not store_path.exists():                       # the stored genome that open / pgx_store read
        from workstation import vault
        from workstation.ingest.vcf import import_vcf
        from workstation.store import Store
        s = Store.create(store_path, PW, kdf=vault.FAST_KDF)
        import_vcf(s, vcf, patient_id="bench")
        s.close()
    import duckdb
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}")
    print(f"file: {vcf} ({vcf.stat().st_size / 1e6:.0f} MB BGZF), records requested {a.records:,}")
    modes = a.modes.split(",")
    runs: dict[str, list[dict]] = {m: [] for m in modes}
    for _ in range(a.runs):
        for mode in modes:
            runs[mode].append(run_child(mode, vcf, folder, store_path))
    res = {}
    for mode in modes:
        ok = [r for r in runs[mode] if "error" not in r]
        if not ok:
            print(f"{mode:10s} failed: {runs[mode][0].get('error') if runs[mode] else 'not run'}")
            continue
        med = statistics.median(r["seconds"] for r in ok)
        res[mode] = med
        extra = {k: v for k, v in ok[0].items() if k not in ("seconds", "peak_rss_mb")}
        print(f"{mode:10s} median {med * 1000:9.1f} ms over {len(ok)} run(s) "
              f"{[round(r['seconds'] * 1000, 1) for r in ok]}; peak RSS {max(r['peak_rss_mb'] for r in ok):,.0f} MB;"
              f" {extra}")
    if "import" in res and "floor" in res:
        print(f"import / floor = {res['import'] / res['floor']:.2f}  (goal <= 1.5)")


if __name__ == "__main__":
    main()
