"""``workstation import FILE... [--patient ID] [--sample NAME] [--platform NAME --scale S] [--json]``: import files, one transaction each.

Prints, per file, what was stored, that it was already imported, or why nothing was stored. Exits non-zero when
any file failed (the others are still imported: each file is its own transaction).
"""
from __future__ import annotations

import sys

from workstation.cli.common import open_store_from_args, print_json
from workstation.errors import WorkstationError
from workstation.ingest import import_file
from workstation.ingest.base import ImportResult


def register(sub) -> None:
    p = sub.add_parser("import", help="import VCF, FHIR, omics or wearable files (format detected from content)")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--sample-map", metavar="FILE", help="a multi-sample VCF into several patients: lines "
                   "'sample<TAB>patient id'; the VCF is parsed once")
    p.add_argument("--callable-bed", metavar="BED", action="append", default=[],
                   help="the lab's callable-regions BED for the patient's genome (needs --patient): positions inside "
                        "without a VCF record then count as reference; stored with provenance")
    p.add_argument("--patient", metavar="ID", help="the existing patient the files belong to (needed for VCF, "
                   "omics and wearable files, which carry no patient details)")
    p.add_argument("--sample", metavar="NAME", help="the sample to take from a multi-sample VCF or omics table")
    p.add_argument("--platform", metavar="NAME", help="microarray platform of a probe-set omics table (e.g. "
                   "HG-U133A), when the file has no '# platform=' line")
    p.add_argument("--scale", choices=["log2", "log10", "linear"], help="scale of a probe-set omics table's "
                   "values, when the file has no '# scale=' line")
    p.add_argument("--build", choices=["GRCh38", "GRCh37"], help="genome build of a VCF as the lab states it; "
                   "GRCh37 translates the pharmacogene positions through the shipped position table (CYP2D6 "
                   "excepted) and labels every result 'from GRCh37 via position table'")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=cmd_import)


def cmd_import(args) -> int:
    results: list[ImportResult] = []
    exit_code = 0
    beds = list(getattr(args, "callable_bed", []) or [])
    if not args.files and not beds:
        print("Name at least one file to import (or --callable-bed BED with --patient).", file=sys.stderr)
        return 2
    if beds and not args.patient:
        print("A callable-regions BED belongs to one patient's genome: add --patient ID.", file=sys.stderr)
        return 2
    def run(f, fn) -> None:
        """One file through ``fn`` (returns one ImportResult or a list); a user error is one failed result."""
        nonlocal exit_code
        try:
            rs = fn(f)
        except WorkstationError as exc:
            rs = ImportResult(file=str(f), status="failed", message=str(exc))
            exit_code = max(exit_code, exc.exit_code)
        for r in rs if isinstance(rs, list) else [rs]:
            results.append(r)
            if not args.json:
                _print(r)

    build = getattr(args, "build", None)
    with open_store_from_args(args) as store:
        if getattr(args, "sample_map", None):
            from workstation.ingest.vcf_samples import import_vcf_samples, read_sample_map

            for f in args.files:
                run(f, lambda f: import_vcf_samples(store, f, read_sample_map(args.sample_map), build=build))
        else:
            declared = {k: v for k, v in (("platform", args.platform), ("scale", args.scale), ("build", build)) if v}
            for f in args.files:
                run(f, lambda f: import_file(store, f, patient_id=args.patient, sample=args.sample,
                                             declared=declared or None))
        if beds:
            from workstation.genome.coverage import import_callable_bed

            for f in beds:
                run(f, lambda f: import_callable_bed(store, f, patient_id=args.patient))
    if args.json:
        print_json([r.to_json() for r in results])
    elif len(results) > 1:
        ok = sum(r.status != "failed" for r in results)
        print(f"{ok} of {len(results)} files imported or already present; {len(results) - ok} failed.")
    return exit_code


def _print(r: ImportResult) -> None:
    out = sys.stderr if r.status == "failed" else sys.stdout
    print(r.message, file=out)
    for w in r.warnings:
        print(f"  warning: {w}", file=out)
