"""Benchmark VCF import. Prints numbers; asserts nothing.

    python bench/bench_import_vcf.py [--records 5000000] [--runs 3] [--folder /tmp]

Writes a whole-genome-like single-sample BGZF VCF (GATK-style INFO and GT:AD:DP:GQ:PL, a few multi-allelic,
phased and no-call records, the 1,202 PharmCAT positions when ../shared/data is present) to a temp folder — never
to the repository — and measures, each in a fresh child process (so peak RSS is per measurement):

  (a) floor   DuckDB read_csv of the same file into an in-memory table, nothing else
  (a2) floor  the same into a table of an encrypted database file (ATTACH like the store), then CHECKPOINT
  (b) import  workstation.ingest.vcf.import_vcf into a new encrypted store (sha256, checks, validation,
              FORMAT parsing, insert, commit), and the store's close (checkpoint) separately
  (c) cyvcf2  a Python loop over cyvcf2.VCF extracting the same columns (if cyvcf2 is installed)
  (d) read_vcf(positions=~1,200 PGx positions) on the same file (the pharmacogenomics path)

Goals (issue 3): (b) <= 1.5 x (a); (b) >= 3 x faster than (c); peak RSS <= 1.5 GB; (d) well under 3 s.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
CHROMS = [("chr1", 248956422), ("chr2", 242193529), ("chr3", 198295559), ("chr4", 190214555),
          ("chr5", 181538259), ("chr6", 170805979), ("chr7", 159345973), ("chr8", 145138636),
          ("chr9", 138394717), ("chr10", 133797422), ("chr11", 135086622), ("chr12", 133275309),
          ("chr13", 114364328), ("chr14", 107043718), ("chr15", 101991189), ("chr16", 90338345),
          ("chr17", 83257441), ("chr18", 80373285), ("chr19", 58617616), ("chr20", 64444167),
          ("chr21", 46709983), ("chr22", 50818468), ("chrX", 156040895)]


# -- test file ------------------------------------------------------------------------------------------------
def pgx_positions() -> list[tuple[str, int, str, str]]:
    """(chrom, pos, ref, alt) of PharmCAT's 1,202 positions if ../shared/data is present, else the project's."""
    p = ROOT.parent / "shared" / "data" / "pharmcat" / "pharmcat.example.vcf"
    out = []
    if p.exists():
        for line in p.read_text().splitlines():
            if not line.startswith("#"):
                f = line.split("\t")
                out.append((f[0], int(f[1]), f[3], f[4]))
        return out
    from workstation.pgx.genotype import definition_positions
    return [(c, p, "N", "A") for c, p in definition_positions()]


def _bgzf_block(data: bytes) -> bytes:
    import struct
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    comp = c.compress(data) + c.flush()
    return (b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00" + struct.pack("<H", len(comp) + 25)
            + comp + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF))


def write_genome(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    total = sum(length for _, length in CHROMS)
    pgx = {}
    for c, p, ref, alt in pgx_positions():
        pgx.setdefault(c, []).append((p, ref, alt))
    header = ["##fileformat=VCFv4.2", "##source=bench_import_vcf.py (synthetic)", "##reference=GRCh38",
              *[f"##contig=<ID={c},length={n_}>" for c, n_ in CHROMS],
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tBENCH"]
    buf: list[str] = ["\n".join(header) + "\n"]
    size = len(buf[0])
    bases = "ACGT"
    with open(path, "wb") as out:
        for chrom, length in CHROMS:
            k = max(1, round(n * length / total))
            step = length // (k + 1)
            extra = sorted(pgx.get(chrom, []))
            ei = 0
            pos = 10_000
            for i in range(k):
                pos += rng.randint(1, 2 * step - 1) if step > 1 else 1
                while ei < len(extra) and extra[ei][0] <= pos:
                    p, ref, alt = extra[ei]
                    line = f"{chrom}\t{p}\t.\t{ref}\t{alt}\t.\tPASS\tPX=1\tGT:AD:DP:GQ\t0/1:11,12:23:99\n"
                    buf.append(line)
                    size += len(line)
                    ei += 1
                ref = bases[i & 3]
                r = rng.random()
                if r < 0.02:
                    alt, gt, ad = bases[(i + 1) & 3] + "," + bases[(i + 2) & 3], "1/2", "1,11,12"
                elif r < 0.05:
                    alt, gt, ad = bases[(i + 1) & 3], "0|1", "12,11"
                elif r < 0.055:
                    alt, gt, ad = bases[(i + 1) & 3], "./.", "0,0"
                elif r < 0.45:
                    alt, gt, ad = bases[(i + 1) & 3], "1/1", "0,23"
                else:
                    alt, gt, ad = bases[(i + 1) & 3], "0/1", "13,10"
                dp = 20 + (i % 40)
                line = (f"{chrom}\t{pos}\trs{1000 + i}\t{ref}\t{alt}\t{50 + (i % 900)}.77\tPASS\t"
                        f"AC=1;AF=0.500;AN=2;DP={dp};FS=0.000;MQ=60.00;QD={(i % 30) + 0.5:.2f};SOR=0.693\t"
                        f"GT:AD:DP:GQ:PL\t{gt}:{ad}:{dp}:99:205,0,269\n")
                buf.append(line)
                size += len(line)
                if size > 4 << 20:
                    _flush(out, buf)
                    buf, size = [], 0
        _flush(out, buf)
        out.write(BGZF_EOF)


def _flush(out, buf: list[str]) -> None:
    data = "".join(buf).encode()
    for i in range(0, len(data), 65280):
        out.write(_bgzf_block(data[i:i + 65280]))


# -- measurements (each in its own child process) --------------------------------------------------------------
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(mode: str, vcf: Path, work: Path) -> dict:
    from workstation.ingest.vcf_header import read_header
    from workstation.ingest.vcf_sql import read_csv_sql

    if mode in ("floor", "floor_encrypted"):
        from workstation.store.connect import attach_encrypted, secure_connection
        h = read_header(vcf)
        con = secure_connection()
        if mode == "floor_encrypted":
            attach_encrypted(con, work / "floor.duckdb", os.urandom(32).hex())
        t = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM {read_csv_sql(h)}")
        if mode == "floor_encrypted":
            con.execute("CHECKPOINT")
        secs = time.perf_counter() - t
        n = con.execute("SELECT count(*) FROM t").fetchone()[0]
        con.close()
        return {"seconds": secs, "rows": n, "peak_rss_mb": _peak_mb()}
    if mode == "import":
        from workstation import vault
        from workstation.ingest.vcf import import_vcf
        from workstation.store import Store
        s = Store.create(work / "store.duckdb", "bench passphrase long enough", kdf=vault.FAST_KDF)
        t = time.perf_counter()
        r = import_vcf(s, vcf, patient_id="bench")
        secs = time.perf_counter() - t
        t = time.perf_counter()
        s.close()
        close = time.perf_counter() - t
        return {"seconds": secs, "close_seconds": close, "rows": r.counts["variants"], "peak_rss_mb": _peak_mb(),
                "store_mb": (work / "store.duckdb").stat().st_size / 1e6}
    if mode == "cyvcf2":
        try:
            from cyvcf2 import VCF
        except ImportError as exc:
            return {"error": f"cyvcf2 not installed ({exc})"}
        t = time.perf_counter()
        cols: dict[str, list] = {k: [] for k in ("chrom", "pos", "vid", "ref", "alt", "qual", "filter", "gt",
                                                 "ad", "dp", "gq")}
        for v in VCF(str(vcf)):
            cols["chrom"].append(v.CHROM)
            cols["pos"].append(v.POS)
            cols["vid"].append(v.ID)
            cols["ref"].append(v.REF)
            cols["alt"].append(",".join(v.ALT))
            cols["qual"].append(v.QUAL)
            cols["filter"].append(v.FILTER)
            cols["gt"].append(v.gt_bases[0])
            ad = v.format("AD")
            cols["ad"].append(None if ad is None else ",".join(map(str, ad[0])))
            dp = v.format("DP")
            cols["dp"].append(None if dp is None else int(dp[0][0]))
            gq = v.format("GQ")
            cols["gq"].append(None if gq is None else int(gq[0][0]))
        secs = time.perf_counter() - t
        return {"seconds": secs, "rows": len(cols["pos"]), "peak_rss_mb": _peak_mb()}
    if mode == "positions":
        from workstation.ingest.vcf import read_vcf
        pos = [(c, p) for c, p, _, _ in pgx_positions()]
        t = time.perf_counter()
        d = read_vcf(vcf, positions=pos)
        secs = time.perf_counter() - t
        return {"seconds": secs, "rows": len(d.variants), "asked": len(pos), "peak_rss_mb": _peak_mb()}
    raise ValueError(mode)


def run_child(mode: str, vcf: Path, folder: Path) -> dict:
    with tempfile.TemporaryDirectory(dir=folder) as work:
        out = subprocess.run([sys.executable, __file__, "--child", mode, "--vcf", str(vcf), "--work", work],
                             capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--folder", default=tempfile.gettempdir())
    ap.add_argument("--modes", default="floor,floor_encrypted,import,cyvcf2,positions")
    ap.add_argument("--cyvcf2-runs", type=int, default=1)
    ap.add_argument("--child")
    ap.add_argument("--vcf")
    ap.add_argument("--work")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, Path(a.vcf), Path(a.work))))
        return
    folder = Path(a.folder)
    vcf = folder / f"bench_genome_{a.records}.vcf.gz"
    if not vcf.exists():
        t = time.perf_counter()
        write_genome(vcf, a.records)
        print(f"wrote {vcf} ({vcf.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s")
    import duckdb
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}")
    print(f"file: {vcf} ({vcf.stat().st_size / 1e6:.0f} MB BGZF), records requested {a.records:,}")
    modes = a.modes.split(",")
    runs: dict[str, list[dict]] = {m: [] for m in modes}
    # round-robin (a, a2, b, d, a, a2, b, d, ...) so a busy machine slows every measurement alike
    for i in range(a.runs):
        for mode in modes:
            if mode == "cyvcf2" and i >= a.cyvcf2_runs:
                continue
            runs[mode].append(run_child(mode, vcf, folder))
    results = {}
    for mode in modes:
        ok = [r for r in runs[mode] if "error" not in r]
        if not ok:
            print(f"{mode:16s} failed: {runs[mode][0].get('error') if runs[mode] else 'not run'}")
            continue
        med = statistics.median(r["seconds"] for r in ok)
        peak = max(r["peak_rss_mb"] for r in ok)
        results[mode] = med
        extra = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in ok[0].items()
                 if k not in ("seconds", "peak_rss_mb")}
        print(f"{mode:16s} median {med:7.2f} s over {len(ok)} run(s) {[round(r['seconds'], 2) for r in ok]}; "
              f"peak RSS {peak:,.0f} MB; {extra}")
    if "import" in results and "floor" in results:
        print(f"import / floor (in-memory)        = {results['import'] / results['floor']:.2f}  (goal <= 1.5)")
    if "import" in results and "floor_encrypted" in results:
        print(f"import / floor (encrypted file)   = {results['import'] / results['floor_encrypted']:.2f}")
    if "import" in results and "cyvcf2" in results:
        print(f"cyvcf2 / import                   = {results['cyvcf2'] / results['import']:.2f}  (goal >= 3)")


if __name__ == "__main__":
    main()
