"""Genome-sized and build-variant VCFs written by tests from PharmCAT's example genotypes (real files on disk).

Everything here writes real VCF text; nothing is mocked. The PharmCAT example (``../shared/data/pharmcat``) is
synthetic; the random filler records have random bases (they stand for the rest of a genome).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from workstation.genome.positions import site_pairs
from workstation.pgx.genotype import definition_positions

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
EXAMPLE2 = SHARED / "data" / "pharmcat" / "pharmcat.example2.vcf"
# GRCh38 chromosome lengths (NCBI GCF_000001405.26 assembly report); GRCh37 chr1 (GCF_000001405.13)
GRCH38_CHR1 = 248956422
GRCH37_CHR1 = 249250621
CHROMS = [f"chr{c}" for c in [*range(1, 23), "X"]]


def split_vcf(path: Path) -> tuple[list[str], str, list[list[str]]]:
    """(## meta lines, #CHROM line, records as field lists)."""
    meta, cols, recs = [], "", []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("##"):
            meta.append(line)
        elif line.startswith("#"):
            cols = line
        elif line:
            recs.append(line.split("\t"))
    return meta, cols, recs


def _chrom_key(c: str) -> tuple:
    c0 = c.removeprefix("chr")
    return (0, int(c0)) if c0.isdigit() else (1, c0)


def write(path: Path, meta: list[str], cols: str, recs: list[list[str]], *, compress: bool = False) -> Path:
    recs = sorted(recs, key=lambda r: (_chrom_key(r[0]), int(r[1])))
    text = "\n".join([*meta, cols, *("\t".join(r) for r in recs)]) + "\n"
    if compress:
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def filler(n: int, seed: int = 11, n_samples: int = 1) -> list[list[str]]:
    """``n`` random variant records across every chromosome, none at or next to a definition position."""
    rng = np.random.default_rng(seed)
    avoid = {(c, p + d) for c, p in definition_positions() for d in (-1, 0, 1)}
    chroms = rng.choice(CHROMS, n)
    pos = rng.integers(10_000, 150_000_000, n)
    ref = rng.choice(list("ACGT"), n)
    alt = np.array([{"A": "G", "C": "T", "G": "A", "T": "C"}[r] for r in ref])
    gts = rng.choice(["0/1", "1/1", "0|1"], (n, n_samples))
    out, seen = [], set()
    for c, p, r, a, g in zip(chroms, pos, ref, alt, gts):
        k = (str(c), int(p))
        if k in avoid or k in seen:
            continue
        seen.add(k)
        out.append([str(c), str(int(p)), ".", str(r), str(a), "50", "PASS", ".", "GT", *map(str, g)])
    return out


def genome_vcf(path: Path, n_filler: int = 320_000, *, compress: bool = True) -> Path:
    """PharmCAT example2 (all 1,202 positions) merged into ``n_filler`` random records on every chromosome."""
    meta, cols, recs = split_vcf(EXAMPLE2)
    meta = [m for m in meta if not m.startswith("##contig")] + \
        [f"##contig=<ID={c},assembly=GRCh38.p14>" for c in CHROMS]
    return write(path, meta, cols, recs + filler(n_filler), compress=compress)


def gvcf_from(path_in: Path, path_out: Path) -> Path:
    """The same genotypes as a gVCF: every 0/0 record becomes a reference block that starts one base *before* its
    position (END = position), unless that base holds another record."""
    meta, cols, recs = split_vcf(path_in)
    taken = {(r[0], int(r[1])) for r in recs}
    out = []
    for r in recs:
        c, p = r[0], int(r[1])
        if r[9].split(":")[0] in ("0/0", "0|0") and (c, p - 1) not in taken:
            out.append([c, str(p - 1), ".", "N", "<NON_REF>", ".", ".", f"END={p}", "GT", "0/0"])
            taken.add((c, p - 1))
        else:
            out.append(r)
    meta = meta + ['##INFO=<ID=END,Number=1,Type=Integer,Description="End position">']
    return write(path_out, meta, cols, out)


def variant_only_from(path_in: Path, path_out: Path) -> Path:
    """A variant-only cut: every 0/0 record removed (what a lab's 'variants only' VCF looks like)."""
    meta, cols, recs = split_vcf(path_in)
    return write(path_out, meta, cols, [r for r in recs if r[9].split(":")[0] not in ("0/0", "0|0")])


def grch37_from(path_in: Path, path_out: Path, *, b37_names: bool = False, header: bool = True) -> Path:
    """The example's genotypes at their GRCh37 positions (shipped table), REF/ALT/GT re-expressed against the
    GRCh37 reference where it differs; positions the table lacks are dropped. ``b37_names``: '10' not 'chr10';
    ``header=False``: no ##contig/##reference (the build must come from REF alleles)."""
    meta, cols, recs = split_vcf(path_in)
    by38 = {(s.chrom, s.pos38): s for s in site_pairs()}
    out = []
    for r in recs:
        s = by38.get((r[0], int(r[1])))
        if s is None:
            continue
        ref, alts, gt = r[3], [a for a in r[4].split(",") if a != "."], r[9].split(":")[0]
        if s.ref_differs:
            seq = [ref] + alts
            new = [s.ref37] + [a for a in dict.fromkeys(seq) if a != s.ref37]
            sep = "|" if "|" in gt else "/"
            gt = sep.join(str(new.index(seq[int(i)])) if i != "." else "." for i in gt.replace("|", "/").split("/"))
            ref, alts = s.ref37, new[1:]
        c = s.chrom.removeprefix("chr") if b37_names else s.chrom
        out.append([c, str(s.pos37), r[2], ref, ",".join(alts) or ".", r[5], r[6], r[7], "GT", gt])
    meta = [m for m in meta if not m.startswith(("##contig", "##reference"))]
    if header:
        one = "1" if b37_names else "chr1"
        meta.append(f"##contig=<ID={one},length={GRCH37_CHR1}>")
    return write(path_out, meta, cols, out)


def all_reference_grch37(path_out: Path) -> Path:
    """Every table position called 0/0 on GRCh37 (REF = the GRCh37 base): an all-reference GRCh37 genome."""
    recs = [[s.chrom, str(s.pos37), s.rsid or ".", s.ref37, ".", ".", "PASS", ".", "GT", "0/0"] for s in site_pairs()]
    meta = ["##fileformat=VCFv4.2", f"##contig=<ID=chr1,length={GRCH37_CHR1}>",
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">']
    return write(path_out, meta, "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
                                             "S1"]), recs)
