"""The encrypted patient-bundle container: a small binary envelope around named, already-compressed parts.

Layout of a bundle file (all integers big-endian)::

    MAGIC (8 bytes "WSBUNDLE") | header length (u32) | header (UTF-8 JSON) | ciphertext | GCM tag (16 bytes)

The header holds only what is needed to decrypt: format, version, cipher, argon2id parameters and salt, the GCM
nonce and a 16-byte key check. It holds no patient data. The key is argon2id(passphrase, salt) (see
:func:`workstation.vault.derive_key`), split by HKDF-SHA256 into the AES-256-GCM key and the key check. The whole
prefix (magic, length, header) is the GCM additional authenticated data, so a change to any byte of the file
is detected. The key check lets the reader tell "wrong passphrase" from "file changed or damaged".

The plaintext is a sequence of parts ``name length (u16) | name | data length (u64) | data``. Encryption is
stream-wise (parts are encrypted as they are produced, one at a time); decryption buffers the plaintext in memory
and hands it out only after the tag has been verified. Nothing of the plaintext is written to disk.
"""
from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from workstation import vault
from workstation.errors import MalformedFile, VaultError, WrongPassphrase

MAGIC = b"WSBUNDLE"
FORMAT = "workstation-patient-bundle"
VERSION = 1
TAG_LEN = 16
_MAX_HEADER = 64 * 1024
# argon2id parameters read from a bundle are bounded by workstation.vault.checked_kdf.
_CHUNK = 1 << 20


class BundleUnreadable(MalformedFile):
    """Not a patient bundle, from a newer program, truncated, or changed after it was written."""


@dataclass(frozen=True)
class Keys:
    payload: bytes
    check: bytes


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"), validate=True)


def derive_keys(passphrase: str, salt: bytes, kdf: vault.KdfParams) -> Keys:
    master = vault.derive_key(passphrase, salt, kdf)
    okm = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=b"workstation-bundle v1").derive(master)
    return Keys(payload=okm[:32], check=okm[32:])


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < 8:
        raise VaultError("The bundle passphrase must have at least 8 characters.")


def _frame(name: str, data: bytes) -> bytes:
    raw = name.encode("utf-8")
    return struct.pack(">H", len(raw)) + raw + struct.pack(">Q", len(data))


class BundleWriter:
    """Writes one bundle to an open binary file: ``add(name, data)`` for each part, then ``finish()``."""

    def __init__(self, fh: BinaryIO, passphrase: str, *, kdf: vault.KdfParams = vault.KdfParams()) -> None:
        check_passphrase(passphrase)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        keys = derive_keys(passphrase, salt, kdf)
        header = json.dumps({
            "format": FORMAT, "version": VERSION, "cipher": "AES-256-GCM",
            "kdf": {"name": "argon2id", "time_cost": kdf.time_cost, "memory_cost_kib": kdf.memory_cost_kib,
                    "parallelism": kdf.parallelism, "salt": _b64(salt)},
            "nonce": _b64(nonce), "key_check": _b64(keys.check), "payload": "parts/parquet-zstd",
        }, sort_keys=True).encode("utf-8")
        prefix = MAGIC + struct.pack(">I", len(header)) + header
        self._enc = Cipher(algorithms.AES(keys.payload), modes.GCM(nonce)).encryptor()
        self._enc.authenticate_additional_data(prefix)
        self._fh = fh
        self._fh.write(prefix)
        self.plaintext_bytes = 0

    def add(self, name: str, data: bytes) -> None:
        for piece in (_frame(name, data), data):
            self._fh.write(self._enc.update(piece))
            self.plaintext_bytes += len(piece)

    def finish(self) -> None:
        self._fh.write(self._enc.finalize())
        self._fh.write(self._enc.tag)


def _read_header(path: Path, fh: BinaryIO, size: int) -> tuple[bytes, dict]:
    name = str(path)
    start = fh.read(len(MAGIC) + 4)
    if len(start) < len(MAGIC) + 4 or start[:len(MAGIC)] != MAGIC:
        raise BundleUnreadable(name, "this is not a workstation patient bundle (its first bytes are not a bundle "
                                     "signature)")
    (hlen,) = struct.unpack(">I", start[len(MAGIC):])
    if hlen > _MAX_HEADER or len(start) + hlen + TAG_LEN > size:
        raise BundleUnreadable(name, "the bundle is truncated or damaged (its header length is impossible)")
    raw = fh.read(hlen)
    try:
        header = json.loads(raw.decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError
        if type(header.get("version", 0)) is not int:
            raise ValueError
    except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
        raise BundleUnreadable(name, "the bundle header is damaged") from None
    if int(header.get("version", 0)) > VERSION:
        raise BundleUnreadable(name, f"the bundle was written by a newer workstation (bundle format "
                                     f"{header.get('version')}); update this program to read it")
    return start + raw, header


def _params(path: Path, header: dict) -> tuple[vault.KdfParams, bytes, bytes, bytes]:
    try:
        k = header["kdf"]
        if k["name"] != "argon2id" or header["cipher"] != "AES-256-GCM":
            raise ValueError
        salt, nonce, check = _unb64(k["salt"]), _unb64(header["nonce"]), _unb64(header["key_check"])
        kdf = vault.checked_kdf(k["time_cost"], k["memory_cost_kib"], k["parallelism"], what="the bundle header")
    except VaultError:
        raise BundleUnreadable(str(path), "the bundle header asks for key-derivation settings outside safe limits") \
            from None
    except (KeyError, ValueError, TypeError, AttributeError):
        raise BundleUnreadable(str(path), "the bundle header is damaged (key derivation or cipher fields)") from None
    if len(nonce) != 12 or len(check) != 16 or not 16 <= len(salt) <= 64:
        raise BundleUnreadable(str(path), "the bundle header is damaged (key derivation or cipher fields)")
    return kdf, salt, nonce, check


def read_bundle(path: Path | str, passphrase: str) -> dict[str, bytes]:
    """Decrypt and verify ``path``; return its parts by name. Raises before returning anything if the file is
    not intact or the passphrase is wrong."""
    path = Path(path)
    try:
        size = path.stat().st_size
        fh = open(path, "rb")
    except OSError as exc:
        raise BundleUnreadable(str(path), f"the file cannot be read ({exc.strerror})") from None
    with fh:
        aad, header = _read_header(path, fh, size)
        kdf, salt, nonce, check = _params(path, header)
        keys = derive_keys(passphrase, salt, kdf)
        if not hmac.compare_digest(keys.check, check):
            raise WrongPassphrase(f"The passphrase does not open the patient bundle {path.name}; nothing was "
                                  "imported.")
        remaining = size - len(aad) - TAG_LEN
        fh.seek(size - TAG_LEN)
        tag = fh.read(TAG_LEN)
        fh.seek(len(aad))
        dec = Cipher(algorithms.AES(keys.payload), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(aad)
        plain = bytearray()
        while remaining > 0:
            chunk = fh.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            plain += dec.update(chunk)
        try:
            if remaining:
                raise ValueError
            plain += dec.finalize()
        except Exception:  # InvalidTag (changed bytes) or a short read
            raise BundleUnreadable(str(path), "the bundle was changed or damaged after it was written (its "
                                              "authentication tag does not match)") from None
    return _parse_parts(path, memoryview(plain))


def _parse_parts(path: Path, buf: memoryview) -> dict[str, bytes]:
    parts: dict[str, bytes] = {}
    i, n = 0, len(buf)
    while i < n:
        if i + 2 > n:
            raise BundleUnreadable(str(path), "the bundle's contents are malformed")
        (nl,) = struct.unpack(">H", buf[i:i + 2])
        name = bytes(buf[i + 2:i + 2 + nl]).decode("utf-8", "replace")
        i += 2 + nl
        if i + 8 > n:
            raise BundleUnreadable(str(path), "the bundle's contents are malformed")
        (dl,) = struct.unpack(">Q", buf[i:i + 8])
        i += 8
        if i + dl > n or name in parts:
            raise BundleUnreadable(str(path), "the bundle's contents are malformed")
        parts[name] = bytes(buf[i:i + dl])
        i += dl
    return parts


def write_bundle(path: Path, parts: Iterable[tuple[str, bytes]], passphrase: str, *,
                 kdf: vault.KdfParams = vault.KdfParams()) -> int:
    """Write parts (produced lazily, one at a time) to ``path``; returns the file size. On any failure the
    half-written file is removed."""
    try:
        with open(path, "wb") as fh:
            w = BundleWriter(fh, passphrase, kdf=kdf)
            for name, data in parts:
                w.add(name, data)
            w.finish()
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        try:
            path.unlink()
        except OSError:
            pass
        raise
    return path.stat().st_size
