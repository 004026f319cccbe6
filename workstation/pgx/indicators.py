"""Genomic indicators: the patient's actionable pharmacogenomic phenotypes, shown whatever the medication list holds.

EHRs show these persistently (e.g. a "DPYD poor metabolizer" flag) so a risky genotype is visible before the drug is
prescribed. A gene call becomes an indicator when

* the gene has CPIC level A or B drugs (``resources/pgx/drugs.tsv``, column ``cpic_level``), and
* its result is not the normal one: the phenotype is outside :data:`NOT_ACTIONABLE`, an HLA allele of interest is
  positive, or (VKORC1, which has no phenotype) the rs9923231 genotype carries the A (T) allele that CPIC's warfarin
  guideline (Johnson 2017) doses lower.

Its :attr:`Indicator.level` is the most serious level of CPIC's recommendations for this patient that rest on the
gene (``workstation.pgx.guidance``); a non-normal result whose recommendations are all standard is CAUTION, so it is
never shown as plain normal. :func:`indicator_words` words one indicator once for every presenter (banner, PDF,
exports); ``notes`` carries extra per-gene sentences (e.g. the call's completeness, issue 11) that presenters show
after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from workstation.levels import Level
from workstation.pgx.model import GeneCall, PgxResult, Recommendation
from workstation.pgx.tables import drugs

# Results that are the reference / normal one, or give no result: never an indicator.
NOT_ACTIONABLE = {
    "Normal Metabolizer", "Normal Function", "Normal", "Indeterminate", "Rapid Metabolizer",
    "normal risk of aminoglycoside-induced hearing loss",
    "Uncertain Susceptibility",               # RYR1/CACNA1S: no malignant-hyperthermia variant identified
    "Favorable Response",                     # IFNL3
    # the reference CFTR sequence: CPIC's ivacaftor guideline applies to people with cystic fibrosis only
    "ivacaftor non-responsive in CF patients",
}
# CPIC's "high risk" results, shown first whatever the level of their drugs' rows.
HIGH_RISK = {"Malignant Hyperthermia Susceptibility", "increased risk of aminoglycoside-induced hearing loss",
             "Deficient", "Deficient with CNSHA", "Poor Metabolizer"}
VKORC1_VARIANT = ("-1639 GA", "-1639 AG", "-1639 AA")     # rs9923231 T allele present (CPIC warfarin 2017)


@dataclass(frozen=True)
class Indicator:
    gene: str
    result: str                      # the phenotype as the caller words it ("Poor Metabolizer", "*57:01 positive")
    diplotype: str | None
    activity_score: float | None
    level: Level
    drugs: tuple[tuple[str, Level], ...] = ()   # CPIC level A/B drugs whose recommendation rests on this gene
    high_risk: bool = False
    source: str = ""                 # vcf | outside call
    notes: tuple[str, ...] = field(default_factory=tuple)   # extra per-gene sentences (completeness, ...)

    def with_note(self, note: str) -> "Indicator":
        return replace(self, notes=self.notes + (note,))


def _ab_genes() -> dict[str, list[str]]:
    """gene -> CPIC level A/B drugs (level field like ``CYP2C9:A;HLA-B:A``)."""
    out: dict[str, list[str]] = {}
    for drug, r in drugs().items():
        for part in (r.get("cpic_level") or "").split(";"):
            gene, _, lvl = part.partition(":")
            if gene and any(x in ("A", "B") for x in lvl.split("/")):
                out.setdefault(gene, []).append(drug)
    return out


def _results(call: GeneCall) -> list[str]:
    """The actionable result words of one call (empty when it is normal or has no result)."""
    if call.allele_status:
        return [f"{a} positive" for a, st in call.allele_status if st == "positive"]
    if call.gene == "VKORC1":
        return [call.phenotype] if call.phenotype in VKORC1_VARIANT else []
    if not call.phenotype:
        return []
    words = [p for p in call.phenotype.split(" OR ") if p and p not in NOT_ACTIONABLE]
    return [call.phenotype] if words else []


def indicators(result: PgxResult, recommendations: list[Recommendation]) -> list[Indicator]:
    """Every actionable gene result, most serious first."""
    ab = _ab_genes()
    out = []
    for gene, call in result.genes.items():
        if gene not in ab or call is None:
            continue
        words = _results(call)
        if not words:
            continue
        recs = [r for r in recommendations if gene in r.genes]
        by_drug: dict[str, Level] = {}
        for r in recs:
            lv = by_drug.get(r.drug)
            by_drug[r.drug] = r.level if lv is None else Level.worst([lv, r.level])
        worst = Level.worst([lv for lv in by_drug.values() if lv in (Level.AVOID, Level.ADJUST, Level.CAUTION)])
        level = worst or Level.CAUTION
        high = any(w in HIGH_RISK for w in (call.phenotype or "").split(" OR ")) or bool(call.allele_status)
        drug_levels = tuple(sorted(by_drug.items(), key=lambda kv: (kv[1].rank, kv[0])))
        comp = call.completeness            # issue 11: an incomplete or translated call says so, in its one wording
        notes = (call.completeness_text,) if comp is not None and (not comp.complete or call.translated) else ()
        out.append(Indicator(gene, "; ".join(words), call.diplotypes[0] if call.diplotypes else None,
                             call.activity_score, level, drug_levels, high, call.source, notes))
    out.sort(key=lambda i: (i.level.rank, not i.high_risk, i.gene))
    return out


def indicator_words(ind: Indicator) -> tuple[str, str]:
    """(short label, longer sentence) for one indicator; every presenter uses these words."""
    res = ind.result
    if ind.activity_score is not None and ind.gene in ("DPYD", "CYP2C9", "CYP2D6"):
        res += f" (activity {ind.activity_score:g})"
    label = f"{ind.gene} {res}"
    affected = [d for d, lv in ind.drugs if lv in (Level.AVOID, Level.ADJUST, Level.CAUTION)]
    if affected:
        shown = ", ".join(affected[:6]) + (f" and {len(affected) - 6} more" if len(affected) > 6 else "")
        sentence = f"{label}: CPIC guidance changes prescribing of {shown}."
    else:
        sentence = f"{label}: a non-normal result for a gene with CPIC level A/B drugs."
    if ind.diplotype:
        sentence += f" Diplotype {ind.diplotype}" + (" (outside call)." if ind.source == "outside call" else ".")
    for n in ind.notes:
        sentence += f" {n}"
    return label, sentence
