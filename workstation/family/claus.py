"""Claus model: breast cancer risk from the ages at onset of affected first- and second-degree female relatives.

Claus EB, Risch N, Thompson WD. Autosomal dominant inheritance of early-onset breast cancer: implications for
risk prediction. Cancer 1994;73(3):643-651 (PMID 8299086). The seven published tables give the cumulative
breast cancer risk by the woman's age 29, 39, 49, 59, 69, 79 for each 10-year band of the relatives' onset ages
(20-29 ... 70-79). The numbers below are as transcribed by ``color/risk-models`` (Apache-2.0,
``risk_models/claus/claus_tables.py`` @ 6ff636539dadeb0382d59f9df0e007a87fc131ca; not re-checked here against
the paper's printed tables). Table choice follows that port's rules (the highest risk among the tables the family
fits); the risk remaining to age 79 for a woman cancer-free at her current age is
``(R79 - R(age)) / (1 - R(age))`` with ``R(age)`` linearly interpolated between the tabulated ages.

Valid for women aged 29-79 (the tables start at 29; this project refuses younger women instead of extrapolating)
with affected relatives diagnosed at 20-79 (others cannot be placed in a table and are listed as not used).
"""
from __future__ import annotations

from workstation.family import kinship
from workstation.family.claus_tables import (
    MOTHER_MATERNAL_AUNT, MOTHER_PATERNAL_AUNT, ONE_FIRST_DEG, ONE_SECOND_DEG, TWO_FIRST_DEG,
    TWO_SECOND_DEG_DIFF_SIDE, TWO_SECOND_DEG_SAME_SIDE,
)
from workstation.family.model import Family
from workstation.models.score import Score

VERSION = "Claus-1994"
AGES = (29, 39, 49, 59, 69, 79)
CARD = {
    "id": "claus_breast", "name": "Claus breast cancer risk tables", "version": VERSION,
    "citation": "Claus EB, Risch N, Thompson WD. Cancer 1994;73(3):643-651 (PMID 8299086); tables as transcribed "
                "by color/risk-models (Apache-2.0) claus_tables.py @ 6ff6365.",
    "intended_use": "Estimate a woman's breast cancer risk to age 79 from her relatives' ages at onset.",
    "outcome": "Breast cancer", "horizon": "to age 79",
    "population": "White women in the US Cancer and Steroid Hormone (CASH) study, 1980-82.",
    "subgroup_differences": ["Derived in White US women; ovarian cancer, male breast cancer, paternal "
                             "relatives beyond the aunt and genetic test results are not used."],
    "limitations": ["At most two affected relatives are used (the highest-risk table); BOADICEA (CanRisk) "
                    "uses the whole pedigree."],
}


def _bin(age: int) -> int:
    return (age - 20) // 10


def _row(table, i: int, a: int, b: int | None):
    return table[i][a] if b is None else table[i][a][b]


def remaining(table, age: float, a: int, b: int | None = None) -> tuple[float, float]:
    """(risk from the current age to 79, cumulative risk to 79 from birth)."""
    lifetime = _row(table, -1, a, b)
    i, over = divmod(age - 29, 10)
    i = int(i)
    cur = _row(table, i, a, b)
    if over and i + 1 < len(AGES):
        cur += (_row(table, i + 1, a, b) - cur) * over / 10
    return (lifetime - cur) / (1 - cur), lifetime


def score(f: Family, index: str | None = None) -> Score:
    s = Score(model="claus_breast", version=VERSION, value=None, unit="probability", name=CARD["name"],
              card=dict(CARD))
    idx = index or f.index_id
    if idx is None or idx not in f.people:
        s.refused = "the family has no index person (proband or consultand)"
        return s
    me = f.people[idx]
    if me.sex != "female":
        s.refused = "the Claus tables are for women"
        return s
    if me.has("breast_cancer"):
        s.refused = "the woman already has breast cancer; the tables estimate the risk of a first breast cancer"
        return s
    if me.age is None:
        s.refused = "the woman's current age is needed"
        s.inputs_missing.append("current_age")
        return s
    if not 29 <= me.age <= 79:
        s.refused = f"age {me.age} is outside 29-79, the ages the Claus tables cover"
        return s
    rel = kinship.relatives(f, idx)
    first, second, mat2, pat2 = [], [], [], []
    mother_age, mat_aunts, pat_aunts = None, [], []
    unused = []
    for pid, k in rel.items():
        p = f.people[pid]
        if p.sex != "female" or not p.has("breast_cancer"):
            continue
        a = p.first_age("breast_cancer")
        if a is None or not 20 <= a <= 79:
            unused.append(f"{k.display} ({'age unknown' if a is None else f'diagnosed at {a}'})")
            continue
        if k.degree == 1:
            first.append(a)
            if k.code == "NMTH":
                mother_age = a
        elif k.degree == 2:
            second.append(a)
            (mat2 if k.side == "maternal" else pat2 if k.side == "paternal" else []).append(a)
            if k.code == "MAUNT":
                mat_aunts.append(a)
            elif k.code == "PAUNT":
                pat_aunts.append(a)
    first.sort(), second.sort(), mat2.sort(), pat2.sort(), mat_aunts.sort(), pat_aunts.sort()
    options: list[tuple[float, float, str]] = []

    def add(table, label, a, b=None):
        r, life = remaining(table, me.age, _bin(a), None if b is None else _bin(b))
        options.append((r, life, label))

    if first:
        add(ONE_FIRST_DEG, f"one first-degree relative (onset {first[0]})", first[0])
    if second:
        add(ONE_SECOND_DEG, f"one second-degree relative (onset {second[0]})", second[0])
    if mother_age is not None and mat_aunts:
        add(MOTHER_MATERNAL_AUNT, f"mother ({mother_age}) and maternal aunt ({mat_aunts[0]})", mother_age,
            mat_aunts[0])
    if mother_age is not None and pat_aunts:
        add(MOTHER_PATERNAL_AUNT, f"mother ({mother_age}) and paternal aunt ({pat_aunts[0]})", mother_age,
            pat_aunts[0])
    if len(first) > 1:
        add(TWO_FIRST_DEG, f"two first-degree relatives ({first[0]}, {first[1]})", first[0], first[1])
    for side, ages in (("maternal", mat2), ("paternal", pat2)):
        if len(ages) > 1:
            add(TWO_SECOND_DEG_SAME_SIDE, f"two {side} second-degree relatives ({ages[0]}, {ages[1]})", ages[0],
                ages[1])
    if mat2 and pat2:
        add(TWO_SECOND_DEG_DIFF_SIDE, f"second-degree relatives on both sides ({mat2[0]}, {pat2[0]})", mat2[0],
            pat2[0])
    s.inputs_used = {"current_age": me.age, "first_degree_onsets": first, "second_degree_onsets": second}
    if unused:
        s.notes.append("not used (onset age unknown or outside 20-79): " + "; ".join(unused))
    if not options:
        s.refused = "no first- or second-degree female relative with breast cancer diagnosed at 20-79"
        return s
    r, life, label = max(options)
    s.value = r
    s.extra = {"risk_to_79_from_birth": life, "table": label}
    s.band = f"table used: {label}"
    return s
