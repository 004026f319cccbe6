"""The consult summary PDF, written offscreen by Qt's own PDF writer: page count, the name present in the normal
file and absent from the de-identified one, the window action (through the runner) and the headless CLI."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workstation import vault
from workstation.demo import build_demo_store
from workstation.report import build_report
from workstation.store import Store, Unlock

ROOT = Path(__file__).resolve().parents[2]
PW = "report pdf test passphrase"
PID = "demo-0001"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report-pdf") / "demo.duckdb"
    build_demo_store(path, PW, n_patients=2, kdf=vault.FAST_KDF).close()
    return path


@pytest.fixture
def store(demo_db):
    s = Store.open(demo_db, Unlock(passphrase=PW))
    yield s
    s.close()


def pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


def pdf_text(path: Path) -> str | None:
    """The PDF's text through poppler's pdftotext when it is installed (Qt compresses content streams)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    return subprocess.run([exe, str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_normal_and_deidentified(qapp, store, tmp_path):
    from ui.report_pdf import write_report_pdf

    name = store.patient(PID)["name"]
    normal, deid = tmp_path / "normal.pdf", tmp_path / "deid.pdf"
    content = build_report(store, PID)
    n1 = write_report_pdf(content, normal)
    n2 = write_report_pdf(build_report(store, PID, deidentify=True), deid)
    limit = 3 if content.family is not None else 2       # the pedigree has a page of its own
    for path, n in ((normal, n1), (deid, n2)):
        data = path.read_bytes()
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
        assert 1 <= n <= limit and pages(data) == n
        assert len(data) > 20_000, "text, tables and four trend plots"
        assert not path.with_name(path.name + ".part").exists()
    # the document title (UTF-16 in the Info dictionary) names the patient only in the normal file
    assert name.encode("utf-16-be") in normal.read_bytes()
    raw = deid.read_bytes()
    assert name.encode("utf-16-be") not in raw and name.encode() not in raw
    assert not re.search(rb"/(?:CreationDate|ModDate) \(D:\d{5,}", raw), "document dates cut to the year"
    assert not re.search(rb'xmp:\w+Date="\d{4}-', raw)
    text_n, text_d = pdf_text(normal), pdf_text(deid)
    if text_n is not None:
        assert name in text_n and PID in text_n and "Page 1 / " in text_n
        assert "not a substitute for clinical judgement" in text_n
        assert name not in text_d and PID not in text_d and "De-identi" in text_d   # "fi" may be a ligature
        assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}", text_d)


def test_existing_folder_required(qapp, store, tmp_path):
    from ui.report_pdf import write_report_pdf
    from workstation.errors import WorkstationError

    with pytest.raises(WorkstationError, match="does not exist"):
        write_report_pdf(build_report(store, PID), tmp_path / "missing" / "x.pdf")


def test_window_action_writes_and_audits(qapp, qtbot, demo_db, tmp_path, monkeypatch):
    """Ctrl+P's handler: file dialog -> content on the runner -> PDF on the GUI thread -> audit on the runner."""
    from PySide6.QtWidgets import QFileDialog, QWidget

    from ui.report_pdf import FILTER_DEID, print_consult_summary
    from ui.runner import Runner
    from ui.session import Session

    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, db)
    shutil.copy(str(demo_db) + ".vault", str(db) + ".vault")
    out = tmp_path / "handout.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), FILTER_DEID)))
    runner = Runner()
    session = Session(runner)
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        with qtbot.waitSignal(session.patients_loaded, timeout=20000):
            session.unlock(db, passphrase=PW, use_keyring=False)
        with qtbot.waitSignal(session.patient_opened, timeout=20000):
            session.open_patient(PID)
        status, errors = [], []
        print_consult_summary(parent, session, on_status=status.append, on_error=errors.append)
        qtbot.waitUntil(lambda: bool(status or errors), timeout=30000)
        assert not errors and "handout.pdf" in status[0]
        assert out.read_bytes().startswith(b"%PDF")
        rows = []
        session.call(lambda s: s.audit_rows(PID), on_result=rows.append)
        qtbot.waitUntil(lambda: bool(rows), timeout=10000)
        detail = rows[0][rows[0]["action"] == "print_report"]["detail"].tolist()
        assert detail and '"deidentified": true' in detail[-1] and f'"pages": {pages(out.read_bytes())}' in detail[-1]
    finally:
        if session.is_open:
            session.lock()
        runner.shutdown()


def test_cli_report_command(demo_db, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copy(demo_db, db)
    shutil.copy(str(demo_db) + ".vault", str(db) + ".vault")
    env = dict(os.environ, WS_PW=PW, WORKSTATION_NO_KEYRING="1", WORKSTATION_HOME=str(tmp_path / "home"))
    env.pop("QT_QPA_PLATFORM", None)   # the command chooses offscreen itself when there is no display
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    out = tmp_path / "summary.pdf"
    cmd = [sys.executable, "-m", "ui.launcher", "--db", str(db), "--passphrase-env", "WS_PW", "report",
           "--patient", PID, "--out", str(out), "--deidentified"]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                         stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    assert out.read_bytes().startswith(b"%PDF") and "de-identified consult summary" in run.stdout
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                           stdin=subprocess.DEVNULL)
    assert again.returncode != 0 and "already exists" in again.stderr and "Traceback" not in again.stderr
    with Store.open(db, Unlock(passphrase=PW), read_only=True) as s:
        rows = s.audit_rows(PID)
    assert (rows["action"] == "print_report").sum() == 1
