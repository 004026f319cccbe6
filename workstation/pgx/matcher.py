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
from workstation.pgx.tables import RESET_UNDOCUMENTED, GeneDef, NamedAllele, gene_exemptions, name_key


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
    """PharmCAT's HaplotypeNameComparator: an allele named "Reference" first, then natural name order (so CYP2C19
    prints *1/*38 although *38 is the GRCh38 reference allele)."""
    return (a.name.lower() != "reference", name_key(a.name))


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
            alleles[lc.pos] = SampleAllele(lc.pos, fix(sa.a1), fix(sa.a2), sa.phased, sa.ps, sa.haploid)
            msgs.append(f"{lc.label}: allele {shown} is not in any {gdef.gene} definition; treated as reference "
                        f"(as PharmCAT does for {gdef.gene})")
        else:
            blocking.append(f"{lc.label} ({shown})")
    return alleles, msgs, blocking


@dataclass(frozen=True)
class _Index:
    """Per gene, independent of the sample: bit masks over gdef.alleles."""
    ref: dict[int, str]
    defined: dict[int, int]                 # position -> alleles that define it
    undefined: dict[int, int]               # position -> alleles that leave it blank (= reference when matching)
    allowed: dict[tuple[int, str], int]     # (position, base) -> alleles whose definition allows that base


_INDEX: dict[int, _Index] = {}


def _index(gdef: GeneDef) -> _Index:
    hit = _INDEX.get(id(gdef))
    if hit is None:
        hit = _INDEX[id(gdef)] = _build_index(gdef)
    return hit


def _build_index(gdef: GeneDef) -> _Index:
    every = (1 << len(gdef.alleles)) - 1
    defined: dict[int, int] = {lc.pos: 0 for lc in gdef.loci}
    allowed: dict[tuple[int, str], int] = {}
    for j, na in enumerate(gdef.alleles):
        for p, bases in na.defs.items():
            defined[p] = defined.get(p, 0) | 1 << j
            for b in bases:
                allowed[(p, b)] = allowed.get((p, b), 0) | 1 << j
    return _Index({lc.pos: lc.ref for lc in gdef.loci}, defined,
                  {p: every & ~m for p, m in defined.items()}, allowed)


def _bits(m: int) -> list[int]:
    out = []
    while m:
        low = m & -m
        out.append(low.bit_length() - 1)
        m ^= low
    return out


def match_gene(gdef: GeneDef, gg: GeneGenotype, *, keep_others: int = 20) -> MatchOutcome:
    out = MatchOutcome(gdef.gene)
    alleles, msgs, blocking = reset_undocumented(gdef, gg)
    out.messages.extend(msgs)
    if blocking:
        out.not_called_reason = ("allele(s) not in any definition at " + "; ".join(blocking) +
                                 " — not called (an unknown variant at a defining position)")
        return out
    ex = gene_exemptions().get(gdef.gene)
    missing_required = sorted(p for p in (ex.required_positions if ex else ()) if p not in alleles)
    if missing_required:
        labels = [lc.label for lc in gdef.loci if lc.pos in missing_required]
        out.not_called_reason = ("position(s) PharmCAT requires for this gene are missing: " + ", ".join(labels))
        return out
    pos = [lc.pos for lc in gdef.loci if lc.pos in alleles]
    out.used = pos
    if not pos:
        out.not_called_reason = "no defining position is present in the data"
        return out
    sample = [alleles[p] for p in pos]
    out.phased = all(s.phased for s in sample)
    # named alleles restricted to the present positions (bit j = gdef.alleles[j]); an allele with no present
    # defining position takes no part
    idx = _index(gdef)
    haps = gdef.alleles
    full = 0
    for p in pos:
        full |= idx.defined[p]
    ref_base = idx.ref
    score_cache: dict[int, int] = {}

    def allele_score(j: int) -> int:
        sc = score_cache.get(j)
        if sc is None:
            sc = score_cache[j] = sum(1 for p in haps[j].defs if p in alleles)
        return sc

    def compat(p: int, allele: str) -> int:
        return ((idx.undefined[p] if allele == ref_base[p] else 0) | idx.allowed.get((p, allele), 0)) & full

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
        sc = allele_score(j)
        for p in na.wobble:
            if p in alleles and strand_allele(p, orient, strand) == ref_base[p]:
                sc -= 1
        return sc

    def leaf(ma: int, mb: int, orient: tuple[int, ...]) -> None:
        ia, ib = _bits(ma), _bits(mb)
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
    if not out.phased and ex is not None and ex.unphased_priorities:
        fitting = {d.name: d for d in ranked}
        for tied, pick in ex.unphased_priorities:
            if pick in fitting and tied <= set(fitting):
                if [d.name for d in out.top] != [pick]:
                    out.messages.append(f"unphased genotypes fit {', '.join(sorted(tied))}; {pick} is reported, as "
                                        f"PharmCAT does for {gdef.gene} (alleles/exemptions.json "
                                        "unphasedDiplotypePriorities)")
                out.others = [d for d in ranked if d.name != pick][:keep_others]
                out.top = [fitting[pick]]
                break
    return out
