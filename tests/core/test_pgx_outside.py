"""Outside calls CPIC looks up by allele status (HLA-A, HLA-B), activity score with copy number (CYP2D6) and
variant (MT-RNR1): the safety-critical guidance the VCF alone cannot give (CPIC text as CPIC wrote it)."""
from __future__ import annotations

import pandas as pd
import pytest

from tests.core.test_pgx import PHARMCAT, all_ref_frame, need
from workstation import pgx
from workstation.errors import MalformedFile
from workstation.levels import Level
from workstation.pgx.outside import OutsideCallError, cyp2d6_activity


def _meds(*names: str) -> pd.DataFrame:
    return pd.DataFrame([{"display": n, "rxnorm": None, "status": "active", "code": None} for n in names])


def _alert(outs, drug_text: str, frame=None):
    result = pgx.call_genotypes(frame if frame is not None else all_ref_frame(), outside_calls=outs)
    alerts, recs = pgx.guidance(result, _meds(drug_text))
    assert len(alerts) == 1, [a.drug for a in alerts]
    return alerts[0], result


def test_abacavir_with_hla_b_5701_is_not_recommended():
    a, _ = _alert([pgx.outside_call("HLA-B", "*57:01:01/*08:01")], "abacavir 300 MG / lamivudine 150 MG")
    assert a.level is Level.AVOID and a.severity == "high"
    assert a.recommendation.summary == "Abacavir is not recommended"
    assert a.recommendation.strength == "Strong" and a.recommendation.basis["lookup"] == {"HLA-B": "*57:01 positive"}
    neg, _ = _alert([pgx.outside_call("HLA-B", "*08:01/*44:02")], "Ziagen")
    assert neg.level is Level.STANDARD and neg.recommendation.summary == "Use abacavir per standard dosing guidelines"


def test_allopurinol_and_hla_b_5801():
    a, _ = _alert([pgx.outside_call("HLA-B", "*58:01 positive")], "Allopurinol 100 MG Oral Tablet")
    assert a.level is Level.AVOID and a.recommendation.summary == "Allopurinol is contraindicated"


def test_carbamazepine_and_oxcarbazepine_with_hla_b_1502_by_population():
    outs = [pgx.outside_call("HLA-B", "*15:02/*40:01"), pgx.outside_call("HLA-A", "*02:01/*24:02")]
    a, _ = _alert(outs, "carbamazepine 200 MG Oral Tablet")
    recs = {r["population"]: r for r in a.basis["recommendations"]}
    assert set(recs) == {"CBZ naive", "CBZ-no alternatives", "CBZ use >3mos"}
    assert recs["CBZ naive"]["summary"] == "If patient is carbamazepine-naïve, do not use carbamazepine."
    assert recs["CBZ use >3mos"]["level"] == "adjust"        # "cautiously consider use": read CPIC's text
    assert a.level is Level.AVOID and "depends on the indication or population" in a.headline
    oxc, _ = _alert(outs, "Trileptal")
    assert oxc.drug == "oxcarbazepine" and oxc.level is Level.AVOID


def test_carbamazepine_with_hla_a_3101_only():
    a, _ = _alert([pgx.outside_call("HLA-A", "*31:01 positive")], "Tegretol")
    recs = {r["population"]: r for r in a.basis["recommendations"]}
    assert recs["CBZ naive"]["summary"].startswith("If patient is carbamazepine-naïve and alternative agents are "
                                                   "available, do not use carbamazepine. Based only on HLA-A: no "
                                                   "HLA-B result was available")
    assert recs["CBZ naive"]["basis"]["lookup"] == {"HLA-A": "*31:01 positive", "HLA-B": "None"}


def test_phenytoin_combines_cyp2c9_activity_score_and_hla_b():
    pm = all_ref_frame(rs1799853=("C", "T", "0/1"), rs1057910=("A", "C", "0/1"))     # CYP2C9 *2/*3, AS 0.5
    a, result = _alert([pgx.outside_call("HLA-B", "*07:02/*08:01")], "Dilantin", pm)
    assert result.genes["CYP2C9"].activity_score == 0.5
    naive = next(r for r in a.basis["recommendations"] if r["population"] == "PHT naive")
    assert "use approximately 50% less than typical maintenance dose" in naive["summary"]
    assert naive["dose_adjustment"].startswith("For subsequent doses use approximately 50% less")
    assert a.level is Level.ADJUST
    pos, _ = _alert([pgx.outside_call("HLA-B", "*15:02/*08:01")], "fosphenytoin", pm)
    assert pos.level is Level.AVOID and "do not use phenytoin/fosphenytoin" in pos.headline


@pytest.mark.parametrize("diplo,score,phenotype", [
    ("*1/*1", 2.0, "Normal Metabolizer"), ("*1/*1x2", 3.0, "Ultrarapid Metabolizer"),
    ("*1x2/*4", 2.0, "Normal Metabolizer"), ("*4/*4xN", 0.0, "Poor Metabolizer"), ("*1/*4", 1.0,
                                                                                   "Intermediate Metabolizer"),
    ("*1/*2xN", None, "Ultrarapid Metabolizer"), ("*4/*41xN", None, "Indeterminate"), ("*5/*10", 0.25,
                                                                                      "Intermediate Metabolizer")])
def test_cyp2d6_copy_number(diplo, score, phenotype):
    c = pgx.outside_call("CYP2D6", diplo)
    assert c.activity_score == score and c.phenotype == phenotype


def test_codeine_in_an_ultrarapid_metabolizer():
    a, _ = _alert([pgx.outside_call("CYP2D6", "*1/*1x2")], "Acetaminophen 300 MG / Codeine Phosphate 30 MG")
    assert a.level is Level.AVOID
    assert a.recommendation.summary.startswith("Avoid codeine use because of potential for serious toxicity.")


def test_cyp2d6_unknown_allele_is_refused():
    with pytest.raises(OutsideCallError) as e:
        cyp2d6_activity("*1/*999")
    assert e.value.field == "diplotype" and "*999" in str(e.value)


def test_mt_rnr1_aminoglycosides():
    a, _ = _alert([pgx.outside_call("MT-RNR1", "1555A>G")], "Gentamicin 40 MG/ML Injectable Solution")
    assert a.level is Level.AVOID and a.recommendation.summary.startswith("Avoid aminoglycoside anitbiotics unless")
    ok, _ = _alert([pgx.outside_call("MT-RNR1", "Reference")], "tobramycin")
    assert ok.level is Level.STANDARD


def test_pharmcat_outside_call_file():
    outs = {c.gene: c for c in pgx.read_outside_calls(need(PHARMCAT / "pharmcat.example.outsideCall.tsv"))}
    assert outs["CYP2D6"].activity_score == 1.0 and outs["CYP2D6"].phenotype == "Intermediate Metabolizer"
    assert dict(outs["HLA-B"].allele_status) == {"*15:02": "positive", "*57:01": "positive", "*58:01": "negative"}
    assert outs["MT-RNR1"].phenotype == "increased risk of aminoglycoside-induced hearing loss"
    result = pgx.call_genotypes(all_ref_frame(), outside_calls=list(outs.values()))
    _, recs = pgx.guidance(result)
    levels = {r.drug: r.level for r in recs if r.population in ("general", "CBZ naive", "OXC naive", "PHT naive")}
    assert levels["abacavir"] is Level.AVOID and levels["oxcarbazepine"] is Level.AVOID
    assert levels["allopurinol"] is Level.STANDARD and levels["amikacin"] is Level.AVOID


def test_unreadable_outside_call_line_names_line_and_field(tmp_path):
    f = tmp_path / "calls.tsv"
    f.write_text("CYP2D6\t*1/*1\nHLA-B\t*57\n", encoding="utf-8")
    with pytest.raises(MalformedFile) as e:
        pgx.read_outside_calls(f)
    assert "line 2" in str(e.value) and "HLA-B" in str(e.value)


def test_standard_on_an_uncertain_call_is_caution():
    tie = all_ref_frame(["CYP2C19", "CYP2C9"], rs12248560=("C", "T", "1/1"), rs28399504=None, rs3758581=None)
    result = pgx.call_genotypes(tie)
    assert result.genes["CYP2C19"].tie
    _, recs = pgx.guidance(result)
    assert not [r for r in recs if r.level is Level.STANDARD and "CYP2C19" in r.genes]
    assert [r for r in recs if r.level is Level.CAUTION and "CYP2C19" in r.genes]
    full = pgx.guidance(pgx.call_genotypes(all_ref_frame(["CYP2C9"])))[1]
    assert {r.level for r in full if r.genes == ("CYP2C9",)} == {Level.STANDARD}


def test_translated_build_is_caution():
    frame = all_ref_frame(["CYP2C9"])
    _, recs = pgx.guidance(pgx.call_genotypes(frame, translated_from="GRCh37"))
    levels = {r.level for r in recs if r.genes == ("CYP2C9",)}
    assert levels == {Level.CAUTION}
    c = pgx.call_genotypes(frame, translated_from="GRCh37").genes["CYP2C9"]
    assert c.translated and "from GRCh37 via position table" in c.completeness_text
    # genotypes labelled GRCh37 (not translated) or with no build are refused, never called as if GRCh38
    for build in ("GRCh37", None):
        r = pgx.call_genotypes(frame, build=build)
        assert r.refusal and not r.genes["CYP2C9"].called and r.genes["CYP2C9"].messages == (r.refusal,)


def test_outside_call_forms_pharmcat_accepts():
    one = pgx.outside_call("HLA-B", "*15:02")                 # one allele typed: present, the others absent
    assert dict(one.allele_status) == {"*15:02": "positive", "*57:01": "negative", "*58:01": "negative"}
    pm = pgx.outside_call("CYP2D6", "*1/*1", "PM", "≥4.0")
    assert pm.phenotype == "Poor Metabolizer" and pm.activity_score == 4.0
    assert pgx.outside_call("CYP2C19", "*2/*1").diplotypes == ("*1/*2",)
    assert pgx.outside_call("CYP2D6", None, None, "1.25").phenotype == "Normal Metabolizer"
