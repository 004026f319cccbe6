"""The patient views and their registry. Adding a view to the window is one line in ``VIEWS``.

Each view is a :class:`ui.views.base.PatientView` subclass built as ``cls(session, prefs)``; it listens to the
session itself (``patient_opened``, ``locked``) and runs alone with ``python -m ui.views.<module>``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class ViewSpec:
    id: str
    title: str
    factory: str        # "module:ClassName", imported when the window is built
    shortcut: str

    def create(self, session, prefs):
        module, _, name = self.factory.partition(":")
        return getattr(importlib.import_module(module), name)(session, prefs)


VIEWS: list[ViewSpec] = [   # in the order a clinician reads a patient: summary, decisions, then the data
    ViewSpec("overview", "Overview", "ui.views.overview:OverviewView", "Ctrl+1"),
    ViewSpec("risk", "Risk", "ui.views.risk_view:RiskView", "Ctrl+2"),
    ViewSpec("pgx", "Pharmacogenomics", "ui.views.pgx_view:PgxView", "Ctrl+3"),
    ViewSpec("family", "Family", "ui.views.family_view:FamilyView", "Ctrl+9"),
    ViewSpec("timeline", "Labs && timeline", "ui.views.timeline:TimelineView", "Ctrl+4"),
    ViewSpec("omics", "Omics", "ui.views.omics:OmicsView", "Ctrl+5"),
    ViewSpec("wearables", "Wearables", "ui.views.wearables:WearablesView", "Ctrl+6"),
    ViewSpec("variants", "Variants", "ui.views.variants:VariantsView", "Ctrl+7"),
    ViewSpec("audit", "Audit", "ui.views.audit:AuditView", "Ctrl+8"),
]
