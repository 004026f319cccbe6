"""Helpers shared by CLI commands: where the store is, how to unlock it, how to print."""
from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from workstation import vault
from workstation.errors import VaultError
from workstation.paths import default_db_path
from workstation.store import Store, Unlock


def db_path(args) -> Path:
    return Path(args.db).expanduser() if getattr(args, "db", None) else default_db_path()


def read_secret(env_name: str | None, *, option: str, what: str, prompt: str, required: bool) -> str | None:
    """A secret from the environment variable named by ``option`` (automation), else a terminal prompt when
    stdin is a TTY; else None, or a plain error when ``required``. The one way every command reads a secret."""
    if env_name:
        value = os.environ.get(env_name)
        if value is None:
            raise VaultError(f"The environment variable {env_name} named by {option} is not set.")
        return value
    if required or sys.stdin.isatty():
        if not sys.stdin.isatty():
            raise VaultError(f"A {what} is needed: pass {option} NAME.")
        return getpass.getpass(prompt)
    return None


def passphrase_from_args(args, *, prompt: str = "Recovery passphrase: ", required: bool = False) -> str | None:
    """The store's recovery passphrase from ``--passphrase-env NAME`` or a prompt."""
    return read_secret(getattr(args, "passphrase_env", None), option="--passphrase-env",
                       what="recovery passphrase", prompt=prompt, required=required)


def open_store_from_args(args, *, read_only: bool = False) -> Store:
    """Open the store named by ``--db``; keyring first, then the passphrase (env var or prompt)."""
    path = db_path(args)
    kr = vault.default_keyring()
    unlock = Unlock(passphrase=None, keyring_backend=kr)
    if getattr(args, "passphrase_env", None):
        unlock = Unlock(passphrase=passphrase_from_args(args), keyring_backend=kr)
    try:
        return Store.open(path, unlock, read_only=read_only)
    except VaultError:
        if unlock.passphrase is None and sys.stdin.isatty():
            return Store.open(path, Unlock(passphrase=passphrase_from_args(args, required=True),
                                           keyring_backend=kr), read_only=read_only)
        raise


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")
