"""``workstation family --patient ID [--json]`` (the family and its hereditary risk) and
``workstation export-pedigree --patient ID --format canrisk|ped|fhir --out FILE``."""
from __future__ import annotations

from workstation.cli.common import open_store_from_args, print_json


def register(sub) -> None:
    p = sub.add_parser("family", help="a patient's family history: relatives, hereditary risk models, criteria")
    p.add_argument("--patient", metavar="ID", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_family)

    p = sub.add_parser("export-pedigree", help="write a patient's family as CanRisk v4, PLINK PED, FHIR or GA4GH")
    p.add_argument("--patient", metavar="ID", required=True)
    p.add_argument("--format", choices=("canrisk", "ped", "fhir", "ga4gh", "phenopacket"), required=True,
                   help="canrisk (v4), ped (PLINK), fhir (FamilyMemberHistory bundle), ga4gh (GA4GH Pedigree), "
                        "phenopacket (Phenopackets v2 Family)")
    p.add_argument("--out", metavar="FILE", required=True)
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)


def cmd_family(args) -> int:
    from workstation.family import kinship
    from workstation.family.risk import family_risk

    with open_store_from_args(args) as s:
        prof = s.profile(args.patient)
    fam = prof.family
    risk = family_risk(prof)
    if args.json:
        print_json({"patient": args.patient, "family_version": prof.family_version,
                    "family": fam.to_dict() if fam else None, "risk": risk.to_dict()})
        return 0
    if fam is None:
        print(f"No family history is recorded for {args.patient}.")
    else:
        print(f"Family {fam.id}: {len(fam)} people (version {prof.family_version}).")
        for pid, k in kinship.relatives(fam).items():
            p = fam.people[pid]
            dx = ", ".join(f"{d.label} {d.age if d.age is not None else '(age unknown)'}" for d in p.diagnoses)
            tests = ", ".join(f"{t.gene} {t.result}" for t in p.tests if t.result)
            print(f"  {k.display:28s} {p.sex:8s} {dx}{'; ' + tests if tests else ''}")
    for sc in risk.scores:
        value = f"{sc.value:.1%}" if sc.value is not None else f"not scored - {sc.refused}"
        print(f"{sc.name}: {value}{' (' + sc.band + ')' if sc.band else ''}")
    rel = kinship.relatives(fam) if fam is not None else {}
    for c in risk.criteria:
        who = ", ".join("the patient" if p == (fam.index_id if fam else None)
                        else rel[p].display.replace("natural ", "") if p in rel else p for p in c.people)
        print(f"{c.name}: {'met' if c.met else 'not met'}{' by ' + who if who else ''} - {'; '.join(c.detail)}")
    return 0


def cmd_export(args) -> int:
    from workstation.family.export import export_family

    with open_store_from_args(args) as s:
        res = export_family(s, args.patient, args.format, args.out, overwrite=args.force)
    if args.json:
        print_json({"file": res.path, "format": res.format, "people": res.people, "not_carried": res.not_carried})
    else:
        print(res.message)
        for x in res.not_carried:
            print(f"  not carried: {x}")
    return 0
