"""The encrypted patient store: the only code in the project that opens DuckDB files."""
from __future__ import annotations

from workstation.store.db import Store, Unlock
from workstation.store.importing import FileInfo, ImportBatch, already_imported, file_info, import_batch

__all__ = ["Store", "Unlock", "FileInfo", "ImportBatch", "already_imported", "file_info", "import_batch"]
