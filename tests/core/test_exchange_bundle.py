"""Encrypted patient bundles between two real stores: round trip, refusals, all-or-nothing, audit, no plaintext."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workstation import vault
from workstation.errors import MalformedFile, WorkstationError, WrongPassphrase
from workstation.exchange import BundleUnreadable, PatientExists, export_bundle, import_bundle
from workstation.exchange import container
from workstation.exchange.parts import BUNDLE_TABLES
from workstation.progress import Cancelled, Progress
from workstation.store import Store, file_info, import_batch
from workstation.store.schema import DATA_TABLES

STORE_PW = "a long passphrase"
BUNDLE_PW = "bundle passphrase 42"
MARKER = "ZQXMARKER"          # appears in names and values; must never appear in a bundle file


def new_store(path: Path) -> Store:
    return Store.create(path, STORE_PW, kdf=vault.FAST_KDF)


def _ts(s: str | None):
    return pd.Timestamp(s) if s else pd.NaT


def rows_for(pid: str, marker: str) -> dict[str, pd.DataFrame]:
    """At least one row (with NULLs, microsecond timestamps, booleans) for every patient-data table."""
    t = pd.to_datetime(["2021-03-04 05:06:07.123456", None])
    return {
        "observations": pd.DataFrame({"patient_id": pid, "category": ["laboratory", "vital-signs"],
                                      "code_system": "http://loinc.org", "code": ["2160-0", "8480-6"],
                                      "display": [f"Creatinine {marker}", None], "value_num": [1.125, None],
                                      "value_text": [None, f"text {marker}"], "unit": ["mg/dL", None],
                                      "effective": t, "ref_low": [0.6, None], "ref_high": [1.3, None],
                                      "resource_id": ["o1", "o2"]}),
        "conditions": pd.DataFrame({"patient_id": [pid], "code": ["44054006"], "display": ["Diabetes"],
                                    "clinical_status": ["active"], "onset": [_ts("2010-01-01")],
                                    "abatement": [pd.NaT]}),
        "medications": pd.DataFrame({"patient_id": [pid], "display": ["clopidogrel 75 mg"], "rxnorm": ["32968"],
                                     "status": ["active"], "kind": ["request"], "start_time": [_ts("2020-02-02")]}),
        "allergies": pd.DataFrame({"patient_id": [pid], "display": ["Peanut"], "criticality": ["high"],
                                   "recorded": [_ts("2019-01-01 12:00")]}),
        "family_history": pd.DataFrame({"patient_id": [pid], "relationship": ["mother"], "display": ["Breast cancer"],
                                        "onset_age": [45.5], "deceased": pd.array([True], dtype="boolean")}),
        "procedures": pd.DataFrame({"patient_id": [pid], "display": ["Colonoscopy"], "status": ["completed"],
                                    "performed_start": [_ts("2018-05-05")]}),
        "encounters": pd.DataFrame({"patient_id": [pid], "class": ["AMB"], "status": ["finished"],
                                    "start_time": [_ts("2022-01-01 08:00")], "end_time": [_ts("2022-01-01 08:30")]}),
        "fhir_resources": pd.DataFrame({"patient_id": [pid], "resource_type": ["Patient"], "resource_id": [pid],
                                        "json": [json.dumps({"resourceType": "Patient", "id": pid,
                                                             "name": [{"text": marker}]})]}),
        "variants": pd.DataFrame({"patient_id": pid, "sample": "S1", "chrom": ["chr10", "chr22"],
                                  "pos": pd.array([94781859, 42130692], dtype="int64"), "vid": ["rs4244285", None],
                                  "ref": ["G", "C"], "alt": ["A", "."], "qual": [50.0, None],
                                  "filter": ["PASS", None], "gt": ["1/1", "0/0"],
                                  "phased": pd.array([False, None], dtype="boolean"),
                                  "dp": pd.array([30, None], dtype="Int32")}),
        "ref_blocks": pd.DataFrame({"patient_id": [pid], "chrom": ["chr1"], "start_pos": pd.array([100], "int64"),
                                    "end_pos": pd.array([200], "int64"), "min_dp": pd.array([10], "Int32")}),
        "analytes": pd.DataFrame({"patient_id": [pid], "omics": ["metabolomics"], "analyte_id": ["HMDB0000122"],
                                  "name": ["glucose"], "value": [5.4], "unit": ["mmol/L"],
                                  "measured_at": [_ts("2022-02-02")]}),
        "wearable_samples": pd.DataFrame({"patient_id": pid, "metric": ["heart_rate", "steps"],
                                          "start_utc": pd.to_datetime(["2023-01-01 00:00", "2023-01-01 00:01"]),
                                          "value": [61.0, 12.0], "unit": ["/min", "1"],
                                          "utc_offset_min": pd.array([60, None], dtype="Int32")}),
        "outside_calls": pd.DataFrame({"patient_id": [pid], "gene": ["CYP2D6"], "diplotype": ["*1/*4"],
                                       "phenotype": ["Intermediate Metabolizer"], "entered_by": ["tester"]}),
        "family_versions": pd.DataFrame({"patient_id": [pid], "version": pd.array([1], dtype="int32"),
                                         "family": [json.dumps({"id": marker, "people": []})],
                                         "change": ['{"op": "new"}'], "changed_by": ["tester"]}),
    }


def fill(store: Store, tmp: Path, pid: str, name: str) -> None:
    f = tmp / f"{pid}.src"
    f.write_text(f"source file of {pid}")
    with import_batch(store, file_info(f), kind="demo", importer="test", importer_version="1", patient_id=pid) as b:
        b.upsert_patient({"id": pid, "name": name, "given": name.split()[0], "family": name.split()[-1],
                          "birth_date": "1961-07-08", "sex": "female",
                          "identifiers": [{"system": "urn:mrn", "value": f"MRN-{pid}"}]})
        for table, frame in rows_for(pid, MARKER).items():
            b.insert_frame(table, frame)


def fill_shared_source(store: Store, tmp: Path, pids: list[str]) -> None:
    """One file holding rows of several patients (its provenance row has no owner)."""
    f = tmp / "shared.src"
    f.write_text("a file with several patients")
    with import_batch(store, file_info(f), kind="demo", importer="test", importer_version="1") as b:
        for pid in pids:
            b.insert_frame("observations", pd.DataFrame({"patient_id": [pid], "code": ["718-7"], "value_num": [13.0]}))
        b.insert_frame("fhir_resources", pd.DataFrame({"patient_id": [None], "resource_type": ["Medication"],
                                                       "resource_id": ["m1"], "json": ['{"resourceType":"Medication"}']}))


@pytest.fixture()
def store_a(tmp_path):
    s = new_store(tmp_path / "a.duckdb")
    fill(s, tmp_path, "p1", f"Ada {MARKER}")
    fill(s, tmp_path, "p2", "Bea Other")
    fill_shared_source(s, tmp_path, ["p1", "p2"])
    yield s
    s.close()


@pytest.fixture()
def store_b(tmp_path):
    s = new_store(tmp_path / "b.duckdb")
    yield s
    s.close()


def table_rows(store: Store, table: str, pid: str) -> list:
    """The patient's rows with source_id replaced by the source file's SHA-256 (ids differ between stores)."""
    if table == "patients":
        return store.con.execute("SELECT * EXCLUDE (identifiers) FROM patients WHERE id = ?", [pid]).fetchall()
    if table == "sources":
        return store.con.execute("SELECT * EXCLUDE (id) FROM sources WHERE kind <> 'bundle' AND id IN (SELECT "
                                 "source_id FROM observations WHERE patient_id = ?)", [pid]).fetchall()
    rows = store.con.execute(f"SELECT t.* EXCLUDE (source_id), s.sha256 FROM {table} t LEFT JOIN sources s "
                             f"ON t.source_id = s.id WHERE t.patient_id = ?", [pid]).fetchall()
    return sorted(rows, key=repr)


def export(store: Store, pids: list[str], out: Path, **kw):
    return export_bundle(store, pids, out, BUNDLE_PW, kdf=vault.FAST_KDF, **kw)


def counts(store: Store) -> dict[str, int]:
    return {t: store.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in BUNDLE_TABLES}


def test_round_trip_every_table_rows_and_values(store_a, store_b, tmp_path):
    out = tmp_path / "p1.wsbundle"
    res = export(store_a, ["p1"], out)
    assert out.exists() and not (tmp_path / "p1.wsbundle.part").exists()
    imp = import_bundle(store_b, out, BUNDLE_PW)
    assert imp.patients == {"p1": "p1"}
    for table in ("patients",) + DATA_TABLES:
        a, b = table_rows(store_a, table, "p1"), table_rows(store_b, table, "p1")
        assert len(a) == len(b) and len(a) > 0, table
        assert a == b, table
    # every exported table's count matches what arrived, per patient
    assert res.counts["p1"] == imp.counts["p1"]
    assert res.counts["p1"]["variants"] == 2 and res.counts["p1"]["observations"] == 3
    # the other patient stayed behind; the shared file's Medication resource came along
    assert store_b.con.execute("SELECT count(*) FROM observations WHERE patient_id = 'p2'").fetchone()[0] == 0
    assert store_b.con.execute("SELECT count(*) FROM fhir_resources WHERE patient_id IS NULL").fetchone()[0] == 1
    # the shared source's provenance no longer names p2
    details = [json.loads(d) for (d,) in store_b.con.execute("SELECT details FROM sources").fetchall()]
    assert all("p2" not in (d.get("patients") or []) for d in details)
    assert store_b.patient("p1")["name"] == f"Ada {MARKER}"
    assert json.loads(store_b.patient("p1")["identifiers"]) == [{"system": "urn:mrn", "value": "MRN-p1"}]


def test_fresh_source_ids_and_bundle_provenance(store_a, store_b, tmp_path):
    other = tmp_path / "other.src"
    other.write_text("something already in store B")
    with import_batch(store_b, file_info(other), kind="demo", importer="t", importer_version="1",
                      patient_id="px") as b:
        b.upsert_patient({"id": "px", "name": "Someone Else"})
        b.insert_frame("observations", pd.DataFrame({"code": ["x"], "value_num": [1.0]}))
    out = tmp_path / "p1.wsbundle"
    export(store_a, ["p1"], out)
    imp = import_bundle(store_b, out, BUNDLE_PW)
    ids = [r[0] for r in store_b.con.execute("SELECT id FROM sources ORDER BY id").fetchall()]
    assert len(ids) == len(set(ids)) == 4     # px's file, p1's two source files, the bundle row
    px_rows = store_b.con.execute("SELECT count(*) FROM observations WHERE patient_id = 'px'").fetchone()[0]
    assert px_rows == 1
    prov = store_b.con.execute("SELECT kind, patient_id, sha256, counts FROM sources WHERE id = ?",
                               [imp.source_ids["p1"]]).fetchone()
    assert prov[0] == "bundle" and prov[1] == "p1" and prov[2] == imp.sha256
    assert json.loads(prov[3])["variants"] == 2


def test_audit_on_both_ends(store_a, store_b, tmp_path):
    out = tmp_path / "b.wsbundle"
    res = export(store_a, ["p1", "p2"], out)
    import_bundle(store_b, out, BUNDLE_PW)
    a = store_a.audit_rows()
    ex = a[a.action == "export_bundle"]
    assert sorted(ex.patient_id) == ["p1", "p2"]
    assert all(json.loads(d)["sha256"] == res.sha256 for d in ex.detail)
    b = store_b.audit_rows()
    im = b[b.action == "import_bundle"]
    assert sorted(im.patient_id) == ["p1", "p2"]
    assert store_a.verify_audit().ok and store_b.verify_audit().ok


def test_no_plaintext_in_the_bundle_file(store_a, tmp_path):
    out = tmp_path / "p1.wsbundle"
    export(store_a, ["p1"], out)
    raw = out.read_bytes()
    for needle in (MARKER, "MRN-p1", "Creatinine", "rs4244285", "clopidogrel", "PAR1"):
        assert needle.encode() not in raw, needle
    assert raw.startswith(container.MAGIC)
    hlen = int.from_bytes(raw[8:12], "big")
    header = json.loads(raw[12:12 + hlen])
    assert set(header) == {"format", "version", "cipher", "kdf", "nonce", "key_check", "payload"}


def test_wrong_passphrase_refused_and_audited(store_a, store_b, tmp_path):
    out = tmp_path / "p1.wsbundle"
    export(store_a, ["p1"], out)
    before = counts(store_b)
    with pytest.raises(WrongPassphrase, match="does not open"):
        import_bundle(store_b, out, "not the right passphrase")
    assert counts(store_b) == before
    assert store_b.audit_rows().action.tolist()[-1] == "import_bundle_refused"


@pytest.mark.parametrize("where", ["header", "middle", "tag", "truncate"])
def test_changed_byte_refused(store_a, store_b, tmp_path, where):
    out = tmp_path / "p1.wsbundle"
    export(store_a, ["p1"], out)
    raw = bytearray(out.read_bytes())
    hlen = int.from_bytes(raw[8:12], "big")
    if where == "header":
        i = raw.index(b'"payload"', 12, 12 + hlen) + 2      # a byte inside the header's text
        raw[i] ^= 0x01
    elif where == "middle":
        raw[12 + hlen + (len(raw) - 12 - hlen) // 2] ^= 0x01
    elif where == "tag":
        raw[-1] ^= 0x80
    else:
        del raw[-40:]
    out.write_bytes(bytes(raw))
    before = counts(store_b)
    with pytest.raises(WorkstationError) as ei:
        import_bundle(store_b, out, BUNDLE_PW)
    assert isinstance(ei.value, (BundleUnreadable, WrongPassphrase))
    assert "Traceback" not in str(ei.value)
    assert counts(store_b) == before


def test_failure_half_way_stores_nothing(store_a, store_b, tmp_path):
    fill(store_b, tmp_path, "p2", "Bea Already Here")      # the bundle's second patient exists in B
    out = tmp_path / "both.wsbundle"
    export(store_a, ["p1", "p2"], out)
    before = counts(store_b)
    with pytest.raises(PatientExists, match="'p2' already exists") as ei:
        import_bundle(store_b, out, BUNDLE_PW)
    assert "Nothing from this file was stored" in str(ei.value)
    assert counts(store_b) == before
    assert store_b.con.execute("SELECT count(*) FROM patients WHERE id = 'p1'").fetchone()[0] == 0


def test_cancel_half_way_stores_nothing(store_a, store_b, tmp_path):
    out = tmp_path / "p1.wsbundle"
    export(store_a, ["p1"], out)

    class CancelAtVariants(Progress):
        def set(self, fraction=None, message=None):
            super().set(fraction, message)
            if message and "variants" in message:
                self.cancel()

    before = counts(store_b)
    with pytest.raises(Cancelled):
        import_bundle(store_b, out, BUNDLE_PW, progress=CancelAtVariants())
    assert counts(store_b) == before


def test_existing_patient_imported_under_new_id(store_a, tmp_path):
    out = tmp_path / "p1.wsbundle"
    export(store_a, ["p1"], out)
    with pytest.raises(PatientExists, match="--as"):
        import_bundle(store_a, out, BUNDLE_PW)
    res = import_bundle(store_a, out, BUNDLE_PW, rename="p1-copy")
    assert res.patients == {"p1": "p1-copy"}
    copy = [r[1:] for r in table_rows(store_a, "variants", "p1-copy")]
    assert copy and copy == [r[1:] for r in table_rows(store_a, "variants", "p1")]
    idents = json.loads(store_a.patient("p1-copy")["identifiers"])
    assert {"system": "urn:workstation:bundle-patient-id", "value": "p1"} in idents


def test_rename_needs_a_single_patient_bundle(store_a, store_b, tmp_path):
    out = tmp_path / "both.wsbundle"
    export(store_a, ["p1", "p2"], out)
    with pytest.raises(WorkstationError, match="2 patients"):
        import_bundle(store_b, out, BUNDLE_PW, rename="new")
    assert counts(store_b)["patients"] == 0


def test_export_refusals(store_a, tmp_path):
    out = tmp_path / "x.wsbundle"
    with pytest.raises(WorkstationError, match="no patient"):
        export(store_a, ["nobody"], out)
    with pytest.raises(WorkstationError, match="at least 8"):
        export_bundle(store_a, ["p1"], out, "short", kdf=vault.FAST_KDF)
    out.write_text("keep me")
    with pytest.raises(WorkstationError, match="already exists"):
        export(store_a, ["p1"], out)
    assert out.read_text() == "keep me"
    assert not (store_a.audit_rows().action == "export_bundle").any()


def test_not_a_bundle_and_newer_bundle(store_b, tmp_path):
    junk = tmp_path / "junk.wsbundle"
    junk.write_bytes(b"PK\x03\x04 not a bundle at all" * 10)
    with pytest.raises(BundleUnreadable, match="not a workstation patient bundle"):
        import_bundle(store_b, junk, BUNDLE_PW)
    newer = tmp_path / "newer.wsbundle"
    manifest = {"format": "workstation-patient-bundle-payload", "version": 1, "schema_version": 99,
                "patients": ["p9"], "tables": {}}
    container.write_bundle(newer, [("manifest.json", json.dumps(manifest).encode())], BUNDLE_PW,
                           kdf=vault.FAST_KDF)
    with pytest.raises(MalformedFile, match="newer workstation"):
        import_bundle(store_b, newer, BUNDLE_PW)


def test_real_importers_round_trip(tmp_path):
    """A patient filled by the real FHIR and VCF importers moves with every row."""
    shared = Path(__file__).resolve().parents[3] / "shared" / "data"
    fhir = shared / "fhir_r4_synthea" / "Stanford_Windler_77754da9-ed27-4d99-ae16-360d2fde6b06.json"
    vcf = shared / "pharmcat" / "pharmcat.example2.vcf"
    if not (fhir.exists() and vcf.exists()):
        pytest.skip("../shared/data (Synthea bundle, PharmCAT VCF) is not beside the checkout")
    from workstation.ingest import import_file

    a, b = new_store(tmp_path / "a.duckdb"), new_store(tmp_path / "b.duckdb")
    try:
        import_file(a, fhir)
        pid = a.patients().id[0]
        import_file(a, vcf, patient_id=pid)
        out = tmp_path / "real.wsbundle"
        export(a, [pid], out)
        import_bundle(b, out, BUNDLE_PW)
        for table in ("patients",) + DATA_TABLES:
            assert table_rows(a, table, pid) == table_rows(b, table, pid), table
        assert b.profile(pid).variants.shape == a.profile(pid).variants.shape
    finally:
        a.close()
        b.close()
