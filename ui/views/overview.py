"""Overview: problems, medications, allergies, family history and data sources of the open patient."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QGridLayout, QWidget

from ui.views.base import PatientView
from ui.widgets.common import Card, FrameTable, label
from ui.widgets.frame_model import Column, fmt_value


def _counts(raw) -> str:
    """'observations 48 · conditions 3' from a provenance row's JSON counts."""
    try:
        d = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
    except (ValueError, TypeError):
        return ""
    return " · ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in d.items() if v)


def _status_tone(v) -> str | None:
    s = str(v or "").lower()
    return "text_muted" if s in ("stopped", "completed", "resolved", "inactive", "entered-in-error") else None


def _day(v) -> str:
    """A date without its clock time: the overview answers "since when", the timeline shows the hour."""
    return fmt_value(v)[:10]


def _criticality_tone(v) -> str | None:
    return "avoid" if str(v or "").lower() == "high" else None


SECTIONS = {
    "conditions": ("Problems", [Column("display", "Problem"), Column("clinical_status", "Status", tone=_status_tone),
                                Column("onset", "Onset", fmt=_day), Column("abatement", "Resolved", fmt=_day)]),
    "medications": ("Medications", [Column("display", "Medicine"), Column("status", "Status", tone=_status_tone),
                                    Column("start_time", "Started", fmt=_day), Column("end_time", "Stopped", fmt=_day),
                                    Column("dosage", "Dosage")]),
    "allergies": ("Allergies and intolerances", [Column("display", "Substance"),
                                                 Column("criticality", "Criticality", tone=_criticality_tone),
                                                 Column("category", "Category"),
                                                 Column("clinical_status", "Status")]),
    "family_history": ("Family history", [Column("relationship", "Relative"), Column("display", "Condition"),
                                          Column("onset_age", "Age at onset", numeric=True),
                                          Column("deceased", "Deceased",
                                                 fmt=lambda v: {True: "yes", False: "no"}.get(v, ""))]),
    "sources": ("Data sources", [Column("file_name", "File"), Column("kind", "Kind"),
                                 Column("imported_at", "Imported", fmt=lambda v: fmt_value(v)[:16]),
                                 Column("counts", "Records", fmt=_counts)]),
}
EMPTY = {"conditions": "No problems recorded.", "medications": "No medications recorded.",
         "allergies": "No allergies recorded (absence of a record is not proof of no allergy).",
         "family_history": "No family history recorded.", "sources": "No data sources."}


class OverviewView(PatientView):
    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(16, 16, 16, 16)
        grid.setSpacing(14)
        self.tables: dict[str, FrameTable] = {}
        self.empty: dict[str, object] = {}
        positions = {"conditions": (0, 0), "medications": (0, 1), "allergies": (1, 0), "family_history": (1, 1),
                     "sources": (2, 0)}
        for key, (title, cols) in SECTIONS.items():
            card = Card(title)
            table = FrameTable(cols, stretch=0 if key != "sources" else 3)
            table.setMinimumHeight(90)
            note = label("", name="hint", wrap=True)
            card.body.addWidget(table)
            card.body.addWidget(note)
            r, c = positions[key]
            grid.addWidget(card, r, c, 1, 2 if key == "sources" else 1)
            self.tables[key], self.empty[key] = table, note
        for r, s in enumerate((3, 2, 2)):
            grid.setRowStretch(r, s)
        self.clear()

    def show_patient(self, profile) -> None:
        for key, table in self.tables.items():
            df = getattr(profile, key)
            if key == "conditions" and not df.empty:
                df = df.sort_values("onset", ascending=False, na_position="last")
            table.set_frame(df)
            self.empty[key].setText("" if len(df) else EMPTY[key])
            self.empty[key].setVisible(not len(df))
        self.loaded.emit()

    def clear(self) -> None:
        for key, table in self.tables.items():
            table.clear()
            self.empty[key].setText("")
            self.empty[key].hide()


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(OverviewView))
