"""Display text for stored quantities: numbers without exponents, model results, and (re-exported from the unit
policy, :mod:`workstation.units`) UCUM unit codes as people write them.

The store keeps units as UCUM case-sensitive codes; clinicians read ``mmHg``, not ``mm[Hg]``.
:func:`workstation.units.unit_text` is the one place a code becomes display text: the window (timeline, omics,
wearables, risk inputs, what-if) and the consult report. Presentation only; GUI-thread free (pure functions).
"""
from __future__ import annotations

import math

from workstation.units import unit_text

__all__ = ["interval_short", "interval_text", "number_text", "score_text", "subgroup_text", "unit_text"]


def number_text(v, *, digits: int = 4) -> str:
    """A measured value for a table cell: thousands separators from 1,000 up (27,540), otherwise ``digits``
    significant digits in fixed notation (472.1, 0.01235); missing → ''. Exponents only below 1e-6."""
    if v is None or isinstance(v, bool):
        return "" if v is None else str(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 10 ** (digits - 1):
        return f"{x:,.0f}"
    if a < 1e-6:
        return f"{x:.{digits - 1}e}"
    decimals = max(digits - 1 - math.floor(math.log10(a)), 0)
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def score_text(score) -> str:
    """A model result as people read it: '32.2 %', '28.0 mg/week (4.0 mg/day)', '12 points (moderate)'; ''
    when refused. Used by the window and the consult report."""
    v = score.value
    if v is None:
        return ""
    unit = score.unit or ""
    if unit == "probability":
        text = f"{v * 100:.1f} %"
    elif unit == "mg/week":
        daily = (score.extra or {}).get("daily_mg")
        text = f"{v:.1f} mg/week" + (f" ({daily:.1f} mg/day)" if daily is not None else "")
    elif unit == "points":
        text = f"{v:.0f} points"
    else:
        text = f"{v:.3g} {unit_text(unit)}".strip()
    return text + (f" ({score.band})" if score.band else "")


def interval_text(score) -> str:
    """'95 % interval 16.0-21.9 %' for a score with an interval (bootstrap over the model's fit); '' otherwise."""
    iv = getattr(score, "interval", None)
    if score.value is None or not iv:
        return ""
    level = f"{(score.interval_level or 0.95) * 100:.0f} %"
    if score.unit == "probability":
        return f"{level} interval {iv[0] * 100:.1f}–{iv[1] * 100:.1f} %"
    return f"{level} interval {iv[0]:.3g}–{iv[1]:.3g} {unit_text(score.unit)}".strip()


def interval_short(score) -> str:
    """'15.0–18.5 %': the interval alone, for narrow columns (the report), '' without one."""
    iv = getattr(score, "interval", None)
    if score.value is None or not iv:
        return ""
    if score.unit == "probability":
        return f"{iv[0] * 100:.1f}–{iv[1] * 100:.1f} %"
    return f"{iv[0]:.3g}–{iv[1]:.3g} {unit_text(score.unit)}".strip()


def subgroup_text(row: dict) -> str:
    """One held-out subgroup row as a sentence: 'women: C 0.791 (0.767–0.814), O/E 1.02 (0.94–1.10), n 1,094'."""
    def est(key: str, digits: int) -> str:
        m = row.get(key)
        if not isinstance(m, dict):
            return ""
        lo, hi = m.get("ci95", [None, None])
        ci = f" ({lo:.{digits}f}–{hi:.{digits}f})" if lo is not None else ""
        return f"{m['est']:.{digits}f}{ci}"

    parts = [f"C {est('harrell_c', 3)}" if "harrell_c" in row else "",
             f"AUC {est('auc', 3)}" if "auc" in row else "",
             f"O/E {est('o_over_e', 2)}" if "o_over_e" in row else "",
             f"n {row['n']:,}" if "n" in row else "",
             f"{row['events_by_horizon']:,} events by the horizon" if "events_by_horizon" in row else ""]
    text = f"{row['label']}: " + ", ".join(p for p in parts if p)
    return text + (f" — {row['note']}" if row.get("note") else "")


def source_words(src: dict | None, *, detail: bool = True) -> tuple[str, str]:
    """(date as recorded, plain words for the record) of one ``Score.sources`` entry — the one wording the window's
    Risk tab and the PDF share. ``detail=False`` leaves out the birth date and recorded values (the de-identified
    report; the inputs table shows the value beside it anyway)."""
    if not src:
        return "", ""
    if src.get("entered"):
        return "", "entered by the user"
    if src.get("computed"):
        frm = src.get("from")
        frm = frm[0] if isinstance(frm, list) and frm else frm
        frm = frm if isinstance(frm, dict) else {}
        base = f" (from {frm['display']})" if frm.get("display") else ""
        return str(frm.get("date") or ""), f"computed: {src['computed']}{base}"
    if src.get("assumed"):
        return "", f"assumed no: {src.get('note', 'no record')}"
    table = src.get("table", "")
    if table == "patients":
        born = f", born {src['birth_date']}" if detail and src.get("birth_date") else ""
        return "", "patient record" + born
    if table in ("pgx", "outside_calls"):
        kind = "outside call" if table == "outside_calls" else "pharmacogenomic result"
        value = f" {src.get('value', '')}" if detail and src.get("value") else ""
        return str(src.get("entered_at") or ""), f"{kind} {src.get('gene', '')}{value}".strip()
    desc = str(src.get("display") or table)
    if src.get("code"):
        desc += f" ({'LOINC ' if table == 'observations' else ''}{src['code']})"
    if detail and src.get("value") is not None and src.get("unit"):
        desc += f": {src['value']} {unit_text(src['unit'])}"
    elif src.get("relationship"):
        desc += f", {src['relationship']}"
    return str(src.get("date") or ""), desc
