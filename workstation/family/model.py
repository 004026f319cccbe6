"""The family model: people, their biological and partner relationships, conditions, genetic tests, pathology.

Modelled on the GA4GH Pedigree conceptual model (``ga4gh/pedigree: docs/source/pedigree-model.rst``, as
summarised in ``shared/reference/risk/HEREDITARY.md`` 1b): an individual has a **sex assigned at birth** (always
present; ``unknown`` allowed) and, apart from it, an optional **gender** (NSGC 2022, Bennett et al. J Genet Couns
2022;31:1238: the symbol's shape shows gender, sex assigned at birth is written under it when it differs).
Relationships are typed: biological father/mother on the child; partnerships (with consanguinity and separation)
as their own records; monozygotic/dizygotic twins by a shared twin group; adoption in/out.

A :class:`Family` is a value: edits (``workstation.family.edit``) return a new family, so a change is one step
that can be stored, undone and audited. ``to_dict``/``from_dict`` give the JSON kept in the store. People keep
their insertion order, which is birth order within a sibship (left to right in the drawing).
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Iterable

SEXES = ("female", "male", "unknown")
# Condition keys the risk models and the file formats know; any other condition is kept by its code/display.
CANCERS = {
    "breast_cancer": "Breast cancer",
    "contralateral_breast_cancer": "Contralateral (second) breast cancer",
    "ovarian_cancer": "Ovarian cancer",
    "prostate_cancer": "Prostate cancer",
    "pancreatic_cancer": "Pancreatic cancer",
    "colorectal_cancer": "Colorectal cancer",
    "endometrial_cancer": "Endometrial cancer",
}
# Other cancers of the Lynch syndrome spectrum (revised Bethesda, Umar et al. JNCI 2004;96:261): stomach, small
# bowel, ovarian, pancreas, ureter/renal pelvis, biliary tract, brain (glioblastoma), sebaceous adenoma, keratoacanthoma.
LYNCH_OTHER = {
    "gastric_cancer": "Stomach cancer",
    "small_bowel_cancer": "Small-bowel cancer",
    "urothelial_cancer": "Ureter or renal-pelvis cancer",
    "biliary_cancer": "Biliary-tract cancer",
    "brain_cancer": "Brain tumour (glioblastoma)",
    "sebaceous_tumour": "Sebaceous gland adenoma or keratoacanthoma",
}
CONDITION_LABELS = {**CANCERS, **LYNCH_OTHER, "diabetes": "Diabetes (type 1 or 2)"}
GENES = ("BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "BARD1", "RAD51D", "RAD51C", "BRIP1", "HOXB13",
         "MLH1", "MSH2", "MSH6", "PMS2", "EPCAM")
TEST_TYPES = ("S", "T")             # CanRisk: S = mutation search (screening), T = direct (targeted) test
TEST_RESULTS = ("P", "N", "HET", "HOM", "VUS")   # positive, negative (CanRisk), HOXB13 het/hom, uncertain
PATHOLOGY_MARKERS = ("er", "pr", "her2", "ck14", "ck56")


@dataclass
class Diagnosis:
    """One condition of one person. ``age`` None = affected, age at diagnosis unknown (CanRisk ``AU``)."""

    condition: str                       # a key of CONDITION_LABELS, or "other"
    age: int | None = None
    code_system: str | None = None
    code: str | None = None
    display: str | None = None

    @property
    def label(self) -> str:
        return self.display or CONDITION_LABELS.get(self.condition, self.condition.replace("_", " "))


@dataclass
class GeneTest:
    """A germline genetic test result. ``test_type``: S (mutation search), T (targeted), "" (not stated)."""

    gene: str
    result: str                          # one of TEST_RESULTS
    test_type: str = ""
    variant: str | None = None           # HGVS or free text, when known

    @property
    def positive(self) -> bool:
        return self.result in ("P", "HET", "HOM")


@dataclass
class Person:
    id: str
    name: str = ""
    sex: str = "unknown"                 # sex assigned at birth: female | male | unknown
    gender: str | None = None            # gender identity when recorded (e.g. "woman", "man", "non-binary")
    father: str | None = None            # biological parents (ids in the same family)
    mother: str | None = None
    year_of_birth: int | None = None
    age: int | None = None               # age now, or at death when deceased (CanRisk "Age")
    deceased: bool = False
    ashkenazi: bool | None = None
    adopted: str | None = None           # "in" (adopted into this family) | "out" (adopted out) | None
    twin_group: str | None = None        # shared by the twins of one birth
    twin_type: str | None = None         # "MZ" | "DZ" | "unknown"
    diagnoses: list[Diagnosis] = field(default_factory=list)
    tests: list[GeneTest] = field(default_factory=list)
    pathology: dict[str, str] = field(default_factory=dict)   # marker (PATHOLOGY_MARKERS) -> "P" | "N"
    carrier: bool = False                # obligate / known carrier not expected to manifest (NSGC dot)
    inferred: bool = False               # added only to connect recorded relatives (e.g. the parents of an aunt)
    notes: str = ""
    refs: dict[str, str] = field(default_factory=dict)        # ids in outside records, e.g. {"fhir": "fmh-3"}

    def has(self, condition: str) -> bool:
        return any(d.condition == condition for d in self.diagnoses)

    def first_age(self, condition: str) -> int | None:
        ages = [d.age for d in self.diagnoses if d.condition == condition and d.age is not None]
        return min(ages) if ages else None

    def test(self, gene: str) -> GeneTest | None:
        return next((t for t in self.tests if t.gene == gene), None)

    @property
    def affected(self) -> bool:
        return bool(self.diagnoses)


@dataclass
class Partnership:
    a: str
    b: str
    consanguineous: bool = False
    separated: bool = False

    def key(self) -> frozenset:
        return frozenset((self.a, self.b))


@dataclass
class Family:
    id: str = "family"
    people: dict[str, Person] = field(default_factory=dict)
    partnerships: list[Partnership] = field(default_factory=list)
    proband: str | None = None           # first affected person to come to attention (arrow with P)
    consultand: str | None = None        # the person seeking counselling (arrow) - usually the patient
    risk_factors: dict[str, str] = field(default_factory=dict)   # the consultand's CanRisk header lines, as given

    # -- access ------------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.people)

    def __contains__(self, pid: str) -> bool:
        return pid in self.people

    def get(self, pid: str | None) -> Person | None:
        return self.people.get(pid) if pid else None

    @property
    def index_id(self) -> str | None:
        """The person risks are computed for: the consultand, else the proband."""
        return self.consultand or self.proband

    def children(self, pid: str) -> list[Person]:
        return [p for p in self.people.values() if pid in (p.father, p.mother)]

    def children_of(self, a: str, b: str | None) -> list[Person]:
        return [p for p in self.people.values() if {p.father, p.mother} == {a, b}]

    def parents(self, pid: str) -> list[Person]:
        p = self.people[pid]
        return [self.people[x] for x in (p.father, p.mother) if x and x in self.people]

    def siblings(self, pid: str, *, half: bool = False) -> list[Person]:
        """Full siblings (same two known parents); with ``half`` also those sharing exactly one parent."""
        p = self.people[pid]
        out = []
        for q in self.people.values():
            if q.id == pid:
                continue
            shared = sum(1 for a, b in ((p.father, q.father), (p.mother, q.mother)) if a and a == b)
            if shared == 2 or (half and shared == 1):
                out.append(q)
        return out

    def couples(self) -> list[Partnership]:
        """Explicit partnerships plus every pair who are the two parents of a child (each pair once)."""
        seen: dict[frozenset, Partnership] = {}
        for pt in self.partnerships:
            seen.setdefault(pt.key(), pt)
        for p in self.people.values():
            if p.father and p.mother and p.father in self.people and p.mother in self.people:
                k = frozenset((p.father, p.mother))
                if k not in seen:
                    seen[k] = Partnership(p.father, p.mother)
        return list(seen.values())

    def partners(self, pid: str) -> list[str]:
        out = []
        for pt in self.couples():
            if pid in (pt.a, pt.b):
                out.append(pt.b if pt.a == pid else pt.a)
        return out

    def partnership(self, a: str, b: str) -> Partnership | None:
        k = frozenset((a, b))
        return next((pt for pt in self.partnerships if pt.key() == k), None)

    def founders(self) -> list[Person]:
        return [p for p in self.people.values() if not p.father and not p.mother]

    # -- copy / serialise -----------------------------------------------------------------------------------------
    def copy(self) -> "Family":
        return copy.deepcopy(self)

    def to_dict(self) -> dict:
        return {"id": self.id, "proband": self.proband, "consultand": self.consultand,
                "risk_factors": [[k, v] for k, v in self.risk_factors.items()],   # a list keeps the file's order
                "people": [asdict(p) for p in self.people.values()],
                "partnerships": [asdict(pt) for pt in self.partnerships]}

    @classmethod
    def from_dict(cls, d: dict) -> "Family":
        people: dict[str, Person] = {}
        for raw in d.get("people", []):
            raw = dict(raw)
            raw["diagnoses"] = [Diagnosis(**x) for x in raw.get("diagnoses", [])]
            raw["tests"] = [GeneTest(**x) for x in raw.get("tests", [])]
            p = Person(**raw)
            people[p.id] = p
        return cls(id=d.get("id", "family"), people=people,
                   partnerships=[Partnership(**x) for x in d.get("partnerships", [])],
                   proband=d.get("proband"), consultand=d.get("consultand"),
                   risk_factors=dict(d.get("risk_factors") or {}))

    def problems(self) -> list[str]:
        """Structural problems in plain words (an empty list for a consistent family)."""
        out = []
        for p in self.people.values():
            if p.sex not in SEXES:
                out.append(f"{p.id}: sex assigned at birth must be female, male or unknown (got {p.sex!r})")
            for role, sex in (("father", "male"), ("mother", "female")):
                parent_id = getattr(p, role)
                if parent_id is None:
                    continue
                parent = self.people.get(parent_id)
                if parent is None:
                    out.append(f"{p.id}: the {role} {parent_id!r} is not in the family")
                elif parent.sex not in (sex, "unknown"):
                    out.append(f"{p.id}: the {role} {parent_id!r} is recorded as {parent.sex}")
            for d in p.diagnoses:
                if d.age is not None and p.age is not None and d.age > p.age:
                    out.append(f"{p.id}: diagnosed at {d.age} but aged {p.age}")
        for pid in (self.proband, self.consultand):
            if pid is not None and pid not in self.people:
                out.append(f"the index person {pid!r} is not in the family")
        cyc = _cycle(self)
        if cyc:
            out.append(f"{cyc} is recorded as their own ancestor")
        return out


def _cycle(f: Family) -> str | None:
    state: dict[str, int] = {}

    def visit(pid: str) -> str | None:
        if state.get(pid) == 1:
            return pid
        if state.get(pid) == 2:
            return None
        state[pid] = 1
        p = f.people[pid]
        for par in (p.father, p.mother):
            if par and par in f.people and (hit := visit(par)):
                return hit
        state[pid] = 2
        return None

    for pid in f.people:
        if (hit := visit(pid)):
            return hit
    return None


def new_id(family: Family, stem: str = "p") -> str:
    n = len(family.people) + 1
    while f"{stem}{n}" in family.people:
        n += 1
    return f"{stem}{n}"


def ordered(people: Iterable[Person]) -> list[Person]:
    return list(people)
