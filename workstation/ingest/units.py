"""Unit normalisation to UCUM (the Unified Code for Units of Measure).

Stored units are UCUM case-sensitive codes ("c/s" column of the UCUM specification, https://ucum.org/ucum,
version 2.1): ``Cel`` (degree Celsius, UCUM §4.3 table 16 "Cel"), ``[degF]`` (degree Fahrenheit, §4.6 table 22),
``/min`` (per minute: the unit ``min`` of UCUM table 5 with the division operator of §2.4; LOINC uses ``/min``
for heart and respiratory rate), ``mm[Hg]`` (millimetre of mercury column, table 17), ``kg``, ``g``, ``cm``,
``[in_i]`` (international inch, table 18), ``[lb_av]`` (avoirdupois pound, table 20), ``%`` (percent, table 15),
``h``/``min``/``s``/``ms`` (table 5 and the prefix ``m`` of §2.3), ``L``/``dL``/``mL`` (litre, table 5),
``[mi_i]`` (international mile, table 18).

:data:`ALIASES` maps spellings seen in real files that are *not* UCUM codes to the UCUM code meant. Every entry
is an unambiguous display name or common abbreviation of the UCUM unit on its right. ``C`` is strictly the UCUM
code for coulomb; it appears here because FHIR exporters (e.g. Synthea 3.x US-Core bundles, LOINC 8310-5 body
temperature) write it for degree Celsius, and no clinical observation is measured in coulombs.
"""
from __future__ import annotations

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
    "u/l": "U/L", "IU/L": "[IU]/L", "iu/l": "[IU]/L",
    # durations
    "msec": "ms", "millisecond": "ms", "milliseconds": "ms", "sec": "s", "secs": "s", "second": "s",
    "seconds": "s", "mins": "min", "minute": "min", "minutes": "min", "hr": "h", "hrs": "h", "hour": "h",
    "hours": "h",
    # counts (dimensionless; UCUM annotations in braces, §2.5)
    "count": "{count}", "steps": "{steps}", "step": "{steps}", "{step}": "{steps}",
    "mi": "[mi_i]", "mile": "[mi_i]", "miles": "[mi_i]",
}


def to_ucum(unit: str | None) -> str | None:
    """The UCUM code for ``unit`` (unchanged when it is already UCUM or unknown); None stays None."""
    if unit is None:
        return None
    u = str(unit).strip()
    if not u:
        return None
    return ALIASES.get(u, u)


def is_alias(unit: str | None) -> bool:
    """True when ``unit`` is a known non-UCUM spelling that :func:`to_ucum` rewrites."""
    return unit is not None and str(unit).strip() in ALIASES and ALIASES[str(unit).strip()] != str(unit).strip()


# Conversions between units of one quantity, as data rows: (quantity, from UCUM code, to UCUM code, factor, source).
# ``value_in_to = value_in_from * factor``. Consumers look rows up with :func:`factors_to`; a unit with no row (or
# no unit at all) has no conversion and the value is not used. Engineer 18's unit-policy module will absorb these.
CONVERSIONS: list[tuple[str, str, str, float, str]] = [
    # Serum free light chains: laboratories report mg/L (e.g. Cleveland Clinic Laboratories' test KLFRS: kappa
    # 3.30-19.40 mg/L);
    # the flchain cohort (Mayo Clinic) recorded mg/dL. 1 dL = 0.1 L (UCUM 2.1 §2.3, prefix d = 10^-1), so
    # 1 mg/L = 0.1 mg/dL. Feasibility study (shared/reference/ml/README.md §3b): read the wrong way round, 83 % of
    # values still pass the model's range check, so a value without a unit is never converted.
    ("serum free light chain", "mg/L", "mg/dL", 0.1, "UCUM 2.1 §2.3: d = 10^-1, 1 L = 10 dL"),
    ("serum free light chain", "mg/dL", "mg/dL", 1.0, "same unit"),
    ("serum free light chain", "g/L", "mg/dL", 100.0, "UCUM 2.1 §2.3: 1 g = 1000 mg, 1 L = 10 dL"),
]


def factors_to(quantity: str, unit: str) -> dict[str, float]:
    """``{from unit: factor}`` for converting ``quantity`` into ``unit`` (keys are UCUM codes as stored)."""
    return {src: f for q, src, dst, f, _ in CONVERSIONS if q == quantity and dst == unit}
