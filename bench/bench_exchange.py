"""Exchange benchmark: encrypted patient bundle export/import and FHIR export.

    python bench/bench_exchange.py [--rows 1000000] [--runs 3]

Fills an encrypted store with one patient holding N synthetic variant rows (a WGS-sized VCF is ~5M) plus small
clinical tables, then times ``export_bundle`` and ``import_bundle`` into a second store (median of --runs runs)
with the cheap test argon2id parameters, prints the bundle size and the process's peak RSS, and separately times
one argon2id derivation with the default parameters (paid once per export and once per import). Finally times
``export_fhir`` for a patient imported from the PharmCAT example VCF when ../shared/data is present.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation import vault  # noqa: E402
from workstation.exchange import export_bundle, import_bundle  # noqa: E402
from workstation.store import Store, file_info, import_batch  # noqa: E402

PW = "bench passphrase"
# Hash-derived values so the rows compress about as badly as real calls do (not a repeating pattern).
VARIANTS = """SELECT 'S1' AS sample, 'chr' || (1 + i % 22) AS chrom, 10000 + i * 37 + hash(i) % 30 AS pos,
       'rs' || (hash(i * 3) % 100000000) AS vid, 'A' AS ref, 'G' AS alt, (hash(i) % 10000) / 100.0 AS qual,
       'PASS' AS filter, 'DP=' || (hash(i * 5) % 60) || ';AF=' || (hash(i * 7) % 1000) / 1000 AS info,
       CASE hash(i * 11) % 3 WHEN 0 THEN '0/1' WHEN 1 THEN '1/1' ELSE '0|1' END AS gt, i % 3 = 2 AS phased,
       (hash(i * 5) % 60)::INTEGER AS dp, (hash(i * 13) % 99)::INTEGER AS gq FROM range(?) t(i)"""


def fill(folder: Path, n: int) -> Store:
    s = Store.create(folder / "a.duckdb", PW, kdf=vault.FAST_KDF)
    f = folder / "bench.vcf"
    f.write_text("synthetic")
    with import_batch(s, file_info(f), kind="vcf", importer="bench", importer_version="1",
                      patient_id="bench-patient") as b:
        b.upsert_patient({"id": "bench-patient", "name": "Bench Patient", "sex": "female"})
        b.insert_select("variants", VARIANTS, [n])
        b.insert_frame("observations", pd.DataFrame({"code": [str(i) for i in range(2000)],
                                                     "value_num": [float(i) for i in range(2000)]}))
    return s


def peak_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / (1024 * 1024)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        a = fill(folder, args.rows)
        print(f"filled store with {args.rows:,} variant rows in {time.perf_counter() - t0:.2f} s")
        rss0 = peak_rss_mib()
        exp, imp, size = [], [], 0
        for run in range(args.runs):
            out = folder / f"b{run}.wsbundle"
            t = time.perf_counter()
            res = export_bundle(a, ["bench-patient"], out, PW, kdf=vault.FAST_KDF)
            exp.append(time.perf_counter() - t)
            size = res.size
            b = Store.create(folder / f"b{run}.duckdb", PW, kdf=vault.FAST_KDF)
            t = time.perf_counter()
            import_bundle(b, out, PW)
            imp.append(time.perf_counter() - t)
            b.close()
        a.close()
        print(f"export_bundle: median {statistics.median(exp):.2f} s ({', '.join(f'{x:.2f}' for x in exp)})")
        print(f"import_bundle: median {statistics.median(imp):.2f} s ({', '.join(f'{x:.2f}' for x in imp)})")
        print(f"bundle size: {size / 2**20:.1f} MiB ({size / args.rows:.1f} bytes per variant row)")
        print(f"peak RSS: {peak_rss_mib():.0f} MiB (after filling: {rss0:.0f} MiB)")
        t = time.perf_counter()
        vault.derive_key(PW, b"0" * 16, vault.KdfParams())
        print(f"argon2id with default parameters (per export / import): {time.perf_counter() - t:.2f} s")
        vcf = Path(__file__).resolve().parents[2] / "shared" / "data" / "pharmcat" / "pharmcat.example2.vcf"
        if vcf.exists():
            from workstation.exchange.fhir_export import export_fhir
            from workstation.ingest import import_file

            s = Store.create(folder / "f.duckdb", PW, kdf=vault.FAST_KDF)
            with s.transaction() as con:
                con.execute("INSERT INTO patients (id, name) VALUES ('p1', 'Fhir Bench')")
            import_file(s, vcf, patient_id="p1")
            times = []
            for run in range(args.runs):
                t = time.perf_counter()
                export_fhir(s, "p1", folder / f"f{run}.json")
                times.append(time.perf_counter() - t)
            s.close()
            print(f"export_fhir (PharmCAT example 2, PGx + all models): median {statistics.median(times):.2f} s "
                  f"({', '.join(f'{x:.2f}' for x in times)}; the first includes loading the models)")


if __name__ == "__main__":
    main()
