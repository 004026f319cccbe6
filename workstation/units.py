"""The unit policy: the one module every part of the workstation uses for units of measure.

* **Normalise** (importers): :func:`to_ucum` turns a unit as written in a file into its UCUM case-sensitive code
  ("c/s" column of the UCUM specification, https://ucum.org/ucum, version 2.1). :data:`ALIASES` maps spellings seen
  in real files that are *not* UCUM codes to the code meant; every entry is an unambiguous display name or common
  abbreviation of the UCUM unit on its right. ``C`` is strictly the UCUM code for coulomb; it is here because FHIR
  exporters (e.g. Synthea 3.x US-Core bundles, LOINC 8310-5 body temperature) write it for degree Celsius, and no
  clinical observation is measured in coulombs. A case variant of a code the conversion table knows (``MG/DL``,
  ``mmol/l``) is read as that code. Anything else is kept as written, never guessed.
* **Convert** (models' input mapping, views, report): :func:`conversion` / :func:`convert` between two UCUM codes
  through the conversion table ``resources/units/conversions.tsv`` (data, one cited source per row). Conversions
  between a mass and an amount of substance hold for one substance only: they apply to an observation only when
  ``resources/units/substances.tsv`` says which substance its code measures. No conversion → ``None`` (the caller
  shows the value on its own axis or says it was left out; it never mixes units under one label).
* **Harmonise** (timeline, report trends): :func:`harmonise` gives every value of one observation code one shown
  unit (the most common one), converting the others where the table allows and putting the rest in their own
  group, with the count of converted values, so nothing is dropped silently.
* **Show**: :func:`unit_text` writes a UCUM code as people write it (``mm[Hg]`` → mmHg).

Pure functions and frozen tables; no Qt; safe on any thread (the tables load once, under a lock).
"""
from __future__ import annotations

import csv
import re
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workstation.paths import resources_dir

# --- normalisation ------------------------------------------------------------------------------------------------
ALIASES: dict[str, str] = {
    # temperature
    "C": "Cel", "°C": "Cel", "ºC": "Cel", "degC": "Cel", "deg C": "Cel", "celsius": "Cel", "Celsius": "Cel",
    "F": "[degF]", "°F": "[degF]", "degF": "[degF]", "fahrenheit": "[degF]",
    # rates per minute (heart rate, respiratory rate)
    "beats/minute": "/min", "beats/min": "/min", "beat/min": "/min", "bpm": "/min", "BPM": "/min",
    "beats per minute": "/min", "count/min": "/min", "counts/min": "/min", "breaths/minute": "/min",
    "breaths/min": "/min", "per minute": "/min", "/minute": "/min", "{beats}/min": "/min", "{breaths}/min": "/min",
    # pressure
    "mmHg": "mm[Hg]", "mm Hg": "mm[Hg]", "mm hg": "mm[Hg]", "mmhg": "mm[Hg]",
    # mass, length, body mass index
    "kgs": "kg", "kilogram": "kg", "kilograms": "kg", "Kg": "kg", "KG": "kg",
    "lb": "[lb_av]", "lbs": "[lb_av]", "pound": "[lb_av]", "pounds": "[lb_av]",
    "in": "[in_i]", "inch": "[in_i]", "inches": "[in_i]", "CM": "cm", "centimeter": "cm", "centimetre": "cm",
    "kg/m^2": "kg/m2", "kg/m²": "kg/m2", "kg/sq m": "kg/m2",
    # fractions and concentrations (case variants of UCUM codes)
    "percent": "%", "pct": "%", "mg/dl": "mg/dL", "MG/DL": "mg/dL", "g/dl": "g/dL", "mmol/l": "mmol/L",
    "umol/l": "umol/L", "µmol/L": "umol/L", "μmol/L": "umol/L", "µmol/l": "umol/L", "nmol/l": "nmol/L",
    "ng/ml": "ng/mL", "pg/ml": "pg/mL", "ug/ml": "ug/mL", "µg/mL": "ug/mL", "mg/l": "mg/L", "g/l": "g/L",
    "u/l": "U/L", "IU/L": "[IU]/L", "iu/l": "[IU]/L", "mmol/mol Hb": "mmol/mol", "% Hb": "%",
    # eGFR spellings (per 1.73 m² of body surface; UCUM writes the annotation in braces)
    "mL/min/1.73m2": "mL/min/{1.73_m2}", "mL/min/1.73_m2": "mL/min/{1.73_m2}", "mL/min/{1.73m2}": "mL/min/{1.73_m2}",
    "mL/min/1.73 m2": "mL/min/{1.73_m2}", "mL/min/1.73m²": "mL/min/{1.73_m2}", "kg/(m2)": "kg/m2",
    # durations
    "msec": "ms", "millisecond": "ms", "milliseconds": "ms", "sec": "s", "secs": "s", "second": "s",
    "seconds": "s", "mins": "min", "minute": "min", "minutes": "min", "hr": "h", "hrs": "h", "hour": "h",
    "hours": "h",
    # counts (dimensionless; UCUM annotations in braces, §2.5)
    "count": "{count}", "steps": "{steps}", "step": "{steps}", "{step}": "{steps}",
    "mi": "[mi_i]", "mile": "[mi_i]", "miles": "[mi_i]",
}


def to_ucum(unit: str | None) -> str | None:
    """The UCUM code for ``unit`` (unchanged when it is already UCUM or unknown); None or blank → None."""
    if unit is None or (isinstance(unit, float) and unit != unit):
        return None
    u = str(unit).strip()
    if not u:
        return None
    if u in ALIASES:
        return ALIASES[u]
    known = _known_codes()
    if len(u) > 2 and u not in known["codes"]:      # a case variant of a code the tables know (not 'A' → 'a')
        return known["lower"].get(u.lower(), u)
    return u


def is_alias(unit: str | None) -> bool:
    """True when ``unit`` is a known non-UCUM spelling that :func:`to_ucum` rewrites."""
    if unit is None or (isinstance(unit, float) and unit != unit):
        return False
    u = str(unit).strip()
    return bool(u) and to_ucum(u) != u


# --- display --------------------------------------------------------------------------------------------------------
# Whole codes with a conventional written form (UCUM 2.1 tables: Cel §4.3 t.16, [degF] §4.6 t.22, a/mo/wk/d t.5).
UNIT_TEXT: dict[str, str] = {
    "mm[Hg]": "mmHg", "mL/min/{1.73_m2}": "mL/min/1.73 m²", "kg/m2": "kg/m²", "Cel": "°C", "[degF]": "°F",
    "a": "years", "mo": "months", "wk": "weeks", "d": "days", "[IU]/L": "IU/L", "[in_i]": "in", "[lb_av]": "lb",
    "[mi_i]": "mi", "[ft_i]": "ft", "[oz_av]": "oz", "/min": "/min",
    # microarray scales stored as the unit of probe-set values (workstation/ingest/omics.py): not exponents
    "log2 intensity": "log2 intensity", "log10 intensity": "log10 intensity", "linear intensity": "linear intensity",
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
    ``umol/L`` → µmol/L, ``10*3/uL`` → 10³/µL, ``{steps}`` → steps. None or blank → ''. Only notation is
    rewritten; an unknown code is shown as stored."""
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


# --- the conversion table -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conversion:
    """``to = from * factor + offset``; ``sources`` names where each step's factor comes from."""

    from_unit: str
    to_unit: str
    factor: float
    offset: float = 0.0
    substance: str = "*"
    sources: tuple[str, ...] = ()

    def apply(self, value):
        """Convert a number or a numpy array (NaN stays NaN)."""
        return value * self.factor + self.offset

    def inverse(self) -> "Conversion":
        return Conversion(self.to_unit, self.from_unit, 1.0 / self.factor, -self.offset / self.factor,
                          self.substance, self.sources)

    def then(self, nxt: "Conversion") -> "Conversion":
        subst = self.substance if self.substance != "*" else nxt.substance
        return Conversion(self.from_unit, nxt.to_unit, self.factor * nxt.factor, nxt.factor * self.offset + nxt.offset,
                          subst, self.sources + tuple(s for s in nxt.sources if s not in self.sources))


IDENTITY_SOURCE = "same unit"
_lock = threading.Lock()
_tables: dict | None = None


def _read_tsv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [line for line in fh if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(rows, delimiter="\t"))


def _load() -> dict:
    global _tables
    with _lock:
        if _tables is None:
            folder = Path(resources_dir()) / "units"
            rows = []
            for r in _read_tsv(folder / "conversions.tsv"):
                rows.append(Conversion(r["from"], r["to"], float(r["factor"]), float(r["offset"] or 0),
                                       r["substance"], (r["source"],)))
            subst = {r["code"]: r["substance"] for r in _read_tsv(folder / "substances.tsv")}
            codes = {u for c in rows for u in (c.from_unit, c.to_unit)} | set(ALIASES.values()) | set(UNIT_TEXT)
            _tables = {"rows": tuple(rows), "substances": subst,
                       "known": {"codes": frozenset(codes), "lower": {u.lower(): u for u in sorted(codes)}}}
        return _tables


def reload() -> None:
    """Forget the loaded tables (tests that point ``WORKSTATION_RESOURCES_DIR`` elsewhere)."""
    global _tables
    with _lock:
        _tables = None
    _path_cache.clear()


def _known_codes() -> dict:
    return _load()["known"]


def conversion_rows() -> tuple[Conversion, ...]:
    """Every row of ``resources/units/conversions.tsv`` (direct conversions only)."""
    return _load()["rows"]


def substance_of(code: str | None) -> str | None:
    """The substance an observation code measures (``resources/units/substances.tsv``), or None."""
    return _load()["substances"].get(str(code)) if code is not None else None


_path_cache: dict[tuple[str, str, str | None], Conversion | None] = {}


def conversion(from_unit: str | None, to_unit: str | None, *, code: str | None = None,
               substance: str | None = None) -> Conversion | None:
    """The conversion from one UCUM code to another for an observation ``code`` (or a named ``substance``), composed
    from the table's rows (shortest chain); an identity for equal units; None when the table has no path."""
    f, t = to_ucum(from_unit), to_ucum(to_unit)
    if f is None or t is None:
        return None
    if f == t:
        return Conversion(f, t, 1.0, 0.0, "*", (IDENTITY_SOURCE,))
    subst = substance if substance is not None else substance_of(code)
    key = (f, t, subst)
    if key in _path_cache:
        return _path_cache[key]
    edges: dict[str, list[Conversion]] = {}
    for row in conversion_rows():
        if row.substance not in ("*", subst):
            continue
        edges.setdefault(row.from_unit, []).append(row)
        edges.setdefault(row.to_unit, []).append(row.inverse())
    found: Conversion | None = None
    seen = {f}
    queue: deque[tuple[str, Conversion | None]] = deque([(f, None)])
    while queue and found is None:
        unit, path = queue.popleft()
        for step in edges.get(unit, []):
            if step.to_unit in seen:
                continue
            nxt = step if path is None else path.then(step)
            if step.to_unit == t:
                found = nxt
                break
            seen.add(step.to_unit)
            queue.append((step.to_unit, nxt))
    _path_cache[key] = found
    return found


def convert(value, from_unit: str | None, to_unit: str | None, *, code: str | None = None,
            substance: str | None = None):
    """``value`` (a number or numpy array) in ``to_unit``, or None when there is no conversion."""
    c = conversion(from_unit, to_unit, code=code, substance=substance)
    return None if c is None else c.apply(value)


# --- one unit per observation code ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitGroup:
    """One group of an observation code's values that share a shown unit (a track of the timeline, a trend)."""

    key: str                     # the code, or "code|unit" for values that could not be converted
    code: str
    unit: str                    # UCUM code of the values as shown ('' when the record gave none)
    n: int
    converted: dict              # recorded unit -> number of values converted from it
    separate: bool = False       # True: values in a unit that cannot be converted to the code's main unit
    main_unit: str = ""          # the code's main unit (for a separate group: the one it could not join)
    sources: tuple[str, ...] = ()


def main_unit(units) -> str:
    """The unit most values of one code carry (ties: the one of the latest value, i.e. last in ``units``)."""
    u = ["" if x is None or (isinstance(x, float) and x != x) else str(x) for x in list(units)]
    if not u:
        return ""
    counts: dict[str, int] = {}
    for x in u:
        counts[x] = counts.get(x, 0) + 1
    top = max(counts.values())
    return next(x for x in reversed(u) if counts[x] == top)


def harmonise(frame: pd.DataFrame, *, value: str = "value", code: str = "code", unit: str = "unit",
              by: str | None = None,
              ranges: tuple[str, ...] = ("ref_low", "ref_high")) -> tuple[pd.DataFrame, list[UnitGroup]]:
    """Every row of ``frame`` with its value (and reference limits) in one shown unit per group.

    Groups are the values of column ``by`` (default: the ``code`` column). Adds ``shown_value``, ``shown_unit``,
    the shown limits ``shown_<range column>``, ``recorded_unit`` and ``group`` (the :class:`UnitGroup` key). Per
    group the main unit is :func:`main_unit`; a value in another unit is converted when :func:`conversion` finds a
    path (for the substance of that row's code), otherwise it goes into a group of its own (``separate``, key
    ``"<group>|<unit>"``). Row order is kept. Units are normalised with :func:`to_ucum` first.
    """
    by = by or code
    out = frame.copy()
    if out.empty:
        for c in ("shown_value", "shown_unit", "recorded_unit", "group", *(f"shown_{r}" for r in ranges)):
            out[c] = pd.Series(dtype=object)
        return out, []
    rec = out[unit].map(to_ucum).fillna("") if unit in out else pd.Series("", index=out.index)
    out["recorded_unit"] = rec
    shown_v = pd.to_numeric(out[value], errors="coerce").to_numpy(dtype=float, copy=True)
    shown_r = {r: (pd.to_numeric(out[r], errors="coerce").to_numpy(dtype=float, copy=True) if r in out
                   else np.full(len(out), np.nan)) for r in ranges}
    shown_u = rec.to_numpy(dtype=object, copy=True)
    group = np.empty(len(out), dtype=object)
    groups: list[UnitGroup] = []
    keys = out[by].astype(str).to_numpy()
    row_codes = out[code].astype(str).to_numpy()
    rec_np = rec.to_numpy(dtype=object)
    for g in pd.unique(keys):
        idx = np.flatnonzero(keys == g)
        main = main_unit(rec_np[idx])
        converted: dict[str, int] = {}
        sources: list[str] = []
        apart: dict[str, list[int]] = {}
        for u, c in dict.fromkeys(zip(rec_np[idx], row_codes[idx])):
            sel = idx[(rec_np[idx] == u) & (row_codes[idx] == c)]
            if u and main:
                conv = conversion(u, main, code=c)
            else:                                    # a value without a unit joins only others without one
                conv = Conversion(u, main, 1.0) if u == main else None
            if conv is None:
                apart.setdefault(u, []).extend(sel.tolist())
                continue
            if u != main:
                shown_v[sel] = conv.apply(shown_v[sel])
                for r in ranges:
                    shown_r[r][sel] = conv.apply(shown_r[r][sel])
                shown_u[sel] = main
                converted[u] = converted.get(u, 0) + len(sel)
                sources += [s for s in conv.sources if s not in sources]
            group[sel] = g
        n_main = int(len(idx) - sum(len(v) for v in apart.values()))
        groups.append(UnitGroup(g, str(row_codes[idx[0]]), main, n_main, converted, False, main, tuple(sources)))
        for u, sel in apart.items():
            group[sel] = f"{g}|{u}"
            groups.append(UnitGroup(f"{g}|{u}", str(row_codes[sel[0]]), u, len(sel), {}, True, main))
    out["shown_value"] = shown_v
    out["shown_unit"] = shown_u
    for r in ranges:
        out[f"shown_{r}"] = shown_r[r]
    out["group"] = group
    return out, groups


def conversion_note(g: UnitGroup) -> str:
    """One sentence on what the policy did to a group's values ('' when nothing): '2 values recorded in mmol/L are
    shown converted to mg/dL.'"""
    if g.separate:
        return (f"{g.n} value{'s' if g.n != 1 else ''} recorded in {unit_text(g.unit) or 'no unit'}, which cannot be "
                f"converted to {unit_text(g.main_unit) or 'no unit'}, shown apart.")
    parts = [f"{n} value{'s' if n != 1 else ''} recorded in {unit_text(u) or 'no unit'}" for u, n in g.converted.items()]
    if not parts:
        return ""
    return f"{' and '.join(parts)} {'are' if sum(g.converted.values()) != 1 else 'is'} shown converted to {unit_text(g.unit)}."
