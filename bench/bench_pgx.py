"""Benchmark the PGx caller. Prints numbers; asserts nothing.

    python bench/bench_pgx.py [--records 5000000] [--patients 1000]

1. one stored patient: a variants frame as the store returns it (PGx positions + 200,000 other records) -> calls
   for all genes + guidance;
2. a 5,000,000-record VCF.gz written to a temp folder -> read only the defining positions -> calls;
3. a batch of stored patients (random genotypes at the defining positions), one call per patient.
Compare: PharmCAT 1.2-5.9 s per sample on one core (docs/using/Runtime-Cost.md).
"""
from __future__ import annotations

import argparse
import gzip
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workstation import pgx
from workstation.pgx.tables import gene_definitions
from workstation.pgx.vcf_source import read_pgx_genotypes

COLS = ["chrom", "pos", "ref", "alt", "gt", "phased", "ps"]


def pgx_rows(rng: random.Random) -> list[dict]:
    """Genotypes of a random diplotype per gene (two named alleles drawn from the definitions), unphased."""
    rows = []
    for g, gd in gene_definitions().items():
        a, b = rng.choice(gd.alleles), rng.choice(gd.alleles)
        for lc in gd.loci:
            s1 = sorted(a.defs.get(lc.pos, {lc.ref}))[-1] if not a.is_reference else lc.ref
            s2 = sorted(b.defs.get(lc.pos, {lc.ref}))[-1] if not b.is_reference else lc.ref
            alts = sorted({x for x in (s1, s2) if x != lc.ref})
            idx = {lc.ref: 0, **{x: i + 1 for i, x in enumerate(alts)}}
            rows.append(dict(chrom=gd.chrom, pos=lc.pos, ref=lc.ref, alt=",".join(alts) or ".",
                             gt=f"{idx[s1]}/{idx[s2]}", phased=False, ps=None))
    return rows


def filler(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"chrom": "chr" + pd.Series(rng.integers(1, 23, n)).astype(str),
                         "pos": rng.integers(1_000_000, 200_000_000, n), "ref": "A", "alt": "G",
                         "gt": "0/1", "phased": False, "ps": None})


def timeit(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def write_vcf(path: Path, n: int) -> None:
    rng = random.Random(7)
    defining = sorted(pgx_rows(rng), key=lambda r: (r["chrom"], r["pos"]))
    per_chrom = n // 22
    with gzip.open(path, "wt", compresslevel=1) as fh:
        fh.write("##fileformat=VCFv4.2\n##reference=GRCh38\n##contig=<ID=chr1,length=248956422>\n")
        fh.write("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n")
        fh.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n")
        for c in range(1, 23):
            chrom = f"chr{c}"
            extra = [d for d in defining if d["chrom"] == chrom]
            lines = [f"{chrom}\t{p}\t.\tA\tG\t50\tPASS\tDP=30\tGT\t0/1\n"
                     for p in range(10_000, 10_000 + per_chrom * 37, 37)]
            lines += [f"{d['chrom']}\t{d['pos']}\t.\t{d['ref']}\t{d['alt']}\t50\tPASS\tDP=30\tGT\t{d['gt']}\n"
                      for d in extra]
            lines.sort(key=lambda ln: int(ln.split("\t", 2)[1]))
            fh.writelines(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--patients", type=int, default=1000)
    a = ap.parse_args()
    rng = random.Random(3)
    t0 = time.perf_counter()
    gene_definitions()
    pgx.call_genotypes(pd.DataFrame(pgx_rows(rng)))
    print(f"first call incl. loading resource tables: {1000 * (time.perf_counter() - t0):.0f} ms")

    frame = pd.concat([pd.DataFrame(pgx_rows(rng)), filler(200_000)], ignore_index=True)[COLS]
    meds = pd.DataFrame([dict(rxnorm="32968", display="clopidogrel", status="active")])
    ts = timeit(lambda: pgx.guidance(pgx.call_genotypes(frame), meds), 20)
    print(f"one stored patient ({len(frame):,} variant rows): median {1000 * statistics.median(ts):.1f} ms, "
          f"max {1000 * max(ts):.1f} ms (calls for all genes + guidance)")

    frames = [pd.DataFrame(pgx_rows(random.Random(i)))[COLS] for i in range(a.patients)]
    t = time.perf_counter()
    for f in frames:
        pgx.guidance(pgx.call_genotypes(f), meds)
    dt = time.perf_counter() - t
    called = sum(c.called for f in frames[:50] for c in pgx.call_genotypes(f).genes.values())
    print(f"batch of {a.patients} patients: {dt:.2f} s total, {1000 * dt / a.patients:.1f} ms per patient "
          f"({called} gene calls in the first 50 patients)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.vcf.gz"
        t = time.perf_counter()
        write_vcf(path, a.records)
        print(f"(wrote {a.records:,}-record VCF.gz, {path.stat().st_size / 1e6:.0f} MB, in "
              f"{time.perf_counter() - t:.1f} s)")
        for _ in range(2):
            t = time.perf_counter()
            g = read_pgx_genotypes(path)
            t_read = time.perf_counter() - t
            res = pgx.call_table(g.table)
            dt = time.perf_counter() - t
            print(f"{a.records:,}-record VCF.gz -> calls: {dt:.2f} s (read {t_read:.2f} s, "
                  f"{len(g.variants)} records kept; CYP2C19 {res.genes['CYP2C19'].diplotypes})")


if __name__ == "__main__":
    main()
