"""The patient banner, always visible: who this is, key diagnoses, allergies, and drug alerts."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.alerts import LEVEL_TEXT, Alert
from ui.widgets.common import label

MAX_CHIPS = 5
SEX = {"female": "female", "male": "male", "other": "other sex", "unknown": "sex unknown"}


def _chip(text: str, name: str = "chip", tip: str = "") -> QLabel:
    w = label(text, name=name)
    w.setToolTip(tip or text)
    return w


class DrugChip(QLabel):
    """A drug-alert chip ("warfarin: adjust") that opens the drug's evidence: ``clicked(drug)`` on a left click,
    or on Enter/Space when it has the keyboard focus (Tab reaches it). Styled by the theme as ``QLabel#alert_*``."""

    clicked = Signal(str)

    def __init__(self, alert: Alert, medications: list[str]) -> None:
        super().__init__(f"{alert.drug}: {LEVEL_TEXT.get(alert.level, alert.level)}")
        self.drug = alert.drug
        self.setObjectName(f"alert_{alert.level}")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        recorded = "Recorded as: " + "; ".join(medications) if medications else ""
        self.setToolTip("\n".join(t for t in (recorded, alert.text, alert.source,
                                               "Click to open the evidence in Pharmacogenomics.") if t))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()              # a plain QLabel ignores the press, and the release would go elsewhere
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.drug)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.drug)
            return
        super().keyPressEvent(event)


class _ChipRow(QWidget):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.lay = QHBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(6)
        self.title = label(title, name="muted")
        self.title.setMinimumWidth(90)
        self.lay.addWidget(self.title)
        self.lay.addStretch(1)

    def set_chips(self, chips: list[QLabel]) -> None:
        while self.lay.count() > 2:
            item = self.lay.takeAt(1)
            if item.widget():
                item.widget().deleteLater()
        for i, c in enumerate(chips):
            self.lay.insertWidget(1 + i, c)

    def texts(self) -> list[str]:
        return [self.lay.itemAt(i).widget().text() for i in range(1, self.lay.count() - 1)]


class PatientBanner(QFrame):
    """``drug_clicked(drug)``: a drug-alert chip was activated; ``drug`` is the CPIC drug name."""

    drug_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(18, 12, 18, 12)
        lay.setSpacing(24)
        who = QVBoxLayout()
        who.setSpacing(2)
        self.name = label("", name="bannerName", selectable=True)
        self.details = label("", name="muted", selectable=True)
        who.addWidget(self.name)
        who.addWidget(self.details)
        who.addStretch(1)
        lay.addLayout(who, 2)
        facts = QVBoxLayout()
        facts.setSpacing(6)
        self.diagnoses = _ChipRow("Diagnoses")
        self.allergies = _ChipRow("Allergies")
        self.alerts = _ChipRow("Drug alerts")
        for r in (self.diagnoses, self.allergies, self.alerts):
            facts.addWidget(r)
        lay.addLayout(facts, 5)
        self.clear()

    def show_patient(self, profile) -> None:
        age = profile.age()
        born = profile.birth_date
        parts = [f"{age} years" if age is not None else "age unknown", SEX.get(profile.sex or "unknown", profile.sex),
                 f"born {born:%d %b %Y}" if born else "", f"ID {profile.id}"]
        self.name.setText(profile.name)
        self.details.setText("  ·  ".join(p for p in parts if p))
        cond = profile.active_conditions()
        names = list(dict.fromkeys(cond["display"].dropna().astype(str))) if not cond.empty else []
        chips = [_chip(n) for n in names[:MAX_CHIPS]]
        if len(names) > MAX_CHIPS:
            chips.append(_chip(f"+{len(names) - MAX_CHIPS} more", tip=", ".join(names[MAX_CHIPS:])))
        self.diagnoses.set_chips(chips or [label("None recorded", name="hint")])
        al = profile.allergies
        achips = []
        for _, r in al.iterrows() if not al.empty else []:
            crit = str(r.get("criticality") or "")
            text = str(r.get("display") or "unnamed substance") + (f" ({crit})" if crit and crit != "None" else "")
            achips.append(_chip(text, "alert_avoid" if crit == "high" else "chip"))
        self.allergies.set_chips(achips or [label("None recorded (not the same as no allergies)", name="hint")])
        self.set_alerts(None)
        self.show_rows()

    def set_alerts(self, alerts: list[Alert] | None) -> None:
        """Traffic-light drug alerts for this patient (None: not computed; the row is hidden)."""
        self.alerts.setVisible(alerts is not None)
        if alerts is None:
            return
        first: dict[str, Alert] = {}          # one chip per CPIC drug, at its most severe level (alerts come sorted)
        recorded: dict[str, list[str]] = {}
        for a in alerts:
            first.setdefault(a.drug, a)
            if a.medication and a.medication not in recorded.setdefault(a.drug, []):
                recorded[a.drug].append(a.medication)
        chips = []
        for drug, a in list(first.items())[:8]:
            chip = DrugChip(a, recorded.get(drug, []))
            chip.clicked.connect(self.drug_clicked)
            chips.append(chip)
        self.alerts.set_chips(chips or [label("No drug–gene alerts for the current medicines", name="hint")])

    def clear(self) -> None:
        self.name.setText("No patient open")
        self.details.setText("Choose a patient from the list, or import files with Ctrl+I.")
        self.diagnoses.set_chips([])
        self.allergies.set_chips([])
        self.set_alerts(None)
        self.diagnoses.setVisible(False)
        self.allergies.setVisible(False)

    def showing_patient(self) -> bool:
        return self.diagnoses.isVisibleTo(self)

    def show_rows(self) -> None:
        self.diagnoses.setVisible(True)
        self.allergies.setVisible(True)
