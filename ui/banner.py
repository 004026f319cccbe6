"""The patient banner, always visible: who this is, key diagnoses, allergies, drug alerts for the current medicines,
the genomic indicators (every actionable phenotype, whatever the medicines) and a field to check any medicine.

Everything shown comes from the patient's one analysis (``ui.alerts.from_analysis``, ``analysis.indicators``,
``analysis.check_medicine``); the banner computes nothing. Pills wrap onto new lines (``FlowLayout``) so the window
never grows past the screen; each pill carries a shape (✖ ▲ ! ✓ ?) besides its colour. Indicator pills take their
words from :func:`workstation.pgx.indicators.indicator_words`, including any per-gene notes (e.g. completeness).
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.alerts import Alert, chip_name, chip_text
from ui.widgets.common import label
from ui.widgets.flow import FlowLayout
from workstation.pgx.indicators import indicator_words

MAX_CHIPS = 5
SEX = {"female": "female", "male": "male", "other": "other sex", "unknown": "sex unknown"}


MAX_PILL_CHARS = 48
MAX_INDICATORS = 6      # more are summarised in one "+N more" pill (its tooltip names them)
WHO_WIDTH = 320


def wrap_tip(text: str) -> str:
    """A tooltip as rich text, which Qt wraps (a plain-text tooltip is one line as wide as its text)."""
    return "<p style='white-space:pre-wrap'>" + escape(text).replace("\n", "<br>") + "</p>"


def _chip(text: str, name: str = "chip", tip: str = "") -> QLabel:
    short = text if len(text) <= MAX_PILL_CHARS else text[:MAX_PILL_CHARS - 1] + "…"
    w = label(short, name=name)
    w.setToolTip(wrap_tip(tip or text))
    return w


class DrugChip(QLabel):
    """A pill that opens evidence: ``clicked(drug)`` on a left click, or on Enter/Space when it has the keyboard
    focus (Tab reaches it). Styled by the theme as ``QLabel#alert_*``. Drug alerts ("✖ warfarin: avoid") and
    genomic indicators ("✖ DPYD Poor Metabolizer") are both DrugChips (an indicator opens its most serious drug)."""

    clicked = Signal(str)

    def __init__(self, text: str, level, drug: str, tip: str) -> None:
        super().__init__(text if len(text) <= MAX_PILL_CHARS else text[:MAX_PILL_CHARS - 1] + "…")
        self.drug = drug
        self.level = level
        self.setObjectName(chip_name(level))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(wrap_tip(tip))

    @classmethod
    def for_alert(cls, alert: Alert, medications: list[str]) -> "DrugChip":
        recorded = "Recorded as: " + "; ".join(medications) if medications else ""
        tip = "\n".join(t for t in (recorded, alert.text, alert.source,
                                     "Click to open the evidence in Pharmacogenomics.") if t)
        return cls(chip_text(alert.drug, alert.level), alert.level, alert.drug, tip)

    @classmethod
    def for_indicator(cls, ind) -> "DrugChip":
        from workstation.levels import symbol

        label_, sentence = indicator_words(ind)
        drug = ind.drugs[0][0] if ind.drugs else ""
        return cls(f"{symbol(ind.level)} {label_}", ind.level, drug,
                   sentence + "\nClick to open the evidence in Pharmacogenomics.")

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
    """A title and a wrapping row of pills."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.lay = QHBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(6)
        self.title = label(title, name="muted")
        self.title.setFixedWidth(90)
        self.title.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.lay.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        self.box = QWidget()
        self.flow = FlowLayout(self.box)
        self.lay.addWidget(self.box, 1)
        self.chips: list[QLabel] = []

    def set_chips(self, chips: list[QLabel]) -> None:
        for c in self.chips:
            self.flow.removeWidget(c)
            c.hide()
            c.deleteLater()
        self.chips = list(chips)
        for c in self.chips:
            self.flow.addWidget(c)
            c.show()
        self.flow.invalidate()

    def texts(self) -> list[str]:
        return [c.text() for c in self.chips]


class PatientBanner(QFrame):
    """``drug_clicked(drug)``: a drug-alert or indicator pill was activated; ``drug`` is the CPIC drug name.
    ``check_requested(text)``: the clinician typed a medicine in the check field (Enter); the window answers with
    :meth:`show_check`."""

    drug_clicked = Signal(str)
    check_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 10, 18, 10)
        outer.setSpacing(6)
        lay = QHBoxLayout()
        lay.setSpacing(24)
        outer.addLayout(lay)
        who = QWidget()
        who.setMaximumWidth(WHO_WIDTH)
        wl = QVBoxLayout(who)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.setSpacing(2)
        self.name = label("", name="bannerName", selectable=True, wrap=True)
        self.details = label("", name="muted", selectable=True, wrap=True)
        wl.addWidget(self.name)
        wl.addWidget(self.details)
        wl.addStretch(1)
        lay.addWidget(who, 2)
        facts = QVBoxLayout()
        facts.setSpacing(4)
        self.diagnoses = _ChipRow("Diagnoses")
        self.allergies = _ChipRow("Allergies")
        self.alerts = _ChipRow("Drug alerts")
        self.indicators = _ChipRow("Genomics")
        self.indicators.title.setToolTip(wrap_tip(
            "Genomic indicators: every actionable pharmacogenomic result (a non-normal phenotype of a gene with CPIC "
            "level A/B drugs), whatever the medicines. Click one to open its evidence."))
        for r in (self.diagnoses, self.allergies, self.alerts, self.indicators):
            facts.addWidget(r)
        lay.addLayout(facts, 5)
        check = QHBoxLayout()
        check.setSpacing(8)
        self.check = QLineEdit(placeholderText="Check a medicine (Ctrl+K): generic, brand or abbreviation, Enter")
        self.check.setClearButtonEnabled(True)
        self.check.setFixedWidth(WHO_WIDTH)
        self.check.setToolTip(wrap_tip("Type any drug to see what CPIC says for this patient before prescribing "
                                       "it, e.g. capecitabine, Xeloda or 5-FU; press Enter."))
        self.check.returnPressed.connect(lambda: self.check_requested.emit(self.check.text()))
        self.check_result = DrugChip("", "no_guidance", "", "")
        self.check_result.clicked.connect(self.drug_clicked)
        self.check_result.setVisible(False)
        self.check_text = label("", name="hint", wrap=True, selectable=True)
        check.addWidget(self.check, 0, Qt.AlignmentFlag.AlignTop)
        check.addWidget(self.check_result, 0, Qt.AlignmentFlag.AlignTop)
        check.addWidget(self.check_text, 1)
        outer.addLayout(check)
        self.clear()

    def focus_check(self) -> None:
        self.check.setFocus()
        self.check.selectAll()

    def show_check(self, result) -> None:
        """Show a ``workstation.pgx.check.MedicineCheck`` (None clears)."""
        from workstation.levels import Level

        if result is None:
            self.check_result.setVisible(False)
            self.check_text.setText("")
            return
        level = Level(result.level)
        self.check_result.setObjectName(chip_name(level))
        self.check_result.level = level
        self.check_result.drug = result.drug or ""
        self.check_result.setText(chip_text(result.drug or result.query, level))
        self.check_result.setToolTip(wrap_tip(result.sentence + ("\nClick to open the evidence in "
                                                                 "Pharmacogenomics." if result.drug else "")))
        self.check_result.setVisible(result.status not in ("empty", "ambiguous", "no_guidance"))
        self.check_result.style().unpolish(self.check_result)
        self.check_result.style().polish(self.check_result)
        text = result.sentence if len(result.sentence) <= 200 else result.sentence[:199] + "… (hover for all)"
        self.check_text.setText(text)
        self.check_text.setToolTip(wrap_tip(result.sentence))

    def set_indicators(self, indicators) -> None:
        """Genomic indicators of the analysis (None: not computed; the row is hidden)."""
        self.indicators.setVisible(indicators is not None)
        if indicators is None:
            return
        chips = []
        for ind in indicators[:MAX_INDICATORS]:
            chip = DrugChip.for_indicator(ind)
            chip.clicked.connect(self.drug_clicked)
            chips.append(chip)
        rest = list(indicators[MAX_INDICATORS:])
        if rest:
            chips.append(_chip(f"+{len(rest)} more", tip="\n".join(indicator_words(i)[1] for i in rest)))
        self.indicators.set_chips(chips or [label("No actionable pharmacogenomic result (genes without a result "
                                                  "are not normal: see Pharmacogenomics)", name="hint")])

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
        self.set_indicators(None)
        self.show_check(None)
        self.check.clear()
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
            chip = DrugChip.for_alert(a, recorded.get(drug, []))
            chip.clicked.connect(self.drug_clicked)
            chips.append(chip)
        self.alerts.set_chips(chips or [label("No drug–gene alerts for the current medicines", name="hint")])

    def clear(self) -> None:
        self.name.setText("No patient open")
        self.details.setText("Choose a patient from the list, or import files with Ctrl+I.")
        self.diagnoses.set_chips([])
        self.allergies.set_chips([])
        self.set_alerts(None)
        self.set_indicators(None)
        self.show_check(None)
        self.check.clear()
        self.check.setEnabled(False)
        self.diagnoses.setVisible(False)
        self.allergies.setVisible(False)

    def showing_patient(self) -> bool:
        return self.diagnoses.isVisibleTo(self)

    def show_rows(self) -> None:
        self.check.setEnabled(True)
        self.diagnoses.setVisible(True)
        self.allergies.setVisible(True)
