"""Point of care: Enter unlocks (never quits), one analysis per open, the banner's indicators and medicine check,
pill contrast in both themes, and an import that refreshes only the views showing the tables it touched."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from ui import theme
from ui.main_window import MainWindow
from workstation import analysis

DEMO_PW = "synthetic-demo-passphrase"


@pytest.fixture
def window(session, prefs, store_path, qtbot):
    win = MainWindow(session, prefs, store_path=store_path)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    return win


@pytest.mark.parametrize("wrong_first", [True, False])
def test_enter_in_the_unlock_dialog_unlocks_and_never_quits(window, session, passphrase, qtbot, wrong_first):
    dlg = window.ask_unlock()
    rejected = []
    dlg.rejected.connect(lambda: rejected.append(True))
    if wrong_first:
        dlg.passphrase.setText("not-the-passphrase")
        qtbot.keyClick(dlg.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dlg.error.text() != "", timeout=20000)
        assert not rejected and window.isVisible()
    dlg.passphrase.setText(passphrase)
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        qtbot.keyClick(dlg.passphrase, Qt.Key.Key_Return)
    assert session.is_open and not rejected and window.isVisible()


@pytest.mark.parametrize("tokens", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_every_pill_meets_4_5_to_1(tokens):
    ratios = {name: theme.contrast(fg, bg) for name, (fg, bg) in theme.pill_colours(tokens).items()}
    assert set(ratios) >= {"alert_avoid", "alert_adjust", "alert_caution", "alert_standard", "alert_info"}
    low = {k: round(v, 2) for k, v in ratios.items() if v < 4.5}
    assert not low, f"{tokens.name}: {low}"


def test_pill_qss_uses_the_tested_tokens():
    qss = theme.QSS.substitute(theme.DARK.__dict__)
    for name, (fg, bg) in theme.pill_colours(theme.DARK).items():
        if name.startswith("alert_") and name != "alert_info":
            block = qss.split(f"QLabel#{name} {{", 1)[1].split("}", 1)[0]
            assert fg in block and bg in block, name


@pytest.fixture
def demo_window(session, prefs, demo_template, tmp_path, qtbot):
    dst = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, dst)
    shutil.copy(str(demo_template) + ".vault", str(dst) + ".vault")
    win = MainWindow(session, prefs, store_path=dst)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    with qtbot.waitSignal(session.patients_loaded, timeout=30000):
        session.unlock(dst, passphrase=DEMO_PW, use_keyring=False)
    return win


def test_one_analysis_per_open_and_banner_presents_it(demo_window, session, qtbot):
    win = demo_window
    before = analysis.runs()
    with qtbot.waitSignals([session.patient_opened, session.alerts_ready], timeout=30000):
        win.patients.select("demo-0001")
    for vid in ("risk", "pgx"):                             # the views shown: none analyses again
        with qtbot.waitSignal(win.views[vid].loaded, timeout=30000):
            win.show_view(vid)
    assert analysis.runs() == before + 1
    assert session.analysis is not None and session.analysis.patient_id == "demo-0001"
    assert win.banner.indicators.isVisible()
    assert win.width() <= 1366 and win.minimumSizeHint().width() <= 1366 and win.minimumSizeHint().height() <= 768
    res = win.check_medicine("Xeloda")
    assert res.drug == "capecitabine" and win.banner.check_text.text()
    assert win.check_medicine("paracetamol").status == "no_guidance"
    with qtbot.waitSignal(session.patient_opened, timeout=30000):
        win.reload_patient()                                # the same profile version: the kept analysis
    assert analysis.runs() == before + 1
    session.lock()
    assert session.analysis is None and not session._analyses


def test_import_refreshes_only_views_of_touched_tables(demo_window, session, qtbot, demo_template):
    from workstation.store.changes import Changes

    win = demo_window
    with qtbot.waitSignals([session.patient_opened, session.alerts_ready], timeout=30000):
        win.patients.select("demo-0001")
    counts = {k: v.refreshes for k, v in win.views.items()}
    with qtbot.waitSignal(session.data_changed, timeout=30000):
        session._changed(Changes(frozenset({"demo-0001"}), frozenset({"wearable_samples"})))
    changed = {k for k, v in win.views.items() if v.refreshes != counts[k]}
    assert changed == {"wearables", "overview"}, changed
    def opens(store):
        return store.con.execute("SELECT count(*) FROM audit_log WHERE action = 'open_patient'").fetchone()[0]

    got = []
    session.call(opens, on_result=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    n = got[0]
    with qtbot.waitSignal(session.data_changed, timeout=30000):
        session._changed(Changes(frozenset({"demo-0001"}), frozenset({"variants"})))
    got.clear()
    session.call(opens, on_result=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    assert got[0] == n                                      # reloaded without a spurious open_patient row


def test_import_dialog_puts_a_vcf_into_the_open_patient(demo_window, session, qtbot, tmp_path):
    from workstation import demo
    from workstation.demo.cohort import make_patient

    win = demo_window
    files = demo.write_demo_files(tmp_path / "other", [make_patient(5)])   # a VCF this store has not seen
    vcf = next(p for ps in files.values() for p in ps if p.name.endswith((".vcf", ".vcf.gz")))
    with qtbot.waitSignals([session.patient_opened, session.alerts_ready], timeout=30000):
        win.patients.select("demo-0002")
    before = analysis.runs()
    counts = {k: v.refreshes for k, v in win.views.items()}
    dlg = win.import_files([vcf])
    assert dlg.target.currentData() == "demo-0002"
    with qtbot.waitSignal(session.data_changed, timeout=60000):
        pass
    qtbot.waitUntil(lambda: dlg.cancel_button.text() == "Close", timeout=60000)
    assert dlg.stored == 1 and dlg.file.text().startswith("Import finished: 1 of 1")
    assert "--patient" not in win.status_text.text()
    assert analysis.runs() == before + 1                    # the new profile version, analysed once
    changed = {k for k, v in win.views.items() if v.refreshes != counts[k]}
    assert "wearables" not in changed and "timeline" not in changed and "pgx" in changed


def test_import_dialog_without_a_patient_asks_which(demo_window, session, qtbot, tmp_path):
    from workstation import demo
    from workstation.demo.cohort import make_patient

    win = demo_window
    files = demo.write_demo_files(tmp_path / "other", [make_patient(6)])
    vcf = next(p for ps in files.values() for p in ps if p.name.endswith((".vcf", ".vcf.gz")))
    dlg = win.import_files([vcf])
    qtbot.waitUntil(lambda: dlg.cancel_button.text() == "Close", timeout=60000)
    assert dlg.stored == 0 and dlg.file.text() == "Nothing was imported" and dlg.retry_button.isVisible()
    assert "--patient" not in " ".join(dlg.results) and "Import into" in dlg.results[-1]
    dlg.target.setCurrentIndex(dlg.target.findData("demo-0003"))
    dlg.retry_button.click()
    qtbot.waitUntil(lambda: dlg.stored == 1 and dlg.cancel_button.text() == "Close", timeout=60000)


def test_indicator_opens_its_evidence_and_ctrl_k_checks_a_medicine(demo_window, session, qtbot):
    from ui.banner import DrugChip

    win = demo_window
    with qtbot.waitSignals([session.patient_opened, session.alerts_ready], timeout=30000):
        win.patients.select("demo-0001")
    inds = session.analysis.indicators
    assert inds, "demo-0001 has actionable pharmacogenomic results"
    chips = [c for c in win.banner.indicators.chips if isinstance(c, DrugChip)]
    assert len(chips) == min(len(inds), 6) and all(c.text()[0] in "✖▲!" for c in chips)
    pgx = win.views["pgx"]
    with qtbot.waitSignal(pgx.loaded, timeout=30000):
        qtbot.mouseClick(chips[0], Qt.MouseButton.LeftButton)
    assert win.tabs.currentWidget() is pgx
    row = pgx.drugs.proxy.mapToSource(pgx.drugs.currentIndex()).row()
    assert str(pgx.drugs.source.frame["drug"].iat[row]) == inds[0].drugs[0][0]
    win.actions["patient.check_medicine"].trigger()
    assert win.banner.check.hasFocus() or win.focusWidget() is win.banner.check
    qtbot.keyClicks(win.banner.check, "5-FU")
    qtbot.keyClick(win.banner.check, Qt.Key.Key_Return)
    assert win.banner.check_result.drug == "fluorouracil" and win.banner.check_result.isVisible()
    assert "fluorouracil" in win.banner.check_text.text()


@pytest.mark.parametrize("choice", [None, "GRCh37"])
def test_import_dialog_genome_build_choice(demo_window, session, qtbot, tmp_path, choice):
    """A GRCh37 genome is stored but gets no calls, and the dialog says why; "Translate from GRCh37" (the window's
    `import --build GRCh37`) translates the pharmacogene positions, labelled."""
    from tests.core import genome_files as gf
    from workstation import demo
    from workstation.demo.cohort import make_patient

    win = demo_window
    files = demo.write_demo_files(tmp_path / "new", [make_patient(40)])        # demo-0041: not in the store
    fhir = next(p for ps in files.values() for p in ps if p.suffix == ".json")
    dlg = win.import_files([fhir])
    qtbot.waitUntil(lambda: dlg.cancel_button.text() == "Close", timeout=60000)
    assert dlg.stored == 1, dlg.results
    qtbot.waitUntil(lambda: "demo-0041" in set(win.patients.table.source.frame["id"]), timeout=30000)
    with qtbot.waitSignals([session.patient_opened, session.alerts_ready], timeout=30000):
        win.patients.select("demo-0041")
    vcf = gf.all_reference_grch37(tmp_path / "allref37.vcf")
    dlg = win.import_files([vcf])
    assert dlg.target.currentData() == "demo-0041"
    qtbot.waitUntil(lambda: dlg.cancel_button.text() == "Close", timeout=60000)
    assert dlg.stored == 1 and "GRCh37" in dlg.log.text() and dlg.translate_button.isVisible(), dlg.results
    if choice == "GRCh37":
        dlg.translate_button.click()
        qtbot.waitUntil(lambda: dlg.cancel_button.text() == "Close" and dlg.stored == 1, timeout=60000)
        assert not dlg.translate_button.isVisible()

    def pgx_now():
        a = session.analysis
        return a.pgx if a is not None and a.patient_id == "demo-0041" else None

    want = "translated_from" if choice == "GRCh37" else "refusal"
    qtbot.waitUntil(lambda: bool(pgx_now() is not None and getattr(pgx_now(), want)), timeout=60000)
    res = pgx_now()
    chips = [c.toolTip() for c in win.banner.indicators.chips]
    if choice is None:
        assert res.refusal and "GRCh37" in res.refusal and not res.genes["CYP3A5"].called
        # the banner says so whatever the medicines: a refused genome never looks like "no actionable result"
        assert any("No pharmacogenomic calls" in c.text() for c in win.banner.indicators.chips)
        assert any("GRCh37" in t for t in chips)
        view = win.views["pgx"]                     # the PGx tab: one pill for the genome, not "0 positions missing"
        with qtbot.waitSignal(view.loaded, timeout=30000):
            win.show_view("pgx")
        badges = [view.badges.itemAt(i).widget().text() for i in range(view.badges.count())
                  if view.badges.itemAt(i).widget() is not None]
        assert "No pharmacogenomic calls from this genome" in badges and not any("missing" in b for b in badges)
        assert res.refusal in view.summary.text()
    else:
        assert res.refusal is None and res.translated_from == "GRCh37"
        assert res.genes["CYP3A5"].diplotypes == ("*3/*3",)       # the reference-flip site, translated
        assert any("Genome translated from GRCh37" in c.text() for c in win.banner.indicators.chips)
