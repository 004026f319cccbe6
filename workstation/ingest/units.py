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
