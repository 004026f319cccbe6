"""Passphrase change and re-keying of an open store, both crash-safe and audited (failures too).

Re-key writes a complete copy of the database encrypted with a new data key beside the old one (its audit row
``rekey`` is written into the copy only), and a new vault header beside the old header; both are made durable.
Then :func:`workstation.store.recovery.swap_in` journals the swap and renames the files; the old database is
overwritten and deleted. A kill at any moment is finished (journal written) or rolled back (not yet written) at
the next open. Any failure before the swap (a full disk) leaves the old pair untouched, removes the half-written
copy and records ``rekey_failed``.

A passphrase change rewrites only the header, atomically, in the same step that records the audit row as pending
(see :mod:`workstation.store.anchor`); a failure records ``change_passphrase_failed``.
"""
from __future__ import annotations

import errno
from pathlib import Path

import duckdb

from workstation import vault
from workstation.errors import StoreError, WorkstationError
from workstation.store import anchor, audit, failpoints, recovery
from workstation.store.connect import _sql_str, translate_open_error
from workstation.store.db import Store, Unlock


def _audit_failure(store: Store, action: str, exc: BaseException) -> None:
    try:
        store.audit(action, detail={"reason": type(exc).__name__})
    except (WorkstationError, duckdb.Error, OSError):
        pass   # e.g. the disk is still full: the refusal itself is what the user sees


def change_passphrase(store: Store, old_passphrase: str, new_passphrase: str) -> None:
    """Re-wrap the data key under a new passphrase (the keyring wrap is unchanged)."""
    vault.unlock_with_passphrase(store.header, old_passphrase)  # proves the caller knows the old one
    fresh = vault.new_header(store.data_key, new_passphrase, kdf=store.header.kdf, vault_id=store.header.vault_id)
    fresh.keyring_wrap = store.header.keyring_wrap
    fresh.created = store.header.created
    fresh.audit_anchor = store.header.audit_anchor
    before = store.header
    try:
        with store.transaction(note="change_passphrase") as con:
            audit.append(con, "change_passphrase")
            store.header = fresh    # the pre-commit anchor write saves the new wrap and the pending row at once
    except BaseException as exc:
        store.header = before
        try:
            before.save(vault.header_path(store.path))
        except OSError:
            pass
        failpoints.hit("passwd:failed")
        _audit_failure(store, "change_passphrase_failed", exc)
        if isinstance(exc, OSError):
            raise StoreError(_disk_sentence(store.path, exc)) from None
        raise


def _disk_sentence(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) or "space" in str(exc).lower():
        return f"The disk holding {path} is full; nothing was changed. Free some space and try again."
    return f"The patient store {path} could not be written ({exc.strerror or exc}); nothing was changed."


def rekey(store: Store, passphrase: str, *, keyring_backend=None, kdf: vault.KdfParams | None = None) -> Store:
    """Re-encrypt the whole database under a new data key. Closes ``store``; returns the reopened store."""
    vault.unlock_with_passphrase(store.header, passphrase)
    path = store.path
    sp = recovery.SwapPaths(path)
    for p in sp.temporaries():
        recovery.remove(p)
    new_key = vault.new_data_key()
    vid = store.header.vault_id
    con = store.con
    try:
        new_header = vault.new_header(new_key, passphrase, kdf=kdf or store.header.kdf, keyring_backend=None,
                                      vault_id=vid)
        new_header.created = store.header.created
        con.execute("CHECKPOINT")
        con.execute(f"ATTACH '{_sql_str(str(sp.tmp_db))}' AS rekey_new "
                    f"(ENCRYPTION_KEY '{vault.db_key_string(new_key)}', ENCRYPTION_CIPHER 'GCM')")
        try:
            con.execute("COPY FROM DATABASE pdb TO rekey_new")
            failpoints.hit("rekey:copied")
            con.execute("USE rekey_new")
            con.execute("BEGIN TRANSACTION")
            try:
                audit.append(con, "rekey")
                state = anchor.current_state(con, "rekey_new")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                con.execute("USE pdb")
            con.execute("CHECKPOINT rekey_new")
        finally:
            con.execute("DETACH rekey_new")
        failpoints.hit("rekey:copy-closed")
        if keyring_backend is not None:
            new_header = vault.new_header(new_key, passphrase, kdf=new_header.kdf, keyring_backend=keyring_backend,
                                          vault_id=vid)
            new_header.created = store.header.created
        new_header.audit_anchor = anchor.sign(anchor.mac_key(new_key), vid, state)
        new_header.save(sp.tmp_hp)
        failpoints.hit("rekey:header-written")
    except (duckdb.Error, OSError) as exc:
        for p in sp.temporaries():
            recovery.remove(p)
        _audit_failure(store, "rekey_failed", exc)
        err = _disk_sentence(path, exc) if isinstance(exc, OSError) else str(translate_open_error(path, exc))
        if "full" in err:
            raise StoreError(f"Re-keying failed: the disk holding {path} is full; nothing was changed and the patient "
                             "store still opens with its current key.") from None
        raise StoreError(f"Re-keying failed and nothing was changed; the patient store still opens with its "
                         f"current key. ({err})") from None
    store.close()
    recovery.swap_in(path)
    return Store.open(path, Unlock(passphrase=passphrase))


def recover_interrupted_rekey(path: Path) -> bool:
    """Finish or undo an interrupted re-key swap (also done by every ``Store.open``). True when something was done."""
    return bool(recovery.finish_interrupted_swap(Path(path)))
