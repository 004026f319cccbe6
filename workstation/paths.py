"""Where things live: the user's data folder, the demo store, resources and models (source tree or bundle)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "PrecisionWorkstation"


def user_data_dir() -> Path:
    override = os.environ.get("WORKSTATION_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir as _udd

    return Path(_udd(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return user_data_dir() / "patients.duckdb"


def demo_dir() -> Path:
    return user_data_dir() / "demo"


def project_root() -> Path:
    """The folder holding resources/ and models_onnx/ (source checkout, installed tree or PyInstaller bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return Path(os.environ.get("WORKSTATION_RESOURCES_DIR") or project_root() / "resources")


def models_dir() -> Path:
    return Path(os.environ.get("WORKSTATION_MODELS_DIR") or project_root() / "models_onnx")
