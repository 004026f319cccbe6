"""Labs & timeline on a real store: the combined timeline's lanes, bands from FHIR referenceRange, out-of-range
marks by shape, day zero at a medicine's start, x-only zoom and reset, a read-out that wraps, and data imports
that open their view."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.core.test_timeline import story
from workstation.ingest.fhir import import_fhir
from workstation.store import Store, Unlock


@pytest.fixture
def story_session(session, store_path, passphrase, qtbot, tmp_path):
    """The synthetic store plus the FHIR story patient 'p1' imported through the real importer."""
    f = tmp_path / "story.json"
    f.write_text(json.dumps(story()), encoding="utf-8")
    s = Store.open(store_path, Unlock(passphrase=passphrase))
    try:
        import_fhir(s, f)
    finally:
        s.close()
    with qtbot.waitSignal(session.patients_loaded, timeout=20000):
        session.unlock(store_path, passphrase=passphrase, use_keyring=False)
    return session


def _view(session, prefs, qtbot, pid):
    from ui.views.timeline import TimelineView

    view = TimelineView(session, prefs)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=30000):
        session.open_patient(pid)
    return view


def _track(view, key):
    return next(t for t in view._bound if t.track.key == key)


def test_band_and_marks_from_fhir_reference_range(story_session, prefs, qtbot):
    view = _view(story_session, prefs, qtbot, "p1")
    egfr = _track(view, "33914-3")
    assert egfr.band.isVisible() and egfr.band.getRegion() == pytest.approx((90.0, 120.0))
    assert egfr.curve.opts["symbol"] == ["o", "t", "t"]        # ▼ for the two values below the range
    assert "reference 90–120" in egfr.p.titleLabel.text and "2 of 3 outside" in egfr.p.titleLabel.text
    lo, hi = egfr.p.vb.viewRange()[1]
    assert lo <= 57 and hi >= 120                               # values and band both in view
    inr = _track(view, "6301-6")
    assert not inr.band.isVisible() and "no reference range in the record" in inr.p.titleLabel.text
    assert inr.curve.opts["symbol"] == ["t1"]                   # the record's HH: ▲
    hb_apart = _track(view, "718-7|mmol/L")                     # never under the g/dL track's label
    assert "(mmol/L)" in hb_apart.p.titleLabel.text and "recorded in mmol/L" in hb_apart.p.titleLabel.text
    assert "shown converted to mg/dL" in view.note.text() and "shown apart" in view.note.text()
    lanes = view._lanes
    assert [r.text.strip() for r in lanes.rows][:3] == ["MEDICATIONS", "Amlodipine 5 MG", "Warfarin 5 MG"]
    assert len(lanes.arrows.data) == 2                          # warfarin and hypertension are ongoing


def test_day_zero_at_a_medicine_start(story_session, prefs, qtbot):
    view = _view(story_session, prefs, qtbot, "p1")
    assert view.axis.title == "Date" and view.day_zero().key == "calendar"   # calendar dates by default
    assert view.set_day_zero("medication", "warfarin")
    assert view.axis.title == "Years since start of Warfarin 5 MG"
    assert view._lanes.p.getAxis("bottom").labelText == view.axis.title
    assert view._bound[-1].p.getAxis("bottom").labelText == view.axis.title
    warfarin_row = next(r for r in view._lanes.rows if r.text.strip() == "Warfarin 5 MG")
    x0 = view._lanes.bars.opts["x0"][list(view._lanes.bars.opts["y"]).index(warfarin_row.y)]
    assert x0 == pytest.approx(0.0)
    assert prefs.get("timeline/day_zero") == "medication"
    assert view.set_day_zero("birth")
    assert view.axis.title == "Age (years)"
    egfr = _track(view, "33914-3")
    assert float(egfr.curve.xData[-1]) == pytest.approx(62.0, abs=0.05)   # 2022-06-01, born 1960-06-15
    assert not view.set_day_zero("medication", "no such medicine")


def test_zoom_is_x_only_linked_and_resets(story_session, prefs, qtbot):
    view = _view(story_session, prefs, qtbot, "p1")
    full = view.x_range()
    egfr = _track(view, "33914-3")
    y_before = egfr.p.vb.viewRange()[1]
    assert not egfr.p.vb.state["mouseEnabled"][1] and egfr.p.vb.state["mouseEnabled"][0]
    centre = view.glw.mapFromScene(egfr.p.vb.sceneBoundingRect().center())
    for _ in range(3):                                                       # three wheel steps, zooming in
        ev = QWheelEvent(QPointF(centre), QPointF(view.glw.viewport().mapToGlobal(centre)), QPoint(0, 0),
                         QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                         Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.glw.viewport(), ev)
    zoomed = view.x_range()
    assert zoomed[1] - zoomed[0] < (full[1] - full[0]) * 0.8
    assert egfr.p.vb.viewRange()[1] == pytest.approx(y_before)                # y untouched
    for p in view._plots():                                                  # every plot follows
        assert tuple(p.vb.viewRange()[0]) == pytest.approx(zoomed)
    qtbot.mouseClick(view.reset, Qt.MouseButton.LeftButton)
    assert view.x_range() == pytest.approx(full)


def test_read_out_wraps_and_never_widens(story_session, prefs, qtbot):
    view = _view(story_session, prefs, qtbot, "p1")
    width = view.width()
    lanes = view._lanes
    row = next(r for r in lanes.rows if r.text.strip() == "Warfarin 5 MG")
    x = float(view.axis.x(np.array([lanes.data.events[row.events[0]].start + 86400 * 30]))[0])
    text = view.read_at(x, row.y, lanes.p)
    assert "Warfarin 5 MG (medicine): started 2020-01-01, ongoing" in text and "eGFR" in text
    view.readout.setText(text * 8)                       # far longer than any window is wide
    assert view.readout.wordWrap() and view.minimumSizeHint().width() < width
    assert view.readout.sizeHint().width() <= width and view.width() == width


def test_data_import_opens_its_view(open_session, prefs, qtbot):
    view = _view(open_session, prefs, qtbot, "SYN-00001")
    lanes = view._lanes
    rows = [r for r in lanes.rows if r.lane == "data"]
    assert [r.text for r in rows] == ["GENOME & OMICS DATA", "Genome (VCF)", "Omics", "Wearables"]
    kinds = {lanes.data.events[i].open_view for r in rows for i in r.events}
    assert kinds == {"variants", "omics", "wearables"}
    spot = next(s for s in lanes.points.points() if lanes.data.events[s.data()].open_view == "variants")
    view.fit_x()
    scene = lanes.p.vb.mapViewToScene(spot.pos())
    pos = view.glw.mapFromScene(scene)
    with qtbot.waitSignal(view.open_view, timeout=3000) as sig:
        qtbot.mouseClick(view.glw.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == ["variants"]
    assert "genome (VCF)" in view.readout.text()


def test_the_window_opens_the_view_a_timeline_event_names(session, prefs, store_path, qtbot):
    from ui.main_window import MainWindow

    win = MainWindow(session, prefs, store_path=store_path)
    qtbot.addWidget(win)
    win.views["timeline"].open_view.emit("omics")
    assert win.tabs.currentWidget() is win.views["omics"]
    win.views["timeline"].open_view.emit("no-such-view")
    assert win.tabs.currentWidget() is win.views["omics"]
