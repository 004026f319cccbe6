"""How complete a gene call is, and the ONE sentence that words it (PGx tab, report, FHIR export, JSON, banner).

A defining position counts as present when the input has a usable call there: a record, a gVCF reference block
covering it, a callable-regions BED interval from the lab, or an audited coverage assertion (the last two are the
only ways a position *without* a record becomes reference; both are named in the wording). Everything else is
missing — never reference (PharmCAT NamedAlleleMatcher semantics, ../shared/reference/pgx/NOTES.md s1.1).

"Could the missing positions change the phenotype?": yes when an allele defined at a missing position has a
function different from the called alleles' functions (substituting it for one called allele could move the
phenotype); no when every allele defined there has the same function as both called alleles.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_NAMED = 6


@dataclass(frozen=True)
class Completeness:
    n_total: int = 0                         # defining positions of the gene
    n_present: int = 0                       # positions with a usable call (records, blocks, BED, assertion)
    missing: tuple[str, ...] = ()            # labels of the missing positions
    alleles_at_missing: tuple[str, ...] = () # alleles that could not be fully tested
    could_change: bool | None = None         # None: nothing called, or nothing missing
    from_bed: int = 0                        # positions reference because a callable-regions BED covers them
    from_assertion: int = 0                  # positions reference because of an audited coverage assertion
    translated_from: str | None = None       # 'GRCh37': positions moved through the position table
    refused: str | None = None               # why no call was attempted (build), one sentence

    @property
    def complete(self) -> bool:
        return self.refused is None and self.n_total > 0 and not self.missing

    def to_json(self) -> dict[str, Any]:
        return {"positions_total": self.n_total, "positions_present": self.n_present,
                "missing": list(self.missing), "alleles_not_fully_tested": list(self.alleles_at_missing),
                "missing_could_change_phenotype": self.could_change, "reference_from_bed": self.from_bed,
                "reference_from_assertion": self.from_assertion, "translated_from": self.translated_from,
                "refused": self.refused, "complete": self.complete}


def assess(gdef, gg, call, *, translated_from: str | None = None) -> Completeness:
    """Completeness of ``call`` (a GeneCall) made from ``gg`` (GeneGenotype) for gene definition ``gdef``."""
    miss = {lc.pos for lc in gg.missing}
    hit = [a for a in gdef.alleles if not a.is_reference and miss & set(a.defs)]
    could = None
    if miss and call is not None and call.called:
        called = {f for pair in call.functions for f in pair if f}
        funcs = {a.function or "" for a in hit}
        could = bool(hit) and (len(called | funcs) > 1 or "" in funcs)
    elif miss and call is not None and call.phenotype:          # SLCO1B1 rs4149056 fallback
        could = True
    assumed = getattr(gg, "assumed", {}) or {}
    names = sorted({a.name for a in hit})
    return Completeness(n_total=len(gdef.loci), n_present=len(gdef.loci) - len(miss),
                        missing=tuple(lc.label for lc in gg.missing), alleles_at_missing=tuple(names),
                        could_change=could, from_bed=sum(1 for b in assumed.values() if b == "bed"),
                        from_assertion=sum(1 for b in assumed.values() if b == "assertion"),
                        translated_from=translated_from)


def short_label(call) -> str:
    """A pill-length form of :func:`describe` (the sentence goes in the tooltip): "CYP2C19: 30 of 35 positions",
    "CYP2C19: not called (genome build)"; a call without a completeness assessment counts its missing positions."""
    c: Completeness | None = getattr(call, "completeness", None)
    if c is None:
        return f"{call.gene}: {len(getattr(call, 'missing_positions', ()))} defining positions missing"
    if c.refused:
        return f"{call.gene}: not called (genome build)"
    return f"{call.gene}: {c.n_present} of {c.n_total} positions" + (" — could change" if c.could_change else "")


def describe(call) -> str:
    """One plain sentence on what a gene result rests on. Every presenter calls this; nobody rewords it."""
    c: Completeness | None = getattr(call, "completeness", None)
    if c is None:
        if getattr(call, "source", "vcf") != "vcf":
            return f"{call.gene}: outside call ({call.source}); positions not assessed here."
        return f"{call.gene}: completeness not assessed."
    if c.refused:
        return f"{call.gene}: not called — {c.refused}"
    parts = [f"{call.gene}: {c.n_present} of {c.n_total} defining positions present"]
    if c.from_bed or c.from_assertion:
        extra = []
        if c.from_bed:
            extra.append(f"{c.from_bed} reference by the lab's callable-regions BED")
        if c.from_assertion:
            extra.append(f"{c.from_assertion} reference by an audited coverage assertion")
        parts.append(" (" + ", ".join(extra) + ")")
    if c.missing:
        n = len(c.missing)
        what = f"; {n} missing (not assumed reference)"
        if c.could_change is True:
            shown = "; ".join(c.alleles_at_missing[:MAX_NAMED]) + (" …" if len(c.alleles_at_missing) > MAX_NAMED else "")
            what += f" and they could change the phenotype (untested: {shown})"
        elif c.could_change is False:
            what += ", which could not change the phenotype"
        parts.append(what)
    else:
        parts.append("; complete")
    if c.translated_from:
        from workstation.genome.positions import TRANSLATION_LABEL

        parts.append(f"; {TRANSLATION_LABEL}")
    return "".join(parts) + "."
