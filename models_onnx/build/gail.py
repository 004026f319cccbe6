"""NCI Breast Cancer Risk Assessment Tool (Gail model, BCRAT): absolute risk of invasive breast cancer over [T1, T2).

The graph implements the algorithm of the CRAN package **BCRA 2.1.2** (Fanni Zhang, 2020-06-30; github
``cran/BCRA`` @ 05bfdea1a18c78f411afa9c8c0fbcdf0ccae7499 ``DESCRIPTION``; ``R/relative.risk.R``,
``R/absolute.risk.R`` @ 5d3b23148f4accd8f4fcdcff4156b6eec005f358 / e0d20efd92c0be08bf6d941833da4c8feb5c9c63), the R
port of NCI's BCRAT. The code here is this project's own (BCRA is GPL); the coefficients and rates below are
published facts transcribed from those files and from ``shared/reference/risk/MODELS.md`` section 6:

* relative risk ``RR1 = exp(b1 NB + b2 AM + b3 AF + b4 NR + b6 AF*NR) * R_Hyp`` at ages < 50 and
  ``RR2 = RR1 * exp(b5 NB)`` at ages >= 50 (``relative.risk.R``), with the race-specific betas of ``BrCa_beta``;
* composite incidence ``lambda1`` and competing mortality ``lambda2`` per 5-year age group 20-24 ... 85-89 and
  ``1 - AR`` (attributable risk) per race (``absolute.risk.R``, ``BrCa_1_AR``);
* absolute risk ``sum_j (1-AR)RR l1_j / L_j * exp(-sum_{k<j} L_k d_k) * (1 - exp(-L_j d_j))`` with
  ``L_j = (1-AR) RR l1_j + l2_j`` over one-year intervals ``d_j`` clipped to [T1, T2) (``absolute.risk.R``).

The recoding of BCRA's raw answers (``N_Biop``, ``HypPlas``, ``AgeMen``, ``Age1st`` with 98 nulliparous / 99
unknown, ``N_Rels``, ``Race`` 1-11) into categories, and BCRA's consistency checks, run before the graph in
``workstation/models/bcrat.py`` (the registry's encoder for ``kind: bcrat``); the graph takes the categories.
"""
from __future__ import annotations

import numpy as np

from models_onnx.build.common import base_card
from models_onnx.build.graph import Built, GraphBuilder

SRC = "cran/BCRA 2.1.2 (github cran/BCRA @ 05bfdea1a18c78f411afa9c8c0fbcdf0ccae7499)"
RACES = ["White", "African-American", "Hispanic (US born)", "Other (Native American, unknown race)",
         "Hispanic (foreign born)", "Chinese", "Japanese", "Filipino", "Hawaiian", "Other Pacific Islander",
         "Other Asian"]
# BrCa_beta rows, columns N_Biop, AgeMen, Age1st, N_Rels, age>=50 x N_Biop, Age1st x N_Rels
# (R/relative.risk.R White_Beta ... Asian_Beta; MODELS.md section 6 table).
_WHITE_B = [0.5292641686, 0.0940103059, 0.2186262218, 0.9583027845, -0.2880424830, -0.1908113865]
_BLACK_B = [0.1822121131, 0.2672530336, 0.0, 0.4757242578, -0.1119411682, 0.0]
_HSPNC_B = [0.0970783641, 0.0, 0.2318368334, 0.166685441, 0.0, 0.0]
_FHSPNC_B = [0.4798624017, 0.2593922322, 0.4669246218, 0.9076679727, 0.0, 0.0]
_ASIAN_B = [0.55263612260619, 0.07499257592975, 0.27638268294593, 0.79185633720481, 0.0, 0.0]
BETA = [_WHITE_B, _BLACK_B, _HSPNC_B, _WHITE_B, _FHSPNC_B] + [_ASIAN_B] * 6   # Race 4 "Other" = White
# 1 - attributable risk, (age < 50, age >= 50) (R/absolute.risk.R *_1_AR; BrCa_1_AR)
_ASIAN_AR = [0.47519806426735, 0.50316401683903]
ONE_MINUS_AR = [[0.5788413, 0.5788413], [0.72949880, 0.74397137], [0.749294788397, 0.778215491668],
                [0.5788413, 0.5788413], [0.428864989813, 0.450352338746]] + [_ASIAN_AR] * 6
# lambda1: breast cancer composite incidence per 5-year age group 20-24 ... 85-89 (R/absolute.risk.R)
_L1 = {
    "White": [0.00001000, 0.00007600, 0.00026600, 0.00066100, 0.00126500, 0.00186600, 0.00221100,
              0.00272100, 0.00334800, 0.00392300, 0.00417800, 0.00443900, 0.00442100, 0.00410900],  # SEER white 1983-87
    "Black": [0.00002696, 0.00011295, 0.00031094, 0.00067639, 0.00119444, 0.00187394, 0.00241504,
              0.00291112, 0.00310127, 0.00366560, 0.00393132, 0.00408951, 0.00396793, 0.00363712],  # SEER black 1994-98
    "Hspnc": [0.0000166, 0.0000741, 0.0002740, 0.0006099, 0.0012225, 0.0019027, 0.0023142,
              0.0028357, 0.0031144, 0.0030794, 0.0033344, 0.0035082, 0.0025308, 0.0020414],  # SEER Ca Hisp 1995-2004
    "FHspnc": [0.0000102, 0.0000531, 0.0001578, 0.0003602, 0.0007617, 0.0011599, 0.0014111,
               0.0017245, 0.0020619, 0.0023603, 0.0025575, 0.0028227, 0.0028295, 0.0025868],  # SEER Ca Hisp 1995-2004
    "Chnes": [0.000004059636, 0.000045944465, 0.000188279352, 0.000492930493, 0.000913603501,
              0.001471537353, 0.001421275482, 0.001970946494, 0.001674745804, 0.001821581075,
              0.001834477198, 0.001919911972, 0.002233371071, 0.002247315779],  # SEER18 Chinese 1998-2002
    "Japns": [0.000000000001, 0.000099483924, 0.000287041681, 0.000545285759, 0.001152211095,
              0.001859245108, 0.002606291272, 0.003221751682, 0.004006961859, 0.003521715275,
              0.003593038294, 0.003589303081, 0.003538507159, 0.002051572909],  # SEER18 Japanese 1998-2002
    "Filip": [0.000007500161, 0.000081073945, 0.000227492565, 0.000549786433, 0.001129400541,
              0.001813873795, 0.002223665639, 0.002680309266, 0.002891219230, 0.002534421279,
              0.002457159409, 0.002286616920, 0.001814802825, 0.001750879130],  # SEER18 Filipino 1998-2002
    "Hawai": [0.000045080582, 0.000098570724, 0.000339970860, 0.000852591429, 0.001668562761,
              0.002552703284, 0.003321774046, 0.005373001776, 0.005237808549, 0.005581732512,
              0.005677419355, 0.006513409962, 0.003889457523, 0.002949061662],  # SEER18 Hawaiian 1998-2002
    "OtrPI": [0.000000000001, 0.000071525212, 0.000288799028, 0.000602250698, 0.000755579402,
              0.000766406354, 0.001893124938, 0.002365580107, 0.002843933070, 0.002920921732,
              0.002330395655, 0.002036291235, 0.001482683983, 0.001012248203],  # SEER18 other Pacific Isl.
    "OtrAs": [0.000012355409, 0.000059526456, 0.000184320831, 0.000454677273, 0.000791265338,
              0.001048462801, 0.001372467817, 0.001495473711, 0.001646746198, 0.001478363563,
              0.001216010125, 0.001067663700, 0.001376104012, 0.000661576644],  # SEER18 other Asian 1998-2002
}
# "average" women of races 1 and 4 (SEER white 1992-96; NCHS white 1992-96), used for the average-risk comparator
_L1_AVG_WHITE = [0.00001220, 0.00007410, 0.00022970, 0.00056490, 0.00116450, 0.00195250, 0.00261540,
                 0.00302790, 0.00367570, 0.00420290, 0.00473080, 0.00494250, 0.00479760, 0.00401060]
# lambda2: competing mortality per 5-year age group (R/absolute.risk.R)
_L2 = {
    "White": [0.00049300, 0.00053100, 0.00062500, 0.00082500, 0.00130700, 0.00218100, 0.00365500,
              0.00585200, 0.00943900, 0.01502800, 0.02383900, 0.03883200, 0.06682800, 0.14490800],  # NCHS white 1985-87
    "Black": [0.00074354, 0.00101698, 0.00145937, 0.00215933, 0.00315077, 0.00448779, 0.00632281,
              0.00963037, 0.01471818, 0.02116304, 0.03266035, 0.04564087, 0.06835185, 0.13271262],  # NCHS black 1996-00
    "Hspnc": [0.0003561, 0.0004038, 0.0005281, 0.0008875, 0.0013987, 0.0020769, 0.0030912,
              0.0046960, 0.0076050, 0.0120555, 0.0193805, 0.0288386, 0.0429634, 0.0740349],
    "FHspnc": [0.0003129, 0.0002908, 0.0003515, 0.0004943, 0.0007807, 0.0012840, 0.0020325,
               0.0034533, 0.0058674, 0.0096888, 0.0154429, 0.0254675, 0.0448037, 0.1125678],
    "Chnes": [0.000210649076, 0.000192644865, 0.000244435215, 0.000317895949, 0.000473261994,
              0.000800271380, 0.001217480226, 0.002099836508, 0.003436889186, 0.006097405623,
              0.010664526765, 0.020148678452, 0.037990796590, 0.098333900733],
    "Japns": [0.000173593803, 0.000295805882, 0.000228322534, 0.000363242389, 0.000590633044,
              0.001086079485, 0.001859999966, 0.003216600974, 0.004719402141, 0.008535331402,
              0.012433511681, 0.020230197885, 0.037725498348, 0.106149118663],
    "Filip": [0.000229120979, 0.000262988494, 0.000314844090, 0.000394471908, 0.000647622610,
              0.001170202327, 0.001809380379, 0.002614170568, 0.004483330681, 0.007393665092,
              0.012233059675, 0.021127058106, 0.037936954809, 0.085138518334],
    "Hawai": [0.000563507269, 0.000369640217, 0.001019912579, 0.001234013911, 0.002098344078,
              0.002982934175, 0.005402445702, 0.009591474245, 0.016315472607, 0.020152229069,
              0.027354838710, 0.050446998723, 0.072262026612, 0.145844504021],
    "OtrPI": [0.000465500812, 0.000600466920, 0.000851057138, 0.001478265376, 0.001931486788,
              0.003866623959, 0.004924932309, 0.008177071806, 0.008638202890, 0.018974658371,
              0.029257567105, 0.038408980974, 0.052869579345, 0.074745721133],
    "OtrAs": [0.000212632332, 0.000242170741, 0.000301552711, 0.000369053354, 0.000543002943,
              0.000893862331, 0.001515172239, 0.002574669551, 0.004324370426, 0.007419621918,
              0.013251765130, 0.022291427490, 0.041746550635, 0.087485802065],
}
_L2_AVG_WHITE = [0.00044120, 0.00052540, 0.00067460, 0.00090920, 0.00125340, 0.00195700, 0.00329840,
                 0.00546220, 0.00910350, 0.01418540, 0.02259350, 0.03611460, 0.06136260, 0.14206630]
# Race codes 1-11 -> rate tables (BCRA: Race 4 "Other" uses the White 1983-87 tables)
_ORDER = ["White", "Black", "Hspnc", "White", "FHspnc", "Chnes", "Japns", "Filip", "Hawai", "OtrPI", "OtrAs"]

FEATURES = ["T1", "T2", "NB_Cat", "AM_Cat", "AF_Cat", "NR_Cat", "R_Hyp"] + [f"race_{i}" for i in range(1, 12)]
TERMS = ["biopsies", "age at menarche", "age at first live birth", "first-degree relatives",
         "first birth x relatives", "atypical hyperplasia"]
TERM_INPUTS = {"biopsies": "N_Biop", "age at menarche": "AgeMen", "age at first live birth": "Age1st",
               "first-degree relatives": "N_Rels", "first birth x relatives": "N_Rels",
               "atypical hyperplasia": "HypPlas"}


def _yearly(table: list[float]) -> list[float]:
    return [v for v in table for _ in range(5)]          # one rate per single year of age 20 ... 89


def tables() -> dict[str, np.ndarray]:
    l1 = np.array([_yearly(_L1[k]) for k in _ORDER])
    l2 = np.array([_yearly(_L2[k]) for k in _ORDER])
    l1_avg, l2_avg = l1.copy(), l2.copy()
    for row in (0, 3):                                     # Race 1 and 4: the "average" White 1992-96 rates
        l1_avg[row], l2_avg[row] = _yearly(_L1_AVG_WHITE), _yearly(_L2_AVG_WHITE)
    return {"beta": np.array(BETA), "ar": np.array(ONE_MINUS_AR), "l1": l1, "l2": l2, "l1_avg": l1_avg,
            "l2_avg": l2_avg}


def _integrate(g: GraphBuilder, hazard1: str, l2: str, dur: str) -> str:
    """sum_j h1_j / L_j * exp(-sum_{k<j} L_k d_k) * (1 - exp(-L_j d_j)), L = h1 + l2 (absolute.risk.R loop)."""
    lam = g.add(hazard1, l2)
    ld = g.mul(lam, dur)
    cum = g.op("CumSum", ld, g.const_i64(1), exclusive=1)
    survive = g.op("Exp", g.op("Neg", cum))
    p_int = g.sub(g.scalar(1.0), g.op("Exp", g.op("Neg", ld)))
    return g.rowsum(g.mul(g.mul(g.div(hazard1, lam), survive), p_int))


def _graph(card: dict):
    t = tables()
    g = GraphBuilder("gail_bcrat", len(FEATURES))
    c = {f: g.col(i) for i, f in enumerate(FEATURES[:7])}
    race = g.op("Slice", g.x, g.const_i64([7]), g.const_i64([18]), g.const_i64([1]))       # [N, 11] one-hot
    beta = g.op("MatMul", race, g.const(t["beta"]))                                         # [N, 6]
    nb, am, af, nr = c["NB_Cat"], c["AM_Cat"], c["AF_Cat"], c["NR_Cat"]
    x = g.concat([nb, am, af, nr, nb, g.mul(af, nr)])
    all_terms = g.mul(x, beta)
    under50 = g.op("MatMul", all_terms, g.const(np.array([[1.0], [1.0], [1.0], [1.0], [0.0], [1.0]])))
    nb50 = g.op("MatMul", all_terms, g.const(np.array([[0.0], [0.0], [0.0], [0.0], [1.0], [0.0]])))
    log_hyp = g.op("Log", c["R_Hyp"])
    lp1 = g.add(under50, log_hyp)
    lp2 = g.add(lp1, nb50)
    g.identity(lp1, "lp")
    keep = g.op("Gather", all_terms, g.const_i64([0, 1, 2, 3, 5]), axis=1)
    g.identity(g.concat([keep, log_hyp]), "terms")
    rr1, rr2 = g.op("Exp", lp1), g.op("Exp", lp2)
    g.identity(rr1, "rr_under_50")
    g.identity(rr2, "rr_50_plus")
    ar = g.op("MatMul", race, g.const(t["ar"]))                                             # [N, 2]
    ar1 = g.op("Gather", ar, g.const_i64([0]), axis=1)
    ar2 = g.op("Gather", ar, g.const_i64([1]), axis=1)
    ages = np.arange(20, 90, dtype=np.float64)
    lt50 = (ages < 50).astype(np.float64)
    oarr = g.add(g.mul(g.mul(ar1, rr1), g.const(lt50)), g.mul(g.mul(ar2, rr2), g.const(1.0 - lt50)))  # [N, 70]
    # years of follow-up inside each one-year age interval [a, a+1): clip(min(T2, a+1) - max(T1, a), 0, 1)
    dur = g.sub(g.op("Min", c["T2"], g.const(ages + 1.0)), g.op("Max", c["T1"], g.const(ages)))
    dur = g.op("Min", g.op("Max", dur, g.scalar(0.0)), g.scalar(1.0))
    l1 = g.op("MatMul", race, g.const(t["l1"]))
    l2 = g.op("MatMul", race, g.const(t["l2"]))
    absrisk = _integrate(g, g.mul(oarr, l1), l2, dur)
    g.identity(absrisk, "value")
    avg = _integrate(g, g.op("MatMul", race, g.const(t["l1_avg"])), g.op("MatMul", race, g.const(t["l2_avg"])),
                     dur)
    g.identity(avg, "average_risk")
    return g.model({"value": 1, "lp": 1, "terms": len(TERMS), "rr_under_50": 1, "rr_50_plus": 1,
                    "average_risk": 1}, card)


def card() -> dict:
    c = base_card(
        "gail_bcrat", "NCI Breast Cancer Risk Assessment Tool (Gail model)", "BCRA-2.1.2",
        kind="bcrat",
        intended_use=("Estimate a woman's absolute risk of invasive breast cancer over a chosen age interval "
                      "(5-year and to age 90) for counselling about screening and chemoprevention."),
        population=("Women without a history of breast cancer, DCIS or LCIS and without a known BRCA1/BRCA2 "
                    "mutation; White (Gail 1989, BCDDP), African-American (CARE, Gail 2007), Hispanic (SFBCS), "
                    "Asian and Pacific Islander (AABCS, Matsuno 2011) women in the US."),
        outcome="Invasive breast cancer.", horizon="the interval [T1, T2) given (T2 at most 90)",
        citation=("Gail MH et al. JNCI 1989;81:1879 (doi:10.1093/jnci/81.24.1879); Costantino JP et al. JNCI "
                  "1999;91:1541; Gail MH et al. JNCI 2007;99:1782 (CARE); the Hispanic model "
                  "doi:10.1093/jnci/djw215 (as cited in the BCRA DESCRIPTION); Matsuno RK et al. JNCI 2011;103:951 (Asian-American). "
                  f"Algorithm, betas, rates and attributable risks: {SRC}."),
    )
    c["variant"] = ("NCI BCRAT as implemented by the CRAN package BCRA 2.1.2 (absolute.risk with Raw_Ind=1, "
                    "Avg_White=0); average risk = BCRA's Avg_White=1 comparator.")
    c["inputs"] = [
        {"name": "T1", "type": "number", "unit": "years", "range": [35, 89.999],
         "description": "Current age (start of the projection)",
         "range_source": "NCI BCRAT accepts ages 35 and over; BCRA requires 20 <= T1 < 90"},
        {"name": "T2", "type": "number", "unit": "years", "range": [35, 90],
         "description": "Projection age (end of the interval; T1 + 5 for the 5-year risk, 90 for lifetime)",
         "range_source": "BCRA requires T1 < T2 <= 90"},
        {"name": "N_Biop", "type": "code", "description": "Number of breast biopsies (0, 1, 2 or more; 99 unknown)",
         "default": 99, "default_note": "not given; coded 99 (unknown), as BCRA does"},
        {"name": "HypPlas", "type": "code", "description": "Atypical hyperplasia in a biopsy: 0 no, 1 yes, "
                                                           "99 unknown or no biopsy",
         "default": 99, "default_note": "not given; coded 99 (unknown)"},
        {"name": "AgeMen", "type": "code", "description": "Menarche (age at the first menstrual period, years; 99 unknown)",
         "default": 99, "default_note": "not given; coded 99 (unknown)"},
        {"name": "Age1st", "type": "code", "description": "First live birth (the woman's age then, years; 98 "
                                                          "nulliparous, 99 unknown)",
         "default": 99, "default_note": "not given; coded 99 (unknown)"},
        {"name": "N_Rels", "type": "code", "description": "First-degree relatives (mother, sisters, daughters) "
                                                          "with breast cancer (99 unknown)",
         "default": 99, "default_note": "not given; coded 99 (unknown)"},
        {"name": "Race", "type": "code", "description": "Race/ethnicity (BCRA code: " + ", ".join(
            f"{i} {r}" for i, r in enumerate(RACES, 1)) + ")", "probe": 1},
        {"name": "prior_breast_cancer", "type": "boolean", "default": False,
         "description": "History of breast cancer, DCIS or LCIS, or chest radiation for Hodgkin lymphoma",
         "default_note": "not given; assumed no (the model does not apply if yes)"},
        {"name": "brca_carrier", "type": "boolean", "default": False,
         "description": "Known BRCA1 or BRCA2 mutation, or a genetic syndrome associated with breast cancer",
         "default_note": "not given; assumed no (the model does not apply if yes)"},
    ]
    c["features"] = FEATURES
    c["terms"] = TERMS
    c["output"] = {"name": "value", "unit": "probability",
                   "meaning": "Absolute risk of invasive breast cancer between ages T1 and T2 (a fraction; BCRA "
                              "prints it x 100)."}
    c["extra_outputs"] = {"rr_under_50": "relative risk at ages < 50 (BCRA RR_Star1)",
                          "rr_50_plus": "relative risk at ages >= 50 (BCRA RR_Star2)",
                          "average_risk": "absolute risk of an average woman of the same age and race (BCRA "
                                          "Avg_White=1), a fraction"}
    c["explain"] = {"method": "terms", "term_inputs": TERM_INPUTS,
                    "scale": "natural log of the relative risk at ages under 50 (each risk factor's term; "
                             "the Age1st x N_Rels interaction is counted with N_Rels)"}
    c["performance"] = {"published": "Not transcribed (not in the project's reference material); see the "
                                     "validation in Costantino et al. JNCI 1999;91:1541."}
    c["subgroup_differences"] = [
        "Race-specific relative risks and rates: the model is calibrated separately for White, African-American, "
        "Hispanic and Asian/Pacific Islander women; 'Other' (code 4) uses the White model.",
        "Under-estimates risk in women with a strong family history (counts only first-degree relatives and "
        "no ages at diagnosis, no paternal history): use a pedigree model (CanRisk/BOADICEA) for them.",
    ]
    c["limitations"] = c["limitations"] + [
        "Not for women with prior breast cancer, DCIS, LCIS, chest radiation for Hodgkin lymphoma, or a known "
        "BRCA1/BRCA2 mutation (NCI BCRAT eligibility questions); refused for them.",
        "Not for women under 35 (NCI BCRAT) although BCRA computes from age 20.",
    ]
    # who the model is for, as data (workstation/models/applicability.py): NCI BCRAT estimates risk for women
    c["applicability"] = {"sex": ["female"], "sex_source": "NCI BCRAT / Gail 1989: a model for women"}
    return c


def build() -> list[Built]:
    c = card()
    return [Built(c["id"], _graph(c), c)]
