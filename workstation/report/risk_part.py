"""Risk and dosing scores for the report: value or refusal, the inputs used (shown once, with their source record
and date), the inputs missing, and model version + SHA-256 prefix.

Input names are replaced by the model card's own descriptions; models for which the record holds none of the
inputs (e.g. a polygenic score without genotypes at its positions) are listed apart as "not applicable".
"""
from __future__ import annotations

import re

from workstation.display import interval_short, score_text, source_words
from workstation.report.content import InputRow, RiskRow, RiskSection, display_unit
from workstation.report.deid import When, age_text

MANY = 12   # more inputs than this (a polygenic score's variants): counted, not listed
_AGE_INPUTS = {"age", "age_years", "T1", "T2"}   # T1, T2: the Gail model's current and projection ages


def value_text(score) -> str:
    iv = interval_short(score)
    return score_text(score) + (f" ({iv})" if iv else "")


def _specs(registry, model_id: str) -> dict[str, dict]:
    try:
        return {s["name"]: s for s in registry.card(model_id).get("inputs", [])}
    except Exception:   # a card without inputs (polygenic scores list variants instead)
        return {}


def _label(name: str, spec: dict | None) -> str:
    """The card's description up to its first parenthesis or sentence end ('Age (enters as decade…)' -> 'Age')."""
    text = str((spec or {}).get("description") or name.replace("_", " "))
    return re.split(r" \(|\. ", text, maxsplit=1)[0].strip() or text


def _input_value(name: str, v, spec: dict | None, deidentify: bool) -> str:
    if name in _AGE_INPUTS and isinstance(v, (int, float)) and not isinstance(v, bool):
        return age_text(v, deidentify=deidentify)
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        unit = display_unit((spec or {}).get("unit", ""))
        return f"{v:.4g} {unit}".strip()
    return str(v).replace("_", " ")


def _source(src: dict | None, when: When) -> tuple[str, str]:
    """(when, what record) for one entry of Score.sources: the window's words (:func:`source_words`), dated the
    report's way."""
    date, words = source_words(src, detail=False)
    return (when.ago(date) if date else ""), words


def _reason(text: str, specs: dict[str, dict]) -> str:
    for name in sorted(specs, key=len, reverse=True):
        label = _label(name, specs[name])
        label = label if label[:2].isupper() else label[:1].lower() + label[1:]
        text = re.sub(rf"\b{re.escape(name)}\b", label, text)
    return text


_NOTE_WORDS = {"no sbp ": "no systolic blood pressure ", "no total chol ": "no total cholesterol ",
               "no hdl ": "no HDL cholesterol ", "no egfr ": "no eGFR ", "no bmi ": "no body-mass index ",
               "year(s)": "year(s) before this report"}


def _note(text: str) -> str:
    """The profile mapper's notes in plainer words (its input keys -> names)."""
    for a, b in _NOTE_WORDS.items():
        text = text.replace(a, b)
    return text


def _cohort_gaps(registry, score) -> list[str]:
    """One line naming what the trained model's cohort did not include (the card's short forms)."""
    try:
        card = registry.card(score.model)
    except Exception:
        return []
    short = [g.get("short") or g["text"] for g in card.get("cohort_gaps", [])
             if g["text"] in (score.cohort_notes or [])]
    name = card.get("short_name") or score.name or score.model
    level = f"{(score.interval_level or 0.95) * 100:.0f} %"
    head = f"{name}: bracketed range = {level} interval over refits of the model"
    return [head + ("; cohort: " + "; ".join(short) if short else "")] if score.interval or short else []


def _outcome(card: dict) -> str:
    parts = [str(card.get("outcome") or "").rstrip("."), str(card.get("horizon") or "")]
    return ", ".join(p for p in parts if p and p != "None")


def risk_section(scores: list, registry, when: When) -> RiskSection:
    rows: list[RiskRow] = []
    inputs: dict[tuple[str, str], InputRow] = {}
    not_applicable: list[str] = []
    notes: list[str] = []
    for s in scores:
        card = s.card or {}
        name = s.name or card.get("name") or s.model
        if not s.applicable:
            if s.category != "research":      # research-grade models appear in the summary only with a result
                not_applicable.append(f"{name}: {s.refused or 'not applicable'}")
            continue
        specs = _specs(registry, s.model)
        used = list(s.inputs_used)
        missing = [_label(n, specs.get(n)) for n in s.inputs_missing]
        if len(used) > MANY:
            used_labels = (f"{len(used)} variant dosages",)
        else:
            used_labels = tuple(_label(n, specs.get(n)) for n in used)
            for n in used:
                label = _label(n, specs.get(n))
                value = _input_value(n, s.inputs_used[n], specs.get(n), when.deidentify)
                if (label, value) not in inputs:
                    w, src = _source(s.sources.get(n), when)
                    inputs[(label, value)] = InputRow(label, value, w, src)
        if len(missing) > MANY:
            missing = [f"{len(missing)} variants not in the data"]
        sha = str(card.get("sha256") or "")[:12]
        rows.append(RiskRow(s.model, str(name), _outcome(card), value_text(s),
                            _reason(s.refused, specs) if s.refused else "", used_labels, tuple(missing),
                            str(s.version), sha, str(card.get("citation") or "")))
        gaps = _cohort_gaps(registry, s) if s.ok else []
        for n in list(s.notes or []) + gaps:
            n = _note(n)
            if n not in notes:
                notes.append(n)
    rows.sort(key=lambda r: (r.result == "", r.model_id))
    return RiskSection(tuple(rows), tuple(inputs.values()), tuple(not_applicable), tuple(notes))
