"""De-identification of the consult summary (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)), and date wording.

The de-identified variant is built from the same data as the normal one; :class:`When` formats every date (as a
year, or as a time relative to the report) and :func:`scrub` then passes over every string of the finished
:class:`~workstation.report.content.ReportContent` as a second line of defence. What the workstation holds for
each of the 18 Safe Harbor identifiers, and how the report removes it:

 1. Names — ``patients.name/given/family``. The banner shows "De-identified patient"; :func:`scrub` replaces the
    full name and each name part anywhere in the text. No relative's name is stored (family history keeps the
    relationship only).
 2. Geographic units smaller than a state — not in the store's tables; a FHIR Patient.address survives only in
    the raw ``fhir_resources`` JSON, which the report never reads.
 3. Dates (except year) directly related to the patient — birth and death dates, observation, condition,
    medication, import and print times. De-identified: age only (ages over 89 as "90 or older", no birth year),
    events as a year ("since 2024") or relative to the report's date ("13 months ago"), trend plots on
    an axis of years relative to the report, and the print time as its year only (so relative times cannot be
    turned back into dates). :func:`scrub` also rewrites any ISO or "8 Sep 2024"-style date left in free text
    (e.g. a mapper note) to its year.
 4–6. Telephone, fax, e-mail — only in raw FHIR JSON (Patient.telecom); never read.
 7. Social security numbers — could arrive in ``patients.identifiers``; identifiers are not shown.
 8. Medical record numbers — ``patients.id`` and ``patients.identifiers``; not shown, and :func:`scrub` replaces
    each value wherever it occurs (e.g. inside a medication or file name).
 9–11. Health-plan, account, certificate/licence numbers — identifiers JSON or raw FHIR only; not shown.
 12. Vehicle identifiers — not held.
 13. Device identifiers — ``wearable_samples.device``, and the VCF sample name; the report shows neither.
 14–15. URLs and IP addresses of the patient — not held (the CPIC guideline addresses shown are not the
    patient's).
 16. Biometric identifiers — not held. Genotypes are not a Safe Harbor identifier; the report shows only the
    pharmacogene diplotypes, not variant positions of the genome.
 17. Full-face photographs — not held.
 18. Any other unique number or code — FHIR resource ids, file names (which often carry an MRN or name), file
    hashes, the store's path and vault id: the de-identified report shows none of them (imports are counted by
    kind only).

Also kept out of the de-identified file: the PDF title (no name; set by the renderer). The OS user who printed
is the workstation's user, not the patient, and stays in the provenance (it is audited anyway).
"""
from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, datetime

import pandas as pd

NAME_REMOVED = "[name removed]"
ID_REMOVED = "[identifier removed]"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO = re.compile(r"\b((?:19|20)\d{2})-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_DMY = re.compile(r"\b\d{1,2} (?:%s)[a-z]* ((?:19|20)\d{2})\b" % "|".join(MONTHS))
_MDY = re.compile(r"\b(?:%s)[a-z]* \d{1,2},? ((?:19|20)\d{2})\b" % "|".join(MONTHS))
_SLASH = re.compile(r"\b\d{1,2}/\d{1,2}/((?:19|20)\d{2})\b")
_AGE_90 = re.compile(r"\b(age[sd]?\s+(?:of\s+)?)(?:9\d|1[0-4]\d)(?:\s*(?:years?|yrs?)\b)?", re.I)


def to_date(v) -> date | None:
    """A date from a timestamp, date, ISO string or NaT/None."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, float) and v != v:
        return None
    try:
        t = pd.Timestamp(v)
    except (ValueError, TypeError):
        return None
    if pd.isna(t):
        return None
    return t.date()


def age_text(age: float | None, *, deidentify: bool) -> str:
    if age is None:
        return "age not recorded"
    a = int(age)
    if deidentify and a >= 90:
        return "90 or older"
    return f"{a} years"


class When:
    """Date wording for one report: full dates normally; years and relative times when de-identifying."""

    def __init__(self, as_of: datetime, *, deidentify: bool) -> None:
        self.as_of = as_of
        self.deidentify = deidentify

    def date(self, v) -> str:
        d = to_date(v)
        if d is None:
            return ""
        return str(d.year) if self.deidentify else f"{d.day} {MONTHS[d.month - 1]} {d.year}"

    def since(self, v) -> str:
        text = self.date(v)
        return f"since {text}" if text else ""

    def ago(self, v) -> str:
        """'14 Oct 2025' normally; '13 months ago' (before the report's date) when de-identified."""
        d = to_date(v)
        if d is None:
            return ""
        if not self.deidentify:
            return self.date(d)
        days = (self.as_of.date() - d).days
        if days < 0:
            return "after the report date"
        if days < 14:
            return "< 2 weeks ago"
        if days < 61:
            return f"{round(days / 7)} weeks ago"
        if days < 730:
            return f"{round(days / 30.44)} months ago"
        return f"{days / 365.25:.1f} years ago"

    def x(self, v) -> float | None:
        """Plot position: decimal year, or years relative to the report when de-identified."""
        t = pd.Timestamp(v)
        if pd.isna(t):
            return None
        t = t.tz_convert(None) if t.tzinfo else t
        if self.deidentify:
            return (t - pd.Timestamp(self.as_of)).total_seconds() / (365.25 * 86400)
        start = pd.Timestamp(year=t.year, month=1, day=1)
        return t.year + (t - start).total_seconds() / (366 * 86400 if t.is_leap_year else 365 * 86400)

    @property
    def x_axis(self) -> str:
        return "years relative to this report" if self.deidentify else "year"

    def generated(self) -> str:
        if self.deidentify:
            return str(self.as_of.year)
        return f"{self.date(self.as_of)} {self.as_of:%H:%M}"


def identifying_strings(patient: dict) -> tuple[list[str], list[str]]:
    """(name strings, identifier strings) of one patient row, longest first, for :func:`scrub`."""
    names: set[str] = set()
    for key in ("name", "given", "family"):
        v = patient.get(key)
        if isinstance(v, str) and v.strip():
            names.add(v.strip())
            names.update(p for p in re.split(r"[\s,]+", v) if len(p) >= 2)
    ids: set[str] = {str(patient.get("id") or "")}
    raw = patient.get("identifiers")
    try:
        for i in (json.loads(raw) if isinstance(raw, str) and raw else raw or []):
            if isinstance(i, dict) and i.get("value"):
                ids.add(str(i["value"]))
    except (ValueError, TypeError):
        pass
    key = lambda s: (-len(s), s)  # noqa: E731
    return sorted(names, key=key), sorted((i for i in ids if len(i) >= 3), key=key)


def scrub_text(text: str, names: list[str], ids: list[str]) -> str:
    for i in ids:
        text = re.sub(re.escape(i), ID_REMOVED, text, flags=re.I)
    for n in names:
        text = re.sub(r"(?<!\w)" + re.escape(n) + r"(?!\w)", NAME_REMOVED, text, flags=re.I)
    for pat in (_ISO, _DMY, _MDY, _SLASH):
        text = pat.sub(lambda m: m.group(1), text)
    return _AGE_90.sub(lambda m: m.group(1) + "90 or older", text)


def scrub(obj, names: list[str], ids: list[str]):
    """A copy of a (nested) frozen dataclass / tuple structure with every string passed through
    :func:`scrub_text`."""
    if isinstance(obj, str):
        return scrub_text(obj, names, ids)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.replace(obj, **{f.name: scrub(getattr(obj, f.name), names, ids)
                                           for f in dataclasses.fields(obj)})
    if isinstance(obj, tuple):
        return tuple(scrub(x, names, ids) for x in obj)
    return obj
