"""Layering contracts, run in the test command: the core never imports Qt or the UI (import-linter).

import-linter runs through its Python API (``importlinter.cli.lint_imports``) with the interpreter that runs the
tests, so neither PATH nor a stray ``lint-imports`` elsewhere can decide the result. A second test proves the check
can fail: the same API on a contract the code breaks must report it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_LINT = ("import sys\nfrom importlinter.cli import lint_imports\n"
         "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))")


def _lint(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _LINT, str(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_import_linter_contracts_hold():
    r = _lint(ROOT / "pyproject.toml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 3 kept, 0 broken" in r.stdout, r.stdout + r.stderr


def test_import_linter_reports_a_broken_contract(tmp_path):
    # the core does import pandas: a contract forbidding it must be reported as broken (exit code non-zero)
    cfg = tmp_path / "broken.toml"
    cfg.write_text('[tool.importlinter]\nroot_packages = ["workstation"]\ninclude_external_packages = true\n\n'
                   '[[tool.importlinter.contracts]]\nname = "deliberately broken"\ntype = "forbidden"\n'
                   'source_modules = ["workstation"]\nforbidden_modules = ["pandas"]\n', encoding="utf-8")
    r = _lint(cfg)
    assert r.returncode != 0, r.stdout + r.stderr
    assert "Contracts: 0 kept, 1 broken" in r.stdout, r.stdout + r.stderr


def test_headless_commands_do_not_load_qt():
    code = ("import sys\nfrom workstation.cli import build_parser\nbuild_parser()\n"
            "import workstation.store, workstation.vault\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
