"""One analysis per patient: indicators, check a medicine, every model's score or refusal, counted."""
from __future__ import annotations

from datetime import date, datetime

from tests.core.models_support import make_profile
from workstation import analysis
from workstation.levels import Level
from workstation.pgx.indicators import indicator_words


def _no_genome():
    return make_profile(birth_date=date(1970, 1, 1), sex="female", as_of=datetime(2024, 6, 1), pid="an1")


def test_analysis_counts_and_check_without_genotypes():
    before = analysis.runs()
    a = analysis.analyse(_no_genome())
    assert analysis.runs() == before + 1
    assert a.indicators == ()                                  # no result is never an indicator
    c = a.check_medicine("capecit")                            # a prefix of the ingredient
    assert c.drug == "capecitabine" and c.status == "no_result" and c.genes_without_result == ("DPYD",)
    assert "DPYD has no result" in c.sentence and c.level is Level.NO_RESULT
    c = a.check_medicine("Xeloda")                             # a brand
    assert c.drug == "capecitabine" and c.matched_by == "brand"
    assert a.check_medicine("paracetamol").status == "no_guidance"
    assert "no pharmacogenomic guidance" in a.check_medicine("paracetamol").sentence.lower()
    assert {s.model for s in a.scores} >= {"pce2013_ascvd_10y", "prs_pgs000001_breast_cancer"}
    assert "wdbc_malignancy_logreg" not in {s.model for s in a.scores}


def test_indicator_for_a_poor_metabolizer_whatever_the_medicines():
    from workstation.pgx.indicators import indicators
    from workstation.pgx.model import GeneCall, PgxResult
    from workstation.pgx import guidance

    res = PgxResult({"DPYD": GeneCall("DPYD", ("c.1905+1G>A/c.1905+1G>A",), "Poor Metabolizer", 0.0),
                     "TPMT": GeneCall("TPMT", ("*1/*1",), "Normal Metabolizer")})
    _alerts, recs = guidance(res, None)                       # no medicines at all
    inds = indicators(res, recs)
    assert [i.gene for i in inds] == ["DPYD"] and inds[0].level is Level.AVOID and inds[0].high_risk
    label, sentence = indicator_words(inds[0].with_note("2 defining positions missing."))
    assert label == "DPYD Poor Metabolizer (activity 0)" and "capecitabine" in sentence
    assert sentence.endswith("2 defining positions missing.")


def test_mutations_describe_what_they_changed(tmp_path):
    from tests.core.helpers import store_with_patient
    from workstation.ingest.base import ImportResult
    from workstation.store.changes import from_import

    store = store_with_patient(tmp_path)
    pid = store.con.execute("SELECT id FROM patients").fetchone()[0]
    ch = store.delete_patient(pid)
    store.close()
    assert ch.patients == {pid} and ch.patient_list and ch.touches(pid, {"variants"})
    vcf = from_import(ImportResult("x.vcf", "imported", "vcf", {"variants": 10}, [pid]))
    assert vcf.tables == {"variants", "ref_blocks"} and not vcf.touches(pid, {"wearable_samples"})
    assert not from_import(ImportResult("x.vcf", "already imported", "vcf", {}, [pid])).patients
