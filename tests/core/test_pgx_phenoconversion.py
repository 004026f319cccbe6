"""CYP2D6 phenoconversion from the patient's own medicines (CPIC 2021 rule, FDA inhibitor list), shown beside the
genotype phenotype; a drug never phenoconverts its own recommendation; CYP2C19/CYP2B6 get CPIC's no-consensus
sentence and are not converted."""
from __future__ import annotations

import pandas as pd

from tests.core.test_pgx import all_ref_frame
from workstation import pgx
from workstation.levels import Level


def _meds(*names: str) -> pd.DataFrame:
    return pd.DataFrame([dict(display=n, rxnorm=None, status="active", code=None) for n in names])


def _result(diplo: str = "*1/*1"):
    return pgx.call_genotypes(all_ref_frame(["CYP2C19"]), outside_calls=[pgx.outside_call("CYP2D6", diplo)])


def test_strong_inhibitor_makes_a_normal_metabolizer_poor_beside_the_genotype():
    result = _result()
    alerts, _ = pgx.guidance(result, _meds("Paroxetine 20 MG Oral Tablet", "Codeine Sulfate 30 MG Oral Tablet"))
    codeine = next(a for a in alerts if a.drug == "codeine")
    assert result.genes["CYP2D6"].phenotype == "Normal Metabolizer"           # never replaced
    assert codeine.recommendation.basis["lookup"]["CYP2D6"] == "Normal Metabolizer"
    pc = codeine.basis["phenoconversion"]
    assert pc["functional_phenotype"] == "Poor Metabolizer" and pc["functional_activity"] == 0
    assert pc["functional_recommendation"]["summary"].startswith("Avoid codeine use because of possibility")
    assert codeine.level is Level.CAUTION and "Normal Metabolizer by genotype -> Poor Metabolizer while on " \
                                              "paroxetine" in codeine.headline


def test_a_drug_never_phenoconverts_its_own_recommendation():
    alerts, _ = pgx.guidance(_result(), _meds("Paxil 20 MG"))
    parox = next(a for a in alerts if a.drug == "paroxetine")
    assert "phenoconversion" not in parox.recommendation.basis and parox.level is Level.STANDARD


def test_moderate_inhibitor_halves_the_activity_score():
    pc = pgx.phenoconvert(_result("*1/*2").genes["CYP2D6"], _meds("duloxetine 30 MG Delayed Release Capsule"))
    assert (pc.genotype_activity, pc.functional_activity, pc.functional_phenotype) == (2.0, 1.0,
                                                                                       "Intermediate Metabolizer")
    assert "Crews" in pc.source and "FDA" in pc.source


def test_no_inhibitor_no_conversion_and_cyp2c19_not_converted():
    result = _result()
    assert pgx.phenoconvert(result.genes["CYP2D6"], _meds("amlodipine 5 MG")) is None
    convs = pgx.all_phenoconversions(result, _meds("fluoxetine 20 MG"))
    by = {p.gene: p for p in convs}
    assert by["CYP2D6"].functional_phenotype == "Poor Metabolizer"
    assert by["CYP2C19"].functional_phenotype is None and "have not been established" in by["CYP2C19"].sentence()
