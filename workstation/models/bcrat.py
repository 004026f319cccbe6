"""Inputs of the Gail model (NCI BCRAT) in BCRA's own names and codes -> the graph's feature row, or a refusal.

Accepted inputs (``workstation score gail_bcrat --inputs JSON``), exactly as the CRAN package BCRA 2.1.2 names and
codes them: ``T1`` current age, ``T2`` projection age, ``N_Biop`` number of breast biopsies (99 unknown),
``HypPlas`` atypical hyperplasia (0 no, 1 yes, 99 unknown / not applicable), ``AgeMen`` age at menarche (99
unknown), ``Age1st`` age at first live birth (98 nulliparous, 99 unknown), ``N_Rels`` first-degree relatives with
breast cancer (99 unknown), ``Race`` 1-11. Two eligibility answers of NCI's online tool are also taken:
``prior_breast_cancer`` and ``brca_carrier`` (the model does not apply when either is true).

The recoding follows BCRA ``R/recode.check.R`` (github cran/BCRA @ 05bfdea1a18c78f411afa9c8c0fbcdf0ccae7499);
every combination that BCRA marks as an error (``Error_Ind = 1``) is refused here with the reason in words:

* T1 < 20 or >= 90, T2 > 90 or T1 >= T2 (and, as NCI's tool does, T1 < 35);
* HypPlas other than 99 when there was no biopsy or the number is unknown; other than 0/1/99 otherwise;
* AgeMen above the current age; Age1st before menarche or after the current age (not for Race 2, whose model
  has no Age1st term); Race outside 1-11.

Category recoding: NB 0/1/2+ (99 -> 0); AM >=14 or unknown -> 0, 12-13 -> 1, <12 -> 2; AF <20 or unknown -> 0,
20-24 -> 1, 25-29 or nulliparous -> 2, >=30 -> 3; NR 0/1/2+ (99 -> 0); R_Hyp 1.00 (no biopsy or unknown), 0.93
(biopsy, no atypia), 1.82 (atypia). Race 2 (CARE): AF -> 0, AM 2 -> 1. Races 3 and 5 (SFBCS): NB 2 -> 1,
AF 25-29 -> 1, AF >=30 -> 2 (nulliparous stays 2), NR 2 -> 1; race 3 also AM -> 0. Races 6-11 (AABCS): NR 2 -> 1.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from workstation.models.encode import Encoded

CODE_INPUTS = ("N_Biop", "HypPlas", "AgeMen", "Age1st", "N_Rels")
LABELS = {"T1": "current age", "T2": "projection age", "N_Biop": "biopsies", "HypPlas": "atypical hyperplasia",
          "AgeMen": "menarche", "Age1st": "first live birth", "N_Rels": "first-degree relatives",
          "Race": "BCRA race code", "prior_breast_cancer": "prior breast cancer", "brca_carrier": "BRCA carrier"}
UNKNOWN = 99
NULLIPAROUS = 98


def _num(name: str, raw: Any, problems: list[str]) -> float | None:
    if isinstance(raw, bool):
        problems.append(f"{name} must be a number, not true/false")
        return None
    try:
        v = float(raw)
    except (TypeError, ValueError):
        problems.append(f"{name} must be a number (got {raw!r})")
        return None
    if math.isnan(v) or math.isinf(v):
        problems.append(f"{name} is not a finite number")
        return None
    return v


def _flag(name: str, raw: Any, problems: list[str]) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return raw.strip().lower() in ("true", "yes", "1")
    problems.append(f"{name} must be true or false (got {raw!r})")
    return False


def categories(t1: float, v: dict[str, float], race: int) -> tuple[dict[str, float], list[str]]:
    """BCRA's categories for raw answers ``v`` (after the range checks); returns (cats, refusal reasons)."""
    why: list[str] = []
    nb_raw, hyp = v["N_Biop"], v["HypPlas"]
    if nb_raw in (0, UNKNOWN):
        if hyp != UNKNOWN:
            why.append("HypPlas must be 99 (not applicable) when there was no biopsy or the number of biopsies is "
                       "unknown (BCRA requirement A)")
        nb = 0
    else:
        if hyp not in (0, 1, UNKNOWN):
            why.append("HypPlas must be 0 (no atypical hyperplasia), 1 (atypical hyperplasia) or 99 (unknown) "
                       "(BCRA requirement B)")
        nb = 1 if nb_raw == 1 else 2
    r_hyp = 1.0 if nb == 0 else {0: 0.93, 1: 1.82}.get(int(hyp), 1.0)
    am_raw = v["AgeMen"]
    if am_raw == UNKNOWN:
        am = 0
    elif am_raw > t1:
        why.append(f"AgeMen {am_raw:g} is after the current age T1 {t1:g}")
        am = 0
    elif am_raw <= 0:
        why.append("AgeMen must be a positive age or 99 (unknown)")
        am = 0
    else:
        am = 0 if am_raw >= 14 else 1 if am_raw >= 12 else 2
    af_raw = v["Age1st"]
    if af_raw in (UNKNOWN,):
        af = 0
    elif af_raw == NULLIPAROUS:
        af = 2
    else:
        af = 0 if af_raw < 20 else 1 if af_raw < 25 else 2 if af_raw < 30 else 3
        if race != 2:
            if af_raw > t1:
                why.append(f"Age1st {af_raw:g} is after the current age T1 {t1:g}")
            elif am_raw != UNKNOWN and af_raw < am_raw:
                why.append(f"Age1st {af_raw:g} is before the age at menarche AgeMen {am_raw:g}")
    nr_raw = v["N_Rels"]
    nr = 0 if nr_raw in (0, UNKNOWN) else 1 if nr_raw == 1 else 2
    if race == 2:                       # CARE model: no Age1st term; menarche <12 grouped with 12-13
        af = 0
        am = min(am, 1)
    if race in (3, 5):                  # SFBCS models
        nb = min(nb, 1)
        if af_raw != NULLIPAROUS and af == 2:
            af = 1
        elif af == 3:
            af = 2
        nr = min(nr, 1)
        if race == 3:
            am = 0
    if 6 <= race <= 11:                 # AABCS model: 2+ relatives pooled with 1
        nr = min(nr, 1)
    return {"NB_Cat": nb, "AM_Cat": am, "AF_Cat": af, "NR_Cat": nr, "R_Hyp": r_hyp}, why


def encode(card: dict, inputs: dict[str, Any]) -> Encoded:
    features = card["features"]
    index = {f: i for i, f in enumerate(features)}
    out = Encoded(row=np.zeros(len(features), dtype=np.float64))
    problems: list[str] = []
    specs = {s["name"]: s for s in card["inputs"]}
    raw: dict[str, float] = {}
    for name in ("T1", "T2", "Race"):
        if inputs.get(name) is None:
            out.missing.append(name)
            continue
        v = _num(name, inputs[name], problems)
        if v is not None:
            raw[name] = v
            out.used[name] = v
    for name in CODE_INPUTS:
        value = inputs.get(name)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = UNKNOWN
            out.missing.append(name)
            out.defaults[name] = specs[name]["default_note"]
        v = _num(name, value, problems)
        if v is None:
            continue
        allowed_special = (UNKNOWN, NULLIPAROUS) if name == "Age1st" else (UNKNOWN,)
        if name in ("N_Biop", "N_Rels") and (v < 0 or v != int(v) or (v > 98 and v not in allowed_special)):
            problems.append(f"{name} must be a whole number of {'biopsies' if name == 'N_Biop' else 'relatives'} "
                            f"or 99 (unknown) (got {v:g})")
        elif name == "HypPlas" and v not in (0, 1, UNKNOWN):
            problems.append(f"HypPlas must be 0, 1 or 99 (got {v:g})")
        elif name in ("AgeMen", "Age1st") and v < 0:
            problems.append(f"{name} must be an age in years or a BCRA code (got {v:g})")
        raw[name] = v
        if name not in out.defaults:
            out.used[name] = v
    flags = {}
    for name in ("prior_breast_cancer", "brca_carrier"):
        if inputs.get(name) is None:
            flags[name] = False
            out.defaults[name] = specs[name]["default_note"]
        else:
            flags[name] = _flag(name, inputs[name], problems)
            out.used[name] = flags[name]
    if out.missing and any(m in ("T1", "T2", "Race") for m in out.missing):
        problems.insert(0, "missing " + ", ".join(m for m in out.missing if m in ("T1", "T2", "Race")))
    if flags["prior_breast_cancer"]:
        problems.insert(0, "the model does not apply to a woman with a history of breast cancer, DCIS or LCIS, or "
                           "chest radiation for Hodgkin lymphoma (NCI BCRAT eligibility)")
    if flags["brca_carrier"]:
        problems.insert(0, "the model does not apply to a carrier of a BRCA1 or BRCA2 mutation or a hereditary "
                           "breast cancer syndrome: use a pedigree model such as BOADICEA (CanRisk) (NCI BCRAT "
                           "eligibility)")
    t1, t2, race = raw.get("T1"), raw.get("T2"), raw.get("Race")
    if t1 is not None and not 20 <= t1 < 90:
        problems.append(f"T1 {t1:g} is outside BCRA's range 20 <= T1 < 90")
    elif t1 is not None and t1 < 35:
        problems.append(f"T1 {t1:g}: NCI's Breast Cancer Risk Assessment Tool is validated for women aged 35 or "
                        "older")
    if t2 is not None and t2 > 90:
        problems.append(f"T2 {t2:g} is after age 90, the end of BCRA's rate tables")
    if t1 is not None and t2 is not None and not t1 < t2:
        problems.append(f"the projection age T2 {t2:g} must be after the current age T1 {t1:g}")
    if race is not None and (race != int(race) or not 1 <= race <= 11):
        problems.append(f"Race must be a BCRA code 1-11 (got {race:g})")
    if not problems and t1 is not None and race is not None and all(n in raw for n in CODE_INPUTS):
        cats, why = categories(t1, raw, int(race))
        problems += why
        for k, val in cats.items():
            out.row[index[k]] = val
        out.row[index["T1"]] = t1
        out.row[index["T2"]] = t2
        out.row[index[f"race_{int(race)}"]] = 1.0
    if problems:
        out.row = None
        out.refusal = "; ".join(problems)
    return out
