"""CPIC's text reaches the user as CPIC wrote it: every summary is the source text (plus, at run time, one sentence
when a gene had no result), every dose is made of complete CPIC sentences, so no "≤", range, parenthesis or
qualifier is lost; population/indication rows stay split; derived levels agree with the CPIC annotations PharmCAT
shows for its example patient."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.core.test_pgx import PHARMCAT, all_ref_frame, need
from workstation import pgx
from workstation.levels import Level
from workstation.pgx.medications import resolve

ROOT = Path(__file__).resolve().parents[2]
BOUND = re.compile(r"(≤|≥|<=|>=|<|>|\d+(?:\.\d+)?\s*(?:-|–|to)\s*\d+(?:\.\d+)?)")


def _rows() -> list[dict]:
    with open(ROOT / "resources" / "pgx" / "recommendations.tsv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _problems(r: dict) -> list[str]:
    src, summary, dose = r["source_text"], r["summary"], r["dose_adjustment"]
    out = []
    if src in ("None", "", "No recommendation"):
        if summary != "No recommendation":
            out.append("a row without CPIC text must say 'No recommendation'")
        return out
    if summary != src:
        out.append("summary is not CPIC's text")
    for part in (dose, summary):
        if part.count("(") != part.count(")") and src.count("(") == src.count(")"):
            out.append("unbalanced parentheses")
    sents = [s for s in re.split(r"(?<=[.;])\s+(?=[A-Z(])", dose) if s]
    for s in sents:
        if s not in src:
            out.append(f"dose sentence not in CPIC text: {s[:60]}")
    for s in re.split(r"(?<=[.;])\s+(?=[A-Z(])", src):
        if re.search(r"\d+\s*(%|mg|times)", s) and r["action"] in ("adjust dose", "see text") and s not in dose:
            out.append(f"a CPIC sentence with a dose is missing from the dose: {s[:60]}")
    for b in BOUND.findall(src):
        if b not in summary:
            out.append(f"bound {b} lost")
    return out


def test_every_summary_and_dose_is_cpic_text():
    bad = {(r["drug"], r["key1"], r["key2"], r["population"]): _problems(r) for r in _rows()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"{len(bad)} rows differ from CPIC's text, e.g. {list(bad.items())[:3]}"


def test_known_bounds_survive():
    rows = _rows()
    ator = [r for r in rows if r["drug"] == "atorvastatin" and "<=20mg" in r["source_text"]]
    assert ator and all("<=20mg" in r["summary"] and "<=20mg" in r["dose_adjustment"] for r in ator)
    nsaid = [r for r in rows if r["drug"] == "celecoxib" and "25-50%" in r["source_text"]]
    assert nsaid and all("25-50%" in r["dose_adjustment"] for r in nsaid)


def test_omeprazole_likely_poor_metabolizer_is_not_plain_standard():
    f = all_ref_frame(["CYP2C19"], rs12769205=("A", "G", "1/1"), rs4244285=("G", "A", "1/1"),
                      rs3758581=("A", "G", "1/1"))                                                  # *2/*2
    _, recs = pgx.guidance(pgx.call_genotypes(f))
    ome = [r for r in recs if r.drug == "omeprazole"]
    assert ome and all(r.level is Level.ADJUST for r in ome)
    assert "consider 50% reduction in daily dose" in ome[0].summary


def test_clopidogrel_indications_stay_split():
    rows = [r for r in _rows() if r["drug"] == "clopidogrel" and r["key1"] == "Intermediate Metabolizer"]
    assert {r["population"]: r["action"] for r in rows} == {
        "CVI ACS PCI": "avoid / use alternative", "CVI non-ACS non-PCI": "no recommendation",
        "NVI": "avoid / use alternative"}


def test_levels_agree_with_the_cpic_annotations_pharmcat_shows():
    """PharmCAT's example-2 report flags each CPIC annotation (alternate drug / dosing information); our action,
    read from the same text, must agree wherever the table holds the same CPIC text."""
    d = json.loads(need(PHARMCAT / "pharmcat.example2.report.json").read_text(encoding="utf-8"))
    rows = _rows()
    checked = 0
    for drug, dd in d["drugs"]["CPIC Guideline Annotation"].items():
        for g in dd["guidelines"]:
            for a in g["annotations"]:
                text = (a.get("drugRecommendation") or "").split("\n")[0].strip()
                mine = [r for r in rows if r["drug"] == drug and r["source_text"].strip().rstrip(".") ==
                        text.rstrip(".")]
                if not mine:
                    continue
                checked += 1
                acts = {r["action"] for r in mine}
                if a["alternateDrugAvailable"]:
                    assert acts == {"avoid / use alternative"}, (drug, text)
                elif a["dosingInformation"]:
                    assert acts <= {"adjust dose", "see text"}, (drug, text)
                elif a["otherPrescribingGuidance"]:
                    assert acts <= {"see text", "standard"}, (drug, text)
                else:
                    assert acts <= {"standard", "no recommendation"}, (drug, text)
    assert checked >= 25


@pytest.mark.parametrize("written,drug", [
    ("Plavix 75 MG Oral Tablet", "clopidogrel"), ("Zocor", "simvastatin"), ("5-FU infusion", "fluorouracil"),
    ("Coumadin 5 mg", "warfarin"), ("Prograf 1 MG Oral Capsule", "tacrolimus"),
    ("Acetaminophen 300 MG / HYDROcodone Bitartrate 5 MG [Vicodin]", "hydrocodone"),
    ("abacavir 600 MG / dolutegravir 50 MG / lamivudine 300 MG Oral Tablet [Triumeq]", "abacavir"),
    ("Clopidogrel 75 MG Oral Tablet", "clopidogrel")])
def test_medicines_as_written(written, drug):
    assert drug in [d for d, _ in resolve(display=written)]


def test_medicine_codes_and_statuses():
    assert resolve(rxnorm="32968") == [("clopidogrel", "rxnorm ingredient")]
    assert resolve(rxnorm="309362") == [("clopidogrel", "rxnorm clinical/branded drug code")]   # SCD, no display
    assert resolve(code="B01AA03", code_system="http://www.whocc.no/atc") == [("warfarin", "atc")]
    assert resolve(display="5-fu") == []                 # abbreviations are case-sensitive
    assert resolve(display="Lasix 40mg") == []
    result = pgx.call_genotypes(all_ref_frame(["DPYD"], rs67376798=("T", "A", "0/1")))       # DPYD IM
    meds = pd.DataFrame([dict(display="Xeloda 500 MG Oral Tablet", rxnorm=None, status="unknown", code=None),
                         dict(display="Zocor", rxnorm=None, status="draft", code=None),
                         dict(display="Plavix", rxnorm=None, status="stopped", code=None)])
    alerts, _ = pgx.guidance(result, meds)
    by = {a.drug: a for a in alerts}
    assert set(by) == {"capecitabine", "simvastatin"}
    assert by["capecitabine"].level is Level.ADJUST and by["capecitabine"].status == "unknown"
    assert "status recorded as unknown" in by["capecitabine"].headline
