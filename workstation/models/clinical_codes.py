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
