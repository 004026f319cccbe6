"""Format detection from content (not names), the dispatcher, and the ``workstation import`` command."""
from __future__ import annotations

import gzip
import json

import pytest

from workstation import vault
from workstation.cli import run
from workstation.errors import FormatNotRecognised, ImportError_
from workstation.ingest import detect, import_file
from workstation.store import Store, Unlock

PATIENT = {"resourceType": "Patient", "id": "pat1", "name": [{"given": ["Ada"], "family": "Lovelace"}]}
SAMPLES = {
    "vcf": "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
    "fhir": json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": PATIENT}]}),
    "fhir-ndjson": json.dumps(PATIENT) + "\n" + json.dumps({**PATIENT, "id": "pat2"}) + "\n",
    "omics": "# omics=proteomics\nuniprot\tabundance\nP02741\t5\n",
    "apple-health": '<?xml version="1.0"?>\n<HealthData locale="en"></HealthData>\n',
    "fitbit": json.dumps([{"dateTime": "01/31/24 08:00:05", "value": {"bpm": 64, "confidence": 2}}]),
    "wearable-csv": "timestamp,metric,value,unit\n2024-01-01T00:00:00Z,steps,3,\n",
}


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_detect_by_content_whatever_the_name(tmp_path, fmt):
    p = tmp_path / "misleading.vcf.json.csv"
    p.write_text(SAMPLES[fmt])
    assert detect(p) == fmt
    g = tmp_path / "plain.txt"
    g.write_bytes(gzip.compress(SAMPLES[fmt].encode()))
    assert detect(g) == fmt


def test_unrecognised_content(tmp_path):
    p = tmp_path / "notes.csv"
    p.write_text("patient,comment\nx,y\n")
    with pytest.raises(FormatNotRecognised, match="not a format the workstation imports"):
        detect(p)
    z = tmp_path / "export.zip"
    import zipfile
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(FormatNotRecognised, match="no Apple Health export.xml"):
        detect(z)


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "p.duckdb"
    Store.create(path, "a long passphrase", kdf=vault.FAST_KDF).close()
    monkeypatch.setenv("WS_TEST_PW", "a long passphrase")
    monkeypatch.setattr(vault, "default_keyring", lambda: None)
    return path


def test_cli_import_reports_each_file_and_fails_on_any_error(db, tmp_path, capsys):
    bundle = tmp_path / "ada.json"
    bundle.write_text(SAMPLES["fhir"])
    omics = tmp_path / "prot.tsv"
    omics.write_text(SAMPLES["omics"])
    base = ["--db", str(db), "--passphrase-env", "WS_TEST_PW", "import"]
    assert run(base + [str(bundle)]) == 0
    assert "ada.json: stored patients: 1" in capsys.readouterr().out
    code = run(base + [str(omics), str(bundle)])              # omics without --patient fails, bundle is a no-op
    out = capsys.readouterr()
    assert code != 0
    assert "name an existing patient (--patient ID)" in out.err
    assert "already imported" in out.out and "1 of 2 files" in out.out
    assert run(base + [str(omics), "--patient", "pat1", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res[0]["status"] == "imported" and res[0]["counts"] == {"proteomics": 1}
    assert run(base + [str(omics), "--patient", "nobody"]) == 3
    with Store.open(db, Unlock(passphrase="a long passphrase")) as s:
        assert s.con.execute("SELECT count(*) FROM sources").fetchone()[0] == 2
        assert s.con.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0] == 2


def test_vcf_needs_an_existing_patient(tmp_path):
    s = Store.create(tmp_path / "v.duckdb", "a long passphrase", kdf=vault.FAST_KDF)
    p = tmp_path / "x.vcf"
    p.write_text(SAMPLES["vcf"])
    with pytest.raises(ImportError_, match="--patient"):
        import_file(s, p)
    assert s.con.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    s.close()
