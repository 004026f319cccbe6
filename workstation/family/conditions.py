"""Recognising the conditions the risk models need from coded or free-text records (and coding them on export).

Codes are SNOMED CT concepts for the malignant neoplasm of each site, as written by common EHR exports (Synthea
uses 254837009 for breast cancer); where no code is recognised, the display text is matched by site words. A
condition that matches nothing is kept as ``other`` with its own code and display: nothing is dropped.
"""
from __future__ import annotations

from workstation.family.model import Diagnosis

SCT = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"

# key -> SNOMED CT concepts (malignant neoplasm of the site) accepted on import; the first is written on export.
SNOMED = {
    "breast_cancer": ("254837009",),          # Malignant neoplasm of breast (disorder)
    "ovarian_cancer": ("363443007",),         # Malignant tumor of ovary (disorder)
    "prostate_cancer": ("399068003",),        # Malignant tumor of prostate (disorder)
    "pancreatic_cancer": ("363418001",),      # Malignant tumor of pancreas (disorder)
    "colorectal_cancer": ("363406005", "363351006"),   # Malignant tumor of colon; of rectum
    "endometrial_cancer": ("254878006",),     # Malignant neoplasm of endometrium (disorder)
    "diabetes": ("73211009", "44054006", "46635009"),  # diabetes mellitus; type 2; type 1 (clinical_codes.py)
}
# ICD-10-CM category prefixes (C50 breast, C56 ovary, C61 prostate, C25 pancreas, C18-C20 colon/rectum, C54.1
# endometrium, E10/E11/E13 diabetes).
ICD10_PREFIX = {
    "breast_cancer": ("C50",), "ovarian_cancer": ("C56",), "prostate_cancer": ("C61",),
    "pancreatic_cancer": ("C25",), "colorectal_cancer": ("C18", "C19", "C20"), "endometrial_cancer": ("C54.1",),
    "gastric_cancer": ("C16",), "small_bowel_cancer": ("C17",), "urothelial_cancer": ("C65", "C66"),
    "biliary_cancer": ("C22.1", "C23", "C24"), "brain_cancer": ("C71",), "diabetes": ("E10", "E11", "E13"),
}
WORDS = [   # (key, words that must all appear, words that exclude) - checked in order
    ("contralateral_breast_cancer", ("contralateral", "breast"), ()),
    ("breast_cancer", ("breast",), ("benign", "fibroadenoma", "cyst")),
    ("ovarian_cancer", ("ovar",), ("cyst", "benign", "polycystic")),
    ("prostate_cancer", ("prostat",), ("hyperplasia", "benign", "prostatitis")),
    ("pancreatic_cancer", ("pancrea",), ("pancreatitis",)),
    ("colorectal_cancer", ("colorectal",), ()), ("colorectal_cancer", ("colon",), ("polyp", "colitis")),
    ("colorectal_cancer", ("rect",), ("polyp",)), ("colorectal_cancer", ("bowel cancer",), ("small",)),
    ("endometrial_cancer", ("endometri",), ("endometriosis", "hyperplasia")),
    ("endometrial_cancer", ("uterine", "cancer"), ()), ("endometrial_cancer", ("uterus", "malignant"), ()),
    ("gastric_cancer", ("stomach", "cancer"), ()), ("gastric_cancer", ("gastric", "cancer"), ()),
    ("small_bowel_cancer", ("small", "bowel", "cancer"), ()),
    ("urothelial_cancer", ("renal pelvis",), ()), ("urothelial_cancer", ("ureter",), ()),
    ("biliary_cancer", ("biliary",), ()), ("biliary_cancer", ("cholangio",), ()),
    ("brain_cancer", ("glioblastoma",), ()), ("brain_cancer", ("brain", "tumo"), ("benign",)),
    ("sebaceous_tumour", ("sebaceous",), ()), ("sebaceous_tumour", ("keratoacanthoma",), ()),
    ("diabetes", ("diabetes",), ("prediabetes", "pre-diabetes", "gestational", "insipidus")),
]
_MALIGNANT = ("cancer", "malignant", "carcinoma", "neoplasm", "tumor", "tumour", "adenocarcinoma", "sarcoma",
              "glioblastoma", "sebaceous", "keratoacanthoma", "diabetes")


def classify(code_system: str | None, code: str | None, display: str | None) -> str:
    """The condition key for a coded/free-text condition ("other" when it is none the models use)."""
    c = (code or "").strip()
    system = (code_system or "").lower()
    if c and ("snomed" in system or not system):
        for key, codes in SNOMED.items():
            if c in codes:
                return key
    if c and "icd-10" in system:
        for key, prefixes in ICD10_PREFIX.items():
            if c.upper().startswith(prefixes):
                return key
    text = (display or "").lower()
    if not any(w in text for w in _MALIGNANT):
        return "other"
    for key, need, exclude in WORDS:
        if all(w in text for w in need) and not any(w in text for w in exclude):
            return key
    return "other"


def diagnosis(code_system: str | None, code: str | None, display: str | None, age) -> Diagnosis:
    key = classify(code_system, code, display)
    a = None if age is None else int(round(float(age)))
    return Diagnosis(key, a, code_system, code, display)


def coding(d: Diagnosis) -> dict:
    """A FHIR CodeableConcept for a diagnosis (its own code when it has one, else the SNOMED concept)."""
    if d.code:
        cc = {"coding": [{"system": d.code_system or SCT, "code": d.code, **({"display": d.display}
                                                                          if d.display else {})}]}
    elif d.condition in SNOMED:
        cc = {"coding": [{"system": SCT, "code": SNOMED[d.condition][0]}]}
    else:
        cc = {}
    cc["text"] = d.label
    return cc
