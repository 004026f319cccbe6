"""Wearables on a real store: day/week/month/year buttons, earlier/later and reset, x-only zoom, samples at day
scale and per-day summaries beyond, units on the axes, and an empty state that says there is no data."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

DAY = 86400.0


def _view(session, prefs, qtbot, pid):
    from ui.views.wearables import WearablesView

    view = WearablesView(session, prefs)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=30000):
        session.open_patient(pid)
    return view


def _span_days(view) -> float:
    lo, hi = view.x_range()
    return (hi - lo) / DAY


def test_scale_buttons_set_the_span_and_what_is_drawn(open_session, prefs, qtbot):
    view = _view(open_session, prefs, qtbot, "SYN-00001")        # 20 days of minute heart rate
    assert view.points == 20 * 1440 and view.mode == "daily"      # the whole record: per-day summaries
    assert view.plot.getAxis("left").labelText == "Heart rate (/min)"
    assert [view.legend.items[i][1].text for i in range(len(view.legend.items))] == \
        ["range per day (lowest to highest)", "mean per day"]
    assert view.plot.getAxis("bottom").labelText.startswith("Date and time")
    assert not view.curve.isVisible() and view.range_bars.isVisible() and view.mean_line.isVisible()
    qtbot.mouseClick(view.scale_buttons["day"], Qt.MouseButton.LeftButton)
    assert _span_days(view) == pytest.approx(1.0) and view.mode == "samples"
    assert view.curve.isVisible() and not view.range_bars.isVisible()
    assert view.plot.getAxis("left").labelText == "Heart rate (/min)"
    assert view.scale_buttons["day"].isChecked() and not view.scale_buttons["week"].isChecked()
    last = float(view.curve.xData[-1])
    assert view.x_range()[1] == pytest.approx(last)                # ends at the last sample
    qtbot.mouseClick(view.earlier, Qt.MouseButton.LeftButton)
    assert view.x_range()[1] == pytest.approx(last - DAY) and _span_days(view) == pytest.approx(1.0)
    qtbot.mouseClick(view.later, Qt.MouseButton.LeftButton)
    assert view.x_range()[1] == pytest.approx(last)
    qtbot.mouseClick(view.scale_buttons["week"], Qt.MouseButton.LeftButton)
    assert _span_days(view) == pytest.approx(7.0) and view.mode == "daily"
    assert view.scale_buttons["week"].isChecked() and not view.scale_buttons["day"].isChecked()
    for key, days in (("month", 30), ("year", 365)):
        qtbot.mouseClick(view.scale_buttons[key], Qt.MouseButton.LeftButton)
        assert _span_days(view) == pytest.approx(days) and view.scale_buttons[key].isChecked()
    qtbot.mouseClick(view.reset, Qt.MouseButton.LeftButton)
    first, last = float(view.curve.xData[0]), float(view.curve.xData[-1])
    lo, hi = view.x_range()
    assert lo <= first and hi >= last and (hi - lo) < (last - first) * 1.05
    assert not any(b.isChecked() for b in view.scale_buttons.values())   # 20 days is none of the scales


def test_zoom_is_time_only(open_session, prefs, qtbot):
    view = _view(open_session, prefs, qtbot, "SYN-00001")
    vb = view.plot.getPlotItem().getViewBox()
    assert vb.state["mouseEnabled"] == [True, False]
    qtbot.mouseClick(view.scale_buttons["day"], Qt.MouseButton.LeftButton)
    lo, hi = vb.viewRange()[1]
    day = (view.curve.xData >= view.x_range()[0]) & (view.curve.xData <= view.x_range()[1])
    shown = view.curve.yData[day]
    assert lo <= shown.min() and hi >= shown.max()                 # y follows the visible day's samples


def test_steps_are_daily_totals(open_session, prefs, qtbot):
    view = _view(open_session, prefs, qtbot, "SYN-00001")
    with qtbot.waitSignal(view.loaded, timeout=30000):
        view.metric_box.setCurrentIndex(view.metric_box.findData("steps"))
    assert view.mode == "daily" and view.total_bars.isVisible()
    assert view.plot.getAxis("left").labelText == "Steps per day (steps)"
    assert "steps per day" in view.summary.text()
    assert "needs minute-level steps" not in view.note.text()


def test_empty_state_says_there_is_no_data(open_session, prefs, qtbot):
    view = _view(open_session, prefs, qtbot, "SYN-00005")        # a patient with no wearable data
    assert view.stack.currentWidget() is view.empty and view.empty.isVisible()
    assert "No wearable data for this patient" in view.empty.text()
    assert view.points == 0 and view.metric_box.count() == 0
    qtbot.mouseClick(view.scale_buttons["day"], Qt.MouseButton.LeftButton)   # nothing to zoom: no error
    assert view.points == 0
