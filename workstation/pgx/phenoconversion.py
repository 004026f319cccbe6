"""Phenoconversion: the functional CYP2D6 phenotype while the patient takes a CYP2D6 inhibitor from their own
medication list, shown *beside* the genotype phenotype (never replacing it).

Rules (resources/pgx/phenoconversion.tsv, each row cited): CPIC's opioid guideline (Crews et al. 2021) sets the
CYP2D6 activity score to 0 on a strong inhibitor and multiplies it by 0.5 on a moderate one, then applies CPIC's
CYP2D6 bands; the inhibitors and their strength are the FDA's list. With several inhibitors the strongest one
counts once (CPIC states no rule for combinations; this is said). A drug never phenoconverts its own
recommendation (paroxetine's CPIC row uses the genotype; PharMe issue #707). For CYP2C19 and CYP2B6 CPIC states that
no consensus exists: that sentence is shown and nothing is converted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from workstation.pgx.medications import counts, resolve
from workstation.pgx.model import GeneCall, PgxResult
from workstation.pgx.phenotype import from_score
from workstation.pgx.tables import _table

NO_CONSENSUS_GENES = ("CYP2C19", "CYP2B6")


@dataclass(frozen=True)
class Phenoconversion:
    gene: str
    genotype_phenotype: str | None
    genotype_activity: float | None
    functional_phenotype: str | None          # None when not converted
    functional_activity: float | None
    inhibitors: tuple[tuple[str, str, str], ...]   # (inhibitor, strength, medicine as written)
    rule: str
    source: str
    messages: tuple[str, ...] = field(default_factory=tuple)

    def sentence(self) -> str:
        if self.functional_phenotype is None:
            return f"{self.gene}: {self.rule}."
        who = ", ".join(f"{i} ({s} inhibitor)" for i, s, _ in self.inhibitors)
        return (f"{self.gene} {self.genotype_phenotype} by genotype -> {self.functional_phenotype} while on {who} "
                f"(activity score {self.genotype_activity:g} -> {self.functional_activity:g}; {self.rule})")

    def to_json(self) -> dict:
        return {"gene": self.gene, "genotype_phenotype": self.genotype_phenotype,
                "genotype_activity": self.genotype_activity, "functional_phenotype": self.functional_phenotype,
                "functional_activity": self.functional_activity,
                "inhibitors": [{"inhibitor": i, "strength": s, "medication": m} for i, s, m in self.inhibitors],
                "rule": self.rule, "source": self.source, "sentence": self.sentence(), "messages": list(self.messages)}


@lru_cache(maxsize=1)
def inhibitor_table() -> tuple[dict[str, str], ...]:
    return tuple(_table("phenoconversion.tsv"))


def _taken_inhibitors(medications: pd.DataFrame | None, gene: str) -> list[tuple[dict[str, str], str, str]]:
    """(table row, medicine as written, the CPIC drug it resolves to or '') for each inhibitor the patient takes."""
    if medications is None or len(medications) == 0:
        return []
    rows = [r for r in inhibitor_table() if r["gene"] == gene and r["strength"] in ("strong", "moderate")]
    out = []
    for m in medications.itertuples(index=False):
        if not counts(getattr(m, "status", None)):
            continue
        text = " ".join(str(x) for x in (getattr(m, "display", None), getattr(m, "code", None)) if x and str(x) != "nan")
        as_cpic = {d for d, _ in resolve(getattr(m, "display", None), getattr(m, "rxnorm", None),
                                         getattr(m, "code", None), getattr(m, "code_system", None))}
        for r in rows:
            if r["inhibitor"] in as_cpic or re.search(r"(?<![\w-])" + re.escape(r["inhibitor"]) + r"(?![\w-])", text,
                                                      re.I):
                out.append((r, text or r["inhibitor"], r["inhibitor"]))
    return out


def phenoconvert(call: GeneCall | None, medications: pd.DataFrame | None, *,
                 exclude_drug: str | None = None) -> Phenoconversion | None:
    """The functional phenotype of ``call`` on the patient's inhibitors; ``exclude_drug`` (the drug whose own
    recommendation is being looked up) never counts as an inhibitor of itself. None when nothing applies."""
    if call is None or not call.phenotype:
        return None
    if call.gene in NO_CONSENSUS_GENES:
        r = next(x for x in inhibitor_table() if x["gene"] == call.gene)
        return Phenoconversion(call.gene, call.phenotype, call.activity_score, None, None, (), r["rule"], r["source"])
    if call.gene != "CYP2D6":
        return None
    taken = [t for t in _taken_inhibitors(medications, "CYP2D6") if t[2] != exclude_drug]
    if not taken:
        return None
    msgs = []
    if call.activity_score is None:
        return Phenoconversion("CYP2D6", call.phenotype, None, None, None,
                               tuple((t[0]["inhibitor"], t[0]["strength"], t[1]) for t in taken),
                               "no CYP2D6 activity score, so the CPIC rule cannot be applied", taken[0][0]["source"])
    strongest = min(taken, key=lambda t: float(t[0]["activity_factor"]))
    if len({t[0]["inhibitor"] for t in taken}) > 1:
        msgs.append("several CYP2D6 inhibitors: the strongest is applied once (CPIC states no rule for combinations)")
    score = round(call.activity_score * float(strongest[0]["activity_factor"]), 2)
    return Phenoconversion("CYP2D6", call.phenotype, call.activity_score, from_score("CYP2D6", score), score,
                           tuple((t[0]["inhibitor"], t[0]["strength"], t[1]) for t in taken),
                           "CPIC: " + strongest[0]["rule"], strongest[0]["source"], tuple(msgs))


def all_phenoconversions(result: PgxResult, medications: pd.DataFrame | None) -> list[Phenoconversion]:
    """One entry per gene where the patient's medicines matter (CYP2D6 converted; CYP2C19/CYP2B6 not, with CPIC's
    sentence) — for the gene table, beside each genotype phenotype."""
    out = []
    for gene in ("CYP2D6",) + NO_CONSENSUS_GENES:
        p = phenoconvert(result.get(gene), medications)
        if p is not None:
            out.append(p)
    return out
