"""VCF import: read one sample's genotypes (``read_vcf``) or stream a whole file into the store (``import_vcf``).

VCF 4.1–4.3, plain, gzip or BGZF; one or many samples (one is chosen); ``chr1``/``1`` normalised to ``chr1``
(``MT``/``M`` to ``chrM``); multi-allelic ALT kept comma-separated; phased and unphased genotypes; no-calls kept as
written; FORMAT GT, AD, DP, GQ, PS taken by each record's own FORMAT keys; QUAL, FILTER and raw INFO kept; gVCF
reference blocks (``END=``) also recorded in ``ref_blocks`` so "reference" and "not covered" stay different.

Parsing happens inside DuckDB (``read_csv``, see ``vcf_sql.py``); the header is read in Python (``vcf_header.py``).
Threading: both functions run on the caller's thread; ``import_vcf`` briefly runs a watcher thread that reports
DuckDB's query progress and interrupts the query when the Progress is cancelled.
"""
from __future__ import annotations

import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import duckdb
import pandas as pd

from workstation.errors import ImportError_, MalformedFile
from workstation.ingest.base import ImportResult
from workstation.ingest.vcf_header import VcfHeader, check_gzip_complete, read_header, sniff_vcf
from workstation.ingest.vcf_sql import (PROBLEM_MARK, REF_BLOCK_COLUMNS, VARIANT_COLUMNS, checked_variants_sql,
                                        describe_problem, normalise_chrom, parsed_sql, ref_blocks_sql)
from workstation.progress import Cancelled, Progress, ensure

__all__ = ["VcfData", "read_vcf", "import_vcf", "sniff_vcf", "normalise_chrom", "IMPORTER_VERSION"]

IMPORTER_VERSION = "1"


@dataclass
class VcfData:
    """One sample's records of a VCF, as data frames whose columns match the store tables."""

    variants: pd.DataFrame            # VARIANT_COLUMNS (the variants table minus patient_id/source_id)
    ref_blocks: pd.DataFrame          # REF_BLOCK_COLUMNS
    build: str | None                 # 'GRCh38' | 'GRCh37' | None
    samples: list[str]
    sample: str
    header: list[str]                 # the '##' meta lines
    warnings: list[str] = field(default_factory=list)


def read_vcf(path: Path | str, *, sample: str | None = None,
             positions: Iterable[tuple[str, int]] | None = None) -> VcfData:
    """Read one sample of a VCF into data frames (nothing is stored).

    ``positions`` keeps only records at those (chrom, pos) — chrom in any spelling ('1', 'chr1') — using a semi-join
    inside DuckDB, so a few thousand positions come out of a whole-genome file without parsing the rest.
    Raises FormatNotRecognised, MalformedFile or UnknownSample naming the file, line and field.
    """
    h = read_header(path)
    idx = h.sample_index(sample)
    # Parsing only: an in-memory DuckDB connection that never opens a database file (files belong to
    # workstation.store). It holds no patient data beyond this call.
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "autoload_known_extensions": False})
    try:
        # The semi-join's small side is the positions table; DuckDB cannot estimate read_csv's size and would
        # otherwise build its hash table over the whole file (1.7 GB for 5M records instead of ~130 MB).
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        with _gzip_check(h):
            table = None
            if positions is not None:
                want = pd.DataFrame([(normalise_chrom(str(c)), int(p)) for c, p in positions],
                                    columns=["chrom", "pos"]).drop_duplicates()
                want = want.astype({"chrom": "object", "pos": "int64"})
                con.register("_want_df", want)
                con.execute("CREATE TEMP TABLE _want AS SELECT chrom::VARCHAR AS chrom, pos::BIGINT AS pos "
                            "FROM _want_df")
                con.unregister("_want_df")
                table = "_want"
            _run(con, h, f"CREATE TEMP TABLE _rows AS {parsed_sql(h, idx, positions_table=table)}")
            if con.execute("SELECT 1 FROM _rows WHERE problem IS NOT NULL LIMIT 1").fetchone():
                raise _first_problem(con, h, parsed_sql(h, idx, positions_table=table, with_rn=True))
        cols = ", ".join(VARIANT_COLUMNS)
        # File order for a whole read (a plain scan keeps insertion order); chromosome/position order for a
        # positions read (the semi-join does not promise order).
        order = " ORDER BY chrom, pos" if table else ""
        variants = con.execute(f"SELECT {cols} FROM _rows{order}").df()
        blocks = con.execute(f"SELECT {', '.join(REF_BLOCK_COLUMNS)} FROM ({ref_blocks_sql('SELECT * FROM _rows')}) "
                             "b ORDER BY chrom, start_pos").df()
    finally:
        con.close()
    return VcfData(variants, blocks, h.build, list(h.samples), h.samples[idx], list(h.meta),
                   _warnings(h))


def import_vcf(store, path: Path | str, *, patient_id: str, sample: str | None = None,
               progress: Progress | None = None, build: str | None = None) -> ImportResult:
    """Stream one sample of a VCF into ``variants`` (and gVCF blocks into ``ref_blocks``), all or nothing.

    Re-importing the same bytes for the same patient returns status "already imported" and changes nothing.
    The build is settled here and stored with the source (header, else REF alleles at known sites; ``build`` is the
    build the user states: ``'GRCh37'`` opts in to translating the pharmacogene positions, ``'GRCh38'`` asserts the
    build of a file whose header is silent). A GRCh37 or unknown-build file is stored, but PGx refuses it (one
    sentence, also in the result's warnings) unless GRCh37 was chosen. The coverage kind (gVCF, all sites,
    variant-only) is stored too; a variant-only file gets one sentence on what would make calls complete.
    """
    from workstation.store import already_imported, file_info

    progress = ensure(progress)
    path = Path(path)
    if not patient_id:
        raise ImportError_(str(path), "a VCF does not say whose genome it is; choose the patient it belongs to")
    progress.set(0.0, "Reading the VCF header")
    h = read_header(path)
    idx = h.sample_index(sample)
    progress.check()
    info = file_info(path)
    prev = already_imported(store, info, patient_id)
    if prev is not None and build and build != _current_choice(store, prev, patient_id):
        return _record_build_choice(store, h, info, prev, patient_id, build)
    if prev is not None:
        return ImportResult(file=str(path), status="already imported", kind="vcf",
                            counts=_json(prev.get("counts")), patient_ids=[patient_id],
                            source_id=int(prev["id"]),
                            message=f"{info.name} was already imported on {prev.get('imported_at')}; nothing "
                                    "was changed.")
    return _import_sample(store, h, info, idx, patient_id, build=build, progress=progress)


def _import_sample(store, h: VcfHeader, info, idx: int, patient_id: str, *, build: str | None,
                   progress: Progress, source: str | None = None) -> ImportResult:
    """One sample of the file into one patient, in one transaction (``source``: raw columns already parsed)."""
    from workstation.store import import_batch

    path = h.path
    chosen = h.samples[idx]
    warnings = list(h.warnings)
    progress.check()
    with import_batch(store, info, kind="vcf", importer="vcf", importer_version=IMPORTER_VERSION,
                      patient_id=patient_id) as batch:
        batch.upsert_patient({"id": patient_id})
        parsed = parsed_sql(h, idx, source=source)
        with (_gzip_check(h) if source is None else _nothing()), _watch(batch.con, progress, 0.02, 0.9, "Importing variants"):
            n_var = _run(batch.con, h, None, lambda: batch.insert_select("variants", checked_variants_sql(parsed)),
                         parsed=parsed, parsed_with_rn=parsed_sql(h, idx, with_rn=True))
        progress.check()
        n_blocks = 0
        has_end = batch.con.execute("SELECT 1 FROM variants WHERE source_id = ? AND (end_pos IS NOT NULL OR "
                                    "alt IN ('<NON_REF>', '<*>')) LIMIT 1", [batch.source_id]).fetchone()
        if has_end:
            with _watch(batch.con, progress, 0.9, 0.98, "Recording reference blocks"):
                n_blocks = _run(batch.con, h, None,
                                lambda: batch.insert_select("ref_blocks", ref_blocks_sql(parsed)), parsed=parsed)
        progress.check()
        if n_var == 0:
            warnings.append("the file holds no variant records")
        batch.counts.update({"variants": n_var, "ref_blocks": n_blocks})
        gt = _settle_genome(batch, h, build, n_blocks, info.name)
        warnings.extend(w for w in (gt.refusal, *gt.notes) if w)
        batch.details.update({"build": gt.build.build, "build_evidence": gt.build.evidence,
                              "build_declared": gt.build.declared, "build_choice": build,
                              "header_build": h.build, "coverage": gt.coverage_kind,
                              "pgx_refusal": gt.refusal, "grch37": gt.build.build == "GRCh37",
                              "sample": chosen, "samples_in_file": list(h.samples), "vcf_version": h.version,
                              "compression": "bgzf" if h.bgzf else ("gzip" if h.compressed else "none")})
        batch.warnings.extend(warnings)
        progress.set(0.99, "Saving")
        progress.check()                       # last point where cancelling still leaves nothing
    progress.set(1.0, "Imported")
    build = gt.build.build or "unknown genome build"
    return ImportResult(file=str(path), status="imported", kind="vcf",
                        counts={"variants": n_var, "ref_blocks": n_blocks}, patient_ids=[patient_id],
                        source_id=batch.source_id, warnings=warnings,
                        message=f"Imported {n_var:,} variant records of sample {chosen} ({build}) from {info.name}.")


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _current_choice(store, prev: dict, patient_id: str) -> str | None:
    """The build choice in force for a stored VCF source: its own, or the latest ``build-choice`` row for it."""
    choice = _json(prev.get("details")).get("build_choice")
    for (details,) in store.con.execute("SELECT details FROM sources WHERE patient_id = ? AND kind = 'build-choice' "
                                        "ORDER BY id", [patient_id]).fetchall():
        d = _json(details)
        if d.get("vcf_source_id") == int(prev["id"]):
            choice = d.get("build_choice")
    return choice


def _record_build_choice(store, h: VcfHeader, info, prev: dict, patient_id: str, build: str) -> ImportResult:
    """The same file again with a build choice (``--build GRCh37`` after a refusal): the genome is not stored
    twice; a small provenance row of kind ``build-choice`` records the choice (audited, changes the data version)
    and the genotype reader applies it."""
    import hashlib

    from workstation.errors import UnsupportedBuild
    from workstation.genome import build as gb
    from workstation.genome.reader import header_build_call
    from workstation.store import import_batch
    from workstation.store.importing import FileInfo

    d = _json(prev.get("details"))
    hb = header_build_call(h.build, h.build_evidence, build)         # raises when the header says otherwise
    if d.get("build") not in (None, build):
        raise UnsupportedBuild(str(h.path), f"the stored genome was found to be {d.get('build')} "
                               f"({d.get('build_evidence')}), not {build}")
    key = f"{prev['id']}:{build}"
    choice = FileInfo(h.path, f"build choice {build}: {info.name}", hashlib.sha256(key.encode()).hexdigest(), 0)
    with import_batch(store, choice, kind="build-choice", importer="vcf", importer_version=IMPORTER_VERSION,
                      patient_id=patient_id) as batch:
        batch.details.update({"vcf_source_id": int(prev["id"]), "build_choice": build})
    refusal = gb.refusal(d.get("build") or hb.build, d.get("build_evidence") or hb.evidence,
                         translated=(build == gb.GRCH37))
    return ImportResult(file=str(h.path), status="imported", kind="vcf", patient_ids=[patient_id],
                        source_id=batch.source_id, warnings=[refusal] if refusal else [],
                        message=f"{info.name} was already imported; its genome build is now recorded as {build} "
                                + ("(pharmacogene positions translated through the position table)."
                                   if build == gb.GRCH37 else "as stated."))


# -- helpers ---------------------------------------------------------------------------------------------------
@dataclass
class _Genome:
    build: object
    refusal: str | None
    coverage_kind: str
    notes: list[str]


def _settle_genome(batch, h: VcfHeader, declared: str | None, n_blocks: int, name: str) -> _Genome:
    """Build (header / stated / known-site REF alleles) and coverage kind of the file just inserted, through the
    shared genotype reader on the new rows, so import and PGx agree."""
    from workstation.genome.reader import VARIANT_ONLY_SENTENCE, genotypes_at, header_build_call

    from workstation.genome import build as gb

    hb = header_build_call(h.build, h.build_evidence, declared)
    sid = batch.source_id
    if hb.build is not None and not hb.declared:        # the header settles it: no need to look at the records
        refusal = gb.refusal(hb.build, hb.evidence, translated=(declared == "GRCh37" and hb.build == gb.GRCH37))
        t = _Genome(hb, refusal, "", [])
    else:
        t = genotypes_at(batch.con, "SELECT chrom, pos, ref, alt, gt, phased, ps, source_id FROM variants "
                                    "WHERE source_id = ?",
                         "SELECT chrom, start_pos, end_pos, 'gvcf' AS basis, source_id FROM ref_blocks "
                         "WHERE source_id = ?", [sid], header_build=hb, translate=(declared == "GRCh37"), name=name)
    if n_blocks:
        kind = "gvcf"
    elif batch.con.execute("SELECT 1 FROM variants WHERE source_id = ? AND gt IN ('0/0', '0|0', '0') LIMIT 1",
                           [sid]).fetchone():           # a plain IN, not a regex: this scans a variant-only genome
        kind = "all-sites"
    else:
        kind = "variant-only"
    notes = [VARIANT_ONLY_SENTENCE.format(name=name)] if kind == "variant-only" else []
    return _Genome(t.build, t.refusal, kind, notes)


def _warnings(h: VcfHeader) -> list[str]:
    """Warnings of a plain read (``read_vcf``); an import says the PGx refusal sentence instead."""
    w = list(h.warnings)
    if h.build == "GRCh37":
        w.append("genome build GRCh37 (hg19): accepted but flagged — positions differ from GRCh38, so "
                 "pharmacogenomic positions (GRCh38) will not match this file")
    elif h.build is None:
        w.append("the genome build could not be read from the header (no ##reference, ##assembly or ##contig "
                 "length names it)")
    return w


def _json(text) -> dict:
    import json

    try:
        return json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}


def _run(con, h: VcfHeader, sql: str | None, fn=None, *, parsed: str | None = None,
         parsed_with_rn: str | None = None):
    """Execute ``sql`` (or call ``fn``), turning DuckDB's CSV errors and record problems into MalformedFile."""
    try:
        if fn is not None:
            return fn()
        return con.execute(sql)
    except duckdb.InterruptException:
        raise Cancelled("cancelled by the user") from None
    except duckdb.Error as exc:
        msg = str(exc)
        if PROBLEM_MARK in msg and parsed is not None:
            _restart_transaction(con)
            raise _first_problem(con, h, parsed_with_rn or parsed) from None
        raise _csv_error(h, msg) from None


def _restart_transaction(con) -> None:
    """After a failed statement DuckDB's transaction is aborted: roll it back (the import is lost anyway) and open a
    fresh one, so the diagnostic query can run and import_batch's own ROLLBACK still finds a transaction."""
    try:
        con.execute("ROLLBACK")
        con.execute("BEGIN TRANSACTION")
    except duckdb.Error:
        pass


def _first_problem(con, h: VcfHeader, parsed: str) -> ImportError_:
    """The earliest invalid record, by a second pass with record numbers (only once a read already failed)."""
    df = con.execute(f"SELECT * FROM ({parsed}) WHERE problem IS NOT NULL ORDER BY rn LIMIT 1").df()
    if df.empty:
        return MalformedFile(str(h.path), "a record is not valid VCF")
    return _problem_error(h, df.iloc[0].to_dict())


def _problem_error(h: VcfHeader, row: dict) -> ImportError_:
    fld, reason = describe_problem(row)
    return MalformedFile(str(h.path), reason, line=h.n_header_lines + int(row["rn"]), field=fld)


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_COLS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _csv_error(h: VcfHeader, msg: str) -> ImportError_:
    line = _CSV_LINE.search(msg)
    ln = int(line.group(1)) if line else None
    cols = _CSV_COLS.search(msg)
    if cols:
        return MalformedFile(str(h.path), f"the line has {cols.group(2)} tab-separated columns but the #CHROM "
                             f"header line has {cols.group(1)}", line=ln)
    low = msg.lower()
    if "unicode" in low or "utf" in low:
        return MalformedFile(str(h.path), "the line contains bytes that are not valid text (UTF-8)", line=ln)
    if "maximum line size" in low:
        return MalformedFile(str(h.path), "a line is far longer than any VCF record (over 8 MB)", line=ln)
    if "gzip" in low or "compress" in low or "zlib" in low:
        return MalformedFile(str(h.path), "the compressed file is damaged or cut short")
    first = msg.splitlines()[0] if msg else "unknown error"
    return MalformedFile(str(h.path), f"the records could not be read ({first})", line=ln)


@contextmanager
def _gzip_check(h: VcfHeader) -> Iterator[None]:
    """Check a gzip file is complete. BGZF: quick header walk now; other gzip: full decompression on a second
    thread while DuckDB reads (zlib releases the GIL), joined before the caller goes on."""
    if not h.compressed:
        yield
        return
    if h.bgzf:
        check_gzip_complete(h.path, bgzf=True)
        yield
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vcf-gzip-check") as pool:
        fut: Future = pool.submit(check_gzip_complete, h.path, bgzf=False)
        try:
            yield
        except MalformedFile:
            exc = fut.exception()      # a cut-short gzip explains a broken last line better than the CSV error
            if exc is not None:
                raise exc from None
            raise
        fut.result()


@contextmanager
def _watch(con, progress: Progress, lo: float, hi: float, message: str) -> Iterator[None]:
    """Report DuckDB's progress of the running statement in [lo, hi]; interrupt it when cancelled."""
    progress.set(lo, message)
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(0.1):
            if progress.cancelled:
                con.interrupt()
                return
            try:
                pct = con.query_progress()
            except duckdb.Error:
                pct = -1
            if pct is not None and pct >= 0:
                progress.set(lo + (hi - lo) * min(pct, 100.0) / 100.0, message)

    t = threading.Thread(target=run, name="vcf-import-progress", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()
