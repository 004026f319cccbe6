"""Exchange commands: export-bundle, import-bundle (encrypted patient bundles) and export-fhir."""
from __future__ import annotations

import getpass
from pathlib import Path

from workstation.cli.common import open_store_from_args, print_json, read_secret
from workstation.errors import VaultError


def register(sub) -> None:
    p = sub.add_parser("export-bundle", help="write one or more patients to an encrypted bundle file")
    p.add_argument("--patient", metavar="ID", action="append", required=True, help="patient id (repeatable)")
    p.add_argument("--out", metavar="FILE", required=True, help="bundle file to write")
    p.add_argument("--bundle-passphrase-env", metavar="NAME",
                   help="read the bundle passphrase from the environment variable NAME (else asked twice)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_bundle)

    p = sub.add_parser("import-bundle", help="import an encrypted patient bundle (all or nothing)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--bundle-passphrase-env", metavar="NAME",
                   help="read the bundle passphrase from the environment variable NAME (else asked)")
    p.add_argument("--as", dest="as_id", metavar="NEW_ID", help="file a one-patient bundle under this new id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_bundle)

    p = sub.add_parser("export-fhir", help="write a patient's PGx and risk results as a FHIR R4 Bundle (JSON)")
    p.add_argument("--patient", metavar="ID", required=True)
    p.add_argument("--out", metavar="FILE", required=True)
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_fhir)


def bundle_passphrase(args, *, confirm: bool) -> str:
    """From ``--bundle-passphrase-env NAME``, else a terminal prompt (twice when ``confirm``)."""
    pw = read_secret(getattr(args, "bundle_passphrase_env", None), option="--bundle-passphrase-env",
                     what="bundle passphrase", prompt="Bundle passphrase: ", required=True)
    if getattr(args, "bundle_passphrase_env", None):
        return pw
    if confirm and getpass.getpass("Repeat the bundle passphrase: ") != pw:
        raise VaultError("The two passphrases differ; nothing was written.")
    return pw


def cmd_export_bundle(args) -> int:
    from workstation.exchange import export_bundle

    pw = bundle_passphrase(args, confirm=True)
    with open_store_from_args(args) as s:
        res = export_bundle(s, args.patient, Path(args.out), pw, overwrite=args.force)
    if args.json:
        print_json(res.to_json())
    else:
        print(res.message + " Give the passphrase to the recipient by another channel than the file.")
    return 0


def cmd_import_bundle(args) -> int:
    from workstation.exchange import import_bundle

    pw = bundle_passphrase(args, confirm=False)
    with open_store_from_args(args) as s:
        res = import_bundle(s, Path(args.file), pw, rename=args.as_id)
    if args.json:
        print_json(res.to_json())
    else:
        print(res.message)
    return 0


def cmd_export_fhir(args) -> int:
    from workstation.exchange.fhir_export import export_fhir

    with open_store_from_args(args) as s:
        res = export_fhir(s, args.patient, Path(args.out), overwrite=args.force)
    if args.json:
        print_json(res.to_json())
    else:
        print(res.message)
        if res.not_exported:
            print(f"Not exported ({len(res.not_exported)}): " + "; ".join(res.not_exported))
    return 0
