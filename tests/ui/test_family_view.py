"""Family view on the real demo store: the pedigree drawn from the core's drawing, edits by keyboard (one stored
version and audit row each), undo/redo, navigation, risk panel and printing to PDF (pytest-qt, offscreen)."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from tests.conftest import DEMO_PASSPHRASE as PASSPHRASE


@pytest.fixture
def view(session, prefs, demo_template, tmp_path, qtbot):
    from ui.views.family_view import FamilyView

    dst = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, dst)
    shutil.copy(str(demo_template) + ".vault", str(dst) + ".vault")
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        session.unlock(dst, passphrase=PASSPHRASE, use_keyring=False)
    v = FamilyView(session, prefs)
    qtbot.addWidget(v)
    v.resize(1600, 1000)
    v.show()
    with qtbot.waitSignal(v.loaded, timeout=30000):
        session.open_patient("demo-0001")
    return v


def _edit(view, qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    with qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.keyClick(view.canvas, key, modifier)


def test_brca2_family_is_drawn_with_its_risk(view):
    st = view.state
    assert st.family is not None and len(st.family) >= 12
    assert len(view.scene.items_by_id) == len(st.family)
    mother = st.family.people[st.family.people["self"].mother]
    assert mother.test("BRCA2").positive
    assert view.scene.items_by_id[mother.id].sym.fills            # affected: filled
    labels = [s.name for s in st.risk.scores]
    assert any("Gail" in n for n in labels) and any("PREMM5" in n for n in labels)
    assert view.selected == "self" and view.person.name.text() == st.family.people["self"].name


def test_keyboard_edits_undo_redo_and_audit(view, qtbot):
    v0 = view.state.version
    n0 = len(view.state.family)
    view.canvas.setFocus()
    _edit(view, qtbot, Qt.Key.Key_S)                                # a sibling of the selected patient
    assert view.state.version == v0 + 1 and len(view.state.family) == n0 + 1
    _edit(view, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.state.version == v0 + 2 and len(view.state.family) == n0          # undo is a new version
    _edit(view, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(view.state.family) == n0 + 1
    rows = []
    view.session.call(lambda store: store.audit_rows("demo-0001"), on_result=rows.append)
    qtbot.waitUntil(lambda: bool(rows), timeout=10000)
    acts = rows[0]["action"].tolist()
    assert acts.count("family_change") >= 4                         # import + add + undo + redo


def test_arrow_keys_move_the_selection_and_panel_edits_store(view, qtbot):
    view.canvas.setFocus()
    qtbot.keyClick(view.canvas, Qt.Key.Key_Up)
    fam = view.state.family
    assert view.selected == fam.people["self"].father or view.selected == fam.people["self"].mother
    parent = view.selected
    view.person.name.setText("Test name")
    with qtbot.waitSignal(view.loaded, timeout=20000):
        view.person.name.editingFinished.emit()
    assert view.state.family.people[parent].name == "Test name"
    sym = view.state.drawing.symbol(parent)
    assert sym.lines[0] == "Test name"


def test_print_to_pdf(view, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "pedigree.pdf"
    printer.setOutputFileName(str(out))
    view.print_to(printer)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000
