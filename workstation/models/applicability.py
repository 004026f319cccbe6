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


def _codes(conditions) -> set[tuple[str, str]]:
    if conditions is None or getattr(conditions, "empty", True):
        return set()
    return {(str(s), str(c)) for s, c in zip(conditions["code_system"].fillna(""), conditions["code"].fillna(""))}


def refusal(card: dict, facts: dict[str, Any], conditions=None) -> str | None:
    """Why the patient is outside the card's ``applicability`` (None when inside or when it says nothing)."""
    app = card.get("applicability") or {}
    sex = facts.get("sex")
    if "sex" in app and sex is not None and sex not in app["sex"]:
        return f"the model is for {' or '.join(app['sex'])} patients; this patient's recorded sex is {sex}"
    age = facts.get("age")
    if "age_years" in app and age is not None:
        lo, hi = app["age_years"]
        if not lo <= age <= hi:
            return f"the model is for ages {lo:g}-{hi:g}; this patient is {age:.0f}"
    have = _codes(conditions)
    for rule in app.get("exclude_conditions", []):
        for system, codes in (rule.get("codes") or {}).items():
            if any((system, str(c)) in have for c in codes):
                return f"the model does not apply to patients with {rule['label']} ({rule.get('source', 'card')})"
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
