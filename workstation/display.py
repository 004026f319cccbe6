"""Display text for stored quantities: UCUM unit codes as people write them, and numbers without exponents.

The store keeps units as UCUM case-sensitive codes (see ``workstation/ingest/units.py``); clinicians read
``mmHg``, not ``mm[Hg]``. :func:`unit_text` is the one place a code becomes display text: the window (timeline,
omics, wearables, risk inputs, what-if) and the consult report. It only rewrites notation (brackets, annotations, exponents, the ``u``
micro prefix, named codes such as ``Cel``); an unknown code is shown as stored, never guessed.
Presentation only; GUI-thread free (pure functions).
"""
from __future__ import annotations

import math
import re

# Whole codes with a conventional written form (UCUM 2.1 tables: Cel §4.3 t.16, [degF] §4.6 t.22, a/mo/wk/d t.5).
UNIT_TEXT: dict[str, str] = {
    "mm[Hg]": "mmHg", "mL/min/{1.73_m2}": "mL/min/1.73 m²", "kg/m2": "kg/m²", "Cel": "°C", "[degF]": "°F",
    "a": "years", "mo": "months", "wk": "weeks", "d": "days", "[IU]/L": "IU/L", "[in_i]": "in", "[lb_av]": "lb",
    "[mi_i]": "mi", "[ft_i]": "ft", "[oz_av]": "oz",
}
# Bracketed atoms inside longer codes (e.g. "[IU]/mL", "cm[H2O]").
_ATOMS = {"[Hg]": "Hg", "[H2O]": "H₂O", "[IU]": "IU", "[iU]": "IU", "[degF]": "°F", "[in_i]": "in",
          "[lb_av]": "lb", "[mi_i]": "mi", "[ft_i]": "ft", "[oz_av]": "oz", "[pH]": "pH"}
_SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_MICRO = re.compile(r"(?<![A-Za-z])u(?=(mol|g|L|IU|\[IU\]|U|eq|m\b))")
_POWER_OF_TEN = re.compile(r"10[*^](-?\d+)")
_EXPONENT = re.compile(r"(?<=[A-Za-z])([23])(?![\d.])")


def unit_text(unit: str | None) -> str:
    """A UCUM code as people write it: ``mm[Hg]`` → mmHg, ``mL/min/{1.73_m2}`` → mL/min/1.73 m², ``Cel`` → °C,
    ``umol/L`` → µmol/L, ``10*3/uL`` → 10³/µL, ``{steps}`` → steps. None or blank → ''."""
    u = "" if unit is None else str(unit).strip()
    if not u or u.lower() == "nan":
        return ""
    if u in UNIT_TEXT:
        return UNIT_TEXT[u]
    out = []
    for part in re.split(r"(\{[^}]*\})", u):       # annotations ({steps}) are free text: only unbraced
        if part.startswith("{"):
            out.append(part[1:-1].replace("_", " "))
            continue
        text = _MICRO.sub("µ", part)
        for code, shown in _ATOMS.items():
            text = text.replace(code, shown)
        text = _POWER_OF_TEN.sub(lambda m: "10" + m.group(1).translate(_SUPER), text)
        out.append(_EXPONENT.sub(lambda m: m.group(1).translate(_SUPER), text))
    return "".join(out)


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
