"""Wearables: one metric over up to a year of minute-level samples, like the health apps people use. Day / week /
month / year buttons, earlier / later, and x-only zoom with reset; up to a couple of days the samples themselves are
drawn (with dates on the axis), beyond that the per-day summaries (range bars, mean, resting heart rate, or daily
totals), with the combined timeline's events (a new medicine, an admission) as annotations. Units on every axis;
an empty state that says there is no data. Everything comes from :mod:`workstation.wearable_summary` (core).
pyqtgraph's peak downsampling and clip-to-view keep zooming a full year (525,600 points) smooth.
Threading: GUI thread; the loads run on the runner's worker."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QHBoxLayout, QPushButton, QSizePolicy, QStackedWidget,
                               QVBoxLayout, QWidget)

from ui import theme
from ui.views._plot_axes import GridAxis, GridDateAxis
from ui.views.base import PatientView
from ui.widgets.common import Card, label
from workstation import wearable_summary as ws
from workstation.store import queries

DAY_S = 86400.0
ANNOTATION_COLOURS = {"medications": 0, "conditions": 1, "procedures": 2, "encounters": 3}


def _load_metric(store, patient_id: str, metric: str, days: int):
    """Runs on the worker: one metric with its summaries and annotations (core)."""
    return ws.load_metric(store, patient_id, metric, days=days)


def _load_first(store, patient_id: str, days: int) -> dict:
    """Runs on the worker: the patient's metrics and, in the same job, the one shown first (heart rate when there is
    one), so a patient switch waits for one round trip to the worker, not two."""
    metrics = queries.wearable_metrics(store, patient_id)
    out = {"metrics": metrics, "first": None}
    if not metrics.empty:
        names = metrics["metric"].tolist()
        out["first"] = ws.load_metric(store, patient_id, "heart_rate" if "heart_rate" in names else names[0],
                                      days=days)
    return out


def _blend(colour: str, background: str, alpha: float) -> str:
    """``colour`` at ``alpha`` over ``background``, as one opaque colour (#rrggbb)."""
    c, b = QColor(colour), QColor(background)
    mix = [round(x * alpha + y * (1 - alpha)) for x, y in zip(c.getRgb()[:3], b.getRgb()[:3])]
    return "#" + "".join(f"{v:02x}" for v in mix)


class DayDateAxis(GridDateAxis):
    """A date axis whose hour-level ticks carry the date at midnight and on the first tick ('Tue 3 Mar' above
    '08:00' would need two rows; one row reads '3 Mar 00:00')."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        if spacing >= DAY_S or not values:
            return super().tickStrings(values, scale, spacing)
        out = []
        for i, v in enumerate(values):
            d = datetime.fromtimestamp(float(v))
            out.append(d.strftime("%d %b %H:%M") if i == 0 or (d.hour == 0 and d.minute == 0) else d.strftime("%H:%M"))
        return out


class WearablesView(PatientView):

    TABLES = frozenset({"wearable_samples"})
    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        tok = theme.current()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(10)
        bar = QHBoxLayout()
        bar.addWidget(label("Metric:"))
        self.metric_box = QComboBox()
        self.metric_box.setMinimumWidth(240)
        self.metric_box.currentIndexChanged.connect(self._metric_changed)
        bar.addWidget(self.metric_box)
        bar.addSpacing(12)
        self.scale_group = QButtonGroup(self)
        self.scale_buttons: dict[str, QPushButton] = {}
        for key in ws.SCALES:
            b = QPushButton(key.capitalize())
            b.setCheckable(True)
            b.setToolTip(f"Show one {key} ending at the right edge of the plot")
            b.clicked.connect(lambda _c=False, k=key: self.show_scale(k))
            self.scale_group.addButton(b)
            self.scale_buttons[key] = b
            bar.addWidget(b)
        self.earlier = QPushButton("◀")
        self.earlier.setToolTip("Earlier")
        self.earlier.clicked.connect(lambda: self.step(-1))
        self.later = QPushButton("▶")
        self.later.setToolTip("Later")
        self.later.clicked.connect(lambda: self.step(1))
        self.reset = QPushButton("Reset zoom")
        self.reset.setToolTip("Show all the data loaded")
        self.reset.clicked.connect(self.reset_zoom)
        for b in (self.earlier, self.later, self.reset):
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.summary = label("", name="muted", wrap=True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.summary)
        self.stack = QStackedWidget()
        self.card = Card("")
        self.plot = pg.PlotWidget(axisItems={"left": GridAxis("left"), "bottom": DayDateAxis(orientation="bottom")})
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=True, y=False)        # wheel and drag act on time only
        self.plot.getAxis("left").setWidth(78)            # room for the rotated label beside the tick values
        self.plot.getPlotItem().getViewBox().setAutoVisible(y=True)
        self.plot.enableAutoRange(y=True)
        self.plot.setLabel("bottom", "Date and time (this computer's time zone)")
        # a year of minute samples is drawn as a dense min/max envelope: without antialiasing a frame is ~1/3 faster
        self.curve = self.plot.plot(pen=pg.mkPen(tok.series[0], width=1), antialias=False)
        # opaque colours (pre-blended with the plot background): Qt's raster engine fills translucent shapes far
        # more slowly, and these are drawn on every zoom frame (see ui/views/_plot_axes.py)
        self.range_bars = pg.BarGraphItem(x=[], y0=[], y1=[], width=DAY_S * 0.7, pen=pg.mkPen(None),
                                          brush=pg.mkBrush(_blend(tok.series[0], tok.plot_bg, 0.33)))
        self.total_bars = pg.BarGraphItem(x=[], y0=[], y1=[], width=DAY_S * 0.7, pen=pg.mkPen(None),
                                          brush=pg.mkBrush(tok.series[0] + "cc"))
        self.mean_line = pg.PlotDataItem(pen=pg.mkPen(tok.series[0], width=1.5), symbol="o", symbolSize=3,
                                         symbolPen=None, symbolBrush=tok.series[0], antialias=False)
        self.resting_line = pg.PlotDataItem(pen=pg.mkPen(tok.series[1], width=1.5, style=Qt.PenStyle.DashLine),
                                            symbol="t", symbolSize=5, symbolPen=None, symbolBrush=tok.series[1],
                                            antialias=False)
        for item in (self.range_bars, self.total_bars, self.mean_line, self.resting_line):
            self.plot.addItem(item)
        self.legend = self.plot.addLegend(offset=(10, 6), labelTextColor=tok.text)
        self.card.body.addWidget(self.plot)
        self.stack.addWidget(self.card)
        self.empty = label("No wearable data for this patient.", name="hint", wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        lay.addWidget(self.stack, 1)
        self.note = label("", name="hint", wrap=True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.note)
        self._metrics = pd.DataFrame()
        self._annotations: list[pg.InfiniteLine] = []
        self.data: ws.MetricData | None = None
        self.points = 0
        self.force_raw = False          # benchmarks: draw the samples at every scale
        self.mode = ""                  # "samples" | "daily" (what the plot shows at the current span)
        self.plot.sigXRangeChanged.connect(self._range_changed)
        self._show_empty("")

    # -- data ------------------------------------------------------------------------------------------------
    def show_patient(self, profile) -> None:
        self.fetch(_load_first, profile.id, int(self.prefs.get("wearables/window_days")), key="wear-series",
                   on_result=self._first_loaded)

    def _first_loaded(self, data: dict) -> None:
        df, first = data["metrics"], data["first"]
        self._metrics = df
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        for m, n in zip(df["metric"], df["n"]):
            self.metric_box.addItem(f"{ws.title(m)} ({n:,} samples)", m)
        if first is not None:
            self.metric_box.setCurrentIndex(max(self.metric_box.findData(first.metric), 0))
        self.metric_box.blockSignals(False)
        if first is None:
            self._show_empty("No wearable data for this patient: nothing from a watch, ring or phone has been "
                             "imported (File ▸ Import accepts Apple Health, Fitbit and wearable CSV files).")
            self.loaded.emit()
            return
        self._series_loaded(first)

    def _metric_changed(self, *_a) -> None:
        if self.metric_box.currentIndex() < 0 or self.profile is None:   # no currentData() of nothing (PySide6 6.12)
            return
        self.fetch(_load_metric, self.profile.id, self.metric_box.currentData(),
                   int(self.prefs.get("wearables/window_days")), key="wear-series", on_result=self._series_loaded)

    def _series_loaded(self, data: ws.MetricData) -> None:
        if self.profile is None:
            return
        self.data = data
        t = data.series["t"].to_numpy(dtype=float)
        if not len(t):
            self._show_empty(f"No {ws.title(data.metric).lower()} samples in the period loaded.")
            self.loaded.emit()
            return
        self.stack.setCurrentWidget(self.card)
        unit = data.unit_label
        self.card.title.setText(f"{ws.title(data.metric)} ({unit})" if unit else ws.title(data.metric))
        self.curve.setData(t, data.series["value"].to_numpy(dtype=float))
        self.points = len(t)
        self._bind_daily(data)
        self._bind_annotations(data)
        notes = ["Times are shown in this computer's time zone; days are summarised in UTC."]
        if data.metric == "heart_rate":
            notes.append(data.resting_basis)
        self.note.setText(" ".join(notes))
        self.summary.setText(data.last_days())
        self.mode = ""
        self.plot.setXRange(t[0], t[-1], padding=0.01)
        self._range_changed()
        self.loaded.emit()

    def _bind_daily(self, d: ws.MetricData) -> None:
        self.legend.clear()
        daily = d.daily
        x = daily["t"].to_numpy(dtype=float) if not daily.empty else np.array([])
        if d.summed:
            tot = daily["total"].to_numpy(dtype=float) if len(x) else x
            self.total_bars.setOpts(x=x, y0=np.zeros(len(x)), y1=tot, width=DAY_S * 0.7)
            self.range_bars.setOpts(x=[], y0=[], y1=[])
            self.mean_line.setData([], [])
            self.legend.addItem(self.total_bars, f"total per day ({d.unit_label})")
        else:
            lo, hi = (daily["min"].to_numpy(dtype=float), daily["max"].to_numpy(dtype=float)) if len(x) else (x, x)
            self.range_bars.setOpts(x=x, y0=lo, y1=hi, width=DAY_S * 0.7)
            self.total_bars.setOpts(x=[], y0=[], y1=[])
            self.mean_line.setData(x, daily["mean"].to_numpy(dtype=float) if len(x) else x)
            self.legend.addItem(self.range_bars, "range per day (lowest to highest)")
            self.legend.addItem(self.mean_line, "mean per day")
        r = d.resting
        if r is not None and not r.empty:
            self.resting_line.setData(r["t"].to_numpy(dtype=float), r["resting"].to_numpy(dtype=float))
            self.legend.addItem(self.resting_line, "resting heart rate per day")
        else:
            self.resting_line.setData([], [])
        self.legend.setVisible(False)

    def _bind_annotations(self, d: ws.MetricData) -> None:
        tok = theme.current()
        for line in self._annotations:
            self.plot.removeItem(line)
        self._annotations = []
        for a in d.annotations:
            col = tok.series[ANNOTATION_COLOURS.get(a.lane, 0) % len(tok.series)]
            line = pg.InfiniteLine(pos=a.t, angle=90, movable=False,
                                   pen=pg.mkPen(col, width=1.5, style=Qt.PenStyle.DashLine), label=a.text,
                                   labelOpts={"position": 0.97, "color": tok.text,
                                              "fill": pg.mkBrush(tok.surface + "dd")})
            self.plot.addItem(line, ignoreBounds=True)
            self._annotations.append(line)

    # -- scales and zoom ---------------------------------------------------------------------------------------
    def _extent(self) -> tuple[float, float] | None:
        x = self.curve.xData
        if x is None or not len(x):
            return None
        return float(x[0]), float(x[-1])

    def show_scale(self, key: str, *, end: float | None = None) -> None:
        """Show one day/week/month/year ending at ``end`` (epoch s), else at the right edge of what is shown now
        (never past the last sample)."""
        ext = self._extent()
        if ext is None:
            return
        span = ws.SCALES[key] * DAY_S
        right = min(self.plot.getViewBox().viewRange()[0][1] if end is None else end, ext[1])
        left = max(right - span, ext[0] - DAY_S * 0.5)
        self.plot.setXRange(left, left + span, padding=0)
        self.scale_buttons[key].setChecked(True)

    def step(self, direction: int) -> None:
        """Move by one visible span, earlier (-1) or later (+1), within the data."""
        ext = self._extent()
        if ext is None:
            return
        lo, hi = self.plot.getViewBox().viewRange()[0]
        span = hi - lo
        lo = min(max(lo + direction * span, ext[0] - span * 0.05), ext[1] - span * 0.95)
        self.plot.setXRange(lo, lo + span, padding=0)

    def reset_zoom(self) -> None:
        ext = self._extent()
        if ext is not None:
            self.plot.setXRange(ext[0], ext[1], padding=0.01)

    def x_range(self) -> tuple[float, float]:
        return tuple(self.plot.getViewBox().viewRange()[0])

    def _check_scale(self, key: str | None) -> None:
        """Check the button of the scale shown (none after a free zoom)."""
        if key is not None:
            self.scale_buttons[key].setChecked(True)
            return
        self.scale_group.setExclusive(False)           # an exclusive group cannot have every button unchecked
        for b in self.scale_buttons.values():
            b.setChecked(False)
        self.scale_group.setExclusive(True)

    def _range_changed(self, *_a) -> None:
        """Samples up to a couple of days, per-day summaries beyond; the y label names what is drawn, with unit."""
        if self.data is None:
            return
        lo, hi = self.x_range()
        span_days = (hi - lo) / DAY_S
        mode = "samples" if self.force_raw or span_days <= ws.RAW_MAX_DAYS or self.data.daily.empty else "daily"
        self._check_scale(next((k for k, d in ws.SCALES.items() if abs(span_days - d) <= d * 0.15), None))
        if mode == self.mode:
            return
        self.mode = mode
        raw = mode == "samples"
        self.curve.setVisible(raw)
        for item in (self.range_bars, self.total_bars, self.mean_line):
            item.setVisible(not raw)
        self.resting_line.setVisible(not raw)
        self.legend.setVisible(not raw)
        unit = self.data.unit_label         # short enough for a 768-pixel screen; the legend says what is drawn
        name = ws.title(self.data.metric)
        what = f"{name} per day" if self.data.summed and not raw else name
        self.plot.setLabel("left", f"{what} ({unit})" if unit else what)

    # -- empty and clear -------------------------------------------------------------------------------------
    def _show_empty(self, text: str) -> None:
        self._clear_plots()
        self.empty.setText(text or "No patient open.")
        self.stack.setCurrentWidget(self.empty)

    def _clear_plots(self) -> None:
        self.curve.setData([], [])
        for item in (self.range_bars, self.total_bars):
            item.setOpts(x=[], y0=[], y1=[])
        self.mean_line.setData([], [])
        self.resting_line.setData([], [])
        for line in self._annotations:
            self.plot.removeItem(line)
        self._annotations = []
        self.legend.clear()
        self.data = None
        self.mode = ""
        self.points = 0

    def clear(self) -> None:
        self._metrics = pd.DataFrame()
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        self.metric_box.blockSignals(False)
        self._show_empty("Loading wearable data…" if self.profile is not None else "")
        self.summary.setText("")
        self.note.setText("")
        self.card.title.setText("")


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(WearablesView))
