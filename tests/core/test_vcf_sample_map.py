"""A joint VCF mapped to two patients in one import (``import --sample-map``), parsed once."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.core import genome_files as gf
from tests.core.helpers import PASSPHRASE, new_store
from workstation import pgx
from workstation.errors import MalformedFile, UnknownSample
from workstation.genome.reader import from_file
from workstation.ingest.vcf_samples import import_vcf_samples, read_sample_map

MULTI = gf.SHARED / "data" / "pharmcat" / "multisample.vcf"


def test_two_sample_vcf_to_two_patients(tmp_path):
    if not MULTI.exists():
        pytest.skip(f"{MULTI} is not available (../shared data absent)")
    samples = gf.split_vcf(MULTI)[1].split("\t")[9:]
    assert len(samples) >= 2
    m = tmp_path / "map.tsv"
    m.write_text(f"sample\tpatient\n{samples[0]}\tPA\n{samples[1]}\tPB\n")
    store = new_store(tmp_path)
    try:
        with store.transaction() as con:
            con.execute("INSERT INTO patients (id, name) VALUES ('PA', 'A'), ('PB', 'B')")
        rs = import_vcf_samples(store, MULTI, read_sample_map(m))
        assert [r.status for r in rs] == ["imported", "imported"] and [r.patient_ids for r in rs] == [["PA"], ["PB"]]
        assert store.con.execute("SELECT count(*) FROM sources WHERE kind = 'vcf'").fetchone()[0] == 2
        for s, pid in ((samples[0], "PA"), (samples[1], "PB")):
            stored = pgx.call_profile(store.profile(pid, audit_open=False))
            file_calls = pgx.call_table(from_file(MULTI, sample=s))
            assert {g: c.diplotypes for g, c in stored.genes.items()} == \
                {g: c.diplotypes for g, c in file_calls.genes.items()}, pid
        assert {g: c.diplotypes for g, c in pgx.call_profile(store.profile("PA", audit_open=False)).genes.items()} != \
            {g: c.diplotypes for g, c in pgx.call_profile(store.profile("PB", audit_open=False)).genes.items()}
        again = import_vcf_samples(store, MULTI, read_sample_map(m))
        assert [r.status for r in again] == ["already imported"] * 2
        bad = tmp_path / "bad.tsv"
        bad.write_text("nobody\tPA\n")
        with pytest.raises(UnknownSample, match="'nobody'"):
            import_vcf_samples(store, MULTI, read_sample_map(bad))
    finally:
        store.close()
    two = tmp_path / "two.tsv"
    two.write_text("a\tb\tc\n")
    with pytest.raises(MalformedFile, match="line 1"):
        read_sample_map(two)
