"""PharmCAT's own pipeline test cases (PipelineTest.java, transcribed in tests/core/data/pharmcat_pipeline_cases.tsv),
written as real VCF files the way PharmCAT's TestVcfBuilder writes them and read through `pgx --vcf`'s reader."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.core.test_pgx import SHARED, need
from workstation import pgx
from workstation.pgx.vcf_source import read_pgx_genotypes

CASES = Path(__file__).resolve().parent / "data" / "pharmcat_pipeline_cases.tsv"
ALLELES = SHARED / "reference" / "pgx" / "pharmcat_data" / "alleles"


def _cases() -> list[dict]:
    lines = [ln for ln in CASES.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def write_case_vcf(path: Path, case: dict) -> None:
    t = json.loads(need(ALLELES / f"{case['gene']}_translation.json").read_text(encoding="utf-8"))
    var = dict(v.split("=") for v in case["variations"].split(";") if v)
    missing = set(filter(None, case["missing"].split(";")))
    sep = "|" if case["phased"] == "yes" else "/"
    haploid = case["phased"] == "haploid"  # PharmCAT's TestVcfBuilder.male(): one allele on chrX
    lines = ["##fileformat=VCFv4.2", "##reference=hg38", '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">',
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS"]
    for v in t["variants"]:
        key = v.get("rsid") or f"{t['chromosome']}:{v['position']}"
        if key in missing:
            continue
        ref = v["ref"]
        alleles = var[key].split("/") if key in var else [ref] * (1 if haploid else 2)
        a1, a2 = (alleles * 2)[:2]
        to_vcf = lambda a: v["cpicToVcfAlleleMap"].get(a, a)  # noqa: E731
        a1, a2 = to_vcf(a1), to_vcf(a2)
        alts = list(dict.fromkeys(a for a in (a1, a2) if a != ref))
        seq = [ref] + alts
        lines.append(f"{t['chromosome']}\t{v['position']}\t{v.get('rsid') or '.'}\t{ref}\t{','.join(alts) or '.'}"
                     f"\t.\tPASS\t.\tGT\t{seq.index(a1) if haploid else f'{seq.index(a1)}{sep}{seq.index(a2)}'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"{c['name']}-{c['gene']}")
def test_pharmcat_pipeline_case(case, tmp_path):
    f = tmp_path / "case.vcf"
    write_case_vcf(f, case)
    g = read_pgx_genotypes(f)
    call = pgx.call_genotypes(g.variants, g.ref_blocks).genes[case["gene"]]
    got = " | ".join(call.diplotypes) if call.diplotypes else "not called"
    assert got == case["expected"], call.messages[:3]


LOWEST_FUNCTION_CASES = Path(__file__).resolve().parent / "data" / "pharmcat_lowest_function_cases.tsv"


def _lowest_function_cases() -> list[dict]:
    lines = [ln for ln in LOWEST_FUNCTION_CASES.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@pytest.mark.parametrize("case", _lowest_function_cases(), ids=lambda c: f"{c['name']}-{c['gene']}")
def test_pharmcat_lowest_function_case(case, tmp_path):
    """DPYD's and RYR1's lowest-function rules: the call as PharmCAT's report TSV writes it (strands, or the
    variants found when unphased) and the two alleles the recommendation is looked up with."""
    f = tmp_path / "case.vcf"
    write_case_vcf(f, case)
    g = read_pgx_genotypes(f)
    call = pgx.call_genotypes(g.variants, g.ref_blocks).genes[case["gene"]]
    assert (call.source_diplotype if call.called else "not called") == case["expected"], call.messages[:3]
    if case["lookup"]:
        assert sorted(call.lookup_diplotype.split("/")) == sorted(case["lookup"].split(";"))


def test_ryr1_malignant_hyperthermia_variant_found_among_others(tmp_path):
    """Four RYR1 variants, unphased: the malignant hyperthermia-associated ones (c.97A>G, c.14918C>T in PharmCAT's
    function list) give the lookup, so the patient is MH susceptible — before, RYR1 was not called at all."""
    case = {"gene": "RYR1", "phased": "no", "missing": "",
            "variations": "rs193922746=A/G;rs193922749=C/A;rs142474192=G/A;rs146876145=C/T"}
    f = tmp_path / "case.vcf"
    write_case_vcf(f, case)
    g = read_pgx_genotypes(f)
    call = pgx.call_genotypes(g.variants, g.ref_blocks).genes["RYR1"]
    assert call.phenotype == "Malignant Hyperthermia Susceptibility"
    _, recs = pgx.guidance(pgx.call_genotypes(g.variants, g.ref_blocks))
    recs = [r for r in recs if r.drug == "desflurane"]
    assert recs and all(r.level.name == "AVOID" for r in recs), [(r.level, r.summary[:60]) for r in recs]


def test_cacna1s_mh_susceptible_without_ryr1_result(tmp_path):
    """PharmCAT's Cacna1sTest (CACNA1S c.520C>T/c.3257G>A, no RYR1 data): CPIC's row for CACNA1S malignant
    hyperthermia susceptibility applies, and the recommendation says it rests on CACNA1S alone."""
    case = {"gene": "CACNA1S", "phased": "no", "missing": "", "variations": "rs1800559=C/T;rs772226819=G/A"}
    f = tmp_path / "case.vcf"
    write_case_vcf(f, case)
    g = read_pgx_genotypes(f)
    result = pgx.call_genotypes(g.variants, g.ref_blocks)
    assert not result.genes["RYR1"].called
    _, recs = pgx.guidance(result)
    des = [r for r in recs if r.drug == "desflurane"]
    assert len(des) == 1 and des[0].level.name == "AVOID"
    assert "Based only on CACNA1S: no RYR1 result was available" in des[0].summary
    assert des[0].basis["genes_without_result"] == ["RYR1"]


def test_ryr1_reference_without_cacna1s_result(tmp_path):
    """PharmCAT's Ryr1Test cacna1sMissing_ryr1Ref: one CPIC annotation, the uncertain-susceptibility row (clinical
    findings and further testing guide use), never the CACNA1S-MHS row; it says CACNA1S was not tested."""
    f = tmp_path / "case.vcf"
    write_case_vcf(f, {"gene": "RYR1", "phased": "no", "missing": "", "variations": ""})
    g = read_pgx_genotypes(f)
    _, recs = pgx.guidance(pgx.call_genotypes(g.variants, g.ref_blocks))
    des = [r for r in recs if r.drug == "desflurane"]
    assert len(des) == 1 and des[0].summary.startswith("Clinical findings, family history, further genetic testing")
    assert des[0].level.name != "STANDARD" and "no CACNA1S result was available" in des[0].summary
