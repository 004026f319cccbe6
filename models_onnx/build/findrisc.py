"""FINDRISC (Finnish Diabetes Risk Score): points and 10-year type 2 diabetes risk band, as a lookup-and-sum graph.

Variant implemented: the **original Finnish FINDRISC** of the Finnish Diabetes Association "Type 2 diabetes risk
assessment form" (Lindstrom J, Tuomilehto J. Diabetes Care 2003;26(3):725-731, doi:10.2337/diacare.26.3.725),
NOT the German/Austrian "FINDRISK" forms (which add 35-44 -> 1 point and score vegetables 'not every day' as
2). Points and bands transcribed from ``shared/reference/risk/MODELS.md`` section 5.
"""
from __future__ import annotations

from onnx import TensorProto

from models_onnx.build.common import BOOL, base_card, num
from models_onnx.build.graph import Built, GraphBuilder

FEATURES = ["age", "bmi", "waist_cm", "female", "physically_active_daily", "vegetables_daily",
            "antihypertensive_ever", "high_glucose_ever", "family_second_degree", "family_first_degree"]
TERMS = ["age", "BMI", "waist circumference", "physical activity", "vegetables, fruit or berries",
         "antihypertensive medication", "history of high blood glucose", "family history of diabetes"]
TERM_INPUTS = {"age": "age", "BMI": "bmi", "waist circumference": "waist_cm",
               "physical activity": "physically_active_daily", "vegetables, fruit or berries": "vegetables_daily",
               "antihypertensive medication": "antihypertensive_ever",
               "history of high blood glucose": "high_glucose_ever",
               "family history of diabetes": "family_diabetes"}
# Bands (MODELS.md 5): <7 low (~1 in 100); 7-11 slightly elevated (1 in 25); 12-14 moderate (1 in 6);
# 15-20 high (1 in 3); >20 very high (1 in 2).
BANDS = [
    {"band": 0, "points": "0-6", "label": "low", "ten_year_risk": "about 1 in 100"},
    {"band": 1, "points": "7-11", "label": "slightly elevated", "ten_year_risk": "about 1 in 25"},
    {"band": 2, "points": "12-14", "label": "moderate", "ten_year_risk": "about 1 in 6"},
    {"band": 3, "points": "15-20", "label": "high", "ten_year_risk": "about 1 in 3"},
    {"band": 4, "points": "21-26", "label": "very high", "ten_year_risk": "about 1 in 2"},
]
PLAUSIBILITY = "plausibility limits set by this project (the form gives no ranges)"


def _graph(card: dict):
    g = GraphBuilder("findrisc_t2d", len(FEATURES))
    c = {f: g.col(i) for i, f in enumerate(FEATURES)}
    k = g.scalar
    age = g.op("Floor", c["age"])                                   # completed years
    # Age: <45 -> 0; 45-54 -> 2; 55-64 -> 3; >64 -> 4
    p_age = g.add(g.mul(k(2.0), g.ge(age, 45.0)), g.add(g.ge(age, 55.0), g.ge(age, 65.0)))
    # BMI: <25 -> 0; 25-30 -> 1; >30 -> 3
    p_bmi = g.add(g.ge(c["bmi"], 25.0), g.mul(k(2.0), g.gt(c["bmi"], 30.0)))
    # Waist: men <94 -> 0, 94-102 -> 3, >102 -> 4; women <80 -> 0, 80-88 -> 3, >88 -> 4
    lo = g.sub(k(94.0), g.mul(k(14.0), c["female"]))
    hi = g.sub(k(102.0), g.mul(k(14.0), c["female"]))
    ge_lo = g.op("Cast", g.op("GreaterOrEqual", c["waist_cm"], lo), to=TensorProto.DOUBLE)
    gt_hi = g.op("Cast", g.op("Greater", c["waist_cm"], hi), to=TensorProto.DOUBLE)
    p_waist = g.add(g.mul(k(3.0), ge_lo), gt_hi)
    p_act = g.mul(k(2.0), g.one_minus(c["physically_active_daily"]))      # no daily 30 min -> 2
    p_veg = g.one_minus(c["vegetables_daily"])                             # not every day -> 1
    p_bp = g.mul(k(2.0), c["antihypertensive_ever"])                      # yes -> 2
    p_glu = g.mul(k(5.0), c["high_glucose_ever"])                         # yes -> 5
    p_fam = g.add(g.mul(k(3.0), c["family_second_degree"]), g.mul(k(5.0), c["family_first_degree"]))
    terms = g.concat([p_age, p_bmi, p_waist, p_act, p_veg, p_bp, p_glu, p_fam])
    g.identity(terms, "terms")
    pts = g.rowsum(terms)
    g.identity(pts, "lp")
    g.identity(pts, "value")
    band = g.add(g.add(g.ge(pts, 7.0), g.ge(pts, 12.0)), g.add(g.ge(pts, 15.0), g.ge(pts, 21.0)))
    g.identity(band, "band")
    return g.model({"value": 1, "lp": 1, "terms": len(TERMS), "band": 1}, card)


def card() -> dict:
    c = base_card(
        "findrisc_t2d", "FINDRISC type 2 diabetes risk score (original Finnish form)", "2003.1",
        intended_use="Screen adults without known diabetes for their 10-year risk of developing type 2 diabetes.",
        population="Finnish adults (cohorts described in Lindstrom & Tuomilehto 2003).",
        outcome="Incident type 2 diabetes, as defined in Lindstrom & Tuomilehto 2003.", horizon="10 years",
        citation=("Lindstrom J, Tuomilehto J. The diabetes risk score: a practical tool to predict type 2 "
                  "diabetes risk. Diabetes Care 2003;26(3):725-731. doi:10.2337/diacare.26.3.725. Points from the "
                  "Finnish Diabetes Association 'Type 2 diabetes risk assessment form'."),
    )
    c["variant"] = ("Original Finnish FINDRISC form (age <45 -> 0 points; vegetables 'not every day' -> 1 point); "
                    "not the German/Austrian FINDRISK variant.")
    c["inputs"] = [
        num("age", "years", 18, 100, "Age (completed years)", PLAUSIBILITY),
        {"name": "sex", "type": "category", "categories": ["female", "male"],
         "description": "Sex (selects the waist cut-offs)", "encode": {"female": {"female": 1.0}, "male": {}}},
        num("bmi", "kg/m2", 12, 70, "Body-mass index", PLAUSIBILITY),
        num("waist_cm", "cm", 40, 200, "Waist circumference (below the ribs, usually at the navel)", PLAUSIBILITY),
        BOOL("physically_active_daily", "At least 30 minutes of physical activity daily (work or leisure)"),
        BOOL("vegetables_daily", "Eats vegetables, fruit or berries every day"),
        BOOL("antihypertensive_ever", "Ever taken antihypertensive medication regularly"),
        BOOL("high_glucose_ever", "Ever found to have high blood glucose (health check, illness, pregnancy)"),
        {"name": "family_diabetes", "type": "category", "categories": ["none", "second_degree", "first_degree"],
         "description": "Family members with diabetes (type 1 or 2): second degree = grandparent, aunt, uncle, "
                        "first cousin; first degree = parent, sibling, own child (first degree takes precedence)",
         "encode": {"none": {}, "second_degree": {"family_second_degree": 1.0},
                    "first_degree": {"family_first_degree": 1.0}}},
    ]
    c["features"] = FEATURES
    c["terms"] = TERMS
    c["output"] = {"name": "value", "unit": "points", "meaning": "FINDRISC total points (0-26)."}
    c["extra_outputs"] = {"band": "risk band index 0-4, labels in 'bands'"}
    c["bands"] = BANDS
    c["explain"] = {"method": "terms", "term_inputs": TERM_INPUTS,
                    "scale": "points; each questionnaire item's points (they sum to the total)."}
    c["performance"] = {"published": "Not transcribed (not in the project's reference material); see "
                                     "Lindstrom & Tuomilehto 2003."}
    c["subgroup_differences"] = [
        "Developed in a Finnish population; band risks may differ in other ethnic groups and countries.",
        "Waist cut-offs are sex-specific and were set for Europeans.",
    ]
    return c


def build() -> list[Built]:
    c = card()
    return [Built(c["id"], _graph(c), c)]
