"""Benchmark: Apple Health export import (records/second), Synthea FHIR bundles, the demo wearable CSVs.

Run: ``python bench/bench_import_health.py [--records 1000000]``. Writes its inputs under /tmp (a synthetic
export.xml with heart rate, steps, HRV, sleep and blood-pressure correlations) and prints the numbers; the
Synthea timings need ../shared/data (skipped when absent). Prints peak resident memory so bounded memory shows.
"""
from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation import vault  # noqa: E402
from workstation.ingest import import_file  # noqa: E402
from workstation.store import Store  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "fhir_r4_synthea"


def write_export(path: Path, n: int) -> None:
    rnd = random.Random(1)
    t0 = datetime(2023, 1, 1)
    fmt = "%Y-%m-%d %H:%M:%S -0500"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!ATTLIST Broken\n  x CDATA\n]>\n'
                 '<HealthData locale="en_US">\n <ExportDate value="2024-01-01 00:00:00 -0500"/>\n')
        i = 0
        while i < n:
            t = t0 + timedelta(minutes=i // 2)
            s, e = t.strftime(fmt), (t + timedelta(seconds=59)).strftime(fmt)
            k = i % 1000
            if k == 0:
                fh.write(f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" '
                         f'startDate="{s}" endDate="{s}">\n'
                         f'  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" '
                         f'unit="mmHg" startDate="{s}" endDate="{s}" value="{rnd.randint(110, 140)}"/>\n'
                         f'  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" '
                         f'unit="mmHg" startDate="{s}" endDate="{s}" value="{rnd.randint(70, 90)}"/>\n'
                         ' </Correlation>\n')
                i += 2
                continue
            if k == 3:
                fh.write(f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="{s}" '
                         f'endDate="{e}" value="HKCategoryValueSleepAnalysisAsleepCore"/>\n')
            elif k == 2:
                fh.write(f' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="Watch" '
                         f'unit="ms" startDate="{s}" endDate="{e}" value="{rnd.uniform(20, 90):.1f}">\n'
                         '  <HeartRateVariabilityMetadataList>\n   <InstantaneousBeatsPerMinute bpm="61" '
                         'time="1:00:00.00 AM"/>\n  </HeartRateVariabilityMetadataList>\n </Record>\n')
            elif i % 2:
                fh.write(f' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" '
                         f'creationDate="{s}" startDate="{s}" endDate="{e}" value="{rnd.randint(0, 120)}"/>\n')
            else:
                fh.write(f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" '
                         f'creationDate="{s}" startDate="{s}" endDate="{s}" value="{rnd.randint(50, 150)}">\n'
                         '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n </Record>\n')
            i += 1
        fh.write("</HealthData>\n")


def new_store(folder: Path) -> Store:
    s = Store.create(folder / "bench.duckdb", "a long benchmark passphrase", kdf=vault.FAST_KDF)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES ('bench', 'Benchmark')")
    return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_health_"))
    try:
        xml = work / "export.xml"
        t = time.perf_counter()
        write_export(xml, args.records)
        print(f"generated {args.records:,} records ({xml.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s")
        s = new_store(work)
        t = time.perf_counter()
        r = import_file(s, xml, patient_id="bench")
        dt = time.perf_counter() - t
        stored = sum(r.counts.values())
        print(f"apple-health: {args.records:,} records in {dt:.2f} s = {args.records / dt:,.0f} records/s "
              f"({stored:,} samples stored: {r.counts})")
        s.close()

        if SHARED.is_dir():
            s = new_store(work / "fhir")
            files = sorted(SHARED.glob("*.json"))
            t = time.perf_counter()
            for f in files:
                t1 = time.perf_counter()
                r = import_file(s, f)
                print(f"fhir: {f.name[:40]:40s} {f.stat().st_size / 1e6:.2f} MB  {time.perf_counter() - t1:.3f} s  "
                      f"{sum(v for k, v in r.counts.items() if k != 'fhir_resources'):,} rows")
            print(f"fhir: {len(files)} Synthea bundles in {time.perf_counter() - t:.2f} s")
            s.close()
        else:
            print("fhir: ../shared/data absent; Synthea timing skipped")

        from workstation.demo.wearable_writer import write_demo_wearables
        t = time.perf_counter()
        paths = write_demo_wearables(work / "demo", patient_seed=1)
        print(f"demo wearables written in {time.perf_counter() - t:.2f} s")
        s = new_store(work / "demo")
        t = time.perf_counter()
        n = 0
        for p in paths:
            n += sum(import_file(s, p, patient_id="bench").counts.values())
        dt = time.perf_counter() - t
        print(f"wearable-csv: {n:,} demo rows (a year of minute HR + steps + sleep) in {dt:.2f} s "
              f"= {n / dt:,.0f} rows/s")
        s.close()
        print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
