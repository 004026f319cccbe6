"""Finishing or undoing what a killed process left behind, at the next open — never the user's job.

Two kinds of interrupted work:

* **The file swap of a re-key** (:func:`swap_in`). The new database and header are written completely beside the
  old ones (``<db>.rekey-tmp``, ``<db>.vault.rekey-tmp``) and made durable; then a journal ``<db>.rekey-journal``
  is written — the commit point — and the four renames follow; then the old copy is overwritten and deleted and the
  journal removed. At the next open :func:`finish_interrupted_swap` completes the swap when a journal exists
  (every byte of the new pair is on disk by then) and otherwise deletes the half-written new files, so the store
  is never left as "no patient store" or "the vault header is missing".
* **A write transaction killed during COMMIT.** Every write transaction records the state it is about to commit in
  the vault header first (``pending`` of :mod:`workstation.store.anchor`). If the database, once opened, matches
  neither the committed nor the pending state and holds rows that belong to no patient or no provenance row,
  those rows are the residue of that transaction and :func:`roll_back_interrupted_writes` deletes them.

Each repair is audited (``rekey_finished_after_interruption``, ``rekey_rolled_back_after_interruption``,
``write_rolled_back_after_interruption``) once the store is open read-write. :func:`orphan_report` is the
open-time consistency check: rows whose patient or provenance row does not exist.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from workstation import vault
from workstation.errors import StoreError
from workstation.store import failpoints

JOURNAL_SUFFIX = ".rekey-journal"
_NOTE_SUFFIX = ".recovery-note"
# Tables with patient_id / source_id columns checked for orphans (results_cache is a disposable cache).
_ORPHAN_TABLES = ("observations", "conditions", "medications", "allergies", "family_history", "procedures",
                  "encounters", "fhir_resources", "variants", "ref_blocks", "analytes", "wearable_samples",
                  "outside_calls", "family_versions", "results_cache")


class SwapPaths:
    def __init__(self, path: Path) -> None:
        self.db = Path(path)
        self.hp = vault.header_path(self.db)
        self.tmp_db = self.db.with_name(self.db.name + ".rekey-tmp")
        self.tmp_hp = self.hp.with_name(self.hp.name + ".rekey-tmp")
        self.old_db = self.db.with_name(self.db.name + ".old")
        self.old_hp = self.hp.with_name(self.hp.name + ".old")
        self.journal = self.db.with_name(self.db.name + JOURNAL_SUFFIX)
        self.note = self.db.with_name(self.db.name + _NOTE_SUFFIX)
        self.lock = self.db.with_name(self.db.name + ".swap-lock")

    def temporaries(self) -> list[Path]:
        return [self.tmp_db, Path(str(self.tmp_db) + ".wal"), self.tmp_hp, Path(str(self.tmp_hp) + ".tmp")]


@contextmanager
def swap_lock(p: SwapPaths) -> Iterator[None]:
    """Exclusive lock for the swap and its recovery, so a second process never "recovers" a swap in progress."""
    try:
        import fcntl
    except ImportError:   # Windows: the database lock held up to the swap is the only guard
        yield
        return
    try:
        fh = open(p.lock, "a+")
    except OSError:
        yield
        return
    with fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            remove(p.lock)
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json_durably(path: Path, obj: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(obj, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        remove(tmp)
        raise
    vault.fsync_dir(path.parent)


def remove(p: Path) -> None:
    try:
        p.unlink()
    except OSError:   # already gone (or not a file: left for the user, never a reason to fail a clean-up)
        pass


def shred(p: Path) -> None:
    """Overwrite ``p`` with random bytes, make that durable, then delete it. Best effort on SSDs and copy-on-write
    file systems (old blocks may survive there, but they hold only ciphertext under a retired key)."""
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        return
    try:
        with open(p, "r+b") as fh:
            block = os.urandom(1 << 20)
            written = 0
            while written < size:
                n = min(len(block), size - written)
                fh.write(block[:n])
                written += n
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        pass
    remove(p)


def _leave_note(p: SwapPaths, action: str) -> None:
    try:
        _write_json_durably(p.note, {"action": action})
    except OSError:
        pass


def _roll_forward(p: SwapPaths) -> None:
    for cur, tmp, old in ((p.db, p.tmp_db, p.old_db), (p.hp, p.tmp_hp, p.old_hp)):
        if tmp.exists():
            if cur.exists():
                if old.exists():   # cannot happen with the order swap_in uses; refuse to guess
                    raise StoreError(f"An interrupted re-key left {cur}, {old} and {tmp} together; the workstation "
                                     "will not guess which is current. Keep all three and ask for support.")
                os.replace(cur, old)
            os.replace(tmp, cur)
    cur_wal, old_wal = Path(str(p.db) + ".wal"), Path(str(p.old_db) + ".wal")
    vault.fsync_dir(p.db.parent)
    failpoints.hit("rekey:swapped")
    shred(p.old_db)
    shred(old_wal)
    remove(p.old_hp)
    remove(p.journal)
    vault.fsync_dir(p.db.parent)
    del cur_wal


def swap_in(path: Path) -> None:
    """Replace the store's database and header by the complete new pair (``.rekey-tmp``), crash-safely."""
    p = SwapPaths(path)
    with swap_lock(p):
        fsync_file(p.tmp_db)
        fsync_file(p.tmp_hp)
        wal = Path(str(p.db) + ".wal")
        if wal.exists():   # the old database was closed with a checkpoint; a leftover log belongs to the old key
            os.replace(wal, Path(str(p.old_db) + ".wal"))
        failpoints.hit("rekey:before-journal")
        _write_json_durably(p.journal, {"version": 1, "operation": "rekey", "phase": "swap"})
        failpoints.hit("rekey:journal-written")
        os.replace(p.db, p.old_db)
        failpoints.hit("rekey:renamed-old-db")
        os.replace(p.hp, p.old_hp)
        failpoints.hit("rekey:renamed-old-header")
        os.replace(p.tmp_db, p.db)
        failpoints.hit("rekey:renamed-new-db")
        os.replace(p.tmp_hp, p.hp)
        failpoints.hit("rekey:renamed-new-header")
        _roll_forward(p)


def finish_interrupted_swap(path: Path) -> list[dict]:
    """Complete or undo a re-key swap a killed process left behind. Returns the audit notes to record."""
    p = SwapPaths(path)
    notes: list[dict] = []
    if p.note.exists():   # a repair made while the store was opened read-only, not yet audited
        try:
            notes.append({"action": str(json.loads(p.note.read_text("utf-8"))["action"])})
        except (OSError, ValueError, KeyError, TypeError):
            notes.append({"action": "rekey_recovered_after_interruption"})
    journal = p.journal.exists()
    leftovers = [x for x in p.temporaries() if x.exists()]
    if not (journal or leftovers or p.old_db.exists()):
        return notes
    with swap_lock(p):
        if p.journal.exists():
            _roll_forward(p)
            action = "rekey_finished_after_interruption"
        elif p.old_db.exists() and not (p.db.exists() and p.hp.exists()):
            # a re-key by an older workstation (no journal) stopped after moving the old pair aside: put it back
            os.replace(p.old_db, p.db)
            if p.old_hp.exists():
                os.replace(p.old_hp, p.hp)
            for x in p.temporaries():
                remove(x)
            action = "rekey_rolled_back_after_interruption"
        elif leftovers:
            for x in p.temporaries():
                remove(x)
            action = "rekey_rolled_back_after_interruption"
        elif p.old_db.exists() and p.db.exists() and p.hp.exists():
            shred(p.old_db)          # the swap finished; only the destruction of the old copy was cut short
            remove(p.old_hp)
            action = "rekey_finished_after_interruption"
        else:
            return notes
    notes.append({"action": action})
    _leave_note(p, action)
    return notes


def clear_note(path: Path) -> None:
    remove(SwapPaths(path).note)


# -- orphan rows ---------------------------------------------------------------------------------------------

def _orphan_queries(con) -> list[tuple[str, str]]:
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    out = []
    for t in _ORPHAN_TABLES:
        if t not in have:
            continue
        cols = {r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()}
        cond = ["(patient_id IS NOT NULL AND patient_id NOT IN (SELECT id FROM patients))"]
        if "source_id" in cols:
            cond.append("(source_id IS NOT NULL AND source_id NOT IN (SELECT id FROM sources))")
        out.append((t, " OR ".join(cond)))
    out.append(("sources", "(patient_id IS NOT NULL AND patient_id NOT IN (SELECT id FROM patients))"))
    return out


def orphan_counts(con) -> dict[str, int]:
    counts = {}
    for t, cond in _orphan_queries(con):
        n = con.execute(f"SELECT count(*) FROM {t} WHERE {cond}").fetchone()[0]
        if n:
            counts[t] = int(n)
    return counts


def orphan_report(con) -> list[str]:
    """One sentence per table holding rows of no patient or no provenance row (the open-time consistency check)."""
    return [f"table {t} holds {n} rows that belong to no patient or no import in this store (an interrupted "
            "write, or a change made outside the workstation)" for t, n in orphan_counts(con).items()]


def roll_back_interrupted_writes(store) -> list[dict]:
    """If the header shows a write was in its commit window when the process died and orphan rows exist, delete
    them (they are that write's residue). Returns the audit notes."""
    from workstation.store import anchor

    try:
        body = anchor.read(store._anchor_key, store.header.vault_id, store.header.audit_anchor)
    except anchor.AnchorInvalid:
        return []
    notes: list[dict] = []
    if not body or body.get("pending") is None:
        return notes
    pending = body["pending"]
    state = anchor.current_state(store.con)
    if anchor.compare({"state": body.get("state")}, state) is None and pending.get("note"):
        notes.append({"action": str(pending["note"]), "detail": {"completed_after_interruption": True}})
    if anchor.compare(body, state) is None:
        return notes
    counts = orphan_counts(store.con)
    if not counts:
        return notes
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        for t, cond in _orphan_queries(con):
            if t in counts:
                con.execute(f"DELETE FROM {t} WHERE {cond}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    notes.append({"action": "write_rolled_back_after_interruption", "detail": {"orphan_rows_deleted": counts}})
    return notes
