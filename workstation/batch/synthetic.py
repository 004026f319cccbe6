"""Synthetic cohorts for the batch tests and benchmark: a joint N-sample VCF of the pharmacogene (and polygenic
score) positions, or N single-sample VCFs with a manifest. Deterministic (``random.Random(seed)``).

Everything is synthetic; no real person's genotypes are described. For each gene, each sample carries two named
alleles of the project's allele table (``resources/pgx/alleles.tsv``), written as the genotypes their definitions
imply (unphased). Allele weights are ILLUSTRATIVE, NOT POPULATION FREQUENCIES (no frequency table is in
../shared/reference): the reference allele gets ``REFERENCE_WEIGHT``, every other allele an equal share. Score
positions get a dosage drawn uniformly from 0, 1, 2 (REF = the score's other allele, ALT = its effect allele).
"""
from __future__ import annotations

import random
from pathlib import Path

from workstation.demo.vcf_writer import GRCH38_LENGTHS
from workstation.pgx.tables import gene_definitions

REFERENCE_WEIGHT = 0.6          # illustrative, not a frequency


def _sites() -> list[dict]:
    """Every record: chrom, pos, ref, alts, and per gene the loci (for allele choice)."""
    from workstation.batch.sample import prs_model_ids
    from workstation.models.registry import get_registry

    sites: dict[tuple[str, int], dict] = {}
    for gdef in gene_definitions().values():
        for lc in gdef.loci:
            s = sites.setdefault((gdef.chrom, lc.pos), {"chrom": gdef.chrom, "pos": lc.pos, "ref": lc.ref,
                                                        "alts": set(), "gene": gdef.gene})
            s["alts"] |= {a for a in lc.alts if a != lc.ref}
    reg = get_registry()
    for mid in prs_model_ids():
        for r in reg.card(mid)["variants"]:
            key = (r["chrom"], int(r["pos"]))
            if key not in sites:
                sites[key] = {"chrom": r["chrom"], "pos": int(r["pos"]), "ref": r["other_allele"],
                              "alts": {r["effect_allele"]}, "gene": None}
    order = {c: i for i, c in enumerate(GRCH38_LENGTHS)}
    out = sorted(sites.values(), key=lambda s: (order.get(s["chrom"], 99), s["pos"]))
    for s in out:
        s["alts"] = sorted(s["alts"]) or ["."]
    return out


def _genotypes(sites: list[dict], rng: random.Random) -> list[str]:
    """One sample's GT per site."""
    pick: dict[str, tuple] = {}
    for g, gdef in gene_definitions().items():
        ref = gdef.reference
        others = [a for a in gdef.alleles if not a.is_reference]

        def one():
            return ref if not others or rng.random() < REFERENCE_WEIGHT else rng.choice(others)

        pick[g] = (one(), one())
    gts = []
    for s in sites:
        if s["gene"] is None:
            d = rng.randint(0, 2)
            gts.append(("0/0", "0/1", "1/1")[d])
            continue
        idx = []
        for allele in pick[s["gene"]]:
            allowed = allele.defs.get(s["pos"])
            base = sorted(allowed)[0] if allowed else s["ref"]
            idx.append(0 if base == s["ref"] or base not in s["alts"] else 1 + s["alts"].index(base))
        gts.append(f"{idx[0]}/{idx[1]}")
    return gts


def _header(samples: list[str]) -> str:
    lines = ["##fileformat=VCFv4.2", "##source=workstation synthetic batch cohort (not real genotypes)",
             "##reference=GRCh38"]
    lines += [f"##contig=<ID={c},length={n},assembly=GRCh38>" for c, n in GRCH38_LENGTHS.items()]
    lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples)]
    return "\n".join(lines) + "\n"


def write_joint(path: str | Path, n: int, *, seed: int = 16, prefix: str = "S") -> list[str]:
    """An ``n``-sample joint VCF; returns the sample ids."""
    sites = _sites()
    samples = [f"{prefix}{i:06d}" for i in range(n)]
    per = [_genotypes(sites, random.Random(seed * 1_000_003 + i)) for i in range(n)]
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(_header(samples))
        for k, s in enumerate(sites):
            fh.write(f"{s['chrom']}\t{s['pos']}\t.\t{s['ref']}\t{','.join(s['alts'])}\t.\tPASS\t.\tGT\t"
                     + "\t".join(p[k] for p in per) + "\n")
    return samples


def write_singles(folder: str | Path, n: int, *, seed: int = 16, prefix: str = "S") -> Path:
    """``n`` single-sample VCFs (the same genotypes write_joint gives) and ``manifest.csv``; returns the manifest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sites = _sites()
    rows = ["sample_id,vcf,sex"]
    for i in range(n):
        sid = f"{prefix}{i:06d}"
        gts = _genotypes(sites, random.Random(seed * 1_000_003 + i))
        with open(folder / f"{sid}.vcf", "w", encoding="utf-8", newline="\n") as fh:
            fh.write(_header([sid]))
            for s, gt in zip(sites, gts):
                fh.write(f"{s['chrom']}\t{s['pos']}\t.\t{s['ref']}\t{','.join(s['alts'])}\t.\tPASS\t.\tGT\t{gt}\n")
        rows.append(f"{sid},{sid}.vcf,")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "manifest.csv"
