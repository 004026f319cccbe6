"""A deterministic synthetic cohort: who each demo patient is (nothing here describes a real person).

Codes are real terminology codes as used by Synthea's public sample bundles (SNOMED CT for conditions, RxNorm
clinical drugs, LOINC for labs and vitals); drug ingredient RxNorm codes for the pharmacogenomic drugs come from
CPIC's gene–drug pair table (../shared/reference/pgx/cpic-table.csv, column RxNorm). Values are drawn from a
seeded random generator so every build of the demo is identical.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

GIVEN_F = ["Amara", "Beatriz", "Chiara", "Dalia", "Elena", "Farah", "Greta", "Hana", "Ingrid", "Jasmin", "Keiko",
           "Lucia", "Maya", "Nadia", "Olga", "Priya"]
GIVEN_M = ["Aarav", "Bruno", "Carlos", "Dmitri", "Emeka", "Felix", "Goran", "Hiro", "Ivan", "Jonas", "Kofi",
           "Luca", "Mateo", "Nikhil", "Omar", "Pavel"]
FAMILY = ["Adeyemi", "Bergström", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ivanova",
          "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi",
          "Schmidt", "Tanaka", "Uddin", "Varga", "Weber", "Yilmaz"]

# (SNOMED CT code, display) — codes as they appear in Synthea R4 sample bundles.
CONDITIONS = {
    "hypertension": ("38341003", "Hypertension"),
    "t2d": ("44054006", "Diabetes"),
    "chd": ("53741008", "Coronary Heart Disease"),
    "afib": ("49436004", "Atrial Fibrillation"),
    "prediabetes": ("15777000", "Prediabetes"),
    "gout": ("90560007", "Gout"),
    "osteoporosis": ("64859006", "Osteoporosis (disorder)"),
    "hypertriglyceridemia": ("302870006", "Hypertriglyceridemia (disorder)"),
    "obesity": ("162864005", "Body mass index 30+ - obesity (finding)"),
    "anemia": ("271737000", "Anemia (disorder)"),
}

# condition key -> medications (RxNorm code, display). Clinical-drug codes from Synthea bundles; ingredient
# codes (marked ING) from CPIC's pair table.
MEDICATIONS = {
    "hypertension": [("197361", "Amlodipine 5 MG Oral Tablet"), ("316049", "Hydrochlorothiazide 25 MG")],
    "t2d": [("860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet")],
    "chd": [("309362", "Clopidogrel 75 MG Oral Tablet"), ("312961", "Simvastatin 20 MG Oral Tablet")],
    "afib": [("855332", "Warfarin Sodium 5 MG Oral Tablet")],
    "gout": [("197319", "Allopurinol 100 MG Oral Tablet")],
    "hypertriglyceridemia": [("83367", "atorvastatin")],                    # ING
}
EXTRA_PGX_MEDS = [("2556", "citalopram"), ("7646", "omeprazole"), ("140587", "celecoxib"),  # ING
                  ("36437", "sertraline"), ("40790", "pantoprazole")]

# US Core race extension categories (CDC Race & Ethnicity code system, urn:oid:2.16.840.1.113883.6.238).
RACES = [("2106-3", "White"), ("2054-5", "Black or African American"), ("2028-9", "Asian"), ("2131-1", "Other Race")]

SMOKING = {"never": ("266919005", "Never smoker"), "former": ("8517006", "Former smoker"),
           "current": ("449868002", "Current every day smoker")}

ALLERGIES = [("300913006", "Shellfish allergy", "food")]

# (relationship v3-RoleCode, display) and (SNOMED code, display) for family history.
RELATIVES = [("MTH", "mother"), ("FTH", "father"), ("SIS", "sister"), ("BRO", "brother")]
FAMILY_CONDITIONS = [("22298006", "Myocardial infarction"), ("44054006", "Diabetes"),
                     ("254837009", "Malignant neoplasm of breast")]


@dataclass
class DemoPatient:
    seed: int
    id: str
    given: str
    family: str
    sex: str
    birth_date: date
    conditions: list = field(default_factory=list)      # (key, onset date)
    medications: list = field(default_factory=list)     # (rxnorm, display, start date, status)
    allergies: list = field(default_factory=list)
    family_history: list = field(default_factory=list)  # (role code, role display, snomed, display, onset age)
    smoking: str = "never"
    race: tuple = ("2106-3", "White")
    height_cm: float = 170.0
    weight_kg: float = 75.0
    visits: list = field(default_factory=list)          # dates of lab/vital visits
    # per-patient physiology used for lab trajectories
    tc: float = 200.0
    hdl: float = 50.0
    sbp: float = 125.0
    egfr: float = 90.0
    hba1c: float = 5.5
    with_omics: bool = False
    with_wearables: bool = False
    with_flc: bool = False          # serum free light chains at the last visit (the flchain mortality model)

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


# The demo's "today": the day it is built, so the most recent visit is always recent enough for the risk models'
# look-back windows. Everything else is seeded, so two builds on the same day are identical byte for byte.
TODAY = date.today()


def make_patient(index: int) -> DemoPatient:
    rng = random.Random(1000 + index)
    sex = "female" if index % 2 == 0 else "male"
    given = (GIVEN_F if sex == "female" else GIVEN_M)[index % 16]
    family = FAMILY[(index * 7) % len(FAMILY)]
    age = rng.randint(38, 79)
    birth = TODAY - timedelta(days=int(age * 365.25) + rng.randint(0, 364))
    p = DemoPatient(seed=1000 + index, id=f"demo-{index + 1:04d}", given=given, family=family, sex=sex,
                    birth_date=birth)
    p.height_cm = round(rng.gauss(163 if sex == "female" else 177, 7), 1)
    p.weight_kg = round(rng.gauss(72 if sex == "female" else 85, 13), 1)
    p.race = RACES[rng.choices([0, 1, 2, 3], [0.6, 0.2, 0.12, 0.08])[0]]
    p.smoking = rng.choices(["never", "former", "current"], [0.55, 0.3, 0.15])[0]
    p.tc = rng.uniform(150, 260)
    p.hdl = rng.uniform(35, 75)
    p.sbp = rng.uniform(110, 165)
    p.egfr = rng.uniform(45, 105) if age > 60 else rng.uniform(70, 115)
    keys = []
    if p.sbp > 135 or rng.random() < 0.2:
        keys.append("hypertension")
    if rng.random() < 0.25:
        keys.append("t2d")
        p.hba1c = rng.uniform(6.6, 8.8)
    elif rng.random() < 0.25:
        keys.append("prediabetes")
        p.hba1c = rng.uniform(5.7, 6.4)
    else:
        p.hba1c = rng.uniform(4.8, 5.6)
    if age > 55 and rng.random() < 0.3:
        keys.append("chd")
    if age > 60 and rng.random() < 0.2:
        keys.append("afib")
    if sex == "male" and rng.random() < 0.15:
        keys.append("gout")
    if sex == "female" and age > 60 and rng.random() < 0.3:
        keys.append("osteoporosis")
    if p.tc > 240 and rng.random() < 0.6:
        keys.append("hypertriglyceridemia")
    if p.weight_kg / (p.height_cm / 100) ** 2 >= 30:
        keys.append("obesity")
    for k in keys:
        onset = TODAY - timedelta(days=rng.randint(200, 3650))
        p.conditions.append((k, onset))
        for rx, disp in MEDICATIONS.get(k, []):
            p.medications.append((rx, disp, onset + timedelta(days=rng.randint(0, 60)), "active"))
    # a few extra pharmacogenomically relevant prescriptions so the alert banner has work to do
    for rx, disp in rng.sample(EXTRA_PGX_MEDS, k=rng.choice([0, 1, 1, 2])):
        p.medications.append((rx, disp, TODAY - timedelta(days=rng.randint(10, 400)), "active"))
    if rng.random() < 0.2:
        p.allergies.append(ALLERGIES[0])
    for role, role_disp in rng.sample(RELATIVES, k=rng.randint(0, 2)):
        code, disp = rng.choice(FAMILY_CONDITIONS)
        if code == "254837009" and role in ("FTH", "BRO"):
            continue
        p.family_history.append((role, role_disp, code, disp, rng.randint(45, 75)))
    n_visits = rng.randint(4, 8)
    start = TODAY - timedelta(days=5 * 365)
    p.visits = sorted([start + timedelta(days=rng.randint(0, 5 * 365 - 90)) for _ in range(n_visits - 1)]
                      + [TODAY - timedelta(days=rng.randint(7, 60))])   # a recent visit
    p.with_omics = index % 4 == 0
    p.with_wearables = index % 12 == 0
    p.with_flc = index % 3 == 2          # demo-0003, -0006, ...: the screenshots' risk patient among them
    return p


def make_cohort(n: int) -> list[DemoPatient]:
    return [make_patient(i) for i in range(n)]
