"""What every importer returns, and the shared steps around one file.

An importer is ``import_xxx(store, path, *, patient_id=None, sample=None, progress=None) -> ImportResult``. It
computes the file's provenance (:func:`workstation.store.file_info`), returns status ``"already imported"``
when the same bytes were imported before, and otherwise parses, validates and writes the whole file through
one :func:`workstation.store.import_batch` — so a file is stored whole or not at all. User errors are raised
as :class:`workstation.errors.ImportError_` subclasses naming the file, line/record and field.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class ImportResult:
    file: str
    status: str                      # "imported" | "already imported" | "failed"
    kind: str | None = None          # vcf | fhir | omics | wearable
    counts: dict = field(default_factory=dict)
    patient_ids: list = field(default_factory=list)
    source_id: int | None = None
    warnings: list = field(default_factory=list)
    message: str = ""                # one plain sentence for people
    # follow-up imports the user may choose: "build:GRCh37" = a GRCh37 genome stored without calls, which importing
    # again with build GRCh37 translates (``import --build GRCh37``; the window's "Translate from GRCh37" button)
    offers: list = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)
