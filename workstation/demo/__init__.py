"""The synthetic demo cohort, written as real files (FHIR, VCF, omics tables, wearable CSV) and imported
through the same importers a user's files go through. Everything here is synthetic; no real person is described.

``ensure_demo_store()`` builds the demo store once (in the user data folder, ``demo/``) and reuses it; its
generated passphrase is kept in ``demo-passphrase.txt`` beside it so the demo opens without typing. That is
acceptable only because the data is synthetic — real stores never keep a passphrase on disk.
"""
from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from workstation import vault
from workstation.demo.cohort import DemoPatient, make_cohort
from workstation.demo.fhir_writer import write_demo_fhir
from workstation.paths import demo_dir
from workstation.progress import Progress, ensure

DEMO_DB_NAME = "demo-patients.duckdb"
PASSPHRASE_FILE = "demo-passphrase.txt"


@dataclass(frozen=True)
class DemoInfo:
    db_path: Path
    passphrase_file: Path
    passphrase: str
    n_patients: int


def write_demo_files(folder: Path, patients: list[DemoPatient], *, progress: Progress | None = None) -> dict:
    """Write every demo file; returns {patient_id: [paths in import order]}."""
    progress = ensure(progress)
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[Path]] = {}
    for i, p in enumerate(patients):
        progress.check()
        progress.set(0.3 * i / max(1, len(patients)), f"Writing demo files for patient {i + 1}")
        pdir = folder / p.id
        pdir.mkdir(exist_ok=True)
        from workstation.demo.families import BUILDERS, write_family_files

        if p.id in BUILDERS:
            p.family_history = []          # the family comes from its own pedigree file instead
        out = [write_demo_fhir(pdir / f"{p.id}.fhir.json", p)]
        out += _optional_files(pdir, p)
        out += write_family_files(pdir, p)
        files[p.id] = out
    return files


def _optional_files(pdir: Path, p: DemoPatient) -> list[Path]:
    """Genome, omics and wearables, from the writers beside the importers of those formats."""
    out: list[Path] = []
    try:
        from workstation.demo.vcf_writer import write_demo_vcf
    except ImportError:
        write_demo_vcf = None
    if write_demo_vcf is not None:
        out.append(write_demo_vcf(pdir / f"{p.id}.vcf.gz", patient_seed=p.seed, sample=p.id))
    if p.with_omics:
        try:
            from workstation.demo.omics_writer import write_demo_omics
        except ImportError:
            write_demo_omics = None
        if write_demo_omics is not None:
            out += list(write_demo_omics(pdir, patient_seed=p.seed, patient_id=p.id))
    if p.with_wearables:
        try:
            from workstation.demo.wearable_writer import write_demo_wearables
        except ImportError:
            write_demo_wearables = None
        if write_demo_wearables is not None:
            out += list(write_demo_wearables(pdir, patient_seed=p.seed))
    return out


def build_demo_store(path: Path, passphrase: str, *, n_patients: int = 24, kdf: vault.KdfParams = vault.KdfParams(),
                     files_dir: Path | None = None, progress: Progress | None = None):
    """Create an encrypted store at ``path`` and import the synthetic cohort into it. Returns the open Store."""
    from workstation.ingest import import_file
    from workstation.store import Store

    progress = ensure(progress)
    patients = make_cohort(n_patients)
    files_dir = files_dir or path.parent / "demo-files"
    files = write_demo_files(files_dir, patients, progress=progress)
    store = Store.create(path, passphrase, kdf=kdf)
    try:
        total = sum(len(v) for v in files.values())
        done = 0
        for pid, paths in files.items():
            for f in paths:
                progress.check()
                progress.set(0.3 + 0.7 * done / max(1, total), f"Importing {f.name}")
                res = import_file(store, f, patient_id=pid)
                if res.status == "failed":
                    raise RuntimeError(f"demo import failed for {f.name}: {res.message}")
                done += 1
    except BaseException:
        store.close()
        raise
    return store


def ensure_demo_store(*, rebuild: bool = False, n_patients: int = 24, folder: Path | None = None,
                      progress: Progress | None = None) -> DemoInfo:
    folder = folder or demo_dir()
    db = folder / DEMO_DB_NAME
    pw_file = folder / PASSPHRASE_FILE
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    if db.exists() and pw_file.exists() and vault.header_path(db).exists():
        from workstation.store import Store, Unlock

        pw = pw_file.read_text("utf-8").strip()
        with Store.open(db, Unlock(passphrase=pw), read_only=True) as s:
            n = len(s.patients())
        return DemoInfo(db, pw_file, pw, n)
    if folder.exists():
        shutil.rmtree(folder)  # a half-built demo from an interrupted run
    folder.mkdir(parents=True)
    pw = "demo-" + secrets.token_urlsafe(18)
    pw_file.write_text(pw + "\n", encoding="utf-8")
    try:
        pw_file.chmod(0o600)
    except OSError:
        pass
    store = build_demo_store(db, pw, n_patients=n_patients, progress=progress)
    n = len(store.patients())
    store.close()
    return DemoInfo(db, pw_file, pw, n)
