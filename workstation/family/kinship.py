"""Who each relative is to the index person: degree of relationship, side of the family, and the v3 RoleCode.

Degree (as the hereditary-risk models count it): first degree = parents, full siblings, children; second degree =
grandparents, aunts and uncles, nieces and nephews, half-siblings, grandchildren; third degree = first cousins,
great-grandparents and so on. Computed from the biological parent links: with a nearest common ancestor at ``a``
generations from the index and ``b`` from the relative, the degree is ``a + b - 1`` when the two share both
ancestors of that generation (a full relationship) and ``a + b`` when they share only one (a half relationship);
a direct ancestor or descendant at ``d`` generations is ``d``-th degree. Partners and in-laws have no degree.

Relationship codes are HL7 v3 RoleCode (``http://terminology.hl7.org/CodeSystem/v3-RoleCode``), the value set
FHIR ``FamilyMemberHistory.relationship`` uses.
"""
from __future__ import annotations

from dataclasses import dataclass

from workstation.family.model import Family

ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"


@dataclass(frozen=True)
class Kin:
    degree: int | None          # None: not a blood relative (partner, in-law) or not connected
    side: str | None            # "maternal" | "paternal" | None (own line: parents, siblings, descendants)
    code: str                   # v3 RoleCode
    display: str


def ancestors(f: Family, pid: str) -> dict[str, tuple[int, str | None]]:
    """Every ancestor of ``pid`` -> (generations up, first step: "mother" | "father")."""
    out: dict[str, tuple[int, str | None]] = {}
    frontier = [(pid, 0, None)]
    while frontier:
        nxt = []
        for cur, d, first in frontier:
            p = f.people.get(cur)
            if p is None:
                continue
            for role in ("mother", "father"):
                par = getattr(p, role)
                if par and par in f.people and par not in out:
                    out[par] = (d + 1, first or role)
                    nxt.append((par, d + 1, first or role))
        frontier = nxt
    return out


def kin(f: Family, index: str, other: str) -> Kin:
    """The relationship of ``other`` to ``index``."""
    if index == other:
        return Kin(0, None, "ONESELF", "self")
    if other in f.partners(index):
        p = f.people[other]
        return Kin(None, None, *_spouse(p.sex))
    up_i = ancestors(f, index)
    up_o = ancestors(f, other)
    if other in up_i:
        d, first = up_i[other]
        return Kin(d, first and _side(first) if d > 1 else None, *_ancestor_code(f, other, d, first))
    if index in up_o:
        d, _ = up_o[index]
        return Kin(d, None, *_descendant_code(f, other, d))
    common = [(up_i[a][0], up_o[a][0], a) for a in up_i.keys() & up_o.keys()]
    if not common:
        return Kin(None, None, "FAMMEMB", "family member")
    a, b = min((x, y) for x, y, _ in common)
    nearest = [c for x, y, c in common if (x, y) == (a, b)]
    full = len(nearest) >= 2
    degree = a + b - 1 if full else a + b
    firsts = {up_i[c][1] for c in nearest}
    side = _side(firsts.pop()) if a >= 2 and len(firsts) == 1 else None
    code, display = _collateral_code(f, other, a, b, full, side)
    return Kin(degree, side, code, display)


def _side(first: str) -> str:
    return "maternal" if first == "mother" else "paternal"


def _sexed(sex: str, female: tuple[str, str], male: tuple[str, str], other: tuple[str, str]) -> tuple[str, str]:
    return female if sex == "female" else male if sex == "male" else other


def _spouse(sex: str) -> tuple[str, str]:
    return _sexed(sex, ("WIFE", "wife"), ("HUSB", "husband"), ("SPS", "spouse"))


def _ancestor_code(f: Family, pid: str, d: int, first: str | None) -> tuple[str, str]:
    sex = f.people[pid].sex
    if d == 1:
        return _sexed(sex, ("NMTH", "natural mother"), ("NFTH", "natural father"), ("NPRN", "natural parent"))
    if d == 2:
        pre = "M" if first == "mother" else "P"
        side = "maternal" if first == "mother" else "paternal"
        return _sexed(sex, (f"{pre}GRMTH", f"{side} grandmother"), (f"{pre}GRFTH", f"{side} grandfather"),
                      ("GRPRN", "grandparent"))
    if d == 3:
        return _sexed(sex, ("GGRMTH", "great grandmother"), ("GGRFTH", "great grandfather"),
                      ("GGRPRN", "great grandparent"))
    return ("EXT", "extended family member")


def _descendant_code(f: Family, pid: str, d: int) -> tuple[str, str]:
    sex = f.people[pid].sex
    if d == 1:
        return _sexed(sex, ("DAU", "natural daughter"), ("SON", "natural son"), ("NCHILD", "natural child"))
    if d == 2:
        return _sexed(sex, ("GRNDDAU", "granddaughter"), ("GRNDSON", "grandson"), ("GRNDCHILD", "grandchild"))
    return ("EXT", "extended family member")


def _collateral_code(f: Family, pid: str, a: int, b: int, full: bool, side: str | None) -> tuple[str, str]:
    sex = f.people[pid].sex
    pre = {"maternal": "M", "paternal": "P"}.get(side or "", "")
    if (a, b) == (1, 1):
        if full:
            return _sexed(sex, ("NSIS", "natural sister"), ("NBRO", "natural brother"), ("NSIB", "natural sibling"))
        return _sexed(sex, ("HSIS", "half-sister"), ("HBRO", "half-brother"), ("HSIB", "half-sibling"))
    if (a, b) == (2, 1):
        if pre:
            return _sexed(sex, (f"{pre}AUNT", f"{side} aunt"), (f"{pre}UNCLE", f"{side} uncle"),
                          ("EXT", f"{side} aunt or uncle"))
        return _sexed(sex, ("AUNT", "aunt"), ("UNCLE", "uncle"), ("EXT", "aunt or uncle"))
    if (a, b) == (1, 2):
        return _sexed(sex, ("NIECE", "niece"), ("NEPHEW", "nephew"), ("NIENEPH", "niece/nephew"))
    if (a, b) == (2, 2):
        return (f"{pre}COUSN", f"{side} first cousin") if pre else ("COUSN", "first cousin")
    return ("EXT", "extended family member")


def relatives(f: Family, index: str | None = None) -> dict[str, Kin]:
    """Every other person in the family with their relationship to the index person."""
    idx = index or f.index_id
    if idx is None or idx not in f.people:
        return {}
    return {pid: kin(f, idx, pid) for pid in f.people if pid != idx}


def by_degree(f: Family, degree: int, index: str | None = None) -> list[str]:
    return [pid for pid, k in relatives(f, index).items() if k.degree == degree]
