"""Append-only audit log, each row chained to the previous one by SHA-256.

``hash = sha256(prev_hash + "\x1f" + canonical(seq, ts, os_user, action, patient_id, detail))``. The first row's
``prev_hash`` is 64 zeros. :func:`verify` recomputes the chain and reports the first row that does not match, so
any edit, deletion or insertion in the middle is detected.
"""
from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

GENESIS = "0" * 64


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "unknown"


def _row_hash(prev_hash: str, seq: int, ts: str, user: str | None, action: str, patient_id: str | None,
              detail: str | None) -> str:
    canonical = json.dumps([seq, ts, user, action, patient_id, detail], ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + "\x1f" + canonical).encode("utf-8")).hexdigest()


def append(con, action: str, *, patient_id: str | None = None, detail: dict | None = None) -> int:
    """Append one row inside the caller's transaction. Returns its sequence number."""
    last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    ts = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    user = os_user()
    detail_s = json.dumps(detail, sort_keys=True, default=str) if detail is not None else None
    h = _row_hash(prev, seq, ts, user, action, patient_id, detail_s)
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, ts, user, action, patient_id, detail_s, prev, h])
    return seq


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(con) -> VerifyResult:
    rows = con.execute("SELECT seq, ts, os_user, action, patient_id, detail, prev_hash, hash FROM audit_log "
                       "ORDER BY seq").fetchall()
    prev = GENESIS
    expected_seq = 1
    for seq, ts, user, action, pid, detail, prev_hash, h in rows:
        if seq != expected_seq:
            return VerifyResult(False, len(rows), seq, f"row {expected_seq} is missing (next row is {seq})")
        if prev_hash != prev:
            return VerifyResult(False, len(rows), seq, f"row {seq} does not follow row {seq - 1} (chain broken)")
        if _row_hash(prev, seq, ts, user, action, pid, detail) != h:
            return VerifyResult(False, len(rows), seq, f"row {seq} was changed after it was written")
        prev = h
        expected_seq += 1
    return VerifyResult(True, len(rows))
