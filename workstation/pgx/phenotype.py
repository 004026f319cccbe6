"""Diplotype -> CPIC phenotype (and the key CPIC's recommendations are looked up with).

In order:

1. PharmCAT's diplotype lookup (resources/pgx/diplotype_phenotypes.tsv, from PharmCAT's phenotype/<GENE>.json): the
   phenotype PharmCAT assigns, including ``Indeterminate`` (CYP3A5 *3/*9) and ``Decreased Function`` (SLCO1B1 *1/*45),
   and the activity score for CYP2C9/DPYD;
2. genes without a PharmCAT phenotype file in the shared copy, by CPIC's rules on allele function:
   * RYR1 / CACNA1S (CPIC 2018, Gonzaga-Jauregui/Gonsalves et al., PMID 30499100): one Malignant Hyperthermia
     Associated allele -> ``Malignant Hyperthermia Susceptibility``; otherwise ``Uncertain Susceptibility``;
   * G6PD (CPIC 2022, Gammal et al., PMID 36049896; WHO class per allele from pypgx allele-table.csv): hemizygous
     (one X) class IV -> Normal, class II/III -> Deficient, class I -> Deficient with CNSHA; two alleles: IV/IV
     Normal, IV + deficient -> Variable, two deficient -> Deficient (with CNSHA when both are class I); an allele
     of unknown class -> Indeterminate;
3. the function-pair and activity-score rules of resources/pgx/phenotypes.tsv (NOTES.md s1.8) for anything else;
   nothing is guessed: no rule -> ``None`` (the caller says "phenotype not assigned").
"""
from __future__ import annotations

from workstation.pgx.tables import ACTIVITY_GENES, NamedAllele, diplotype_phenotypes, phenotype_rules

MH = "Malignant Hyperthermia Associated"


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


def _mh(a1: NamedAllele, a2: NamedAllele) -> str:
    mh = any((a.function or "").lower() == MH.lower() for a in (a1, a2))   # CPIC and PharmCAT differ in case
    return "Malignant Hyperthermia Susceptibility" if mh else "Uncertain Susceptibility"


def _g6pd_class(a: NamedAllele) -> str | None:
    f = a.function or ""
    for cls in ("IV", "III", "II", "I"):
        if f.startswith(f"Class {cls} "):
            return cls
    return None


def g6pd(a1: NamedAllele, a2: NamedAllele | None) -> str:
    c1 = _g6pd_class(a1)
    if a2 is None:
        return {"IV": "Normal", "III": "Deficient", "II": "Deficient", "I": "Deficient with CNSHA"}.get(c1 or "",
                                                                                                    "Indeterminate")
    c2 = _g6pd_class(a2)
    if c1 is None or c2 is None:
        return "Indeterminate"
    normal = [c == "IV" for c in (c1, c2)]
    if all(normal):
        return "Normal"
    if any(normal):
        return "Variable"
    return "Deficient with CNSHA" if c1 == c2 == "I" else "Deficient"


def phenotype_of(gene: str, a1: NamedAllele, a2: NamedAllele | None) -> tuple[str | None, float | None]:
    """(phenotype, activity score) of one diplotype; ``a2`` is None for a hemizygous (one-X) G6PD call."""
    if gene == "G6PD":
        return g6pd(a1, a2), None
    if a2 is None:
        a2 = a1
    hit = diplotype_phenotypes().get((gene,) + tuple(sorted((a1.name, a2.name))))
    if hit is not None:
        return hit[0] or None, hit[2]
    if gene in ("RYR1", "CACNA1S"):
        return _mh(a1, a2), None
    if gene in ACTIVITY_GENES:
        s = activity_score(a1, a2)
        return from_score(gene, s), s
    return from_functions(gene, a1.function, a2.function), None


def lookup_key(gene: str, a1: NamedAllele, a2: NamedAllele | None) -> str | None:
    """The key CPIC's recommendations use for this diplotype when it is not the phenotype (IFNL3 rs12979860)."""
    if gene == "IFNL3":   # CPIC 2014 (Muir et al., PMID 24096968): rs12979860 CC favorable; CT or TT unfavorable
        fav = all(a.function == "Favorable response allele" for a in (a1, a2 or a1))
        return "Favorable Response" if fav else "Unfavorable Response"
    hit = diplotype_phenotypes().get((gene,) + tuple(sorted((a1.name, (a2 or a1).name))))
    if hit is not None and hit[1] and hit[1] != hit[0]:
        return hit[1]
    return None
