"""The audit-log anchor: the store's last audit row and its table sizes, kept outside the database.

The hash chain of ``audit_log`` (:mod:`workstation.store.audit`) detects a change, deletion or insertion in the
middle, but not a cut-off tail, an emptied table, a re-chained log, a forged last row, data deleted without an
audit row, or the whole database file rolled back to an older copy. So each committed write also records, in the
vault header beside the database (``<db>.vault``, :class:`workstation.vault.VaultHeader.audit_anchor`):

* ``state``: the last audit row's ``seq`` and ``hash`` and the row count of every patient-data table;
* ``pending``: the state a transaction is about to commit (written *before* COMMIT, promoted after it, so a crash
  between the two leaves a header that still matches the database, whichever way the commit went);
* ``broken``: once a mismatch has been seen at open, its description — kept for good, so writing on does not
  hide it;
* ``mac``: HMAC-SHA256 over all of it, keyed by a key derived from the store's data key, so the header cannot be
  edited to match a tampered database without that key.

:func:`compare` is what ``audit verify`` adds to the chain check. What the anchor cannot see: someone who holds the
data key and rewrites both files consistently, or who restores an older copy of the database *and* its header
together (keep backups where they cannot be swapped back unnoticed).
"""
from __future__ import annotations

import hashlib
import hmac
import json

ANCHOR_VERSION = 1
_MAC_INFO = b"workstation audit anchor v1"
# Derived results are a cache (recomputed at will, not audited); every other table is counted.
_UNCOUNTED = {"results_cache", "audit_log"}


class AnchorInvalid(Exception):
    """The header's anchor is unreadable or its MAC does not match (edited without the key)."""


def mac_key(data_key: bytes) -> bytes:
    return hmac.new(data_key, _MAC_INFO, hashlib.sha256).digest()


def current_state(con, catalog: str | None = None) -> dict:
    """{'seq', 'hash', 'counts': {table: rows}} of the database as this connection sees it (inside a transaction:
    including its uncommitted rows)."""
    cat = catalog or con.execute("SELECT current_database()").fetchone()[0]
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY 1",
        [cat]).fetchall() if r[0] not in _UNCOUNTED]
    counts: dict[str, int] = {}
    if tables:
        q = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {cat}.main.{t}" for t in tables)
        counts = {t: int(n) for t, n in con.execute(q).fetchall() if n}
    last = con.execute(f"SELECT seq, hash FROM {cat}.main.audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, h = (int(last[0]), str(last[1])) if last else (0, "")
    return {"seq": seq, "hash": h, "counts": counts}


def _canonical(vault_id: str, body: dict) -> bytes:
    return json.dumps([vault_id, body], sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(key: bytes, vault_id: str, state: dict, *, pending: dict | None = None, broken: str | None = None) -> dict:
    body = {"version": ANCHOR_VERSION, "state": state, "pending": pending, "broken": broken}
    return {**body, "mac": hmac.new(key, _canonical(vault_id, body), hashlib.sha256).hexdigest()}


def read(key: bytes, vault_id: str, blob: dict | None) -> dict | None:
    """The anchor body (``state``, ``pending``, ``broken``), None when the header has none, AnchorInvalid when it
    was edited or damaged."""
    if blob is None:
        return None
    try:
        body = {k: blob[k] for k in ("version", "state", "pending", "broken")}
        mac = blob["mac"]
        if not isinstance(mac, str):
            raise TypeError
        good = hmac.new(key, _canonical(vault_id, body), hashlib.sha256).hexdigest()
    except (KeyError, TypeError, ValueError, RecursionError):
        raise AnchorInvalid("the audit anchor in the vault header is damaged") from None
    if not hmac.compare_digest(good, mac):
        raise AnchorInvalid("the audit anchor in the vault header was changed without the store's key")
    return body


def _same(a: dict | None, b: dict) -> bool:
    if not a:
        return False
    return (a.get("seq"), a.get("hash")) == (b["seq"], b["hash"]) and \
        {k: v for k, v in (a.get("counts") or {}).items() if v} == b["counts"]


def compare(body: dict, state: dict) -> str | None:
    """None when the database's ``state`` is what the anchor recorded (committed or pending), else one sentence."""
    if body.get("broken"):
        return str(body["broken"])
    for rec in (body.get("state"), body.get("pending")):
        if _same(rec, state):
            return None
    rec = body.get("state") or {}
    want, have = int(rec.get("seq", 0)), state["seq"]
    if have < want:
        if have == 0:
            return f"the audit log is empty but the vault header records {want} rows (the log was emptied)"
        return (f"the audit log ends at row {have} but the vault header records row {want} (rows were removed "
                "from the end, or the database was rolled back to an older copy)")
    if have > want:
        pend = body.get("pending") or {}
        if have > int(pend.get("seq", 0)):
            return (f"the audit log has rows after row {want} that the workstation did not write (forged rows "
                    "appended)")
    if (rec.get("seq"), rec.get("hash")) != (state["seq"], state["hash"]) and have == want:
        return f"row {have} of the audit log is not the row the workstation wrote (the log was re-written)"
    counts = {k: v for k, v in (rec.get("counts") or {}).items() if v}
    for t in sorted(set(counts) | set(state["counts"])):
        if counts.get(t, 0) != state["counts"].get(t, 0):
            return (f"table {t} holds {state['counts'].get(t, 0)} rows but the last recorded change left "
                    f"{counts.get(t, 0)} (data was changed without an audit row)")
    return "the database does not match the audit anchor in the vault header"
