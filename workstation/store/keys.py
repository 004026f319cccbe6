"""Passphrase change and re-keying of an open store.

Re-key writes a complete copy of the database encrypted with a new data key beside the old one, then swaps the
files. Any failure before the swap (a full disk, a crash) leaves the old database and header untouched and usable;
the half-written copy is removed. The old file is overwritten before it is deleted (best effort: SSDs and
copy-on-write file systems may keep old blocks, but those hold only ciphertext under the retired key).
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from workstation import vault
from workstation.errors import StoreError
from workstation.store import audit
from workstation.store.connect import _sql_str, translate_open_error
from workstation.store.db import Store, Unlock


def change_passphrase(store: Store, old_passphrase: str, new_passphrase: str) -> None:
    """Re-wrap the data key under a new passphrase (the keyring wrap is unchanged)."""
    vault.unlock_with_passphrase(store.header, old_passphrase)  # proves the caller knows the old one
    fresh = vault.new_header(store.data_key, new_passphrase, kdf=store.header.kdf, vault_id=store.header.vault_id)
    fresh.keyring_wrap = store.header.keyring_wrap
    fresh.created = store.header.created
    with store.transaction() as con:
        audit.append(con, "change_passphrase")
    fresh.save(vault.header_path(store.path))
    store.header = fresh


def rekey(store: Store, passphrase: str, *, keyring_backend=None, kdf: vault.KdfParams | None = None) -> Store:
    """Re-encrypt the whole database under a new data key. Closes ``store``; returns the reopened store."""
    vault.unlock_with_passphrase(store.header, passphrase)
    path = store.path
    tmp = path.with_name(path.name + ".rekey-tmp")
    hp = vault.header_path(path)
    for p in (tmp, Path(str(tmp) + ".wal")):
        if p.exists():
            p.unlink()
    new_key = vault.new_data_key()
    new_header = vault.new_header(new_key, passphrase, kdf=kdf or store.header.kdf, keyring_backend=None,
                                  vault_id=store.header.vault_id)
    with store.transaction() as con:
        audit.append(con, "rekey")
    try:
        con = store.con
        con.execute("CHECKPOINT")
        con.execute(f"ATTACH '{_sql_str(str(tmp))}' AS rekey_new "
                    f"(ENCRYPTION_KEY '{vault.db_key_string(new_key)}', ENCRYPTION_CIPHER 'GCM')")
        try:
            con.execute("COPY FROM DATABASE pdb TO rekey_new")
            con.execute("CHECKPOINT rekey_new")
        finally:
            con.execute("DETACH rekey_new")
    except (duckdb.Error, OSError) as exc:
        _remove(tmp)
        _remove(Path(str(tmp) + ".wal"))
        err = translate_open_error(tmp, exc)
        raise StoreError(f"Re-keying failed and nothing was changed; the patient store still opens with its "
                         f"current key. ({err})") from None
    if keyring_backend is not None:
        new_header = vault.new_header(new_key, passphrase, kdf=new_header.kdf, keyring_backend=keyring_backend,
                                      vault_id=store.header.vault_id)
    store.close()
    # Swap: old files become *.old, new ones take their names, then the old ones are destroyed.
    old_db = path.with_name(path.name + ".old")
    old_hp = hp.with_name(hp.name + ".old")
    os.replace(path, old_db)
    os.replace(hp, old_hp)
    os.replace(tmp, path)
    new_header.save(hp)
    _shred(old_db)
    _remove(old_hp)
    return Store.open(path, Unlock(passphrase=passphrase))


def recover_interrupted_rekey(path: Path) -> bool:
    """If a re-key stopped mid-swap, put the old pair back. Returns True when something was restored."""
    hp = vault.header_path(path)
    old_db, old_hp = path.with_name(path.name + ".old"), hp.with_name(hp.name + ".old")
    if old_db.exists() and old_hp.exists() and not (path.exists() and hp.exists()):
        os.replace(old_db, path)
        os.replace(old_hp, hp)
        return True
    return False


def _remove(p: Path) -> None:
    try:
        p.unlink()
    except FileNotFoundError:
        pass


def _shred(p: Path) -> None:
    try:
        size = p.stat().st_size
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
    _remove(p)
