"""Wearables: the real Apple Health sample, modern (broken-DTD) exports, Fitbit JSON, the generic CSV, demo files."""
from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from workstation.demo.wearable_writer import write_demo_wearables
from workstation.errors import MalformedFile
from workstation.ingest import detect, import_file
from workstation.ingest.apple_health import import_apple_health
from workstation.progress import Cancelled, Progress
from tests.core.helpers import store_with_patient

APPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "apple_health" / "export6s3sample.xml"


@pytest.fixture
def store(tmp_path):
    s = store_with_patient(tmp_path, birth_date="1970-01-01")
    yield s
    s.close()


def q(store, sql):
    return store.con.execute(sql).fetchall()


def nothing_stored(store) -> bool:
    return q(store, "SELECT count(*) FROM wearable_samples")[0][0] == 0 and \
        q(store, "SELECT count(*) FROM sources")[0][0] == 0


# A modern export head: HealthKit Export Version 12 with the iOS 16 DTD defect (an ATTLIST never closed).
# (long lines below: real export records are long)  # noqa: E501
MODERN = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 12 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ATTLIST VisionPrescription
  type             CDATA #REQUIRED
  dateIssued       CDATA #REQUIRED
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
]>
<HealthData locale="en_US">
 <ExportDate value="2024-02-01 09:00:00 -0500"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1970-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch\x0b" unit="count/min" creationDate="2024-01-31 08:00:05 -0500" startDate="2024-01-31 08:00:00 -0500" endDate="2024-01-31 08:00:00 -0500" value="61">
  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>
 </Record>
 <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="Watch" unit="ms" startDate="2024-01-31 03:10:00 -0500" endDate="2024-01-31 03:11:00 -0500" value="48.5">
  <HeartRateVariabilityMetadataList>
   <InstantaneousBeatsPerMinute bpm="58" time="3:10:01.23 AM"/>
  </HeartRateVariabilityMetadataList>
 </Record>
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2024-01-30 23:30:00 -0500" endDate="2024-01-31 01:00:00 -0500" value="HKCategoryValueSleepAnalysisAsleepCore"/>
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2024-01-31 01:00:00 -0500" endDate="2024-01-31 01:20:00 -0500" value="HKCategoryValueSleepAnalysisAwake"/>
 <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="2024-01-31 07:00:00 -0500" endDate="2024-01-31 07:00:00 -0500" value="128"/>
 <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" startDate="2024-01-31 07:00:00 -0500" endDate="2024-01-31 07:00:00 -0500" value="82"/>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" startDate="2024-01-31 07:00:00 -0500" endDate="2024-01-31 07:00:00 -0500">
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="2024-01-31 07:00:00 -0500" endDate="2024-01-31 07:00:00 -0500" value="128"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" startDate="2024-01-31 07:00:00 -0500" endDate="2024-01-31 07:00:00 -0500" value="82"/>
 </Correlation>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" startDate="2024-01-31 19:00:00 -0500" endDate="2024-01-31 19:00:00 -0500">
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="2024-01-31 19:00:00 -0500" endDate="2024-01-31 19:00:00 -0500" value="135"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" startDate="2024-01-31 19:00:00 -0500" endDate="2024-01-31 19:00:00 -0500" value="88"/>
 </Correlation>
 <Record type="HKQuantityTypeIdentifierDietaryWater" sourceName="App" unit="mL" startDate="2024-01-31 12:00:00 -0500" endDate="2024-01-31 12:00:00 -0500" value="250"/>
 <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="30" durationUnit="min" sourceName="Watch" startDate="2024-01-31 17:00:00 -0500" endDate="2024-01-31 17:30:00 -0500"/>
</HealthData>
"""


@pytest.mark.skipif(not APPLE.is_file(), reason="../shared/data/apple_health is absent")
def test_real_apple_health_sample(store):
    assert detect(APPLE) == "apple-health"
    r = import_file(store, APPLE, patient_id="P1")
    assert r.counts == {"steps": 10, "distance": 5}
    first = q(store, "SELECT start_utc, end_utc, value, unit, utc_offset_min, device FROM wearable_samples "
                     "WHERE metric = 'steps' ORDER BY start_utc LIMIT 1")[0]
    # <Record … startDate="2014-09-13 10:27:54 +0100" endDate="2014-09-13 10:27:59 +0100" value="329"/>
    assert (str(first[0]), str(first[1])) == ("2014-09-13 09:27:54", "2014-09-13 09:27:59")
    assert first[2:] == (329.0, "{steps}", 60, "Health")
    assert q(store, "SELECT sum(value) FROM wearable_samples WHERE metric = 'steps'")[0][0] == 2517.0
    assert q(store, "SELECT round(sum(value), 5), min(unit) FROM wearable_samples WHERE metric = 'distance'")[0] == \
        (0.01943, "km")
    assert "differs from the patient's" in r.warnings[0]           # Me: 1965-07-31 vs the patient's 1970-01-01
    assert import_file(store, APPLE, patient_id="P1").status == "already imported"


def test_modern_export_with_broken_dtd_zipped(store, tmp_path):
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
        zf.writestr("apple_health_export/export.xml", MODERN)
    assert detect(z) == "apple-health"
    r = import_file(store, z, patient_id="P1")
    assert r.counts == {"heart_rate": 1, "hrv_sdnn": 1, "sleep": 1, "sleep_awake": 1, "bp_systolic": 2,
                        "bp_diastolic": 2}
    hr = q(store, "SELECT start_utc, value, unit, utc_offset_min, device FROM wearable_samples "
                  "WHERE metric = 'heart_rate'")[0]
    assert (str(hr[0]), hr[1:]) == ("2024-01-31 13:00:00", (61.0, "/min", -300, "Watch"))
    assert q(store, "SELECT value, unit FROM wearable_samples WHERE metric = 'sleep'") == [(90.0, "min")]
    assert q(store, "SELECT value, unit FROM wearable_samples WHERE metric = 'hrv_sdnn'") == [(48.5, "ms")]
    assert q(store, "SELECT value, unit FROM wearable_samples WHERE metric = 'bp_systolic' ORDER BY 1") == \
        [(128.0, "mm[Hg]"), (135.0, "mm[Hg]")]
    assert any("DietaryWater" in w and "Workout" in w for w in r.warnings)


def test_malformed_xml_names_line(store, tmp_path):
    bad = MODERN.replace('value="61">', 'value="61"', 1)
    p = tmp_path / "export.xml"
    p.write_text(bad)
    with pytest.raises(MalformedFile) as ei:
        import_apple_health(store, p, patient_id="P1")
    lines = MODERN.split("\n")                  # (not splitlines: \x0b is no line break in XML)
    record_line = next(i for i, x in enumerate(lines, 1) if 'value="61"' in x)
    assert ei.value.line == record_line + 1       # the unclosed tag shows on the following line
    assert "malformed" in str(ei.value)
    assert nothing_stored(store)


def test_non_numeric_record_value(store, tmp_path):
    p = tmp_path / "export.xml"
    p.write_text(MODERN.replace('value="48.5"', 'value="n/a"'))
    with pytest.raises(MalformedFile) as ei:
        import_apple_health(store, p, patient_id="P1")
    assert ei.value.record == "Record 2" and ei.value.field == "value"
    assert nothing_stored(store)


def test_cancel_apple_health_leaves_nothing(store, tmp_path):
    rec = ('<Record type="HKQuantityTypeIdentifierStepCount" sourceName="P" unit="count" '
           'startDate="2024-01-01 00:{m:02d}:00 +0000" endDate="2024-01-01 00:{m:02d}:59 +0000" value="{v}"/>\n')
    body = "".join(rec.format(m=i % 60, v=i) for i in range(150_000))
    p = tmp_path / "export.xml"
    p.write_text(f'<?xml version="1.0"?>\n<HealthData locale="en">\n{body}</HealthData>\n')

    class CancelLater(Progress):
        def set(self, fraction=None, message=None):
            super().set(fraction, message)
            if message and "100,000 records" in message:  # after the first chunk was written
                self.cancel()

    with pytest.raises(Cancelled):
        import_apple_health(store, p, patient_id="P1", progress=CancelLater())
    assert nothing_stored(store)


# -- Fitbit -------------------------------------------------------------------------------------------------------
def test_fitbit_heart_rate_steps_sleep(store, tmp_path):
    hr = tmp_path / "heart_rate-2024-01-31.json"
    hr.write_text(json.dumps([{"dateTime": "01/31/24 08:00:05", "value": {"bpm": 64, "confidence": 2}},
                              {"dateTime": "01/31/24 08:00:10", "value": {"bpm": 66, "confidence": 3}}]))
    st = tmp_path / "steps-2024-01-31.json"
    st.write_text(json.dumps([{"dateTime": "01/31/24 08:00:00", "value": "12"}]))
    sl = tmp_path / "sleep-2024-01-31.json"
    sl.write_text(json.dumps([{"logId": 1, "dateOfSleep": "2024-01-31", "startTime": "2024-01-30T23:10:00.000",
                               "endTime": "2024-01-31T06:45:30.000", "minutesAsleep": 412, "timeInBed": 455,
                               "mainSleep": True}]))
    assert [detect(p) for p in (hr, st, sl)] == ["fitbit"] * 3
    assert import_file(store, hr, patient_id="P1").counts == {"heart_rate": 2}
    assert import_file(store, st, patient_id="P1").counts == {"steps": 1}
    r = import_file(store, sl, patient_id="P1")
    assert r.counts == {"sleep": 1, "sleep_in_bed": 1} and "no UTC offset" in r.warnings[0]
    assert [(str(a), b, c) for a, b, c in q(store, "SELECT start_utc, value, unit FROM wearable_samples "
                                                   "WHERE metric = 'heart_rate' ORDER BY 1")] == \
        [("2024-01-31 08:00:05", 64.0, "/min"), ("2024-01-31 08:00:10", 66.0, "/min")]
    assert q(store, "SELECT value, utc_offset_min FROM wearable_samples WHERE metric = 'sleep'") == [(412.0, None)]


def test_fitbit_invalid_json(store, tmp_path):
    p = tmp_path / "heart_rate-2024-01-31.json"
    p.write_text('[{"dateTime": "01/31/24 08:00:05", "value": {"bpm": 64}},\n{"dateTime": ')
    with pytest.raises(MalformedFile) as ei:
        import_file(store, p, patient_id="P1")
    assert ei.value.line == 2 and "not valid JSON" in str(ei.value)
    assert nothing_stored(store)


def test_fitbit_bad_value_names_record(store, tmp_path):
    p = tmp_path / "heart_rate-2024-01-31.json"
    p.write_text(json.dumps([{"dateTime": "01/31/24 08:00:05", "value": {"bpm": 64}},
                             {"dateTime": "01/31/24 08:00:10", "value": {"bpm": "fast"}}]))
    with pytest.raises(MalformedFile) as ei:
        import_file(store, p, patient_id="P1")
    assert (ei.value.record, ei.value.field) == ("2", "value.bpm")
    assert nothing_stored(store)


# -- generic CSV ----------------------------------------------------------------------------------------------------
def test_generic_csv_offsets_units_and_gzip(store, tmp_path):
    p = tmp_path / "samples.dat"
    with gzip.open(p, "wt") as fh:
        fh.write("# exported by a test\ntimestamp,metric,value,unit,device\n"
                 "2024-03-01T08:15:00+01:00,Heart Rate,72,bpm,Band\n2024-03-01T08:16:00Z,steps,40,,Band\n"
                 "2024-03-01T08:17:00,hrv,55,ms,\n")
    assert detect(p) == "wearable-csv"
    r = import_file(store, p, patient_id="P1")
    assert r.counts == {"heart_rate": 1, "hrv_sdnn": 1, "steps": 1}
    assert "1 timestamp(s) had no UTC offset" in r.warnings[0]
    rows = q(store, "SELECT metric, start_utc, value, unit, utc_offset_min, device FROM wearable_samples ORDER BY 2")
    assert [(m, str(t), v, u, o, d) for m, t, v, u, o, d in rows] == [
        ("heart_rate", "2024-03-01 07:15:00", 72.0, "/min", 60, "Band"),
        ("steps", "2024-03-01 08:16:00", 40.0, "{steps}", 0, "Band"),
        ("hrv_sdnn", "2024-03-01 08:17:00", 55.0, "ms", None, None)]


@pytest.mark.parametrize("body, line, field, words", [
    ("timestamp,metric,value,unit\n2024-03-01T08:15:00Z,heart_rate,72,/min\n2024-03-01T08:16:00Z,heart_rate,7,/min,x\n",
     3, None, "5 columns but the header has 4"),
    ("timestamp,metric,value,unit\n2024-03-01T08:15:00Z,heart_rate,seventy,/min\n", 2, "value", "not a number"),
    ("timestamp,metric,value,unit\n2024-03-01T08:15:00Z,heart_rate,70,/min\nyesterday,heart_rate,70,/min\n",
     3, "timestamp", "not a date and time"),
])
def test_generic_csv_errors(store, tmp_path, body, line, field, words):
    p = tmp_path / "w.csv"
    p.write_text(body)
    with pytest.raises(MalformedFile) as ei:
        import_file(store, p, patient_id="P1")
    assert (ei.value.line, ei.value.field) == (line, field) and words in str(ei.value)
    assert nothing_stored(store)


def test_truncated_gzip(store, tmp_path):
    full = tmp_path / "full.csv.gz"
    with gzip.open(full, "wt") as fh:
        fh.write("timestamp,metric,value,unit\n")
        for i in range(200_000):
            fh.write(f"2024-03-01T08:15:00Z,heart_rate,{60 + i % 30},/min\n")
    data = full.read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(MalformedFile) as ei:
        import_file(store, cut, patient_id="P1")
    assert "truncated or damaged" in str(ei.value)
    assert nothing_stored(store)


def test_demo_wearables_are_plausible_and_import(store, tmp_path):
    paths = write_demo_wearables(tmp_path / "w", patient_seed=4, days=14)
    again = write_demo_wearables(tmp_path / "w2", patient_seed=4, days=14)
    assert [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in paths] == \
        [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in again]
    counts = {}
    for p in paths:
        assert detect(p) == "wearable-csv"
        counts.update(import_file(store, p, patient_id="P1").counts)
    assert counts == {"heart_rate": 14 * 1440, "steps": 14 * 1440, "sleep": 13}
    night, day = q(store, "SELECT avg(value) FILTER (WHERE hour(start_utc + INTERVAL 1 HOUR) BETWEEN 2 AND 4), "
                          "avg(value) FILTER (WHERE hour(start_utc + INTERVAL 1 HOUR) BETWEEN 10 AND 18) "
                          "FROM wearable_samples WHERE metric = 'heart_rate'")[0]
    assert 40 < night < day < 100
    per_day = q(store, "SELECT sum(value) / 14 FROM wearable_samples WHERE metric = 'steps'")[0][0]
    assert 3000 < per_day < 15000
    assert q(store, "SELECT sum(value) FROM wearable_samples WHERE metric = 'steps' "
                    "AND hour(start_utc + INTERVAL 1 HOUR) BETWEEN 2 AND 4")[0][0] == 0
