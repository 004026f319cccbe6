"""The combined timeline's lanes plot: medications and conditions as spans (one row each, ongoing ones open-ended
with an arrow at today), procedures, encounters and data imports as points, drawn from the core's
:class:`workstation.timeline.TimelineData`. Built once and re-bound per patient. Threading: GUI thread only."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from ui import theme
from workstation.timeline import LANE_TITLES, Event, TimeAxis, TimelineData

ROW_PX = 18
SPAN_LANES = ("medications", "conditions")
POINT_SYMBOL = {"procedures": "d", "encounters": "o", "data": "star"}
DATA_KIND = {"vcf": "genome (VCF)", "omics": "omics table", "wearable": "wearable data"}
DATA_ROW = {"vcf": "Genome (VCF)", "omics": "Omics", "wearable": "Wearables"}


@dataclass
class Row:
    y: float
    text: str                 # the tick label
    lane: str
    header: bool
    events: list[int]         # indices into TimelineData.events


def layout_rows(data: TimelineData) -> list[Row]:
    """Rows top to bottom: a header row per span lane followed by one row per distinct medicine or condition;
    one row per point lane (its title as the label)."""
    rows: list[Row] = []
    for lane in data.lanes():
        idx = [i for i, e in enumerate(data.events) if e.lane == lane]
        if lane in SPAN_LANES:
            rows.append(Row(0, LANE_TITLES[lane].upper(), lane, True, []))
            names: dict[str, list[int]] = {}
            for i in sorted(idx, key=lambda i: data.events[i].start):
                names.setdefault(data.events[i].label, []).append(i)
            rows += [Row(0, name, lane, False, ev) for name, ev in names.items()]
        elif lane == "data":         # one row per kind of file, so files imported together do not overlap
            rows.append(Row(0, LANE_TITLES[lane].upper(), lane, True, []))
            kinds: dict[str, list[int]] = {}
            for i in idx:
                kinds.setdefault(data.events[i].kind, []).append(i)
            order = sorted(kinds, key=lambda k: (list(DATA_ROW).index(k) if k in DATA_ROW else len(DATA_ROW), k))
            rows += [Row(0, DATA_ROW.get(k, k or "other data"), lane, False, kinds[k]) for k in order]
        else:
            rows.append(Row(0, LANE_TITLES[lane].upper(), lane, False, idx))
    n = len(rows)
    for k, r in enumerate(rows):
        r.y = float(n - 1 - k)
    return rows


def describe(e: Event, axis: TimeAxis) -> str:
    """One event in words for the read-out."""
    def when(t: float) -> str:
        return axis.text(float(axis.x([t])[0]))

    if e.lane == "data":
        what = DATA_KIND.get(e.kind, e.kind or "data")
        how = "values measured from" if e.dated_by == "measured" else "imported"
        return f"{e.label}: {what}, {how} {when(e.start)}. Click to open it."
    kind = {"medications": "medicine", "conditions": "condition", "procedures": "procedure",
            "encounters": "encounter"}[e.lane]
    text = f"{e.label} ({kind}{', ' + e.kind if e.lane == 'encounters' and e.kind else ''})"
    if e.is_span:
        verb = "started" if e.lane == "medications" else "onset"
        end = "ongoing" if e.ongoing else (f"until {when(e.end)}" if e.end is not None else "no end recorded")
        text += f": {verb} {when(e.start)}, {end}"
    else:
        text += f": {when(e.start)}" + (f" to {when(e.end)}" if e.end is not None and e.end > e.start else "")
    if e.status:
        text += f" · status {e.status}"
    if e.detail and e.lane == "medications":
        text += f" · {e.detail}"
    return text


class LanesPlot:
    """The lanes PlotItem and its reusable items (bars, ongoing arrows, points)."""

    def __init__(self, p: pg.PlotItem, line: pg.InfiniteLine, label_px: int = 200) -> None:
        self.p = p
        self.label_px = label_px - 18          # the axis skips a tick label wider than itself: elide to fit
        self.line = line
        self.rows: list[Row] = []
        self.data: TimelineData | None = None
        self.axis: TimeAxis | None = None
        p.setMouseEnabled(x=True, y=False)
        self.bars = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.56, pen=pg.mkPen(None))
        self.arrows = pg.ScatterPlotItem(size=11, pen=pg.mkPen(None))
        self.points = pg.ScatterPlotItem(size=10, hoverable=False)
        self.today = pg.InfiniteLine(angle=90, movable=False,
                                     pen=pg.mkPen(theme.current().text_muted, width=1, style=Qt.PenStyle.DotLine))
        for item in (self.bars, self.arrows, self.points):
            p.addItem(item)
        p.addItem(self.today, ignoreBounds=True)
        self.separators: list[pg.InfiniteLine] = []
        self.unbind()

    def unbind(self) -> None:
        self.rows, self.data, self.axis = [], None, None
        self.bars.setOpts(x0=[], x1=[], y=[], brushes=None)
        self.arrows.setData([])
        self.points.setData([])
        self.today.hide()
        for s in self.separators:
            s.hide()
        self.line.hide()
        self.p.getAxis("left").setTicks([[]])
        self.p.setLabel("bottom", None)

    def bind(self, data: TimelineData, axis: TimeAxis) -> None:
        tok = theme.current()
        colour = {"medications": tok.series[0], "conditions": tok.series[1], "procedures": tok.series[2],
                  "encounters": tok.series[3], "data": tok.series[4]}
        self.data, self.axis = data, axis
        self.rows = rows = layout_rows(data)
        x0, x1, ys, brushes, arrows, spots = [], [], [], [], [], []
        now = float(axis.x([data.now])[0])
        for r in rows:
            for i in r.events:
                e = data.events[i]
                s = float(axis.x([e.start])[0])
                if r.lane in SPAN_LANES:
                    end = now if e.ongoing else (float(axis.x([e.end])[0]) if e.end is not None else None)
                    if end is None:      # stopped with no end date: a short mark at the start
                        spots.append({"pos": (s, r.y), "symbol": "s", "brush": pg.mkBrush(colour[r.lane]),
                                      "pen": pg.mkPen(None), "size": 9, "data": i})
                        continue
                    x0.append(s)
                    x1.append(max(end, s))
                    ys.append(r.y)
                    brushes.append(pg.mkBrush(colour[r.lane] + ("aa" if e.ongoing else "77")))
                    if e.ongoing:
                        arrows.append({"pos": (now, r.y), "symbol": "t2", "brush": pg.mkBrush(colour[r.lane])})
                else:
                    big = r.lane == "encounters" and e.kind in ("IMP", "EMER", "ACUTE")
                    spots.append({"pos": (s, r.y), "symbol": "s" if big else POINT_SYMBOL[r.lane],
                                  "size": 12 if big or r.lane == "data" else 9,
                                  "brush": pg.mkBrush(colour[r.lane]), "pen": pg.mkPen(tok.plot_bg, width=1),
                                  "data": i})
        self.bars.setOpts(x0=x0, x1=x1, y=ys, brushes=brushes, height=0.56)
        self.arrows.setData(arrows)
        self.points.setData(spots)
        self.today.setPos(now)
        self.today.setVisible(any(e.ongoing for e in data.events))
        axis = self.p.getAxis("left")
        fm = QFontMetrics(axis.style.get("tickFont") or axis.font())
        axis.setTicks([[(r.y, fm.elidedText(r.text, Qt.TextElideMode.ElideRight, self.label_px)) for r in rows]])
        while len(self.separators) < len(rows):
            sep = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen(tok.plot_grid, width=1))
            self.p.addItem(sep, ignoreBounds=True)
            self.separators.append(sep)
        k = 0
        for a, b in zip(rows, rows[1:]):
            if a.lane != b.lane:
                self.separators[k].setPos(b.y + 0.5)
                self.separators[k].show()
                k += 1
        for s in self.separators[k:]:
            s.hide()
        self.p.setYRange(-0.6, len(rows) - 0.4, padding=0)
        h = max(len(rows), 2) * ROW_PX + 66          # rows, the title, the date ticks and the axis title
        self.p.setMinimumHeight(h)
        self.p.setMaximumHeight(h)

    def event_at(self, x: float, y: float, px: float) -> Event | None:
        """The event under (x, y) in view coordinates, ``px`` the width of one pixel in x."""
        if self.data is None or self.axis is None:
            return None
        row = next((r for r in self.rows if abs(r.y - y) <= 0.5), None)
        if row is None:
            return None
        best, best_d = None, 8 * px
        now = float(self.axis.x([self.data.now])[0])
        for i in row.events:
            e = self.data.events[i]
            s = float(self.axis.x([e.start])[0])
            end = now if e.ongoing else (float(self.axis.x([e.end])[0]) if e.end is not None else s)
            d = 0.0 if row.lane in SPAN_LANES and s <= x <= end else min(abs(x - s), abs(x - end))
            if d <= best_d:
                best, best_d = e, d
        return best

    def x_extent(self) -> tuple[float, float] | None:
        if self.data is None or self.axis is None or not self.data.events:
            return None
        ts = [t for e in self.data.events for t in (e.start, e.end) if t is not None]
        ts += [self.data.now for e in self.data.events if e.ongoing]
        x = self.axis.x(np.array(ts))
        return float(np.min(x)), float(np.max(x))
