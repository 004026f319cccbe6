"""Labs & timeline: one track per lab or vital (values, unit, reference range), conditions and medications as
spans, a selectable day zero, linked x-axes and a crosshair that reads every track at the pointer."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from workstation.store import queries

from ui import theme
from workstation.display import number_text, unit_text
from ui.views._plot_axes import GridAxis, GridDateAxis, grid_axes
from ui.views.base import PatientView
from ui.widgets.common import label

TRACK_HEIGHT = 140
GRID_ALPHA = 0.15
YEAR_S = 365.25 * 86400


def _load(store, patient_id: str) -> dict:
    """Runs on the worker: everything this view shows, from the core queries."""
    return {"obs": queries.numeric_observations(store, patient_id),
            "spans": queries.timeline_spans(store, patient_id),
            "anchors": queries.day_zero_options(store, patient_id)}


def _epoch(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).astype("datetime64[ns]").astype("int64").to_numpy() / 1e9


class _Track:
    """One reusable lab/vital track: a PlotItem with its curve, reference band, one-sided limit line and crosshair.

    Building a PlotItem costs ~10 ms (view box, four axes, menus); a patient switch re-binds the tracks it already
    has with ``setData`` and friends instead, and builds only the ones it lacks."""

    def __init__(self, p: pg.PlotItem, line: pg.InfiniteLine, calendar: bool) -> None:
        tok = theme.current()
        self.p = p
        self.curve = p.plot([], [], symbol="o", symbolSize=6, symbolPen=None)
        self.band = pg.LinearRegionItem(values=(0, 1), movable=False, orientation="horizontal",
                                        brush=pg.mkBrush(tok.standard + "22"), pen=pg.mkPen(None))
        self.limit = pg.InfiniteLine(0.0, angle=0, pen=pg.mkPen(tok.standard, style=Qt.PenStyle.DashLine))
        p.addItem(self.band)
        p.addItem(self.limit)
        self.line = line
        self.calendar = calendar
        self.unbind()

    def unbind(self) -> None:
        """Drop the patient's data from the track (the objects stay for the next patient)."""
        self.curve.setData([], [])
        self.band.hide()
        self.limit.hide()
        self.line.hide()
        self.p.setTitle("")
        self.p.setLabel("bottom", None)


class _Spans:
    """The reusable conditions-and-medications plot: one bar per span and a text label per bar."""

    def __init__(self, p: pg.PlotItem, line: pg.InfiniteLine, calendar: bool) -> None:
        self.p = p
        self.line = line
        self.calendar = calendar
        p.getAxis("left").setTicks([[]])
        self.bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.6, pen=pg.mkPen(None))
        p.addItem(self.bars)
        self.texts: list[pg.TextItem] = []
        self.unbind()

    def unbind(self) -> None:
        self.bars.setOpts(x0=[], x1=[], y=[], brushes=None)
        self.bars.hide()
        self.line.hide()
        for ti in self.texts:
            ti.setText("")
            ti.hide()
        self.p.setTitle("")
        self.p.setLabel("bottom", None)


class TimelineView(PatientView):
    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        bar.addWidget(label("Day zero:"))
        self.anchor = QComboBox()
        self.anchor.setMinimumWidth(260)
        self.anchor.currentIndexChanged.connect(lambda _i: self._plot())
        bar.addWidget(self.anchor)
        bar.addSpacing(16)
        self.readout = label("", name="muted")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        bar.addWidget(self.readout, 1)
        lay.addLayout(bar)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.ci.setSpacing(4)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.glw)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        lay.addWidget(self.scroll, 1)
        self.note = label("", name="hint", wrap=True)
        lay.addWidget(self.note)
        self._data: dict | None = None
        self._pool: list[_Track] = []          # every track built so far, reused across patients
        self._in_layout: list[pg.PlotItem] = []
        self._tracks: list[tuple[pg.PlotItem, str, str, np.ndarray, np.ndarray]] = []
        self._lines: list[pg.InfiniteLine] = []
        self._span_x: list[np.ndarray] = []
        self._span_plot: pg.PlotItem | None = None     # shown for this patient (None: no spans)
        self._span: _Spans | None = None               # built once
        self._syncing = False
        self._proxy = pg.SignalProxy(self.glw.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved,
                                     threadSafe=False)

    # -- data ------------------------------------------------------------------------------------------------
    def show_patient(self, profile) -> None:
        self.fetch(_load, profile.id, key="timeline", on_result=self._loaded)

    def _loaded(self, data: dict) -> None:
        if self.profile is None:
            return
        self._data = data
        self.anchor.blockSignals(True)
        self.anchor.clear()
        self.anchor.addItem("Calendar date", "calendar")
        wanted = self.prefs.get("timeline/day_zero")
        for i, (key, text, when) in enumerate(data["anchors"]):
            self.anchor.addItem(f"{text} ({when:%Y-%m-%d})", (key, when))
            if key == wanted and self.anchor.currentIndex() == 0:
                self.anchor.setCurrentIndex(i + 1)
        self.anchor.blockSignals(False)
        self._plot()
        self.loaded.emit()

    def _anchor(self):
        """(key, when) of the chosen day zero, or None for calendar dates.

        Never reads an item whose data is None: PySide6 6.12.0 under-counts references to None when it converts an
        empty QVariant (``currentData()`` on such an item), which ends in a 'deallocating None' crash.
        """
        if self.anchor.currentIndex() <= 0:
            return None
        return self.anchor.currentData()

    def _x(self, t: np.ndarray) -> np.ndarray:
        a = self._anchor()
        if a is None:
            return t
        zero = pd.Timestamp(a[1]).timestamp()
        return (t - zero) / (YEAR_S if a[0] == "birth" else 86400.0)

    def _x_title(self) -> str:
        a = self._anchor()
        if a is None:
            return "Date"
        return "Age (years)" if a[0] == "birth" else f"Days since {self.anchor.currentText().split(' (')[0].lower()}"

    # -- plot items (built once, reused) ---------------------------------------------------------------------
    def _new_plot(self, calendar: bool) -> tuple[pg.PlotItem, pg.InfiniteLine, bool]:
        p = pg.PlotItem(axisItems=grid_axes(dates=calendar))
        p.showGrid(x=True, y=True, alpha=GRID_ALPHA)
        p.getAxis("left").setWidth(56)
        p.setMenuEnabled(False)
        p.hideButtons()
        p.enableAutoRange(x=False)
        p.setMinimumHeight(TRACK_HEIGHT - 10)
        p.sigXRangeChanged.connect(self._link_x)
        line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(theme.current().text_muted, width=1))
        line.hide()
        p.addItem(line, ignoreBounds=True)
        return p, line, calendar

    def _track(self, n: int, calendar: bool) -> _Track:
        while len(self._pool) <= n:
            self._pool.append(_Track(*self._new_plot(calendar)))
        tr = self._pool[n]
        self._set_axis(tr, calendar)
        return tr

    @staticmethod
    def _set_axis(holder, calendar: bool) -> None:
        if holder.calendar != calendar:
            holder.p.setAxisItems({"bottom": GridDateAxis(orientation="bottom") if calendar else GridAxis("bottom")})
            holder.p.updateGrid()      # the new axis draws the x grid too (showGrid would not: nothing changed)
            holder.calendar = calendar

    def _spans(self, calendar: bool) -> _Spans:
        if self._span is None:
            self._span = _Spans(*self._new_plot(calendar))
        self._set_axis(self._span, calendar)
        return self._span

    def _place(self, plots: list[pg.PlotItem]) -> None:
        """Put exactly ``plots`` into the layout, one per row, moving as few items as possible."""
        if self._in_layout == plots:
            return
        keep = 0
        while keep < min(len(plots), len(self._in_layout)) and plots[keep] is self._in_layout[keep]:
            keep += 1
        for p in self._in_layout[keep:]:
            self.glw.ci.removeItem(p)
        for row, p in enumerate(plots[keep:], start=keep):
            self.glw.ci.addItem(p, row=row, col=0)
        self._in_layout = list(plots)

    # -- drawing ---------------------------------------------------------------------------------------------
    def _plot(self) -> None:
        self._reset_plots()
        if self._data is None:
            return
        tok = theme.current()
        obs: pd.DataFrame = self._data["obs"]
        calendar = self._anchor() is None
        groups = list(obs.groupby(["category", "code"], sort=False)) if not obs.empty else []
        for n, ((_cat, _code), g) in enumerate(groups):
            tr = self._track(n, calendar)
            p = tr.p
            t = _epoch(g["effective"])
            x, y = self._x(t), g["value"].to_numpy(dtype=float)
            unit = unit_text(g["unit"].iloc[0])
            name = str(g["display"].iloc[0] or g["code"].iloc[0])
            p.setTitle(f"{name}  ({unit})" if unit else name, justify="left", size="10pt", color=tok.text)
            lo, hi = g["ref_low"].dropna(), g["ref_high"].dropna()
            if len(lo) and len(hi):
                tr.band.setRegion((float(lo.iloc[-1]), float(hi.iloc[-1])))
                tr.band.show()
            elif len(lo) or len(hi):                       # a one-sided reference: a dashed limit line
                tr.limit.setValue(float(lo.iloc[-1]) if len(lo) else float(hi.iloc[-1]))
                tr.limit.show()
            col = tok.series[n % len(tok.series)]
            tr.curve.setData(x, y, pen=pg.mkPen(col, width=1.5), symbolBrush=col)
            p.enableAutoRange(y=True)
            self._lines.append(tr.line)
            self._tracks.append((p, name, unit, x, y))
        spans: pd.DataFrame = self._data["spans"]
        if not spans.empty:
            self._plot_spans(spans, calendar)
        self._place(self._plots())
        rows = len(groups) + (1 if not spans.empty else 0)
        self.glw.setMinimumHeight(max(rows, 1) * TRACK_HEIGHT + (30 if spans.empty else 40 + 22 * len(spans)))
        if self._tracks or not spans.empty:
            self._plots()[-1].setLabel("bottom", self._x_title())
            xs = [x for _p, _n, _u, x, _y in self._tracks] + self._span_x
            lo, hi = min(float(np.min(x)) for x in xs if len(x)), max(float(np.max(x)) for x in xs if len(x))
            pad = (hi - lo) * 0.03 or 1.0
            self._syncing = True
            try:
                for p in self._plots():
                    p.setXRange(lo - pad, hi + pad, padding=0)
            finally:
                self._syncing = False
        self.note.setText("" if groups else "No numeric lab or vital-sign results for this patient.")

    def _plot_spans(self, spans: pd.DataFrame, calendar: bool) -> None:
        tok = theme.current()
        sp = self._spans(calendar)
        p = sp.p
        p.setTitle("Conditions and medications", justify="left", size="10pt", color=tok.text)
        start = self._x(_epoch(spans["start"]))
        end_t = _epoch(pd.to_datetime(spans["end"]).astype("datetime64[ns]").fillna(pd.Timestamp.now()))
        end = self._x(end_t)
        self._span_x = [start, end]
        ys = np.arange(len(spans))[::-1].astype(float)
        colors = [tok.series[1] if k == "condition" else tok.series[0] for k in spans["kind"]]
        sp.bars.setOpts(x0=start, x1=np.maximum(end, start + (end - start).max() * 0.004 + 1e-9), y=ys,
                     brushes=[pg.mkBrush(c + "aa") for c in colors])
        sp.bars.show()
        while len(sp.texts) < len(spans):
            ti = pg.TextItem("", color=tok.text, anchor=(0, 1))
            p.addItem(ti)
            sp.texts.append(ti)
        for ti, s, yv, text, kind in zip(sp.texts, start, ys, spans["label"], spans["kind"]):
            ti.setText(f"{text}" + ("" if kind == "condition" else " (medicine)"), color=tok.text)
            ti.setPos(float(s), float(yv) + 0.3)
            ti.show()
        p.setYRange(-0.8, len(spans), padding=0)
        p.setMinimumHeight(40 + 22 * len(spans))
        self._lines.append(sp.line)
        self._span_plot = p

    def _plots(self) -> list[pg.PlotItem]:
        return [t[0] for t in self._tracks] + ([self._span_plot] if self._span_plot is not None else [])

    def _link_x(self, vb, rng) -> None:
        """Linked x-axes by value (pyqtgraph's setXLink lines views up by pixel geometry, wrong before layout)."""
        if self._syncing:
            return
        self._syncing = True
        try:
            for p in self._plots():
                if p.vb is not vb:
                    p.setXRange(*rng, padding=0)
        finally:
            self._syncing = False

    def _mouse_moved(self, evt) -> None:
        pos = evt[0]
        for p in self._plots():
            if p.sceneBoundingRect().contains(pos):
                x = p.vb.mapSceneToView(pos).x()
                break
        else:
            return
        for line in self._lines:
            line.setPos(x)
            line.setVisible(True)
        a = self._anchor()
        if a is None:
            parts = [f"{datetime.fromtimestamp(max(x, 0)):%Y-%m-%d}"]
        else:
            parts = [f"age {x:.1f} y" if a[0] == "birth" else f"day {x:.0f}"]
        for _p, name, unit, xs, ys in self._tracks:
            if len(xs):
                i = int(np.clip(np.searchsorted(xs, x), 1, len(xs) - 1)) if len(xs) > 1 else 0
                i = i - 1 if len(xs) > 1 and abs(xs[i - 1] - x) < abs(xs[i] - x) else i
                parts.append(f"{name} {number_text(ys[i])} {unit}".strip())
        self.readout.setText(" · ".join(parts))

    def _reset_plots(self) -> None:
        """Empty every track and the span plot of patient data; the plot items stay built (and in the layout until
        the next :meth:`_place`), so nothing of the previous patient remains visible."""
        for tr in self._pool:
            tr.unbind()
        if self._span is not None:
            self._span.unbind()
        self._tracks.clear()
        self._lines.clear()
        self._span_x = []
        self._span_plot = None
        self.readout.setText("Point at a track to read every value at that time.")

    def clear(self) -> None:
        self._data = None
        self._reset_plots()
        if self.profile is None:      # locked (or closing): free the plot items now, not at interpreter exit
            self._release_plots()
        self.anchor.blockSignals(True)
        self.anchor.clear()
        self.anchor.blockSignals(False)
        self.note.setText("")

    def _release_plots(self) -> None:
        """Drop every pooled plot item. Plot items still alive when Python shuts down are deleted by PySide's exit
        clean-up, whose layout events call back into Python that is already finalising (a crash at exit)."""
        self.glw.clear()
        self._pool.clear()
        self._span = None
        self._in_layout = []

    def is_empty(self) -> bool:
        return super().is_empty() and not self._tracks and self._data is None


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(TimelineView))
