"""Audit: who opened, imported, exported or printed this patient's data, and whether the log is intact."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from workstation.store import queries

from ui.views.base import PatientView
from ui.widgets.common import FrameTable, label
from ui.widgets.frame_model import Column

ACTIONS = {"open_patient": "Opened the patient", "import": "Imported a file", "export": "Exported",
           "print": "Printed", "delete_patient": "Deleted the patient", "report": "Made a report"}


def _detail(raw) -> str:
    try:
        d = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return str(raw or "")
    return " · ".join(f"{k}: {v}" for k, v in d.items() if k != "sha256") if isinstance(d, dict) else str(d)


COLUMNS = [Column("seq", "#", numeric=True), Column("ts", "Time (UTC)", fmt=lambda v: str(v)[:19].replace("T", " ")),
           Column("os_user", "User"), Column("action", "Action", fmt=lambda v: ACTIONS.get(v, str(v))),
           Column("detail", "Detail", fmt=_detail)]


def _load(store, patient_id: str) -> dict:
    """Runs on the worker: this patient's log and the verification of the whole chain."""
    return {"rows": queries.patient_audit(store, patient_id), "verify": store.verify_audit()}


class AuditView(PatientView):
    def __init__(self, session, prefs, parent: QWidget | None = None) -> None:
        super().__init__(session, prefs, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        self.status = label("", name="muted", wrap=True)
        bar.addWidget(self.status, 1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        lay.addLayout(bar)
        self.table = FrameTable(COLUMNS)
        lay.addWidget(self.table, 1)
        session.data_changed.connect(lambda _c: self.refresh())   # now if shown, else when next shown

    def show_patient(self, profile) -> None:
        self.fetch(_load, profile.id, key="audit", on_result=self._loaded)

    def _loaded(self, data: dict) -> None:
        if self.profile is None:
            return
        self.table.set_frame(data["rows"])
        v = data["verify"]
        chain = (f"The audit log is intact ({v.rows:,} entries verified)." if v.ok else
                 f"Warning: the audit log has been altered at entry {v.first_bad_seq} ({v.problem}).")
        self.status.setText(f"{len(data['rows']):,} entries for this patient. {chain}")
        self.loaded.emit()

    def clear(self) -> None:
        self.table.clear()
        self.status.setText("")


if __name__ == "__main__":
    from ui.views._preview import main

    raise SystemExit(main(AuditView))
