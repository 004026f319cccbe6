"""Property-based fuzzing of every importer (hypothesis, seeded: ``derandomize=True``).

Each example is a mutated copy of a real file (the shared data in /work/shared/data where present, else a small
built-in file of the format): byte flips, truncation, deletion, duplication, hostile tokens (lone surrogates,
NaN, 400-digit numbers, deep nesting, late DOCTYPE, huge genotypes, over-long cells), JSON values of the wrong
type at random places, optional gzip, file names that are not valid UTF-8. The property: ``import_file`` returns
an ImportResult, or raises ONE typed WorkstationError with one short line — and then the store is exactly as
before (audit-anchor state: last audit row and every table's row count), the open connection still answers, and
no stored number is NaN or infinite.

Default: FUZZ_EXAMPLES (25) examples per importer, a few seconds each. WORKSTATION_FAULT_LONG=1 (.ci/run): 400.
WORKSTATION_FUZZ_STATS=FILE appends one JSON line of figures per importer (examples, imported, refused, time).
"""
from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fault.helpers import LONG, SHARED
from workstation import vault
from workstation.errors import WorkstationError
from workstation.ingest import import_file
from workstation.store import Store, anchor

FUZZ_EXAMPLES = 400 if LONG else 25
HOSTILE = [b"\x00", b"\xff\xfe\xfd", b'"\\ud800"', b"\\udfff", b"NaN", b"Infinity", b"-1e999", b"9" * 400,
           b"[" * 3000, b"{" * 3000, b'<!DOCTYPE x [<!ENTITY a "bbbbbbbb">]><x>&a;</x>', b"<!ENTITY",
           b"99999999999999999999/1", b"\r", b"\t" * 40, b"9999-12-31T23:59:59-14:00",
           b"2020-01-01T00:00:00.123456789Z", b"", b",,,,", b'"', b"x" * 200_000, b"\n#CHROM\n", b"\xef\xbb\xbf",
           b'encoding="EBCDIC"', b"0/1", b"-0", b"1e308", b"\\u0000"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10 ** 40), max_value=10 ** 40) |
    st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20) |
    st.sampled_from(["\ud800", "abc", "", "9999-12-31T23:59:59-14:00", "Patient/nobody", "1e999"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)
NAMES = [b"fuzz.dat", b"fuzz\xff\xfe.dat", "fuzz-é.dat".encode(), b"fuzz \x01.dat"]


# -- base files ----------------------------------------------------------------------------------------------

def _fhir_base() -> bytes:
    p = SHARED / "fhir_r4_synthea" / "Parker_Casper_6d0c6969-6843-47e1-9921-d9bf11b1df31.json"
    if p.exists():
        doc = json.loads(p.read_text("utf-8"))
        doc["entry"] = doc["entry"][:40]
    else:
        doc = {"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "fz1", "birthDate": "1970-01-01"}},
            {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                          "subject": {"reference": "Patient/fz1"},
                          "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0"}]},
                          "effectiveDateTime": "2020-01-01T00:00:00Z",
                          "valueQuantity": {"value": 1.1, "unit": "mg/dL"}}}]}
    return json.dumps(doc).encode()


def _shared_or(rel: str, fallback: bytes) -> bytes:
    p = SHARED / rel
    return p.read_bytes() if p.exists() else fallback


BASES = {
    "fhir": (_fhir_base, None, True),
    "apple-health": (lambda: _shared_or("apple_health/export6s3sample.xml", (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!ELEMENT HealthData ANY>\n]>\n'
        b'<HealthData locale="en_US">\n<Record type="HKQuantityTypeIdentifierHeartRate" unit="count/min" '
        b'startDate="2024-01-31 08:00:00 +0100" endDate="2024-01-31 08:00:00 +0100" value="64"/>\n</HealthData>\n')),
        "P1", False),
    "vcf": (lambda: _shared_or("vcf_na12878/NA12878.2c19_filtered.vcf", (
        b"##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
        b"chr10\t94761900\trs12248560\tC\tT\t50\tPASS\t.\tGT\t0/1\n")), "P1", False),
    "fitbit": (lambda: json.dumps([{"dateTime": f"01/31/24 08:{i:02d}:05", "value": {"bpm": 60 + i}}
                                   for i in range(20)]).encode(), "P1", True),
    "omics": (lambda: b"gene_symbol\ttpm\tunit\nCYP2D6\t12.5\tTPM\nENSG00000100197\t3\tTPM\nVKORC1\tNA\tTPM\n",
              "P1", False),
    "wearable-csv": (lambda: b"timestamp,metric,value,unit,device\n2024-03-01T08:15:00+01:00,Heart Rate,72,bpm,Band\n"
                             b"2024-03-01T08:16:00Z,steps,40,,Band\n2024-03-01T08:17:00,hrv,55,ms,\n", "P1", False),
    "ped": (lambda: _shared_or("pedigree/ceph1463.ped", b"F1\tI1\t0\t0\t1\t1\nF1\tI2\t0\t0\t2\t1\nF1\tI3\tI1\tI2\t1\t2\n"),
            "P1", False),
}


# -- mutations -----------------------------------------------------------------------------------------------

@st.composite
def byte_mutations(draw, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        pos = draw(st.integers(0, max(0, len(data))))
        if op == "flip" and data:
            i = min(pos, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(HOSTILE))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[pos:]
        elif op == "duplicate":
            n = draw(st.integers(1, 200))
            data[pos:pos] = data[pos:pos + n]
    return bytes(data)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:30]):
            yield from _paths(v, prefix + (i,))


@st.composite
def json_mutations(draw, base: bytes) -> bytes:
    doc = json.loads(base)
    paths = [p for p in _paths(doc) if p]
    for _ in range(draw(st.integers(1, 3))):
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        target = doc
        try:
            for k in path[:-1]:
                target = target[k]
            target[path[-1]] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            pass
        paths = [p for p in _paths(doc) if p]
    return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


def inputs(fmt: str):
    make, _, is_json = BASES[fmt]
    base = make()
    muts = byte_mutations(base)
    if is_json:
        muts = st.one_of(muts, json_mutations(base))
    return st.tuples(muts, st.booleans(), st.sampled_from(NAMES))


# -- the property --------------------------------------------------------------------------------------------

def _state(s: Store) -> dict:
    st_ = anchor.current_state(s.con)
    st_["audit_rows"] = s.con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    return st_


def _no_non_finite(s: Store) -> None:
    for table, col in (("observations", "value_num"), ("analytes", "value"), ("wearable_samples", "value")):
        n = s.con.execute(f"SELECT count(*) FROM {table} WHERE isnan({col}) OR isinf({col})").fetchone()[0]
        assert n == 0, f"{table}.{col} holds {n} NaN/inf"


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    s = Store.create(d / "p.duckdb", "fuzz passphrase 1", kdf=vault.FAST_KDF)
    with s.transaction() as con:
        con.execute("INSERT INTO patients (id, name) VALUES ('P1', 'Fuzz Patient')")
    yield s, d
    s.close()


@pytest.mark.parametrize("fmt", list(BASES))
def test_importer_fuzz(fuzz_store, fmt):
    s, d = fuzz_store
    _, pid, _ = BASES[fmt]
    stats = {"importer": fmt, "examples": 0, "imported": 0, "refused": 0}
    t0 = time.perf_counter()

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(inputs(fmt))
    def run(case):
        data, compress, name = case
        folder = os.fsencode(d / fmt)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        with open(path, "wb") as fh:
            fh.write(gzip.compress(data) if compress else data)
        before = _state(s)
        stats["examples"] += 1
        try:
            import_file(s, os.fsdecode(path), patient_id=pid)
            stats["imported"] += 1
            _no_non_finite(s)
        except WorkstationError as exc:
            msg = str(exc)
            assert len(msg) < 700 and "\n" not in msg.strip() and "Traceback" not in msg, msg[:300]
            assert _state(s) == before                        # nothing stored, nothing half-written
            stats["refused"] += 1
            if "not a valid file of its kind" in msg or "nested too deeply" in msg:
                stats["caught_by_net"] = stats.get("caught_by_net", 0) + 1
            if os.environ.get("WORKSTATION_FUZZ_SHOW"):
                print(fmt, "|", msg[-160:])
        assert s.con.execute("SELECT 42").fetchone()[0] == 42  # the open connection still works

    run()
    assert s.verify_audit().ok and s.consistency_problems() == []
    stats["seconds"] = round(time.perf_counter() - t0, 1)
    out = os.environ.get("WORKSTATION_FUZZ_STATS")
    if out:
        with open(out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(stats) + "\n")
