"""The patient's medicines, as written, -> CPIC drugs.

A medication row (workstation/store/schema.py ``medications``: code_system, code, display, rxnorm, status) matches a
CPIC drug (resources/pgx/drugs.tsv) by, in order:

1. its RxNorm code = the CPIC drug's RxNorm ingredient code, or a clinical/branded drug code (SCD/SBD) listed in
   resources/pgx/drug_codes.tsv, or its ATC code (``http://www.whocc.no/atc``) is one of the drug's ATC codes;
2. the words of its display or code text: the ingredient name (so an RxNorm clinical or branded drug, SCD/SBD, whose
   display names the ingredient, "Clopidogrel 75 MG Oral Tablet", "... [Vicodin]", matches), a brand or combination
   brand ("Plavix", "Zocor", "Triumeq"), or an abbreviation ("5-FU"; case-sensitive) from resources/pgx/drug_names.tsv.

Statuses that count: active, on-hold, intended, draft and unknown (FHIR MedicationRequest/Statement); a missing status
counts as active. An ``unknown`` status is carried on the match so the alert says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from workstation.pgx.tables import drug_codes, drug_names, drugs

COUNTED = ("active", "on-hold", "intended", "draft", "unknown")
ATC_SYSTEMS = ("http://www.whocc.no/atc", "urn:oid:2.16.840.1.113883.6.73")


@dataclass(frozen=True)
class MedicationMatch:
    drug: str           # the CPIC drug
    label: str          # the medicine as the record names it
    status: str         # as recorded, lower case ("active" when missing)
    matched_by: str     # "rxnorm ingredient" | "atc" | "ingredient name" | "brand" | "abbreviation" ...


def _status(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or not str(v).strip():
        return "active"
    return str(v).strip().lower()


def counts(status) -> bool:
    return _status(status) in COUNTED


@lru_cache(maxsize=1)
def _patterns() -> tuple[list[tuple[re.Pattern, str, str]], dict[str, str], dict[str, str]]:
    table = drugs()
    pats: list[tuple[re.Pattern, str, str]] = []
    for name in table:
        pats.append((re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", re.I), name, "ingredient name"))
    for r in drug_names():
        flags = 0 if r["kind"] == "abbreviation" else re.I
        pats.append((re.compile(r"(?<![\w-])" + re.escape(r["name"]) + r"(?![\w-])", flags), r["drug"], r["kind"]))
    by_rx = {r["rxnorm"]: name for name, r in table.items() if r.get("rxnorm")}
    by_atc: dict[str, str] = {}
    for name, r in table.items():
        for code in (r.get("atc") or "").replace(" ", "").split(","):
            if code and code != "NA":
                by_atc.setdefault(code, name)
    return pats, by_rx, by_atc


def _clean(v) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    s = str(v).strip()
    return s or None


def resolve(display: str | None = None, rxnorm: str | None = None, code: str | None = None,
            code_system: str | None = None) -> list[tuple[str, str]]:
    """[(CPIC drug, matched_by)] for one medicine as written (several for a combination product)."""
    pats, by_rx, by_atc = _patterns()
    rx, code, display = _clean(rxnorm), _clean(code), _clean(display)
    if rx and rx in by_rx:
        return [(by_rx[rx], "rxnorm ingredient")]
    if rx and rx in drug_codes() and not display:
        return [(drug_codes()[rx], "rxnorm clinical/branded drug code")]
    system = (_clean(code_system) or "").lower()
    if code and (system in ATC_SYSTEMS or re.fullmatch(r"[A-Z]\d\d[A-Z]{2}\d\d", code)) and code in by_atc:
        return [(by_atc[code], "atc")]
    if code and code in by_rx and (not system or "rxnorm" in system):
        return [(by_rx[code], "rxnorm ingredient")]
    text = " ".join(x for x in (display, code if code and not code.isdigit() else None) if x)
    out: list[tuple[str, str]] = []
    for p, drug, kind in pats:
        if p.search(text) and drug not in {d for d, _ in out}:
            out.append((drug, kind))
    return out


def match_medications(medications: pd.DataFrame | None) -> list[MedicationMatch]:
    """One match per (CPIC drug, medicine) among the medicines whose status counts."""
    if medications is None or len(medications) == 0:
        return []
    out: list[MedicationMatch] = []
    seen: set[tuple[str, str]] = set()
    for r in medications.itertuples(index=False):
        status = _status(getattr(r, "status", None))
        if status not in COUNTED:
            continue
        rx = getattr(r, "rxnorm", None)
        label = _clean(getattr(r, "display", None)) or _clean(rx) or _clean(getattr(r, "code", None)) or ""
        for drug, how in resolve(getattr(r, "display", None), rx, getattr(r, "code", None),
                                 getattr(r, "code_system", None)):
            if (drug, label) not in seen:
                seen.add((drug, label))
                out.append(MedicationMatch(drug, label, status, how))
    return out
