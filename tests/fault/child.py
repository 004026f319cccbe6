"""The child process of the kill tests: one operation on a store, run until it finishes or is killed.

``python -m tests.fault.child OP DB [ARG]`` with OP one of import, bundle, rekey, passwd. Prints ``done`` on success.
"""
from __future__ import annotations

import sys
from pathlib import Path

from workstation import vault
from workstation.store import Store, Unlock

PW = "kill test passphrase"
NEW_PW = "kill test new passphrase"
BUNDLE_PW = "kill test bundle passphrase"


def main(argv: list[str]) -> int:
    op, db = argv[0], Path(argv[1])
    s = Store.open(db, Unlock(passphrase=PW))
    if op == "import":
        from workstation.ingest import import_file

        import_file(s, argv[2], patient_id=argv[3] if len(argv) > 3 else None)
    elif op == "bundle":
        from workstation.exchange import import_bundle

        import_bundle(s, argv[2], BUNDLE_PW)
    elif op == "rekey":
        from workstation.store.keys import rekey

        s = rekey(s, PW, kdf=vault.FAST_KDF)
    elif op == "passwd":
        from workstation.store.keys import change_passphrase

        change_passphrase(s, PW, NEW_PW)
    else:
        raise SystemExit(f"unknown op {op}")
    s.close()
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
