"""FHIR R4 resources → rows of the store's tables (column names as in :mod:`workstation.store.schema`).

Each ``map_xxx(resource, ctx)`` returns a list of row dicts (one resource can give several rows: an Observation
with components, a FamilyMemberHistory with several conditions). ``ctx`` resolves references and reports bad
fields (:class:`Ctx`). Dates become naive UTC datetimes; units become UCUM (:mod:`workstation.units`, the unit policy).
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Callable

from workstation import units
from workstation.units import is_alias, to_ucum

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


class Ctx:
    """What a mapper needs from the bundle: reference resolution and error reporting."""

    def __init__(self, resolve: Callable[[dict | None], dict | None], fail: Callable[[dict, str, str], None],
                 unit_changes: dict) -> None:
        self.resolve = resolve          # reference dict → referenced resource (in this file) or None
        self.fail = fail                # (resource, field, reason) → raises
        self.unit_changes = unit_changes


def fhir_datetime(value, res: dict, field: str, ctx: Ctx) -> datetime | None:
    """FHIR date/dateTime/instant → naive UTC datetime (partial dates become the first instant they name)."""
    if value in (None, ""):
        return None
    v = str(value)
    try:
        if len(v) == 4:
            return datetime(int(v), 1, 1)
        if len(v) == 7:
            return datetime(int(v[:4]), int(v[5:7]), 1)
        dt = datetime.fromisoformat(v)
    except ValueError:
        ctx.fail(res, field, f"{v!r} is not a valid FHIR date or time")
        return None
    if dt.tzinfo is not None:
        try:
            dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
        except (OverflowError, ValueError):
            ctx.fail(res, field, f"{v!r} is outside the dates the workstation can store")
    if not 1678 <= dt.year <= 2261:   # the range of the store's timestamps (pandas/DuckDB nanosecond-safe)
        ctx.fail(res, field, f"{v!r} is outside the dates the workstation can store")
    return dt


def fhir_date(value, res: dict, field: str, ctx: Ctx) -> date | None:
    dt = fhir_datetime(value, res, field, ctx)
    return dt.date() if dt is not None else None


def first_coding(concept: dict | None) -> dict:
    """{code_system, code, display} of a CodeableConcept's first coding (display falls back to its text)."""
    concept = concept or {}
    codings = concept.get("coding") or [{}]
    c = codings[0]
    return {"code_system": c.get("system"), "code": c.get("code"),
            "display": c.get("display") or concept.get("text")}


def coding_code(concept: dict | None) -> str | None:
    codings = (concept or {}).get("coding") or []
    return codings[0].get("code") if codings else None


def _number(value, res: dict, field: str, ctx: Ctx) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError):
            ctx.fail(res, field, f"{str(value)[:40]!r} is not a number")
    try:
        out = float(value)
    except OverflowError:
        out = float("inf")
    if out != out or out in (float("inf"), float("-inf")):
        ctx.fail(res, field, f"{str(value)[:40]!r} is not a finite number")
    return out


def _unit(q: dict, ctx: Ctx) -> str | None:
    raw = q.get("code") if q.get("system") == "http://unitsofmeasure.org" and q.get("code") else q.get("unit")
    raw = raw if raw is not None else q.get("code")
    ucum = to_ucum(raw)
    if raw is not None and is_alias(raw):
        ctx.unit_changes[str(raw)] = ucum
    return ucum


def _value_fields(holder: dict, res: dict, path: str, ctx: Ctx) -> dict:
    """value_num / value_text / unit from an Observation's (or component's) value[x]."""
    out = {"value_num": None, "value_text": None, "unit": None}
    if (q := holder.get("valueQuantity")) is not None:
        out["value_num"] = _number(q.get("value"), res, f"{path}valueQuantity.value", ctx)
        out["unit"] = _unit(q, ctx)
        if q.get("comparator"):
            out["value_text"] = f"{q['comparator']}{q.get('value')}"
    elif (cc := holder.get("valueCodeableConcept")) is not None:
        out["value_text"] = first_coding(cc)["display"] or coding_code(cc)
    elif "valueString" in holder:
        out["value_text"] = holder["valueString"]
    elif "valueBoolean" in holder:
        out["value_text"] = "true" if holder["valueBoolean"] else "false"
    elif "valueInteger" in holder:
        out["value_num"] = _number(holder["valueInteger"], res, f"{path}valueInteger", ctx)
    return out


NORMAL_RANGE = {"normal", "recommended"}   # referenceRange.type codes (HL7 referencerange-meaning) drawn as a band


def _range_pick(ranges: list) -> tuple[int, dict]:
    """The range to keep: the first whose type is absent or 'normal'/'recommended', else the first."""
    for i, rr in enumerate(ranges):
        codes = {c.get("code") for c in ((rr or {}).get("type") or {}).get("coding") or []}
        if not codes or codes & NORMAL_RANGE:
            return i, rr or {}
    return 0, ranges[0] or {}


def _ref_range(holder: dict, res: dict, path: str, value_unit: str | None, code: str | None,
               ctx: Ctx) -> dict:
    """ref_low / ref_high (in the value's unit, converted by the unit policy when the range's unit differs) and
    ref_text from the first normal ``referenceRange``; a range in a unit that cannot be converted keeps only text."""
    ranges = holder.get("referenceRange") or []
    if not ranges:
        return {"ref_low": None, "ref_high": None, "ref_text": None}
    i, rr = _range_pick(ranges)
    out = {"ref_text": rr.get("text")}
    notes = []
    for side in ("low", "high"):
        q = rr.get(side) or {}
        v = _number(q.get("value"), res, f"{path}referenceRange[{i}].{side}.value", ctx)
        unit = _unit(q, ctx) if (q.get("unit") or q.get("code")) else None
        if v is not None and unit and value_unit and unit != value_unit:
            conv = units.convert(v, unit, value_unit, code=code)
            if conv is None:
                notes.append(f"{side} {v:g} {units.unit_text(unit)}")
            v = conv
        out[f"ref_{side}"] = v
    if notes:
        extra = (f"reference range recorded in a unit that cannot be converted to "
                 f"{units.unit_text(value_unit)}: {', '.join(notes)}")
        out["ref_text"] = f"{out['ref_text']}; {extra}" if out["ref_text"] else extra
    return out


def _interpretation(holder: dict) -> str | None:
    """The first interpretation code (HL7 v3 ObservationInterpretation: H, L, N, A, HH, LL ...), as recorded."""
    for concept in holder.get("interpretation") or []:
        code = coding_code(concept)
        if code:
            return str(code)
        if (concept or {}).get("text"):
            return str(concept["text"])
    return None


def _effective(res: dict, ctx: Ctx, prefix: str = "effective") -> datetime | None:
    for f in (f"{prefix}DateTime", f"{prefix}Instant"):
        if f in res:
            return fhir_datetime(res[f], res, f, ctx)
    if (p := res.get(f"{prefix}Period")) is not None:
        return fhir_datetime(p.get("start"), res, f"{prefix}Period.start", ctx)
    return None


def map_observation(res: dict, ctx: Ctx) -> list[dict]:
    cat = first_coding((res.get("category") or [{}])[0])["code"]
    base = {"category": cat, "effective": _effective(res, ctx), "resource_id": res.get("id")}
    rows = []
    has_value = any(k.startswith("value") for k in res)
    if has_value or not res.get("component"):
        coding, value = first_coding(res.get("code")), _value_fields(res, res, "", ctx)
        rows.append({**base, **coding, **value, **_ref_range(res, res, "", value["unit"], coding["code"], ctx),
                     "interpretation": _interpretation(res)})
    for i, comp in enumerate(res.get("component") or []):
        coding, value = first_coding(comp.get("code")), _value_fields(comp, res, f"component[{i}].", ctx)
        rows.append({**base, **coding, **value,
                     **_ref_range(comp, res, f"component[{i}].", value["unit"], coding["code"], ctx),
                     "interpretation": _interpretation(comp)})
    return rows


def map_condition(res: dict, ctx: Ctx) -> list[dict]:
    return [{**first_coding(res.get("code")), "clinical_status": coding_code(res.get("clinicalStatus")),
             "onset": _effective(res, ctx, "onset"), "abatement": _effective(res, ctx, "abatement"),
             "resource_id": res.get("id")}]


def _medication_coding(res: dict, ctx: Ctx) -> tuple[dict, str | None]:
    concept = res.get("medicationCodeableConcept")
    if concept is None and (ref := res.get("medicationReference")) is not None:
        med = ctx.resolve(ref)
        concept = (med or {}).get("code") or {"text": ref.get("display")}
    rx = next((c.get("code") for c in (concept or {}).get("coding") or [] if c.get("system") == RXNORM), None)
    return first_coding(concept), rx


def _dosage_text(dosages: list | None) -> str | None:
    if not dosages:
        return None
    texts = [d.get("text") for d in dosages if d.get("text")]
    if texts:
        return "; ".join(texts)
    return json.dumps(dosages, separators=(",", ":"), ensure_ascii=False)


def map_medication_request(res: dict, ctx: Ctx) -> list[dict]:
    coding, rx = _medication_coding(res, ctx)
    vp = (res.get("dispenseRequest") or {}).get("validityPeriod") or {}
    return [{**coding, "rxnorm": rx, "status": res.get("status"), "kind": "request",
             "start_time": fhir_datetime(res.get("authoredOn"), res, "authoredOn", ctx),
             "end_time": fhir_datetime(vp.get("end"), res, "dispenseRequest.validityPeriod.end", ctx),
             "dosage": _dosage_text(res.get("dosageInstruction")), "resource_id": res.get("id")}]


def map_medication_statement(res: dict, ctx: Ctx) -> list[dict]:
    coding, rx = _medication_coding(res, ctx)
    end = None
    if (p := res.get("effectivePeriod")) is not None:
        end = fhir_datetime(p.get("end"), res, "effectivePeriod.end", ctx)
    return [{**coding, "rxnorm": rx, "status": res.get("status"), "kind": "statement",
             "start_time": _effective(res, ctx), "end_time": end,
             "dosage": _dosage_text(res.get("dosage")), "resource_id": res.get("id")}]


def map_allergy(res: dict, ctx: Ctx) -> list[dict]:
    cats = res.get("category") or []
    return [{**first_coding(res.get("code")), "category": cats[0] if cats else None,
             "criticality": res.get("criticality"), "clinical_status": coding_code(res.get("clinicalStatus")),
             "recorded": fhir_datetime(res.get("recordedDate"), res, "recordedDate", ctx),
             "resource_id": res.get("id")}]


def map_family_history(res: dict, ctx: Ctx) -> list[dict]:
    rel = res.get("relationship") or {}
    relationship = first_coding(rel)["display"] or coding_code(rel)
    sex = coding_code(res.get("sex"))
    deceased = None
    if "deceasedBoolean" in res:
        deceased = bool(res["deceasedBoolean"])
    elif any(k.startswith("deceased") for k in res):
        deceased = True
    base = {"relationship": relationship, "relative_sex": sex, "deceased": deceased, "resource_id": res.get("id")}
    rows = []
    for i, cond in enumerate(res.get("condition") or []):
        onset = None
        if (age := cond.get("onsetAge")) is not None:
            onset = _number(age.get("value"), res, f"condition[{i}].onsetAge.value", ctx)
        rows.append({**base, **first_coding(cond.get("code")), "onset_age": onset})
    return rows or [{**base, "code_system": None, "code": None, "display": None, "onset_age": None}]


def map_procedure(res: dict, ctx: Ctx) -> list[dict]:
    start = _effective(res, ctx, "performed")
    end = None
    if (p := res.get("performedPeriod")) is not None:
        end = fhir_datetime(p.get("end"), res, "performedPeriod.end", ctx)
    return [{**first_coding(res.get("code")), "status": res.get("status"), "performed_start": start,
             "performed_end": end, "resource_id": res.get("id")}]


def map_encounter(res: dict, ctx: Ctx) -> list[dict]:
    cls = res.get("class") or {}
    if isinstance(cls, list):          # R5-style list tolerated
        cls = (cls[0].get("coding") or [{}])[0] if cls else {}
    p = res.get("period") or {}
    return [{"class": cls.get("code"), **first_coding((res.get("type") or [{}])[0]), "status": res.get("status"),
             "start_time": fhir_datetime(p.get("start"), res, "period.start", ctx),
             "end_time": fhir_datetime(p.get("end"), res, "period.end", ctx), "resource_id": res.get("id")}]


def _us_core_text(res: dict, which: str) -> str | None:
    """The ``text`` of the US Core race/ethnicity extension, as recorded (None when absent)."""
    url = f"http://hl7.org/fhir/us/core/StructureDefinition/us-core-{which}"
    for ext in res.get("extension") or []:
        if ext.get("url") == url:
            for sub in ext.get("extension") or []:
                if sub.get("url") == "text" and sub.get("valueString"):
                    return sub["valueString"]
            codings = [s.get("valueCoding", {}).get("display") for s in ext.get("extension") or []]
            return next((c for c in codings if c), None)
    return None


def map_patient(res: dict, ctx: Ctx) -> dict:
    """Patient → a ``patients`` row (id is set by the caller)."""
    names = res.get("name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    given = " ".join(name.get("given") or []) or None
    family = name.get("family")
    display = name.get("text") or " ".join(x for x in (given, family) if x) or None
    deceased = None
    if res.get("deceasedDateTime"):
        deceased = fhir_date(res["deceasedDateTime"], res, "deceasedDateTime", ctx)
    sex = res.get("gender")
    return {"name": display, "given": given, "family": family, "race": _us_core_text(res, "race"),
            "ethnicity": _us_core_text(res, "ethnicity"),
            "birth_date": fhir_date(res.get("birthDate"), res, "birthDate", ctx),
            "sex": sex if sex in ("female", "male", "other", "unknown") else None, "deceased_date": deceased,
            "identifiers": [{"system": i.get("system"), "value": i.get("value")}
                            for i in res.get("identifier") or [] if i.get("value")]}


# resourceType → (table, mapper, name of the patient reference field)
MAPPERS: dict[str, tuple[str, Callable[[dict, Ctx], list[dict]], str]] = {
    "Observation": ("observations", map_observation, "subject"),
    "Condition": ("conditions", map_condition, "subject"),
    "MedicationRequest": ("medications", map_medication_request, "subject"),
    "MedicationStatement": ("medications", map_medication_statement, "subject"),
    "AllergyIntolerance": ("allergies", map_allergy, "patient"),
    "FamilyMemberHistory": ("family_history", map_family_history, "patient"),
    "Procedure": ("procedures", map_procedure, "subject"),
    "Encounter": ("encounters", map_encounter, "subject"),
}

# Resources read only to resolve references from others (not stored as rows, not counted as skipped).
REFERENCE_ONLY = {"Medication"}
