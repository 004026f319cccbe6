"""Check a medicine before it is prescribed: a drug as typed (generic, brand, abbreviation, or the start of a name)
-> CPIC guidance for this patient.

Names resolve through :func:`workstation.pgx.medications.resolve` (the same ingredient / brand / abbreviation
tables the medication list uses, resources/pgx/drug_names.tsv); when nothing matches whole words, a unique prefix of a
CPIC drug or brand name ("capecit") is taken, several prefixes are offered as candidates. The answer is one of:

* ``guidance``     CPIC recommendations apply to this patient's results (the alert of the drug, with its level);
* ``no_result``    CPIC guidance exists, but a gene it needs has no usable result here;
* ``no_guidance``  the drug is not in the shipped CPIC level A/B tables: no pharmacogenomic guidance;
* ``ambiguous``    the text starts several drug names (``candidates``); ``empty`` nothing typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workstation.levels import Level
from workstation.pgx.guidance import _alert
from workstation.pgx.medications import resolve
from workstation.pgx.model import Alert, PgxResult, Recommendation
from workstation.pgx.tables import drug_names, drugs


@dataclass(frozen=True)
class MedicineCheck:
    query: str
    status: str                           # guidance | no_result | no_guidance | ambiguous | empty
    drug: str | None = None               # the CPIC drug the text resolved to
    matched_by: str = ""
    level: Level = Level.NO_GUIDANCE
    sentence: str = ""                    # one plain sentence for the banner
    alert: Alert | None = None            # the full alert (CPIC's text, basis) when guidance exists
    genes: tuple[str, ...] = ()
    genes_without_result: tuple[str, ...] = ()
    candidates: tuple[str, ...] = field(default_factory=tuple)


def _prefix(text: str) -> list[tuple[str, str]]:
    t = text.strip().lower()
    if len(t) < 3:
        return []
    hits: dict[str, str] = {}
    for name in drugs():
        if name.lower().startswith(t):
            hits.setdefault(name, "start of the ingredient name")
    for r in drug_names():
        if r["name"].lower().startswith(t):
            hits.setdefault(r["drug"], f"start of the {r['kind']} {r['name']}")
    return list(hits.items())


def resolve_text(text: str) -> list[tuple[str, str]]:
    """[(CPIC drug, how)] for a drug as typed."""
    whole = resolve(display=text)
    return whole or _prefix(text)


def check_medicine(text: str, result: PgxResult, recommendations: list[Recommendation],
                   medications: pd.DataFrame | None = None) -> MedicineCheck:
    """What CPIC says about ``text`` for the patient whose calls are ``result`` (recommendations from
    :func:`workstation.pgx.guidance`; ``medications`` only for the CYP2D6 phenoconversion note)."""
    q = (text or "").strip()
    if not q:
        return MedicineCheck(q, "empty", sentence="Type a medicine (generic name, brand or abbreviation).")
    hits = resolve_text(q)
    if not hits:
        return MedicineCheck(q, "no_guidance", sentence=f"No pharmacogenomic guidance for “{q}”: it is not a drug "
                             "in the shipped CPIC level A/B tables (nor a brand or abbreviation of one).")
    if len(hits) > 1 and not resolve(display=q):
        names = tuple(d for d, _ in hits)
        return MedicineCheck(q, "ambiguous", candidates=names,
                             sentence=f"“{q}” starts several drug names: {', '.join(names[:8])}. Type more.")
    drug, how = hits[0]
    recs = [r for r in recommendations if r.drug == drug]
    alert = _alert(drug, q, "intended", recs, result)
    genes = tuple(drugs()[drug]["genes"].split(";"))
    missing = tuple(g for g in genes if (result.get(g) is None or not result.get(g).called))
    if not recs:
        return MedicineCheck(q, "no_result", drug, how, Level.NO_RESULT, alert=alert, genes=genes,
                             genes_without_result=missing,
                             sentence=f"{drug}: CPIC guidance exists ({', '.join(genes)}), but "
                                      + (f"{' and '.join(missing)} has no result for this patient"
                                         if missing else "no recommendation applies to the results available")
                                      + ". Missing is not normal: test before relying on it.")
    return MedicineCheck(q, "guidance", drug, how, alert.level, alert.headline, alert, genes, missing)
