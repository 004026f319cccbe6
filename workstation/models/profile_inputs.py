"""Map a stored patient (PatientProfile) to each model's inputs, with the record each value came from.

Rules (also shown to the user through ``Score.sources`` / ``Score.notes``):

* Labs and vitals by LOINC code (``clinical_codes.LOINC``), converted to the model's unit (UCUM) by the unit
  policy (:mod:`workstation.units`), the most recent
  value on or before ``profile.as_of`` within ``WINDOWS_DAYS``. The windows are this project's defaults for a
  point-of-care estimate, not guideline values.
* eGFR: computed with the race-free CKD-EPI 2021 equation (the one PREVENT uses; MODELS.md section 2) from the
  most recent creatinine when there is one, else the most recent reported eGFR (its LOINC code names the
  equation).
* Diabetes, treated hypertension, statin, warfarin-interacting drugs: from active conditions and medications.
  No such record counts as "no" and is marked ``assumed: true`` in the source (a record can be incomplete).
* Smoking: only from a smoking-status observation; never assumed.
* IWPC genotypes: from the pharmacogenomics results (``pgx``) or, failing that, outside calls in the store.
* Race is not part of the store's schema: PCE (race-specific) is refused unless race is given as an override;
  IWPC uses its "missing or mixed race" category.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from workstation import units
from workstation.models import clinical_codes as cc
from workstation.models import prs_match

WINDOWS_DAYS = {"total_chol": 5 * 365, "hdl": 5 * 365, "sbp": 365, "bmi": 365, "weight": 365, "height": 20 * 365,
                "waist": 365, "creatinine": 365, "egfr": 365, "smoking": 2 * 365, "kappa_flc": 365,
                "lambda_flc": 365}
# The unit each model input is expected in (UCUM). Values in other units are converted by the unit policy
# (workstation/units.py, resources/units/conversions.tsv: cholesterol 0.02586 mmol/L per mg/dL as PREVENT uses it,
# creatinine 88.42 umol/L per mg/dL; free light chains mg/L -> mg/dL by the UCUM prefix rows); a unit it cannot
# convert is named in the notes and the value is not used.
MODEL_UNITS = {"total_chol": "mg/dL", "hdl": "mg/dL", "sbp": "mm[Hg]", "bmi": "kg/m2", "height": "cm",
               "weight": "kg", "waist": "cm", "creatinine": "mg/dL", "egfr": "mL/min/{1.73_m2}",
               "kappa_flc": "mg/dL", "lambda_flc": "mg/dL"}
# Why a unit is required, said where a value without one is left out.
NO_UNIT_REASON = {
    "kappa_flc": ("free light chains are reported in mg/L or mg/dL, a factor of 10 apart, and a value read in the "
                  "wrong one still passes the model's range check 83 % of the time"),
    "lambda_flc": ("free light chains are reported in mg/L or mg/dL, a factor of 10 apart, and a value read in the "
                   "wrong one still passes the model's range check 83 % of the time"),
}


@dataclass
class Fact:
    value: Any
    source: dict = field(default_factory=dict)


@dataclass
class PatientFacts:
    """Everything the mapper found for one patient, by model-input name."""

    facts: dict[str, Fact] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unusable: dict[str, str] = field(default_factory=dict)   # input name -> why the record's value was not used

    def get(self, name: str):
        f = self.facts.get(name)
        return None if f is None else f.value


def _ts(v) -> datetime | None:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    t = pd.Timestamp(v)
    if pd.isna(t):
        return None
    return t.tz_convert(None).to_pydatetime() if t.tzinfo else t.to_pydatetime()


def _obs_index(profile) -> dict:
    """Positions of the numeric observations by code (built once per :func:`gather_facts`)."""
    obs = profile.observations
    if obs is None or obs.empty:
        return {}
    num = obs["value_num"].notna().to_numpy()
    codes = obs["code"].astype(str).to_numpy()
    out: dict[str, list[int]] = {}
    for i in np.flatnonzero(num):
        out.setdefault(codes[i], []).append(int(i))
    return out


def _latest_obs(profile, key: str, notes: list[str], idx: dict | None = None) -> Fact | None:
    obs = profile.observations
    if obs is None or obs.empty:
        return None
    idx = _obs_index(profile) if idx is None else idx
    pos = [i for code in cc.LOINC[key] for i in idx.get(code, ())]
    if not pos:
        return None
    rows = obs.iloc[sorted(pos)]
    as_of = _ts(profile.as_of) or datetime.now()
    start = as_of - timedelta(days=WINDOWS_DAYS[key])
    best = None
    unit_refused = False
    for r in rows.to_dict("records"):
        t = _ts(r["effective"])
        if t is None or t > as_of or t < start:
            continue
        raw_unit = r["unit"]
        no_unit = raw_unit is None or (isinstance(raw_unit, float) and pd.isna(raw_unit)) or not str(raw_unit).strip()
        value = None if no_unit else units.convert(float(r["value_num"]), raw_unit, MODEL_UNITS[key],
                                                   code=str(r["code"]))
        if value is None:
            what = f"{r['display'] or r['code']} on {t.date()}"
            if no_unit:
                why = NO_UNIT_REASON.get(key, "a value is only used with its unit")
                notes.append(f"{what} has no unit, so it is not used ({why})")
            else:
                notes.append(f"{what} has unit {raw_unit!r}, which cannot be converted to "
                             f"{units.unit_text(MODEL_UNITS[key])}; not used")
            unit_refused = True
            continue
        rank = (t, cc.LOINC[key].index(str(r["code"])) * -1)
        if best is None or rank > best[0]:
            best = (rank, r, t, float(value))
    if best is None:
        if not unit_refused:        # the unit note already says why there is no value
            notes.append(f"no {key.replace('_', ' ')} within the last {WINDOWS_DAYS[key] // 365} year(s)")
        return None
    _, r, t, value = best
    return Fact(value, {"table": "observations", "code": str(r["code"]), "display": r["display"],
                        "value": r["value_num"], "unit": r["unit"], "date": t.date().isoformat(),
                        "resource_id": r.get("resource_id"), "window_days": WINDOWS_DAYS[key]})


def _ckd_epi_2021(scr_mgdl: float, age: float, female: bool) -> float:
    """Race-free CKD-EPI 2021 creatinine equation (MODELS.md section 2, from preventr)."""
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = scr_mgdl / kappa
    return 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938 ** age * (1.012 if female else 1.0)


def _med_texts(profile) -> tuple[list[dict], list[str], list[bool]]:
    """Medication rows, their lower-cased text and whether each is active (built once per gather_facts)."""
    m = profile.medications
    if m is None or m.empty:
        return [], [], []
    active = set(profile.active_medications().index)
    rows = m.to_dict("records")
    texts = [str(r.get("display") or "").lower() for r in rows]
    if "rxnorm" in m:                 # a code column named rxnorm joins the text when there is one
        texts = [f"{t} {str(r.get('code') or '').lower()}" for t, r in zip(texts, rows)]
    return rows, texts, [i in active for i in m.index]


def _med_fact(profile, words: tuple[str, ...], label: str, *, ever: bool = False, texts=None) -> Fact:
    rows, lower, active = texts if texts is not None else _med_texts(profile)
    hit = next((r for r, t, a in zip(rows, lower, active) if (ever or a) and any(w in t for w in words)), None)
    if hit is not None:
        r = hit
        return Fact(True, {"table": "medications", "display": r["display"], "code": r["code"],
                           "status": r["status"], "date": _iso(r["start_time"]), "resource_id": r.get("resource_id")})
    scope = "ever recorded" if ever else "active"
    return Fact(False, {"table": "medications", "assumed": True, "note": f"no {scope} {label} on record"})


def _iso(v) -> str | None:
    t = _ts(v)
    return t.date().isoformat() if t else None


def _diabetes(profile) -> Fact:
    cond = profile.active_conditions()
    if cond is not None and not cond.empty:
        code = cond["code"].fillna("").astype(str)
        text = cond["display"].fillna("").astype(str).str.lower()
        is_dm = (code.isin(cc.DIABETES_SNOMED) | code.str.upper().str.startswith(cc.DIABETES_ICD10_PREFIX)
                 | text.apply(lambda t: any(w in t for w in cc.DIABETES_WORDS)))
        is_dm &= ~text.apply(lambda t: any(w in t for w in cc.DIABETES_EXCLUDE_WORDS))
        hit = cond[is_dm]
        if not hit.empty:
            r = hit.iloc[0]
            return Fact(True, {"table": "conditions", "code": r["code"], "display": r["display"],
                               "date": _iso(r["onset"]), "resource_id": r.get("resource_id")})
    return Fact(False, {"table": "conditions", "assumed": True, "note": "no active diabetes condition on record"})


def _mgus(profile) -> Fact:
    """MGUS from the conditions (any status: MGUS is rarely 'resolved'); no record counts as no, marked assumed."""
    cond = profile.conditions
    if cond is not None and not cond.empty:
        code = cond["code"].fillna("").astype(str)
        text = cond["display"].fillna("").astype(str).str.lower()
        hit = cond[code.isin(cc.MGUS_SNOMED) | code.str.upper().str.startswith(cc.MGUS_ICD10_PREFIX)
                   | text.apply(lambda t: any(w in t for w in cc.MGUS_WORDS))]
        if not hit.empty:
            r = hit.iloc[0]
            return Fact(True, {"table": "conditions", "code": r["code"], "display": r["display"],
                               "date": _iso(r["onset"]), "resource_id": r.get("resource_id")})
    return Fact(False, {"table": "conditions", "assumed": True, "note": "no MGUS diagnosis on record"})


def _smoker(profile, notes: list[str]) -> Fact | None:
    obs = profile.observations
    if obs is None or obs.empty:
        return None
    rows = obs[obs["code"].astype(str).isin(cc.LOINC["smoking"])]
    as_of = _ts(profile.as_of) or datetime.now()
    rows = rows.assign(_t=rows["effective"].map(_ts))
    rows = rows[rows["_t"].notna()]
    rows = rows[(rows["_t"] <= as_of) & (rows["_t"] >= as_of - timedelta(days=WINDOWS_DAYS["smoking"]))]
    if rows.empty:
        notes.append("no smoking status within the last 2 years")
        return None
    r = rows.sort_values("_t").iloc[-1]
    text = str(r["value_text"] or "").lower()
    if "unknown" in text or not text:
        notes.append("latest smoking status is unknown")
        return None
    current = ("current" in text or "every day" in text or "some day" in text) or text.strip() == "smoker"
    return Fact(current, {"table": "observations", "code": str(r["code"]), "display": r["display"],
                          "value": r["value_text"], "date": r["_t"].date().isoformat(),
                          "resource_id": r.get("resource_id")})


def _family_diabetes(profile) -> Fact | None:
    fh = profile.family_history
    if fh is None or fh.empty:
        return None
    code = fh["code"].fillna("").astype(str)
    text = fh["display"].fillna("").astype(str).str.lower()
    dm = fh[code.isin(cc.DIABETES_SNOMED) | text.str.contains("diabetes")]
    rel = dm["relationship"].fillna("").astype(str).str.lower()
    for degree, names in (("first_degree", cc.FIRST_DEGREE), ("second_degree", cc.SECOND_DEGREE)):
        hit = dm[rel.isin(names)]
        if not hit.empty:
            r = hit.iloc[0]
            return Fact(degree, {"table": "family_history", "relationship": r["relationship"],
                                 "display": r["display"], "resource_id": r.get("resource_id")})
    return Fact("none", {"table": "family_history", "assumed": True,
                         "note": "family history recorded, with no relative with diabetes"})


# Pharmacogenomics ---------------------------------------------------------------------------------------------
_VKORC1_ALLELE = {"C": "G", "G": "G", "T": "A", "A": "A"}   # + strand C/T = -1639 G/A (NOTES.md, MODELS.md 9.1)
CYP2C9_KNOWN = {"*1/*1", "*1/*2", "*1/*3", "*2/*2", "*2/*3", "*3/*3"}


def _field(res, name: str):
    return res.get(name) if isinstance(res, dict) else getattr(res, name, None)


def _pgx_result(pgx, gene: str, notes: list[str]):
    """Diplotypes for ``gene`` from a {gene: {...}} dict or a workstation.pgx PgxResult (``.get(gene)``)."""
    if not pgx:
        return None
    res = pgx.get(gene)
    if res is None:
        return None
    diplos = list(_field(res, "diplotypes") or [])
    if diplos and _field(res, "incomplete"):
        notes.append(f"{gene}: call incomplete (defining positions missing); treated as unknown")
        return ["(incomplete call) " + " or ".join(map(str, diplos)), "(incomplete)"]
    return diplos


def vkorc1_genotype(diplotype: str) -> str | None:
    """'rs9923231 reference (C)/rs9923231 variant (T)' -> 'A/G'; also accepts 'C/T', 'G/A', '-1639 GA'."""
    text = diplotype.strip()
    halves = text.split("/") if "/" in text else ([text[-2], text[-1]] if len(text) >= 2 else [])
    if len(halves) != 2:
        return None
    out = []
    for h in halves:
        h = h.strip()
        m = [c for c in ("C", "T") if f"({c})" in h]
        key = m[0] if m else (h[-1].upper() if h else "")
        if key not in _VKORC1_ALLELE:
            return None
        out.append(_VKORC1_ALLELE[key])
    return "/".join(sorted(out))


def _cyp2c9(diplotype: str) -> str | None:
    d = diplotype.replace("CYP2C9", "").strip()
    parts = d.split("/")
    if len(parts) != 2:
        return None
    canon = "/".join(sorted((p.strip() for p in parts), key=lambda a: (len(a), a)))
    return canon if canon in CYP2C9_KNOWN else None


def _genotype_fact(profile, pgx, gene: str, convert, notes: list[str]) -> Fact | None:
    diplos = _pgx_result(pgx, gene, notes)
    origin = {"table": "pgx", "gene": gene}
    if diplos is None:
        oc = profile.outside_calls
        if oc is not None and not oc.empty:
            hit = oc[oc["gene"].astype(str).str.upper() == gene]
            if not hit.empty:
                diplos = [str(hit.iloc[-1]["diplotype"])]
                origin = {"table": "outside_calls", "gene": gene, "entered_at": _iso(hit.iloc[-1]["entered_at"])}
    if not diplos:
        return None
    if len(diplos) != 1:
        notes.append(f"{gene}: {len(diplos)} possible diplotypes ({', '.join(map(str, diplos))}); treated as unknown")
        return Fact("unknown", dict(origin, value=list(map(str, diplos))))
    value = convert(str(diplos[0]))
    if value is None:
        notes.append(f"{gene} {diplos[0]} is not covered by the IWPC algorithm; treated as unknown")
        return Fact("unknown", dict(origin, value=str(diplos[0])))
    return Fact(value, dict(origin, value=str(diplos[0])))


# All facts for one patient --------------------------------------------------------------------------------------
def gather_facts(profile, pgx: dict | None = None) -> PatientFacts:
    """Collect every model input the profile can supply, each with its source record."""
    pf = PatientFacts()
    f, notes = pf.facts, pf.notes
    idx = _obs_index(profile)             # computed once: every lab below is looked up by code in it
    meds = _med_texts(profile)
    age = profile.age()
    if age is not None:
        src = {"table": "patients", "birth_date": _iso(profile.birth_date), "as_of": _iso(profile.as_of)}
        f["age"] = Fact(float(age), src)
        f["age_years"] = Fact(float(age), src)
    sex = str(profile.sex or "").lower()
    if sex in ("female", "male"):
        f["sex"] = Fact(sex, {"table": "patients", "value": profile.sex})
    race = _coarse_race(profile.patient.get("race"))
    if race:
        f["race"] = Fact(race, {"table": "patients", "value": profile.patient.get("race")})
    for key, name in (("total_chol", "total_chol_mgdl"), ("hdl", "hdl_mgdl"), ("sbp", "sbp_mmhg"),
                      ("height", "height_cm"), ("weight", "weight_kg"), ("waist", "waist_cm"), ("bmi", "bmi")):
        fact = _latest_obs(profile, key, notes, idx)
        if fact is not None:
            f[name] = fact
    if "bmi" not in f and "height_cm" in f and "weight_kg" in f:
        h = f["height_cm"].value / 100
        f["bmi"] = Fact(f["weight_kg"].value / (h * h), {"computed": "weight / height^2",
                                                         "from": [f["weight_kg"].source, f["height_cm"].source]})
    creat = _latest_obs(profile, "creatinine", notes, idx)
    if creat is not None:
        f["creatinine_mg_dl"] = creat
    for key, name in (("kappa_flc", "kappa_mg_dl"), ("lambda_flc", "lambda_mg_dl")):
        before = len(notes)             # no row with the code at all: no fact and no note
        fact = _latest_obs(profile, key, notes, idx)
        if fact is not None:
            f[name] = fact
        elif len(notes) > before:
            pf.unusable[name] = notes[-1]
    f["mgus"] = _mgus(profile)
    from workstation.models.expression_inputs import probe_values

    values, source, why_not = probe_values(profile)
    for probe, v in values.items():
        f[probe] = Fact(v, dict(source, probe_set=probe, value=v))
    if why_not:                       # said by the expression model's refusal, not in every model's notes
        pf.unusable["transcriptome"] = why_not
    elif source and source["n_samples"] > 1:
        notes.append(f"{source['n_samples']} expression samples on record; the latest ({source['sample']}, "
                     f"{source['date']}) is used")
    if creat is not None and age is not None and sex in ("female", "male"):
        f["egfr"] = Fact(_ckd_epi_2021(creat.value, age, sex == "female"),
                         {"computed": "CKD-EPI 2021 (race-free) from creatinine", "from": creat.source})
    else:
        egfr = _latest_obs(profile, "egfr", notes, idx)
        if egfr is not None:
            f["egfr"] = egfr
    smoker = _smoker(profile, notes)
    if smoker is not None:
        f["smoker"] = smoker
    f["diabetes"] = _diabetes(profile)
    bp = "antihypertensive medication"
    f["bp_treated"] = _med_fact(profile, cc.ANTIHYPERTENSIVES, bp, texts=meds)
    f["antihypertensive_ever"] = _med_fact(profile, cc.ANTIHYPERTENSIVES, bp, ever=True, texts=meds)
    f["statin"] = _med_fact(profile, cc.STATINS, "statin", texts=meds)
    f["enzyme_inducer"] = _med_fact(profile, cc.ENZYME_INDUCERS, "carbamazepine, phenytoin or rifampin",
                                    texts=meds)
    f["amiodarone"] = _med_fact(profile, cc.AMIODARONE, "amiodarone", texts=meds)
    cond = profile.conditions
    if cond is not None and not cond.empty:
        hit = cond[cond["code"].astype(str).isin(cc.PREDIABETES_SNOMED | cc.GESTATIONAL_DM_SNOMED)]
        if not hit.empty:
            r = hit.iloc[0]
            f["high_glucose_ever"] = Fact(True, {"table": "conditions", "code": r["code"], "display": r["display"],
                                                 "date": _iso(r["onset"])})
    from workstation.family import risk_inputs

    fam = risk_inputs.family_diabetes(profile, Fact) or _family_diabetes(profile)   # family model first
    if fam is not None:
        f["family_diabetes"] = fam
    f.update(risk_inputs.gail_facts(profile, Fact))
    for gene, name, conv in (("VKORC1", "vkorc1_rs9923231", vkorc1_genotype), ("CYP2C9", "cyp2c9", _cyp2c9)):
        g = _genotype_fact(profile, pgx, gene, conv, notes)
        if g is not None:
            f[name] = g
    return pf


def map_inputs(profile, model_id: str, pgx: dict | None = None, *, registry=None,
               facts: PatientFacts | None = None) -> tuple[dict, dict, list[str]]:
    """Inputs for one model from a profile: ``(inputs, sources by input, notes)``. Missing inputs are absent."""
    from workstation.models.registry import get_registry

    reg = registry or get_registry()
    card = reg.card(model_id)
    pf = facts or gather_facts(profile, pgx)
    if card["kind"] == "prs":
        d, src, notes = prs_match.dosages(profile.variants, card["variants"])
        return d, src, notes
    inputs, sources = {}, {}
    for spec in card["inputs"]:
        fact = pf.facts.get(spec["name"])
        if fact is not None:
            value = fact.value
            if spec["name"] == "race":
                value = _race_for_model(value, spec.get("categories", []))
            inputs[spec["name"]] = value
            sources[spec["name"]] = dict(fact.source, mapped_value=fact.value)
    for probe in (card.get("guard") or {}).get("probes", []):     # the assay check reads the whole profile
        if probe not in inputs and probe in pf.facts:
            inputs[probe] = pf.facts[probe].value
    return inputs, sources, list(pf.notes)


def _coarse_race(recorded) -> str | None:
    """Recorded race text (e.g. the US Core race extension's text) -> white | black | asian | other."""
    if recorded is None or (isinstance(recorded, float) and recorded != recorded):
        return None
    r = str(recorded).strip().lower()
    if not r or r in ("unknown", "asked but unknown", "not recorded"):
        return None
    if "black" in r or "african" in r:
        return "black"
    if "white" in r:
        return "white"
    if "asian" in r:
        return "asian"
    return "other"


def _race_for_model(race: str, categories: list) -> str:
    """Map a coarse race onto a model's own categories: PCE has white/black/other (other = white equations, as
    Goff 2013 implementations do), IWPC has white/asian/black/mixed_or_missing."""
    if race in categories:
        return race
    if race == "asian" and "other" in categories:
        return "other"
    if race == "other" and "mixed_or_missing" in categories:
        return "mixed_or_missing"
    return race


def card_kind(reg, model_id: str) -> str:
    return reg.card(model_id).get("kind", "tabular")


def score_all(profile, pgx: dict | None = None, *, registry=None, overrides: dict | None = None,
              explain: bool = True, include_demonstration: bool = False, inputs_out: dict | None = None) -> list:
    """Score every loaded model for one patient. Refused models carry the reason (and the missing inputs).
    Demonstration models (card ``category``) are left out unless ``include_demonstration``.

    ``overrides`` (input name -> value) supplies what the record lacks (e.g. race, questionnaire answers); those
    inputs are marked ``{"entered": true}`` in the sources. ``inputs_out`` (a dict) receives each model's
    record-mapped inputs (the what-if base), so callers need not map them again.
    """
    from workstation.models import applicability
    from workstation.models.registry import get_registry
    from workstation.models.score import Score

    reg = registry or get_registry()
    pf = gather_facts(profile, pgx)
    for k, v in (overrides or {}).items():
        pf.facts[k] = Fact(v, {"entered": True})
    out: list[Score] = []
    for mid in reg.ids():
        card = reg.card(mid)
        if not applicability.for_patients(card) and not include_demonstration:
            continue
        inputs, sources, notes = map_inputs(profile, mid, pgx, registry=reg, facts=pf)
        if inputs_out is not None:
            inputs_out[mid] = dict(inputs)
        s = reg.score(mid, inputs, explain=explain)
        s.sources, s.notes = sources, notes
        applicability.annotate(s, card, {"race": pf.get("race")})
        outside = applicability.refusal(card, {k: pf.get(k) for k in ("sex", "age")}, profile.conditions)
        needs = card.get("required_record")
        if needs and not outside and not any(n in inputs or n in pf.unusable for n in needs["any_of"]):
            outside = needs["missing_text"] + (f" ({pf.unusable[needs['why']]})" if needs.get("why") in
                                               pf.unusable else "")
        if outside:
            s.applicable = False
            s.value, s.contributions, s.terms, s.interval = None, {}, {}, None
            s.refused = f"not applicable: {outside}"
        elif s.refused:
            why = [pf.unusable[m] for m in s.inputs_missing if m in pf.unusable]
            s.refused += "".join(f"; {w}" for w in why)
        if not outside and (not inputs or all(v is None for v in inputs.values())):
            s.applicable = False
            s.value, s.contributions, s.terms = None, {}, {}
            s.refused = "not applicable: the record has none of this model's inputs" + (
                f" ({notes[0]})" if card_kind(reg, mid) == "prs" and notes else "")
        if "race" in s.inputs_missing and "race" not in s.defaults_used:
            s.notes.append("race is not recorded in the store; enter it (white, black or other) to use the "
                           "race-specific Pooled Cohort Equations")
        if mid == "findrisc_t2d" and pf.get("diabetes") is True:
            s.value, s.band, s.contributions, s.terms = None, None, {}, {}
            s.refused = "the patient already has diabetes; FINDRISC estimates the risk of developing it"
        out.append(s)
    return out
