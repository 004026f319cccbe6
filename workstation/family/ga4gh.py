"""GA4GH Pedigree (Phenopackets form) and Phenopackets v2 Family <-> the family model, through the MIT-licensed
``pedigree-ga4gh`` package (1.x; KIN relationship codes from the Kinship Ontology, Apache-2.0).

Written: every person as an individual (sex, vital status, conditions as diseases with their onset age as an ISO
8601 duration, the index person marked), relationships ``isBiologicalMotherOf`` (KIN:027), ``isBiologicalFatherOf``
(KIN:028), partners (KIN:026; consanguineous KIN:030; separated KIN:050 / KIN:051) and twins (monozygotic KIN:010,
polyzygotic KIN:011, unknown KIN:009). Conditions are written with their SNOMED CT concept (``SNOMEDCT:`` CURIEs, a
resource the package can declare); a condition with no SNOMED code is left out and listed. Not carried: genetic test results, tumour
pathology, Ashkenazi ancestry, adoption, ages of living people and names.

Read: a GA4GH Pedigree, a Phenopackets Family, Cohort or single Phenopacket; a document ``pedigree-ga4gh`` cannot
read, or one its validator finds errors in, raises :class:`~workstation.errors.MalformedFile` naming the path.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from workstation.errors import MalformedFile
from workstation.family.conditions import SCT, SNOMED, classify
from workstation.family.model import Diagnosis, Family, Partnership, Person

CREATED_BY = "workstation (issue 14)"
_SEX = {"female": "FEMALE", "male": "MALE"}
_AGE = re.compile(r"^P(\d+)Y")
NOT_CARRIED = ["genetic test results, tumour pathology, Ashkenazi ancestry, adoption, ages of living people and "
               "names are not part of this GA4GH export"]


def sniff(text: str) -> bool:
    head = text[:4096]
    if '"resourceType"' in head:
        return False
    keys = ('"individuals"', '"relationships"', '"indexPatients"', '"pedigree"', '"proband"')
    return any(k in head for k in keys) and ('"individualId"' in text[:200000] or '"subject"' in head)


def _snomed(d: Diagnosis) -> str:
    """The SNOMED CT CURIE of a diagnosis (its own code when it is SNOMED, else the concept of its key)."""
    if d.code and (d.code_system or "").startswith("http://snomed.info/sct"):
        return f"SNOMEDCT:{d.code}"
    codes = SNOMED.get(d.condition)
    return f"SNOMEDCT:{codes[0]}" if codes else ""


def to_kindred(fam: Family):
    from pedigree_ga4gh import Kindred, Member, Relation, Term, kin

    k = Kindred(re.sub(r"\s+", "_", fam.id or "family"))
    for p in fam.people.values():
        terms = [Term(d.label, id=_snomed(d), onset=f"P{d.age}Y" if d.age is not None else None)
                 for d in p.diagnoses]
        k.members.append(Member(p.id, sex=_SEX.get(p.sex, "UNKNOWN_SEX"),
                                vital_status="DECEASED" if p.deceased else None,
                                affected=True if p.diagnoses else None, terms=terms,
                                index=p.id in (fam.consultand, fam.proband)))
        if p.mother:
            k.relations.append(Relation(p.mother, kin.BIOLOGICAL_MOTHER, p.id))
        if p.father:
            k.relations.append(Relation(p.father, kin.BIOLOGICAL_FATHER, p.id))
    for pt in fam.couples():
        code = {(False, False): kin.PARTNER, (True, False): kin.CONSANGUINEOUS_PARTNER,
                (False, True): kin.SEPARATED_PARTNER,
                (True, True): kin.SEPARATED_CONSANGUINEOUS_PARTNER}[(pt.consanguineous, pt.separated)]
        k.relations.append(Relation(pt.a, code, pt.b))
    groups: dict[str, list[Person]] = {}
    for p in fam.people.values():
        if p.twin_group:
            groups.setdefault(p.twin_group, []).append(p)
    for members in groups.values():
        code = {"MZ": kin.MONOZYGOTIC_MULTIPLE_BIRTH_SIBLING,
                "DZ": kin.POLYZYGOTIC_MULTIPLE_BIRTH_SIBLING}.get(members[0].twin_type or "", kin.MULTIPLE_BIRTH_SIBLING)
        for a, b in zip(members, members[1:]):
            k.relations.append(Relation(a.id, code, b.id))
    return k


def write(fam: Family, form: str = "pedigree") -> tuple[str, list[str]]:
    """JSON text of a GA4GH Pedigree (``form='pedigree'``) or a Phenopackets v2 Family (``'family'``)."""
    import pedigree_ga4gh as pg

    k = to_kindred(fam)
    if form == "family":
        doc, warnings = pg.to_phenopackets_family(k, created_by=CREATED_BY, proband_id=fam.index_id)
    else:
        doc, warnings = pg.to_ga4gh_pedigree(k, created_by=CREATED_BY)
    lost = [f"{p.id}: {d.label} (no SNOMED CT code to write it with)" for p in fam.people.values()
            for d in p.diagnoses if not _snomed(d)]
    return pg.dumps(doc), list(NOT_CARRIED) + lost + [w for w in warnings if "no ontology term" not in w]


def _age(onset: str | None) -> int | None:
    m = _AGE.match(onset or "")
    return int(m.group(1)) if m else None


def read(path: Path | str, text: str | None = None) -> tuple[Family, dict]:
    import pedigree_ga4gh as pg
    from pedigree_ga4gh import kin

    p = str(path)
    if text is None:
        text = Path(path).read_text(encoding="utf-8-sig")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedFile(p, f"the file is not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno) from None
    errors = [f for f in pg.validate(doc) if f.severity == "error"]
    if errors:
        e = errors[0]
        raise MalformedFile(p, f"not a valid GA4GH pedigree or Phenopackets document: {e.message}",
                            field=e.path or None)
    try:
        k, warnings = pg.from_document(doc)
    except (ValueError, KeyError, TypeError) as exc:
        raise MalformedFile(p, f"the GA4GH document cannot be read ({exc})") from None
    fam = Family(id=k.id)
    for m in k.members:
        person = Person(m.id, sex={"FEMALE": "female", "MALE": "male"}.get(m.sex, "unknown"),
                        deceased=m.vital_status == "DECEASED")
        for t in m.terms:
            if t.excluded:
                continue
            prefix, _, code = (t.id or "").partition(":")
            system = SCT if prefix.upper() == "SNOMEDCT" else (prefix.upper() or None)
            person.diagnoses.append(Diagnosis(classify(SCT if system == SCT else None, code if system == SCT
                                                       else None, t.label), _age(t.onset), system,
                                              code or None, t.label))
        fam.people[m.id] = person
        if m.index and fam.consultand is None:
            fam.consultand = m.id
    twin_n = 0
    for r in k.relations:
        a, b = fam.people.get(r.individual), fam.people.get(r.relative)
        if a is None or b is None:
            continue
        if r.kin == kin.BIOLOGICAL_MOTHER:
            b.mother = a.id
        elif r.kin == kin.BIOLOGICAL_FATHER:
            b.father = a.id
        elif r.kin in (kin.PARTNER, kin.CONSANGUINEOUS_PARTNER, kin.SEPARATED_PARTNER,
                       kin.SEPARATED_CONSANGUINEOUS_PARTNER):
            fam.partnerships.append(Partnership(a.id, b.id, r.kin in (kin.CONSANGUINEOUS_PARTNER,
                                                                      kin.SEPARATED_CONSANGUINEOUS_PARTNER),
                                                r.kin in (kin.SEPARATED_PARTNER, kin.SEPARATED_CONSANGUINEOUS_PARTNER)))
        elif r.kin in (kin.MONOZYGOTIC_MULTIPLE_BIRTH_SIBLING, kin.POLYZYGOTIC_MULTIPLE_BIRTH_SIBLING,
                       kin.MULTIPLE_BIRTH_SIBLING):
            group = a.twin_group or b.twin_group
            if group is None:
                twin_n += 1
                group = f"t{twin_n}"
            kind = {kin.MONOZYGOTIC_MULTIPLE_BIRTH_SIBLING: "MZ",
                    kin.POLYZYGOTIC_MULTIPLE_BIRTH_SIBLING: "DZ"}.get(r.kin, "unknown")
            for x in (a, b):
                x.twin_group, x.twin_type = group, kind
    # partners implied by a shared child are not kept twice
    implied = {frozenset((c.father, c.mother)) for c in fam.people.values() if c.father and c.mother}
    fam.partnerships = [pt for pt in fam.partnerships
                        if pt.key() not in implied or pt.consanguineous or pt.separated]
    problems = fam.problems()
    if problems:
        raise MalformedFile(p, problems[0])
    return fam, {"version": pg.detect(doc), "records": len(k.members), "warnings": warnings}
