"""Pharmacogenomics view: gene table, drug filter, evidence panel, ties shown (pytest-qt, offscreen).

The store is the real synthetic demo cohort (real demo files through the real importers); the tie case is built
by the real pharmacogenomics core from a genotype frame, as tests/core/test_pgx.py does.
"""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from workstation import pgx
from workstation.pgx.tables import gene_definitions

from tests.conftest import DEMO_PASSPHRASE as PASSPHRASE


@pytest.fixture
def demo_session(session, demo_template, tmp_path, qtbot):
    dst = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, dst)
    shutil.copy(str(demo_template) + ".vault", str(dst) + ".vault")
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        session.unlock(dst, passphrase=PASSPHRASE, use_keyring=False)
    return session


@pytest.fixture
def view(session, prefs, qtbot):
    from ui.views.pgx_view import PgxView

    v = PgxView(session, prefs)
    qtbot.addWidget(v)
    v.resize(1200, 800)
    return v


def _column(table, key: str) -> list[str]:
    cols = [c.key for c in table.source.columns]
    c = cols.index(key)
    return [table.proxy.index(r, c).data() for r in range(table.proxy.rowCount())]


def test_genes_shown_and_drugs_filtered(view, demo_session, qtbot):
    with qtbot.waitSignal(view.loaded, timeout=20000):
        demo_session.open_patient("demo-0001")
    profile = demo_session.profile
    result = pgx.call_profile(profile)
    alerts, recs = pgx.guidance(result, profile.active_medications())

    genes = _column(view.genes, "gene")
    assert set(genes) == set(result.genes)
    row = genes.index("CYP2C19")
    assert _column(view.genes, "diplotype")[row] == " or ".join(result.genes["CYP2C19"].diplotypes)
    assert _column(view.genes, "phenotype")[row] == result.genes["CYP2C19"].phenotype
    # genes with no call are marked, never shown as normal
    for g, c in result.genes.items():
        if not c.diplotypes:
            assert _column(view.genes, "status")[genes.index(g)] in ("not called", "needs outside call")

    assert alerts, "the demo patient should have medicines with CPIC guidance"
    assert sorted(_column(view.drugs, "drug")) == sorted(a.drug for a in alerts)
    view.mode.setCurrentIndex(view.mode.findData("all"))
    assert view.drugs.proxy.rowCount() == len(recs) > len(alerts)
    view.search.setText("CYP2C19")
    shown = _column(view.drugs, "genes")
    assert shown and all("CYP2C19" in g for g in shown)
    assert len(shown) == sum("CYP2C19" in r.genes for r in recs)


def test_opening_a_row_shows_its_basis(view, demo_session, qtbot):
    with qtbot.waitSignal(view.loaded, timeout=20000):
        demo_session.open_patient("demo-0001")
    alerts, _ = pgx.guidance(pgx.call_profile(demo_session.profile), demo_session.profile.active_medications())
    a = next(x for x in alerts if x.recommendation is not None)
    assert view.show_drug(a.drug)
    text = view.selected_basis_text()
    b = a.recommendation.basis
    assert str(b["guideline_year"]) in text and b["guideline"].split(":")[0] in text
    assert b["cpic_level"] in text and a.recommendation.strength in text
    assert b["source_text"][:40] in text
    gene = a.recommendation.genes[0]
    call = b["genes"][gene]
    assert "Positions used" in text and "Positions missing" in text
    assert f"{len(call['positions_used'])}:" in text
    assert (call["phenotype"] or "") in text
    # a drug that is not among the patient's medicines is not selectable there
    assert not view.show_drug("not-a-drug")


def _frame(genes, **changes) -> pd.DataFrame:
    """Every defining position called 0/0, ``changes`` by rsid (None = absent from the file)."""
    rows = []
    for g in genes:
        gd = gene_definitions()[g]
        for lc in gd.loci:
            ch = changes.get(lc.rsid, (lc.ref, ".", "0/0"))
            if ch is None:
                continue
            ref, alt, gt = ch
            rows.append(dict(chrom=gd.chrom, pos=lc.pos, ref=ref, alt=alt, gt=gt, phased="|" in gt, ps=None))
    return pd.DataFrame(rows)


def test_ties_and_missing_data_are_shown(view):
    from ui.views.pgx_view import PgxBundle

    result = pgx.call_genotypes(_frame(["CYP2C19"], rs12248560=("C", "T", "1/1"), rs28399504=None,
                                       rs3758581=None))
    call = result.genes["CYP2C19"]
    assert call.tie and call.incomplete           # the premise of this test, from the core
    meds = pd.DataFrame([dict(rxnorm="32968", display="clopidogrel", status="active")])
    alerts, recs = pgx.guidance(result, meds)
    view.bind(PgxBundle("tie-case", result, alerts, recs))

    badges = [view.badges.itemAt(i).widget().text() for i in range(view.badges.count())
              if view.badges.itemAt(i).widget() is not None]
    assert f"CYP2C19 ambiguous: {' or '.join(call.diplotypes)}" in badges
    from workstation.pgx.completeness import short_label

    assert short_label(call) in badges and "of" in short_label(call)      # "CYP2C19: 30 of 35 positions …"
    row = _column(view.genes, "gene").index("CYP2C19")
    assert "ambiguous" in _column(view.genes, "status")[row]
    assert view.show_drug("clopidogrel")
    text = view.selected_basis_text()
    assert "ambiguous" in text and " or ".join(call.diplotypes) in text
    n = len(alerts[0].basis.get("recommendations", []))
    if n > 1:
        assert f"{n} recommendations apply" in text
