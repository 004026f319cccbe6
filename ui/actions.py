"""Every window action as data: id, title, shortcut, the window method it calls, and its menu.

``install`` turns the specs into QActions on a window's menu bar; the window only provides the named methods. View
switching actions come from the view registry (``ui.views.VIEWS``), so a new view brings its own shortcut.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow


@dataclass(frozen=True)
class ActionSpec:
    id: str
    title: str
    shortcut: str
    callback: str          # name of a method of the window, called without arguments
    menu: str
    tip: str = ""


ACTIONS: list[ActionSpec] = [
    ActionSpec("file.import", "&Import files…", "Ctrl+I", "import_files", "&File",
               "Import VCF, FHIR, omics or wearable files (you can also drop files on the window)"),
    ActionSpec("file.lock", "&Lock", "Ctrl+L", "lock", "&File", "Close the patient store and clear the screen"),
    ActionSpec("file.quit", "&Quit", "Ctrl+Q", "close", "&File"),
    ActionSpec("patient.find", "&Find patient", "Ctrl+F", "focus_search", "&Patient",
               "Search by name or identifier"),
    ActionSpec("patient.next", "&Next patient", "Alt+Down", "next_patient", "&Patient"),
    ActionSpec("patient.previous", "&Previous patient", "Alt+Up", "previous_patient", "&Patient"),
    ActionSpec("patient.reload", "&Reload patient", "F5", "reload_patient", "&Patient"),
    ActionSpec("patient.check_medicine", "&Check a medicine…", "Ctrl+K", "focus_check_medicine", "&Patient",
               "Type any drug to see CPIC guidance for this patient before prescribing it"),
    ActionSpec("patient.print", "&Print consult summary…", "Ctrl+P", "print_report", "&Patient",
               "Write the open patient's consult summary as a PDF (choose the de-identified variant in the dialog)"),
    ActionSpec("help.shortcuts", "&Keyboard shortcuts", "F1", "show_shortcuts", "&Help"),
]


def install(window: QMainWindow, specs: list[ActionSpec]) -> dict[str, QAction]:
    """Create the menus and actions; returns them by id (the window keeps them alive as children)."""
    menus: dict[str, object] = {}
    out: dict[str, QAction] = {}
    for spec in specs:
        menu = menus.get(spec.menu)
        if menu is None:
            menu = menus[spec.menu] = window.menuBar().addMenu(spec.menu)
        act = QAction(spec.title, window)
        act.setObjectName(spec.id)
        if spec.shortcut:
            act.setShortcut(QKeySequence(spec.shortcut))
        if spec.tip:
            act.setStatusTip(spec.tip)
            act.setToolTip(spec.tip)
        act.triggered.connect(lambda _checked=False, name=spec.callback: getattr(window, name)())
        menu.addAction(act)
        window.addAction(act)
        out[spec.id] = act
    return out
