"""Labs & timeline: the combined timeline on top (medications, conditions, procedures, encounters and genome/omics
data on one set of lanes), one track per lab or vital below it on the same x-axis (values in one unit, the reference
range as a band, out-of-range values marked by shape as well as colour), a chosen day zero, x-only zoom with reset,
and a read-out that wraps. Everything shown comes from :func:`workstation.timeline.load` (the core); this module
only draws it. Threading: GUI thread; the load runs on the runner's worker."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout,
                               QWidget)

from ui import theme
from ui.views._lanes import LanesPlot, describe
from ui.views._plot_axes import GridAxis, GridDateAxis, grid_axes
from ui.views.base import PatientView
from ui.widgets.common import label
from workstation import timeline as tl
from workstation.display import number_text

TRACK_HEIGHT = 130
READOUT_LINES = 3             # the read-out's fixed height: longer text is cut at a whole item, with an ellipsis
GRID_ALPHA = 0.15
LEFT_AXIS_PX = 200            # every plot's left axis has this width, so their x-axes line up
FLAG_SYMBOL = {"H": "t1", "L": "t", "A": "d", "N": "o", "": "o"}   # ▲ above, ▼ below, ◆ abnormal (record's flag)
FLAG_WORD = {"H": "above range", "L": "below range", "A": "abnormal", "N": "", "": ""}
LEGEND = ("Shaded band: the reference range from the record. ▲ above it, ▼ below it, ◆ flagged abnormal by the "
          "record. Drag or wheel to zoom the time axis; Reset shows everything.")


def _load(store, patient_id: str):
    """Runs on the worker: the assembled timeline (core)."""
    return tl.load(store, patient_id)


class _Track:
    """One reusable lab/vital track: a PlotItem with its curve, reference band, limit lines and crosshair.

    Building a PlotItem costs ~10 ms (view box, four axes, menus); a patient switch re-binds the tracks it already
    has with ``setData`` and friends instead, and builds only the ones it lacks."""

    def __init__(self, p: pg.PlotItem, line: pg.InfiniteLine, calendar: bool) -> None:
        tok = theme.current()
        self.p = p
        self.curve = p.plot([], [], symbol="o", symbolSize=7)
        self.band = pg.LinearRegionItem(values=(0, 1), movable=False, orientation="horizontal",
                                        brush=pg.mkBrush(tok.standard + "26"), pen=pg.mkPen(None))
        self.limits = [pg.InfiniteLine(0.0, angle=0, pen=pg.mkPen(tok.standard, width=1, style=Qt.PenStyle.DashLine))
                       for _ in range(2)]
        p.addItem(self.band, ignoreBounds=True)
        for lim in self.limits:
            p.addItem(lim, ignoreBounds=True)
        self.line = line
        self.calendar = calendar
        self.track: tl.LabTrack | None = None
        self.title = ""
        self.styles = {"out_brush": pg.mkBrush(tok.avoid), "out_pen": pg.mkPen(tok.text, width=1),
                       "no_pen": pg.mkPen(None)}
        self.unbind()

    def unbind(self) -> None:
        """Drop the patient's data from the track (the objects stay for the next patient). The title is hidden, not
        rewritten: setting a plot title re-lays out rich text, the largest cost of a patient switch."""
        self.curve.setData([], [])
        self.band.hide()
        for lim in self.limits:
            lim.hide()
        self.line.hide()
        self.track = None
        self.p.titleLabel.setVisible(False)

    def bind(self, track: tl.LabTrack, x: np.ndarray, colour: str) -> None:
        tok = theme.current()
        self.track = track
        lo, hi = track.y_range()
        if track.low is not None or track.high is not None:
            b_lo = track.low if track.low is not None else lo - (hi - lo) * 10
            b_hi = track.high if track.high is not None else hi + (hi - lo) * 10
            self.band.setRegion((b_lo, b_hi))
            self.band.show()
            for lim, v in zip(self.limits, (track.low, track.high)):
                if v is not None:
                    lim.setValue(v)
                    lim.show()
        flags = track.flags
        out = [f in ("H", "L", "A") for f in flags]
        st = self.styles
        if any(out):
            brush = pg.mkBrush(colour)
            self.curve.setData(x, track.y, pen=pg.mkPen(colour, width=1.5),
                               symbol=[FLAG_SYMBOL[f] for f in flags], symbolSize=[11 if o else 7 for o in out],
                               symbolBrush=[st["out_brush"] if o else brush for o in out],
                               symbolPen=[st["out_pen"] if o else st["no_pen"] for o in out])
        else:                        # one style for every point: pyqtgraph's fast path
            self.curve.setData(x, track.y, pen=pg.mkPen(colour, width=1.5), symbol="o", symbolSize=7,
                               symbolBrush=colour, symbolPen=st["no_pen"])
        title = _title(track)
        if title != self.title:
            self.p.setTitle(title, justify="left", size="10pt", color=tok.text)
            self.title = title
        else:
            self.p.titleLabel.setVisible(True)
        self.p.enableAutoRange(y=False)
        self.p.setYRange(lo, hi, padding=0)


def _title(t: tl.LabTrack) -> str:
    unit = t.unit_label
    name = f"{t.name} ({unit})" if unit else t.name
    if t.low is not None and t.high is not None:
        ref = f"reference {number_text(t.low)}–{number_text(t.high)}"
    elif t.high is not None:
        ref = f"reference ≤ {number_text(t.high)}"
    elif t.low is not None:
        ref = f"reference ≥ {number_text(t.low)}"
    else:
        ref = "no reference range in the record"
    n_out = t.out_of_range
    outside = f" · {n_out} of {len(t.y)} outside" if n_out else ""
    return f"{name}  ·  {ref}{outside}"


class TimelineView(PatientView):

    TABLES = frozenset({"observations", "medications", "conditions", "procedures", "encounters", "allergies"})
    open_view = Signal(str)     # a data event was clicked: the id of the view that shows that file's data

    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        bar.addWidget(label("Day zero:"))
        self.anchor = QComboBox()
        self.anchor.setMinimumWidth(240)
        self.anchor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.anchor.currentIndexChanged.connect(self._anchor_changed)
        bar.addWidget(self.anchor)
        self.reset = QPushButton("Reset zoom")
        self.reset.setToolTip("Show the whole record on the time axis")
        self.reset.clicked.connect(self.fit_x)
        bar.addWidget(self.reset)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.readout = label("", name="muted", wrap=True)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)   # wraps, never widens
        self.readout.setFixedHeight(QFontMetrics(self.readout.font()).lineSpacing() * READOUT_LINES + 4)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.readout)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.ci.setSpacing(4)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.glw)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        lay.addWidget(self.scroll, 1)
        self.note = label("", name="hint", wrap=True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.note)
        self._data: tl.TimelineData | None = None
        self.axis: tl.TimeAxis | None = None
        self._pool: list[_Track] = []          # every track built so far, reused across patients
        self._in_layout: list[pg.PlotItem] = []
        self._tracks: list[tuple[pg.PlotItem, str, str, np.ndarray, np.ndarray]] = []
        self._bound: list[_Track] = []
        self._lines: list[pg.InfiniteLine] = []
        self._lanes: LanesPlot | None = None
        self._lanes_shown = False
        self._syncing = False
        self._proxy = pg.SignalProxy(self.glw.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved,
                                     threadSafe=False)

    # -- data ------------------------------------------------------------------------------------------------
    def show_patient(self, profile) -> None:
        self.fetch(_load, profile.id, key="timeline", on_result=self._loaded)

    def _loaded(self, data: tl.TimelineData) -> None:
        if self.profile is None:
            return
        self._data = data
        self.anchor.blockSignals(True)
        self.anchor.clear()
        wanted = self.prefs.get("timeline/day_zero")
        for i, z in enumerate(data.day_zeros):
            self.anchor.addItem(z.label if z.when is None else f"{z.label} ({z.when:%Y-%m-%d})", i)
        idx = next((i for i, z in enumerate(data.day_zeros) if z.key == wanted), 0)
        self.anchor.setCurrentIndex(idx)
        self.anchor.blockSignals(False)
        self._plot()
        self.loaded.emit()

    def _anchor_changed(self, _i: int) -> None:
        z = self.day_zero()
        if z is not None and self._data is not None:
            self.prefs.set("timeline/day_zero", z.key)
        self._plot()

    def day_zero(self) -> tl.DayZero | None:
        """The chosen day zero. Reads the combo's index, never an item's data that could be None (PySide6 6.12.0
        under-counts references to None when it converts an empty QVariant, which ends in a crash)."""
        if self._data is None or self.anchor.currentIndex() < 0:
            return None
        return self._data.day_zeros[min(self.anchor.currentIndex(), len(self._data.day_zeros) - 1)]

    def set_day_zero(self, key: str, label_contains: str = "") -> bool:
        """Choose the first day zero of ``key`` (and whose label contains ``label_contains``); False if none."""
        if self._data is None:
            return False
        for i, z in enumerate(self._data.day_zeros):
            if z.key == key and label_contains.lower() in z.label.lower():
                self.anchor.setCurrentIndex(i)
                return True
        return False

    # -- plot items (built once, reused) ---------------------------------------------------------------------
    def _new_plot(self, calendar: bool) -> tuple[pg.PlotItem, pg.InfiniteLine, bool]:
        p = pg.PlotItem(axisItems=grid_axes(dates=calendar))
        p.showGrid(x=True, y=True, alpha=GRID_ALPHA)
        p.getAxis("left").setWidth(LEFT_AXIS_PX)
        p.setMenuEnabled(False)
        p.hideButtons()
        p.enableAutoRange(x=False)
        p.setMouseEnabled(x=True, y=False)          # zoom and pan the time axis only
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

    def _lanes_plot(self, calendar: bool) -> LanesPlot:
        if self._lanes is None:
            p, line, cal = self._new_plot(calendar)
            p.showGrid(x=True, y=False, alpha=GRID_ALPHA)
            p.setMinimumHeight(60)
            self._lanes = LanesPlot(p, line, LEFT_AXIS_PX)
            self._lanes.calendar = cal
            self._lanes.points.sigClicked.connect(self._point_clicked)
        self._set_axis(self._lanes, calendar)
        return self._lanes

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
        data, zero = self._data, self.day_zero()
        if data is None or zero is None:
            return
        tok = theme.current()
        self.axis = axis = data.axis(zero)
        calendar = axis.calendar
        plots: list[pg.PlotItem] = []
        if data.events:
            lanes = self._lanes_plot(calendar)
            lanes.bind(data, axis)
            lanes.p.setTitle("Combined timeline", justify="left", size="10pt", color=tok.text)
            self._lines.append(lanes.line)
            self._lanes_shown = True
            plots.append(lanes.p)
        for n, track in enumerate(data.tracks):
            tr = self._track(n, calendar)
            x = axis.x(track.t)
            tr.bind(track, x, tok.series[n % len(tok.series)])
            self._lines.append(tr.line)
            self._bound.append(tr)
            self._tracks.append((tr.p, track.name, track.unit_label, x, track.y))
            plots.append(tr.p)
        self._place(plots)
        self.glw.setMinimumHeight(max(sum(int(p.minimumHeight()) + 4 for p in plots) + 40, 120))
        if plots:
            labelled = {id(plots[-1])} | ({id(self._lanes.p)} if self._lanes_shown else set())
            for p in plots:              # the last plot and the lanes (never scrolled away) name the axis and unit
                want = axis.title if id(p) in labelled else ""
                ax = p.getAxis("bottom")
                if (ax.labelText or "") != want or ax.label.isVisible() != bool(want):
                    p.setLabel("bottom", want or None)
                    if not want:
                        p.showLabel("bottom", False)
            self.fit_x()
        notes = [t.note for t in data.tracks if t.note]
        if not data.tracks:
            notes.insert(0, "No numeric lab or vital-sign results for this patient.")
        if not data.events:
            notes.insert(0, "No medicines, conditions, procedures, encounters or data imports recorded.")
        self.note.setText(" ".join(notes + [LEGEND]) if data.tracks or data.events else " ".join(notes))

    def fit_x(self) -> None:
        """Show the whole record (and today, for ongoing spans) on the time axis."""
        if self._data is None or self.axis is None:
            return
        xs = [(float(np.min(x)), float(np.max(x))) for _p, _n, _u, x, _y in self._tracks if len(x)]
        if self._lanes_shown and self._lanes is not None and (ext := self._lanes.x_extent()) is not None:
            xs.append(ext)
        if not xs:
            return
        lo, hi = min(a for a, _ in xs), max(b for _, b in xs)
        pad = (hi - lo) * 0.03 or (86400.0 if self.axis.calendar else 1.0)
        self._syncing = True
        try:
            for p in self._plots():
                p.setXRange(lo - pad, hi + pad, padding=0)
        finally:
            self._syncing = False

    def _plots(self) -> list[pg.PlotItem]:
        lanes = [self._lanes.p] if self._lanes_shown and self._lanes is not None else []
        return lanes + [t[0] for t in self._tracks]

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

    def x_range(self) -> tuple[float, float]:
        """The time axis's visible range (all plots share it)."""
        plots = self._plots()
        return tuple(plots[0].vb.viewRange()[0]) if plots else (0.0, 1.0)

    # -- read-out and clicks ---------------------------------------------------------------------------------
    def _mouse_moved(self, evt) -> None:
        pos = evt[0]
        for p in self._plots():
            if p.sceneBoundingRect().contains(pos):
                v = p.vb.mapSceneToView(pos)
                break
        else:
            return
        self.read_at(v.x(), v.y(), p)

    def read_at(self, x: float, y: float | None = None, plot: pg.PlotItem | None = None) -> str:
        """Move the crosshair to ``x`` and describe it: the event under the pointer on the lanes, or every track's
        nearest value (with its flag). Returns the read-out text."""
        if self.axis is None:
            return ""
        for line in self._lines:
            line.setPos(x)
            line.setVisible(True)
        parts = [self.axis.text(x)]
        if plot is not None and self._lanes is not None and plot is self._lanes.p and y is not None:
            e = self._lanes.event_at(x, y, plot.vb.viewPixelSize()[0])
            if e is not None:
                parts.append(describe(e, self.axis))
        for tr in self._bound:
            t = tr.track
            xs = self.axis.x(t.t)
            if not len(xs):
                continue
            i = int(np.argmin(np.abs(xs - x)))
            flag = FLAG_WORD[t.flags[i]]
            parts.append(f"{t.name} {number_text(t.y[i])} {t.unit_label}".strip() + (f" ({flag})" if flag else ""))
        text = " · ".join(parts)
        self.readout.setText(self._fit(parts))
        return text

    def _fit(self, parts: list[str]) -> str:
        """As many read-out items as fit in :data:`READOUT_LINES` wrapped lines (then '…')."""
        fm = QFontMetrics(self.readout.font())
        width = max(self.readout.width(), 200)
        limit = fm.lineSpacing() * READOUT_LINES + 2
        flags = int(Qt.TextFlag.TextWordWrap)
        for n in range(len(parts), 0, -1):
            text = " · ".join(parts[:n]) + (" · …" if n < len(parts) else "")
            if fm.boundingRect(0, 0, width, 10000, flags, text).height() <= limit:
                return text
        return parts[0]

    def _point_clicked(self, _item, points, _ev=None) -> None:
        if points is None or len(points) == 0 or self._data is None:
            return
        i = points[0].data()
        if i is None:
            return
        e = self._data.events[int(i)]
        if self.axis is not None:
            self.readout.setText(describe(e, self.axis))
        if e.open_view:
            self.open_view.emit(e.open_view)

    def _reset_plots(self) -> None:
        """Empty every track and the lanes of patient data; the plot items stay built (and in the layout until the
        next :meth:`_place`), so nothing of the previous patient remains visible."""
        for tr in self._pool:
            tr.unbind()
        if self._lanes is not None:
            self._lanes.unbind()
        self._lanes_shown = False
        self._tracks.clear()
        self._bound.clear()
        self._lines.clear()
        self.axis = None
        self.readout.setText("Point at the timeline or a track to read it; click a data import to open it.")

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
        self._lanes = None
        self._in_layout = []

    def is_empty(self) -> bool:
        return super().is_empty() and not self._tracks and self._data is None


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(TimelineView))
