"""Audit: who opened, imported, exported or printed this patient's data, and whether the log is intact."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from workstation.store import queries

from ui.views.base import PatientView
from ui.widgets.common import FrameTable, label
from ui.widgets.frame_model import Column

ACTIONS = {"open_patient": "Opened the patient record", "import": "Imported a file",
           "import_bundle": "Imported a transfer bundle", "import_bundle_refused": "Refused a transfer bundle",
           "export": "Exported", "export_bundle": "Exported a transfer bundle", "export_fhir": "Exported as FHIR",
           "print": "Printed", "print_report": "Printed or saved a report", "report": "Made a report",
           "delete_patient": "Deleted the patient", "create_store": "Created the patient store",
           "migrate_schema": "Upgraded the patient store", "change_passphrase": "Changed the passphrase",
           "rekey": "Changed the encryption key", "rekey_failed": "Changing the encryption key failed",
           "change_passphrase_failed": "Changing the passphrase failed",
           "rekey_finished_after_interruption": "Finished an interrupted key change",
           "rekey_rolled_back_after_interruption": "Undid an interrupted key change",
           "rekey_recovered_after_interruption": "Recovered an interrupted key change",
           "write_rolled_back_after_interruption": "Removed an interrupted write",
           "audit_anchor_mismatch": "Audit log did not match its anchor", "export_family": "Exported the family",
           "family_change": "Changed the family history", "coverage_assertion": "Recorded an assay coverage "
           "assertion"}
# count key (a store table or a measurement kind) -> (one, many)
NOUNS = {"variants": ("variant", "variants"), "ref_blocks": ("reference block", "reference blocks"),
         "patients": ("patient", "patients"), "conditions": ("condition", "conditions"),
         "medications": ("medication", "medications"), "observations": ("observation", "observations"),
         "allergies": ("allergy", "allergies"), "family_history": ("family-history entry", "family-history entries"),
         "procedures": ("procedure", "procedures"), "encounters": ("encounter", "encounters"),
         "fhir_resources": ("FHIR resource", "FHIR resources"), "analytes": ("omics value", "omics values"),
         "wearable_samples": ("wearable sample", "wearable samples"),
         "outside_calls": ("outside result", "outside results"),
         "metabolomics": ("metabolite value", "metabolite values"), "proteomics": ("protein value", "protein values"),
         "transcriptomics": ("gene-expression value", "gene-expression values"),
         "heart_rate": ("heart-rate sample", "heart-rate samples"),
         "steps": ("step-count sample", "step-count samples"), "sleep": ("sleep record", "sleep records")}
KINDS = {"vcf": "genome VCF", "fhir": "FHIR record", "omics": "omics table", "wearable": "wearable data"}


def counts_text(counts) -> str:
    """'401 variants, 1 reference block' from a {key: count} mapping (zero counts left out; the patient count is
    said separately, see :func:`detail_text`)."""
    parts = []
    order = list(NOUNS)
    items = sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)) \
        if isinstance(counts, dict) else []
    for k, n in items:
        if k == "patients" or not isinstance(n, (int, float)) or not n:
            continue
        one, many = NOUNS.get(k, (k.replace("_", " "), k.replace("_", " ")))
        parts.append(f"{int(n):,} {one if n == 1 else many}")
    return ", ".join(parts)


def detail_text(raw) -> str:
    """A stored audit detail (JSON, or nothing) as plain text; '' when there is none. Hashes are left out (the
    file name identifies the file for a reader; the hash stays in the log for verification)."""
    if raw is None or (isinstance(raw, float) and raw != raw):        # None or NaN: no detail recorded
        return ""
    try:
        d = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return str(raw)
    if not isinstance(d, dict):
        return "" if d is None else str(d)
    head = str(d.get("file") or "")
    if d.get("kind"):
        kind = KINDS.get(str(d["kind"]), str(d["kind"]))
        head = f"{head} ({kind})" if head else kind
    parts = [counts_text(d.get("counts"))]
    n_pat = d.get("patients")
    if isinstance(n_pat, int) and n_pat > 1:
        parts.append(f"{n_pat} patients in the file")
    if "deidentified" in d:
        parts.append("de-identified" if d["deidentified"] else "with the patient's name")
    if d.get("pages"):
        parts.append(f"{int(d['pages'])} page{'s' if int(d['pages']) != 1 else ''}")
    if d.get("not_exported"):
        parts.append(f"{int(d['not_exported']):,} records not exported")
    if d.get("reason"):
        parts.append(f"not imported ({d['reason']})")
    if "from" in d and "to" in d:
        parts.append(f"schema version {d['from']} to {d['to']}")
    if "schema_version" in d:
        parts.append(f"schema version {d['schema_version']}")
    body = ", ".join(p for p in parts if p)
    return f"{head}: {body}" if head and body else head or body


COLUMNS = [Column("seq", "#", numeric=True), Column("ts", "Time (UTC)", fmt=lambda v: str(v)[:19].replace("T", " ")),
           Column("os_user", "User"), Column("action", "Action", fmt=lambda v: ACTIONS.get(v, str(v))),
           Column("detail", "Detail", fmt=detail_text)]


def _load(store, patient_id: str) -> dict:
    """Runs on the worker: this patient's log and the verification of the whole chain."""
    return {"rows": queries.patient_audit(store, patient_id), "verify": store.verify_audit()}


class AuditView(PatientView):

    TABLES = frozenset()   # refreshed on every change by its own handler (audit rows)
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
