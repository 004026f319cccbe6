"""Lowest-function calling for DPYD and RYR1, PharmCAT's two "lowest function" genes (Constants.LOWEST_FUNCTION_GENES;
docs/methods/Gene-Definition-Exceptions.md, DPYD section; CPIC PMID 29152729). RYR1 follows the same rules without
the HapB3 part; its lowest function is the malignant hyperthermia-associated one (CPIC RYR1/CACNA1S 2018).

* Each DPYD named allele is a single variant (plus HapB3, two variants). HapB3 is called from the intronic
  rs75017182 when present, else from the exonic rs56038477 with a warning; disagreement is reported.
* Phased or effectively phased data (all positions homozygous, or one heterozygous position): the variants on each
  strand form that strand's haplotype (``Reference`` when none, ``[a + b]`` when several); the lowest-function
  variant per strand gives the lookup diplotype.
* Unphased data with two or more heterozygous positions: no diplotype is inferred; the variants found are listed
  (homozygous ones twice) and the two lowest-function variants give the lookup diplotype.
* Activity score = sum of the two lookup variants' activity values. Ties prefer variants that DPWG also covers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.pgx.genotype import GeneGenotype
from workstation.pgx.matcher import reset_undocumented
from workstation.pgx.tables import GeneDef, NamedAllele, name_key

HAPB3 = "c.1129-5923C>G, c.1236G>A (HapB3)"
HAPB3_INTRONIC = "rs75017182"
HAPB3_INTRONIC_NAME = "c.1129-5923C>G"
HAPB3_EXONIC = "rs56038477"
# Variants DPWG also covers (PharmCAT Gene-Definition-Exceptions.md, "DPWG recommendation"): preferred on ties.
DPWG_KNOWN = (HAPB3, "c.2846A>T", "c.1905+1G>A (*2A)", "c.1679T>G (*13)")


@dataclass
class DpydOutcome:
    strands: tuple[list[NamedAllele], list[NamedAllele]] | None = None
    variants: list[NamedAllele] = field(default_factory=list)
    lookup: tuple[NamedAllele, NamedAllele] | None = None
    phased: bool = False
    used: list[int] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    not_called_reason: str | None = None


# RYR1 has no activity values: a malignant hyperthermia-associated allele is its lowest function, every other
# function ranks the same and the name order decides (PharmCAT's Ryr1Test: normal and uncertain variants tie).
def _function_rank(a: NamedAllele) -> int:
    return 0 if (a.function or "").lower() == "malignant hyperthermia associated" else 1


def _pick(cands: list[NamedAllele]) -> NamedAllele:
    return sorted(cands, key=lambda a: (a.activity if a.activity is not None else 9.0,
                                        _function_rank(a),
                                        a.name not in DPWG_KNOWN, name_key(a.name)))[0]


def hap_name(alleles: list[NamedAllele]) -> str:
    if not alleles:
        return "Reference"
    names = sorted({a.name for a in alleles}, key=name_key)
    return names[0] if len(names) == 1 else "[" + " + ".join(names) + "]"


def call_dpyd(gdef: GeneDef, gg: GeneGenotype) -> DpydOutcome:
    out = DpydOutcome()
    alleles, msgs, _ = reset_undocumented(gdef, gg)
    out.messages.extend(msgs)
    out.used = sorted(alleles)
    if not alleles:
        out.not_called_reason = "no defining position is present in the data"
        return out
    ref = gdef.reference
    hapb3 = next((a for a in gdef.alleles if a.name == HAPB3), None)
    by_locus = {lc.rsid: lc for lc in gdef.loci}
    if hapb3 is not None:
        intr, exon = by_locus[HAPB3_INTRONIC].pos, by_locus[HAPB3_EXONIC].pos
    else:
        intr = exon = -1          # RYR1: no HapB3
    singles: dict[tuple[int, str], NamedAllele] = {}
    for a in gdef.alleles:
        if not a.is_reference and len(a.defs) == 1 and a.name != HAPB3:
            (p, allowed), = a.defs.items()
            if p in (intr, exon):
                continue          # HapB3 positions are called by the HapB3 rule below
            for base in allowed:
                singles[(p, base)] = a
    # per strand (strand 0 = first GT allele) lists of variant alleles, and heterozygosity count
    strand = ([], [])
    het_positions = 0
    all_phased = True
    for p, sa in sorted(alleles.items()):
        if p in (intr, exon):
            continue
        all_phased &= sa.phased
        het_positions += sa.het
        for k, base in enumerate((sa.a1, sa.a2)):
            na = singles.get((p, base))
            if na is not None:
                strand[k].append(na)
    intronic = next((a for a in gdef.alleles if a.name == HAPB3_INTRONIC_NAME), None)
    hb = _hapb3_calls(alleles, intr, exon, hapb3, out.messages, intronic) if hapb3 is not None else None
    if hb is not None:
        s_intr = alleles.get(intr) if intr in alleles else alleles.get(exon)
        all_phased &= s_intr.phased
        het_positions += s_intr.het
        for k in (0, 1):
            if hb[k] is not None:
                strand[k].append(hb[k])
    out.phased = all_phased
    effectively_phased = all_phased or het_positions <= 1
    if effectively_phased:
        out.strands = (sorted(strand[0], key=lambda a: name_key(a.name)),
                       sorted(strand[1], key=lambda a: name_key(a.name)))
        low = [(_pick(s) if s else ref) for s in out.strands]
        out.lookup = tuple(sorted(low, key=lambda a: (not a.is_reference, name_key(a.name))))  # type: ignore
    else:
        out.variants = sorted(strand[0] + strand[1], key=lambda a: name_key(a.name))
        first = _pick(out.variants)
        rest = list(out.variants)
        rest.remove(first)
        second = _pick(rest) if rest else ref
        out.lookup = tuple(sorted((first, second), key=lambda a: (not a.is_reference, name_key(a.name))))  # type: ignore
        basis = ("the activity score, as CPIC presumes two different decreased/no function variants lie on "
                 "different copies") if gdef.gene == "DPYD" else "the phenotype, as PharmCAT does"
        out.messages.append(f"{gdef.gene} data are unphased with more than one heterozygous position: the variants "
                            f"are listed and the two lowest-function variants are used for {basis}")
    return out


def _hapb3_calls(alleles, intr: int, exon: int, hapb3: NamedAllele, messages: list[str],
                 intronic: NamedAllele | None = None):
    """Per-strand HapB3-family allele (NamedAllele or None, None), or None when neither position is present.

    The intronic rs75017182 decides (PharmCAT DpydHapB3Matcher): a strand carrying it is HapB3
    ("c.1129-5923C>G, c.1236G>A (HapB3)") when the exonic rs56038477 is also carried, else the intronic allele alone
    ("c.1129-5923C>G", PharmCAT's name since the 2025 definitions); without the intronic call the exonic one gives
    HapB3 with a warning."""
    def calls(p: int):
        sa = alleles[p]
        return (sa.a1 in hapb3.defs[p], sa.a2 in hapb3.defs[p])
    if intr in alleles:
        c = calls(intr)
        if exon not in alleles:
            messages.append("DPYD HapB3: exonic rs56038477 is missing; called from the intronic rs75017182 alone")
            return tuple((intronic or hapb3) if x else None for x in c)
        e = calls(exon)
        phased = alleles[intr].phased and alleles[exon].phased
        if phased or not (alleles[intr].het and alleles[exon].het):
            out = tuple((hapb3 if (x and y) or (x and sum(e) == 2) else (intronic or hapb3)) if x else None
                        for x, y in zip(c, e))
        else:
            n_hap = min(sum(c), sum(e))
            out, left = [], n_hap
            for x in c:
                if x and left:
                    out.append(hapb3)
                    left -= 1
                else:
                    out.append((intronic or hapb3) if x else None)
            out = tuple(out)
        if sum(e) > sum(c):
            messages.append("DPYD HapB3: the exonic rs56038477 variant is carried without the intronic "
                            "rs75017182 (the calls disagree); HapB3 follows the intronic variant")
        return out
    if exon in alleles:
        messages.append("DPYD HapB3: intronic rs75017182 is missing; HapB3 was called from the exonic rs56038477 "
                        "only — genotype rs75017182 to confirm HapB3 and its decreased function")
        return tuple(hapb3 if x else None for x in calls(exon))
    return None
