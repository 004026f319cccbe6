"""Family criteria for Lynch syndrome that are free to encode, listed with the relatives that meet them.

* **Amsterdam II** (Vasen HF, Watson P, Mecklin JP, Lynch HT. Gastroenterology 1999;116:1453-1456): at least three
  relatives with a Lynch-associated cancer (colorectal, endometrial, small bowel, ureter or renal pelvis); one of
  them a first-degree relative of the other two; at least two successive generations affected; at least one
  diagnosed before age 50. (Two further conditions - familial adenomatous polyposis excluded, tumours verified by
  pathology - cannot be checked from a pedigree and are stated as such.)
* **Revised Bethesda** (Umar A et al. J Natl Cancer Inst 2004;96:261-268), for testing a colorectal tumour for
  microsatellite instability: (1) colorectal cancer before 50; (2) synchronous or metachronous colorectal or other
  Lynch-associated tumours at any age; (3) MSI-H histology before 60 (needs pathology: not assessable here);
  (4) colorectal cancer with one or more first-degree relatives with a Lynch-associated tumour, one of the cancers
  before 50; (5) colorectal cancer with two or more first- or second-degree relatives with Lynch-associated
  tumours at any age. Evaluated for every person in the family with colorectal cancer.

Lynch-associated tumours (revised Bethesda): colorectal, endometrial, stomach, ovarian, pancreas, ureter and renal
pelvis, biliary tract, brain (glioblastoma), sebaceous gland adenomas and keratoacanthomas, small bowel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from workstation.family import kinship
from workstation.family.model import Family

AMSTERDAM_CANCERS = {"colorectal_cancer", "endometrial_cancer", "small_bowel_cancer", "urothelial_cancer"}
BETHESDA_TUMOURS = {"colorectal_cancer", "endometrial_cancer", "gastric_cancer", "ovarian_cancer",
                    "pancreatic_cancer", "urothelial_cancer", "biliary_cancer", "brain_cancer", "sebaceous_tumour",
                    "small_bowel_cancer"}


@dataclass
class CriterionResult:
    name: str
    source: str
    met: bool
    people: list[str] = field(default_factory=list)        # ids of the relatives meeting it
    detail: list[str] = field(default_factory=list)        # which parts, in words
    not_assessable: list[str] = field(default_factory=list)


def generations(f: Family) -> dict[str, int]:
    """Generation number of everyone (founders 0; a child one below its deepest parent; partners aligned)."""
    depth: dict[str, int] = {}

    def d(pid: str, seen=()) -> int:
        if pid in depth:
            return depth[pid]
        p = f.people[pid]
        pars = [x for x in (p.father, p.mother) if x and x in f.people and x not in seen]
        depth[pid] = 0 if not pars else 1 + max(d(x, seen + (pid,)) for x in pars)
        return depth[pid]

    for pid in f.people:
        d(pid)
    changed = True
    while changed:                    # a founder married in sits at the generation of the partner
        changed = False
        for pt in f.couples():
            a, b = pt.a, pt.b
            if a in depth and b in depth and depth[a] != depth[b]:
                lo = a if depth[a] < depth[b] else b
                hi = b if lo == a else a
                if not f.people[lo].father and not f.people[lo].mother:
                    depth[lo] = depth[hi]
                    changed = True
    return depth


def _ages(p, conds) -> list[int]:
    return [d.age for d in p.diagnoses if d.condition in conds and d.age is not None]


def amsterdam_ii(f: Family) -> CriterionResult:
    r = CriterionResult("Amsterdam II", "Vasen et al. Gastroenterology 1999;116:1453", False,
                        not_assessable=["familial adenomatous polyposis excluded", "tumours verified by pathology"])
    affected = [pid for pid, p in f.people.items() if any(d.condition in AMSTERDAM_CANCERS for d in p.diagnoses)]
    if len(affected) < 3:
        r.detail.append(f"{len(affected)} relative(s) with a Lynch-associated cancer (3 needed)")
        return r
    gen = generations(f)
    best: set[str] = set()
    for hub in affected:
        fdr = [x for x in affected if x != hub and kinship.kin(f, hub, x).degree == 1]
        for a, b in combinations(fdr, 2):
            group = {hub, a, b}
            gens = {gen[x] for x in group}
            successive = any(g + 1 in gens for g in gens)
            young = any(age < 50 for x in group for age in _ages(f.people[x], AMSTERDAM_CANCERS))
            if successive and young:
                best |= group
                best |= {x for x in fdr if gen[x] in gens}
    if best:
        r.met = True
        r.people = [pid for pid in f.people if pid in best]
        r.detail.append("three or more relatives with Lynch-associated cancers, one a first-degree relative of "
                        "the other two, in two successive generations, one diagnosed before 50")
    else:
        r.detail.append("no group of three relatives fits: one a first-degree relative of the other two, two "
                        "successive generations, one diagnosed before 50")
    return r


def bethesda(f: Family) -> CriterionResult:
    r = CriterionResult("Revised Bethesda", "Umar et al. J Natl Cancer Inst 2004;96:261", False,
                        not_assessable=["criterion 3 (MSI-H histology before 60) needs tumour pathology"])
    for pid, p in f.people.items():
        crc = _ages(p, {"colorectal_cancer"})
        if not p.has("colorectal_cancer"):
            continue
        who = p.name or (kinship.kin(f, f.index_id, pid).display.replace("natural ", "")
                         if f.index_id and pid != f.index_id else "the patient" if pid == f.index_id else pid)
        met = []
        if any(a < 50 for a in crc):
            met.append("1 (colorectal cancer before 50)")
        n_tumours = sum(1 for d in p.diagnoses if d.condition in BETHESDA_TUMOURS)
        if n_tumours >= 2:
            met.append("2 (synchronous or metachronous Lynch-associated tumours)")
        rel = kinship.relatives(f, pid)
        ls_rel = [x for x, k in rel.items() if k.degree in (1, 2)
                  and any(d.condition in BETHESDA_TUMOURS for d in f.people[x].diagnoses)]
        fdr = [x for x in ls_rel if rel[x].degree == 1]
        young = any(a < 50 for a in crc) or any(a < 50 for x in fdr for a in _ages(f.people[x], BETHESDA_TUMOURS))
        if fdr and young:
            met.append("4 (first-degree relative with a Lynch-associated tumour, one cancer before 50)")
        if len(ls_rel) >= 2:
            met.append("5 (two or more first- or second-degree relatives with Lynch-associated tumours)")
        if met:
            r.met = True
            r.people.append(pid)
            r.detail.append(f"{who}: criteria " + "; ".join(met))
    if not r.met:
        r.detail.append("no one with colorectal cancer meets criteria 1, 2, 4 or 5")
    return r


def evaluate(f: Family) -> list[CriterionResult]:
    return [amsterdam_ii(f), bethesda(f)]
