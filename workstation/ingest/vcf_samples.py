"""A joint (multi-sample) VCF mapped to several patients in one import: ``import --sample-map FILE``.

The sample map is a text file of ``sample<TAB>patient_id`` lines (``#`` comments and a ``sample patient`` header
line allowed). The VCF records are parsed once — ``read_csv`` into a temporary table of the raw columns (kept in
the store's encrypted temp storage, dropped at the end) — and each mapped sample is then written to its patient
from that table. Every sample is checked before anything is stored, so a bad record stores nothing; each patient's
genome is then its own transaction with its own provenance row (one ``sources`` row per patient, same file hash).
"""
from __future__ import annotations

from pathlib import Path

from workstation.errors import ImportError_, MalformedFile, UnknownSample
from workstation.ingest.base import ImportResult
from workstation.progress import Progress, ensure


def read_sample_map(path: Path | str) -> dict[str, str]:
    path = Path(path)
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        f = line.split("\t") if "\t" in line else line.split(",") if "," in line else line.split()
        f = [x.strip() for x in f]
        if len(f) != 2 or not all(f):
            raise MalformedFile(str(path), "each line must be 'sample<TAB>patient id'", line=n)
        if n == 1 and [x.lower() for x in f] in (["sample", "patient"], ["sample", "patient_id"]):
            continue
        if f[0] in out:
            raise MalformedFile(str(path), f"the sample {f[0]!r} is mapped twice", line=n, field="sample")
        out[f[0]] = f[1]
    if not out:
        raise MalformedFile(str(path), "the sample map names no sample")
    return out


def import_vcf_samples(store, path: Path | str, sample_map: dict[str, str], *, build: str | None = None,
                       progress: Progress | None = None) -> list[ImportResult]:
    """Import each mapped sample of one VCF into its patient, parsing the file once."""
    from workstation.ingest.common import require_patient
    from workstation.ingest.vcf import (_first_problem, _gzip_check, _import_sample, _run, read_header)
    from workstation.ingest.vcf_sql import parsed_sql, read_csv_sql
    from workstation.store import already_imported, file_info

    progress = ensure(progress)
    path = Path(path)
    h = read_header(path)
    missing = [s for s in sample_map if s not in h.samples]
    if missing:
        raise UnknownSample(str(path), f"the sample map names {', '.join(map(repr, missing))}, not in the file; its "
                            f"samples are: {', '.join(h.samples) or 'none'}", line=h.n_header_lines, field="#CHROM")
    pids = {s: require_patient(store, path, p) for s, p in sample_map.items()}
    if len(set(pids.values())) != len(pids):
        raise ImportError_(str(path), "two samples are mapped to the same patient; one genome per patient")
    info = file_info(path)
    todo = [(s, p) for s, p in pids.items() if already_imported(store, info, p) is None]
    results = [ImportResult(file=str(path), status="already imported", kind="vcf", patient_ids=[p],
                            message=f"{info.name} (sample {s}) was already imported for {p}; nothing was changed.")
               for s, p in pids.items() if (s, p) not in todo]
    if not todo:
        return results
    con = store.con
    progress.set(0.01, "Reading the VCF once")
    with _gzip_check(h):
        _run(con, h, f"CREATE OR REPLACE TEMP TABLE _vcf_raw AS SELECT * FROM {read_csv_sql(h)}")
    try:
        for s, _ in todo:                       # every sample valid before anything is stored
            parsed = parsed_sql(h, h.samples.index(s), source="_vcf_raw")
            if con.execute(f"SELECT 1 FROM ({parsed}) WHERE problem IS NOT NULL LIMIT 1").fetchone():
                raise _first_problem(con, h, parsed_sql(h, h.samples.index(s), with_rn=True))
        for k, (s, p) in enumerate(todo):
            progress.set(0.05 + 0.9 * k / len(todo), f"Importing sample {s}")
            progress.check()
            results.append(_import_sample(store, h, info, h.samples.index(s), p, build=build,
                                          progress=ensure(None), source="_vcf_raw"))
    finally:
        con.execute("DROP TABLE IF EXISTS _vcf_raw")
    progress.set(1.0, "Imported")
    return results
