"""PREMM5: probability of carrying a Lynch-syndrome (mismatch-repair) gene mutation, from the personal and family
history of cancer. Kastrinos F et al. J Clin Oncol 2017;35:2165-2172 (doi:10.1200/JCO.2016.69.6120).

Polytomous logistic model, coefficients as given in ``shared/reference/risk/HEREDITARY.md`` 1c (identical in two
independent implementations; this code is the project's own). Predictors: V0 male; V1 exactly one colorectal
cancer (CRC) in the person; V2 two or more; V3 endometrial cancer (EC); V4 another Lynch-syndrome cancer; V5 =
1 (one first-degree relative, FDR, with CRC) or 2 (two or more) + 0.5 (one second-degree relative, SDR) or 1 (two
or more); V6 the same for EC; V7 = 1 (any FDR with another LS cancer) + 0.5 (any SDR); V8 = sum over the person,
her FDRs and her SDRs of (youngest age at CRC - 45), 45 where there is none; V9 the same for EC; V10 current age.
``p_gene = exp(LP_gene) / (1 + sum exp(LP))``; the result is the probability of a mutation in any of MLH1,
MSH2/EPCAM, MSH6, PMS2. A result of **2.5 % or more** is the published threshold for referral for genetic
evaluation (Kastrinos 2017).

Ages are not clamped: the University of Michigan implementation clamps ages to the ranges of its development data
(proband CRC 27-77, FDR 28-81, SDR 30-85; EC 31-67 / 28-69 / 34-70; current age 22-83), which is not confirmed
from the paper's supplement; a note says when an age lies outside those ranges.
"""
from __future__ import annotations

import math

from workstation.family import kinship
from workstation.family.model import LYNCH_OTHER, Family
from workstation.models.score import Score

VERSION = "Kastrinos-2017"
THRESHOLD = 0.025
# (intercept, V0 ... V10) per gene (HEREDITARY.md 1c, from Kastrinos 2017)
COEF = {
    "MLH1": (-5.325, 0.904, 2.586, 3.183, 1.621, 1.276, 1.560, 0.804, 0.397, -0.0557, 0.0115, -0.0476),
    "MSH2/EPCAM": (-4.427, 0.937, 1.799, 2.593, 1.924, 1.585, 1.337, 0.670, 0.607, -0.0441, 0.0002, -0.0482),
    "MSH6": (-4.675, 0.816, 1.265, -53.205, 1.759, 0.538, 0.545, 0.923, 0.313, -0.0095, 0.0344, -0.0363),
    "PMS2": (-4.913, 0.294, 0.989, -0.354, 0.739, 0.395, -0.002, -0.426, -0.105, -0.0086, 0.0008, -0.0074),
}
NAMES = ["male", "one colorectal cancer", "two or more colorectal cancers", "endometrial cancer",
         "other Lynch-syndrome cancer", "relatives with colorectal cancer", "relatives with endometrial cancer",
         "relatives with other Lynch-syndrome cancers", "youngest ages at colorectal cancer",
         "youngest ages at endometrial cancer", "current age"]
MICHIGAN_RANGES = {"crc": ((27, 77), (28, 81), (30, 85)), "ec": ((31, 67), (28, 69), (34, 70)), "age": (22, 83)}
# "other LS cancer" for V4/V7: the Lynch spectrum apart from CRC and EC (ovarian, stomach, small bowel, urothelial,
# biliary, pancreas, brain, sebaceous) - as in PREMM5's question "other Lynch syndrome-associated cancer".
OTHER_LS = set(LYNCH_OTHER) | {"ovarian_cancer", "pancreatic_cancer"}

CARD = {
    "id": "premm5_lynch", "name": "PREMM5 Lynch syndrome carrier probability", "version": VERSION,
    "citation": "Kastrinos F, Uno H, Ukaegbu C, et al. Development and validation of the PREMM5 model for "
                "comprehensive risk assessment of Lynch syndrome. J Clin Oncol 2017;35(19):2165-2172. "
                "Coefficients: shared/reference/risk/HEREDITARY.md 1c.",
    "intended_use": "Decide whether to refer for Lynch-syndrome genetic evaluation (>= 2.5 %).",
    "outcome": "Germline mutation in MLH1, MSH2/EPCAM, MSH6 or PMS2", "horizon": "current carrier status",
    "population": "Individuals undergoing genetic testing for Lynch syndrome (development and validation "
                  "cohorts of Kastrinos 2017).",
    "subgroup_differences": ["Developed mostly in individuals of European ancestry referred for testing."],
    "limitations": ["Counts first- and second-degree relatives only; tumour MSI/IHC results are not inputs.",
                    "Ages are not clamped to the development ranges (not confirmed from the supplement)."],
}


def _score_side(n: int, weight: float) -> float:
    return 0.0 if n == 0 else weight if n == 1 else 2 * weight


def variables(f: Family, index: str | None = None) -> tuple[list[float], dict, list[str]]:
    """(V0..V10, inputs used with the relatives behind each, notes) for the index person."""
    idx = index or f.index_id
    me = f.people[idx]
    notes: list[str] = []
    rel = kinship.relatives(f, idx)
    fdr = [f.people[p] for p, k in rel.items() if k.degree == 1]
    sdr = [f.people[p] for p, k in rel.items() if k.degree == 2]
    n_crc = sum(1 for d in me.diagnoses if d.condition == "colorectal_cancer")
    other = lambda p: any(d.condition in OTHER_LS for d in p.diagnoses)  # noqa: E731
    fdr_crc = [p for p in fdr if p.has("colorectal_cancer")]
    sdr_crc = [p for p in sdr if p.has("colorectal_cancer")]
    fdr_ec = [p for p in fdr if p.has("endometrial_cancer")]
    sdr_ec = [p for p in sdr if p.has("endometrial_cancer")]

    def youngest(group, cond):
        ages = [p.first_age(cond) for p in group if p.first_age(cond) is not None]
        unknown = [p for p in group if p.has(cond) and p.first_age(cond) is None]
        return (min(ages) if ages else None), unknown

    v8 = v9 = 0.0
    ages_used = {}
    for key, cond, vi in (("crc", "colorectal_cancer", 8), ("ec", "endometrial_cancer", 9)):
        for gi, (label, group) in enumerate((("self", [me]), ("first-degree", fdr), ("second-degree", sdr))):
            a, unknown = youngest(group, cond)
            if unknown and a is None:
                notes.append(f"age at {cond.replace('_', ' ')} unknown for a {label} relative: counted as 45 "
                             "(no age effect)")
            if a is not None:
                lo, hi = MICHIGAN_RANGES[key][gi]
                if not lo <= a <= hi:
                    notes.append(f"youngest {key.upper()} age {a} ({label}) is outside {lo}-{hi}, the range the "
                                 "Michigan implementation clamps to; used unclamped")
                ages_used[f"{key}_age_{label}"] = a
                if vi == 8:
                    v8 += a - 45
                else:
                    v9 += a - 45
    age = me.age
    v = [1.0 if me.sex == "male" else 0.0, 1.0 if n_crc == 1 else 0.0, 1.0 if n_crc >= 2 else 0.0,
         1.0 if me.has("endometrial_cancer") else 0.0, 1.0 if other(me) else 0.0,
         _score_side(len(fdr_crc), 1.0) + _score_side(len(sdr_crc), 0.5),
         _score_side(len(fdr_ec), 1.0) + _score_side(len(sdr_ec), 0.5),
         (1.0 if any(other(p) for p in fdr) else 0.0) + (0.5 if any(other(p) for p in sdr) else 0.0),
         v8, v9, float(age) if age is not None else math.nan]
    used = {"sex": me.sex, "current_age": age, "own_colorectal_cancers": n_crc,
            "first_degree_with_crc": [p.id for p in fdr_crc], "second_degree_with_crc": [p.id for p in sdr_crc],
            "first_degree_with_ec": [p.id for p in fdr_ec], "second_degree_with_ec": [p.id for p in sdr_ec],
            **ages_used}
    if age is not None and not MICHIGAN_RANGES["age"][0] <= age <= MICHIGAN_RANGES["age"][1]:
        notes.append(f"current age {age} is outside 22-83, the range the Michigan implementation clamps to")
    return v, used, notes


def probabilities(v: list[float]) -> dict[str, float]:
    e = {g: math.exp(c[0] + sum(ci * vi for ci, vi in zip(c[1:], v))) for g, c in COEF.items()}
    total = 1.0 + sum(e.values())
    return {g: x / total for g, x in e.items()}


def score(f: Family, index: str | None = None) -> Score:
    s = Score(model="premm5_lynch", version=VERSION, value=None, unit="probability", name=CARD["name"],
              card=dict(CARD), contribution_scale="")
    idx = index or f.index_id
    if idx is None or idx not in f.people:
        s.refused = "the family has no index person (proband or consultand)"
        return s
    me = f.people[idx]
    if me.sex == "unknown":
        s.refused = "PREMM5 needs the person's sex (one of its predictors)"
        s.inputs_missing.append("sex")
        return s
    if me.age is None:
        s.refused = "PREMM5 needs the person's current age"
        s.inputs_missing.append("current_age")
        return s
    v, used, notes = variables(f, idx)
    p = probabilities(v)
    s.value = sum(p.values())
    s.extra = {g: x for g, x in p.items()}
    s.extra["threshold"] = THRESHOLD
    s.band = ("at or above 2.5 %: refer for genetic evaluation for Lynch syndrome" if s.value >= THRESHOLD
              else "below the 2.5 % referral threshold")
    s.inputs_used = used
    s.terms = {n: x for n, x in zip(NAMES, v)}
    s.notes = notes
    recorded = [q for pid, q in f.people.items() if pid != idx and not q.inferred]
    if not recorded:
        s.notes.append("no relatives recorded: the family history counts as none")
        s.defaults_used["family"] = "no relatives recorded"
    return s
