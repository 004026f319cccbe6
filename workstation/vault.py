"""Keys for the encrypted patient store.

A random 32-byte *data key* encrypts the DuckDB file. The *vault header* (a small JSON file beside the database,
``<db>.vault``) holds that key wrapped twice with AES-256-GCM:

* by a random 32-byte wrap key kept in the OS keyring (Windows Credential Manager, macOS Keychain, Secret
  Service) under service ``workstation-vault`` and the vault's id;
* by a key derived from the user's recovery passphrase with argon2id (parameters stored in the header).

Either unlocks. Where no keyring backend exists (headless Linux) the passphrase is the only way in. The data key
is never written to disk unwrapped and never logged. The third-party "alt" keyring backends are refused:
their file backends keep secrets in plaintext.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workstation.errors import VaultError, WrongPassphrase

KEYRING_SERVICE = "workstation-vault"
HEADER_FORMAT = "workstation-vault"
HEADER_VERSION = 1
_MAX_HEADER_BYTES = 1 << 20


@dataclass(frozen=True)
class KdfParams:
    """argon2id parameters. The defaults take about 0.25 s on a 2-core laptop-class machine (bench/bench_store.py)."""

    time_cost: int = 3
    memory_cost_kib: int = 131072  # 128 MiB
    parallelism: int = 1


# Cheap parameters for tests and the synthetic demo store only (never for real patients).
FAST_KDF = KdfParams(time_cost=1, memory_cost_kib=8192, parallelism=1)

# Bounds on argon2id parameters read from any file (vault header, bundle): a hostile or damaged file must not make
# the workstation run for minutes or exhaust memory before the passphrase is even checked. 1 GiB and 16 passes
# (about 40 times the defaults of 128 MiB and 3 passes, ~10 s) bound the work; the floor refuses parameters too
# weak to protect a key (FAST_KDF, used for tests and the synthetic demo, sits exactly on it).
KDF_MAX_MEMORY_KIB = 1024 * 1024
KDF_MIN_MEMORY_KIB = 8192
KDF_MAX_TIME_COST = 16
KDF_MAX_PARALLELISM = 16


def checked_kdf(time_cost, memory_cost_kib, parallelism, *, what: str) -> KdfParams:
    """KdfParams from untrusted values, or VaultError naming ``what`` when a value is not a sane integer."""
    vals = (time_cost, memory_cost_kib, parallelism)
    if not all(type(v) is int for v in vals):
        raise VaultError(f"{what} has key-derivation parameters that are not whole numbers; it is damaged.")
    if not (1 <= time_cost <= KDF_MAX_TIME_COST and KDF_MIN_MEMORY_KIB <= memory_cost_kib <= KDF_MAX_MEMORY_KIB
            and 1 <= parallelism <= KDF_MAX_PARALLELISM and memory_cost_kib >= 8 * parallelism):
        raise VaultError(f"{what} asks for key-derivation work outside the accepted range (time cost 1-"
                         f"{KDF_MAX_TIME_COST}, memory {KDF_MIN_MEMORY_KIB}-{KDF_MAX_MEMORY_KIB} KiB, parallelism "
                         f"1-{KDF_MAX_PARALLELISM}); it is damaged or was not written by the workstation.")
    return KdfParams(time_cost, memory_cost_kib, parallelism)


def header_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".vault")


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"), validate=True)


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(passphrase.encode("utf-8"), salt, params.time_cost, params.memory_cost_kib,
                           params.parallelism, 32, Type.ID)


def _wrap(wrap_key: bytes, data_key: bytes, aad: bytes) -> dict:
    nonce = secrets.token_bytes(12)
    return {"nonce": _b64(nonce), "ciphertext": _b64(AESGCM(wrap_key).encrypt(nonce, data_key, aad))}


def _unwrap(wrap_key: bytes, blob: dict, aad: bytes) -> bytes:
    return AESGCM(wrap_key).decrypt(_unb64(blob["nonce"]), _unb64(blob["ciphertext"]), aad)


# --- keyring ---------------------------------------------------------------------------------------------------

def default_keyring():
    """The OS keyring backend, or None when there is no usable one (e.g. headless Linux)."""
    if os.environ.get("WORKSTATION_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import fail

        kr = keyring.get_keyring()
    except Exception:
        return None
    name = type(kr).__module__ + "." + type(kr).__name__
    if isinstance(kr, fail.Keyring) or "keyrings.alt" in name or getattr(kr, "priority", 0) <= 0:
        return None
    return kr


# --- header ----------------------------------------------------------------------------------------------------

@dataclass
class VaultHeader:
    vault_id: str
    created: str
    kdf: KdfParams
    salt: bytes
    passphrase_wrap: dict
    keyring_wrap: dict | None
    # The audit-log anchor (workstation.store.anchor): last audit row, table row counts and a MAC over them.
    audit_anchor: dict | None = None

    def to_json(self) -> str:
        extra = {"audit_anchor": self.audit_anchor} if self.audit_anchor is not None else {}
        return json.dumps({
            "format": HEADER_FORMAT, "version": HEADER_VERSION, "vault_id": self.vault_id, "created": self.created,
            "kdf": {"name": "argon2id", "time_cost": self.kdf.time_cost, "memory_cost_kib": self.kdf.memory_cost_kib,
                    "parallelism": self.kdf.parallelism, "salt": _b64(self.salt)},
            "wraps": {"passphrase": self.passphrase_wrap, "keyring": self.keyring_wrap},
            **extra,
        }, indent=2)

    @classmethod
    def load(cls, path: Path) -> "VaultHeader":
        if not path.exists():
            raise VaultError(f"The vault header {path} is missing, so the patient store cannot be unlocked. "
                             "Restore it from your backup.")
        try:
            if path.stat().st_size > _MAX_HEADER_BYTES:
                raise ValueError("too large")
            raw = json.loads(path.read_text("utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not an object")
            if raw.get("format") != HEADER_FORMAT:
                raise ValueError("not a vault header")
            if int(raw.get("version", 0)) > HEADER_VERSION:
                raise VaultError(f"The vault header {path} was written by a newer workstation; update this program.")
            k = raw["kdf"]
            if k.get("name") != "argon2id":
                raise ValueError("unknown key derivation")
            kdf = checked_kdf(k["time_cost"], k["memory_cost_kib"], k["parallelism"],
                              what=f"The vault header {path}")
            salt = _unb64(k["salt"])
            if not 16 <= len(salt) <= 64:
                raise ValueError("salt length")
            anchor = raw.get("audit_anchor")
            if anchor is not None and not isinstance(anchor, dict):
                raise ValueError("anchor")
            kw = raw["wraps"].get("keyring")
            if kw is not None and not isinstance(kw, dict):
                raise ValueError("keyring wrap")
            return cls(vault_id=str(raw["vault_id"]), created=str(raw["created"]), kdf=kdf,
                       salt=salt, passphrase_wrap=dict(raw["wraps"]["passphrase"]),
                       keyring_wrap=kw, audit_anchor=anchor)
        except VaultError:
            raise
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError, RecursionError, OSError):
            raise VaultError(f"The vault header {path} is damaged or is not a workstation vault header.") from None

    def save(self, path: Path, *, durable: bool = True) -> None:
        """Write atomically: a crash leaves either the old or the new header, never half of one. ``durable``
        (the default) also fsyncs file and folder, so the new header survives a power cut; the audit anchor's
        post-commit promotion skips that (losing it leaves the pending state, which still matches)."""
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(self.to_json())
                fh.flush()
                if durable:
                    os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
        if durable:
            fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _aad(vault_id: str, kind: str) -> bytes:
    return f"{HEADER_FORMAT}:{vault_id}:{kind}".encode()


def new_header(data_key: bytes, passphrase: str, *, kdf: KdfParams = KdfParams(), keyring_backend=None,
               vault_id: str | None = None) -> VaultHeader:
    """Wrap ``data_key`` by the passphrase and, when a keyring backend is given, by a fresh keyring key."""
    if len(passphrase) < 8:
        raise VaultError("The recovery passphrase must have at least 8 characters.")
    vid = vault_id or str(uuid.uuid4())
    salt = secrets.token_bytes(16)
    pw = _wrap(derive_key(passphrase, salt, kdf), data_key, _aad(vid, "passphrase"))
    kw = None
    if keyring_backend is not None:
        wrap_key = secrets.token_bytes(32)
        try:
            keyring_backend.set_password(KEYRING_SERVICE, vid, wrap_key.hex())
            kw = _wrap(wrap_key, data_key, _aad(vid, "keyring"))
        except Exception:
            kw = None  # the keyring refused; the passphrase still opens the vault
    return VaultHeader(vid, datetime.now(timezone.utc).isoformat(timespec="seconds"), kdf, salt, pw, kw)


def unlock_with_passphrase(header: VaultHeader, passphrase: str) -> bytes:
    try:
        return _unwrap(derive_key(passphrase, header.salt, header.kdf), header.passphrase_wrap,
                       _aad(header.vault_id, "passphrase"))
    except InvalidTag:
        raise WrongPassphrase("The passphrase is not correct for this patient store.") from None


def unlock_with_keyring(header: VaultHeader, keyring_backend) -> bytes | None:
    """The data key from the OS keyring, or None if the keyring has no (valid) entry for this vault."""
    if keyring_backend is None or not header.keyring_wrap:
        return None
    try:
        secret = keyring_backend.get_password(KEYRING_SERVICE, header.vault_id)
    except Exception:
        return None
    if not secret:
        return None
    try:
        return _unwrap(bytes.fromhex(secret), header.keyring_wrap, _aad(header.vault_id, "keyring"))
    except (InvalidTag, ValueError):
        return None


def unlock(header: VaultHeader, *, passphrase: str | None = None, keyring_backend=None) -> bytes:
    """Keyring first, then passphrase. Raises VaultError with a plain sentence if neither opens it."""
    key = unlock_with_keyring(header, keyring_backend)
    if key is not None:
        return key
    if passphrase is None:
        if keyring_backend is None:
            raise VaultError("No keyring is available on this computer; enter the recovery passphrase "
                             "(or name an environment variable holding it with --passphrase-env).")
        raise VaultError("The keyring holds no key for this patient store; enter the recovery passphrase.")
    return unlock_with_passphrase(header, passphrase)


def new_data_key() -> bytes:
    return secrets.token_bytes(32)


def db_key_string(data_key: bytes) -> str:
    """The string handed to DuckDB's ENCRYPTION_KEY (hex of the 32-byte data key)."""
    return data_key.hex()
