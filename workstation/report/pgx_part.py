"""Medicines with their pharmacogenomic traffic light, gene results, and the basis of each recommendation.

Everything comes from :func:`workstation.pgx.guidance` (alerts for the active medicines, recommendations for
every CPIC level A/B drug) and the :class:`~workstation.pgx.PgxResult`; this module selects and words it.
Levels: the core's :class:`~workstation.levels.Level` on each recommendation (avoid, adjust, caution, standard);
no applicable recommendation, or CPIC's "no recommendation" for this result -> none ("no usable result": missing is
not standard).
"""
from __future__ import annotations

import re

import pandas as pd

from workstation.levels import Level
from workstation.pgx.model import GeneCall, PgxResult, Recommendation
from workstation.report.content import GeneResult, Medicine, PgxSection, RecommendationBasis
from workstation.report.deid import When

MAX_MISSING_SHOWN = 6
_RANK = {"avoid": 0, "adjust": 1, "caution": 2, "standard": 3, "none": 4, "not_in_scope": 5}
_WORD = {Level.AVOID: "avoid", Level.ADJUST: "adjust", Level.CAUTION: "caution", Level.STANDARD: "standard"}


def level_of(rec: Recommendation | None) -> str:
    """The report's word for a recommendation's core level ("none" for no result / no guidance)."""
    return _WORD.get(rec.level, "none") if rec is not None else "none"


def _worst(recs: list[Recommendation]) -> Recommendation | None:
    return min(recs, key=lambda r: r.level.rank) if recs else None


def gene_caveat(call: GeneCall | None) -> str:
    if call is None:
        return "no result"
    parts = []
    if call.tie:
        parts.append(f"ambiguous: {len(call.diplotypes)} diplotypes fit equally well")
    comp = call.completeness
    if comp is not None and (not comp.complete or comp.translated_from or comp.from_bed or comp.from_assertion):
        parts.append(call.completeness_text)       # the one wording (workstation.pgx.completeness.describe)
    elif call.incomplete or call.missing_positions:
        miss = list(call.missing_positions)
        shown = ", ".join(miss[:MAX_MISSING_SHOWN]) + (f" and {len(miss) - MAX_MISSING_SHOWN} more"
                                                       if len(miss) > MAX_MISSING_SHOWN else "")
        parts.append(f"{len(miss)} defining position(s) not in the data ({shown}); not assumed reference")
    return "; ".join(parts)


def _diplotype(call: GeneCall) -> str:
    if not call.diplotypes:
        return "not called"
    text = " or ".join(call.diplotypes)
    if call.gene == "VKORC1":   # 'rs9923231 reference (C)/rs9923231 variant (T)' -> 'rs9923231 C/T'
        alleles = re.findall(r"\(([ACGT]+)\)", text)
        if len(alleles) == 2 and " or " not in text:
            text = f"rs9923231 {alleles[0]}/{alleles[1]}"
    return text


def gene_results(result: PgxResult) -> tuple[tuple[GeneResult, ...], tuple[str, ...]]:
    called, not_called = [], []
    for gene, call in result.genes.items():
        if not call.diplotypes and not call.phenotype:
            not_called.append(gene)
            continue
        src = "VCF" if call.source == "vcf" else call.source
        called.append(GeneResult(gene, _diplotype(call), call.phenotype or "not determined", src,
                                 gene_caveat(call)))
    return tuple(called), tuple(not_called)


def _genes_text(genes: tuple[str, ...], result: PgxResult) -> str:
    out = []
    for g in genes:
        c = result.get(g)
        if c is None or not c.diplotypes and not c.phenotype:
            out.append(f"{g}: no result")
        else:
            out.append(f"{g} {_diplotype(c)} ({c.phenotype or 'phenotype not determined'})")
    return "; ".join(out)


def _guideline(basis: dict) -> str:
    title = str(basis.get("guideline") or "").strip()
    year = str(basis.get("guideline_year") or "").strip()
    if not title or title == "not stated in source":
        title = "CPIC guideline (title not stated in source)"
    title = title.rstrip(".")
    for long, short in (("Clinical Pharmacogenetics Implementation Consortium (CPIC) Guideline", "CPIC guideline"),
                        ("Clinical Pharmacogenetics Implementation Consortium (CPIC) guideline", "CPIC guideline"),
                        ("Clinical Pharmacogenetics Implementation Consortium Guidelines", "CPIC guidelines"),
                        ("Clinical Pharmacogenetics Implementation Consortium Guideline", "CPIC guideline")):
        title = title.replace(long, short)
    return f"{title} ({year})" if year and year != "not stated in source" else title


def _cpic_level(text) -> str:
    """'CYP2C9:A;VKORC1:A' -> 'CYP2C9 A, VKORC1 A'."""
    return ", ".join(p.replace(":", " ") for p in str(text or "").split(";") if p)


def medicines_and_basis(meds: pd.DataFrame, alerts: list, result: PgxResult,
                        when: When) -> tuple[tuple[Medicine, ...], tuple[RecommendationBasis, ...]]:
    """One row per active medicine (flagged when it maps to a CPIC drug) and the basis of each flag."""
    by_med: dict[str, list] = {}
    for a in alerts:
        by_med.setdefault(a.medication, []).append(a)
    rows: list[Medicine] = []
    bases: list[RecommendationBasis] = []
    seen_basis: set[tuple[str, str]] = set()
    for r in meds.itertuples(index=False):
        label = str(getattr(r, "display", None) or getattr(r, "rxnorm", None) or getattr(r, "code", None) or "")
        since = when.since(getattr(r, "start_time", None))
        hits = by_med.get(label) or []
        if not hits:
            rows.append(Medicine(label, "not_in_scope", since=since))
            continue
        for a in hits:
            recs = [Recommendation.from_json(x) for x in a.basis.get("recommendations", [])]
            rec = _worst(recs) or a.recommendation
            level = level_of(rec)
            actions = sorted({x.action for x in recs})
            if rec is None:
                advice = "CPIC guidance exists, but no recommendation applies to the results available."
            elif len(actions) > 1:
                advice = f"Result ambiguous; possible recommendations differ ({', '.join(actions)}). " \
                         f"Most cautious: {rec.summary}"
            else:
                advice = rec.summary
            rows.append(Medicine(label, level, a.drug, advice, since))
            if (a.drug, label) in seen_basis:
                continue
            seen_basis.add((a.drug, label))
            genes = tuple(a.basis.get("genes", {}))
            caveats = tuple(f"{g}: {gene_caveat(result.get(g))}" for g in genes if gene_caveat(result.get(g)))
            bases.append(RecommendationBasis(
                medication=label, drug=a.drug, level=level,
                action=rec.action if rec is not None else "no recommendation applies", advice=advice,
                genes=_genes_text(genes, result), guideline=_guideline(rec.basis if rec is not None else a.basis),
                strength=(rec.strength if rec is not None else "not applicable") or "not stated in source",
                cpic_level=_cpic_level(a.basis.get("cpic_level")), caveats=caveats))
    rows.sort(key=lambda m: (_RANK[m.level], m.name.lower()))
    bases.sort(key=lambda b: (_RANK[b.level], b.drug))
    return tuple(rows), tuple(bases)


def other_actionable(recs: list[Recommendation], taken: set[str]) -> tuple[str, ...]:
    """Drugs the patient does not take whose recommendation for these results is not standard."""
    by_drug: dict[str, list[Recommendation]] = {}
    for r in recs:
        by_drug.setdefault(r.drug, []).append(r)
    groups: dict[str, list[str]] = {"avoid": [], "adjust": []}
    for drug in sorted(by_drug):
        if drug in taken:
            continue
        lv = level_of(_worst(by_drug[drug]))
        if lv in groups:
            groups[lv].append(drug)
    return tuple(f"{lv}: {', '.join(drugs)}" for lv, drugs in groups.items() if drugs)


def pgx_section(meds: pd.DataFrame, alerts: list, recs: list[Recommendation], result: PgxResult,
                when: When) -> tuple[tuple[Medicine, ...], PgxSection]:
    medicines, bases = medicines_and_basis(meds, alerts, result, when)
    genes, not_called = gene_results(result)
    taken = {m.drug for m in medicines if m.drug}
    return medicines, PgxSection(genes, not_called, bases, other_actionable(recs, taken), len(recs),
                                 tuple(result.messages))
