"""Exchange: moving patients between workstations and out to other systems.

* :func:`export_bundle` / :func:`import_bundle` — an encrypted (AES-256-GCM, argon2id) single-file bundle with
  every row of one or several patients, imported all-or-nothing into another store (:mod:`.bundle`).
* :func:`export_fhir` / :func:`build_fhir_bundle` — the patient's pharmacogenomic results as an HL7 Genomics
  Reporting IG DiagnosticReport, plus risk-model results, in a FHIR R4 Bundle (:mod:`.fhir_export`).

Every export and import is audited in the store it touches.
"""
from __future__ import annotations

from workstation.exchange.bundle import BundleResult, PatientExists, export_bundle, import_bundle
from workstation.exchange.container import BundleUnreadable

__all__ = ["BundleResult", "BundleUnreadable", "PatientExists", "export_bundle", "import_bundle",
           "export_fhir", "build_fhir_bundle"]


def __getattr__(name: str):
    if name in ("export_fhir", "build_fhir_bundle", "FhirExportResult"):
        from workstation.exchange import fhir_export

        return getattr(fhir_export, name)
    raise AttributeError(name)
