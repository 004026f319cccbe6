"""The only two ways a position without a VCF record becomes reference: the lab's callable-regions BED, and an
explicit, audited assertion that the assay covered a gene's positions. Both are stored with provenance (a
``sources`` row of kind ``callable-bed`` / ``coverage-assertion``, an audit row) as ``ref_blocks`` rows, and every
result they affect says so (:func:`workstation.pgx.completeness.describe`).

A BED is 0-based, half-open (UCSC): ``chr1  99  200`` covers 1-based positions 100..200; header lines (``track``,
``browser``, ``#``) are skipped. It is on the build of the patient's VCF (a BED says no build of its own).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from workstation.errors import ImportError_, MalformedFile, NotFound
from workstation.ingest.base import ImportResult
from workstation.ingest.vcf_sql import normalise_chrom

BED_IMPORTER_VERSION = "1"


def read_bed(path: Path | str) -> pd.DataFrame:
    """chrom, start_pos, end_pos (1-based inclusive) of every interval; MalformedFile names the line and field."""
    path = Path(path)
    rows = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MalformedFile(str(path), "the file is not text (UTF-8), so it is not a BED file") from None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t") if "\t" in line else line.split()
        if len(f) < 3:
            raise MalformedFile(str(path), "a BED line needs at least chrom, start and end", line=n)
        try:
            start, end = int(f[1]), int(f[2])
        except ValueError:
            raise MalformedFile(str(path), f"start {f[1]!r} or end {f[2]!r} is not a whole number", line=n,
                                field="chromStart") from None
        if start < 0 or end <= start:
            raise MalformedFile(str(path), f"the interval {start}-{end} is empty or negative", line=n,
                                field="chromEnd")
        rows.append((normalise_chrom(f[0]), start + 1, end))
    if not rows:
        raise MalformedFile(str(path), "the file holds no intervals")
    return pd.DataFrame(rows, columns=["chrom", "start_pos", "end_pos"])


def _require_genome(store, patient_id: str, what: str) -> None:
    if store.con.execute("SELECT 1 FROM patients WHERE id = ?", [patient_id]).fetchone() is None:
        raise NotFound(f"There is no patient with id {patient_id}.")
    if not store.con.execute("SELECT 1 FROM sources WHERE patient_id = ? AND kind = 'vcf' LIMIT 1",
                             [patient_id]).fetchone():
        raise ImportError_(what, f"patient {patient_id} has no VCF yet; import the genome first, then say which "
                                 "regions it covers")


def import_callable_bed(store, path: Path | str, *, patient_id: str, lab: str | None = None) -> ImportResult:
    """Store the lab's callable regions for the patient's genome (all or nothing, with provenance and audit)."""
    from workstation.store import already_imported, file_info, import_batch

    path = Path(path)
    _require_genome(store, patient_id, str(path))
    bed = read_bed(path)
    info = file_info(path)
    if already_imported(store, info, patient_id) is not None:
        return ImportResult(file=str(path), status="already imported", kind="callable-bed",
                            patient_ids=[patient_id], message=f"{info.name} was already imported; nothing changed.")
    with import_batch(store, info, kind="callable-bed", importer="callable-bed",
                      importer_version=BED_IMPORTER_VERSION, patient_id=patient_id) as batch:
        n = batch.insert_frame("ref_blocks", bed.assign(min_dp=None, gq=None))
        batch.counts.update({"ref_blocks": n})
        batch.details.update({"lab": lab, "meaning": "callable regions: positions inside without a VCF record "
                                                     "are reference", "bases": int((bed.end_pos - bed.start_pos + 1).sum())})
    return ImportResult(file=str(path), status="imported", kind="callable-bed", counts={"ref_blocks": n},
                        patient_ids=[patient_id], source_id=batch.source_id,
                        message=f"Imported {n:,} callable regions from {info.name}: positions inside them without a "
                                "VCF record now count as reference.")


def assert_coverage(store, patient_id: str, genes: list[str], *, assay: str, asserted_by: str | None = None
                    ) -> ImportResult:
    """Record "this assay covered every defining position of these genes" (audited): positions of those genes
    without a record become reference, and every result resting on them names the assertion."""
    from workstation.genome.positions import site_pairs
    from workstation.genome.reader import vcf_sources
    from workstation.pgx.tables import gene_definitions
    from workstation.store import import_batch
    from workstation.store.audit import append
    from workstation.store.importing import FileInfo

    if not assay or not assay.strip():
        raise ImportError_("coverage assertion", "name the assay (test and lab) whose coverage is asserted")
    defs = gene_definitions()
    unknown = [g for g in genes if g not in defs]
    if unknown or not genes:
        raise ImportError_("coverage assertion", f"no allele definitions for {', '.join(unknown) or 'no gene'}; "
                           f"genes with definitions: {', '.join(sorted(defs))}")
    _require_genome(store, patient_id, "coverage assertion")
    builds = {s["details"].get("build") for s in vcf_sources(store, patient_id) if s["kind"] == "vcf"}
    rows = []
    for g in genes:
        d = defs[g]
        if builds == {"GRCh37"}:          # the genome's own coordinates, so the position table translates them
            p38 = {lc.pos for lc in d.loci}
            rows += [(s.chrom, s.pos37, s.pos37) for s in site_pairs() if s.chrom == d.chrom and s.pos38 in p38]
        else:
            rows += [(d.chrom, lc.pos, lc.pos) for lc in d.loci]
    text = json.dumps({"patient": patient_id, "genes": sorted(genes), "assay": assay, "by": asserted_by},
                      sort_keys=True)
    info = FileInfo(Path("coverage-assertion"), f"coverage assertion: {assay}",
                    hashlib.sha256(text.encode()).hexdigest(), len(text))
    with import_batch(store, info, kind="coverage-assertion", importer="coverage-assertion", importer_version="1",
                      patient_id=patient_id) as batch:
        frame = pd.DataFrame(rows, columns=["chrom", "start_pos", "end_pos"]).assign(min_dp=None, gq=None)
        n = batch.insert_frame("ref_blocks", frame)
        batch.counts.update({"ref_blocks": n})
        batch.details.update({"genes": sorted(genes), "assay": assay, "asserted_by": asserted_by})
        append(batch.con, "coverage_assertion", patient_id=patient_id,
               detail={"genes": sorted(genes), "assay": assay, "asserted_by": asserted_by, "positions": n})
    return ImportResult(file=info.name, status="imported", kind="coverage-assertion", counts={"ref_blocks": n},
                        patient_ids=[patient_id], source_id=batch.source_id,
                        message=f"Recorded that {assay} covered the {n} defining positions of {', '.join(genes)}; "
                                "positions without a record there now count as reference (audited).")
