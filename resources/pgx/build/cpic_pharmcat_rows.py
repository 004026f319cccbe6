"""CPIC recommendation rows that pypgx's recommendation-table.csv does not carry, transcribed word for word.

Source: PharmGKB/PharmCAT @ 209032d03b03d57e4cdabc531bd33debb0c26b6d,
``src/main/resources/org/pharmgkb/pharmcat/reporter/guidelines/cpic/<drug>.json`` (CPIC database export, cpicVersion
v1.23.0; CPIC content CC0). Each row keeps CPIC's ``drugrecommendation`` text, ``classification``, ``population`` and
``lookupkey`` exactly; only two lookup values are renamed to the project's vocabulary: CPIC's ``"No Result"`` is written
``None`` (pypgx's word for "no result for this gene") and CYP2C9's ``"n/a"`` activity score (an Indeterminate
phenotype) is written ``Indeterminate``.

* HLA-B / abacavir, allopurinol; HLA-A + HLA-B / carbamazepine; HLA-B / oxcarbazepine (allele-status lookups);
* CYP2C9 + HLA-B / phenytoin and fosphenytoin (activity score + allele status; fosphenytoin.json has the same rows);
* MT-RNR1 / aminoglycosides (amikacin.json and gentamicin.json read; the other aminoglycosides share the guideline
  "MT-RNR1 and Aminoglycosides", PMID 34032273, whose rows are per guideline);
* CYP2C19 / clopidogrel by indication (CVI ACS PCI, CVI non-ACS non-PCI, NVI), replacing pypgx's single list;
* G6PD / rasburicase, pegloticase, dapsone, tafenoquine, methylene blue, toluidine blue, primaquine, nitrofurantoin (CPIC 2022; CPIC's
  spelling kept, e.g. methylene blue's "No reason to avoid ased on G6PD status").
"""
from __future__ import annotations

COMMIT = "209032d03b03d57e4cdabc531bd33debb0c26b6d"
REPO = "PharmGKB/PharmCAT"


def source(drug_file: str) -> str:
    return (f"CPIC recommendation (cpicVersion v1.23.0, CC0) via {REPO}@{COMMIT[:8]} "
            f"src/main/resources/org/pharmgkb/pharmcat/reporter/guidelines/cpic/{drug_file}.json")


# ------------------------------------------------------------------------------------------------ HLA-B single gene
ABACAVIR = [
    ({"HLA-B": "*57:01 positive"}, "general", "Strong", "Abacavir is not recommended"),
    ({"HLA-B": "*57:01 negative"}, "general", "Strong", "Use abacavir per standard dosing guidelines"),
]
ALLOPURINOL = [
    ({"HLA-B": "*58:01 positive"}, "general", "Strong", "Allopurinol is contraindicated"),
    ({"HLA-B": "*58:01 negative"}, "general", "Strong", "Use allopurinol per standard dosing guidelines"),
]

_OXC_3MO = ("The latency period for drug-induced SJS/TEN is short with continuous dosing and adherence to therapy "
            "(~4-28 days), and cases usually occur within three months of dosing; therefore, if the patient has "
            "previously used oxcarbazepine consistently for longer than three months without incidence of cutaneous "
            "adverse reactions, cautiously consider use of oxcarbazepine in the future.")
_OXC_STD = "Use oxcarbazepine per standard dosing guidelines."
OXCARBAZEPINE = [
    ({"HLA-B": "*15:02 positive"}, "OXC use >3 mos", "Optional", _OXC_3MO),
    ({"HLA-B": "*15:02 positive"}, "OXC naive", "Strong", "If patient is oxcarbazepine-naïve, do not use oxcarbazepine."),
    ({"HLA-B": "*15:02 negative"}, "OXC naive", "Strong", _OXC_STD),
    ({"HLA-B": "*15:02 negative"}, "OXC use >3 mos", "Strong", _OXC_STD),
]

# ------------------------------------------------------------------------------------------------ carbamazepine
_CBZ_A31_3MO = ("The latency period for cutaneous adverse drug reactions is variable depending on phenotype; however, "
                "all usually occur within three months of regular dosing. Therefore, if the patient has previously used "
                "carbamazepine consistently for longer than three months without incidence of cutaneous adverse "
                "reactions, cautiously consider use of carbamazepine.")
_CBZ_B15_3MO = ("The latency period for drug-induced SJS/TEN is short with continuous dosing and adherence to therapy "
                "(~4-28 days), and cases usually occur within three months of dosing; therefore, if the patient has "
                "previously used carbamazepine consistently for longer than three months without incidence of cutaneous "
                "adverse reactions, cautiously consider use of carbamazepine in the future.")
_CBZ_A31_NOALT = ("If patient is carbamazepine-naïve and alternative agents are not available, consider the use of "
                  "carbamazepine with increased frequency of clinical monitoring. Discontinue therapy at first evidence "
                  "of a cutaneous adverse reaction.")
_CBZ_A31_NAIVE = "If patient is carbamazepine-naïve and alternative agents are available, do not use carbamazepine."
_CBZ_B15_NAIVE = "If patient is carbamazepine-naïve, do not use carbamazepine."
_CBZ_STD = "Use carbamazepine per standard dosing guidelines."


def _cbz() -> list:
    a_pos, a_neg, a_none = "*31:01 positive", "*31:01 negative", "None"
    b_pos, b_neg, b_none = "*15:02 positive", "*15:02 negative", "None"
    out = []
    for pop, a31_text, a31_cls, b15_text, b15_cls in (
            ("CBZ use >3mos", _CBZ_A31_3MO, "Optional", _CBZ_B15_3MO, "Optional"),
            ("CBZ-no alternatives", _CBZ_A31_NOALT, "Optional", _CBZ_B15_NAIVE, "Strong"),
            ("CBZ naive", _CBZ_A31_NAIVE, "Strong", _CBZ_B15_NAIVE, "Strong")):
        for a, b in ((a_pos, b_neg), (a_pos, b_none)):
            out.append(({"HLA-A": a, "HLA-B": b}, pop, a31_cls, a31_text))
        for a, b in ((a_neg, b_pos), (a_pos, b_pos), (a_none, b_pos)):
            out.append(({"HLA-A": a, "HLA-B": b}, pop, b15_cls, b15_text))
        for a, b in ((a_neg, b_neg), (a_neg, b_none), (a_none, b_neg)):
            out.append(({"HLA-A": a, "HLA-B": b}, pop, "Strong", _CBZ_STD))
    return out


CARBAMAZEPINE = _cbz()

# ------------------------------------------------------------------------------------------------ phenytoin
_PHT_POS_NAIVE = ("If patient is phenytoin-naive, do not use phenytoin/fosphenytoin. Avoid carbamazepine and "
                  "oxcarbazepine.")
_PHT_POS_3MO = ("If the patient has previously used phenytoin continuously for longer than three months without "
                "incidence of cutaneous adverse reactions, cautiously consider use of phenytoin in the future. The "
                "latency period for drug-induced SJS/TEN is short with continuous dosing and adherence to therapy "
                "(4-28 days), and cases usually occur within three months of dosing.")
_PHT_NM = ("No adjustments needed from typical dosing strategies. Subsequent doses should be adjusted according to "
           "therapeutic drug monitoring, response, and side effects. An HLA-B*15:02 negative test does not eliminate "
           "the risk of phenytoin-induced SJS/TEN and patients should be carefully monitored according to a usual "
           "standard.")
_PHT_15 = ("No adjustments needed from typical dosing strategies. Subsequent doses should be adjusted according to "
           "therapeutic drug monitoring, response and side effects. An HLA-B*15:02 negative test does not eliminate "
           "the risk of phenytoin-induced SJS/TEN and patients should be carefully monitored according to a usual "
           "standard.")
_PHT_25 = ("For first dose, use typical initial or loading dose. For subsequent doses, use approximately 25% less than "
           "typical maintenance dose. Subsequent doses should be adjusted according to therapeutic drug monitoring, "
           "response and side effects. An HLA-B*15:02 negative test does not eliminate the risk of phenytoin-induced "
           "SJS/TEN, and patients should be carefully monitored according to a usual standard.")
_PHT_50 = ("For first dose, use typical initial or loading dose. For subsequent doses use approximately 50% less than "
           "typical maintenance dose. Subsequent doses should be adjusted according to therapeutic drug monitoring, "
           "response, and side effects. An HLA-B*15:02 negative test does not eliminate the risk of phenytoin-induced "
           "SJS/TEN, and patients should be carefully monitored according to a usual standard.")


def _pht() -> list:
    out = []
    scores = ("0.0", "0.5", "1.0", "1.5", "2.0")
    by_score = {"0.0": ("Strong", _PHT_50), "0.5": ("Strong", _PHT_50), "1.0": ("Moderate", _PHT_25),
                "1.5": ("Moderate", _PHT_15), "2.0": ("Strong", _PHT_NM)}
    for pop, pos_cls, pos_text in (("PHT naive", "Strong", _PHT_POS_NAIVE), ("PHT use >3mos", "Optional", _PHT_POS_3MO)):
        for s in scores + ("None", "Indeterminate"):
            out.append(({"CYP2C9": s, "HLA-B": "*15:02 positive"}, pop, pos_cls, pos_text))
        for hla in ("*15:02 negative", "None"):
            for s in scores:
                cls, text = by_score[s]
                out.append(({"CYP2C9": s, "HLA-B": hla}, pop, cls, text))
            out.append(({"CYP2C9": "Indeterminate", "HLA-B": hla}, pop, "n/a", "No recommendation"))
        out.append(({"CYP2C9": "None", "HLA-B": "*15:02 negative"}, pop, "Strong", _PHT_NM))
    return out


PHENYTOIN = _pht()

# ------------------------------------------------------------------------------------------------ MT-RNR1
_AG_STD = ("Use aminoglycoside antibiotics at standard doses for the shortest feasible course with therapeutic dose "
           "monitoring. Evaluate regularly for hearing loss in line with local guidance.")
AMINOGLYCOSIDE = [
    ({"MT-RNR1": "uncertain risk of aminoglycoside-induced hearing loss"}, "general", "Optional", _AG_STD),
    ({"MT-RNR1": "increased risk of aminoglycoside-induced hearing loss"}, "general", "Strong",
     "Avoid aminoglycoside anitbiotics unless the high risk of permanent hearing loss is outweighed by the severity of "
     "infection and lack of safe or effective alternative therapies."),
    ({"MT-RNR1": "normal risk of aminoglycoside-induced hearing loss"}, "general", "Strong", _AG_STD),
]
AMINOGLYCOSIDES = ("amikacin", "dibekacin", "gentamicin", "kanamycin", "neomycin", "netilmicin", "paromomycin",
                   "plazomicin", "ribostamycin", "streptomycin", "tobramycin")

# ------------------------------------------------------------------------------------------------ clopidogrel
_CLO_STD = "If considering clopidogrel, use at standard dose (75 mg/day)"
_CLO_PM = ("Avoid standard dose (75 mg/day) clopidogrel if possible. Use prasugrel or ticagrelor at standard dose if "
           "no contraindication.")
_NOREC = "No recommendation"


def _clopidogrel() -> list:
    p = lambda k: {"CYP2C19": k}  # noqa: E731
    acs, non, nvi = "CVI ACS PCI", "CVI non-ACS non-PCI", "NVI"
    out = [(p(k), acs, "Strong", _CLO_STD) for k in ("Ultrarapid Metabolizer", "Rapid Metabolizer",
                                                      "Normal Metabolizer")]
    out += [(p("Likely Intermediate Metabolizer"), acs, "Strong",
             "Avoid standard dose clopidogrel (75 mg) if possible. Use prasugrel or ticagrelor at standard dose if no "
             "contraindication."),
            (p("Intermediate Metabolizer"), acs, "Strong",
             "Avoid standard dose (75 mg) clopidogrel if possible. Use prasugrel or ticagrelor at standard dose if no "
             "contraindication."),
            (p("Likely Poor Metabolizer"), acs, "Strong", _CLO_PM), (p("Poor Metabolizer"), acs, "Strong", _CLO_PM),
            (p("Indeterminate"), acs, "No Recommendation", _NOREC)]
    out += [(p("Normal Metabolizer"), non, "Strong", _CLO_STD)]
    out += [(p(k), non, "No Recommendation", _NOREC) for k in ("Ultrarapid Metabolizer", "Rapid Metabolizer",
                                                               "Intermediate Metabolizer",
                                                               "Likely Intermediate Metabolizer", "Indeterminate")]
    out += [(p(k), non, "Moderate", _CLO_PM) for k in ("Poor Metabolizer", "Likely Poor Metabolizer")]
    out += [(p("Normal Metabolizer"), nvi, "Strong", _CLO_STD)]
    out += [(p(k), nvi, "No Recommendation", _NOREC) for k in ("Ultrarapid Metabolizer", "Rapid Metabolizer",
                                                               "Indeterminate")]
    out += [(p(k), nvi, "Moderate", "Consider an alternative P2Y12 inhibitor at standard dose if clinically indicated "
             "and no contraindication.") for k in ("Intermediate Metabolizer", "Likely Intermediate Metabolizer")]
    out += [(p(k), nvi, "Moderate", "Avoid clopidogrel if possible. Consider an alternative P2Y12 inhibitor at "
             "standard dose if clinically indicated and no contraindication.")
            for k in ("Poor Metabolizer", "Likely Poor Metabolizer")]
    return out


CLOPIDOGREL = _clopidogrel()


# ------------------------------------------------------------------------------------------------ G6PD (CPIC 2022)
_G6_TEST = ("To ascertain G6PD status, enzyme activity must be measured. Drug use should be guided per the "
            "recommendations based on the activity-based phenotype.")
_G6_OK = "No reason to avoid based on G6PD status"
_G6_STD_SET = [({"G6PD": "Indeterminate"}, "general", "Moderate", _G6_TEST),
               ({"G6PD": "Variable"}, "general", "Moderate", _G6_TEST),
               ({"G6PD": "Deficient"}, "general", "Strong", "Avoid use"),
               ({"G6PD": "Deficient with CNSHA"}, "general", "Strong", "Avoid use"),
               ({"G6PD": "Normal"}, "general", "Strong", _G6_OK)]
G6PD_ROWS = {
    "rasburicase": _G6_STD_SET, "pegloticase": _G6_STD_SET, "dapsone": _G6_STD_SET, "tafenoquine": _G6_STD_SET,
    "methylene blue": [({"G6PD": "Deficient"}, "general", "Moderate", "Avoid use"),
                       ({"G6PD": "Indeterminate"}, "general", "Moderate", _G6_TEST),
                       ({"G6PD": "Variable"}, "general", "Moderate", _G6_TEST),
                       ({"G6PD": "Deficient with CNSHA"}, "general", "Strong", "Avoid use"),
                       ({"G6PD": "Normal"}, "general", "Strong", "No reason to avoid ased on G6PD status")],
    "toluidine blue": [({"G6PD": "Deficient"}, "general", "Moderate", "Avoid use"),
                       ({"G6PD": "Variable"}, "general", "Moderate", _G6_TEST),
                       ({"G6PD": "Indeterminate"}, "general", "Moderate", _G6_TEST),
                       ({"G6PD": "Deficient with CNSHA"}, "general", "Strong", "Avoid use"),
                       ({"G6PD": "Normal"}, "general", "Strong", "No reason to avoid ased on G6PD status")],
    "primaquine": [({"G6PD": "Indeterminate"}, "general", "Moderate", _G6_TEST),
                   ({"G6PD": "Variable"}, "general", "Moderate", _G6_TEST),
                   ({"G6PD": "Deficient with CNSHA"}, "general", "Strong", "Avoid primaquine"),
                   ({"G6PD": "Deficient"}, "general", "Strong",
                    "Avoid primaquine, except in the following cases where established expert consensus guidelines for "
                    "the treatment of malaria should be followed: (1) Treating Plasmodium vivax or Plasmodium ovale "
                    "malaria for radical cure of liver-stage infections: 0.75 mg/kg once weekly x8 weeks (WHO) or 45 mg "
                    "once weekly x8 weeks (CDC) - with close monitoring for hemolysis; (2) Treating Plasmodium "
                    "falciparum malaria by using primaquine single dose as a gametocytocide at 0.25 mg/kg (WHO) - "
                    "without need for monitoring for hemolysis."),
                   ({"G6PD": "Normal"}, "general", "Strong", _G6_OK)],
    "nitrofurantoin": [({"G6PD": "Deficient with CNSHA"}, "general", "Moderate", "Avoid"),
                       ({"G6PD": "Variable"}, "general", "Moderate",
                        "If deemed necessary to ascertain G6PD status, enzyme activity must be measured. Drug use "
                        "should be guided per the recommendations based on the activity-based phenotype."),
                       ({"G6PD": "Indeterminate"}, "general", "Moderate", _G6_TEST),
                       ({"G6PD": "Deficient"}, "general", "Optional",
                        "Use at standard doses with caution and with close monitoring for anemia"),
                       ({"G6PD": "Normal"}, "general", "Strong", _G6_OK)],
}


def rows() -> dict[str, tuple[list, str]]:
    """drug -> (rows [(lookup, population, classification, CPIC text)], source citation)."""
    out = {"abacavir": (ABACAVIR, source("abacavir")), "allopurinol": (ALLOPURINOL, source("allopurinol")),
           "carbamazepine": (CARBAMAZEPINE, source("carbamazepine")),
           "oxcarbazepine": (OXCARBAZEPINE, source("oxcarbazepine")),
           "phenytoin": (PHENYTOIN, source("phenytoin")), "fosphenytoin": (PHENYTOIN, source("fosphenytoin")),
           "clopidogrel": (CLOPIDOGREL, source("clopidogrel"))}
    for d, rr in G6PD_ROWS.items():
        out[d] = (rr, source(d.replace(" ", "_")))
    for d in AMINOGLYCOSIDES:
        read = d in ("amikacin", "gentamicin")
        out[d] = (AMINOGLYCOSIDE, source(d) if read else source("amikacin") +
                  f" (guideline rows shared by every aminoglycoside; {d}.json lists the same guideline)")
    return out
