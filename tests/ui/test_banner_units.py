"""Display text on real stores: UCUM units as people write them (timeline, omics), readable numbers, plain audit
details, and a banner drug chip that opens the drug's evidence in the Pharmacogenomics tab."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from workstation.display import number_text, unit_text


@pytest.mark.parametrize("code, shown", [
    ("mL/min/{1.73_m2}", "mL/min/1.73 m²"), ("mm[Hg]", "mmHg"), ("Cel", "°C"), ("/min", "/min"),
    ("kg/m2", "kg/m²"), ("umol/L", "µmol/L"), ("10*3/uL", "10³/µL"), ("{steps}", "steps"), ("mg/dL", "mg/dL"),
    ("abundance", "abundance"), (None, ""), ("", ""), (float("nan"), "")])
def test_unit_text(code, shown):
    assert unit_text(code) == shown


@pytest.mark.parametrize("value, shown", [(27540.0, "27,540"), (902200.0, "902,200"), (472.1, "472.1"),
                                          (10.17, "10.17"), (0.0123456, "0.01235"), (5.0, "5"), (0.0, "0"),
                                          (-3.25, "-3.25"), (float("nan"), ""), (None, "")])
def test_number_text_has_no_exponent(value, shown):
    assert number_text(value) == shown


def test_timeline_titles_use_display_units(open_session, prefs, qtbot):
    from ui.views.timeline import TimelineView

    view = TimelineView(open_session, prefs)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=30000):
        open_session.open_patient("SYN-00001")
    units = {unit for _p, _name, unit, _x, _y in view._tracks}
    assert "mmHg" in units and "mm[Hg]" not in units           # the fixture's systolic pressure is stored as mm[Hg]
    titles = [p.titleLabel.text for p, *_ in view._tracks]
    assert any("(mmHg)" in t for t in titles) and not any("[Hg]" in t for t in titles)


def test_omics_values_without_exponents(open_session, prefs, qtbot):
    from ui.views.omics import OmicsView

    view = OmicsView(open_session, prefs)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=30000):
        open_session.open_patient("SYN-00001")
    keys = [c.key for c in view.table.source.columns]
    texts = [view.table.source.index(r, keys.index("value")).data() for r in range(view.table.source.rowCount())]
    assert texts and not any("e+" in t or "e-" in t for t in texts)
    frame = view.table.source.frame
    big = frame.index[frame["value"] >= 10000].tolist()
    if big:
        assert "," in texts[big[0]]


def test_audit_detail_is_plain_text(open_session, prefs, qtbot):
    from ui.views.audit import AuditView, detail_text

    assert detail_text(float("nan")) == "" and detail_text(None) == ""
    raw = json.dumps({"counts": {"ref_blocks": 1, "variants": 401}, "file": "demo-0001.vcf.gz", "kind": "vcf",
                      "patients": 1, "sha256": "0" * 64}, sort_keys=True)
    assert detail_text(raw) == "demo-0001.vcf.gz (genome VCF): 401 variants, 1 reference block"
    view = AuditView(open_session, prefs)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=30000):
        open_session.open_patient("SYN-00001")
    col = [c.key for c in view.table.source.columns].index("detail")
    shown = [view.table.source.index(r, col).data() for r in range(view.table.source.rowCount())]
    assert shown and not any(s == "nan" or "{" in s for s in shown)


def test_drug_chip_opens_pgx_evidence(session, prefs, store_path, passphrase, qtbot):
    from ui.banner import DrugChip
    from ui.main_window import MainWindow

    win = MainWindow(session, prefs, store_path=store_path)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        session.unlock(store_path, passphrase=passphrase, use_keyring=False)
    with qtbot.waitSignals([session.patient_opened, session.alerts_ready, win.tabs.currentWidget().loaded],
                           timeout=30000):
        win.patients.select("SYN-00001")
    chips = win.banner.alerts.findChildren(DrugChip)
    assert len(chips) >= 2, "the fixture patient takes two medicines with CPIC guidance"
    for chip in chips:
        assert chip.text().split(" ", 1)[1].startswith(f"{chip.drug}: ")   # a shape, then the CPIC drug name
        assert "Recorded as:" in chip.toolTip()
    pgx = win.views["pgx"]

    def selected() -> str:
        return str(pgx.drugs.source.frame["drug"].iat[pgx.drugs.proxy.mapToSource(pgx.drugs.currentIndex()).row()])

    # the tab has not loaded this patient: it loads when shown, then selects the drug (the view alone would select
    # its first row, so the last chip's drug is the one to check)
    assert win.tabs.currentWidget() is not pgx and pgx.stale
    with qtbot.waitSignal(pgx.loaded, timeout=30000):
        qtbot.mouseClick(chips[-1], Qt.MouseButton.LeftButton)
    assert win.tabs.currentWidget() is pgx
    qtbot.waitUntil(lambda: pgx.drugs.currentIndex().isValid() and selected().lower() == chips[-1].drug.lower(),
                    timeout=5000)
    assert selected() != str(pgx.drugs.source.frame["drug"].iat[0])
    assert pgx.selected_basis_text()
    # the tab already loaded: back to the overview, then Enter on the first chip selects its drug at once
    win.tabs.setCurrentWidget(win.views["overview"])
    chips[0].setFocus()
    qtbot.keyClick(chips[0], Qt.Key.Key_Return)
    assert win.tabs.currentWidget() is pgx
    assert selected().lower() == chips[0].drug.lower()
