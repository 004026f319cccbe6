"""Open the encrypted DuckDB file: the only place in the project that calls ``duckdb.connect``.

DuckDB writes encrypted files securely only with the OpenSSL-backed crypto shipped in the ``httpfs`` extension
(../shared/DESIGN.md "Store, keys and privacy"). We load that extension by file path from the
``duckdb-extension-httpfs`` wheel, with auto-install and auto-load off and the default signature check on, and set
``temp_file_encryption=true`` so spilled temp files are encrypted too. DuckDB's unsafe mbedTLS fallback
setting is never enabled.
"""
from __future__ import annotations

import glob
import os
import sys
from pathlib import Path

import duckdb

from workstation.errors import StoreError, StoreInUse

ATTACH_AS = "pdb"
DEFAULT_MEMORY_LIMIT = "2GB"


def httpfs_extension_path() -> Path:
    """Path of the bundled httpfs extension (source checkout, installed wheel or PyInstaller bundle)."""
    override = os.environ.get("WORKSTATION_HTTPFS_EXTENSION")
    if override:
        return Path(override)
    candidates: list[str] = []
    try:
        import duckdb_extension_httpfs  # the PyPI wheel pinned beside duckdb

        base = os.path.dirname(duckdb_extension_httpfs.__file__)
        candidates += glob.glob(os.path.join(base, "extensions", "*", "httpfs.duckdb_extension"))
    except ImportError:
        pass
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates += glob.glob(os.path.join(bundle, "duckdb_extension_httpfs", "extensions", "*",
                                             "httpfs.duckdb_extension"))
    version = "v" + duckdb.__version__
    for c in candidates:
        if version in c:
            return Path(c)
    if candidates:
        return Path(candidates[0])
    raise StoreError("The encryption component (DuckDB httpfs extension) is not installed, so the patient "
                     "store cannot be opened securely. Reinstall the workstation.")


def secure_connection(*, memory_limit: str | None = None, temp_dir: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the secure crypto extension loaded and temp-file encryption on."""
    config = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    con = duckdb.connect(":memory:", config=config)
    ext = httpfs_extension_path()
    try:
        con.execute(f"LOAD '{_sql_str(str(ext))}'")
    except duckdb.Error as exc:
        con.close()
        raise StoreError(f"The encryption component could not be loaded ({exc}); the patient store stays closed.") from None
    loaded = con.execute(
        "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs'").fetchone()
    if not loaded or not loaded[0]:
        con.close()
        raise StoreError("Secure encryption is not available, so the workstation refuses to write patient data.")
    con.execute("SET temp_file_encryption = true")
    # Bounded memory for huge imports (a 5 GB wearable export, a whole genome): DuckDB spills the rest to
    # encrypted temp files. WORKSTATION_MEMORY_LIMIT overrides (e.g. '4GB').
    memory_limit = memory_limit or os.environ.get("WORKSTATION_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    if memory_limit:
        con.execute(f"SET memory_limit = '{_sql_str(memory_limit)}'")
    if temp_dir:
        con.execute(f"SET temp_directory = '{_sql_str(temp_dir)}'")
    return con


def temp_dir_for(db_path: Path) -> str:
    """Spill folder beside the database (DuckDB would otherwise use ./.tmp in the current directory for an
    in-memory main catalog). Its files are encrypted (temp_file_encryption)."""
    return str(Path(str(db_path) + ".tmp"))


def attach_encrypted(con: duckdb.DuckDBPyConnection, path: Path, key_hex: str, *, read_only: bool = False) -> None:
    """Attach the encrypted database file as ``pdb`` and make it the default catalog."""
    opts = f"ENCRYPTION_KEY '{_sql_str(key_hex)}', ENCRYPTION_CIPHER 'GCM'"
    if read_only:
        opts += ", READ_ONLY"
    try:
        con.execute(f"ATTACH '{_sql_str(str(path))}' AS {ATTACH_AS} ({opts})")
    except duckdb.Error as exc:
        raise translate_open_error(path, exc) from None
    con.execute(f"USE {ATTACH_AS}")


def translate_open_error(path: Path, exc: Exception) -> StoreError:
    msg = str(exc)
    low = msg.lower()
    if "no space left" in low or "disk is full" in low or "disk full" in low:
        return StoreError(f"The disk holding {path} is full; nothing was changed.")
    if "lock" in low and ("conflicting" in low or "could not set lock" in low):
        return StoreInUse(f"The patient store {path} is in use by another workstation window or command; "
                          "close it and try again.")
    if "read-only" in low or "permission denied" in low or "read only" in low:
        return StoreError(f"The patient store {path} cannot be written here (the folder or file is read-only).")
    if "encrypt" in low or "key" in low:
        return StoreError(f"The patient store {path} could not be decrypted with this vault's key: the vault header "
                          "and the database do not belong together, or the database is damaged.")
    if "not a valid duckdb" in low or "magic" in low or "unable to open" in low or "invalid" in low:
        return StoreError(f"{path} is not a workstation patient store (it was written by another program or is "
                          "damaged).")
    if "version" in low:
        return StoreError(f"{path} was written by an incompatible DuckDB version and cannot be opened by this "
                          "workstation.")
    if "no space" in low or "disk" in low:
        return StoreError(f"The disk holding {path} is full; nothing was changed.")
    return StoreError(f"The patient store {path} could not be opened: {msg.splitlines()[0]}")


def _sql_str(s: str) -> str:
    return s.replace("'", "''")
