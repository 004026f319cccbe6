"""``workstation pgx (--vcf FILE | --patient ID) [--json]``: star-allele calls, phenotypes and CPIC guidance.

``workstation outside-call --patient ID (--file TSV | --gene G --diplotype D) [--lab L] [--date D]`` stores an
outside call (audited, with its provenance).

``--vcf`` reads the file without storing anything and needs no store or passphrase; a GRCh37 VCF is refused.
``--patient`` opens the store (``--db``, ``--passphrase-env``) and uses the patient's genotypes, outside calls
and active medications.
"""
from __future__ import annotations

import argparse

from workstation.cli.common import print_json
from workstation.errors import NotFound


def register(subparsers) -> None:
    p = subparsers.add_parser("pgx", help="pharmacogenomic calls and CPIC guidance",
                              description=__doc__.splitlines()[0].strip("`"))
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--vcf", metavar="FILE", help="a GRCh38 VCF (plain or .gz); nothing is stored")
    src.add_argument("--patient", metavar="ID", help="a stored patient")
    p.add_argument("--sample", metavar="NAME", help="sample column to use when the VCF holds several")
    p.add_argument("--build", choices=["GRCh38", "GRCh37"], help="with --vcf: the build the lab states; GRCh37 "
                   "translates the pharmacogene positions through the shipped position table (CYP2D6 excepted)")
    p.add_argument("--outside-calls", metavar="TSV", help="outside calls in PharmCAT's TSV format (CYP2D6, HLA…)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)
    o = subparsers.add_parser("outside-call", help="store an outside PGx call (CYP2D6, HLA-A/B, MT-RNR1 …) for a patient",
                              description="Store an outside call with its lab and date (audited): one gene, or a "
                                          "PharmCAT outside-call TSV.")
    o.add_argument("--patient", metavar="ID", required=True)
    what = o.add_mutually_exclusive_group(required=True)
    what.add_argument("--file", metavar="TSV", help="PharmCAT outside-call file (gene, diplotype, phenotype, score)")
    what.add_argument("--gene", metavar="GENE", help="gene of one call, with --diplotype and/or --phenotype")
    o.add_argument("--diplotype", metavar="D", help="e.g. *1/*1x2, *15:02/*57:01, 1555A>G")
    o.add_argument("--phenotype", metavar="P", help="only when the lab states a phenotype")
    o.add_argument("--lab", metavar="NAME", help="laboratory or test")
    o.add_argument("--date", metavar="YYYY-MM-DD", help="date of the test")
    o.add_argument("--json", action="store_true", help="print JSON")
    o.set_defaults(func=run_outside_call)
    a = subparsers.add_parser("assert-coverage", help="record (audited) that an assay covered every defining "
                              "position of some genes, so positions without a record count as reference",
                              description="Only this, a gVCF or a callable-regions BED turns a missing position "
                                          "into reference; the assertion is audited and named on every result.")
    a.add_argument("--patient", metavar="ID", required=True)
    a.add_argument("--genes", metavar="G1,G2", required=True, help="comma-separated genes, e.g. DPYD,TPMT")
    a.add_argument("--assay", metavar="TEXT", required=True, help="the test and lab whose coverage is asserted")
    a.add_argument("--by", metavar="NAME", help="who makes the assertion (default: the OS user in the audit row)")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(func=run_assert_coverage)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from workstation import pgx

    outside = pgx.read_outside_calls(args.outside_calls) if getattr(args, "outside_calls", None) else []
    meds = None
    if args.vcf:
        from workstation.pgx.vcf_source import read_pgx_genotypes

        g = read_pgx_genotypes(args.vcf, sample=args.sample, build=getattr(args, "build", None))
        from workstation.batch.sample import analyse_table   # the batch's per-sample function (same results)

        result = analyse_table(g.sample or "", g.table, outside_calls=outside, scores=False).result
    else:
        from workstation.cli.common import open_store_from_args

        store = open_store_from_args(args, read_only=True)
        try:
            try:
                profile = store.profile(args.patient)
            except KeyError:
                raise NotFound(f"There is no patient with id {args.patient}.") from None
        finally:
            store.close()
        result = pgx.call_profile(profile)
        if outside:
            extra = {c.gene: c for c in outside}
            result = pgx.PgxResult({**result.genes, **extra}, result.build, result.messages,
                                   result.translated_from, result.refusal)
        meds = profile.medications
    alerts, recs = pgx.guidance(result, meds if meds is not None else pd.DataFrame())
    if args.json:
        print_json({"genes": {g: c.to_json() for g, c in result.genes.items()},
                    "build": result.build, "translated_from": result.translated_from, "refusal": result.refusal,
                    "notes": list(result.messages),
                    "alerts": [a.to_json() for a in alerts],
                    "recommendations": [r.to_json() for r in recs]})
        return 2 if result.refusal else 0
    if result.refusal:                       # no VCF calls: one sentence naming the build and what to do
        import sys

        print(result.refusal, file=sys.stderr)
        return 2
    for note in result.messages:
        print(f"note: {note}")
    for g, c in result.genes.items():
        if c.called:
            line = f"{g}: {' or '.join(c.diplotypes)} — {c.phenotype or 'phenotype not assigned'}"
            if c.activity_score is not None:
                line += f" (activity score {c.activity_score:g})"
            if c.source != "vcf":
                line += f" [{c.source}]"
            if c.translated:
                from workstation.genome.positions import TRANSLATION_LABEL

                line += f" [{TRANSLATION_LABEL}]"
            comp = c.completeness
            if comp is not None and (not comp.complete or comp.from_bed or comp.from_assertion):
                line += f" — {c.completeness_text}"
        elif c.phenotype:
            line = f"{g}: {c.phenotype} [{c.source_diplotype}]"
        else:
            line = f"{g}: not called — {c.messages[0] if c.messages else 'no data'}"
        print(line)
    if alerts:
        print("\nAlerts for this patient's medicines:")
        for a in alerts:
            print(f"  [{a.severity}] {a.headline}")
    print(f"\n{len(recs)} CPIC recommendations apply to these results (use --json for the full list).")
    return 0


def run_outside_call(args: argparse.Namespace) -> int:
    from workstation.cli.common import open_store_from_args
    from workstation.store.outside_calls import OutsideCallEntry, add_outside_calls, import_outside_call_file

    store = open_store_from_args(args)
    try:
        if args.file:
            res = import_outside_call_file(store, args.patient, args.file, lab=args.lab, test_date=args.date)
        else:
            res = add_outside_calls(store, args.patient, [OutsideCallEntry(args.gene, args.diplotype, args.phenotype)],
                                    lab=args.lab, test_date=args.date)
    finally:
        store.close()
    if args.json:
        print_json({"patient": res.patient_id, "source_id": res.source_id, "genes": list(res.genes)})
    else:
        print(f"Stored outside call(s) for {', '.join(res.genes)} (patient {res.patient_id}).")
    return 0


def run_assert_coverage(args: argparse.Namespace) -> int:
    from workstation.cli.common import open_store_from_args
    from workstation.genome.coverage import assert_coverage

    store = open_store_from_args(args)
    try:
        genes = [g.strip() for g in args.genes.split(",") if g.strip()]
        res = assert_coverage(store, args.patient, genes, assay=args.assay, asserted_by=args.by)
    finally:
        store.close()
    if args.json:
        print_json(res.to_json())
    else:
        print(res.message)
    return 0
