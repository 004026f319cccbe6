"""What a model card says about who it is for, read in one place.

* ``category`` (``clinical`` | ``research`` | ``demonstration``; a card without one is clinical): demonstration
  models are not scored for patients (they stay available to ``workstation score`` with explicit inputs).
* ``applicability`` (``{"sex": [...], "age_years": [lo, hi], "exclude_conditions": [...]}``, the interface agreed
  with the point-of-care work, issue 13): :func:`refusal` gives the reason a patient is outside it. This is a
  minimal reading until the registry implements it; keep it here so there is one place to replace.
* ``subgroups`` (the held-out subgroup table the build computed, each row with a ``match`` rule on the model's
  inputs) and ``cohort_gaps`` (sentences for groups the cohort did not include or did not record):
  :func:`annotate` puts the rows the patient belongs to, and the sentences that apply, on a Score.

A ``match`` rule is ``{"input": name, "equals": value}`` or ``{"input": name, "ge"/"gt"/"le"/"lt": bound, ...}``
(all bounds must hold); ``None`` means the row describes an attribute no record holds (e.g. the year the
cohort's serum was sampled) and never matches. A ``cohort_gaps`` entry holds ``always: true``, or a match rule,
or ``{"input": name, "present": true}`` (applies when the record has that item at all).
"""
from __future__ import annotations

from typing import Any

CATEGORIES = ("clinical", "research", "demonstration")


def category(card: dict) -> str:
    c = card.get("category", "clinical")
    return c if c in CATEGORIES else "clinical"


def for_patients(card: dict) -> bool:
    """Whether the model is scored for patients (demonstration models are not)."""
    return category(card) != "demonstration"


def _condition_rows(conditions) -> list[dict]:
    if conditions is None or getattr(conditions, "empty", True):
        return []
    cols = [c for c in ("code_system", "code", "display", "onset", "clinical_status") if c in conditions]
    return conditions[cols].to_dict("records")


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def excluding_condition(rule: dict, conditions) -> dict | None:
    """The first record row that an ``exclude_conditions`` rule names: an exact code of ``codes`` or a code starting
    with one of ``prefixes`` (ICD-10 categories), each under its code system. Any clinical status counts: a past
    myocardial infarction is still clinical ASCVD."""
    exact = {(s, str(c)) for s, cs in (rule.get("codes") or {}).items() for c in cs}
    prefixes = {s: tuple(str(p).upper() for p in ps) for s, ps in (rule.get("prefixes") or {}).items()}
    for r in _condition_rows(conditions):
        system, code = _text(r.get("code_system")), _text(r.get("code"))
        if not code:
            continue
        if (system, code) in exact or (system in prefixes and code.upper().startswith(prefixes[system])):
            return r
    return None


def _row_words(r: dict) -> str:
    display = _text(r.get("display")) or "a condition"
    system = _text(r.get("code_system"))
    sys_name = "SNOMED CT" if "snomed" in system else ("ICD-10" if "icd-10" in system else system or "code")
    onset = _text(r.get("onset"))[:10]
    return f"{display} ({sys_name} {_text(r.get('code'))}{', since ' + onset if onset else ''})"


def refusal(card: dict, facts: dict[str, Any], conditions=None) -> str | None:
    """Why the patient is outside the card's ``applicability`` (None when inside or when it says nothing).

    ``sex``: the sexes the model is for (an unknown recorded sex is refused too: the model cannot be checked to
    apply); ``age_years``: [lo, hi]; ``exclude_conditions``: rules (label, why, source, codes/prefixes by code
    system) a condition on record meets."""
    app = card.get("applicability") or {}
    sex = facts.get("sex")
    if "sex" in app and sex not in app["sex"]:
        who = " or ".join(app["sex"])
        src = f" ({app['sex_source']})" if app.get("sex_source") else ""
        got = f"this patient's recorded sex is {sex}" if sex else "this patient's sex is not recorded"
        return f"the model is for {who} patients only{src}; {got}"
    age = facts.get("age")
    if "age_years" in app and age is not None:
        lo, hi = app["age_years"]
        if not lo <= age <= hi:
            return f"the model is for ages {lo:g}-{hi:g}; this patient is {age:.0f}"
    for rule in app.get("exclude_conditions", []):
        row = excluding_condition(rule, conditions)
        if row is not None:
            why = f"; {rule['why']}" if rule.get("why") else ""
            return (f"{_row_words(row)} on record is {rule['label']}{why} (definition: "
                    f"{rule.get('source', 'model card')})")
    return None


def matches(rule: dict | None, values: dict[str, Any]) -> bool:
    """Whether ``values`` satisfy one ``match`` rule (an unknown input never matches)."""
    if not rule:
        return False
    v = values.get(rule["input"])
    if v is None:
        return False
    if rule.get("present"):
        return True
    if "equals" in rule:
        return v == rule["equals"]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    checks = {"ge": v >= rule.get("ge", v), "gt": "gt" not in rule or v > rule["gt"],
              "le": v <= rule.get("le", v), "lt": "lt" not in rule or v < rule["lt"]}
    return all(checks.values())


def annotate(score, card: dict, extra: dict[str, Any] | None = None) -> None:
    """Fill ``score.subgroups`` and ``score.cohort_notes`` from the inputs used (and ``extra`` record facts)."""
    values = dict(extra or {}, **score.inputs_used)
    score.subgroups = [row for row in card.get("subgroups", []) if matches(row.get("match"), values)]
    notes = []
    for gap in card.get("cohort_gaps", []):
        if gap.get("always") or matches(gap, values):
            notes.append(gap["text"])
    score.cohort_notes = notes
