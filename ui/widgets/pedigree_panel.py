"""The side panel of the family view: the selected person's details (each change is one edit) and the hereditary
risk summary. Thin bindings: widgets emit ``edit(op, args, kwargs)``; the view sends them to the core.

Threading: GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from html import escape

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QSpinBox, QTextBrowser, QWidget)

from ui.widgets.common import Card, label
from workstation.family.model import CONDITION_LABELS, GENES, Diagnosis, GeneTest
from workstation.models.bcrat import LABELS as INPUT_LABELS

SEXES = [("female", "female"), ("male", "male"), ("unknown", "unknown")]
RESULTS = [("P", "positive (pathogenic)"), ("N", "negative"), ("VUS", "uncertain significance"),
           ("HET", "heterozygous (HOXB13)"), ("HOM", "homozygous (HOXB13)")]
TEST_TYPES = [("S", "mutation search"), ("T", "targeted test"), ("", "not stated")]


def _combo(items) -> QComboBox:
    c = QComboBox()
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(8)
    for v, t in items:
        c.addItem(t, v)
    return c


def _spin(lo: int, hi: int, special: str) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo - 1, hi)
    s.setSpecialValueText(special)
    return s


class PersonPanel(Card):
    """Details of one person. ``edit(op, args, kwargs)`` carries one change."""

    edit = Signal(str, tuple, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Selected person", parent)
        self.pid: str | None = None
        self.person = None
        self.body.setSpacing(5)
        form = QFormLayout()
        form.setVerticalSpacing(4)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.name = QLineEdit()
        self.name.setPlaceholderText("name or initials")
        self.sex = _combo(SEXES)
        self.gender = QLineEdit()
        self.gender.setPlaceholderText("only when it differs (e.g. non-binary)")
        self.age = _spin(0, 120, "not known")
        self.yob = _spin(1880, 2100, "not known")
        self.deceased = QCheckBox("deceased (age = at death)")
        self.ashk = QCheckBox("Ashkenazi Jewish")
        form.addRow("Name", self.name)
        form.addRow("Sex at birth", self.sex)
        form.addRow("Gender", self.gender)
        ages = QHBoxLayout()
        ages.addWidget(self.age)
        ages.addWidget(label("born", name="muted"))
        ages.addWidget(self.yob)
        form.addRow("Age", ages)
        flags = QHBoxLayout()
        flags.addWidget(self.deceased)
        flags.addWidget(self.ashk)
        form.addRow("", flags)
        self.body.addLayout(form)
        self.body.addWidget(label("Conditions (age at diagnosis)", name="muted"))
        self.dx = QListWidget()
        self.dx.setFixedHeight(44)
        self.body.addWidget(self.dx)
        row = QHBoxLayout()
        self.dx_kind = _combo(CONDITION_LABELS.items())
        self.dx_age = _spin(0, 120, "age ?")
        self.dx_add = QPushButton("Add")
        self.dx_del = QPushButton("Remove")
        for w in (self.dx_kind, self.dx_age, self.dx_add, self.dx_del):
            row.addWidget(w)
        row.setStretch(0, 1)
        self.body.addLayout(row)
        self.body.addWidget(label("Genetic tests", name="muted"))
        self.tests = QListWidget()
        self.tests.setFixedHeight(44)
        self.body.addWidget(self.tests)
        row = QHBoxLayout()
        self.gene = _combo((g, g) for g in GENES)
        self.result = _combo(RESULTS)
        self.ttype = _combo(TEST_TYPES)
        self.t_add = QPushButton("Add")
        self.t_del = QPushButton("Remove")
        for w in (self.gene, self.result, self.ttype, self.t_add, self.t_del):
            row.addWidget(w)
        self.body.addLayout(row)
        self.name.editingFinished.connect(lambda: self._set(name=self.name.text().strip()))
        self.gender.editingFinished.connect(lambda: self._set(gender=self.gender.text().strip() or None))
        self.sex.activated.connect(lambda _i: self._set(sex=self.sex.currentData()))
        self.age.editingFinished.connect(lambda: self._set(age=self._spin_value(self.age)))
        self.yob.editingFinished.connect(lambda: self._set(year_of_birth=self._spin_value(self.yob)))
        self.deceased.toggled.connect(lambda v: self._set(deceased=bool(v)))
        self.ashk.toggled.connect(lambda v: self._set(ashkenazi=bool(v)))
        self.dx_add.clicked.connect(self._add_dx)
        self.dx_del.clicked.connect(self._del_dx)
        self.t_add.clicked.connect(self._add_test)
        self.t_del.clicked.connect(self._del_test)
        self.set_person(None, None)

    @staticmethod
    def _spin_value(s: QSpinBox) -> int | None:
        return None if s.value() < s.minimum() + 1 else int(s.value())

    def _set(self, **changes) -> None:
        if self.pid is None or self.person is None:
            return
        changes = {k: v for k, v in changes.items() if getattr(self.person, k) != v}
        if changes:
            self.edit.emit("update_person", (self.pid,), changes)

    def _add_dx(self) -> None:
        if self.person is None:
            return
        dx = list(self.person.diagnoses) + [Diagnosis(self.dx_kind.currentData(), self._spin_value(self.dx_age))]
        self.edit.emit("set_diagnoses", (self.pid, dx), {})

    def _del_dx(self) -> None:
        row = self.dx.currentRow()
        if self.person is None or row < 0:
            return
        dx = [d for i, d in enumerate(self.person.diagnoses) if i != row]
        self.edit.emit("set_diagnoses", (self.pid, dx), {})

    def _add_test(self) -> None:
        if self.person is None:
            return
        gene = self.gene.currentData()
        tests = [t for t in self.person.tests if t.gene != gene]
        tests.append(GeneTest(gene, self.result.currentData(), self.ttype.currentData()))
        self.edit.emit("set_tests", (self.pid, tests), {})

    def _del_test(self) -> None:
        row = self.tests.currentRow()
        if self.person is None or row < 0:
            return
        self.edit.emit("set_tests", (self.pid, [t for i, t in enumerate(self.person.tests) if i != row]), {})

    def set_person(self, pid: str | None, person, number: str = "", record: list | None = None) -> None:
        self.pid, self.person = pid, person
        enabled = person is not None
        for w in (self.name, self.sex, self.gender, self.age, self.yob, self.deceased, self.ashk, self.dx,
                  self.dx_kind, self.dx_age, self.dx_add, self.dx_del, self.tests, self.gene, self.result,
                  self.ttype, self.t_add, self.t_del):
            w.setEnabled(enabled)
        blockers = [QSignalBlocker(w) for w in (self.name, self.sex, self.gender, self.age, self.yob,
                                                  self.deceased, self.ashk)]
        self.title.setText(f"Selected person {number}" if enabled else "Select a person in the pedigree")
        self.dx.clear()
        self.tests.clear()
        if person is None:
            self.name.clear()
            del blockers
            return
        self.name.setText(person.name)
        self.sex.setCurrentIndex(max(0, self.sex.findData(person.sex)))
        self.gender.setText(person.gender or "")
        self.age.setValue(person.age if person.age is not None else self.age.minimum())
        self.yob.setValue(person.year_of_birth if person.year_of_birth else self.yob.minimum())
        self.deceased.setChecked(person.deceased)
        self.ashk.setChecked(bool(person.ashkenazi))
        for d in person.diagnoses:
            QListWidgetItem(f"{d.label} - {d.age if d.age is not None else 'age unknown'}", self.dx)
        for d in record or []:       # the patient's own recorded conditions: shown, edited in the record
            item = QListWidgetItem(f"{d.label} - {d.age if d.age is not None else 'age unknown'} (from the record)",
                                   self.dx)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable & ~Qt.ItemFlag.ItemIsEnabled)
        for t in person.tests:
            kind = dict(TEST_TYPES).get(t.test_type, t.test_type)
            QListWidgetItem(f"{t.gene}: {dict(RESULTS).get(t.result, t.result or 'no result')} ({kind})",
                            self.tests)
        del blockers


SHORT_NAMES = {"gail_bcrat": "Gail (NCI BCRAT)", "claus_breast": "Claus", "premm5_lynch": "PREMM5 (Lynch)"}


class RiskPanel(Card):
    """Gail, Claus, PREMM5 and the Lynch criteria: value or refusal with its reason, and the basis (scrolls)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Hereditary risk from this family", parent)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.body.addWidget(self.text, 1)

    def set_risk(self, risk, numbers: dict[str, str]) -> None:
        parts = []
        for s in risk.scores:
            title = SHORT_NAMES.get(s.model, s.name)
            if ", " in s.name:
                title += " " + s.name.rsplit(", ", 1)[1]
            if s.value is not None:
                names = ", ".join(INPUT_LABELS.get(k, k.replace("_", " ")) for k in sorted(s.defaults_used))
                unknown = f" <span style='color: gray'>(unknown: {escape(names)})</span>" if s.defaults_used else ""
                line = f"<b>{escape(title)}</b>: {s.value:.1%}{' - ' + escape(s.band) if s.band else ''}{unknown}"
            else:
                line = f"<b>{escape(title)}</b>: <span style='color: gray'>not computed - {escape(s.refused)}</span>"
            notes = "".join(f"<br><small>&#183; {escape(n)}</small>" for n in s.notes[:3])
            first = (s.card.get("citation") or "").split("; ")[0].split(" (doi")[0]
            cite = f"<br><small style='color: gray'>{escape(first)}</small>" if first else ""
            parts.append(f"<p style='margin: 0 0 6px 0'>{line}{notes}{cite}</p>")
        for c in risk.criteria:
            who = ", ".join(numbers.get(p, p) for p in c.people)
            state = "met" if c.met else "not met"
            na = (f"<br><small>&#183; not assessable from a pedigree: {escape('; '.join(c.not_assessable))}</small>"
                  if c.not_assessable else "")
            parts.append(f"<p style='margin: 0 0 6px 0'><b>{escape(c.name)}</b>: {state}"
                         f"{' - ' + escape(who) if who else ''}<br><small>{escape('; '.join(c.detail))}</small>{na}</p>")
        self.text.setHtml("".join(parts))

    def plain_text(self) -> str:
        return self.text.toPlainText()
