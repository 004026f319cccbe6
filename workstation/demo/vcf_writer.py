"""A synthetic demo genome: one gzip VCF 4.2 (GRCh38) per demo patient, covering the pharmacogene positions.

Everything here is synthetic; no real person's genotypes are described. The file holds:

* one record at every position the project's PGx allele table defines (``resources/pgx/alleles.tsv``; if that
  table is absent, the short fallback list below), REF/ALT as in that table, with an explicit ``0/0`` wherever
  the patient carries the reference — so the PGx caller sees "reference", not "missing";
* for each gene, two named alleles drawn with ``random.Random(patient_seed)``, written as the genotypes their
  definitions imply (unphased, as most clinical sequencing reports them);
* a handful of non-PGx variants at random positions (random bases; INFO ``DEMO``) so the variants view has
  something to show, including a multi-allelic site, a phased pair with PS, a no-call and a gVCF reference block.

Allele choice weights are ILLUSTRATIVE, NOT POPULATION FREQUENCIES: no allele-frequency table is in
../shared/reference, so the reference allele gets weight ``REFERENCE_WEIGHT`` and every other allele of known
function an equal share. The demo must never be read as describing any population.
"""
from __future__ import annotations

import csv
import gzip
import random
from dataclasses import dataclass
from pathlib import Path

# GRCh38 sequence lengths: chr1–chr22, chrX as in the Illumina Platinum Genomes hg38 header
# (../shared/data/vcf_na12878/NA12878.genome_filtered.vcf); chrY and chrM from the GRCh38 assembly report
# (NCBI GCF_000001405.26).
GRCH38_LENGTHS = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555, "chr5": 181538259,
    "chr6": 170805979, "chr7": 159345973, "chr8": 145138636, "chr9": 138394717, "chr10": 133797422,
    "chr11": 135086622, "chr12": 133275309, "chr13": 114364328, "chr14": 107043718, "chr15": 101991189,
    "chr16": 90338345, "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415, "chrM": 16569,
}
REFERENCE_WEIGHT = 0.6          # illustrative (see module docstring), not a frequency
_KNOWN_FUNCTION = ("Normal function", "Decreased function", "No function", "Increased function")
_IUPAC = {"R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT",
          "V": "ACG", "N": "ACGT"}

# Fallback when resources/pgx/alleles.tsv is absent: well-known GRCh38 SNVs transcribed from
# ../shared/reference/pgx/allele_facts.tsv (PharmCAT <GENE>_translation.json, CPIC/PharmVar, CC0).
# (gene, allele, is_reference, chrom, pos, ref, alt, function)
FALLBACK_ALLELES = [
    ("CYP2C19", "*38", True, "chr10", 0, "", "", "Normal function"),
    ("CYP2C19", "*1", False, "chr10", 94842866, "A", "G", "Normal function"),               # rs3758581
    ("CYP2C19", "*2", False, "chr10", 94781859, "G", "A", "No function"),                   # rs4244285
    ("CYP2C19", "*2", False, "chr10", 94842866, "A", "G", "No function"),
    ("CYP2C19", "*3", False, "chr10", 94780653, "G", "A", "No function"),                   # rs4986893
    ("CYP2C19", "*3", False, "chr10", 94842866, "A", "G", "No function"),
    ("VKORC1", "rs9923231 reference (C)", True, "chr16", 0, "", "", ""),
    ("VKORC1", "rs9923231 variant (T)", False, "chr16", 31096368, "C", "T", ""),           # rs9923231
    ("SLCO1B1", "*1", True, "chr12", 0, "", "", "Normal function"),
    ("SLCO1B1", "*5", False, "chr12", 21178615, "T", "C", "Decreased function"),            # rs4149056
    ("TPMT", "*1", True, "chr6", 0, "", "", "Normal function"),
    ("TPMT", "*3A", False, "chr6", 18130687, "T", "C", "No function"),                      # rs1142345
    ("DPYD", "Reference", True, "chr1", 0, "", "", "Normal function"),
    ("DPYD", "c.1905+1G>A (*2A)", False, "chr1", 97450058, "C", "T", "No function"),        # rs3918290
]


@dataclass(frozen=True)
class _Def:
    gene: str
    allele: str
    is_reference: bool
    chrom: str
    pos: int
    ref: str
    alt: str
    function: str


def load_definitions(table: Path | str | None = None) -> list[_Def]:
    """Rows of the PGx allele table (the project's resource, or ``table``), else the fallback list."""
    path = Path(table) if table is not None else _default_table()
    if path is None or not path.exists():
        return [_Def(*r) for r in FALLBACK_ALLELES]
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            pos = int(r["pos"]) if (r.get("pos") or "").strip() else 0
            out.append(_Def(r["gene"], r["allele"], (r.get("is_reference") or "").strip() == "yes", r["chrom"],
                            pos, (r.get("ref") or "").strip(), (r.get("alt") or "").strip(),
                            (r.get("function") or "").strip()))
    return out


def _default_table() -> Path | None:
    try:
        from workstation.paths import resources_dir
    except ImportError:
        return None
    return Path(resources_dir()) / "pgx" / "alleles.tsv"


def _concrete(alt: str, ref: str) -> list[str]:
    """An allele table ALT as concrete VCF alleles: IUPAC codes ("either base matches") expand to non-REF bases."""
    if len(alt) == 1 and alt in _IUPAC:
        return [b for b in _IUPAC[alt] if b != ref]
    return [a for a in alt.split(",") if a and a != ref]


def _choose_alleles(defs: list[_Def], rng: random.Random) -> dict[str, tuple[str, str]]:
    """Two allele names per gene (illustrative weights, see REFERENCE_WEIGHT)."""
    by_gene: dict[str, dict[str, _Def]] = {}
    for d in defs:
        by_gene.setdefault(d.gene, {}).setdefault(d.allele, d)
    chosen = {}
    for gene in sorted(by_gene):
        alleles = by_gene[gene]
        ref = next((a for a, d in alleles.items() if d.is_reference), None)
        others = sorted(a for a, d in alleles.items() if not d.is_reference and
                        (d.function in _KNOWN_FUNCTION or gene == "VKORC1"))
        pair = []
        for _ in range(2):
            if ref is not None and (not others or rng.random() < REFERENCE_WEIGHT):
                pair.append(ref)
            elif others:
                pair.append(rng.choice(others))
        if len(pair) == 2:
            chosen[gene] = (pair[0], pair[1])
    return chosen


def _pgx_records(defs: list[_Def], chosen: dict[str, tuple[str, str]]) -> list[tuple]:
    sites: dict[tuple[str, int], dict] = {}
    for d in defs:
        if d.pos <= 0 or not d.ref:
            continue
        s = sites.setdefault((d.chrom, d.pos), {"ref": d.ref, "alts": [], "gene": d.gene})
        for a in _concrete(d.alt, d.ref):
            if a not in s["alts"]:
                s["alts"].append(a)
    carried: dict[tuple[str, int], list[str]] = {}   # site -> alt allele carried by haplotype 1 and 2 ('' = ref)
    for gene, (h1, h2) in chosen.items():
        for hap, allele in enumerate((h1, h2)):
            for d in defs:
                if d.gene == gene and d.allele == allele and d.pos > 0:
                    conc = _concrete(d.alt, d.ref)
                    # an IUPAC code containing REF means "either base": the haplotype keeps the reference
                    if len(d.alt) == 1 and d.alt in _IUPAC and d.ref in _IUPAC[d.alt]:
                        continue
                    if conc:
                        carried.setdefault((d.chrom, d.pos), ["", ""])[hap] = conc[0]
    out = []
    for (chrom, pos), s in sites.items():
        alts = s["alts"]
        hap = carried.get((chrom, pos), ["", ""])
        idx = sorted(alts.index(a) + 1 if a else 0 for a in hap)
        out.append((chrom, pos, ".", s["ref"], ",".join(alts) or ".", f"GENE={s['gene']}", idx))
    return out


def _sample_field(idx: list[int], n_alt: int, rng: random.Random) -> str:
    dp = rng.randint(18, 60)
    counts = [0] * (n_alt + 1)
    for i in idx:
        counts[i] += dp // 2
    counts[idx[0]] += dp - sum(counts)
    gq = rng.randint(30, 99)
    return f"{idx[0]}/{idx[1]}:{','.join(map(str, counts))}:{dp}:{gq}"


def _extra_records(rng: random.Random, taken: set[tuple[str, int]]) -> list[str]:
    """Random non-PGx variants (synthetic: REF bases are random, not read from GRCh38)."""
    lines = []
    chroms = [c for c in GRCH38_LENGTHS if c not in ("chrY", "chrM")]
    for i in range(12):
        chrom = rng.choice(chroms)
        pos = rng.randint(1_000_000, GRCH38_LENGTHS[chrom] - 1_000_000)
        if (chrom, pos) in taken:
            continue
        ref = rng.choice("ACGT")
        alt = rng.choice([b for b in "ACGT" if b != ref])
        gt = rng.choice(["0/1", "0/1", "1/1"])
        dp = rng.randint(15, 70)
        qual = rng.randint(40, 900)
        filt = "PASS" if rng.random() > 0.15 else "LowQual"
        ad = f"{dp // 2},{dp - dp // 2}" if gt == "0/1" else f"0,{dp}"
        lines.append((chrom, pos, f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t{qual}\t{filt}\tDEMO\tGT:AD:DP:GQ\t"
                                  f"{gt}:{ad}:{dp}:{rng.randint(20, 99)}"))
    chrom = rng.choice(chroms)
    base = rng.randint(2_000_000, 40_000_000)
    lines.append((chrom, base, f"{chrom}\t{base}\t.\tA\tG,T\t312\tPASS\tDEMO\tGT:AD:DP:GQ\t1/2:1,14,17:32:88"))
    lines.append((chrom, base + 40, f"{chrom}\t{base + 40}\t.\tC\tT\t250\tPASS\tDEMO\tGT:AD:DP:GQ:PS\t"
                                    f"0|1:12,15:27:70:{base + 40}"))
    lines.append((chrom, base + 95, f"{chrom}\t{base + 95}\t.\tG\tA\t180\tPASS\tDEMO\tGT:AD:DP:GQ:PS\t"
                                    f"1|0:10,11:21:64:{base + 40}"))
    lines.append((chrom, base + 300, f"{chrom}\t{base + 300}\t.\tT\tC\t.\tLowQual\tDEMO\tGT:DP\t./.:2"))
    lines.append((chrom, base + 1000, f"{chrom}\t{base + 1000}\t.\tA\t<NON_REF>\t.\t.\tEND={base + 1999};DEMO\t"
                                      f"GT:DP:GQ:MIN_DP\t0/0:30:90:22"))
    return lines


def _prs_records(rng: random.Random, taken: set[tuple[str, int]]) -> list[tuple]:
    """Genotypes at the PGS000001 scoring positions (from the shipped model card), so the demo can show a
    polygenic score. Synthetic: REF is written as the score's other allele (not read from GRCh38) and the
    effect-allele frequency 0.3 is illustrative, not a population frequency."""
    import json

    from workstation.paths import models_dir

    card_path = models_dir() / "prs_pgs000001_breast_cancer.json"
    if not card_path.exists():
        return []
    lines = []
    for v in json.loads(card_path.read_text("utf-8")).get("variants", []):
        chrom, pos = v["chrom"], int(v["pos"])
        if (chrom, pos) in taken:
            continue
        dosage = sum(rng.random() < 0.3 for _ in range(2))
        gt = ("0/0", "0/1", "1/1")[dosage]
        dp = rng.randint(20, 60)
        ad = {0: f"{dp},0", 1: f"{dp // 2},{dp - dp // 2}", 2: f"0,{dp}"}[dosage]
        lines.append((chrom, pos, f"{chrom}\t{pos}\t{v['rsid']}\t{v['other_allele']}\t{v['effect_allele']}\t"
                                  f"{rng.randint(60, 900)}\tPASS\tDEMO\tGT:AD:DP:GQ\t{gt}:{ad}:{dp}:{rng.randint(40, 99)}"))
    return lines


def write_demo_vcf(path: Path | str, *, patient_seed: int, sample: str,
                   positions_table: Path | str | None = None) -> Path:
    """Write the demo genome of one synthetic patient as a gzip VCF 4.2 (GRCh38); deterministic per seed."""
    path = Path(path)
    rng = random.Random(patient_seed)
    defs = load_definitions(positions_table)
    chosen = _choose_alleles(defs, rng)
    pgx = _pgx_records(defs, chosen)
    rows = []
    for chrom, pos, vid, ref, alt, info, idx in pgx:
        n_alt = 0 if alt == "." else alt.count(",") + 1
        rows.append((chrom, pos, f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\tPASS\t{info}\tGT:AD:DP:GQ\t"
                                 f"{_sample_field(idx, n_alt, rng)}"))
    rows += _extra_records(rng, {(c, p) for c, p, *_ in pgx})
    rows += _prs_records(rng, {(r[0], r[1]) for r in rows})
    order = {c: i for i, c in enumerate(GRCH38_LENGTHS)}
    rows.sort(key=lambda r: (order.get(r[0], 99), r[1]))
    header = ["##fileformat=VCFv4.2", "##source=workstation demo (synthetic patient, not a real person)",
              "##reference=GRCh38",
              "##demo_alleles=" + ";".join(f"{g}:{a}/{b}" for g, (a, b) in sorted(chosen.items())),
              "##demo_note=illustrative allele choice weights, not population frequencies; random non-PGx "
              "variants have random REF bases",
              *[f"##contig=<ID={c},length={n},assembly=GRCh38>" for c, n in GRCH38_LENGTHS.items()],
              '##INFO=<ID=GENE,Number=1,Type=String,Description="Pharmacogene">',
              '##INFO=<ID=END,Number=1,Type=Integer,Description="End of a reference block">',
              '##INFO=<ID=DEMO,Number=0,Type=Flag,Description="Synthetic demo variant">',
              '##FILTER=<ID=PASS,Description="All filters passed">',
              '##FILTER=<ID=LowQual,Description="Low quality">',
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
              '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
              '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
              '##FORMAT=<ID=PS,Number=1,Type=Integer,Description="Phase set">',
              '##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum depth in a reference block">',
              "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", sample])]
    text = "\n".join(header + [r[2] for r in rows]) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the bytes identical for the same seed (so re-imports are recognised as the same file)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return path
