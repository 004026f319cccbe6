"""Model inputs that depend on the family, read from the family model (with the record as fall-back).

Each value comes with its source (which relatives, which record), like every other model input
(``workstation.models.profile_inputs.Fact``). Used by ``gather_facts`` for:

* Gail/BCRAT: ``N_Rels`` = first-degree female relatives (mother, full sisters, daughters) with breast cancer
  (BCRA's definition); ``AgeMen`` / ``Age1st`` from the CanRisk risk-factor lines (``menarche``,
  ``first_live_birth``, ``parity=0`` -> 98 nulliparous); ``brca_carrier`` from a positive BRCA1/BRCA2 test of the
  index person; ``prior_breast_cancer`` from her own diagnoses (family model or record); ``T1`` current age,
  ``T2`` = T1 + 5 (the 5-year risk); ``Race`` 1 (White) or 2 (African-American) from the recorded race when it is
  one of those and ethnicity is not Hispanic, otherwise not set (the counsellor enters the BCRA code).
* FINDRISC ``family_diabetes``: first degree (parent, sibling, child) > second degree (grandparent, aunt, uncle,
  first cousin - as the FINDRISC form lists them) > none.
"""
from __future__ import annotations

from typing import Any

from workstation.family import kinship
from workstation.family.conditions import classify
from workstation.family.model import Family


def _rel_names(f: Family, ids: list[str], index: str) -> list[dict]:
    out = []
    for pid in ids:
        k = kinship.kin(f, index, pid)
        out.append({"person": pid, "relationship": k.display})
    return out


def first_degree_female_breast(f: Family, index: str) -> list[str]:
    out = []
    for pid, k in kinship.relatives(f, index).items():
        p = f.people[pid]
        if k.degree == 1 and p.sex == "female" and (p.has("breast_cancer") or p.has("contralateral_breast_cancer")):
            out.append(pid)
    return out


def _int(text: str | None) -> int | None:
    try:
        return int(float(str(text).strip()))
    except (TypeError, ValueError):
        return None


def gail_facts(profile, fact_type) -> dict[str, Any]:
    """Facts (``fact_type(value, source)``) for the Gail model's inputs from the family and the record."""
    out: dict[str, Any] = {}
    sex = str(profile.sex or "").lower()
    age = profile.age()
    if sex == "male":
        return out                                     # the model is for women; refused by applicability
    if age is not None:
        src = {"table": "patients", "birth_date": str(profile.birth_date), "as_of": str(profile.as_of)[:10]}
        out["T1"] = fact_type(float(age), src)
        out["T2"] = fact_type(float(min(age + 5, 90)), dict(src, computed="T1 + 5 (the 5-year risk)"))
    race = str(profile.patient.get("race") or "").lower()
    eth = str(profile.patient.get("ethnicity") or "").lower()
    hispanic = "hispanic" in eth and "not hispanic" not in eth and "non-hispanic" not in eth
    code = None if hispanic else 2 if ("black" in race or "african" in race) else 1 if "white" in race else None
    if code is not None:
        out["Race"] = fact_type(code, {"table": "patients", "value": profile.patient.get("race"),
                                       "mapped": "BCRA Race 1 White / 2 African-American"})
    cond = profile.conditions
    if cond is not None and not cond.empty:
        for _, r in cond.iterrows():
            if classify(r.get("code_system"), r.get("code"), r.get("display")) == "breast_cancer":
                out["prior_breast_cancer"] = fact_type(True, {"table": "conditions", "code": r.get("code"),
                                                              "display": r.get("display")})
                break
    fam: Family | None = getattr(profile, "family", None)
    if fam is None or fam.index_id is None:
        return out
    idx = fam.index_id
    me = fam.people[idx]
    src_f = {"table": "family_versions", "version": getattr(profile, "family_version", None),
             "display": "family history"}
    hits = first_degree_female_breast(fam, idx)
    who = ", ".join(r["relationship"].replace("natural ", "") for r in _rel_names(fam, hits, idx))
    out["N_Rels"] = fact_type(len(hits), dict(src_f, relatives=_rel_names(fam, hits, idx),
                                              display=f"family history{': ' + who if who else ''}",
                                              note="first-degree female relatives with breast cancer"))
    if me.has("breast_cancer") or me.has("contralateral_breast_cancer"):
        out["prior_breast_cancer"] = fact_type(True, dict(src_f, person=idx, note="own breast cancer"))
    elif "prior_breast_cancer" not in out:
        out["prior_breast_cancer"] = fact_type(False, dict(src_f, assumed=True, display="record and family history",
                                                           note="no breast cancer in the record or family history"))
    pos = [t.gene for t in me.tests if t.gene in ("BRCA1", "BRCA2") and t.positive]
    if pos:
        out["brca_carrier"] = fact_type(True, dict(src_f, person=idx, genes=pos))
    elif any(t.gene in ("BRCA1", "BRCA2") for t in me.tests):
        out["brca_carrier"] = fact_type(False, dict(src_f, person=idx, note="BRCA1/BRCA2 tested, no mutation"))
    rf = {k.lower(): v for k, v in fam.risk_factors.items()}
    if (m := _int(rf.get("menarche"))) is not None:
        out["AgeMen"] = fact_type(m, dict(src_f, field="CanRisk ##menarche", display="family record (menarche)"))
    if _int(rf.get("parity")) == 0:
        out["Age1st"] = fact_type(98, dict(src_f, field="CanRisk ##parity=0 (nulliparous, BCRA 98)",
                                           display="family record (parity 0)"))
    elif (a := _int(rf.get("first_live_birth"))) is not None:
        out["Age1st"] = fact_type(a, dict(src_f, field="CanRisk ##first_live_birth",
                                          display="family record (first live birth)"))
    return out


def family_diabetes(profile, fact_type):
    fam: Family | None = getattr(profile, "family", None)
    if fam is None or fam.index_id is None or len(fam) < 2:
        return None
    idx = fam.index_id
    rel = kinship.relatives(fam, idx)
    src_f = {"table": "family_versions", "version": getattr(profile, "family_version", None),
             "display": "family history"}
    for degree, label in ((1, "first_degree"), (2, "second_degree"), (3, "second_degree")):
        hits = [pid for pid, k in rel.items() if k.degree == degree and fam.people[pid].has("diabetes")
                and (degree < 3 or k.code.endswith("COUSN"))]
        if hits:
            return fact_type(label, dict(src_f, relatives=_rel_names(fam, hits, idx)))
    recorded = [p for pid, p in fam.people.items() if pid != idx and not p.inferred]
    if not recorded:
        return None
    return fact_type("none", dict(src_f, assumed=True, note="family recorded, with no relative with diabetes"))
