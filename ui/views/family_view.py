"""Family: the pedigree drawn to the NSGC standard, edited during the consultation, with its hereditary risk.

Select a person (click, or the arrow keys: left/right along a generation, up to a parent, down to a child), then
add a relative from them - parents (P), sibling (S), child (C), partner (M) - or change their details in the side
panel; Delete removes someone without children. Each change is one small transaction in the core (one stored family
version, one audit row); Ctrl+Z / Ctrl+Shift+Z undo and redo. Zoom with Ctrl+wheel or +/-, fit with 0, drag to pan,
Ctrl+P prints. The view holds no family logic: every edit, layout, drawing and risk comes from
``workstation.family`` through the session's worker.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget

from ui.views.base import PatientView
from ui.widgets.common import label
from ui.widgets.pedigree_panel import PersonPanel, RiskPanel
from ui.widgets.pedigree_scene import PedigreeCanvas, PedigreeScene, render_to
from workstation.family.state import edit_and_state, family_state
from workstation.family.store import EditSession

ACTIONS = [  # (id, button text, shortcut, core edit op, tooltip)
    ("parents", "+ Parents", "P", "add_parents", "Add the selected person's parents (P)"),
    ("sibling", "+ Sibling", "S", "add_sibling", "Add a full sibling of the selected person (S)"),
    ("child", "+ Child", "C", "add_child", "Add a child of the selected person (C)"),
    ("partner", "+ Partner", "M", "add_partner", "Add a partner of the selected person (M)"),
    ("remove", "Remove", "Delete", "remove_person", "Remove the selected person, who has no children (Delete)"),
]


class FamilyView(PatientView):

    TABLES = frozenset({"family_history", "family_versions", "conditions"})
    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        self.state = None
        self.edits: EditSession | None = None
        self.selected: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        top = QHBoxLayout()
        self.title = label("Family history", name="title")
        top.addWidget(self.title)
        top.addStretch(1)
        bar = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for aid, text, key, op, tip in ACTIONS:
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(lambda _c=False, o=op: self.do(o))
            bar.addWidget(b)
            self.buttons[aid] = b
            QShortcut(QKeySequence(key), self, activated=lambda o=op: self.do(o),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for aid, text, seq, fn in (("undo", "Undo", QKeySequence.StandardKey.Undo, self.undo),
                                   ("redo", "Redo", QKeySequence.StandardKey.Redo, self.redo)):
            b = QPushButton(text)
            b.clicked.connect(fn)
            bar.addWidget(b)
            self.buttons[aid] = b
            QShortcut(QKeySequence(seq), self, activated=fn, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, activated=self.redo,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for text, fn in (("−", lambda: self.canvas.zoom(1 / 1.2)), ("+", lambda: self.canvas.zoom(1.2)),
                         ("Fit", lambda: self.canvas.fit()), ("Print…", self.print_dialog)):
            b = QPushButton(text)
            b.clicked.connect(fn)
            top.addWidget(b)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_dialog,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        lay.addLayout(top)
        self.status = label("", name="hint", wrap=True)
        bar.addSpacing(12)
        bar.addWidget(self.status, 1)
        lay.addLayout(bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.scene = PedigreeScene(self)
        self.canvas = PedigreeCanvas(self.scene)
        split.addWidget(self.canvas)
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        self.person = PersonPanel()
        self.risk = RiskPanel()
        sl.addWidget(self.person)
        sl.addWidget(self.risk, 1)
        side.setMinimumWidth(340)
        scroll = QScrollArea()          # the side panel scrolls on a small screen rather than growing the window
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(side)
        scroll.setMinimumWidth(360)
        scroll.setMaximumWidth(560)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([1100, 480])
        lay.addWidget(split, 1)
        self.scene.person_selected.connect(self._select)
        self.canvas.navigate.connect(self._navigate)
        self.person.edit.connect(lambda op, args, kw: self.do(op, *args, **kw))
        self._enable()

    # -- loading -------------------------------------------------------------------------------------------------
    def show_patient(self, profile) -> None:
        if self.edits is None or self.edits.patient_id != profile.id:
            self.edits = EditSession(profile.id)
        self.fetch(family_state, profile, key=f"family:{profile.id}", on_result=self._show)

    def _show(self, state) -> None:
        first = self.state is None or self.state.patient_id != state.patient_id
        self.state = state
        fam = state.family
        if fam is None:
            self.title.setText("Family history")
            self.status.setText("No family history is recorded. Press P to add the patient's parents, or import a "
                                "CanRisk, BOADICEA, PED or FHIR file.")
        else:
            self.title.setText(f"Family history - {len(fam)} people, {len(state.layout.rows)} generations")
            n_inferred = sum(1 for p in fam.people.values() if p.inferred)
            note = f" {n_inferred} dashed symbol(s): people added only to connect recorded relatives." \
                if n_inferred else ""
            self.status.setText(f"Version {state.version}.{note} Select a person, then P parents, S sibling, "
                                "C child, M partner; Ctrl+Z undo.")
        if self.selected is None or fam is None or self.selected not in fam.people:
            self.selected = fam.index_id if fam is not None else None
        self.scene.set_drawing(state.drawing, selected=self.selected)
        if first:
            self.canvas.fit()
        numbers = {s.id: s.number for s in state.drawing.symbols}
        self.risk.set_risk(state.risk, numbers)
        self._select(self.selected)
        self._enable()
        self.loaded.emit()

    def clear(self) -> None:
        self.state = None
        self.selected = None
        self.scene.clear()
        self.person.set_person(None, None)
        self.risk.set_risk(type("R", (), {"scores": [], "criteria": []})(), {})
        self.status.setText("")
        self._enable()

    def is_empty(self) -> bool:
        return self.state is None

    # -- selection -------------------------------------------------------------------------------------------------
    def _select(self, pid: str | None) -> None:
        self.selected = pid
        fam = self.state.family if self.state else None
        person = fam.people.get(pid) if fam is not None and pid else None
        sym = self.state.drawing.symbol(pid) if (self.state and pid) else None
        record = self.state.record_dx if (self.state and fam is not None and pid == fam.index_id) else None
        self.person.set_person(pid if person else None, person, sym.number if sym else "", record)
        self._enable()

    def _navigate(self, where: str) -> None:
        if not self.state or not self.state.family or self.selected is None:
            return
        lay, fam, pid = self.state.layout, self.state.family, self.selected
        target = None
        if where in ("left", "right"):
            row = sorted(lay.rows[lay.depth[pid]], key=lambda q: lay.x[q])
            i = row.index(pid) + (1 if where == "right" else -1)
            target = row[i] if 0 <= i < len(row) else None
        elif where == "up":
            p = fam.people[pid]
            target = p.father or p.mother
        else:
            kids = sorted(fam.children(pid), key=lambda c: lay.x.get(c.id, 0))
            target = kids[0].id if kids else None
        if target:
            self.scene.select(target)

    # -- edits -------------------------------------------------------------------------------------------------
    def do(self, op: str, *args, **kwargs) -> None:
        if self.profile is None or self.edits is None:
            return
        if op in ("add_parents", "add_sibling", "add_child", "add_partner", "remove_person") and not args:
            if self.selected is None and op != "add_parents":
                self.status.setText("Select a person first.")
                return
            args = (self.selected or self._index(),)
        self.fetch(edit_and_state, self.edits, self.profile, op, *args, **kwargs, key=f"family-edit:{op}",
                   on_result=self._after_edit, on_error=self.status.setText)

    def _index(self) -> str | None:
        fam = self.state.family if self.state else None
        return fam.index_id if fam is not None else "self"

    def _after_edit(self, state) -> None:
        if self.state and state.family and self.selected not in state.family.people:
            self.selected = None
        self._show(state)

    def undo(self) -> None:
        if self.edits is not None and self.edits.can_undo:
            self.do("undo")

    def redo(self) -> None:
        if self.edits is not None and self.edits.can_redo:
            self.do("redo")

    def _enable(self) -> None:
        has = self.state is not None
        for aid, b in self.buttons.items():
            if aid == "undo":
                b.setEnabled(bool(self.edits and self.edits.can_undo))
            elif aid == "redo":
                b.setEnabled(bool(self.edits and self.edits.can_redo))
            elif aid == "parents":
                b.setEnabled(has)
            else:
                b.setEnabled(has and self.selected is not None)

    # -- printing ----------------------------------------------------------------------------------------------
    def print_to(self, printer) -> None:
        painter = QPainter(printer)
        try:
            render_to(painter, self.scene, printer.pageRect(printer.Unit.DevicePixel))
        finally:
            painter.end()

    def print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, self)
        if dlg.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer)
            if self.profile is not None:
                self.fetch(lambda store, pid: store.audit("print_pedigree", patient_id=pid), self.profile.id,
                           key="audit-print", on_result=lambda _r: None)


if __name__ == "__main__":
    import sys

    from ui.views._preview import main

    sys.exit(main(FamilyView))
