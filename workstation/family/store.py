"""A patient's family in the encrypted store: versioned (one row per change) and audited (one row per change).

``current(store, pid)`` is the latest version; ``save(...)`` adds the next one and its audit row in one
transaction (or inside the caller's, e.g. a file import). Nothing is overwritten: ``history`` lists every version
and ``revert(store, pid, version)`` writes an earlier state as a new version, which is how undo and redo are
stored (:class:`EditSession`). Audit rows carry the operation and ids, never names.

Threading: like the Store, one thread at a time (the UI's single store worker).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from workstation.family.model import Family
from workstation.store import audit


def current(store, patient_id: str) -> tuple[Family | None, int]:
    """(family, version) of the latest stored version; (None, 0) when the patient has none yet."""
    row = store.con.execute("SELECT version, family FROM family_versions WHERE patient_id = ? "
                            "ORDER BY version DESC LIMIT 1", [patient_id]).fetchone()
    if row is None:
        return None, 0
    return Family.from_dict(json.loads(row[1])), int(row[0])


def at_version(store, patient_id: str, version: int) -> Family:
    row = store.con.execute("SELECT family FROM family_versions WHERE patient_id = ? AND version = ?",
                            [patient_id, version]).fetchone()
    if row is None:
        from workstation.errors import NotFound

        raise NotFound(f"Patient {patient_id!r} has no family version {version}.")
    return Family.from_dict(json.loads(row[0]))


def history(store, patient_id: str) -> list[dict]:
    """Every version: version, change descriptor, when and by whom (newest last)."""
    rows = store.con.execute("SELECT version, change, changed_at, changed_by, source_id FROM family_versions "
                             "WHERE patient_id = ? ORDER BY version", [patient_id]).fetchall()
    return [{"version": v, "change": json.loads(c) if c else {}, "changed_at": t, "changed_by": u,
             "source_id": s} for v, c, t, u, s in rows]


def _write(con, patient_id: str, family: Family, change: dict, source_id: int | None) -> int:
    row = con.execute("SELECT coalesce(max(version), 0) FROM family_versions WHERE patient_id = ?",
                      [patient_id]).fetchone()
    version = int(row[0]) + 1
    con.execute("INSERT INTO family_versions (patient_id, source_id, version, family, change, changed_by) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [patient_id, source_id, version, json.dumps(family.to_dict(), sort_keys=True),
                 json.dumps(change, sort_keys=True), audit.os_user()])
    audit.append(con, "family_change", patient_id=patient_id,
                 detail={"version": version, **{k: v for k, v in change.items() if k != "names"}})
    return version


def save(store, patient_id: str, family: Family, change: dict, *, con=None, source_id: int | None = None) -> int:
    """Store ``family`` as the patient's next version with its audit row; returns the new version number.

    With ``con`` (an open transaction, e.g. an import batch) it writes inside that transaction; otherwise it
    opens and commits its own, so one edit is one small transaction.
    """
    problems = family.problems()
    if problems:
        from workstation.family.edit import FamilyEditError

        raise FamilyEditError("The family cannot be saved: " + problems[0] + ".")
    if con is not None:
        return _write(con, patient_id, family, change, source_id)
    store.patient(patient_id)
    with store.transaction() as c:
        return _write(c, patient_id, family, change, source_id)


def revert(store, patient_id: str, version: int, *, op: str = "revert") -> int:
    """Write the family as it was at ``version`` as a new version (op ``undo``, ``redo`` or ``revert``)."""
    fam = at_version(store, patient_id, version)
    return save(store, patient_id, fam, {"op": op, "to_version": version})


@dataclass
class EditSession:
    """Undo/redo over stored versions during one consultation (each step is its own stored version).

    ``apply`` stores an edit's result; ``undo`` stores the state before the last edit; ``redo`` the state after
    it. The stacks hold version numbers only, so the store stays the single source of truth. Every method takes the
    open store first, so the window's single store worker can call them (``session.call(edits.apply, ...)``).
    """

    patient_id: str
    undo_stack: list[int] = field(default_factory=list)   # versions to go back to
    redo_stack: list[int] = field(default_factory=list)   # versions to go forward to

    def family(self, store) -> tuple[Family | None, int]:
        return current(store, self.patient_id)

    def apply(self, store, result: tuple[Family, dict]) -> int:
        family, change = result
        _, before = current(store, self.patient_id)
        v = save(store, self.patient_id, family, change)
        if before:
            self.undo_stack.append(before)
        self.redo_stack.clear()
        return v

    def edit(self, store, op: str, *args, **kwargs) -> int:
        """Apply ``workstation.family.edit.<op>(current family, *args, **kwargs)`` and store it."""
        from workstation.family import edit as ops

        fam, _ = current(store, self.patient_id)
        if fam is None:
            from workstation.family.fhir_io import merge

            fam, _ = merge(None, [], store.patient(self.patient_id))
            save(store, self.patient_id, fam, {"op": "new"})
        fn = getattr(ops, op)
        return self.apply(store, fn(fam, *args, **kwargs))

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    @property
    def can_redo(self) -> bool:
        return bool(self.redo_stack)

    def undo(self, store) -> int | None:
        if not self.undo_stack:
            return None
        _, now = current(store, self.patient_id)
        target = self.undo_stack.pop()
        self.redo_stack.append(now)
        return revert(store, self.patient_id, target, op="undo")

    def redo(self, store) -> int | None:
        if not self.redo_stack:
            return None
        _, now = current(store, self.patient_id)
        target = self.redo_stack.pop()
        self.undo_stack.append(now)
        return revert(store, self.patient_id, target, op="redo")
