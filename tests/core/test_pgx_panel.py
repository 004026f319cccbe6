"""Every gene PharmCAT calls from a VCF, with PharmCAT's semantics: full allele vectors, its phenotype map, NAT2's
required positions and unphased priorities, G6PD by sex (hemizygous X), RYR1/CACNA1S, CFTR, IFNL3, ABCG2, CYP2B6,
CYP3A4, CYP4F2 — measured on PharmCAT's own example reports and its NAT2 test sheet."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.core.test_pgx import PHARMCAT, all_ref_frame, need, report_tsv
from workstation import pgx
from workstation.levels import Level
from workstation.pgx.caller import GENE_ORDER
from workstation.pgx.tables import gene_definitions
from workstation.pgx.vcf_source import read_pgx_genotypes

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize("base", ["pharmcat.example", "pharmcat.example2"])
def test_every_vcf_gene_matches_pharmcat_report(base):
    expected = report_tsv(need(PHARMCAT / f"{base}.report.tsv"))
    g = read_pgx_genotypes(PHARMCAT / f"{base}.vcf")
    result = pgx.call_genotypes(g.variants, g.ref_blocks)
    vcf_genes = [k for k, e in expected.items() if e["Outside Call"] != "yes"]
    assert sorted(vcf_genes) == sorted(GENE_ORDER)
    for gene in vcf_genes:
        exp, got = expected[gene], result.genes[gene]
        assert " OR ".join(got.diplotypes) == exp["Source Diplotype"], gene
        assert (got.phenotype or "") == exp["Phenotype"].strip(), gene
        if exp["Activity Score"]:
            assert got.activity_score == float(exp["Activity Score"]), gene
        assert got.score == int(exp["Match Score"]), gene


def _nat2_frame(row: dict) -> pd.DataFrame:
    gd = gene_definitions()["NAT2"]
    missing = set(re.findall(r"(rs\d+)", row["Missing positions"]))
    recs = []
    for lc in gd.loci:
        if lc.rsid in missing:
            continue
        a, b = row[lc.rsid].split("/") if lc.rsid in row else (lc.ref, lc.ref)
        seq = [lc.ref] + list(dict.fromkeys(x for x in (a, b) if x != lc.ref))
        recs.append(dict(chrom=gd.chrom, pos=lc.pos, ref=lc.ref, alt=",".join(seq[1:]) or ".",
                         gt=f"{seq.index(a)}/{seq.index(b)}", phased=False, ps=None))
    return pd.DataFrame(recs)


def test_nat2_matches_pharmcats_test_sheet():
    lines = (DATA / "pharmcat_nat2_cases.tsv").read_text(encoding="utf-8").splitlines()[1:]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    bad = []
    for i, r in enumerate(rows):
        call = pgx.call_genotypes(_nat2_frame(r)).genes["NAT2"]
        got = set(call.diplotypes) or {"not called"}
        want = {r["Pick"]} if r["Pick"] else set(r["Output"].split(" or "))
        if got != want:
            bad.append((i + 2, sorted(want), sorted(got)))
    assert len(rows) == 75 and not bad, bad


def test_nat2_required_position_missing_is_not_called():
    call = pgx.call_genotypes(all_ref_frame(["NAT2"], rs1801279=None)).genes["NAT2"]
    assert call.diplotypes == () and "requires" in call.messages[0]


@pytest.mark.parametrize("gene,changes,diplo,phenotype", [
    ("CYP3A5", dict(rs776746=("T", "C", "0|1"), rs28383479=("C", "T", "1|0")), "*3/*9", "Indeterminate"),
    ("CYP2B6", dict(rs3745274=("G", "T", "1/1"), rs2279343=("A", "G", "1/1")), "*6/*6", "Poor Metabolizer"),
    ("ABCG2", dict(rs2231142=("G", "T", "1/1")), "rs2231142 variant (T)/rs2231142 variant (T)", "Poor Function"),
    ("RYR1", dict(rs193922747=("T", "C", "0/1")), "Reference/c.103T>C", "Malignant Hyperthermia Susceptibility"),
    ("CYP2C19", dict(rs12769205=("A", "G", "0/1"), rs4244285=("G", "A", "0/1"), rs3758581=("A", "G", "1/1")),
     "*1/*2", "Intermediate Metabolizer"),
])
def test_pharmcat_phenotypes(gene, changes, diplo, phenotype):
    call = pgx.call_genotypes(all_ref_frame([gene], ref_gt="0|0" if "|" in str(changes) else "0/0",
                                            **changes)).genes[gene]
    assert call.diplotypes == (diplo,) and call.phenotype == phenotype and not call.tie


def test_slco1b1_star45_is_decreased_function():
    gd = gene_definitions()["SLCO1B1"]
    s45 = next(a for a in gd.alleles if a.definition_name == "*45.001")
    changes = {lc.rsid: (lc.ref, next(iter(s45.defs[lc.pos] - {lc.ref})), "0/1") for lc in gd.loci
               if lc.pos in s45.defs and s45.defs[lc.pos] != frozenset({lc.ref})}
    call = pgx.call_genotypes(all_ref_frame(["SLCO1B1"], **changes)).genes["SLCO1B1"]
    assert call.diplotypes == ("*1/*45",) and call.phenotype == "Decreased Function"


def test_cyp3a5_star3_star9_static_file_is_indeterminate():
    g = read_pgx_genotypes(need(PHARMCAT / "tests" / "static_cyp3a5_s3s9_phased.vcf"))
    call = pgx.call_genotypes(g.variants, g.ref_blocks).genes["CYP3A5"]
    assert call.diplotypes == ("*3/*9",) and call.phenotype == "Indeterminate"


def _g6pd(gt_202: str, gt_376: str) -> pd.DataFrame:
    f = all_ref_frame(["G6PD"], ref_gt="0" if "/" not in gt_202 else "0/0",
                      rs1050828=("C", "T", gt_202), rs1050829=("T", "C", gt_376))
    return f


def test_g6pd_by_sex():
    male = pgx.call_genotypes(_g6pd("1", "1")).genes["G6PD"]
    assert male.diplotypes == ("A- 202A_376G",) and male.phenotype == "Deficient"
    female_het = pgx.call_genotypes(_g6pd("0/1", "0/1")).genes["G6PD"]
    assert female_het.diplotypes == ("A- 202A_376G/B (reference)",) and female_het.phenotype == "Variable"
    female_hom = pgx.call_genotypes(_g6pd("1/1", "1/1")).genes["G6PD"]
    assert female_hom.phenotype == "Deficient"
    ref_male = pgx.call_genotypes(_g6pd("0", "0")).genes["G6PD"]
    assert ref_male.diplotypes == ("B (reference)",) and ref_male.phenotype == "Normal"


def test_new_gene_guidance():
    f = all_ref_frame(["RYR1", "CACNA1S", "CYP2B6", "ABCG2", "SLCO1B1", "IFNL3", "CFTR"],
                      rs193922747=("T", "C", "0/1"), rs3745274=("G", "T", "1/1"), rs2279343=("A", "G", "1/1"),
                      rs2231142=("G", "T", "1/1"), rs12979860=("C", "T", "0/1"))
    _, recs = pgx.guidance(pgx.call_genotypes(f))
    by = {r.drug: r for r in recs}
    assert by["desflurane"].level is Level.AVOID and by["succinylcholine"].level is Level.AVOID
    assert by["efavirenz"].level is Level.ADJUST and "200 mg/day" in by["efavirenz"].summary
    assert by["rosuvastatin"].basis["lookup"] == {"ABCG2": "Poor Function", "SLCO1B1": "Normal Function"}
    assert by["rosuvastatin"].level is Level.ADJUST
    assert by["peginterferon alfa-2a"].basis["lookup"]["IFNL3"] == "Unfavorable Response"
    assert by["ivacaftor"].basis["lookup"] == {"CFTR": "ivacaftor non-responsive in CF patients"}


def test_g6pd_guidance_by_sex():
    meds = pd.DataFrame([dict(display="Elitek (rasburicase) 1.5 MG Injection", rxnorm=None, status="active",
                              code=None)])
    male = pgx.guidance(pgx.call_genotypes(_g6pd("1", "1")), meds)[0][0]
    assert male.drug == "rasburicase" and male.level is Level.AVOID and male.recommendation.summary == "Avoid use"
    female = pgx.guidance(pgx.call_genotypes(_g6pd("0/1", "0/1")), meds)[0][0]
    assert female.level is Level.ADJUST and "enzyme activity must be measured" in female.recommendation.summary
