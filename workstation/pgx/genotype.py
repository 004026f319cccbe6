"""Genotype frame -> the sample's alleles at each defining position, in the definitions' representation.

Input is a frame with the ``variants`` columns of workstation/store/schema.py (chrom, pos, ref, alt, gt, phased,
ps) and optionally a ``ref_blocks`` frame (gVCF reference blocks). Rules (PharmCAT semantics, NOTES.md s1.1):

* a defining position with no record (and no reference block covering it) is **missing** — never reference;
* ``./.``, ``.`` and partial calls such as ``./1`` are missing (no-call) at that position;
* indels and repeats are compared in the definition's VCF representation: a record at the same position whose
  REF is a prefix of the definition's REF (or the reverse) is extended/trimmed with the known reference bases, so
  ``C>CAT`` and ``CAT>CATAT`` are the same UGT1A1 TA8 allele; ALT order in multi-allelic records does not matter;
* split multi-allelic records at one position (``0/1`` + ``0/1``) are joined into one het call.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from workstation.pgx.tables import GeneDef, Locus, gene_definitions

HAPLOID_CHROMS = ("chrX", "chrY", "chrM")


@dataclass(frozen=True)
class SampleAllele:
    pos: int
    a1: str
    a2: str
    phased: bool
    ps: str | None
    haploid: bool = False          # one allele (chrX in a male sample): a1 == a2

    @property
    def het(self) -> bool:
        return self.a1 != self.a2


@dataclass
class GeneGenotype:
    """The sample's alleles for one gene; ``missing`` lists defining positions without a usable call."""

    gene: str
    alleles: dict[int, SampleAllele]
    missing: list[Locus]
    messages: list[str]
    assumed: dict[int, str] = field(default_factory=dict)   # pos -> 'bed' | 'assertion' (reference without a record)

    @property
    def haploid(self) -> bool:
        """Every present position has one allele (hemizygous, e.g. G6PD on a male X)."""
        return bool(self.alleles) and all(a.haploid for a in self.alleles.values())


@lru_cache(maxsize=1)
def definition_positions() -> tuple[tuple[str, int], ...]:
    """Every (chrom, pos) the gene definitions use: give these to ``read_vcf(positions=...)``."""
    out = []
    for g in gene_definitions().values():
        out.extend((g.chrom, lc.pos) for lc in g.loci)
    return tuple(sorted(set(out)))


@lru_cache(maxsize=1)
def _key_set() -> frozenset[tuple[str, int]]:
    return frozenset(definition_positions())


@lru_cache(maxsize=1)
def _position_set() -> frozenset[int]:
    return frozenset(p for _, p in definition_positions())


def _normalise(locus: Locus, vcf_ref: str, allele: str) -> str | None:
    """The allele in the definition's representation; None when the record cannot be compared."""
    if allele in ("*", "<NON_REF>", "<*>") or allele.startswith("<"):
        return "?" + allele
    rdef = locus.ref
    if vcf_ref == rdef:
        return allele
    if rdef.startswith(vcf_ref):
        return allele + rdef[len(vcf_ref):]
    if vcf_ref.startswith(rdef):
        suffix = vcf_ref[len(rdef):]
        if allele.endswith(suffix) and len(allele) - len(suffix) >= 1:
            return allele[: len(allele) - len(suffix)]
        return "?" + allele
    return None


def _parse_gt(gt: str) -> tuple[list[int] | None, bool]:
    gt = (gt or ".").strip()
    phased = "|" in gt
    parts = gt.replace("|", "/").split("/")
    if any(p in (".", "") for p in parts):
        return None, phased
    try:
        return [int(p) for p in parts], phased
    except ValueError:
        return None, phased


def _record_alleles(locus: Locus, row, chrom: str = "") -> tuple[tuple[str, str] | None, bool, str | None]:
    """(a1, a2) in definition representation (a1 == a2 for a haploid call), phased flag, problem message."""
    idx, phased = _parse_gt(str(row.gt))
    if idx is None:
        return None, phased, f"{locus.label}: no genotype call ({row.gt}) — treated as missing"
    if len(idx) == 1 and chrom in HAPLOID_CHROMS:
        idx = idx * 2
        phased = True
    elif len(idx) != 2:
        return None, phased, f"{locus.label}: genotype {row.gt} is not diploid — treated as missing"
    alts = [] if row.alt in (None, ".", "") else str(row.alt).split(",")
    seq = [str(row.ref)] + alts
    out = []
    for i in idx:
        if i >= len(seq):
            return None, phased, f"{locus.label}: genotype {row.gt} names an ALT that is not in the record"
        norm = _normalise(locus, str(row.ref), seq[i])
        if norm is None:
            return None, phased, (f"{locus.label}: VCF REF {row.ref} does not match the GRCh38 definition "
                                  f"REF {locus.ref} — treated as missing")
        out.append(norm)
    return (out[0], out[1]), phased, None


def _covered(blocks: pd.DataFrame | None, chrom: str, positions: list[int]) -> set[int]:
    if blocks is None or len(blocks) == 0 or not positions:
        return set()
    b = blocks[blocks["chrom"] == chrom]
    if len(b) == 0:
        return set()
    b = b.sort_values("start_pos")
    starts = b["start_pos"].to_numpy(dtype=np.int64)
    ends = np.maximum.accumulate(b["end_pos"].to_numpy(dtype=np.int64))
    pos = np.asarray(positions, dtype=np.int64)
    i = np.searchsorted(starts, pos, side="right") - 1
    ok = (i >= 0) & (ends[np.clip(i, 0, None)] >= pos)
    return {int(p) for p, k in zip(pos, ok) if k}


def select_records(variants: pd.DataFrame) -> pd.DataFrame:
    """Only the records at defining positions (vectorised; cheap even for millions of rows)."""
    if variants is None or len(variants) == 0:
        return pd.DataFrame(columns=["chrom", "pos", "ref", "alt", "gt", "phased", "ps"])
    v = variants[variants["pos"].isin(_position_set())]
    if len(v) == 0:
        return v
    chrom = v["chrom"].astype(str)
    chrom = chrom.where(chrom.str.startswith("chr"), "chr" + chrom)
    v = v.assign(chrom=chrom)
    key_set = _key_set()
    ok = [(c, int(p)) in key_set for c, p in zip(v["chrom"], v["pos"])]
    return v[ok]


def gene_genotypes(variants: pd.DataFrame, ref_blocks: pd.DataFrame | None = None) -> dict[str, GeneGenotype]:
    recs = select_records(variants)
    by_key: dict[tuple[str, int], list] = {}
    for row in recs.itertuples(index=False):
        by_key.setdefault((row.chrom, int(row.pos)), []).append(row)
    out: dict[str, GeneGenotype] = {}
    for gene, gdef in gene_definitions().items():
        out[gene] = _one_gene(gdef, by_key, ref_blocks)
    return out


def _one_gene(gdef: GeneDef, by_key: dict, ref_blocks: pd.DataFrame | None) -> GeneGenotype:
    alleles: dict[int, SampleAllele] = {}
    missing: list[Locus] = []
    messages: list[str] = []
    no_record = [lc.pos for lc in gdef.loci if (gdef.chrom, lc.pos) not in by_key]
    covered = _covered(ref_blocks, gdef.chrom, no_record)
    assumed = _assumed_basis(ref_blocks, gdef.chrom, covered)
    for lc in gdef.loci:
        rows = by_key.get((gdef.chrom, lc.pos))
        if not rows:
            if lc.pos in covered:
                alleles[lc.pos] = SampleAllele(lc.pos, lc.ref, lc.ref, False, None)
            else:
                missing.append(lc)
            continue
        calls = []
        haploid = False
        for row in rows:
            pair, phased, problem = _record_alleles(lc, row, gdef.chrom)
            haploid |= gdef.chrom in HAPLOID_CHROMS and len(str(row.gt).replace("|", "/").split("/")) == 1
            if problem:
                messages.append(problem)
            if pair is not None:
                ps = None if row.ps is None or (isinstance(row.ps, float) and np.isnan(row.ps)) else str(row.ps)
                calls.append((pair, phased, ps))
        call = _merge_calls(lc, calls, messages)
        if call is None:
            missing.append(lc)
        else:
            (a1, a2), phased, ps = call
            alleles[lc.pos] = SampleAllele(lc.pos, a1, a2, phased, ps, haploid=haploid and a1 == a2)
    return GeneGenotype(gdef.gene, alleles, missing, messages, assumed)


def _assumed_basis(blocks: pd.DataFrame | None, chrom: str, covered: set[int]) -> dict[int, str]:
    """Covered positions whose only coverage is a callable-regions BED or a coverage assertion (``basis`` column of
    the genotype table, workstation.genome.reader); a gVCF block wins where both cover a position."""
    if not covered or blocks is None or "basis" not in blocks.columns or len(blocks) == 0:
        return {}
    b = blocks[(blocks["chrom"] == chrom) & blocks["basis"].isin(["bed", "assertion"])]
    out: dict[int, str] = {}
    for r in b.itertuples(index=False):
        for p in covered:
            if int(r.start_pos) <= p <= int(r.end_pos):
                out.setdefault(p, r.basis)
    if out:
        g = blocks[(blocks["chrom"] == chrom) & (blocks["basis"] == "gvcf")]
        for r in g.itertuples(index=False):
            for p in list(out):
                if int(r.start_pos) <= p <= int(r.end_pos):
                    out.pop(p)
    return out


def _merge_calls(lc: Locus, calls: list, messages: list[str]):
    if not calls:
        return None
    if len(calls) == 1:
        return calls[0]
    non_ref = [c for c in calls if c[0] != (lc.ref, lc.ref)]
    if not non_ref:
        return calls[0]
    if len(non_ref) == 1:
        return non_ref[0]
    alts = [a for (pair, _, _) in non_ref for a in pair if a != lc.ref]
    if len(alts) == 2 and all(lc.ref in pair for pair, _, _ in non_ref):
        return (alts[0], alts[1]), False, None
    messages.append(f"{lc.label}: several records disagree at this position — treated as missing")
    return None
