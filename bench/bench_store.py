"""Store benchmark: encryption cost, unlock time, self-test wall time.

    python bench/bench_store.py [--rows 5000000] [--runs 3]

Inserts N synthetic variant rows into an encrypted store and into an unencrypted DuckDB file (same schema,
same SQL, same process), then runs a position-range query on each. Prints the median of --runs runs and the
encrypted/unencrypted ratio. Also times unlocking with the default argon2id parameters and
`workstation selftest` as a subprocess.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation import vault  # noqa: E402
from workstation.store import Store, Unlock  # noqa: E402
from workstation.store.connect import secure_connection, temp_dir_for  # noqa: E402
from workstation.store.schema import V1  # noqa: E402

INSERT = """
INSERT INTO variants (patient_id, source_id, sample, chrom, pos, vid, ref, alt, qual, filter, info, gt, phased, dp, gq)
SELECT 'bench-patient', 1, 'S1', 'chr' || (1 + i % 22), 10000 + i * 37, '.', 'A', 'G', 50.0, 'PASS',
       'DP=' || (i % 60), CASE i % 3 WHEN 0 THEN '0/1' WHEN 1 THEN '1/1' ELSE '0|1' END, i % 3 = 2, i % 60, 99
FROM range({n}) t(i)
"""
QUERY = ("SELECT count(*), avg(qual) FROM variants WHERE patient_id = 'bench-patient' AND chrom = 'chr7' "
         "AND pos BETWEEN 50000000 AND 90000000")


def one_run(n: int, folder: Path, encrypted: bool) -> tuple[float, float]:
    if encrypted:
        s = Store.create(folder / "enc.duckdb", "bench passphrase", kdf=vault.FAST_KDF)
        con = s.con
    else:
        # the same connection setup as the store (in-memory catalog, crypto extension loaded, memory limit,
        # temp folder), attaching the file WITHOUT a key and with the storage format an encrypted file gets
        # (v1.5.0; a plain file defaults to the older v1.0.0 format, which is slower to write): the only
        # difference left is the encryption
        con = secure_connection(temp_dir=temp_dir_for(folder / "plain.duckdb"))
        con.execute(f"ATTACH '{folder / 'plain.duckdb'}' AS pdb (STORAGE_VERSION 'v1.5.0')")
        con.execute("USE pdb")
        con.execute(V1)
    t0 = time.perf_counter()
    con.execute("BEGIN")
    con.execute(INSERT.format(n=n))
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    t_insert = time.perf_counter() - t0
    con.execute(QUERY).fetchall()          # warm the buffer pool once, then time 20 queries
    qs = []
    for _ in range(20):
        t0 = time.perf_counter()
        con.execute(QUERY).fetchall()
        qs.append(time.perf_counter() - t0)
    t_query = statistics.median(qs)
    if encrypted:
        s.close()
    else:
        con.close()
    return t_insert, t_query


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    res = {True: ([], []), False: ([], [])}
    for r in range(a.runs):
        for enc in (False, True):
            with tempfile.TemporaryDirectory() as d:
                ti, tq = one_run(a.rows, Path(d), enc)
            res[enc][0].append(ti)
            res[enc][1].append(tq)
            print(f"run {r + 1} {'encrypted' if enc else 'plain    '}: insert {ti:.2f} s, range query {tq * 1000:.1f} ms",
                  flush=True)
    mi = {k: statistics.median(v[0]) for k, v in res.items()}
    mq = {k: statistics.median(v[1]) for k, v in res.items()}
    print(f"\n{a.rows:,} variant rows, median of {a.runs}:")
    print(f"  insert: plain {mi[False]:.2f} s, encrypted {mi[True]:.2f} s, ratio {mi[True] / mi[False]:.3f}")
    print(f"  range query: plain {mq[False] * 1000:.1f} ms, encrypted {mq[True] * 1000:.1f} ms, "
          f"ratio {mq[True] / mq[False]:.3f}")

    # unlock with the default (production) argon2id parameters
    with tempfile.TemporaryDirectory() as d:
        Store.create(Path(d) / "u.duckdb", "bench passphrase").close()
        header = vault.VaultHeader.load(vault.header_path(Path(d) / "u.duckdb"))
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            vault.unlock_with_passphrase(header, "bench passphrase")
            times.append(time.perf_counter() - t0)
        opens = []
        for _ in range(5):
            t0 = time.perf_counter()
            Store.open(Path(d) / "u.duckdb", Unlock(passphrase="bench passphrase")).close()
            opens.append(time.perf_counter() - t0)
    p = vault.KdfParams()
    print(f"  unlock (argon2id t={p.time_cost}, m={p.memory_cost_kib // 1024} MiB, p={p.parallelism}): median "
          f"{statistics.median(times) * 1000:.0f} ms; full open incl. DuckDB {statistics.median(opens) * 1000:.0f} ms")

    walls = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ui.launcher", "selftest"], capture_output=True,
                       cwd=Path(__file__).resolve().parents[1])
        walls.append(time.perf_counter() - t0)
    print(f"  workstation selftest wall time: median {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
