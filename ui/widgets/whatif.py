"""What-if controls for one model: a slider per number, a choice per yes/no or category input.

Built from the model card's input specs (name, type, unit, validated range, categories) and the values taken from
the record. ``changed`` fires with :meth:`overrides` — only the inputs the user moved away from the recorded value
(or entered where the record has none). The panel does not score; its owner re-scores through the core registry.
Sliders span the validated range, widened to include a recorded value outside it (moving there shows the model's
refusal rather than silently clamping).
"""
from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QPushButton, QSlider,
                               QVBoxLayout, QWidget)

from ui.widgets.common import label
from ui.widgets.risk_format import short_name, unit_text

FIXED = ("sex",)              # identity inputs: shown in the inputs table, not adjustable
STEPS = 400                   # slider resolution across the range
NOT_RECORDED = "not recorded"


def _decimals(lo: float, hi: float) -> int:
    span = hi - lo
    return 0 if span >= 60 else 1 if span >= 6 else 3


class _Number(QWidget):
    changed = Signal()

    def __init__(self, spec: dict, value: float | None) -> None:
        super().__init__()
        lo, hi = (float(x) for x in spec["range"])
        if value is not None:
            lo, hi = min(lo, float(value)), max(hi, float(value))
        self.lo, self.hi, self.recorded = lo, hi, value
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STEPS)
        self.spin = QDoubleSpinBox()
        self.spin.setDecimals(_decimals(lo, hi))
        self.spin.setRange(lo, hi)
        self.spin.setSingleStep(10 ** -self.spin.decimals() if self.spin.decimals() else 1)
        self.spin.setSuffix(f" {unit_text(spec.get('unit', ''))}".rstrip())
        self.spin.setSpecialValueText(NOT_RECORDED)
        self.spin.setFixedWidth(150)   # '68 mL/min/1.73 m²' whole
        self.slider.setMinimumWidth(50)
        if value is None:              # the spin's minimum shows "not recorded" until the user moves the slider
            self.spin.setRange(lo - 10 ** -self.spin.decimals(), hi)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.reset()

    def _to_pos(self, v: float) -> int:
        return int(round((v - self.lo) / (self.hi - self.lo) * STEPS)) if self.hi > self.lo else 0

    def _from_slider(self, pos: int) -> None:
        v = self.lo + (self.hi - self.lo) * pos / STEPS
        with QSignalBlocker(self.spin):
            self.spin.setValue(round(v, self.spin.decimals()))
        self.changed.emit()

    def _from_spin(self, v: float) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._to_pos(max(self.lo, v)))
        self.changed.emit()

    def value(self) -> float | None:
        v = self.spin.value()
        return None if v < self.lo else v

    def set_value(self, v: float) -> None:
        """Set a value as if the user typed it (fires ``changed``)."""
        self.spin.setValue(v)

    def reset(self) -> None:
        with QSignalBlocker(self.slider), QSignalBlocker(self.spin):
            if self.recorded is None:
                self.spin.setValue(self.spin.minimum())
                self.slider.setValue(0)
            else:
                self.spin.setValue(round(float(self.recorded), self.spin.decimals()))
                self.slider.setValue(self._to_pos(float(self.recorded)))

    def is_changed(self) -> bool:
        v = self.value()
        if v is None or self.recorded is None:
            return v is not None
        return not math.isclose(v, round(float(self.recorded), self.spin.decimals()), abs_tol=1e-9)


class _Choice(QComboBox):
    def __init__(self, spec: dict, value: Any) -> None:
        super().__init__()
        self.setFixedWidth(150)
        self.recorded = value
        if value is None:
            self.addItem(NOT_RECORDED, None)
        if spec["type"] == "boolean":
            self.addItem("no", False)
            self.addItem("yes", True)
        else:
            for c in spec["categories"]:
                self.addItem(str(c).replace("_", " "), c)
        self.reset()

    def value(self) -> Any:
        return self.currentData()

    def reset(self) -> None:
        with QSignalBlocker(self):
            i = self.findData(self.recorded)
            self.setCurrentIndex(max(i, 0))

    def is_changed(self) -> bool:
        return self.value() != self.recorded


class WhatIfPanel(QWidget):
    """Controls for every adjustable input of one model. ``changed(dict)`` carries :meth:`overrides`."""

    changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        self.grid.setContentsMargins(0, 0, 0, 4)
        lay.addLayout(self.grid)
        row = QHBoxLayout()
        self.note = label("", name="hint", wrap=True)
        self.reset_button = QPushButton("Reset to recorded values")
        self.reset_button.clicked.connect(self.reset)
        row.addWidget(self.note, 1)
        row.addWidget(self.reset_button)
        lay.addLayout(row)
        lay.addStretch(1)
        self.controls: dict[str, QWidget] = {}
        self.set_inputs([], {})

    def set_inputs(self, specs: list[dict], recorded: dict[str, Any]) -> None:
        """Rebuild the controls for ``specs`` (card inputs) starting at the ``recorded`` values."""
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.controls = {}
        r = 0
        for spec in specs:
            name = spec["name"]
            if name in FIXED or (name == "race" and recorded.get(name) is not None):
                continue
            value = recorded.get(name)
            if spec["type"] == "number" and "range" in spec:
                ctl: QWidget = _Number(spec, None if value is None else float(value))
                ctl.changed.connect(self._emit)
            elif spec["type"] in ("boolean", "category"):
                ctl = _Choice(spec, value)
                ctl.currentIndexChanged.connect(self._emit)
            else:
                continue
            title = label(short_name(spec), name="muted", wrap=True)
            title.setToolTip(spec.get("description", name))
            title.setFixedWidth(128)
            self.grid.addWidget(title, r, 0)
            if isinstance(ctl, _Choice):
                self.grid.addWidget(ctl, r, 1, alignment=Qt.AlignmentFlag.AlignRight)
            else:
                self.grid.addWidget(ctl, r, 1)
            title.show()      # a layout shows new children only on the next event-loop turn; show them now
            ctl.show()
            self.controls[name] = ctl
            r += 1
        self.note.setText("Values you change here are not saved; the estimate beside them is marked what-if."
                          if self.controls else "This model has no adjustable inputs.")
        self.reset_button.setEnabled(bool(self.controls))

    def overrides(self) -> dict[str, Any]:
        """Inputs moved away from the record (value None = still not recorded, left out)."""
        out = {}
        for name, ctl in self.controls.items():
            if ctl.is_changed() and ctl.value() is not None:
                out[name] = ctl.value()
        return out

    def reset(self) -> None:
        for ctl in self.controls.values():
            ctl.reset()
        self._emit()

    def _emit(self, *_a) -> None:
        self.changed.emit(self.overrides())
