"""One unit of batch work (a sample) and the function every engine runs on it.

``process_task(task, records)`` returns the sample's output rows as ``(sample_id, table, row_json)`` triples:
the same bytes whichever engine (process pool or Spark executor) ran it. A sample that cannot be analysed (its VCF
is missing or malformed, a genotype is not valid VCF, its outside-call file is wrong) gives one ``samples`` row
with ``status = 'failed'`` and the reason as one sentence — never an exception out of the engine.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from workstation.batch.records import canonical_json, sample_row

KIND_VCF = "vcf"        # one VCF per sample (manifest)
KIND_JOINT = "joint"    # genotype lists transposed from a joint VCF


@dataclass
class Task:
    sample_id: str
    kind: str
    input: str | None = None           # the VCF path (manifest) or the joint VCF path
    vcf_sample: str | None = None
    outside_calls: str | None = None
    sex: str | None = None
    gts: list | None = None            # joint: genotypes aligned to the shared records
    pss: list | None = None
    problem: str | None = None         # joint: this sample's first invalid genotype, found while reading

    def to_dict(self) -> dict:
        return asdict(self)


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _rows(sample_id: str, table: str, rows: list[dict]) -> list[tuple[str, str, str]]:
    return [(sample_id, table, canonical_json(r)) for r in rows]


def _input_sha(t: Task) -> str | None:
    if t.kind != KIND_VCF or not t.input or not Path(t.input).is_file():
        return None
    try:
        return sha256_file(t.input)
    except OSError:
        return None


def _failed(t: Task, reason: str) -> list[tuple[str, str, str]]:
    return _rows(t.sample_id, "samples", [sample_row(t.sample_id, status="failed", reason=reason, input=t.input,
                                                     input_sha256=_input_sha(t), vcf_sample=t.vcf_sample,
                                                     sex=t.sex)])


def process_task(t: Task | dict, records: pd.DataFrame | None = None) -> list[tuple[str, str, str]]:
    """Analyse one sample. ``records`` is the joint VCF's shared record table (joint tasks only)."""
    from workstation.batch.sample import analyse_sample
    from workstation.errors import WorkstationError

    if isinstance(t, dict):
        t = Task(**t)
    if t.problem:
        return _failed(t, t.problem)
    outside = []
    try:
        if t.outside_calls:
            from workstation.pgx import read_outside_calls

            outside = read_outside_calls(t.outside_calls)
        if t.kind == KIND_JOINT:
            from workstation.batch.joint import genotype_frame

            variants, blocks, vcf_sample, build = genotype_frame(records, t.gts, t.pss), None, t.sample_id, "GRCh38"
        else:
            from workstation.batch.sample import analyse_table, score_positions
            from workstation.genome.reader import from_file

            if not Path(t.input).is_file():
                return _failed(t, f"{t.input}: the VCF does not exist")
            table = from_file(t.input, sample=t.vcf_sample, extra_positions=score_positions())
            if table.refusal:                   # GRCh37 or unknown build: no calls, the sample fails with why
                return _failed(t, f"{t.input}: {table.refusal}")
            res = analyse_table(t.sample_id, table, outside_calls=outside, sex=t.sex)
            variants, vcf_sample = table.variants, t.vcf_sample
        if t.kind == KIND_JOINT:
            res = analyse_sample(t.sample_id, variants, ref_blocks=blocks, outside_calls=outside, sex=t.sex,
                                 build=build)
    except (WorkstationError, ValueError, OSError) as exc:
        reason = str(exc).removesuffix(" Nothing from this file was stored.")
        return _failed(t, reason)
    out = _rows(t.sample_id, "genes", res.genes)
    out += _rows(t.sample_id, "recommendations", res.recommendation_rows)
    out += _rows(t.sample_id, "scores", res.scores)
    out += _rows(t.sample_id, "samples", [sample_row(t.sample_id, status="ok", input=t.input,
                                                     input_sha256=_input_sha(t), vcf_sample=vcf_sample,
                                                     sex=t.sex, n_rows=len(variants), notes=res.notes)])
    return out


def process_many(tasks: list[dict], records: pd.DataFrame | None = None) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for t in tasks:
        out.extend(process_task(t, records))
    return out
