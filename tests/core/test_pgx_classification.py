"""Drug-rule details that matter clinically: the action read from CPIC's text, and warfarin's algorithm dosing."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from tests.core.test_pgx import all_ref_frame
from workstation import pgx

ROOT = Path(__file__).resolve().parents[2]


def _rows():
    with open(ROOT / "resources" / "pgx" / "recommendations.tsv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_negated_avoid_is_not_avoid():
    """'There is no need to avoid prescribing of atazanavir' (UGT1A1 normal/intermediate) is standard care."""
    rows = [r for r in _rows() if r["drug"] == "atazanavir" and r["key1"] in ("Normal Metabolizer",
                                                                              "Intermediate Metabolizer")]
    assert rows and all(r["action"] == "standard" for r in rows)
    for r in _rows():
        if "no need to avoid" in r["source_text"].lower():
            assert r["action"] != "avoid / use alternative", r


def test_advice_about_other_drugs_does_not_flag_the_drug():
    """Tamoxifen NM: 'Avoid moderate and strong CYP2D6 inhibitors. Initiate therapy with recommended standard
    of care dosing' — the drug itself is given at the standard dose."""
    rows = [r for r in _rows() if r["drug"] == "tamoxifen" and r["key1"] == "Normal Metabolizer"]
    assert rows and all(r["action"] == "standard" for r in rows)


def test_equivalent_thiopurine_texts_get_the_same_action():
    """TPMT or NUDT15 poor metabolizer: CPIC tells all three thiopurines the same thing (malignancy: drastically
    reduced dose; non-malignant conditions: consider an alternative), but in a different order — azathioprine
    leads with the alternative, mercaptopurine and thioguanine with the dose. The indication is not known here, so
    the more serious branch decides for all three (it was avoid for azathioprine and adjust for the other two)."""
    for gene, pos in (("TPMT", "key2"), ("NUDT15", "key1")):
        actions = {r["drug"]: r["action"] for r in _rows()
                   if r["drug"] in ("azathioprine", "mercaptopurine", "thioguanine")
                   and r[pos] == "Poor Metabolizer" and r["key1" if pos == "key2" else "key2"] == "Normal Metabolizer"}
        assert actions == dict.fromkeys(("azathioprine", "mercaptopurine", "thioguanine"),
                                        "avoid / use alternative"), (gene, actions)
    # the dose branch stays in the text the user reads
    thio = [r for r in _rows() if r["drug"] == "thioguanine" and r["key1"] == "Poor Metabolizer"]
    assert thio and all("25% of normal dose" in r["summary"] for r in thio if r["key2"] != "Poor Metabolizer")


def test_warfarin_points_to_the_dosing_algorithm():
    result = pgx.call_genotypes(all_ref_frame())
    meds = pd.DataFrame([{"display": "Warfarin Sodium 5 MG Oral Tablet", "rxnorm": "855332", "status": "active",
                          "code": "855332"}])
    alerts, recs = pgx.guidance(result, meds)
    warf = [r for r in recs if r.drug == "warfarin"]
    assert len(warf) == 1 and warf[0].action == "adjust dose"
    assert "IWPC" in warf[0].summary and "2017" in warf[0].basis["source"]
    assert [a.drug for a in alerts] == ["warfarin"] and alerts[0].severity == "moderate"


def test_warfarin_without_genotypes_has_no_recommendation():
    result = pgx.call_genotypes(pd.DataFrame(columns=["chrom", "pos", "ref", "alt", "gt", "phased", "ps"]))
    meds = pd.DataFrame([{"display": "warfarin", "rxnorm": "11289", "status": "active", "code": "11289"}])
    alerts, recs = pgx.guidance(result, meds)
    assert not [r for r in recs if r.drug == "warfarin"]
    assert alerts and alerts[0].severity == "info" and "no recommendation applies" in alerts[0].headline


def test_the_action_named_first_wins():
    """Citalopram CYP2C19 PM: 'Consider a 50% reduction of recommended starting dose ... or select alternative
    drug' leads with a dose change; clopidogrel IM: 'Avoid standard dose clopidogrel ... Use prasugrel' avoids."""
    cit = [r for r in _rows() if r["drug"] == "citalopram" and r["source_text"].startswith("Consider a 50% reduction")]
    assert cit and all(r["action"] == "adjust dose" for r in cit)
    clo = [r for r in _rows() if r["drug"] == "clopidogrel" and r["source_text"].startswith("Avoid standard dose")]
    assert clo and all(r["action"] == "avoid / use alternative" for r in clo)


def test_recommendation_for_a_missing_gene_says_so():
    """Amitriptyline with CYP2C19 called and no CYP2D6 result: CPIC's 'CYP2D6 n/a' row applies, and the
    summary must say it rests on CYP2C19 only."""
    result = pgx.call_genotypes(all_ref_frame())
    _, recs = pgx.guidance(result)
    ami = [r for r in recs if r.drug == "amitriptyline"]
    assert ami
    for r in ami:
        assert r.basis["lookup"]["CYP2D6"] == "None"
        assert "no CYP2D6 result was available" in r.summary and r.basis["genes_without_result"] == ["CYP2D6"]
