"""Display text for stored quantities: numbers without exponents, model results, and (re-exported from the unit
policy, :mod:`workstation.units`) UCUM unit codes as people write them.

The store keeps units as UCUM case-sensitive codes; clinicians read ``mmHg``, not ``mm[Hg]``.
:func:`workstation.units.unit_text` is the one place a code becomes display text: the window (timeline, omics,
wearables, risk inputs, what-if) and the consult report. Presentation only; GUI-thread free (pure functions).
"""
from __future__ import annotations

import math

from workstation.units import unit_text

__all__ = ["number_text", "score_text", "unit_text"]


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
