"""Encrypted patient bundles: move one or several patients, with every row of their data, to another store.

``export_bundle(store, patient_ids, out, passphrase)`` writes every row of those patients from every patient-data
table (:data:`workstation.exchange.parts.BUNDLE_TABLES`) as zstd Parquet parts inside one AES-256-GCM container
(:mod:`workstation.exchange.container`). ``import_bundle(store, path, passphrase)`` verifies and decrypts it,
then writes everything in ONE store transaction: provenance rows get fresh ids from ``source_seq``, each imported
patient gets one provenance row of kind ``bundle`` and one ``import_bundle`` audit row. A patient id that already
exists, a wrong passphrase or a changed byte stores nothing. Derived results (``results_cache``) are not carried;
they are recomputed. The exporting store's audit log stays where it is (its chain belongs to that store).
"""
from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from workstation import __version__, vault
from workstation.errors import ImportError_, MalformedFile, NotFound, WorkstationError
from workstation.exchange import container
from workstation.exchange.parts import (BUNDLE_TABLES, MemDir, memory_files, scrub_details, select_sql,
                                        source_ids_sql, table_columns)
from workstation.progress import Progress, ensure
from workstation.store import audit, failpoints
from workstation.store.schema import SCHEMA_VERSION

PAYLOAD_VERSION = 1
IMPORTER_VERSION = "1"
MANIFEST = "manifest.json"


class PatientExists(ImportError_):
    """A patient in the bundle already has a record in this store."""


@dataclass
class BundleResult:
    """What an export or import did. ``counts`` is per patient: {patient id: {table: rows}}."""

    file: str
    sha256: str
    size: int
    patients: dict[str, str] = field(default_factory=dict)     # id in the bundle -> id in this store
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    source_ids: dict[str, int] = field(default_factory=dict)   # import: patient -> its 'bundle' provenance row
    message: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _per_patient_counts(con, table: str, src: str, key: str) -> dict[str, int]:
    return {str(p): int(n) for p, n in con.execute(
        f"SELECT {key}, count(*) FROM {src} WHERE {key} IS NOT NULL GROUP BY 1").fetchall()}


# -- export ---------------------------------------------------------------------------------------------------

def export_bundle(store, patient_ids: list[str], out: Path | str, passphrase: str, *,
                  kdf: vault.KdfParams = vault.KdfParams(), overwrite: bool = False,
                  progress: Progress | None = None) -> BundleResult:
    """Write the patients' complete records to ``out``, encrypted with ``passphrase``; audited per patient."""
    progress = ensure(progress)
    out = Path(out)
    ids = list(dict.fromkeys(str(p) for p in patient_ids))
    if not ids:
        raise WorkstationError("Name at least one patient to export (--patient ID).")
    container.check_passphrase(passphrase)
    for pid in ids:
        store.patient(pid)   # NotFound with a plain sentence
    if out.exists() and not overwrite:
        raise WorkstationError(f"{out} already exists; choose another file name (or pass --force to replace it).")
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        raise WorkstationError(f"The folder {out.parent} does not exist or cannot be written to.")
    con = store.con
    counts: dict[str, dict[str, int]] = {pid: {} for pid in ids}
    manifest = {"format": "workstation-patient-bundle-payload", "version": PAYLOAD_VERSION,
                "schema_version": SCHEMA_VERSION, "workstation": __version__,
                "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "exported_by": audit.os_user(), "from_store": store.header.vault_id, "patients": ids, "tables": {}}

    def parts(mem: MemDir):
        for i, table in enumerate(BUNDLE_TABLES):
            progress.check()
            progress.set(i / (len(BUNDLE_TABLES) + 1), f"Packing {table}")
            con.execute(f"COPY ({select_sql(table)}) TO '{mem.url(table)}' (FORMAT parquet, COMPRESSION zstd)")
            src = f"read_parquet('{mem.url(table)}')"
            n = con.execute(f"SELECT count(*) FROM {src}").fetchone()[0]
            manifest["tables"][table] = int(n)
            key = "id" if table == "patients" else "patient_id"
            for pid, k in _per_patient_counts(con, table, src, key).items():
                if pid in counts:
                    counts[pid][table] = k
            data = mem.read(table)
            mem.remove(table)
            if n:
                yield table, data
        yield MANIFEST, json.dumps(manifest, sort_keys=True).encode("utf-8")

    tmp = out.with_name(out.name + ".part")
    con.register("_bx_pids", pd.DataFrame({"pid": pd.Series(ids, dtype="object")}))
    with _registered(con, "_bx_pids", "_bx_details"):
        keep = set(ids)
        det = con.execute(f"SELECT id, details FROM sources WHERE id IN ({source_ids_sql()})").fetchall()
        con.register("_bx_details", pd.DataFrame({"id": pd.Series([r[0] for r in det], dtype="int64"),
                                                  "details": pd.Series([scrub_details(r[1], keep) for r in det],
                                                                       dtype="object")}))
        try:
            with memory_files(con) as mem:
                size = container.write_bundle(tmp, parts(mem), passphrase, kdf=kdf)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise WorkstationError(_write_failed(out, exc)) from None
    sha = _sha256(tmp)
    try:
        with store.transaction() as tx:
            for pid in ids:
                audit.append(tx, "export_bundle", patient_id=pid,
                             detail={"file": out.name, "sha256": sha, "counts": counts[pid], "patients": len(ids)})
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WorkstationError(_write_failed(out, exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    progress.set(1.0, f"Wrote {out.name}")
    return BundleResult(str(out), sha, size, {p: p for p in ids}, counts,
                        message=f"Exported {len(ids)} patient(s) to {out.name} (encrypted, {size:,} bytes).")


def _write_failed(out: Path, exc: OSError) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk holding {out.parent} is full, so the bundle {out.name} was not written; free some space."
    return f"The bundle {out.name} could not be written ({exc.strerror or exc}); nothing was exported."


# -- import ---------------------------------------------------------------------------------------------------

def _manifest(path: Path, parts: dict[str, bytes]) -> dict:
    try:
        m = json.loads(parts[MANIFEST].decode("utf-8"))
        if m.get("format") != "workstation-patient-bundle-payload" or not m.get("patients"):
            raise ValueError
    except (KeyError, ValueError, UnicodeDecodeError, AttributeError):
        raise MalformedFile(str(path), "the bundle opened but holds no valid list of contents") from None
    if int(m.get("version", 0)) > PAYLOAD_VERSION or int(m.get("schema_version", 0)) > SCHEMA_VERSION:
        raise MalformedFile(str(path), f"the bundle was written by a newer workstation (store schema "
                                       f"{m.get('schema_version')}); update this program to import it")
    unknown = sorted(set(parts) - {MANIFEST} - set(BUNDLE_TABLES))
    if unknown:
        raise MalformedFile(str(path), f"the bundle holds tables this workstation does not know: {', '.join(unknown)}")
    return m


def import_bundle(store, path: Path | str, passphrase: str, *, rename: str | None = None,
                  progress: Progress | None = None) -> BundleResult:
    """Verify, decrypt and import a bundle in one transaction. ``rename`` files a one-patient bundle under a new
    id. Refusals (wrong passphrase, changed file, existing patient) store nothing and are audited."""
    path = Path(path)
    try:
        return _import(store, path, passphrase, rename, ensure(progress))
    except WorkstationError as exc:
        store.audit("import_bundle_refused", detail={"file": path.name, "reason": type(exc).__name__})
        raise


def _import(store, path: Path, passphrase: str, rename: str | None, progress: Progress) -> BundleResult:
    if not path.is_file():
        raise NotFound(f"There is no file at {path}.")
    progress.set(0.0, f"Decrypting {path.name}")
    parts = container.read_bundle(path, passphrase)
    m = _manifest(path, parts)
    ids = [str(p) for p in m["patients"]]
    if rename is not None:
        rename = rename.strip()
        if len(ids) != 1:
            raise ImportError_(str(path), f"the bundle holds {len(ids)} patients, so it cannot be imported under "
                                          "one new id; import it without --as")
        if not rename:
            raise ImportError_(str(path), "the new patient id given with --as is empty")
    pid_map = {ids[0]: rename} if rename else {p: p for p in ids}
    sha, size = _sha256(path), path.stat().st_size
    con = store.con
    tables = [t for t in BUNDLE_TABLES if t in parts]
    counts: dict[str, dict[str, int]] = {pid_map[p]: {} for p in ids}
    prov: dict[str, int] = {}
    with memory_files(con) as mem, _registered(con, "_bx_pidmap", "_bx_srcmap"):
        for t in tables:
            mem.write(t, parts.pop(t))
        _check_columns(con, path, mem, tables)
        _check_listed(con, path, mem, tables, ids)
        with store.transaction() as tx:
            src_map = _insert_sources(tx, mem, tables, pid_map)
            progress.check()
            for old in ids:       # one at a time: a refusal half-way rolls back what came before
                _insert_patient(tx, path, mem, old, pid_map[old])
            for i, t in enumerate(x for x in tables if x != "patients"):
                progress.check()
                progress.set(0.1 + 0.8 * i / max(len(tables), 1), f"Importing {t}")
                n = _insert_rows(tx, mem, t, src_map, pid_map)
                if n != int(m["tables"].get(t, -1)):
                    raise MalformedFile(str(path), f"the bundle's {t} part holds {n} rows but its contents list "
                                                   f"says {m['tables'].get(t)}")
                key = "patient_id"
                for p, k in _per_patient_counts(tx, t, f"read_parquet('{mem.url(t)}')", key).items():
                    if p in pid_map:
                        counts[pid_map[p]][t] = k
            failpoints.hit("bundle:rows-written")
            for old in ids:
                new = pid_map[old]
                counts[new]["patients"] = 1
                prov[new] = _provenance(tx, path, sha, size, m, old, new, counts[new])
                audit.append(tx, "import_bundle", patient_id=new,
                             detail={"file": path.name, "sha256": sha, "counts": counts[new], "bundle_id": old,
                                     "exported_at": m.get("exported_at"), "patients": len(ids)})
    progress.set(1.0, f"Imported {path.name}")
    names = ", ".join(pid_map[p] for p in ids)
    return BundleResult(str(path), sha, size, pid_map, counts, prov,
                        message=f"Imported {len(ids)} patient(s) from {path.name}: {names}.")


@contextmanager
def _registered(con, *names: str) -> Iterator[None]:
    """Unregister the named Python frames from ``con`` when done."""
    try:
        yield
    finally:
        for name in names:
            try:
                con.unregister(name)
            except duckdb.Error:
                pass


def _check_columns(con, path: Path, mem: MemDir, tables: list[str]) -> None:
    for t in tables:
        have = set(table_columns(con, t))
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{mem.url(t)}')").fetchall()]
        extra = [c for c in cols if c not in have]
        if extra:
            raise MalformedFile(str(path), f"the bundle's {t} part has columns this store does not have "
                                           f"({', '.join(extra)})")


def _check_listed(con, path: Path, mem: MemDir, tables: list[str], ids: list[str]) -> None:
    """Every row must belong to a patient the bundle's contents list names (or to none, where the table allows
    it): a crafted bundle must not add rows to another patient already in this store."""
    listed = "(" + ", ".join("'" + p.replace("'", "''") + "'" for p in ids) + ")"
    for t in tables:
        key = "id" if t == "patients" else "patient_id"
        n = con.execute(f"SELECT count(*) FROM read_parquet('{mem.url(t)}') "
                        f"WHERE {key} IS NOT NULL AND {key} NOT IN {listed}").fetchone()[0]
        if n:
            raise MalformedFile(str(path), f"the bundle's {t} part holds {n} rows for a patient its contents list "
                                           "does not name")


def _insert_sources(con, mem: MemDir, tables: list[str], pid_map: dict[str, str]) -> dict[int, int]:
    con.register("_bx_pidmap", pd.DataFrame({"old": pd.Series(list(pid_map), dtype="object"),
                                             "new": pd.Series(list(pid_map.values()), dtype="object")}))
    if "sources" not in tables:
        con.register("_bx_srcmap", pd.DataFrame({"old": pd.Series([], dtype="int64"),
                                                 "new": pd.Series([], dtype="int64")}))
        return {}
    old_ids = [int(r[0]) for r in con.execute(f"SELECT id FROM read_parquet('{mem.url('sources')}')").fetchall()]
    src_map = {o: int(con.execute("SELECT nextval('source_seq')").fetchone()[0]) for o in old_ids}
    con.register("_bx_srcmap", pd.DataFrame({"old": pd.Series(list(src_map), dtype="int64"),
                                             "new": pd.Series(list(src_map.values()), dtype="int64")}))
    con.execute(f"""INSERT INTO sources BY NAME
        SELECT * EXCLUDE (id, patient_id, _ns, _np), _ns AS id, coalesce(_np, patient_id) AS patient_id
        FROM (SELECT b.*, m.new AS _ns, p.new AS _np FROM read_parquet('{mem.url('sources')}') b
              JOIN _bx_srcmap m ON b.id = m.old LEFT JOIN _bx_pidmap p ON b.patient_id = p.old)""")
    return src_map


def _insert_patient(con, path: Path, mem: MemDir, old: str, new: str) -> None:
    if con.execute("SELECT 1 FROM patients WHERE id = ?", [new]).fetchone():
        hint = "import it under another id with --as NEW_ID, or delete the existing patient first" \
            if old == new else "choose another id with --as"
        raise PatientExists(str(path), f"patient {new!r} already exists in this store ({hint})", field="patient id")
    n = con.execute(f"""INSERT INTO patients BY NAME SELECT * REPLACE (? AS id)
        FROM read_parquet('{mem.url('patients')}') WHERE id = ?""", [new, old]).fetchone()[0]
    if n != 1:
        raise MalformedFile(str(path), f"the bundle lists patient {old!r} but holds no record for them")
    if old != new:
        ident = con.execute("SELECT identifiers FROM patients WHERE id = ?", [new]).fetchone()[0]
        try:
            lst = json.loads(ident) if ident else []
        except ValueError:
            lst = []
        lst = (lst if isinstance(lst, list) else []) + [{"system": "urn:workstation:bundle-patient-id", "value": old}]
        con.execute("UPDATE patients SET identifiers = ? WHERE id = ?", [json.dumps(lst), new])


def _insert_rows(con, mem: MemDir, table: str, src_map: dict[int, int], pid_map: dict[str, str]) -> int:
    if table == "sources":
        return len(src_map)
    return int(con.execute(f"""INSERT INTO {table} BY NAME
        SELECT * EXCLUDE (source_id, patient_id, _ns, _np), _ns AS source_id, coalesce(_np, patient_id) AS patient_id
        FROM (SELECT b.*, m.new AS _ns, p.new AS _np FROM read_parquet('{mem.url(table)}') b
              LEFT JOIN _bx_srcmap m ON b.source_id = m.old LEFT JOIN _bx_pidmap p ON b.patient_id = p.old)
        """).fetchone()[0])


def _provenance(con, path: Path, sha: str, size: int, m: dict, old: str, new: str, counts: dict) -> int:
    sid = int(con.execute("SELECT nextval('source_seq')").fetchone()[0])
    details = {"bundle_patient_id": old, "exported_at": m.get("exported_at"), "exported_by": m.get("exported_by"),
               "from_store": m.get("from_store"), "exported_with": m.get("workstation"), "patients": [new],
               "warnings": []}
    con.execute(
        "INSERT INTO sources (id, patient_id, file_name, sha256, size_bytes, kind, importer, importer_version, "
        "counts, details, imported_by) VALUES (?, ?, ?, ?, ?, 'bundle', 'bundle', ?, ?, ?, ?)",
        [sid, new, path.name, sha, size, IMPORTER_VERSION, json.dumps(counts, sort_keys=True),
         json.dumps(details, default=str), audit.os_user()])
    return sid


__all__ = ["BundleResult", "PatientExists", "export_bundle", "import_bundle"]
