"""Codes and names the profile mapper looks for, each with where it comes from.

* LOINC codes: loinc.org (Regenstrief). Each one below was also seen with that meaning in the Synthea R4
  bundles of ``shared/data/fhir_r4_synthea`` (display names quoted), except where marked.
* SNOMED CT / ICD-10-CM condition codes: the codes' own preferred terms (SNOMED CT International; ICD-10-CM).
* Drug classes by ingredient name follow the WHO ATC classification (C02, C03, C07, C08, C09 for
  antihypertensives; C10AA for statins). Warfarin interacting drugs are those named by the IWPC algorithm
  (MODELS.md section 9.1). Matching is on the lower-cased medication text (RxNorm display names start with the
  ingredient, e.g. "Simvastatin 10 MG Oral Tablet").
"""
from __future__ import annotations

# Observation LOINC codes, in order of preference -----------------------------------------------------------
LOINC = {
    "total_chol": ["2093-3"],        # Cholesterol [Mass/volume] in Serum or Plasma (Synthea: "Total Cholesterol")
    "hdl": ["2085-9"],               # HDL Cholesterol (Synthea: "High Density Lipoprotein Cholesterol")
    "sbp": ["8480-6"],               # Systolic blood pressure (Synthea: "Systolic Blood Pressure")
    "bmi": ["39156-5"],              # Body mass index (Synthea: "Body Mass Index")
    "height": ["8302-2"],            # Body height (Synthea: "Body Height")
    "weight": ["29463-7"],           # Body weight (Synthea: "Body Weight")
    "waist": ["8280-0", "56086-2"],  # Waist circumference (not in the Synthea samples)
    "creatinine": ["2160-0", "38483-4"],  # Creatinine serum/plasma; 38483-4 (Synthea: "Creatinine")
    # eGFR: 98979-8 CKD-EPI 2021 (creatinine, race-free) first; others are older equations (not in Synthea
    # except 33914-3 "Estimated Glomerular Filtration Rate", an MDRD code).
    "egfr": ["98979-8", "62238-1", "33914-3", "48642-3", "48643-1", "50044-7", "69405-9"],
    "smoking": ["72166-2"],          # Tobacco smoking status (Synthea: "Tobacco smoking status NHIS")
    # Serum free light chains (LOINC long common names; not in the Synthea samples, and not checked against a
    # LOINC release file here: they are the codes public lab-mapping tables give for these names).
    "kappa_flc": ["36916-5", "80515-0"],   # Kappa light chains.free [Mass/volume] in Serum (80515-0: by Nephelometry)
    "lambda_flc": ["33944-0", "80516-8"],  # Lambda light chains.free [Mass/volume] in Serum (80516-8: by Nephelometry)
}

# Conditions --------------------------------------------------------------------------------------------------
DIABETES_SNOMED = {"44054006", "46635009", "73211009"}  # type 2 DM; type 1 DM; diabetes mellitus
DIABETES_ICD10_PREFIX = ("E10", "E11", "E13")           # type 1, type 2, other specified diabetes
PREDIABETES_SNOMED = {"15777000", "714628002"}          # prediabetes
GESTATIONAL_DM_SNOMED = {"11687002"}                    # gestational diabetes mellitus
DIABETES_WORDS = ("diabetes mellitus", "type 2 diabetes", "type 1 diabetes", "diabetic")
DIABETES_EXCLUDE_WORDS = ("prediabetes", "pre-diabetes", "gestational", "insipidus")
MGUS_SNOMED = {"277577000"}          # Monoclonal gammopathy of uncertain significance (disorder)
MGUS_ICD10_PREFIX = ("D47.2",)       # Monoclonal gammopathy
MGUS_WORDS = ("monoclonal gammopathy", "mgus")

# Medications (ingredient names, lower case) --------------------------------------------------------------------
STATINS = ("atorvastatin", "simvastatin", "rosuvastatin", "pravastatin", "lovastatin", "fluvastatin",
           "pitavastatin")                                                          # ATC C10AA
ANTIHYPERTENSIVES = (
    # C09 ACE inhibitors and angiotensin receptor blockers
    "lisinopril", "enalapril", "ramipril", "captopril", "benazepril", "quinapril", "perindopril", "fosinopril",
    "trandolapril", "losartan", "valsartan", "irbesartan", "candesartan", "olmesartan", "telmisartan",
    # C08 calcium-channel blockers
    "amlodipine", "nifedipine", "felodipine", "diltiazem", "verapamil", "lercanidipine",
    # C03 diuretics
    "hydrochlorothiazide", "chlorthalidone", "indapamide", "furosemide", "spironolactone", "bumetanide",
    "torsemide", "eplerenone",
    # C07 beta-blockers
    "metoprolol", "atenolol", "bisoprolol", "carvedilol", "propranolol", "nebivolol", "labetalol",
    # C02 other antihypertensives
    "clonidine", "hydralazine", "doxazosin", "methyldopa", "minoxidil",
)
ENZYME_INDUCERS = ("carbamazepine", "phenytoin", "rifampin", "rifampicin")  # IWPC (MODELS.md 9.1)
AMIODARONE = ("amiodarone",)

# Family history relationships (FHIR v3-RoleCode displays / codes, lower case) ---------------------------------
FIRST_DEGREE = {"mother", "father", "parent", "brother", "sister", "sibling", "son", "daughter", "child",
                "natural mother", "natural father", "natural parent", "natural brother", "natural sister",
                "mth", "fth", "prn", "bro", "sis", "sib", "son", "dau", "chld", "nmth", "nfth", "nbro", "nsis",
                "twin", "twin brother", "twin sister"}
SECOND_DEGREE = {"grandmother", "grandfather", "grandparent", "aunt", "uncle", "cousin", "first cousin",
                 "maternal grandmother", "maternal grandfather", "paternal grandmother", "paternal grandfather",
                 "maternal aunt", "maternal uncle", "paternal aunt", "paternal uncle", "maternal cousin",
                 "paternal cousin", "grmth", "grfth", "gprn", "aunt", "uncle", "cousn", "mgrmth", "mgrfth",
                 "pgrmth", "pgrfth", "maunt", "muncle", "paunt", "puncle", "mcousn", "pcousn"}

# Clinical atherosclerotic cardiovascular disease (ASCVD) ------------------------------------------------------------
# Definition: 2013 ACC/AHA Guideline on the Treatment of Blood Cholesterol (Stone NJ et al. Circulation
# 2014;129(25 Suppl 2):S1-S45, "clinical ASCVD": acute coronary syndromes, history of myocardial infarction, stable
# or unstable angina, coronary or other arterial revascularization, stroke, transient ischaemic attack, or peripheral
# arterial disease of atherosclerotic origin). The PCE card says it is for adults "without clinical ASCVD" (Goff
# 2013) and PREVENT for adults "without known CVD" (Khan 2024). The codes below are the SNOMED CT concepts and
# ICD-10-CM categories whose preferred terms name those conditions (SNOMED CT International; ICD-10-CM 2024
# tabular list); 53741008 and 230690007 were also seen with that meaning in shared/data/fhir_r4_synthea ("Coronary
# Heart Disease", "Stroke"). Model cards carry this list (models_onnx/build/common.py ascvd_exclusion), so what
# excludes a patient is data in the card the user can read.
ASCVD_SOURCE = "2013 ACC/AHA cholesterol guideline, Stone NJ et al. Circulation 2014;129(25 Suppl 2):S1-S45"
ASCVD_SNOMED = (
    "53741008",    # Coronary arteriosclerosis (Synthea: "Coronary Heart Disease")
    "414545008",   # Ischemic heart disease
    "22298006",    # Myocardial infarction
    "401303003",   # Acute ST segment elevation myocardial infarction
    "401314000",   # Acute non-ST segment elevation myocardial infarction
    "399211009",   # History of myocardial infarction
    "194828000",   # Angina
    "230690007",   # Cerebrovascular accident (Synthea: "Stroke")
    "422504002",   # Ischemic stroke
    "266257000",   # Transient ischemic attack
    "400047006",   # Peripheral vascular disease
)
ASCVD_ICD10_PREFIXES = (
    "I20", "I21", "I22", "I24", "I25",   # angina; acute and subsequent MI; other acute and chronic ischaemic heart disease
    "I63",                               # cerebral infarction
    "G45.0", "G45.1", "G45.2", "G45.8", "G45.9",   # transient cerebral ischaemic attacks (not G45.4 transient global amnesia)
    "I70.2",                             # atherosclerosis of native arteries of the extremities
    "Z95.1", "Z95.5",                    # aortocoronary bypass graft; coronary angioplasty implant and graft
)
SNOMED_SYSTEM = "http://snomed.info/sct"
ICD10_SYSTEMS = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
