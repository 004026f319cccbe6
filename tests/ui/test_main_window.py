"""The workstation window end to end on a real encrypted store: unlock, patients, views, search, lock, import."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from workstation import vault
from workstation.store import queries

from ui.main_window import MainWindow
from ui.runner import CANCELLED_TEXT


@pytest.fixture
def window(session, prefs, store_path, qtbot):
    win = MainWindow(session, prefs, store_path=store_path)
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    return win


def _unlock(window, session, store_path, passphrase, qtbot):
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        session.unlock(store_path, passphrase=passphrase, use_keyring=False)


def _open(window, session, qtbot, patient_id="SYN-00001"):
    """Select a patient; wait for the banner and the visible tab (the hidden tabs load when they are shown)."""
    visible = window.tabs.currentWidget()
    with qtbot.waitSignals([session.patient_opened, visible.loaded], timeout=30000):
        window.patients.select(patient_id)


def _open_first(window, qtbot):
    _open(window, window.session, qtbot)


def _show_tab(window, view_id, qtbot):
    """Make ``view_id`` the current tab and wait until it has loaded the open patient."""
    view = window.views[view_id]
    if not view.stale:                         # already showing the open patient
        window.tabs.setCurrentWidget(view)
        return view
    with qtbot.waitSignal(view.loaded, timeout=30000):
        window.tabs.setCurrentWidget(view)
    return view


def test_wrong_passphrase_message_then_right_one_opens_list(window, session, passphrase, qtbot):
    dlg = window.ask_unlock()
    assert dlg.ok.text() == "Unlock"
    dlg.passphrase.setText("not-the-passphrase")
    dlg.ok.click()
    qtbot.waitUntil(lambda: dlg.error.text() != "", timeout=20000)
    assert dlg.error.text() == "The passphrase is not correct for this patient store."
    assert not session.is_open
    dlg.passphrase.setText(passphrase)
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        dlg.ok.click()
    assert window.patients.table.proxy.rowCount() == 8
    assert not dlg.isVisible()
    assert dlg.passphrase.text() == ""          # the passphrase is not kept in the widget


def test_create_store_checks_passphrase(session, prefs, tmp_path, qtbot):
    win = MainWindow(session, prefs, store_path=tmp_path / "new.duckdb")
    qtbot.addWidget(win)
    dlg = win.ask_unlock(kdf=vault.FAST_KDF)
    assert dlg.ok.text() == "Create"
    dlg.passphrase.setText("short")
    dlg.confirm.setText("short")
    dlg.ok.click()
    assert "at least 8 characters" in dlg.error.text()
    dlg.passphrase.setText("long enough passphrase")
    dlg.confirm.setText("long enough passphrasf")
    dlg.ok.click()
    assert dlg.error.text() == "The two passphrases are not the same."
    dlg.confirm.setText("long enough passphrase")
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        dlg.ok.click()
    assert (tmp_path / "new.duckdb").exists() and (tmp_path / "new.duckdb.vault").exists()
    assert win.patients.table.proxy.rowCount() == 0


def test_store_in_use_or_missing_header_is_a_sentence(window, session, store_path, passphrase, qtbot):
    Path(str(store_path) + ".vault").unlink()
    dlg = window.ask_unlock()
    dlg.passphrase.setText(passphrase)
    dlg.ok.click()
    qtbot.waitUntil(lambda: dlg.error.text() != "", timeout=20000)
    assert "vault header" in dlg.error.text() and "missing" in dlg.error.text()


def test_selecting_a_patient_fills_banner_and_every_view(window, session, store_path, passphrase, qtbot):
    _unlock(window, session, store_path, passphrase, qtbot)
    _open_first(window, qtbot)
    assert window.banner.name.text() == "Ada Synth"
    assert "female" in window.banner.details.text()
    assert window.banner.diagnoses.texts()                       # active conditions shown as chips
    ov = window.views["overview"]
    assert ov.tables["conditions"].source.rowCount() >= 1
    assert ov.tables["sources"].source.rowCount() == 5          # clinical, omics, wearable, VCF, pedigree
    tl = _show_tab(window, "timeline", qtbot)
    assert len(tl._tracks) == 6 and tl.anchor.count() >= 3
    om = _show_tab(window, "omics", qtbot)
    assert om.table.source.rowCount() == 110 and "110 of 110 analytes" in om.counts.text()
    we = _show_tab(window, "wearables", qtbot)
    assert we.points == 20 * 1440
    va = _show_tab(window, "variants", qtbot)
    assert va.total == 1200 and va.table.source.rowCount() == 500 and va.next.isEnabled()
    au = _show_tab(window, "audit", qtbot)
    assert "open_patient" in au.table.source.frame["action"].tolist()
    assert "intact" in au.status.text()
    for view_id in window.views:                                  # every registered view loads when shown
        _show_tab(window, view_id, qtbot)
        assert not window.views[view_id].stale


def _observations(session, qtbot, patient_id):
    out = []
    with qtbot.waitSignal(session.runner.busy_changed, check_params_cb=lambda b: b is False, timeout=10000):
        session.call(queries.numeric_observations, patient_id, on_result=out.append)
    return out[0]


def _tracks(obs):
    return sorted((str(g["display"].iloc[0]), len(g)) for _k, g in obs.groupby(["category", "code"]))


def test_hidden_view_is_cleared_on_switch_and_filled_when_shown(window, session, store_path, passphrase, qtbot):
    _unlock(window, session, store_path, passphrase, qtbot)
    _open(window, session, qtbot, "SYN-00001")
    tl = _show_tab(window, "timeline", qtbot)
    ada = _tracks(_observations(session, qtbot, "SYN-00001"))
    assert sorted((name, len(y)) for _p, name, _u, _x, y in tl._tracks) == ada
    window.tabs.setCurrentWidget(window.views["overview"])
    _open(window, session, qtbot, "SYN-00002")
    assert window.banner.name.text() == "Ben Synth"
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=10000)
    hidden = [v for v in window.views.values() if v is not window.tabs.currentWidget()]
    assert hidden and all(v.stale for v in hidden)                 # nothing loaded for the hidden tabs...
    assert tl._tracks == [] and tl._data is None and tl.anchor.count() == 0   # ...and nothing of Ada left in them
    assert window.views["omics"].table.source.rowCount() == 0
    assert window.views["wearables"].points == 0
    assert window.views["variants"].table.source.rowCount() == 0
    assert window.views["audit"].table.source.rowCount() == 0
    with qtbot.waitSignal(tl.loaded, timeout=30000):
        window.tabs.setCurrentWidget(tl)
    assert not tl.stale
    ben = _tracks(_observations(session, qtbot, "SYN-00002"))
    assert sorted((name, len(y)) for _p, name, _u, _x, y in tl._tracks) == ben
    shown = {(name, float(y[0])) for _p, name, _u, _x, y in tl._tracks}
    obs = _observations(session, qtbot, "SYN-00002")
    assert shown == {(str(g["display"].iloc[0]), float(g["value"].iloc[0]))
                     for _k, g in obs.groupby(["category", "code"])}


def test_late_result_of_the_previous_patient_never_reaches_a_hidden_view(window, session, store_path, passphrase,
                                                                        qtbot):
    _unlock(window, session, store_path, passphrase, qtbot)
    _open(window, session, qtbot, "SYN-00001")
    va = _show_tab(window, "variants", qtbot)
    assert va.table.source.rowCount() == 500
    gate = threading.Event()
    session.runner.submit(gate.wait, 10)           # hold the worker: what follows queues up behind it
    window.patients.select("SYN-00002")            # 1. Ben's profile is queued
    va.next.click()                                # 2. then page 2 of Ada's variants
    window.tabs.setCurrentWidget(window.views["overview"])   # 3. the variants tab is hidden
    gate.set()
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=20000)
    assert session.profile.id == "SYN-00002" and window.banner.name.text() == "Ben Synth"
    assert va.stale and va.table.source.rowCount() == 0 and va.total == 0   # Ada's page was dropped, not drawn
    with qtbot.waitSignal(va.loaded, timeout=30000):
        window.tabs.setCurrentWidget(va)
    assert va.offset == 0 and va.table.source.rowCount() == 500      # Ben's first page


def test_variant_filter_is_done_by_the_store(window, session, store_path, passphrase, qtbot):
    _unlock(window, session, store_path, passphrase, qtbot)
    _open_first(window, qtbot)
    va = _show_tab(window, "variants", qtbot)
    with qtbot.waitSignal(va.loaded, timeout=10000):
        va.gene.setText("CYP2C19")
        va.gene.editingFinished.emit()
    assert va.total == 1
    assert va.table.source.frame["gene"].tolist() == ["CYP2C19"]


def test_search_filters_the_list(window, session, store_path, passphrase, qtbot):
    _unlock(window, session, store_path, passphrase, qtbot)
    pl = window.patients
    qtbot.keyClicks(pl.search, "ben")
    assert pl.table.proxy.rowCount() == 1
    assert pl.table.proxy.index(0, 0).data() == "Ben Synth"
    pl.search.setText("MRN900002")                                 # identifiers are searched too
    assert pl.table.proxy.rowCount() == 1
    pl.search.setText("no such patient")
    assert pl.table.proxy.rowCount() == 0 and "0 of 8" in pl.count.text()
    pl.search.clear()
    assert pl.table.proxy.rowCount() == 8


def test_sorting_the_list_keeps_the_filter(window, session, store_path, passphrase, qtbot):
    _unlock(window, session, store_path, passphrase, qtbot)
    pl = window.patients
    pl.search.setText("synth")
    pl.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    born = [pl.table.proxy.index(r, 1).data() for r in range(pl.table.proxy.rowCount())]
    assert born == sorted(born, reverse=True) and len(born) == 8


def test_lock_clears_every_view_and_asks_to_unlock(window, session, store_path, passphrase, qtbot):
    _unlock(window, session, store_path, passphrase, qtbot)
    _open_first(window, qtbot)
    for view_id in window.views:                                  # fill every view first
        _show_tab(window, view_id, qtbot)
    assert window.views["wearables"].points > 0
    assert window.idle.active                                      # idle auto-lock armed while open
    with qtbot.waitSignal(session.locked, timeout=5000):
        window.actions["file.lock"].trigger()
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=10000)  # the store is closed on the worker
    assert not session.is_open and session.profile is None
    assert all(v.is_empty() for v in window.views.values())
    assert window.views["overview"].tables["conditions"].source.rowCount() == 0
    assert window.views["variants"].table.source.rowCount() == 0
    assert window.views["wearables"].points == 0
    assert window.patients.table.source.rowCount() == 0
    assert window.banner.name.text() == "No patient open"
    assert window._unlock is not None and window._unlock.isVisible()
    assert not window.idle.active


def test_idle_timeout_locks(window, session, store_path, passphrase, qtbot):
    _unlock(window, session, store_path, passphrase, qtbot)
    with qtbot.waitSignal(session.locked, timeout=5000):
        window.idle.idle.emit()                                    # what the single-shot timer does when it fires
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=10000)
    assert not session.is_open


def test_every_action_has_a_shortcut(window):
    assert all(not a.shortcut().isEmpty() for a in window.actions.values())
    assert window.actions["file.lock"].shortcut().toString() == "Ctrl+L"


def _demo_files(tmp_path):
    from workstation import demo
    from workstation.demo.cohort import make_cohort

    return demo.write_demo_files(tmp_path / "demo_files", make_cohort(1))


def _drop(window, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    window.dropEvent(ev)


def test_dropping_a_file_imports_it_with_progress(window, session, store_path, passphrase, qtbot, tmp_path):
    files = _demo_files(tmp_path)
    fhir = next(p for p in next(iter(files.values())) if p.name.endswith(".fhir.json"))
    _unlock(window, session, store_path, passphrase, qtbot)
    with qtbot.waitSignal(session.patients_loaded, timeout=60000):
        _drop(window, [fhir])
        dlg = window._import
        assert dlg is not None and dlg.isVisible()
        qtbot.waitSignal(dlg.finished_all, timeout=60000).wait()
    assert window.patients.table.source.rowCount() == 9
    assert dlg.bar.value() == 1000 and dlg.cancel_button.text() == "Close"


def test_cancelling_an_import_stores_nothing(window, session, store_path, passphrase, qtbot, tmp_path):
    files = _demo_files(tmp_path)
    fhir = next(p for p in next(iter(files.values())) if p.name.endswith(".fhir.json"))
    _unlock(window, session, store_path, passphrase, qtbot)
    gate = threading.Event()
    session.runner.submit(gate.wait, 10)           # hold the worker so the import is still queued when cancelled
    dlg = window.import_files([fhir])
    with qtbot.waitSignal(dlg.finished_all, timeout=60000) as blocker:
        dlg.cancel_button.click()
        gate.set()
    assert blocker.args == [[CANCELLED_TEXT]]
    counts: list[int] = []
    with qtbot.waitSignal(session.runner.busy_changed, check_params_cb=lambda b: b is False, timeout=10000):
        session.call(queries.patient_list, on_result=lambda df: counts.append(len(df)))
    assert counts == [8]

