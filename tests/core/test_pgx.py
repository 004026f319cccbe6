"""Pharmacogenomics: resource tables, PharmCAT-semantics matcher, phenotypes, guidance, CLI.

Acceptance data in ../shared/data/pharmcat (PharmCAT v3.1 outputs) and ../shared/data/vcf_na12878; tests that need
them skip with a reason when ../shared is absent.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workstation import pgx
from workstation.errors import UnsupportedBuild
from workstation.pgx.tables import gene_definitions
from workstation.pgx.vcf_source import read_pgx_genotypes

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
PHARMCAT = SHARED / "data" / "pharmcat"
FACTS = SHARED / "reference" / "pgx" / "allele_facts.tsv"
IN_SCOPE = ["CYP2C19", "CYP2C9", "VKORC1", "TPMT", "NUDT15", "SLCO1B1", "DPYD", "CYP3A5", "UGT1A1"]


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared data absent)")
    return path


def all_ref_frame(genes=IN_SCOPE, ref_gt: str = "0/0", **changes) -> pd.DataFrame:
    """Every defining position called 0/0 (the gVCF-style input PharmCAT expects); ``changes`` by rsid."""
    rows = []
    for g in genes:
        gd = gene_definitions()[g]
        for lc in gd.loci:
            ch = changes.get(lc.rsid, (lc.ref, ".", ref_gt))
            if ch is None:
                continue  # absent from the file
            ref, alt, gt = ch
            rows.append(dict(chrom=gd.chrom, pos=lc.pos, ref=ref, alt=alt, gt=gt, phased="|" in gt, ps=None))
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------- resource tables
def test_every_resource_row_cites_a_source():
    for name in ("alleles.tsv", "phenotypes.tsv", "drugs.tsv", "recommendations.tsv", "outside_alleles.tsv",
                 "algorithm_dosing.tsv"):
        with open(ROOT / "resources" / "pgx" / name, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        assert rows, name
        assert all(r["source"].strip() for r in rows), f"{name} has a row without a source"


def test_allele_table_is_pharmcats_full_vectors():
    """Every named allele keeps PharmCAT's full vector: a row for each non-null base (CYP2C19 *1 at all 35
    positions, not only rs3758581), and nothing else."""
    data = SHARED / "reference" / "pgx" / "pharmcat_data" / "alleles"
    ours = list(csv.DictReader(open(ROOT / "resources/pgx/alleles.tsv", encoding="utf-8"), delimiter="\t"))
    got = {(r["gene"], r["allele"], int(r["pos"])): r["alt"] for r in ours}
    want = {}
    for gene in sorted({r["gene"] for r in ours}):
        t = json.loads(need(data / f"{gene}_translation.json").read_text(encoding="utf-8"))
        for na in t["namedAlleles"]:
            if na["name"] == "Mediterranean Haplotype":      # exemptions.json ignoredAlleles
                continue
            for v, base in zip(t["variants"], na["alleles"]):
                if base is not None:
                    want[(gene, na["name"], v["position"])] = base
    assert got == want
    assert len([k for k in got if k[:2] == ("CYP2C19", "*1")]) == 35


def test_recommendations_strength_never_invented():
    rows = list(csv.DictReader(open(ROOT / "resources/pgx/recommendations.tsv", encoding="utf-8"), delimiter="\t"))
    for r in rows:
        assert r["strength"] == "not stated in source" or "PharmCAT" in r["source"]
        assert r["source_text"]


# ---------------------------------------------------------------------------------------------- acceptance
def report_tsv(path: Path) -> dict[str, dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return {r["Gene"]: r for r in csv.DictReader(lines, delimiter="\t")}


@pytest.mark.parametrize("base", ["pharmcat.example", "pharmcat.example2"])
def test_full_panel_matches_pharmcat_report(base):
    expected = report_tsv(need(PHARMCAT / f"{base}.report.tsv"))
    g = read_pgx_genotypes(PHARMCAT / f"{base}.vcf")
    result = pgx.call_genotypes(g.variants, g.ref_blocks)
    for gene in IN_SCOPE:
        exp, got = expected[gene], result.genes[gene]
        assert " OR ".join(got.diplotypes) == exp["Source Diplotype"], gene
        assert got.phenotype == exp["Phenotype"], gene
        assert got.missing_positions == () and exp["Missing positions"] == "no"
        if exp["Activity Score"]:
            assert got.activity_score == float(exp["Activity Score"]), gene
        if gene != "DPYD":
            assert got.score == int(exp["Match Score"]), gene


def test_example2_match_json_agrees():
    d = json.loads(need(PHARMCAT / "pharmcat.example2.match.json").read_text(encoding="utf-8"))
    g = read_pgx_genotypes(PHARMCAT / "pharmcat.example2.vcf")
    result = pgx.call_genotypes(g.variants)
    for r in d["results"]:
        if r["gene"] in IN_SCOPE and r["gene"] != "DPYD":
            assert list(result.genes[r["gene"]].diplotypes) == [x["name"] for x in r["diplotypes"]]


# How each expectation below was derived (allele_facts.tsv + PharmCAT scoring: score = defining positions present,
# reference allele defines all; only top-scoring diplotypes are reported; missing positions are dropped, not ref).
STATIC = {
    # rs12248560 T/T; rs28399504 (*4) and rs3758581 (*1,*4,*17 need G) absent -> *1 loses every position and is
    # dropped; *4 (Y at rs12248560, wobble scored because the strand carries T) and *17 each score 1 -> three
    # tied diplotypes, all score 2; *38 cannot match T.
    "static_cyp2c19_s4bs17_rs28399504missing.vcf": ("CYP2C19", ["*4/*4", "*4/*17", "*17/*17"], 4),
    # rs41303343 T/TA het, rest 0/0 -> *1 (5 positions) + *7 (1) = 6.
    "static_cyp3a5_s1s7.vcf": ("CYP3A5", ["*1/*7"], 0),
    # phased: rs28383479 0|1 and rs776746 1|0 -> strand 1 carries rs776746 C (*3), strand 2 rs28383479 T (*9).
    "static_cyp3a5_s3s9_phased.vcf": ("CYP3A5", ["*3/*9"], 0),
    # unphased rs1800460 het + rs1142345 het: *1/*3A scores (positions present) + 2, *3B/*3C only 1 + 1 -> *1/*3A
    # (PharmCAT's known *1/*3A vs *3B/*3C ambiguity); 13 TPMT positions are absent from this file.
    "static_tpmt_s1s3A_or_s3Bs3C.vcf": ("TPMT", ["*1/*3A"], 13),
    # rs1800460 hom + rs1142345 het: one strand T+C (*3A), other T+T (*3B).
    "static_tpmt_s3As3B.vcf": ("TPMT", ["*3A/*3B"], 13),
    # rs887829 het + TA8 het unphased: *1 (4) + *80+*28 (2) = 6 beats *28/*80 (1 + 1).
    "static_ugt1a1_s1_s80s28_unphased.vcf": ("UGT1A1", ["*1/*80+*28"], 0),
    # GT 1/3 of ALT CATAT,C,CATATAT -> TA8/TA9 = *28/*37.
    "static_ugt1a1_s28s37_multiallelic.vcf": ("UGT1A1", ["*28/*37"], 0),
    "static_vkorc1_AA.vcf": ("VKORC1", ["rs9923231 variant (T)/rs9923231 variant (T)"], 0),
    "static_vkorc1_GA.vcf": ("VKORC1", ["rs9923231 reference (C)/rs9923231 variant (T)"], 0),
}


@pytest.mark.parametrize("name", sorted(STATIC))
def test_messy_single_gene_vcfs(name):
    gene, diplos, n_missing = STATIC[name]
    g = read_pgx_genotypes(need(PHARMCAT / "tests" / name))
    call = pgx.call_genotypes(g.variants, g.ref_blocks).genes[gene]
    assert list(call.diplotypes) == diplos
    assert len(call.missing_positions) == n_missing
    assert call.tie == (len(diplos) > 1)


def test_na12878_calls_without_error():
    for f in ("NA12878.2c19_filtered.vcf", "NA12878.genome_filtered.vcf"):
        g = read_pgx_genotypes(need(SHARED / "data" / "vcf_na12878" / f))
        result = pgx.call_genotypes(g.variants, g.ref_blocks)
        assert set(IN_SCOPE) <= set(result.genes)
        # a variant-only file: absent positions stay missing, they are not reference
        assert result.genes["TPMT"].diplotypes == ()


# ---------------------------------------------------------------------------------------------- gene traps
def test_cyp2c19_grch38_reference_is_star38():
    c = pgx.call_genotypes(all_ref_frame(["CYP2C19"])).genes["CYP2C19"]
    assert c.diplotypes == ("*38/*38",) and c.phenotype == "Normal Metabolizer"
    c = pgx.call_genotypes(all_ref_frame(["CYP2C19"], rs3758581=("A", "G", "1/1"))).genes["CYP2C19"]
    assert c.diplotypes == ("*1/*1",)


def test_missing_position_is_not_reference():
    c = pgx.call_genotypes(all_ref_frame(["CYP2C19"], rs4244285=None)).genes["CYP2C19"]
    assert "rs4244285" in c.missing_positions and c.incomplete
    assert c.score == 68      # 34 positions present on each strand, not 35
    assert pgx.call_genotypes(all_ref_frame(["TPMT"], rs1142345=("T", "C", "./."))).genes["TPMT"].incomplete


def test_unknown_alt_not_called_except_where_pharmcat_resets():
    c = pgx.call_genotypes(all_ref_frame(["CYP2C19"], rs4244285=("G", "C", "0/1"))).genes["CYP2C19"]
    assert c.diplotypes == () and "not called" in c.messages[0]
    t = pgx.call_genotypes(all_ref_frame(["TPMT"], rs1142345=("T", "A", "0/1"))).genes["TPMT"]
    assert t.diplotypes == ("*1/*1",) and any("treated as reference" in m for m in t.messages)


@pytest.mark.parametrize("ref,alt,gt", [("CAT", "CATAT", "0/1"), ("C", "CAT", "0/1"), ("CATAT", "CAT,CATATAT", "0/2"),
                                        ("CAT", "C,CATAT", "0/2")])
def test_ugt1a1_repeat_representations(ref, alt, gt):
    c = pgx.call_genotypes(all_ref_frame(["UGT1A1"], rs3064744=(ref, alt, gt))).genes["UGT1A1"]
    assert c.diplotypes == ("*1/*28",) and c.phenotype == "Intermediate Metabolizer"


def test_nudt15_duplication_and_cyp3a5_insertion():
    gd = gene_definitions()["NUDT15"]
    dup = next(lc for lc in gd.loci if lc.rsid == "rs746071566")
    for ref, alt in (("AGGAGTC", "AGGAGTCGGAGTC"), ("A", "AGGAGTC")):
        f = all_ref_frame(["NUDT15"], rs746071566=(ref, alt, "0/1"), rs116855232=("C", "T", "0/1"))
        c = pgx.call_genotypes(f).genes["NUDT15"]
        assert c.diplotypes == ("*1/*2",), (ref, alt)   # *1 + *2 (2 positions) beats *3/*6 (1 + 1)
    assert dup.ref == "AGGAGTC"
    c = pgx.call_genotypes(all_ref_frame(["CYP3A5"], rs41303343=("T", "TA", "1/1"))).genes["CYP3A5"]
    assert c.diplotypes == ("*7/*7",) and c.phenotype == "Poor Metabolizer"


def test_phased_versus_unphased():
    cis = all_ref_frame(["TPMT"], rs1800460=("C", "T", "0|1"), rs1142345=("T", "C", "0|1"))
    trans = all_ref_frame(["TPMT"], rs1800460=("C", "T", "0|1"), rs1142345=("T", "C", "1|0"))
    assert pgx.call_genotypes(cis).genes["TPMT"].diplotypes == ("*1/*3A",)
    assert pgx.call_genotypes(trans).genes["TPMT"].diplotypes == ("*3B/*3C",)
    assert pgx.call_genotypes(trans).genes["TPMT"].phenotype == "Poor Metabolizer"


def test_gvcf_reference_blocks_count_as_calls():
    gd = gene_definitions()["VKORC1"]
    empty = pd.DataFrame(columns=["chrom", "pos", "ref", "alt", "gt", "phased", "ps"])
    assert pgx.call_genotypes(empty).genes["VKORC1"].diplotypes == ()
    blocks = pd.DataFrame([dict(chrom=gd.chrom, start_pos=gd.loci[0].pos - 10, end_pos=gd.loci[0].pos + 10)])
    c = pgx.call_genotypes(empty, blocks).genes["VKORC1"]
    assert c.diplotypes == ("rs9923231 reference (C)/rs9923231 reference (C)",) and c.phenotype == "-1639 GG"


def test_cyp2c9_activity_score():
    c = pgx.call_genotypes(all_ref_frame(["CYP2C9"], rs1799853=("C", "T", "0/1"), rs1057910=("A", "C", "0/1")))
    c = c.genes["CYP2C9"]
    assert c.diplotypes == ("*2/*3",) and c.activity_score == 0.5 and c.phenotype == "Poor Metabolizer"


def test_dpyd_two_lowest_function_variants():
    f = all_ref_frame(["DPYD"], rs67376798=("T", "A", "0/1"), rs3918290=("C", "T", "0/1"),
                      rs2297595=("T", "C", "0/1"))
    c = pgx.call_genotypes(f).genes["DPYD"]
    assert c.lookup_diplotype == "c.1905+1G>A (*2A)/c.2846A>T"
    assert c.activity_score == 0.5 and c.phenotype == "Poor Metabolizer"
    assert " AND " in c.source_diplotype and len(c.variants) == 3
    # phased only when every position is phased (reference calls too, PharmCAT #219)
    ph = all_ref_frame(["DPYD"], ref_gt="0|0", rs67376798=("T", "A", "0|1"), rs2297595=("T", "C", "0|1"))
    c = pgx.call_genotypes(ph).genes["DPYD"]
    assert c.diplotypes == ("Reference/[c.496A>G + c.2846A>T]",) and c.activity_score == 1.5
    half = all_ref_frame(["DPYD"], rs67376798=("T", "A", "0|1"), rs2297595=("T", "C", "0|1"))
    assert pgx.call_genotypes(half).genes["DPYD"].lookup_diplotype == "c.496A>G/c.2846A>T"
    # intronic rs75017182 alone (exonic rs56038477 0/0): PharmCAT's 2025 definitions name it c.1129-5923C>G
    hap = pgx.call_genotypes(all_ref_frame(["DPYD"], rs75017182=("G", "C", "0/1"))).genes["DPYD"]
    assert hap.diplotypes == ("Reference/c.1129-5923C>G",) and hap.activity_score == 1.5
    both = all_ref_frame(["DPYD"], rs75017182=("G", "C", "0/1"), rs56038477=("C", "T", "0/1"))
    assert pgx.call_genotypes(both).genes["DPYD"].diplotypes == ("Reference/c.1129-5923C>G, c.1236G>A (HapB3)",)
    exon_only = all_ref_frame(["DPYD"], rs56038477=("C", "T", "0/1"))
    assert any("disagree" in m for m in pgx.call_genotypes(exon_only).genes["DPYD"].messages)


def test_outside_calls_and_guidance():
    path = need(PHARMCAT / "pharmcat.example.outsideCall.tsv")
    outs = pgx.read_outside_calls(path)
    cyp2d6 = next(c for c in outs if c.gene == "CYP2D6")
    assert cyp2d6.source == "outside call" and cyp2d6.activity_score == 1.0
    assert cyp2d6.phenotype == "Intermediate Metabolizer"
    frame = all_ref_frame(rs12769205=("A", "G", "1/1"), rs4244285=("G", "A", "1/1"),
                          rs3758581=("A", "G", "1/1"))
    result = pgx.call_genotypes(frame, outside_calls=outs)
    meds = pd.DataFrame([dict(rxnorm="32968", display="clopidogrel 75 mg", status="active"),
                         dict(rxnorm=None, display="Simvastatin 20 MG Oral Tablet", status="active"),
                         dict(rxnorm="7646", display="omeprazole", status="stopped")])
    alerts, recs = pgx.guidance(result, meds)
    assert [a.drug for a in alerts] == ["clopidogrel", "simvastatin"]
    clop = alerts[0]
    assert clop.severity == "high" and clop.recommendation.action == "avoid / use alternative"
    assert "Strong" in clop.recommendation.strength
    assert clop.basis["genes"]["CYP2C19"]["diplotypes"] == ["*2/*2"]
    assert json.dumps(clop.to_json())
    assert any(r.drug == "codeine" for r in recs)   # from the CYP2D6 outside call


def test_tie_is_said_in_the_alert():
    f = all_ref_frame(["CYP2C19"], rs12248560=("C", "T", "1/1"), rs28399504=None, rs3758581=None)
    result = pgx.call_genotypes(f)
    alerts, _ = pgx.guidance(result, pd.DataFrame([dict(rxnorm="32968", display="clopidogrel", status="active")]))
    assert "ambiguous" in alerts[0].headline


# ---------------------------------------------------------------------------------------------- CLI
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from workstation.cli import main; main(sys.argv[1:])",
                           *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_json_from_vcf():
    p = cli("pgx", "--vcf", str(need(PHARMCAT / "pharmcat.example2.vcf")), "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["genes"]["CYP2C19"]["diplotypes"] == ["*2/*2"]
    assert d["genes"]["CYP2C19"]["phenotype"] == "Poor Metabolizer"
    assert d["genes"]["CYP2D6"]["diplotypes"] == [] and isinstance(d["recommendations"], list)


def test_cli_refuses_grch37(tmp_path):
    src = need(PHARMCAT / "tests" / "static_vkorc1_GA.vcf").read_text().replace("##reference=hg38",
                                                                                   "##reference=hg19")
    f = tmp_path / "b37.vcf"
    f.write_text(src)
    g = read_pgx_genotypes(f)
    assert g.table.refusal and "GRCh37" in g.table.refusal and g.variants.empty
    p = cli("pgx", "--vcf", str(f))
    assert p.returncode != 0 and "GRCh37" in p.stderr and "Traceback" not in p.stderr
