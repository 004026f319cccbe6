"""Store and key commands: init, unlock-check, patients, audit, audit verify, rekey, passwd, delete-patient."""
from __future__ import annotations

import json

from workstation import vault
from workstation.cli.common import db_path, open_store_from_args, passphrase_from_args, print_json, read_secret
from workstation.errors import VaultError, WorkstationError
from workstation.store import Store


def register(sub) -> None:
    p = sub.add_parser("init", help="create a new encrypted patient store")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("unlock-check", help="exit 0 if the keyring or passphrase opens the store")
    p.set_defaults(func=cmd_unlock_check)

    p = sub.add_parser("patients", help="list patients")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_patients)

    p = sub.add_parser("audit", help="show the audit log, or 'audit verify' to check its hash chain")
    p.add_argument("action", nargs="?", choices=["verify"], help="verify the hash chain")
    p.add_argument("--patient", metavar="ID", help="only rows about this patient")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("rekey", help="re-encrypt the store with a new data key (needs the passphrase)")
    p.set_defaults(func=cmd_rekey)

    p = sub.add_parser("passwd", help="change the recovery passphrase")
    p.add_argument("--new-passphrase-env", metavar="NAME", help="read the new passphrase from this variable")
    p.set_defaults(func=cmd_passwd)

    p = sub.add_parser("delete-patient", help="delete one patient and all their data (audited)")
    p.add_argument("patient", metavar="ID")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_delete)


def cmd_init(args) -> int:
    path = db_path(args)
    pw = passphrase_from_args(args, prompt="New recovery passphrase: ", required=True)
    if not getattr(args, "passphrase_env", None):
        again = passphrase_from_args(args, prompt="Repeat the passphrase: ", required=True)
        if again != pw:
            raise VaultError("The two passphrases differ; nothing was created.")
    kr = vault.default_keyring()
    Store.create(path, pw, keyring_backend=kr).close()
    where = "the OS keyring and the passphrase" if kr is not None else "the passphrase (no keyring on this computer)"
    print(f"Created an encrypted patient store at {path}; it unlocks with {where}.")
    return 0


def cmd_unlock_check(args) -> int:
    with open_store_from_args(args, read_only=True) as s:
        print(f"The key opens {s.path} (schema version {s.schema_version()}).")
    return 0


def cmd_patients(args) -> int:
    with open_store_from_args(args, read_only=True) as s:
        df = s.patients()
    rows = [{"id": r.id, "name": r.name, "birth_date": None if r.birth_date is None or str(r.birth_date) == "NaT"
             else str(r.birth_date)[:10], "sex": r.sex, "n_sources": int(r.n_sources)} for r in df.itertuples()]
    if args.json:
        print_json(rows)
    elif not rows:
        print("No patients in this store yet.")
    else:
        for r in rows:
            print(f"{r['id']:<40} {r['name'] or '':<30} {r['birth_date'] or '':<10} {r['sex'] or '':<7} "
                  f"{r['n_sources']} sources")
    return 0


def cmd_audit(args) -> int:
    with open_store_from_args(args, read_only=True) as s:
        if args.action == "verify":
            res = s.verify_audit()
            extra = s.consistency_problems()
            if args.json:
                print_json({"ok": res.ok and not extra, "rows": res.rows, "first_bad_seq": res.first_bad_seq,
                            "problem": res.problem, "consistency": extra})
            elif res.ok:
                print(f"Audit log intact: {res.rows} rows, hash chain and vault-header anchor verified.")
            else:
                where = f" (first bad row: {res.first_bad_seq})" if res.first_bad_seq is not None else ""
                print(f"Audit log TAMPERED: {res.problem}{where}.")
            for line in extra:
                print(f"Store inconsistent: {line}.")
            return 0 if res.ok and not extra else 1
        df = s.audit_rows(args.patient)
    rows = [{"seq": int(r.seq), "ts": r.ts, "user": r.os_user, "action": r.action, "patient_id": r.patient_id,
             "detail": json.loads(r.detail) if isinstance(r.detail, str) else None} for r in df.itertuples()]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            print(f"{r['seq']:>6} {r['ts'][:19]} {r['user'] or '':<12} {r['action']:<16} {r['patient_id'] or ''}")
    return 0


def cmd_rekey(args) -> int:
    from workstation.store.keys import rekey

    pw = passphrase_from_args(args, required=True)
    s = open_store_from_args(args)
    s = rekey(s, pw, keyring_backend=vault.default_keyring())
    s.close()
    print("The patient store was re-encrypted with a new data key; the old file was destroyed.")
    return 0


def cmd_passwd(args) -> int:
    from workstation.store.keys import change_passphrase

    old = passphrase_from_args(args, prompt="Current passphrase: ", required=True)
    new = read_secret(args.new_passphrase_env, option="--new-passphrase-env", what="new passphrase",
                      prompt="New passphrase: ", required=True)
    with open_store_from_args(args) as s:
        change_passphrase(s, old, new)
    print("The recovery passphrase was changed.")
    return 0


def cmd_delete(args) -> int:
    if not args.yes:
        raise WorkstationError("Deleting a patient cannot be undone; repeat with --yes to confirm.")
    with open_store_from_args(args) as s:
        s.delete_patient(args.patient)
    print(f"Patient {args.patient} and all their data were deleted.")
    return 0
