"""Genotype frame (+ outside calls) -> PgxResult: one GeneCall per gene in scope."""
from __future__ import annotations

import pandas as pd

from workstation.pgx import dpyd as dpyd_mod
from workstation.pgx.completeness import Completeness, assess
from workstation.pgx.genotype import GeneGenotype, gene_genotypes
from workstation.pgx.matcher import MatchOutcome, match_gene
from workstation.pgx.model import SOURCE_OUTSIDE, SOURCE_VCF, GeneCall, PgxResult
from workstation.pgx.outside import from_frame
from workstation.pgx.phenotype import lookup_key, phenotype_of
from workstation.pgx.tables import OUTSIDE_ONLY, GeneDef, gene_definitions, name_key

LOWEST_FUNCTION = ("DPYD", "RYR1")   # PharmCAT Constants.LOWEST_FUNCTION_GENES
GENE_ORDER = ("CYP2C19", "CYP2C9", "VKORC1", "TPMT", "NUDT15", "SLCO1B1", "DPYD", "CYP3A5", "UGT1A1", "CYP2B6",
              "CYP3A4", "CYP4F2", "ABCG2", "CACNA1S", "RYR1", "G6PD", "IFNL3", "CFTR", "NAT2")
SLCO1B1_KEY_RSID = "rs4149056"
NO_PHENOTYPE_GENES = ("CYP4F2", "IFNL3")   # PharmCAT's report leaves their phenotype blank (example report.tsv)
_OUTSIDE_WHY = {"CYP2D6": "copy number and structural variants need a dedicated caller",
                "HLA-A": "HLA typing needed", "HLA-B": "HLA typing needed",
                "MT-RNR1": "mitochondrial variant test needed"}


def _missing_labels(gg: GeneGenotype) -> tuple[str, ...]:
    return tuple(lc.label for lc in gg.missing)


def _incomplete_message(gdef: GeneDef, gg: GeneGenotype) -> str | None:
    if not gg.missing:
        return None
    miss = {lc.pos for lc in gg.missing}
    hit = sorted({a.name for a in gdef.alleles if not a.is_reference and miss & set(a.defs)},
                 key=lambda n: n)
    shown = ", ".join(hit[:8]) + (" …" if len(hit) > 8 else "")
    return (f"{len(gg.missing)} of {len(gdef.loci)} defining positions are missing (no-calls, not assumed "
            f"reference); alleles defined there could not be fully tested: {shown}")


def _generic(gdef: GeneDef, gg: GeneGenotype) -> GeneCall:
    m: MatchOutcome = match_gene(gdef, gg)
    msgs = list(gg.messages) + m.messages
    inc = _incomplete_message(gdef, gg)
    if inc:
        msgs.append(inc)
    used_set = set(m.used)
    used = tuple(lc.label for lc in gdef.loci if lc.pos in used_set)
    if not m.top:
        if gdef.gene == "SLCO1B1":
            fb = _slco1b1_fallback(gdef, gg, m, msgs)
            if fb is not None:
                return fb
        msgs.insert(0, f"{gdef.gene} not called: {m.not_called_reason}")
        return GeneCall(gdef.gene, (), None, None, _missing_labels(gg), used, SOURCE_VCF, False, bool(gg.missing),
                        m.phased, None, messages=tuple(msgs))
    phens, funcs, scores, keys = [], [], [], []
    hemi = gg.haploid and gdef.chrom in ("chrX", "chrY")
    for d in m.top:
        ph, s = phenotype_of(gdef.gene, d.allele1, None if hemi else d.allele2)
        k = lookup_key(gdef.gene, d.allele1, d.allele2)
        if k:
            keys.append(k)
        if ph is None and gdef.gene in NO_PHENOTYPE_GENES:
            msgs.append(f"{gdef.gene}: PharmCAT assigns no phenotype to {gdef.gene} diplotypes"
                        + (f"; CPIC's lookup uses {k}" if k else " (CPIC uses the genotype in the warfarin algorithm)"))
        elif ph is None:
            msgs.append(f"{d.name}: no CPIC phenotype rule is transcribed for {d.allele1.function or 'unassigned'}"
                        f" + {d.allele2.function or 'unassigned'}; phenotype not assigned")
        phens.append(ph)
        funcs.append((d.allele1.function, d.allele2.function))
        scores.append(s)
    uniq = list(dict.fromkeys(p for p in phens if p))
    tie = len(m.top) > 1
    if tie:
        msgs.append(f"{len(m.top)} diplotypes fit equally well ({', '.join(d.name for d in m.top)}); "
                    "none was picked" + ("; their phenotypes differ" if len(uniq) > 1 else ""))
    _ambiguity_messages(gdef.gene, m, phens, msgs)
    act = scores[0] if len(set(scores)) == 1 else None
    # hemizygous: one strand, so X/Y means "X or Y" — each allele that fits is named once
    names = tuple(dict.fromkeys(n for d in m.top for n in ((d.allele1.name, d.allele2.name) if hemi else (d.name,))))
    if hemi:
        one = {a.name: a for d in m.top for a in (d.allele1, d.allele2)}
        phens = [phenotype_of(gdef.gene, one[n], None)[0] for n in names]
        uniq = list(dict.fromkeys(p for p in phens if p))
        tie = len(names) > 1
    if hemi:
        msgs.append(f"{gdef.gene}: one allele per position (hemizygous, as on a male X); phenotype from that allele")
    return GeneCall(
        gene=gdef.gene, diplotypes=names, lookup_keys=tuple(dict.fromkeys(keys)),
        phenotype=" OR ".join(uniq) if uniq else None, activity_score=act,
        missing_positions=_missing_labels(gg), positions_used=used, source=SOURCE_VCF, tie=tie,
        incomplete=bool(gg.missing), phased=m.phased, score=m.top[0].score, functions=tuple(funcs),
        phenotypes=tuple(p or "" for p in phens), source_diplotype=" OR ".join(names),
        messages=tuple(msgs))


def _ambiguity_messages(gene: str, m: MatchOutcome, top_phens: list, msgs: list[str]) -> None:
    """Unphased data: name lower-scoring diplotypes that also fit and would change the phenotype."""
    if m.phased:
        return
    seen = set(p for p in top_phens if p)
    alts: list[str] = []
    for d in m.others:
        ph, _ = phenotype_of(gene, d.allele1, d.allele2)
        if ph and ph not in seen:
            alts.append(f"{d.name} ({ph})")
            seen.add(ph)
    if alts:
        msgs.append("These unphased genotypes also fit " + ", ".join(alts[:3]) +
                    "; the call follows PharmCAT's scoring (longer allele definitions win) — phasing or "
                    "another test would settle it")


def _slco1b1_fallback(gdef: GeneDef, gg: GeneGenotype, m: MatchOutcome, msgs: list[str]) -> GeneCall | None:
    """PharmCAT: when SLCO1B1 cannot be called, use the rs4149056 (c.521T>C) genotype for the lookup."""
    lc = next((x for x in gdef.loci if x.rsid == SLCO1B1_KEY_RSID), None)
    sa = gg.alleles.get(lc.pos) if lc else None
    if sa is None:
        return None
    ref = gdef.reference
    alt_allele = next((a for a in gdef.alleles if len(a.defs) == 1 and lc.pos in a.defs), None)  # *5
    if alt_allele is None or any(b not in (lc.ref, *alt_allele.defs[lc.pos]) for b in (sa.a1, sa.a2)):
        return None
    pair = [ref if b == lc.ref else alt_allele for b in (sa.a1, sa.a2)]
    ph, _ = phenotype_of("SLCO1B1", pair[0], pair[1])
    geno = f"rs4149056 {sa.a1}/{sa.a2}"
    msgs.insert(0, f"SLCO1B1 star alleles not called ({m.not_called_reason}); phenotype from the rs4149056 "
                   f"(c.521T>C) genotype alone ({geno}), as PharmCAT does")
    return GeneCall("SLCO1B1", (), ph, None, _missing_labels(gg), (lc.label,), SOURCE_VCF, False, True, sa.phased,
                    None, phenotypes=(ph or "",), lookup_diplotype=geno, source_diplotype=geno,
                    messages=tuple(msgs))


def _lowest_function(gdef: GeneDef, gg: GeneGenotype) -> GeneCall:
    """DPYD and RYR1 (PharmCAT's lowest-function genes): strands, or the variants found, and the two
    lowest-function alleles for the lookup."""
    gene = gdef.gene
    o = dpyd_mod.call_dpyd(gdef, gg)
    msgs = list(gg.messages) + o.messages
    inc = _incomplete_message(gdef, gg)
    if inc:
        msgs.append(inc)
    used_set = set(o.used)
    used = tuple(lc.label for lc in gdef.loci if lc.pos in used_set)
    if o.lookup is None:
        msgs.insert(0, f"{gene} not called: {o.not_called_reason}")
        return GeneCall(gene, (), None, None, _missing_labels(gg), used, SOURCE_VCF, incomplete=bool(gg.missing),
                        messages=tuple(msgs))
    a1, a2 = o.lookup
    ph, score = phenotype_of(gene, a1, a2)
    lookup = f"{a1.name}/{a2.name}"
    if o.strands is not None:
        # PharmCAT's order (DpydTest): Reference first, then the strand with fewer variants, then natural name order
        names = [n for _, n in sorted(((len(s), dpyd_mod.hap_name(s)) for s in o.strands),
                                      key=lambda t: (t[1] != "Reference", t[0], name_key(t[1].strip("[]"))))]
        source = "/".join(names)
        variants: tuple[str, ...] = ()
        diplos = (source,)
    else:
        variants = tuple(a.name for a in o.variants)
        # PharmCAT's report TSV: the variants found joined by " AND ", a homozygous one written "X/X"
        counts = {n: variants.count(n) for n in dict.fromkeys(variants)}
        source = " AND ".join(f"{n}/{n}" if c > 1 else n for n, c in counts.items())
        diplos = (lookup,)
    if source != lookup:
        what = "activity score" if gene == "DPYD" else "phenotype"
        msgs.append(f"{gene} {what} from the lowest-function variants: {lookup}")
    # PharmCAT's match score of an all-reference call: every position present, counted on both strands
    match = 2 * len(used) if source == "Reference/Reference" else None
    return GeneCall(gene, diplos, ph, score, _missing_labels(gg), used, SOURCE_VCF, False, bool(gg.missing),
                    o.phased, match, functions=((a1.function, a2.function),), phenotypes=(ph or "",),
                    lookup_diplotype=lookup, source_diplotype=source, variants=variants, messages=tuple(msgs))


def call_genotypes(variants: pd.DataFrame, ref_blocks: pd.DataFrame | None = None,
                   outside_calls=None, *, build: str | None = "GRCh38", translated_from: str | None = None,
                   refusal: str | None = None, notes: tuple[str, ...] = ()) -> "PgxResult":
    """Call every gene in scope from a genotype table (GRCh38 positions); merge outside calls (frame or list).

    ``build`` is the build of the positions in ``variants`` — anything but GRCh38 (including None, unknown) makes
    no VCF call and says why in one sentence (``refusal`` gives that sentence directly). ``translated_from``
    ('GRCh37') marks genotypes already moved through the position table (workstation.genome): every call is then
    labelled "from GRCh37 via position table" and its guidance is at most CAUTION.
    An outside call for a gene also called here replaces it (PharmCAT lets outside calls override), with a message.
    Each VCF call carries its :class:`~workstation.pgx.completeness.Completeness`.
    """
    from workstation.genome.build import refusal as build_refusal
    from workstation.genome.positions import TRANSLATION_LABEL

    if refusal is None and translated_from is None:
        refusal = build_refusal(build, f"the genotypes are labelled {build}" if build
                                else "no build was given with the genotypes")
    defs = gene_definitions()
    genes: dict[str, GeneCall] = {}
    if refusal:
        for g in GENE_ORDER:
            genes[g] = GeneCall(g, incomplete=True, messages=(refusal,),
                                completeness=Completeness(n_total=len(defs[g].loci), refused=refusal))
    else:
        ggs = gene_genotypes(variants, ref_blocks)
        for g in GENE_ORDER:
            c = _lowest_function(defs[g], ggs[g]) if g in LOWEST_FUNCTION else _generic(defs[g], ggs[g])
            comp = assess(defs[g], ggs[g], c, translated_from=translated_from)
            extra = {"completeness": comp}
            if translated_from:       # positions translated from another build: guidance at most CAUTION
                extra.update(translated=True, messages=c.messages + (
                    f"genotypes {TRANSLATION_LABEL} ({translated_from} to GRCh38); shown with caution",))
            genes[g] = GeneCall(**{**c.__dict__, **extra})
    outs = outside_calls if isinstance(outside_calls, list) else from_frame(outside_calls)
    for oc in outs:
        if oc.gene in genes and genes[oc.gene].source == SOURCE_OUTSIDE:
            oc = GeneCall(**{**oc.__dict__, "messages": oc.messages + (
                "replaces an earlier outside call for this gene",)})
        elif oc.gene in genes and genes[oc.gene].called:
            oc = GeneCall(**{**oc.__dict__, "messages": oc.messages + (
                f"replaces the call made from the genotypes ({', '.join(genes[oc.gene].diplotypes)})",)})
        genes[oc.gene] = oc
    for g in OUTSIDE_ONLY:
        genes.setdefault(g, GeneCall(g, source="outside call", messages=(
            f"{g} is not called from VCF data ({_OUTSIDE_WHY.get(g, 'outside test needed')}); add an outside call",)))
    return PgxResult(genes=genes, build=translated_from or build, messages=tuple(notes) + ((refusal,) if refusal else ()),
                     translated_from=translated_from, refusal=refusal)


def call_table(table, outside_calls=None) -> "PgxResult":
    """Calls from a :class:`workstation.genome.reader.GenotypeTable` (file or store): its build, refusal and notes."""
    return call_genotypes(table.variants, table.ref_blocks, outside_calls,
                          build="GRCh38" if table.refusal is None else table.build.build,
                          translated_from=table.translated_from, refusal=table.refusal, notes=table.notes)
