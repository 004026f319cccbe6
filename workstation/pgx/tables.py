"""The project's PGx resource tables (resources/pgx/*.tsv), loaded once and cached.

Every table row cites its source in a ``source`` column; see resources/pgx/README.md.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from workstation.paths import resources_dir

IUPAC = {"A": "A", "C": "C", "G": "G", "T": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
         "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT"}

# Genes whose unknown ALT at a defining position is reset to reference (PharmCAT docs, NOTES.md s1.1 step 2);
# the others in scope become "not called".
RESET_UNDOCUMENTED = frozenset({"DPYD", "NUDT15", "TPMT", "CACNA1S", "G6PD", "RYR1"})
ACTIVITY_GENES = frozenset({"CYP2C9", "DPYD"})       # CPIC lookup by activity score (NOTES.md s1.1 step 4)
OUTSIDE_ONLY = ("CYP2D6", "HLA-A", "HLA-B", "MT-RNR1")  # not called from a VCF here (NOTES.md s1.2, s1.5)


@dataclass(frozen=True)
class Locus:
    pos: int
    rsid: str
    ref: str
    alts: frozenset[str]          # every ALT string the definitions use here (IUPAC codes expanded)

    @property
    def label(self) -> str:
        return self.rsid or f"g.{self.pos}"


@dataclass(frozen=True)
class NamedAllele:
    name: str                      # as reported (sub-alleles such as SLCO1B1 *45.001 reported as *45)
    definition_name: str
    is_reference: bool
    defs: dict[int, frozenset[str]]   # position -> allowed bases/strings (only the defining positions)
    wobble: frozenset[int]         # defining positions given by an IUPAC code that includes the reference base
    function: str
    activity: float | None


@dataclass(frozen=True)
class GeneDef:
    gene: str
    chrom: str
    loci: tuple[Locus, ...]
    alleles: tuple[NamedAllele, ...]

    @property
    def reference(self) -> NamedAllele:
        return next(a for a in self.alleles if a.is_reference)


def _table(name: str) -> list[dict[str, str]]:
    path = Path(resources_dir()) / "pgx" / name
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _float(v: str) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def gene_definitions() -> dict[str, GeneDef]:
    rows = _table("alleles.tsv")
    by_gene: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_gene.setdefault(r["gene"], []).append(r)
    out: dict[str, GeneDef] = {}
    for gene, grows in by_gene.items():
        loci: dict[int, dict] = {}
        for r in grows:
            if not r["pos"]:
                continue
            p = int(r["pos"])
            d = loci.setdefault(p, {"rsid": r["rsid"], "ref": r["ref"], "alts": set()})
            d["alts"].update(_expand(r["alt"], r["ref"]) - {r["ref"]})
        locus_list = tuple(Locus(p, d["rsid"], d["ref"], frozenset(d["alts"])) for p, d in sorted(loci.items()))
        ref_by_pos = {lc.pos: lc.ref for lc in locus_list}
        named: dict[str, dict] = {}
        for r in grows:
            a = named.setdefault(r["allele"], {"report_as": r["report_as"], "is_ref": r["is_reference"] == "yes",
                                               "defs": {}, "wobble": set(), "function": r["function"],
                                               "activity": _float(r["activity_value"])})
            if r["pos"]:
                p = int(r["pos"])
                a["defs"][p] = frozenset(_expand(r["alt"], r["ref"]))
                if len(r["alt"]) == 1 and r["alt"] not in "ACGT" and ref_by_pos[p] in a["defs"][p]:
                    a["wobble"].add(p)
        alleles = []
        for name, a in named.items():
            defs = a["defs"]
            if a["is_ref"]:
                defs = {p: frozenset({ref}) for p, ref in ref_by_pos.items()}
            alleles.append(NamedAllele(a["report_as"], name, a["is_ref"], defs, frozenset(a["wobble"]),
                                       a["function"], a["activity"]))
        chrom = next(r["chrom"] for r in grows if r["chrom"])
        out[gene] = GeneDef(gene, chrom, locus_list, tuple(alleles))
    return out


def _expand(alt: str, ref: str) -> set[str]:
    if len(alt) == 1 and alt in IUPAC:
        return set(IUPAC[alt])
    return {alt}


@lru_cache(maxsize=1)
def diplotype_phenotypes() -> dict[tuple[str, str, str], tuple[str, str, float | None]]:
    """(gene, allele1, allele2 sorted) -> (phenotype, CPIC lookup key, activity score), PharmCAT's lookup."""
    out = {}
    for r in _table("diplotype_phenotypes.tsv"):
        out[(r["gene"], r["allele1"], r["allele2"])] = (r["phenotype"], r["lookup_key"], _float(r["activity_score"]))
    return out


@dataclass(frozen=True)
class Exemptions:
    required_positions: frozenset[int]
    unphased_priorities: tuple[tuple[frozenset[str], str], ...]    # (tied diplotype names, the one PharmCAT picks)


@lru_cache(maxsize=1)
def gene_exemptions() -> dict[str, Exemptions]:
    """PharmCAT's per-gene exceptions (alleles/exemptions.json) that change matching (NAT2)."""
    req: dict[str, set[int]] = {}
    pri: dict[str, list] = {}
    for r in _table("gene_exemptions.tsv"):
        if r["kind"] == "required_position":
            req.setdefault(r["gene"], set()).add(int(r["value"]))
        elif r["kind"] == "unphased_priority":
            pri.setdefault(r["gene"], []).append((frozenset(r["detail"].split("|")), r["value"]))
    return {g: Exemptions(frozenset(req.get(g, ())), tuple(pri.get(g, ()))) for g in set(req) | set(pri)}


@dataclass(frozen=True)
class PhenotypeRules:
    pairs: dict[tuple[str, str, str], tuple[str, str]]          # (gene, f1, f2 sorted) -> (phenotype, source)
    bands: dict[str, tuple[tuple[float, float | None, bool, str, str], ...]]


@lru_cache(maxsize=1)
def phenotype_rules() -> PhenotypeRules:
    pairs: dict[tuple[str, str, str], tuple[str, str]] = {}
    bands: dict[str, list] = {}
    for r in _table("phenotypes.tsv"):
        if r["kind"] == "function_pair":
            a, b = sorted([r["key1"], r["key2"]])
            pairs[(r["gene"], a, b)] = (r["phenotype"], r["source"])
        else:
            hi = _float(r["key2"])
            bands.setdefault(r["gene"], []).append((float(r["key1"]), hi, r["upper_inclusive"] == "yes",
                                                    r["phenotype"], r["source"]))
    return PhenotypeRules(pairs, {g: tuple(v) for g, v in bands.items()})


@lru_cache(maxsize=1)
def drugs() -> dict[str, dict[str, str]]:
    return {r["drug"]: r for r in _table("drugs.tsv")}


@lru_cache(maxsize=1)
def drug_codes() -> dict[str, str]:
    """RxNorm SCD/SBD code -> CPIC ingredient, for codes seen with their display (resources/pgx/drug_codes.tsv)."""
    return {r["code"]: r["drug"] for r in _table("drug_codes.tsv")}


@lru_cache(maxsize=1)
def drug_names() -> tuple[dict[str, str], ...]:
    """Brand names, combination brands and abbreviations of CPIC drugs (resources/pgx/drug_names.tsv)."""
    return tuple(_table("drug_names.tsv"))


@lru_cache(maxsize=1)
def recommendations() -> tuple[dict[str, str], ...]:
    return tuple(_table("recommendations.tsv"))


@lru_cache(maxsize=1)
def algorithm_dosing() -> dict[str, dict[str, str]]:
    """Drugs whose CPIC guideline doses by a pharmacogenetic algorithm rather than a phenotype table (warfarin)."""
    return {r["drug"]: r for r in _table("algorithm_dosing.tsv")}


@lru_cache(maxsize=1)
def outside_allele_activity() -> dict[tuple[str, str], tuple[str, float | None, str]]:
    """(gene, allele) -> (function or risk, activity value, source) for outside-call genes (CYP2D6, MT-RNR1)."""
    out = {}
    for r in _table("outside_alleles.tsv"):
        out[(r["gene"], r["allele"])] = (r["function"], _float(r["activity_value"]), r["source"])
    return out


_STATUS_KEY = re.compile(r"^(\*\d+:\d+) (positive|negative)$")


@lru_cache(maxsize=1)
def hla_alleles_of_interest() -> dict[str, tuple[str, ...]]:
    """HLA gene -> the alleles CPIC's recommendations look up by status (HLA-B: *15:02, *57:01, *58:01)."""
    out: dict[str, set[str]] = {}
    for r in recommendations():
        for g, k in ((r["gene1"], r["key1"]), (r["gene2"], r["key2"])):
            m = _STATUS_KEY.match(k or "")
            if g and m:
                out.setdefault(g, set()).add(m.group(1))
    return {g: tuple(sorted(v)) for g, v in out.items()}


_NAT = re.compile(r"(\d+)")


def name_key(name: str) -> tuple:
    """Natural order of allele names (*2 < *10), like PharmCAT's haplotype name comparator."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in _NAT.split(name) if t != "")
