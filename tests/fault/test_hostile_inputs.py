"""The hostile and broken inputs issue 17 lists, one test each: one short typed sentence, nothing stored, the
open connection still working (and, for the few that may be accepted, nothing non-finite stored)."""
from __future__ import annotations

import json
import os
import struct
import zipfile
import zlib

import pytest

from tests.core.helpers import store_with_patient
from workstation import vault
from workstation.errors import MalformedFile, VaultError, WorkstationError
from workstation.ingest import import_file
from workstation.store import Store, Unlock, anchor


@pytest.fixture
def store(tmp_path):
    s = store_with_patient(tmp_path)
    yield s
    s.close()


def _obs(**over):
    o = {"resourceType": "Observation", "id": "o1", "status": "final", "subject": {"reference": "Patient/x1"},
         "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0"}]},
         "effectiveDateTime": "2020-01-01T00:00:00Z", "valueQuantity": {"value": 1.0, "unit": "mg/dL"}}
    o.update(over)
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": {"resourceType": "Patient", "id": "x1"}}, {"resource": o}]}


def _refused(store, path, *words, patient_id=None):
    before = anchor.current_state(store.con)
    with pytest.raises(WorkstationError) as ei:
        import_file(store, path, patient_id=patient_id)
    msg = str(ei.value)
    assert len(msg) < 500 and "\n" not in msg, msg[:400]
    for w in words:
        assert w in msg, msg
    assert anchor.current_state(store.con) == before
    assert store.con.execute("SELECT count(*) FROM patients").fetchone()[0] == 1   # the connection still works
    return msg


FHIR_CASES = {
    "lone surrogate": (_obs(status="\ud800"), "invalid Unicode"),
    "code is text": (_obs(code="abc"), "type FHIR R4 gives it"),
    "coding is text": (_obs(code={"coding": "x"}), "type FHIR R4 gives it"),
    "subject is text": (_obs(subject="Patient/x1"), "Reference"),
    "entry is a number": ({"resourceType": "Bundle", "entry": 5}, "entry is not a list"),
    "name is text": ({"resourceType": "Patient", "id": "b", "name": "Bob"}, "Patient"),
    "resourceType is a list": ({"resourceType": ["Patient"], "id": "b"}, "resourceType"),
    "400-digit integer": (_obs(valueQuantity={"value": 10 ** 400}), "401 digits"),
    "year 9999 at -14:00": (_obs(effectiveDateTime="9999-12-31T23:59:59-14:00"), "outside the dates"),
    "year 0999": (_obs(effectiveDateTime="0999-01-01T00:00:00Z"), "outside the dates"),
    "value 1e999 as text": (_obs(valueQuantity={"value": "1e999"}), "not a finite number"),
    "value is text": (_obs(valueQuantity={"value": "abc"}), "not a number"),
}


@pytest.mark.parametrize("case", list(FHIR_CASES))
def test_fhir_hostile(store, tmp_path, case):
    doc, words = FHIR_CASES[case]
    p = tmp_path / "in.json"
    p.write_text(json.dumps(doc), "utf-8", errors="surrogatepass")
    _refused(store, p, words)


@pytest.mark.parametrize("fmt", ["fhir", "fitbit"])
def test_nesting_100000_deep(store, tmp_path, fmt):
    p = tmp_path / "deep.json"
    deep = "[" * 100_000 + "]" * 100_000
    p.write_text(deep if fmt == "fitbit" else '{"resourceType": "Bundle", "entry": ' + deep + "}", "utf-8")
    _refused(store, p, "Nothing from this file", patient_id="P1")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_numbers(store, tmp_path, token):
    p = tmp_path / "nan.json"
    p.write_text(json.dumps(_obs()).replace('"value": 1.0', f'"value": {token}'), "utf-8")
    _refused(store, p, "not accepted")


@pytest.mark.parametrize("value", ["inf", "-inf", "1e999"])
def test_non_finite_wearable_and_omics_values(store, tmp_path, value):
    p = tmp_path / "w.csv"
    p.write_text(f"timestamp,metric,value,unit\n2024-03-01T08:15:00Z,Heart Rate,{value},bpm\n", "utf-8")
    _refused(store, p, "infinite", patient_id="P1")
    q = tmp_path / "o.tsv"
    q.write_text(f"gene_symbol\ttpm\nCYP2D6\t{value}\n", "utf-8")
    _refused(store, q, "finite", patient_id="P1")


def test_non_utf8_file_name_is_imported(store, tmp_path):
    p = os.path.join(os.fsencode(tmp_path), b"lab \xff\xfe.json")
    with open(p, "wb") as fh:
        fh.write(json.dumps(_obs()).encode())
    r = import_file(store, os.fsdecode(p))
    assert r.status == "imported"
    name = store.con.execute("SELECT file_name FROM sources").fetchone()[0]
    assert name == "lab \ufffd\ufffd.json"


def test_gzip_bomb_refused_fast(store, tmp_path):
    """A ~1 MB gzip of 1 GiB of NUL bytes (the issue's bomb took 45 s and 3 GB before being accepted)."""
    p = tmp_path / "bomb.vcf.gz"
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 22)
    with open(p, "wb") as fh:
        fh.write(c.compress(b"##fileformat=VCFv4.2\n"))
        for _ in range(256):
            fh.write(c.compress(block))
        fh.write(c.flush())
    assert p.stat().st_size < 2 << 20
    _refused(store, p, "expands more than", patient_id="P1")


def _apple_zip(path, *, encrypt=False, method=None, xml=b'<?xml version="1.0"?>\n<HealthData locale="en"/>\n'):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export.xml", xml)
    data = bytearray(path.read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        i = data.find(sig)
        flag_at, method_at = (i + 6, i + 8) if sig == b"PK\x03\x04" else (i + 8, i + 10)
        if encrypt:
            data[flag_at:flag_at + 2] = struct.pack("<H", struct.unpack("<H", data[flag_at:flag_at + 2])[0] | 1)
        if method is not None:
            data[method_at:method_at + 2] = struct.pack("<H", method)
    path.write_bytes(bytes(data))
    return path


def test_encrypted_zip_refused_by_name(store, tmp_path):
    _refused(store, _apple_zip(tmp_path / "export.zip", encrypt=True), "encrypted", patient_id="P1")


def test_aes_zip_refused_by_name(store, tmp_path):
    _refused(store, _apple_zip(tmp_path / "export.zip", method=99), "compression method", patient_id="P1")


def test_unknown_xml_encoding_refused_by_name(store, tmp_path):
    p = tmp_path / "export.xml"
    p.write_bytes(b'<?xml version="1.0" encoding="EBCDIC"?>\n<HealthData locale="en"/>\n')
    _refused(store, p, "EBCDIC", patient_id="P1")


def test_late_doctype_refused(store, tmp_path):
    """A DOCTYPE after the first 64 KiB escaped the DTD blanking and its entities were expanded."""
    rec = ('<Record type="HKQuantityTypeIdentifierHeartRate" unit="count/min" startDate="2024-01-31 08:00:00 +0100" '
           'endDate="2024-01-31 08:00:00 +0100" value="64"/>\n')
    body = rec * (70_000 // len(rec) + 1)
    p = tmp_path / "export.xml"
    p.write_text('<?xml version="1.0"?>\n<HealthData locale="en">\n' + body +
                 '<!DOCTYPE x [<!ENTITY big "AAAAAAAAAAAAAAAA">]>\n</HealthData>\n', "utf-8")
    _refused(store, p, "DOCTYPE", patient_id="P1")


def test_omics_cell_of_200000_characters(store, tmp_path):
    p = tmp_path / "o.tsv"
    p.write_text("gene_symbol\ttpm\tname\nCYP2D6\t1\t" + "x" * 200_000 + "\n", "utf-8")
    _refused(store, p, "Nothing from this file", patient_id="P1")


def test_huge_genotype_refused(store, tmp_path):
    p = tmp_path / "g.vcf"
    p.write_text("##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
                 "chr1\t1000\t.\tA\tG\t50\tPASS\t.\tGT\t99999999999999999999/1\n", "utf-8")
    _refused(store, p, "genotype", patient_id="P1")


def test_final_line_over_16_mib_refused(store, tmp_path):
    p = tmp_path / "w.csv"
    with open(p, "w", encoding="utf-8") as fh:
        fh.write("timestamp,metric,value,unit\n2024-03-01T08:15:00Z,Heart Rate,60,bpm\n")
        fh.write("2024-03-01T08:16:00Z,Heart Rate,61," + "x" * (17 << 20))
    _refused(store, p, "longer than", patient_id="P1")


def test_error_message_capped(store, tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("timestamp,metric,value,unit\n2024-03-01T08:15:00Z,Heart Rate," + "9x" * 4_000_000 + ",bpm\n",
                 "utf-8")
    msg = _refused(store, p, "Nothing from this file", patient_id="P1")
    assert len(msg) < 500


def test_vault_header_kdf_bounded(tmp_path):
    s = store_with_patient(tmp_path)
    s.close()
    hp = vault.header_path(tmp_path / "p.duckdb")
    raw = json.loads(hp.read_text("utf-8"))
    for field, value in (("time_cost", 10 ** 9), ("memory_cost_kib", 2 ** 40), ("parallelism", 0),
                         ("time_cost", "3"), ("memory_cost_kib", 1.5)):
        bad = json.loads(json.dumps(raw))
        bad["kdf"][field] = value
        hp.write_text(json.dumps(bad), "utf-8")
        with pytest.raises(VaultError):
            Store.open(tmp_path / "p.duckdb", Unlock(passphrase="a long passphrase"))
    hp.write_text(json.dumps(raw), "utf-8")
    Store.open(tmp_path / "p.duckdb", Unlock(passphrase="a long passphrase")).close()


def test_bundle_kdf_bounded(tmp_path):
    from workstation.exchange import container

    good = tmp_path / "b.wsbundle"
    container.write_bundle(good, [("manifest.json", b"{}")], "bundle passphrase", kdf=vault.FAST_KDF)
    data = good.read_bytes()
    n = struct.unpack(">I", data[8:12])[0]
    header = json.loads(data[12:12 + n])
    header["kdf"]["memory_cost_kib"] = 2 ** 40
    h = json.dumps(header, sort_keys=True).encode()
    bad = tmp_path / "bad.wsbundle"
    bad.write_bytes(data[:8] + struct.pack(">I", len(h)) + h + data[12 + n:])
    with pytest.raises(MalformedFile, match="outside safe limits"):
        container.read_bundle(bad, "bundle passphrase")


def test_streaming_gzip_guard_refuses_a_bomb_while_reading(tmp_path):
    """The guard FHIR, Fitbit, omics and wearable CSV read gzip through (past the pre-scan of import_file)."""
    from workstation.ingest import limits

    p = tmp_path / "bomb.csv.gz"
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(p, "wb") as fh:
        for _ in range(64):
            fh.write(c.compress(b"\0" * (1 << 22)))
        fh.write(c.flush())
    with pytest.raises(MalformedFile, match="expands more than"):
        with limits.guarded_gzip(p) as g:
            while g.read(1 << 20):
                pass
