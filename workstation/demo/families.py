"""Synthetic three-generation families for three demo patients, written as CanRisk v4 and FHIR files.

* ``demo-0001`` (a woman): a **BRCA2 family** - mother with breast cancer at 44 and a BRCA2 pathogenic variant,
  maternal aunt breast cancer at 39, maternal grandmother ovarian cancer at 64, maternal uncle prostate cancer.
* ``demo-0002`` (a man): a **Lynch family** - his own colorectal cancer, his mother's endometrial cancer, a
  maternal uncle's and the maternal grandfather's colorectal cancers (Amsterdam II is met).
* ``demo-0003`` (a woman): a family **with no significant history** of cancer.

Every person is invented. Each family is written in both formats (``<id>.canrisk4``, ``<id>.family.fhir.json``);
the demo imports one per patient through the ordinary importers (CanRisk for the BRCA2 family and the unremarkable
one, FHIR FamilyMemberHistory for the Lynch family, whose colorectal and endometrial cancers CanRisk cannot carry).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from workstation.family import canrisk, fhir_io
from workstation.family.model import Diagnosis, Family, GeneTest, Partnership, Person

SCT = "http://snomed.info/sct"
# (patient id, family builder, format imported)
IMPORTED = {"demo-0001": "canrisk", "demo-0002": "fhir", "demo-0003": "canrisk"}


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _p(fam: Family, pid: str, sex: str, age: int | None, today: date, **kw) -> Person:
    p = Person(pid, sex=sex, age=age, year_of_birth=(today.year - age) if age is not None and not kw.get(
        "deceased") else kw.pop("yob", None), **kw)
    fam.people[pid] = p
    return p


def _elder(f: Family, pid: str, sex: str, age: int, today: date, died_at: int, **kw) -> Person:
    """A parent's generation: alive at ``age`` when that is plausible, else deceased at ``died_at``."""
    if age > 86:
        return _p(f, pid, sex, died_at, today, deceased=True, yob=today.year - age, **kw)
    return _p(f, pid, sex, age, today, **kw)


def brca2(patient, today: date) -> Family:
    a = _age(patient.birth_date, today)
    f = Family(id="DEMOBRCA2", risk_factors={"menarche": "12", "parity": "2", "first_live_birth": "29",
                                             "oc_use": "F:4", "mht_use": "N", "BMI": "24.1", "height": "166"})
    _p(f, "MGF", "male", 78, today, deceased=True, yob=today.year - a - 58)
    _p(f, "MGM", "female", 71, today, deceased=True, yob=today.year - a - 56,
       diagnoses=[Diagnosis("ovarian_cancer", 64)])
    _p(f, "PGF", "male", 81, today, deceased=True, yob=today.year - a - 62)
    _p(f, "PGM", "female", 88, today, deceased=True, yob=today.year - a - 60)
    _elder(f, "FTH", "male", a + 31, today, 84, father="PGF", mother="PGM")
    _elder(f, "MTH", "female", max(a + 28, 50), today, 79, father="MGF", mother="MGM",
       diagnoses=[Diagnosis("breast_cancer", 44)], pathology={"er": "P", "pr": "P", "her2": "N"},
       tests=[GeneTest("BRCA1", "N", "S"), GeneTest("BRCA2", "P", "S")])
    _p(f, "MAU", "female", 47, today, deceased=True, yob=today.year - a - 25, father="MGF", mother="MGM", diagnoses=[Diagnosis("breast_cancer", 39)])
    _elder(f, "MUN", "male", max(a + 33, 64), today, 77, father="MGF", mother="MGM",
           diagnoses=[Diagnosis("prostate_cancer", 61)])
    _p(f, "SIS", "female", max(a - 3, 20), today, father="FTH", mother="MTH",
       tests=[GeneTest("BRCA2", "N", "T")])
    me = _p(f, "self", "female", a, today, father="FTH", mother="MTH", name=patient.given,
            refs={"patient": patient.id})
    me.ashkenazi = False
    _p(f, "BRO", "male", a - 5, today, father="FTH", mother="MTH")
    if a >= 46:                          # a partner only with children: CanRisk links partners through a child
        _p(f, "PTN", "male", a + 2, today)
        f.partnerships.append(Partnership("self", "PTN"))
        _p(f, "DAU", "female", a - 29, today, father="PTN", mother="self")
        _p(f, "SON", "male", a - 31, today, father="PTN", mother="self")
    f.consultand = "self"
    f.proband = "MTH"
    return f


def lynch(patient, today: date) -> Family:
    a = _age(patient.birth_date, today)
    crc_age = max(min(41, a - 1), 20)
    f = Family(id="DEMOLYNCH")
    _p(f, "MGF", "male", 63, today, deceased=True, yob=today.year - a - 60,
       diagnoses=[Diagnosis("colorectal_cancer", 58, SCT, "363406005", "Malignant tumor of colon")])
    _p(f, "MGM", "female", 84, today, deceased=True, yob=today.year - a - 57)
    _p(f, "PGF", "male", 79, today, deceased=True, yob=today.year - a - 61,
       diagnoses=[Diagnosis("other", 70, SCT, "22298006", "Myocardial infarction")])
    _p(f, "PGM", "female", 90, today, deceased=True, yob=today.year - a - 59)
    _elder(f, "FTH", "male", a + 30, today, 82, father="PGF", mother="PGM")
    _elder(f, "MTH", "female", max(a + 27, 52), today, 74, father="MGF", mother="MGM",
       diagnoses=[Diagnosis("endometrial_cancer", 47, SCT, "254878006", "Malignant neoplasm of endometrium")])
    _p(f, "MUN", "male", 50, today, deceased=True, yob=today.year - a - 24, father="MGF", mother="MGM",
       diagnoses=[Diagnosis("colorectal_cancer", 44, SCT, "363406005", "Malignant tumor of colon")])
    _elder(f, "MAU", "female", a + 22, today, 80, father="MGF", mother="MGM")
    me = _p(f, "self", "male", a, today, father="FTH", mother="MTH", name=patient.given, refs={"patient": patient.id},
            diagnoses=[Diagnosis("colorectal_cancer", crc_age, SCT, "363406005", "Malignant tumor of colon")])
    me.ashkenazi = False
    _p(f, "SIS", "female", a - 4, today, father="FTH", mother="MTH")
    _p(f, "PTN", "female", a - 1, today)
    f.partnerships.append(Partnership("self", "PTN"))
    _p(f, "SON", "male", max(a - 30, 5), today, father="self", mother="PTN")
    f.consultand = "self"
    f.proband = "self"
    return f


def unremarkable(patient, today: date) -> Family:
    a = _age(patient.birth_date, today)
    f = Family(id="DEMONONE", risk_factors={"menarche": "13", "parity": "1", "first_live_birth": "31"})
    _p(f, "MGF", "male", 86, today, deceased=True, yob=today.year - a - 60)
    _p(f, "MGM", "female", 91, today, deceased=True, yob=today.year - a - 58)
    _p(f, "PGF", "male", 80, today, deceased=True, yob=today.year - a - 62)
    _p(f, "PGM", "female", 93, today, deceased=True, yob=today.year - a - 59)
    _elder(f, "FTH", "male", a + 29, today, 81, father="PGF", mother="PGM")
    _elder(f, "MTH", "female", a + 26, today, 86, father="MGF", mother="MGM")
    _elder(f, "PUN", "male", a + 33, today, 79, father="PGF", mother="PGM")
    me = _p(f, "self", "female", a, today, father="FTH", mother="MTH", name=patient.given,
            refs={"patient": patient.id})
    me.ashkenazi = False
    _p(f, "BRO", "male", a + 3, today, father="FTH", mother="MTH")
    _p(f, "PTN", "male", a + 1, today)
    f.partnerships.append(Partnership("self", "PTN"))
    _p(f, "DAU", "female", max(a - 32, 3), today, father="PTN", mother="self")
    f.consultand = "self"
    return f


BUILDERS = {"demo-0001": brca2, "demo-0002": lynch, "demo-0003": unremarkable}


def family_for(patient, today: date | None = None) -> Family | None:
    b = BUILDERS.get(patient.id)
    return b(patient, today or date.today()) if b else None


def write_family_files(pdir: Path, patient, today: date | None = None) -> list[Path]:
    """Write the patient's family in both formats; returns [the file to import] (empty when there is none)."""
    fam = family_for(patient, today)
    if fam is None:
        return []
    can = pdir / f"{patient.id}.canrisk4"
    text, _ = canrisk.write_v4(fam)
    can.write_text(text, encoding="utf-8")
    fhir = pdir / f"{patient.id}.family.fhir.json"
    bundle = fhir_io.to_bundle(fam, {"id": patient.id, "sex": patient.sex,
                                     "birth_date": patient.birth_date.isoformat()})
    fhir.write_text(json.dumps(bundle, indent=1), encoding="utf-8")
    return [can if IMPORTED[patient.id] == "canrisk" else fhir]
