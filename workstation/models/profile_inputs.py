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

import pandas as pd

from workstation import units
from workstation.models import clinical_codes as cc
from workstation.models import prs_match

WINDOWS_DAYS = {"total_chol": 5 * 365, "hdl": 5 * 365, "sbp": 365, "bmi": 365, "weight": 365, "height": 20 * 365,
                "waist": 365, "creatinine": 365, "egfr": 365, "smoking": 2 * 365}
# The unit each model input is expected in (UCUM). Values in other units are converted by the unit policy
# (workstation/units.py, resources/units/conversions.tsv: cholesterol 0.02586 mmol/L per mg/dL as PREVENT uses it,
# creatinine 88.42 umol/L per mg/dL); a unit it cannot convert is named in the notes and the value is not used.
MODEL_UNITS = {"total_chol": "mg/dL", "hdl": "mg/dL", "sbp": "mm[Hg]", "bmi": "kg/m2", "height": "cm",
               "weight": "kg", "waist": "cm", "creatinine": "mg/dL", "egfr": "mL/min/{1.73_m2}"}


@dataclass
class Fact:
    value: Any
    source: dict = field(default_factory=dict)


@dataclass
class PatientFacts:
    """Everything the mapper found for one patient, by model-input name."""

    facts: dict[str, Fact] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

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


def _latest_obs(profile, key: str, notes: list[str]) -> Fact | None:
    obs = profile.observations
    if obs is None or obs.empty:
        return None
    rows = obs[obs["code"].astype(str).isin(cc.LOINC[key]) & obs["value_num"].notna()]
    if rows.empty:
        return None
    as_of = _ts(profile.as_of) or datetime.now()
    start = as_of - timedelta(days=WINDOWS_DAYS[key])
    best = None
    for _, r in rows.iterrows():
        t = _ts(r["effective"])
        if t is None or t > as_of or t < start:
            continue
        value = units.convert(float(r["value_num"]), r["unit"], MODEL_UNITS[key], code=str(r["code"]))
        if value is None:
            notes.append(f"{r['display'] or r['code']} on {t.date()} has unit {r['unit']!r}, which cannot be "
                         f"converted to {units.unit_text(MODEL_UNITS[key])}; not used")
            continue
        rank = (t, cc.LOINC[key].index(str(r["code"])) * -1)
        if best is None or rank > best[0]:
            best = (rank, r, t, float(value))
    if best is None:
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


def _text_rows(frame: pd.DataFrame, words: tuple[str, ...], *, active_only: bool) -> pd.DataFrame:
    if frame is None or frame.empty:
        return frame.iloc[0:0] if frame is not None else pd.DataFrame()
    text = frame["display"].fillna("").astype(str).str.lower()
    if "rxnorm" in frame:
        text = text + " " + frame["code"].fillna("").astype(str).str.lower()
    mask = text.apply(lambda t: any(w in t for w in words))
    return frame[mask]


def _med_fact(profile, words: tuple[str, ...], label: str, *, ever: bool = False) -> Fact:
    meds = profile.medications if ever else profile.active_medications()
    hit = _text_rows(meds, words, active_only=not ever)
    if hit is not None and not hit.empty:
        r = hit.iloc[0]
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
        fact = _latest_obs(profile, key, notes)
        if fact is not None:
            f[name] = fact
    if "bmi" not in f and "height_cm" in f and "weight_kg" in f:
        h = f["height_cm"].value / 100
        f["bmi"] = Fact(f["weight_kg"].value / (h * h), {"computed": "weight / height^2",
                                                         "from": [f["weight_kg"].source, f["height_cm"].source]})
    creat = _latest_obs(profile, "creatinine", notes)
    if creat is not None and age is not None and sex in ("female", "male"):
        f["egfr"] = Fact(_ckd_epi_2021(creat.value, age, sex == "female"),
                         {"computed": "CKD-EPI 2021 (race-free) from creatinine", "from": creat.source})
    else:
        egfr = _latest_obs(profile, "egfr", notes)
        if egfr is not None:
            f["egfr"] = egfr
    smoker = _smoker(profile, notes)
    if smoker is not None:
        f["smoker"] = smoker
    f["diabetes"] = _diabetes(profile)
    f["bp_treated"] = _med_fact(profile, cc.ANTIHYPERTENSIVES, "antihypertensive medication")
    f["antihypertensive_ever"] = _med_fact(profile, cc.ANTIHYPERTENSIVES, "antihypertensive medication", ever=True)
    f["statin"] = _med_fact(profile, cc.STATINS, "statin")
    f["enzyme_inducer"] = _med_fact(profile, cc.ENZYME_INDUCERS, "carbamazepine, phenytoin or rifampin")
    f["amiodarone"] = _med_fact(profile, cc.AMIODARONE, "amiodarone")
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
              explain: bool = True) -> list:
    """Score every loaded model for one patient. Refused models carry the reason (and the missing inputs).

    ``overrides`` (input name -> value) supplies what the record lacks (e.g. race, questionnaire answers); those
    inputs are marked ``{"entered": true}`` in the sources.
    """
    from workstation.models.registry import get_registry
    from workstation.models.score import Score

    reg = registry or get_registry()
    pf = gather_facts(profile, pgx)
    for k, v in (overrides or {}).items():
        pf.facts[k] = Fact(v, {"entered": True})
    out: list[Score] = []
    for mid in reg.ids():
        inputs, sources, notes = map_inputs(profile, mid, pgx, registry=reg, facts=pf)
        s = reg.score(mid, inputs, explain=explain)
        s.sources, s.notes = sources, notes
        if not inputs or all(v is None for v in inputs.values()):
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
