"""A horizontal, signed bar chart of each input's contribution to a score (pyqtgraph ``BarGraphItem``).

Bars to the right raise the score, bars to the left lower it; the colours are the theme's alert tokens. Each bar's
label carries its value. The chart only draws what it is given (``Score.contributions`` from the core); updating
reuses the same items, so it can be called on every what-if slider move.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from ui import theme

MAX_BARS = 12
AXIS_WIDTH = 250


class ContributionChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMenuEnabled(False)
        self.hideButtons()
        self.setMouseEnabled(x=False, y=False)
        self.showGrid(x=True, y=False, alpha=0.15)
        self.setMinimumHeight(160)
        t = theme.current()
        self.bars = pg.BarGraphItem(x0=[], width=[], y=[], height=0.62, pen=pg.mkPen(None), brushes=[])
        self.addItem(self.bars)
        self.zero = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(t.plot_fg, width=1))
        self.addItem(self.zero)
        self.values: np.ndarray = np.zeros(0)
        self.labels: list[str] = []
        left = self.getAxis("left")
        left.setStyle(tickLength=0)
        left.setWidth(AXIS_WIDTH)
        self.getAxis("bottom").enableAutoSIPrefix(False)

    def set_contributions(self, contributions: dict[str, float], *, names: dict[str, str] | None = None,
                          scale: str = "") -> None:
        """Draw ``{input: contribution}`` (largest magnitude on top); ``names`` maps inputs to display names."""
        names = names or {}
        items = sorted(contributions.items(), key=lambda kv: abs(kv[1]), reverse=True)[:MAX_BARS]
        items = [(k, v) for k, v in items if abs(v) > 1e-9]
        items.reverse()                       # pyqtgraph's y grows upwards: the largest bar is drawn on top
        vals = np.array([v for _, v in items], dtype=float)
        self.values = vals
        self.labels = [f"{names.get(k, k)}   {v:+.2f}" for k, v in items]
        t = theme.current()
        y = np.arange(len(vals), dtype=float)
        brushes = [pg.mkBrush(t.avoid if v > 0 else t.standard) for v in vals]
        self.bars.setOpts(x0=np.minimum(vals, 0.0), width=np.abs(vals), y=y, height=0.62, brushes=brushes,
                          pen=pg.mkPen(None), pens=None)
        self.getAxis("left").setTicks([[(float(i), lab) for i, lab in enumerate(self.labels)]])
        # the axis label must fit under a narrow plot: keep the unit, drop a parenthetical gloss
        # ("log hazard ratio (linear predictor)" -> "log hazard ratio"); the full scale is the tooltip
        self.getAxis("bottom").setLabel(scale.split(" (")[0] if len(scale) > 24 else scale)
        self.setToolTip(scale)
        span = float(np.abs(vals).max()) if len(vals) else 1.0
        pad = 0.08 * span if span > 0 else 1.0
        lo = min(0.0, float(vals.min()) if len(vals) else 0.0) - pad
        hi = max(0.0, float(vals.max()) if len(vals) else 0.0) + pad
        self.setXRange(lo, hi, padding=0)
        self.setYRange(-0.6, max(len(vals) - 0.4, 0.6), padding=0)

    def clear_chart(self) -> None:
        self.set_contributions({})
