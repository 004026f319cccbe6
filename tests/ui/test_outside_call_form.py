"""The outside-call form in the PGx view: an HLA-B result entered by hand is stored (real store, real worker),
the view reloads and abacavir guidance appears; a call the core cannot read is refused in the form."""
from __future__ import annotations

import shutil

import pytest

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


def test_enter_hla_b_outside_call(view, demo_session, qtbot, tmp_path):
    with qtbot.waitSignal(view.loaded, timeout=20000):
        demo_session.open_patient("demo-0001")
    dlg = view.open_outside_call_form()
    qtbot.addWidget(dlg)
    dlg.gene.setCurrentText("HLA-B")
    dlg.diplotype.setText("*57")                       # not an allele: refused, nothing stored
    dlg.save()
    qtbot.waitUntil(lambda: bool(dlg.error.text()), timeout=20000)
    assert "HLA-B" in dlg.error.text() and dlg.isVisible()
    dlg.diplotype.setText("*57:01/*08:01")
    dlg.lab.setText("Example HLA lab")
    with qtbot.waitSignal(dlg.stored, timeout=20000), qtbot.waitSignal(view.loaded, timeout=30000):
        dlg.save()
    genes = [view.genes.proxy.index(r, 0).data() for r in range(view.genes.proxy.rowCount())]
    status = [view.genes.proxy.index(r, 5).data() for r in range(view.genes.proxy.rowCount())]
    assert "outside call" in status[genes.index("HLA-B")]
    view.mode.setCurrentIndex(1)
    drugs = [view.drugs.proxy.index(r, 0).data() for r in range(view.drugs.proxy.rowCount())]
    assert "abacavir" in drugs
    view.grab().save(str(tmp_path / "pgx_outside.png"))
    dlg2 = view.open_outside_call_form()
    qtbot.addWidget(dlg2)
    dlg2.grab().save(str(tmp_path / "form.png"))
