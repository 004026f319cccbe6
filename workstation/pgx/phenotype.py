"""Diplotype -> CPIC phenotype, from allele function pairs or activity scores (resources/pgx/phenotypes.tsv)."""
from __future__ import annotations

from workstation.pgx.tables import ACTIVITY_GENES, NamedAllele, phenotype_rules


def activity_score(a1: NamedAllele, a2: NamedAllele) -> float | None:
    if a1.activity is None or a2.activity is None:
        return None
    return round(a1.activity + a2.activity, 2)


def from_score(gene: str, score: float | None) -> str | None:
    if score is None:
        return "Indeterminate" if gene in phenotype_rules().bands else None
    for lo, hi, hi_incl, phen, _src in phenotype_rules().bands.get(gene, ()):
        if hi is None and score >= lo:
            return phen
        if hi is not None and lo <= score and (score < hi or (hi_incl and score <= hi)):
            return phen
    return None


def from_functions(gene: str, f1: str, f2: str) -> str | None:
    """None when no rule was transcribed for this pair (the caller says so; nothing is guessed)."""
    a, b = sorted([f1 or "", f2 or ""])
    hit = phenotype_rules().pairs.get((gene, a, b))
    return hit[0] if hit else None


def phenotype_of(gene: str, a1: NamedAllele, a2: NamedAllele) -> tuple[str | None, float | None]:
    if gene in ACTIVITY_GENES:
        s = activity_score(a1, a2)
        return from_score(gene, s), s
    return from_functions(gene, a1.function, a2.function), None
