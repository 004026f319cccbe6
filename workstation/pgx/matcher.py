"""Named-allele matching with PharmCAT's documented semantics (NOTES.md s1.1 step 2; PharmCAT
docs/methods/NamedAlleleMatcher-101.md), written for this project.

* Only positions present in the sample take part; a named allele loses its missing positions, and one left with no
  defining position is dropped. Missing positions are never filled with reference.
* A named allele's blank positions mean "reference" when matching; its **score** is the number of its defining
  positions that are present (the reference allele defines every position). A defining IUPAC code that includes the
  reference base ("wobble") is not scored when the strand carries the reference base.
* Each strand the genotype allows (phased positions keep their strand per phase set, unphased heterozygous
  positions may go either way) is matched against every named allele; a diplotype pairs alleles matching two
  complementary strands; its score is the sum. Every top-scoring diplotype is returned, best first.
* An allele at a defining position that no definition uses makes the gene "not called", except for genes where
  PharmCAT resets it to reference (DPYD, NUDT15, TPMT).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.pgx.genotype import GeneGenotype, SampleAllele
from workstation.pgx.tables import RESET_UNDOCUMENTED, GeneDef, NamedAllele, name_key


@dataclass(frozen=True)
class Diplotype:
    allele1: NamedAllele
    allele2: NamedAllele
    score: int

    @property
    def name(self) -> str:
        return f"{self.allele1.name}/{self.allele2.name}"


@dataclass
class MatchOutcome:
    gene: str
    top: list[Diplotype] = field(default_factory=list)
    others: list[Diplotype] = field(default_factory=list)     # lower-scoring diplotypes that also fit
    used: list[int] = field(default_factory=list)
    phased: bool = False
    messages: list[str] = field(default_factory=list)
    not_called_reason: str | None = None


def allele_order(a: NamedAllele) -> tuple:
    return (not a.is_reference, name_key(a.name))


def reset_undocumented(gdef: GeneDef, gg: GeneGenotype) -> tuple[dict[int, SampleAllele], list[str], list[str]]:
    """Apply the unknown-ALT rule. Returns (alleles, messages, blocking labels)."""
    alleles = dict(gg.alleles)
    msgs: list[str] = []
    blocking: list[str] = []
    for lc in gdef.loci:
        sa = alleles.get(lc.pos)
        if sa is None:
            continue
        odd = [a for a in (sa.a1, sa.a2) if a != lc.ref and a not in lc.alts]
        if not odd:
            continue
        shown = ",".join(sorted({a.lstrip("?") for a in odd}))
        if gdef.gene in RESET_UNDOCUMENTED:
            fix = lambda a: lc.ref if (a != lc.ref and a not in lc.alts) else a  # noqa: E731
            alleles[lc.pos] = SampleAllele(lc.pos, fix(sa.a1), fix(sa.a2), sa.phased, sa.ps)
            msgs.append(f"{lc.label}: allele {shown} is not in any {gdef.gene} definition; treated as reference "
                        f"(as PharmCAT does for {gdef.gene})")
        else:
            blocking.append(f"{lc.label} ({shown})")
    return alleles, msgs, blocking


def match_gene(gdef: GeneDef, gg: GeneGenotype, *, keep_others: int = 20) -> MatchOutcome:
    out = MatchOutcome(gdef.gene)
    alleles, msgs, blocking = reset_undocumented(gdef, gg)
    out.messages.extend(msgs)
    if blocking:
        out.not_called_reason = ("allele(s) not in any definition at " + "; ".join(blocking) +
                                 " — not called (an unknown variant at a defining position)")
        return out
    pos = [lc.pos for lc in gdef.loci if lc.pos in alleles]
    out.used = pos
    if not pos:
        out.not_called_reason = "no defining position is present in the data"
        return out
    sample = [alleles[p] for p in pos]
    out.phased = all(s.phased for s in sample)
    # named alleles restricted to the present positions
    haps: list[NamedAllele] = []
    scores: list[int] = []
    for na in gdef.alleles:
        s = sum(1 for p in na.defs if p in alleles)
        if s:
            haps.append(na)
            scores.append(s)
    ref_base = {lc.pos: lc.ref for lc in gdef.loci}
    full = (1 << len(haps)) - 1
    compat_cache: dict[tuple[int, str], int] = {}

    def compat(p: int, allele: str) -> int:
        key = (p, allele)
        m = compat_cache.get(key)
        if m is None:
            m = 0
            for j, na in enumerate(haps):
                allowed = na.defs.get(p)
                if allowed is None:
                    if allele == ref_base[p]:
                        m |= 1 << j
                elif allele in allowed:
                    m |= 1 << j
            compat_cache[key] = m
        return m

    base = full
    units: dict[object, list[SampleAllele]] = {}
    for s in sample:
        if not s.het:
            base &= compat(s.pos, s.a1)
        else:
            key = ("ps", s.ps) if s.phased else ("pos", s.pos)
            units.setdefault(key, []).append(s)
    unit_list = list(units.values())
    unit_masks = []
    for u in unit_list:
        m0 = m1 = full
        for s in u:
            m0 &= compat(s.pos, s.a1)
            m1 &= compat(s.pos, s.a2)
        unit_masks.append((m0, m1))

    best: dict[tuple[str, str], Diplotype] = {}

    def strand_allele(p: int, orient: tuple[int, ...], strand: int) -> str:
        s = alleles[p]
        if not s.het:
            return s.a1
        ui = unit_index[p]
        first = orient[ui] == strand   # orientation 0: strand A carries a1
        return s.a1 if first else s.a2

    unit_index = {s.pos: i for i, u in enumerate(unit_list) for s in u}

    def hap_score(j: int, orient: tuple[int, ...], strand: int) -> int:
        na = haps[j]
        sc = scores[j]
        for p in na.wobble:
            if p in alleles and strand_allele(p, orient, strand) == ref_base[p]:
                sc -= 1
        return sc

    def leaf(ma: int, mb: int, orient: tuple[int, ...]) -> None:
        ia = [j for j in range(len(haps)) if ma >> j & 1]
        ib = [j for j in range(len(haps)) if mb >> j & 1]
        sa = {j: hap_score(j, orient, 0) for j in ia}
        sb = {j: hap_score(j, orient, 1) for j in ib}
        for a in ia:
            for b in ib:
                x, y = sorted((haps[a], haps[b]), key=allele_order)
                dp = Diplotype(x, y, sa[a] + sb[b])
                k = (x.name, y.name)
                if k not in best or best[k].score < dp.score:
                    best[k] = dp

    def walk(i: int, ma: int, mb: int, orient: tuple[int, ...]) -> None:
        if not ma or not mb:
            return
        if i == len(unit_list):
            leaf(ma, mb, orient)
            return
        m0, m1 = unit_masks[i]
        walk(i + 1, ma & m0, mb & m1, orient + (0,))
        if i > 0:  # the first unit's orientation is fixed: (A, B) and (B, A) are the same diplotype
            walk(i + 1, ma & m1, mb & m0, orient + (1,))

    walk(0, base, base, ())
    if not best:
        out.not_called_reason = "no pair of named alleles fits these genotypes"
        return out
    ranked = sorted(best.values(), key=lambda d: (-d.score, allele_order(d.allele1), allele_order(d.allele2)))
    top = ranked[0].score
    out.top = [d for d in ranked if d.score == top]
    out.others = [d for d in ranked if d.score < top][:keep_others]
    return out
