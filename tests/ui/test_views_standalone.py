"""Every registered view runs alone (``python -m ui.views.<name> --smoke``) on a fresh synthetic store."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.views import VIEWS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("spec", VIEWS, ids=[v.id for v in VIEWS])
def test_view_runs_alone(spec, tmp_path):
    module = spec.factory.partition(":")[0]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKSTATION_NO_KEYRING="1", HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", module, "--smoke"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().endswith("ready")


def test_registry_entries_are_unique():
    assert len({v.id for v in VIEWS}) == len(VIEWS)
    assert len({v.shortcut for v in VIEWS}) == len(VIEWS)


def test_a_view_that_fails_to_load_fails_the_smoke_run(tmp_path):
    """The risk view with an empty models folder reports a failure: ``--smoke`` must exit non-zero, not 'ready'."""
    empty = tmp_path / "no-models"
    empty.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKSTATION_NO_KEYRING="1", HOME=str(tmp_path),
               WORKSTATION_MODELS_DIR=str(empty))
    r = subprocess.run([sys.executable, "-m", "ui.views.risk_view", "--smoke"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0, r.stdout + r.stderr[-2000:]
    assert "ready" not in r.stdout
    assert r.stderr.strip(), "the failure must be named on stderr"
