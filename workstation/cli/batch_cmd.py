"""``workstation batch (--manifest FILE | --joint-vcf FILE) --out DIR [--engine local|spark] [--dry-run]``:
pharmacogenomic calls, CPIC recommendations and polygenic scores for many samples, as Parquet tables.

``workstation import-batch RESULTS`` puts a batch's results into the store for review (audited; no genomes).

Needs no store (``batch``); a failing sample is recorded in samples.parquet and run.json and the run goes on;
running again on the same --out skips finished samples. Progress (counts, rate, ETA) goes to stderr.
"""
from __future__ import annotations

import argparse
import sys
import time

from workstation.cli.common import print_json


def register(subparsers) -> None:
    p = subparsers.add_parser("batch", help="PGx calls, recommendations and scores for many samples (Parquet)",
                              description=__doc__.splitlines()[0].strip("`"))
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--manifest", metavar="FILE",
                     help="CSV/TSV: sample_id, vcf [, vcf_sample, outside_calls, sex]; paths relative to it")
    src.add_argument("--joint-vcf", metavar="FILE", help="one multi-sample VCF (read once, never split)")
    p.add_argument("--out", metavar="DIR", help="results folder (Parquet tables + run.json); required unless "
                   "--dry-run")
    p.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="local process pool (default) or PySpark (needs the .[spark] extra and Java 17)")
    p.add_argument("--workers", type=int, metavar="N", help="local pool size (default: all cores)")
    p.add_argument("--master", metavar="URL", help="Spark master (e.g. local[2], spark://host:7077, yarn)")
    p.add_argument("--dry-run", action="store_true", help="validate the inputs and stop")
    p.add_argument("--json", action="store_true", help="print the run manifest as JSON")
    p.set_defaults(func=run)
    i = subparsers.add_parser("import-batch", help="put a batch's results into the store for review (audited)",
                              description="Store a batch's gene calls, recommendations and scores per sample "
                                          "(no genotypes) for review in the window; audited.")
    i.add_argument("results", metavar="RESULTS", help="the folder written by workstation batch --out")
    i.add_argument("--json", action="store_true", help="print JSON")
    i.set_defaults(func=run_import)


class _Ticker:
    """Counts, rate and ETA on stderr: rewritten in place on a terminal, a line every 10 s otherwise."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.last = 0.0
        self.tty = sys.stderr.isatty()
        self.base = None

    def __call__(self, done: int, failed: int, total: int, skipped: int) -> None:
        now = time.monotonic()
        if self.base is None:
            self.base = done
        final = done >= total
        if not final and now - self.last < (0.5 if self.tty else 10.0):
            return
        self.last = now
        ran = done - self.base
        rate = ran / (now - self.t0) if now > self.t0 and ran else 0.0
        eta = f"{int((total - done) / rate // 60)}:{int((total - done) / rate % 60):02d}" if rate else "?"
        msg = (f"{done}/{total} samples ({failed} failed, {skipped} already finished), "
               f"{rate:.1f} samples/s, ETA {eta}")
        if self.tty:
            sys.stderr.write("\r" + msg.ljust(79) + ("\n" if final else ""))
        else:
            sys.stderr.write(msg + "\n")
        sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from workstation.batch.run import BatchError, BatchInput, run_batch

    inp = BatchInput(manifest=Path(args.manifest) if args.manifest else None,
                     joint_vcf=Path(args.joint_vcf) if args.joint_vcf else None)
    if args.dry_run:
        return _dry_run(inp, args)
    if not args.out:
        raise BatchError("--out DIR is required (the folder for the result tables), unless --dry-run.")
    if args.engine == "spark" and not args.master:
        raise BatchError("--engine spark needs --master URL (for example local[2] or spark://host:7077).")
    m = run_batch(inp, args.out, engine=args.engine, workers=args.workers, master=args.master,
                  on_progress=_Ticker())
    if args.json:
        print_json(m)
        return 0
    c = m["counts"]
    print(f"{c['samples']} samples: {c['ok']} ok, {c['failed']} failed ({c['skipped_already_finished']} were "
          f"already finished). Tables in {args.out}: " +
          ", ".join(f"{t} ({n} rows)" for t, n in c["rows"].items()) + "; run manifest run.json.")
    if c["not_finished"]:
        print(f"  {c['not_finished']} samples have no result (the run stopped early); run the same command again "
              "to finish them.")
    for f in m["failures"][:10]:
        print(f"  failed {f['sample_id']}: {f['reason']}")
    if len(m["failures"]) > 10:
        print(f"  … and {len(m['failures']) - 10} more (samples.parquet, run.json)")
    return 0


def _dry_run(inp, args) -> int:
    if inp.joint_vcf is not None:
        from workstation.batch.run import prepare

        prep = prepare(inp)
        bad = [t for t in prep.tasks if t.problem]
        for t in bad:
            print(t.problem, file=sys.stderr)
        print(f"{inp.joint_vcf}: {len(prep.tasks)} samples, {len(prep.records)} records at the pharmacogene "
              f"and score positions; {len(bad)} sample(s) with an invalid genotype.")
        return 1 if bad else 0
    from workstation.batch.manifest import check_files, read_manifest

    entries = read_manifest(inp.manifest)
    problems = check_files(inp.manifest, entries)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{inp.manifest}: {len(entries)} samples; {len(problems)} problem(s)" +
          (" — these samples would be recorded as failed." if problems else "; ready to run."))
    return 1 if problems else 0


def run_import(args: argparse.Namespace) -> int:
    from workstation.batch.review import import_results
    from workstation.cli.common import open_store_from_args

    store = open_store_from_args(args)
    try:
        res = import_results(store, args.results)
    finally:
        store.close()
    if args.json:
        print_json(res)
    else:
        print(f"Stored batch results of {res['samples']} samples ({res['genes']} gene calls, "
              f"{res['recommendations']} recommendations, {res['scores']} scores) as batch {res['batch_id']}; "
              f"no genotypes were stored.")
    return 0
