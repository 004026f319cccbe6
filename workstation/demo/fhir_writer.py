"""Write one demo patient as a real FHIR R4 transaction Bundle (JSON), shaped like Synthea's sample bundles."""
from __future__ import annotations

import json
import math
import random
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

from workstation.demo.cohort import CONDITIONS, SMOKING, TODAY, DemoPatient

NS = uuid.UUID("6f1c2b1e-3b7a-4f1e-9d52-1f0d8e6a9c01")
LOINC = "http://loinc.org"
SCT = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"

# (LOINC, display, UCUM unit, attribute or None); displays as in Synthea bundles.
LABS = [("2093-3", "Total Cholesterol", "mg/dL"), ("2085-9", "High Density Lipoprotein Cholesterol", "mg/dL"),
        ("18262-6", "Low Density Lipoprotein Cholesterol", "mg/dL"), ("2571-8", "Triglycerides", "mg/dL"),
        ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%"), ("2339-0", "Glucose", "mg/dL"),
        ("38483-4", "Creatinine", "mg/dL"), ("33914-3", "Estimated Glomerular Filtration Rate", "mL/min/{1.73_m2}")]


# Events that go with a diagnosis in the demo's story (synthetic timing, no randomness): (kind, SNOMED CT code,
# display, days after onset, length in days). Codes and displays as in the Synthea R4 sample bundles
# (../shared/data/fhir_r4_synthea): inpatient encounter 183452005, electrical cardioversion 180325003,
# echocardiography 40701008, bone density scan 312681000.
CONDITION_EVENTS = {
    "chd": (("admission", "183452005", "Encounter Inpatient", 0, 3),
            ("procedure", "40701008", "Echocardiography (procedure)", 1, 0)),
    "afib": (("procedure", "180325003", "Electrical cardioversion", 21, 0),),
    "osteoporosis": (("procedure", "312681000", "Bone density scan (procedure)", 0, 0),),
}

# Adult reference intervals written into the demo's lab Observations as FHIR referenceRange, each with its source.
# code -> {sex or "any": (low, high, text)}; None = that side is open. Labs without a row carry no range (and are
# drawn without a band): glucose 2339-0, because the published intervals (e.g. MedlinePlus "Blood sugar test",
# https://medlineplus.gov/ency/article/003482.htm: 70-100 mg/dL) are for fasting samples and the demo's glucose is
# not recorded as fasting. Vital signs (blood pressure, heart rate, height, weight, BMI) carry no range either.
REFERENCE_RANGES: dict[str, dict[str, tuple[float | None, float | None, str]]] = {
    # NCEP ATP III, Executive Summary, JAMA 2001;285:2486-2497, Table 2 "ATP III Classification of LDL, Total, and
    # HDL Cholesterol (mg/dL)" and the triglyceride classification (section "Triglycerides"): total <200 desirable,
    # LDL <100 optimal, HDL <40 low, triglycerides <150 normal. One-sided: the open side has no limit.
    "2093-3": {"any": (None, 200.0, "<200 mg/dL desirable (NCEP ATP III)")},
    "2085-9": {"any": (40.0, None, ">=40 mg/dL; <40 is low (NCEP ATP III)")},
    "18262-6": {"any": (None, 100.0, "<100 mg/dL optimal (NCEP ATP III)")},
    "2571-8": {"any": (None, 150.0, "<150 mg/dL normal (NCEP ATP III)")},
    # American Diabetes Association, Standards of Care in Diabetes-2024, section 2 (Diabetes Care 2024;47 Suppl 1:
    # S20-S42): A1C 5.7-6.4 % is prediabetes, >=6.5 % diabetes, so below 5.7 % (reported to one decimal: <=5.6 %).
    "4548-4": {"any": (None, 5.6, "below 5.7 % (ADA 2024: 5.7-6.4 % prediabetes, 6.5 % or more diabetes)")},
    # MedlinePlus "Creatinine blood test", https://medlineplus.gov/ency/article/003475.htm: 0.7 to 1.3 mg/dL for
    # men and 0.6 to 1.1 mg/dL for women.
    "38483-4": {"male": (0.7, 1.3, "0.7-1.3 mg/dL (men; MedlinePlus)"),
                "female": (0.6, 1.1, "0.6-1.1 mg/dL (women; MedlinePlus)")},
    # MedlinePlus "Glomerular filtration rate", https://medlineplus.gov/ency/article/007305.htm: normal results
    # range from 90 to 120 mL/min/1.73 m2; older people have lower normal GFR levels.
    "33914-3": {"any": (90.0, 120.0, "90-120 mL/min/1.73 m2 (MedlinePlus); lower in older people")},
}
_V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def reference_range(code: str, sex: str) -> tuple[float | None, float | None, str] | None:
    """The cited adult interval for ``code`` (by sex where the source gives one), or None."""
    row = REFERENCE_RANGES.get(code)
    return None if row is None else row.get(sex, row.get("any"))


def _with_range(obs: dict, code: str, sex: str, value: float, unit: str) -> dict:
    """``obs`` with its referenceRange and an interpretation (H/L/N) derived from that range, as labs report."""
    rr = reference_range(code, sex)
    if rr is None:
        return obs
    low, high, text = rr
    entry: dict = {"text": text}
    if low is not None:
        entry["low"] = {"value": low, "unit": unit, "system": UCUM, "code": unit}
    if high is not None:
        entry["high"] = {"value": high, "unit": unit, "system": UCUM, "code": unit}
    obs["referenceRange"] = [entry]
    v = round(value, 2)
    flag = "H" if high is not None and v > high else "L" if low is not None and v < low else "N"
    obs["interpretation"] = [{"coding": [{"system": _V3_INTERPRETATION, "code": flag}]}]
    return obs


def creatinine_for(egfr: float, age: float, female: bool) -> float:
    """Serum creatinine (mg/dL) that gives ``egfr`` by the race-free CKD-EPI 2021 equation (Inker et al., NEJM
    2021;385:1737-49): eGFR = 142 x min(Scr/k,1)^a x max(Scr/k,1)^-1.200 x 0.9938^age x 1.012[female], k = 0.7 (F) /
    0.9 (M), a = -0.241 (F) / -0.302 (M). Inverted here so the demo's creatinine and eGFR agree."""
    k, a = (0.7, -0.241) if female else (0.9, -0.302)
    base = 142 * 0.9938 ** age * (1.012 if female else 1.0)
    ratio = egfr / base
    # above the knot (Scr > k) the exponent is -1.200; below it, a
    x = ratio ** (-1 / 1.200) if ratio <= 1 else ratio ** (1 / a)
    return round(k * x, 2)


def _uid(*parts) -> str:
    return str(uuid.uuid5(NS, "/".join(str(p) for p in parts)))


def _ts(d: date, hour: int = 9) -> str:
    return datetime.combine(d, time(hour, 30)).isoformat() + "+00:00"


def _quantity(value: float, unit: str) -> dict:
    return {"value": round(value, 2), "unit": unit, "system": UCUM, "code": unit}


def bundle_for(p: DemoPatient) -> dict:
    rng = random.Random(p.seed * 31)
    pref = f"urn:uuid:{_uid(p.id, 'patient')}"
    entries: list[dict] = []

    def add(resource: dict, full: str | None = None) -> None:
        full = full or f"urn:uuid:{resource['id']}"
        entries.append({"fullUrl": full, "resource": resource,
                        "request": {"method": "POST", "url": resource["resourceType"]}})

    race_code, race_text = p.race
    add({"resourceType": "Patient", "id": p.id,
         "extension": [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
                        "extension": [{"url": "ombCategory",
                                       "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238",
                                                       "code": race_code, "display": race_text}},
                                      {"url": "text", "valueString": race_text}]}],
         "identifier": [{"system": "urn:workstation:demo-mrn", "value": p.id}],
         "name": [{"use": "official", "family": p.family, "given": [p.given]}],
         "gender": p.sex, "birthDate": p.birth_date.isoformat()}, full=pref)
    for i, (key, onset) in enumerate(p.conditions):
        code, disp = CONDITIONS[key]
        add({"resourceType": "Condition", "id": _uid(p.id, "cond", i),
             "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                            "code": "active"}]},
             "code": {"coding": [{"system": SCT, "code": code, "display": disp}], "text": disp},
             "subject": {"reference": pref}, "onsetDateTime": _ts(onset)})
    for i, (rx, disp, start, status) in enumerate(p.medications):
        add({"resourceType": "MedicationRequest", "id": _uid(p.id, "med", i), "status": status,
             "intent": "order",
             "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": rx, "display": disp}],
                                           "text": disp},
             "subject": {"reference": pref}, "authoredOn": _ts(start)})
    for i, (code, disp, cat) in enumerate(p.allergies):
        add({"resourceType": "AllergyIntolerance", "id": _uid(p.id, "allergy", i),
             "clinicalStatus": {"coding": [{"system":
                                            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                            "code": "active"}]},
             "type": "allergy", "category": [cat], "criticality": "low",
             "code": {"coding": [{"system": SCT, "code": code, "display": disp}], "text": disp},
             "patient": {"reference": pref}, "recordedDate": _ts(p.visits[0])})
    for i, (role, role_disp, code, disp, age) in enumerate(p.family_history):
        add({"resourceType": "FamilyMemberHistory", "id": _uid(p.id, "fmh", i), "status": "completed",
             "patient": {"reference": pref},
             "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                          "code": role, "display": role_disp}]},
             "condition": [{"code": {"coding": [{"system": SCT, "code": code, "display": disp}], "text": disp},
                            "onsetAge": {"value": age, "unit": "a", "system": UCUM, "code": "a"}}]})
    for i, (key, onset) in enumerate(p.conditions):       # the procedures and admissions that go with a diagnosis
        for j, (kind, code, disp, days, length) in enumerate(CONDITION_EVENTS.get(key, ())):
            start = onset + timedelta(days=days)
            if start >= TODAY:
                continue
            if kind == "admission":
                add({"resourceType": "Encounter", "id": _uid(p.id, "adm", i, j), "status": "finished",
                     "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
                     "type": [{"coding": [{"system": SCT, "code": code, "display": disp}]}],
                     "subject": {"reference": pref},
                     "period": {"start": _ts(start, 14), "end": _ts(start + timedelta(days=length), 11)}})
            else:
                add({"resourceType": "Procedure", "id": _uid(p.id, "proc", i, j), "status": "completed",
                     "code": {"coding": [{"system": SCT, "code": code, "display": disp}], "text": disp},
                     "subject": {"reference": pref}, "performedDateTime": _ts(start, 11)})
    on_statin = any("statin" in m[1].lower() for m in p.medications)
    for v, d in enumerate(p.visits):
        drift = v / max(1, len(p.visits) - 1)
        tc = p.tc * (0.8 if on_statin and drift > 0.5 else 1.0) + rng.gauss(0, 8)
        hdl = p.hdl + rng.gauss(0, 3)
        tg = max(60.0, rng.gauss(150 if p.tc > 220 else 110, 30))
        ldl = max(40.0, tc - hdl - tg / 5)
        values = {"2093-3": tc, "2085-9": hdl, "18262-6": ldl, "2571-8": tg,
                  "4548-4": p.hba1c + rng.gauss(0, 0.2) + 0.15 * drift,
                  "2339-0": 70 + (p.hba1c - 4.5) * 20 + rng.gauss(0, 6),
                  "33914-3": max(15.0, p.egfr - 3 * drift + rng.gauss(0, 2))}
        age = (d - p.birth_date).days / 365.25
        values["38483-4"] = creatinine_for(values["33914-3"], age, p.sex == "female") + rng.gauss(0, 0.02)
        add({"resourceType": "Encounter", "id": _uid(p.id, "enc", v), "status": "finished",
             "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
             "type": [{"coding": [{"system": SCT, "code": "185349003",
                                   "display": "Encounter for check up (procedure)"}]}],
             "subject": {"reference": pref},
             "period": {"start": _ts(d, 9), "end": _ts(d, 10)}})
        for code, disp, unit in LABS:
            add(_with_range(_obs(p, pref, f"lab{v}-{code}", "laboratory", code, disp, d,
                                 _quantity(values[code], unit)), code, p.sex, values[code], unit))
        sbp = p.sbp + rng.gauss(0, 7)
        dbp = 0.55 * sbp + rng.gauss(8, 4)
        bp = _obs(p, pref, f"bp{v}", "vital-signs", "55284-4", "Blood Pressure", d, None)
        bp["component"] = [
            {"code": {"coding": [{"system": LOINC, "code": "8480-6", "display": "Systolic Blood Pressure"}]},
             "valueQuantity": _quantity(sbp, "mm[Hg]")},
            {"code": {"coding": [{"system": LOINC, "code": "8462-4", "display": "Diastolic Blood Pressure"}]},
             "valueQuantity": _quantity(dbp, "mm[Hg]")}]
        add(bp)
        w = p.weight_kg + rng.gauss(0, 1.2) + 2 * drift
        add(_obs(p, pref, f"h{v}", "vital-signs", "8302-2", "Body Height", d, _quantity(p.height_cm, "cm")))
        add(_obs(p, pref, f"w{v}", "vital-signs", "29463-7", "Body Weight", d, _quantity(w, "kg")))
        add(_obs(p, pref, f"bmi{v}", "vital-signs", "39156-5", "Body Mass Index", d,
                 _quantity(w / (p.height_cm / 100) ** 2, "kg/m2")))
        add(_obs(p, pref, f"hr{v}", "vital-signs", "8867-4", "Heart rate", d,
                 _quantity(rng.gauss(72, 8), "/min")))
        sm_code, sm_disp = SMOKING[p.smoking]
        sm = _obs(p, pref, f"smk{v}", "survey", "72166-2", "Tobacco smoking status NHIS", d, None)
        sm["valueCodeableConcept"] = {"coding": [{"system": SCT, "code": sm_code, "display": sm_disp}],
                                      "text": sm_disp}
        add(sm)
    if p.with_flc:
        for r in flc_observations(p, pref):
            add(r)
    return {"resourceType": "Bundle", "id": _uid(p.id, "bundle"), "type": "transaction", "entry": entries}


# Serum free light chains (LOINC long common names; see workstation/models/clinical_codes.py). SYNTHETIC values:
# a log-normal spread around illustrative centres (kappa 13 mg/L, lambda 15 mg/L), higher when the demo eGFR is
# lower (light chains are cleared by the kidney); not clinical reference values. Most are written in mg/L, as
# laboratories report them; half of these patients' values in mg/dL, so the demo shows both units converted explicitly.
FLC = [("36916-5", "Kappa free light chain", 13.0, 0.35),     # displays as laboratories print them
       ("33944-0", "Lambda free light chain", 15.0, 0.30)]


def flc_observations(p: DemoPatient, pref: str) -> list[dict]:
    rng = random.Random(p.seed * 53)              # its own stream: the other demo values do not move
    d = p.visits[-1]
    renal = (90.0 / max(p.egfr, 15.0)) ** 0.5
    in_mg_dl = p.seed % 2 == 1
    out = []
    for code, disp, centre, sigma in FLC:
        mg_l = centre * renal * math.exp(rng.gauss(0, sigma))
        q = _quantity(mg_l / 10 if in_mg_dl else mg_l, "mg/dL" if in_mg_dl else "mg/L")
        out.append(_obs(p, pref, f"flc-{code}", "laboratory", code, disp, d, q))
    return out


def _obs(p: DemoPatient, pref: str, key: str, category: str, code: str, display: str, d: date,
         quantity: dict | None) -> dict:
    r = {"resourceType": "Observation", "id": _uid(p.id, "obs", key), "status": "final",
         "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                   "code": category}]}],
         "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
         "subject": {"reference": pref}, "effectiveDateTime": _ts(d)}
    if quantity is not None:
        r["valueQuantity"] = quantity
    return r


def write_demo_fhir(path: Path, p: DemoPatient) -> Path:
    path.write_text(json.dumps(bundle_for(p), indent=1), encoding="utf-8")
    return path
