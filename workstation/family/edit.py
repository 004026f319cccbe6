"""Edits of a family, each one small step: ``(new family, change)`` from ``(family, arguments)``.

Every function leaves its input untouched and returns a copy with the change applied plus a change descriptor
(``{"op": ..., "person": ..., ...}``) that the store writes as one version and one audit row. The consultation's
undo/redo replays stored versions; nothing here knows about the store or the window.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any

from workstation.errors import WorkstationError
from workstation.family.model import (
    SEXES, Diagnosis, Family, GeneTest, Partnership, Person, new_id,
)

Change = dict[str, Any]
EDITABLE = {f.name for f in fields(Person)} - {"id", "father", "mother", "diagnoses", "tests", "refs"}


class FamilyEditError(WorkstationError):
    """An edit that would make the family inconsistent (the message says why)."""


def _need(f: Family, pid: str) -> Person:
    p = f.people.get(pid)
    if p is None:
        raise FamilyEditError(f"There is no person {pid!r} in this family.")
    return p


def _insert_after(f: Family, person: Person, after: str | None) -> None:
    """Insert keeping birth order: right after ``after`` (or at the end)."""
    if after is None or after not in f.people:
        f.people[person.id] = person
        return
    items = list(f.people.items())
    i = [k for k, _ in items].index(after) + 1
    items.insert(i, (person.id, person))
    f.people = dict(items)


def add_parents(f: Family, pid: str) -> tuple[Family, Change]:
    """Give ``pid`` a father and a mother (creating whichever is missing)."""
    g = f.copy()
    p = _need(g, pid)
    added = []
    if p.father is None:
        dad = Person(new_id(g), sex="male")
        g.people = {dad.id: dad, **g.people}
        p.father = dad.id
        added.append(dad.id)
    if p.mother is None:
        mum = Person(new_id(g), sex="female")
        g.people = {mum.id: mum, **g.people}
        p.mother = mum.id
        added.append(mum.id)
    if not added:
        raise FamilyEditError(f"{p.name or pid} already has both parents recorded.")
    return g, {"op": "add_parents", "person": pid, "added": added}


def add_sibling(f: Family, pid: str, sex: str = "unknown", **attrs) -> tuple[Family, Change]:
    """A full sibling of ``pid`` (parents are created first when they are not recorded)."""
    g, ch = f, None
    if _need(f, pid).father is None or f.people[pid].mother is None:
        g, ch = add_parents(f, pid)
    g = g.copy()
    p = g.people[pid]
    sib = _person(g, sex, attrs, father=p.father, mother=p.mother)
    last = ([q.id for q in g.siblings(pid)] or [pid])[-1]
    _insert_after(g, sib, last)
    return g, {"op": "add_sibling", "person": sib.id, "of": pid, "added": ([*ch["added"]] if ch else []) + [sib.id]}


def add_child(f: Family, pid: str, sex: str = "unknown", partner: str | None = None, **attrs) -> tuple[Family, Change]:
    """A child of ``pid`` with ``partner`` (an existing partner, or a new partner of unknown details)."""
    g = f.copy()
    p = _need(g, pid)
    added = []
    if partner is None:
        known = g.partners(pid)
        if known:
            partner = known[0]
        else:
            mate_sex = {"female": "male", "male": "female"}.get(p.sex, "unknown")
            mate = Person(new_id(g), sex=mate_sex)
            _insert_after(g, mate, pid)
            g.partnerships.append(Partnership(pid, mate.id))
            partner = mate.id
            added.append(mate.id)
    q = _need(g, partner)
    father, mother = (p.id, q.id) if p.sex == "male" or q.sex == "female" else (q.id, p.id)
    child = _person(g, sex, attrs, father=father, mother=mother)
    g.people[child.id] = child
    added.append(child.id)
    return g, {"op": "add_child", "person": child.id, "of": pid, "added": added}


def add_partner(f: Family, pid: str, sex: str | None = None, *, consanguineous: bool = False,
                **attrs) -> tuple[Family, Change]:
    g = f.copy()
    p = _need(g, pid)
    sex = sex or {"female": "male", "male": "female"}.get(p.sex, "unknown")
    mate = _person(g, sex, attrs)
    _insert_after(g, mate, pid)
    g.partnerships.append(Partnership(pid, mate.id, consanguineous=consanguineous))
    return g, {"op": "add_partner", "person": mate.id, "of": pid, "added": [mate.id]}


def _person(g: Family, sex: str, attrs: dict, **links) -> Person:
    if sex not in SEXES:
        raise FamilyEditError(f"Sex assigned at birth must be female, male or unknown (got {sex!r}).")
    p = Person(new_id(g), sex=sex, **links)
    for k, v in attrs.items():
        if k not in EDITABLE:
            raise FamilyEditError(f"{k!r} is not a field of a person.")
        setattr(p, k, v)
    return p


def update_person(f: Family, pid: str, **changes) -> tuple[Family, Change]:
    """Change simple fields (name, sex, gender, ages, deceased, ashkenazi, adopted, twins, carrier, notes...)."""
    g = f.copy()
    p = _need(g, pid)
    before = {}
    for k, v in changes.items():
        if k not in EDITABLE:
            raise FamilyEditError(f"{k!r} cannot be edited here.")
        if k == "sex" and v not in SEXES:
            raise FamilyEditError(f"Sex assigned at birth must be female, male or unknown (got {v!r}).")
        if k in ("age", "year_of_birth") and v is not None and (not isinstance(v, int) or v < 0):
            raise FamilyEditError(f"{k.replace('_', ' ')} must be a whole number of years.")
        before[k] = getattr(p, k)
        setattr(p, k, v)
    if "sex" in changes:
        for c in g.children(pid):
            if changes["sex"] == "male" and c.mother == pid or changes["sex"] == "female" and c.father == pid:
                c.father, c.mother = c.mother, c.father
    problems = g.problems()
    if problems:
        raise FamilyEditError(problems[0][0].upper() + problems[0][1:] + ".")
    return g, {"op": "update", "person": pid, "fields": sorted(changes)}


def set_diagnoses(f: Family, pid: str, diagnoses: list[Diagnosis]) -> tuple[Family, Change]:
    g = f.copy()
    p = _need(g, pid)
    for d in diagnoses:
        if d.age is not None and (d.age < 0 or d.age > 120):
            raise FamilyEditError(f"Age at diagnosis {d.age} is not plausible.")
        if d.age is not None and p.age is not None and d.age > p.age:
            raise FamilyEditError(f"{d.label} at {d.age} is later than the person's age ({p.age}).")
    p.diagnoses = list(diagnoses)
    return g, {"op": "diagnoses", "person": pid, "conditions": [d.condition for d in diagnoses]}


def set_tests(f: Family, pid: str, tests: list[GeneTest]) -> tuple[Family, Change]:
    g = f.copy()
    p = _need(g, pid)
    p.tests = list(tests)
    return g, {"op": "tests", "person": pid, "genes": [t.gene for t in tests]}


def set_index(f: Family, *, proband: str | None = ..., consultand: str | None = ...) -> tuple[Family, Change]:  # type: ignore[assignment]
    g = f.copy()
    if proband is not ...:
        if proband is not None:
            _need(g, proband)
        g.proband = proband
    if consultand is not ...:
        if consultand is not None:
            _need(g, consultand)
        g.consultand = consultand
    return g, {"op": "index", "proband": g.proband, "consultand": g.consultand}


def remove_person(f: Family, pid: str) -> tuple[Family, Change]:
    """Remove someone who has no recorded children (remove descendants first)."""
    g = f.copy()
    p = _need(g, pid)
    if g.children(pid):
        raise FamilyEditError(f"{p.name or pid} has children recorded; remove them first.")
    if pid in (g.proband, g.consultand):
        raise FamilyEditError("The proband or consultand cannot be removed.")
    del g.people[pid]
    g.partnerships = [pt for pt in g.partnerships if pid not in (pt.a, pt.b)]
    return g, {"op": "remove", "person": pid}


# -- relatives named by relationship (FHIR FamilyMemberHistory, the "add relative" menu) ---------------------------------
def _parent(g: Family, pid: str, role: str) -> str:
    p = g.people[pid]
    if getattr(p, role) is None:
        par = Person(new_id(g), sex="male" if role == "father" else "female", inferred=True)
        g.people = {par.id: par, **g.people}
        setattr(p, role, par.id)
    return getattr(p, role)


def _both_parents(g: Family, pid: str) -> tuple[str, str]:
    return _parent(g, pid, "father"), _parent(g, pid, "mother")


def _child(g: Family, father: str, mother: str, sex: str, *, inferred: bool = False) -> str:
    c = Person(new_id(g), sex=sex, father=father, mother=mother, inferred=inferred)
    g.people[c.id] = c
    return c.id


ROLE_SHAPES = {
    # code: (path from the index, sex of the relative)
    "MTH": ("mother", "female"), "NMTH": ("mother", "female"), "FTH": ("father", "male"),
    "NFTH": ("father", "male"), "PRN": ("parent", "unknown"), "NPRN": ("parent", "unknown"),
    "SIS": ("sibling", "female"), "NSIS": ("sibling", "female"), "BRO": ("sibling", "male"),
    "NBRO": ("sibling", "male"), "SIB": ("sibling", "unknown"), "NSIB": ("sibling", "unknown"),
    "TWINSIS": ("sibling", "female"), "TWINBRO": ("sibling", "male"), "TWIN": ("sibling", "unknown"),
    "HSIS": ("half_sibling", "female"), "HBRO": ("half_sibling", "male"), "HSIB": ("half_sibling", "unknown"),
    "DAU": ("child", "female"), "DAUC": ("child", "female"), "SON": ("child", "male"), "SONC": ("child", "male"),
    "CHILD": ("child", "unknown"), "NCHILD": ("child", "unknown"),
    "MGRMTH": ("mother.mother", "female"), "MGRFTH": ("mother.father", "male"),
    "PGRMTH": ("father.mother", "female"), "PGRFTH": ("father.father", "male"),
    "MAUNT": ("mother.sibling", "female"), "MUNCLE": ("mother.sibling", "male"),
    "PAUNT": ("father.sibling", "female"), "PUNCLE": ("father.sibling", "male"),
    "AUNT": ("parent?.sibling", "female"), "UNCLE": ("parent?.sibling", "male"),
    "MCOUSN": ("mother.sibling?.child", "unknown"), "PCOUSN": ("father.sibling?.child", "unknown"),
    "NIECE": ("sibling?.child", "female"), "NEPHEW": ("sibling?.child", "male"),
    "GRNDDAU": ("child?.child", "female"), "GRNDSON": ("child?.child", "male"),
    "HUSB": ("partner", "male"), "WIFE": ("partner", "female"), "SPS": ("partner", "unknown"),
}


def add_by_role(f: Family, index: str, code: str, sex: str | None = None, **attrs) -> tuple[Family, Change]:
    """Add the relative that HL7 v3 RoleCode ``code`` names, with any connecting people (marked ``inferred``).

    A connecting person is created when the relationship needs one that is not recorded: the parents of a
    sibling, the grandparents of an aunt, an aunt or uncle of unknown sex for a cousin, a sibling for a niece.
    AUNT/UNCLE without a side go on the mother's side only when nothing says otherwise; that choice is recorded
    in the change (``assumed``) so it is shown, not hidden.
    """
    code = code.upper()
    if code not in ROLE_SHAPES:
        raise FamilyEditError(f"The relationship code {code!r} is not one the family tree can place.")
    path, default_sex = ROLE_SHAPES[code]
    sex = sex if sex in SEXES else default_sex
    g = f.copy()
    _need(g, index)
    assumed = []
    added_before = set(g.people)
    steps = path.split(".")
    cur = index
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        opt = step.endswith("?")
        step = step.rstrip("?")
        if step in ("mother", "father"):
            if last:
                existing = getattr(g.people[cur], step)
                if existing and not g.people[existing].inferred:
                    raise FamilyEditError(f"A {step} is already recorded.")
                if existing:                      # an inferred placeholder becomes the recorded person
                    target = existing
                else:
                    target = _parent(g, cur, step)
                g.people[target].inferred = False
                cur = target
            else:
                cur = _parent(g, cur, step)
        elif step == "parent":
            if opt:
                assumed.append("mother's side (the record does not say which side)")
                cur = _parent(g, cur, "mother")
            else:
                father, mother = g.people[cur].father, g.people[cur].mother
                target = father if sex == "male" else mother if sex == "female" else None
                if target is None:
                    target = _parent(g, cur, "father" if sex == "male" else "mother")
                cur = target
                g.people[cur].inferred = False
        elif step == "sibling":
            father, mother = _both_parents(g, cur)
            cur = _child(g, father, mother, sex if last else "unknown", inferred=not last)
        elif step == "half_sibling":
            # a half-sibling shares one parent; which one is not stated: share the mother, with a new father
            mother = _parent(g, cur, "mother")
            other = Person(new_id(g), sex="male", inferred=True)
            g.people = {other.id: other, **g.people}
            assumed.append("shares the mother (the record does not say which parent)")
            cur = _child(g, other.id, mother, sex)
        elif step == "child":
            partners = g.partners(cur)
            if partners:
                mate = partners[0]
            else:
                p = g.people[cur]
                mate_sex = {"female": "male", "male": "female"}.get(p.sex, "unknown")
                m = Person(new_id(g), sex=mate_sex, inferred=True)
                _insert_after(g, m, cur)
                g.partnerships.append(Partnership(cur, m.id))
                mate = m.id
            p = g.people[cur]
            father, mother = (cur, mate) if p.sex == "male" or g.people[mate].sex == "female" else (mate, cur)
            cur = _child(g, father, mother, sex if last else "unknown", inferred=not last)
        elif step == "partner":
            m = Person(new_id(g), sex=sex)
            _insert_after(g, m, cur)
            g.partnerships.append(Partnership(cur, m.id))
            cur = m.id
    target = g.people[cur]
    for k, v in attrs.items():
        if k in EDITABLE or k in ("diagnoses", "tests", "refs"):
            setattr(target, k, v)
    added = [pid for pid in g.people if pid not in added_before]
    return g, {"op": "add_relative", "code": code, "person": cur, "of": index, "added": added,
               "assumed": assumed}
