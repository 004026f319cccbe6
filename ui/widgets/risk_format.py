"""Turn a core :class:`workstation.models.Score` and its model card into display text: the value with its unit,
the inputs table (value, unit, date, source record; missing inputs listed, never filled in) and the card summary.

Presentation only: every number and sentence comes from the Score or the card.
"""
from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from ui import theme
from workstation.display import score_text, source_words, unit_text    # the one UCUM → display converter (whatif imports it from here too)


def fmt_value(score) -> str:
    """'32.2 %', '28.0 mg/week (4.0 mg/day)', '12 points (moderate)' — or '' when refused."""
    return score_text(score)


def outcome_text(score) -> str:
    c = score.card or {}
    parts = [str(c.get("outcome") or "").rstrip("."), str(c.get("horizon") or "")]
    return " · ".join(p for p in parts if p and p != "None")


def short_name(spec: dict) -> str:
    """An input's description without its parenthesised detail, for chart labels and what-if rows."""
    text = str(spec.get("description") or spec.get("name", ""))
    head = text.split(" (")[0].split(". ")[0].strip()
    return head if len(head) <= 26 else head[:25] + "…"


def _input_value(v: Any, spec: dict | None) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        unit = unit_text((spec or {}).get("unit", ""))
        return f"{v:.4g} {unit}".strip()
    return str(v).replace("_", " ")


def source_text(src: dict | None) -> tuple[str, str]:
    """(date, plain description of the record) for one entry of ``Score.sources``: the core's wording, shared with
    the PDF (:func:`workstation.display.source_words`)."""
    return source_words(src)


def inputs_frame(score, specs: list[dict]) -> pd.DataFrame:
    """One row per input of the model: used (with its source) or missing (or defaulted, with the default's note)."""
    by_name = {s["name"]: s for s in specs}
    rows = []
    order = [s["name"] for s in specs if not s["name"].startswith("<")]     # "<rsID>": one input per variant
    order = order or list(score.inputs_used) + list(score.inputs_missing)
    for name in order:
        spec = by_name.get(name, {})
        title = short_name(spec) if spec else name
        if name in score.inputs_used and name not in score.defaults_used:
            date, src = source_text(score.sources.get(name))
            rows.append({"input": title, "value": _input_value(score.inputs_used[name], spec), "date": date,
                         "source": src, "state": "used"})
        elif name in score.defaults_used:
            rows.append({"input": title, "value": _input_value(score.inputs_used.get(name, ""), spec), "date": "",
                         "source": f"default: {score.defaults_used[name]}", "state": "default"})
        elif name in score.inputs_missing:
            rows.append({"input": title, "value": "missing", "date": "", "source": "not in the record",
                         "state": "missing"})
        elif name in score.sources:      # recorded but refused (e.g. outside the validated range)
            date, src = source_text(score.sources[name])
            v = score.sources[name].get("mapped_value")
            rows.append({"input": title, "value": _input_value(v, spec), "date": date, "source": src,
                         "state": "not usable"})
    return pd.DataFrame(rows, columns=["input", "value", "date", "source", "state"])


def _e(v: Any) -> str:
    return escape("" if v is None else str(v))


def card_html(score) -> str:
    """The model card summary every score carries (intended use, population, outcome, limits, subgroups…)."""
    t = theme.current()
    c = score.card or {}

    def sec(title: str, body: str) -> str:
        return f"<p style='margin:8px 0 2px 0'><b>{_e(title)}</b></p>{body}" if body else ""

    def ul(items) -> str:
        items = [i for i in (items or []) if i]
        return "<ul style='margin:0 0 0 -18px'>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>" \
            if items else ""

    out = [sec("Intended use", f"<p style='margin:0'>{_e(c.get('intended_use'))}</p>"),
           sec("Population", f"<p style='margin:0'>{_e(c.get('population'))}</p>"),
           sec("Outcome and horizon", f"<p style='margin:0'>{_e(outcome_text(score))}</p>"),
           sec("Limitations", ul(c.get("limitations"))),
           sec("Known subgroup differences", ul(c.get("subgroup_differences")))]
    if score.contribution_scale:
        out.append(sec("How to read the contributions", f"<p style='margin:0'>{_e(score.contribution_scale)}</p>"))
    out.append(sec("Citation", f"<p style='margin:0'>{_e(c.get('citation'))}</p>"))
    sha = str(c.get("sha256") or "")
    out.append(f"<p style='color:{t.text_muted}; margin-top:8px'>Model {_e(score.model)} version "
               f"{_e(score.version)}{' · SHA-256 ' + _e(sha[:16]) + '…' if sha else ''}</p>")
    return "".join(out)
