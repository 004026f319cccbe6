"""``workstation report --patient ID --out FILE.pdf [--deidentified]``: the consult summary PDF, headless.

Registered by the launcher (``ui/launcher.py``) as an extra command module because it needs Qt's PDF writer; Qt
is imported only when the command runs, with the offscreen platform when there is no display.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("report", help="write a patient's consult summary as a PDF (Qt's PDF writer, no window)")
    p.add_argument("--patient", metavar="ID", required=True)
    p.add_argument("--out", metavar="FILE", required=True, help="PDF file to write")
    p.add_argument("--deidentified", action="store_true",
                   help="leave out every HIPAA Safe Harbor identifier (name, ids, dates more specific than the year)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)


def _no_display() -> bool:
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def ensure_gui_app():
    """The running QGuiApplication, or a new one (offscreen when there is no display)."""
    if _no_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication([sys.argv[0] if sys.argv else "workstation"])


def cmd_report(args) -> int:
    from workstation.cli.common import open_store_from_args, print_json
    from workstation.errors import WorkstationError
    from workstation.report import build_report, record_print

    out = Path(args.out).expanduser()
    if out.exists() and not args.force:
        raise WorkstationError(f"{out} already exists; choose another file name (or pass --force to replace it).")
    app = ensure_gui_app()  # noqa: F841  (kept alive while the PDF is drawn)
    from ui.report_pdf import write_report_pdf

    with open_store_from_args(args) as store:
        content = build_report(store, args.patient, deidentify=args.deidentified)
        pages = write_report_pdf(content, out)
        record_print(store, args.patient, deidentified=args.deidentified, pages=pages)
    kind = "de-identified consult summary" if args.deidentified else "consult summary"
    if args.json:
        print_json({"file": str(out), "pages": pages, "deidentified": bool(args.deidentified)})
    else:
        print(f"Wrote the {kind} ({pages} page{'s' if pages != 1 else ''}) to {out}.")
    return 0
