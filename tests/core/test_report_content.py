"""Consult summary content (workstation.report) for demo patients built through the real importers: PGx flags for
the patient's medicines, risk inputs and missing inputs, and a de-identified variant with no identifier left."""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime

import pandas as pd
import pytest

from workstation import vault
from workstation.demo import build_demo_store
from workstation.models import score_all
from workstation.pgx import call_profile, guidance
from workstation.report import LEVELS, build_report, build_report_from, record_print
from workstation.report.deid import scrub_text
from workstation.report.pgx_part import level_of

PID = "demo-0001"
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
FULL_DATE = re.compile(rf"\b(?:19|20)\d\d-\d\d-\d\d\b|\b\d{{1,2}} (?:{MONTHS})[a-z]* (?:19|20)\d\d\b|"
                       rf"\b(?:{MONTHS})[a-z]* \d{{1,2}},? (?:19|20)\d\d\b|\b\d{{1,2}}/\d{{1,2}}/(?:19|20)\d\d\b")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = build_demo_store(tmp_path_factory.mktemp("report") / "demo.duckdb", "report test passphrase",
                         n_patients=2, kdf=vault.FAST_KDF)
    yield s
    s.close()


def strings(obj):
    """Every string anywhere in a (nested) dataclass/tuple structure, with its path."""
    if isinstance(obj, str):
        yield "", obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            for path, s in strings(getattr(obj, f.name)):
                yield f"{f.name}.{path}", s
    elif isinstance(obj, (tuple, list)):
        for i, x in enumerate(obj):
            for path, s in strings(x):
                yield f"[{i}].{path}", s


def test_medicines_carry_the_pgx_flags_of_the_core_guidance(store):
    profile = store.profile(PID, audit_open=False)
    alerts, _ = guidance(call_profile(profile), profile.active_medications())
    content = build_report(store, PID)
    assert alerts, "the demo patient takes at least one drug with CPIC guidance"
    meds = {m.name: m for m in content.medicines}
    assert set(meds) == {str(d) for d in profile.active_medications()["display"]}
    for a in alerts:
        m = meds[a.medication]
        expected = level_of(a.recommendation)
        assert (m.drug, m.level) == (a.drug, expected)
        assert m.advice
    assert all(m.level in LEVELS for m in content.medicines)
    # every flag has its basis: genes with diplotype and phenotype, guideline with its year, strength
    assert {b.drug for b in content.pgx.basis} == {a.drug for a in alerts}
    for b in content.pgx.basis:
        assert re.search(r"\((19|20)\d\d\)$", b.guideline), b.guideline
        assert b.strength and b.genes and b.cpic_level
    rank = {lv: i for i, lv in enumerate(("avoid", "adjust", "caution", "standard", "none"))}
    flagged = [rank[m.level] for m in content.medicines if m.level in rank]
    assert flagged and flagged == sorted(flagged), "the most severe flag comes first"


def test_gene_results_and_not_called_genes(store):
    profile = store.profile(PID, audit_open=False)
    result = call_profile(profile)
    content = build_report(store, PID)
    shown = {g.gene: g for g in content.pgx.genes}
    for gene, call in result.genes.items():
        if call.diplotypes:
            assert shown[gene].phenotype == (call.phenotype or "not determined")   # CYP4F2, IFNL3: none
            if gene != "VKORC1":
                assert shown[gene].diplotype == " or ".join(call.diplotypes)
        else:
            assert gene in content.pgx.not_called
    assert "CYP2D6" in content.pgx.not_called   # no outside call in the demo: no result, never "normal"


def test_risk_scores_list_inputs_used_and_missing(store):
    profile = store.profile(PID, audit_open=False)
    scores = [s for s in score_all(profile, call_profile(profile)) if s.applicable]
    content = build_report(store, PID)
    rows = {r.model_id: r for r in content.risk.scores}
    from workstation.report.family_part import FAMILY_MODELS

    in_family = FAMILY_MODELS if content.family is not None else set()   # shown with the pedigree instead
    assert set(rows) == {s.model for s in scores} - in_family
    assert all(any(m in ln.lower() or "gail" in ln.lower() for ln in content.family.risk) for m in in_family)
    scores = [s for s in scores if s.model not in in_family]
    for s in scores:
        r = rows[s.model]
        assert (r.result == "") == (s.value is None)
        if s.value is None:
            assert r.refused, f"{s.model}: a refused model states its reason"
        assert len(r.inputs_missing) == len(s.inputs_missing)
        assert r.sha256_prefix and len(r.sha256_prefix) == 12 and r.version
    refused_missing = [r for r in rows.values() if r.refused.startswith("missing")]
    assert refused_missing and all(r.inputs_missing for r in refused_missing)
    labels = {i.label for i in content.risk.inputs}
    assert {"Age", "Sex", "Total cholesterol", "HDL cholesterol"} <= labels
    chol = next(i for i in content.risk.inputs if i.label == "Total cholesterol")
    assert chol.value.endswith("mg/dL") and "2093-3" in chol.source and FULL_DATE.search(chol.when)
    assert content.risk.not_applicable, "models without any input in the record are listed apart"


def test_trends_and_provenance(store):
    content = build_report(store, PID)
    keys = [t.key for t in content.trends]
    assert keys == ["sbp", "total_chol", "hba1c", "egfr"]
    assert all(len(t.points) >= 2 and t.x_axis == "year" for t in content.trends)
    p = content.provenance
    assert p.software.startswith("workstation ") and p.generated_by
    assert len(p.models) >= 5 and all(len(m.sha256_prefix) == 12 for m in p.models)
    assert p.guidelines and all(re.search(r"\((19|20)\d\d\)", g) for g in p.guidelines)


def test_deidentified_content_holds_no_identifier(store):
    patient = store.patient(PID)
    normal = build_report(store, PID)
    content = build_report(store, PID, deidentify=True)
    assert content.deidentified and content.banner.birth == "" and content.banner.patient_id == ""
    all_normal = " ".join(s for _, s in strings(normal))
    assert patient["name"] in all_normal and PID in all_normal and FULL_DATE.search(all_normal)
    forbidden = [patient["name"], patient["given"], patient["family"], PID]
    for path, s in strings(content):
        low = s.lower()
        for f in forbidden:
            assert f.lower() not in low, f"{path} holds {f!r}: {s!r}"
        if not path.startswith("provenance.models."):   # model versions (e.g. a PGS harmonisation date)
            assert not FULL_DATE.search(s), f"{path} holds a full date: {s!r}"
        assert not re.search(r"\b\d{1,2}:\d{2}\b", s), f"{path} holds a time of day: {s!r}"
    assert content.provenance.generated == str(datetime.now().year)
    assert all(t.x_axis != "year" and max(x for x, _ in t.points) <= 0 for t in content.trends)
    assert any(i.when.endswith("ago") for i in content.risk.inputs)   # relative to the report, never a date


def test_ages_over_89_become_90_or_older(store):
    profile = store.profile(PID, audit_open=False)
    old = dataclasses.replace(profile, patient={**profile.patient, "birth_date": pd.Timestamp("1931-03-02")})
    result = call_profile(old)
    alerts, recs = guidance(result, old.active_medications())
    scores = score_all(old, result)
    content = build_report_from(old, result, alerts, recs, scores, deidentify=True)
    assert content.banner.age == "90 or older"
    ages = [i for i in content.risk.inputs if i.label.startswith("Age")]
    assert ages and all(i.value == "90 or older" for i in ages)
    text = " ".join(s for _, s in strings(content))
    assert not re.search(r"\b(9\d|1[01]\d) years\b", text), "no age over 89 anywhere"
    normal = build_report_from(old, result, alerts, recs, scores, deidentify=False)
    assert re.fullmatch(r"9\d years", normal.banner.age)


def test_scrub_removes_names_ids_and_dates_from_free_text():
    out = scrub_text("Amara Adeyemi (MRN demo-0001) seen 2025-10-14T09:30:00 and 8 Sep 2024; aged 93 years",
                     ["Amara Adeyemi", "Adeyemi", "Amara"], ["demo-0001"])
    assert "Amara" not in out and "Adeyemi" not in out and "demo-0001" not in out
    assert "2025" in out and "10-14" not in out and "8 Sep" not in out and "93" not in out


def test_print_is_audited(store):
    record_print(store, PID, deidentified=True, pages=2)
    rows = store.audit_rows(PID)
    last = rows[rows["action"] == "print_report"].iloc[-1]
    assert '"deidentified": true' in last["detail"] and '"pages": 2' in last["detail"]
    assert store.verify_audit().ok
