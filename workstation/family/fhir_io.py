"""FHIR R4 FamilyMemberHistory <-> the family model.

Import: each FamilyMemberHistory (FMH) is one relative of the patient, placed by its ``relationship`` (v3
RoleCode) with :func:`workstation.family.edit.add_by_role`; when every FMH of the file carries the core extension
``familymemberhistory-genetics-parent`` (the relative's father/mother as another FMH or the Patient), the tree is
rebuilt from those links exactly instead. Name, sex, born (year), age, deceased (boolean/age), conditions with
``onsetAge`` are read; an FMH already imported (same id) is not added twice.

Export: one FMH per relative (except inferred connecting people, who are written only when a link needs them),
each with its relationship to the patient, the parent links (so a round trip keeps the tree), and its conditions.
What FHIR FMH cannot hold (genetic test results, tumour pathology, twins, adoption, Ashkenazi ancestry) is written
nowhere by this exporter; CanRisk v4 carries the cancer-genetics part.
"""
from __future__ import annotations

from datetime import date

from workstation.family import conditions as cond
from workstation.family.conditions import coding as cond_coding
from workstation.family import kinship
from workstation.family.edit import ROLE_SHAPES, add_by_role
from workstation.family.model import Family, Person

PARENT_EXT = "http://hl7.org/fhir/StructureDefinition/familymemberhistory-genetics-parent"
UCUM = "http://unitsofmeasure.org"
GENDER = "http://hl7.org/fhir/administrative-gender"


def patient_person(patient: dict, pid: str = "self") -> Person:
    sex = str(patient.get("sex") or "").lower()
    born = patient.get("birth_date")
    yob = None
    if born is not None and str(born) not in ("", "NaT", "None", "nan"):
        try:
            yob = int(str(born)[:4])
        except ValueError:
            yob = None
    age = None
    if yob is not None:
        try:
            b = date.fromisoformat(str(born)[:10])
            t = date.today()
            age = t.year - b.year - ((t.month, t.day) < (b.month, b.day))
        except ValueError:
            age = None
    return Person(pid, name=str(patient.get("name") or ""), sex=sex if sex in ("female", "male") else "unknown",
                  year_of_birth=yob, age=age, refs={"patient": str(patient.get("id", ""))})


def _code(cc: dict | None) -> str | None:
    for c in (cc or {}).get("coding") or []:
        if c.get("code"):
            return str(c["code"])
    return None


def _sex(res: dict) -> str | None:
    s = (_code(res.get("sex")) or "").lower()
    return s if s in ("female", "male") else ("unknown" if s else None)


def _age_value(q) -> int | None:
    if isinstance(q, dict) and q.get("value") is not None:
        try:
            return int(float(q["value"]))
        except (TypeError, ValueError):
            return None
    return None


def _attrs(res: dict) -> dict:
    out: dict = {"refs": {"fhir": str(res.get("id") or "")}}
    if res.get("name"):
        out["name"] = str(res["name"])
    born = res.get("bornDate") or res.get("bornString")
    if born and str(born)[:4].isdigit():
        out["year_of_birth"] = int(str(born)[:4])
    if (a := _age_value(res.get("ageAge"))) is not None:
        out["age"] = a
    if res.get("deceasedBoolean") is True:
        out["deceased"] = True
    elif "deceasedAge" in res:
        out["deceased"] = True
        out["age"] = _age_value(res["deceasedAge"])
    elif any(k.startswith("deceased") and k != "deceasedBoolean" for k in res):
        out["deceased"] = True
    dx = []
    for c in res.get("condition") or []:
        cc = c.get("code") or {}
        coding = (cc.get("coding") or [{}])[0]
        onset = _age_value(c.get("onsetAge"))
        dx.append(cond.diagnosis(coding.get("system"), coding.get("code"), coding.get("display") or cc.get("text"),
                                 onset))
    out["diagnoses"] = dx
    return out


def _parent_links(res: dict) -> dict[str, str]:
    """{"father"|"mother": referenced id} from the genetics-parent extension."""
    out = {}
    for ext in res.get("extension") or []:
        if ext.get("url") != PARENT_EXT:
            continue
        role, ref = None, None
        for sub in ext.get("extension") or []:
            if sub.get("url") == "type":
                code = (_code(sub.get("valueCodeableConcept")) or "").upper()
                role = "father" if code in ("FTH", "NFTH") else "mother" if code in ("MTH", "NMTH") else None
            elif sub.get("url") == "reference":
                ref = ((sub.get("valueReference") or {}).get("reference") or "").split("/")[-1]
        if role and ref:
            out[role] = ref
    return out


def merge(family: Family | None, resources: list[dict], patient: dict) -> tuple[Family, dict]:
    """The family with these FMH resources added (a new family around the patient when ``family`` is None)."""
    fam = family.copy() if family is not None else None
    if fam is None:
        me = patient_person(patient)
        fam = Family(id=str(patient.get("id") or "family"), people={me.id: me}, consultand=me.id)
    index = fam.consultand or fam.proband
    if index is None:
        me = patient_person(patient, pid="self" if "self" not in fam.people else "patient")
        fam.people[me.id] = me
        fam.consultand = index = me.id
    known = {p.refs.get("fhir") for p in fam.people.values() if p.refs.get("fhir")}
    new = [r for r in resources if str(r.get("id") or "") not in known or not r.get("id")]
    added: list[str] = []
    assumed: list[str] = []
    linked = any(_parent_links(r) for r in new)
    pid_of = {str(r.get("id")): None for r in new}
    if linked and family is None:
        # rebuild the tree from the parent links: every FMH is a person; links name FMH ids or the Patient
        patient_ref = str(patient.get("id") or "")
        pid_of[patient_ref] = index
        for r in new:
            p = Person(f"r{len(fam.people) + 1}", sex=_sex(r) or "unknown")
            for k, v in _attrs(r).items():
                setattr(p, k, v)
            while p.id in fam.people:
                p.id = p.id + "x"
            fam.people[p.id] = p
            pid_of[str(r.get("id"))] = p.id
            added.append(p.id)
        for r in new:
            me_id = pid_of[str(r.get("id"))]
            for role, ref in _parent_links(r).items():
                if pid_of.get(ref):
                    setattr(fam.people[me_id], role, pid_of[ref])
        _link_patient_parents(fam, index, new, pid_of)
        for r in new:
            if _code(r.get("relationship")) in ("SPS", "HUSB", "WIFE"):
                from workstation.family.model import Partnership

                fam.partnerships.append(Partnership(index, pid_of[str(r.get("id"))]))
        return fam, {"op": "import_fhir", "added": added, "assumed": assumed}
    for r in new:
        code = (_code(r.get("relationship")) or "").upper()
        attrs = _attrs(r)
        if code not in ROLE_SHAPES:
            code = "EXT"
        if code == "EXT":
            # a relative the tree cannot place: kept, unconnected, so nothing is lost
            p = Person(f"r{len(fam.people) + 1}", sex=_sex(r) or "unknown", **attrs)
            while p.id in fam.people:
                p.id += "x"
            fam.people[p.id] = p
            added.append(p.id)
            assumed.append(f"{r.get('id')}: relationship {_code(r.get('relationship'))!r} not placed in the tree")
            continue
        fam, ch = add_by_role(fam, index, code, _sex(r), **attrs)
        added += ch["added"]
        assumed += ch["assumed"]
    return fam, {"op": "import_fhir", "added": added, "assumed": assumed}


def _link_patient_parents(fam: Family, index: str, resources: list[dict], pid_of: dict) -> None:
    """The patient's own parents are the FMH whose relationship says mother/father."""
    me = fam.people[index]
    for r in resources:
        code = (_code(r.get("relationship")) or "").upper()
        pid = pid_of.get(str(r.get("id")))
        if code in ("MTH", "NMTH") and me.mother is None:
            me.mother = pid
        elif code in ("FTH", "NFTH") and me.father is None:
            me.father = pid


# -- export ---------------------------------------------------------------------------------------------------------
def fmh_id(person: Person) -> str:
    return person.refs.get("fhir") or f"fmh-{person.id}"


def to_resources(family: Family, patient_ref: str) -> list[dict]:
    """One FamilyMemberHistory per relative of the index person, with parent links and conditions."""
    index = family.index_id
    if index is None:
        return []
    rel = kinship.relatives(family, index)
    ref_of = {pid: f"FamilyMemberHistory/{fmh_id(p)}" for pid, p in family.people.items()}
    ref_of[index] = patient_ref
    out = []
    for pid, p in family.people.items():
        if pid == index:
            continue
        k = rel[pid]
        res: dict = {"resourceType": "FamilyMemberHistory", "id": fmh_id(p), "status": "completed",
                     "patient": {"reference": patient_ref},
                     "relationship": {"coding": [{"system": kinship.ROLE_SYSTEM, "code": k.code,
                                                  "display": k.display}], "text": k.display}}
        if p.name:
            res["name"] = p.name
        if p.sex in ("female", "male"):
            res["sex"] = {"coding": [{"system": GENDER, "code": p.sex}]}
        if p.year_of_birth:
            res["bornDate"] = str(p.year_of_birth)
        if p.deceased:
            if p.age is not None:
                res["deceasedAge"] = {"value": p.age, "unit": "a", "system": UCUM, "code": "a"}
            else:
                res["deceasedBoolean"] = True
        elif p.age is not None:
            res["ageAge"] = {"value": p.age, "unit": "a", "system": UCUM, "code": "a"}
        ext = []
        for role, code in (("father", "NFTH"), ("mother", "NMTH")):
            par = getattr(p, role)
            if par and par in ref_of:
                ext.append({"url": PARENT_EXT, "extension": [
                    {"url": "type", "valueCodeableConcept": {"coding": [{"system": kinship.ROLE_SYSTEM,
                                                                         "code": code}]}},
                    {"url": "reference", "valueReference": {"reference": ref_of[par]}}]})
        if ext:
            res["extension"] = ext
        if p.diagnoses:
            res["condition"] = []
            for d in p.diagnoses:
                c: dict = {"code": cond.coding(d)}
                if d.age is not None:
                    c["onsetAge"] = {"value": d.age, "unit": "a", "system": UCUM, "code": "a"}
                res["condition"].append(c)
        out.append(res)
    return out


def _onset_month(birth, age: int | None) -> str | None:
    """'YYYY-MM' half a year after the birthday at ``age`` (so the age computed back from it is ``age``)."""
    if age is None or birth is None:
        return None
    try:
        b = date.fromisoformat(str(birth)[:10])
    except ValueError:
        return None
    month = b.month + 6
    year = b.year + age + (month - 1) // 12
    return f"{year:04d}-{(month - 1) % 12 + 1:02d}"


def to_bundle(family: Family, patient: dict) -> dict:
    """A FHIR R4 collection Bundle: the Patient (id, sex, birth date only) and the family's FMH resources."""
    pid = str(patient.get("id") or "patient")
    pres: dict = {"resourceType": "Patient", "id": pid}
    if patient.get("sex") in ("female", "male", "other", "unknown"):
        pres["gender"] = patient["sex"]
    if patient.get("birth_date"):
        pres["birthDate"] = str(patient["birth_date"])[:10]
    entries = [{"fullUrl": f"Patient/{pid}", "resource": pres}]
    for r in to_resources(family, f"Patient/{pid}"):
        entries.append({"fullUrl": f"FamilyMemberHistory/{r['id']}", "resource": r})
    me = family.people.get(family.index_id or "")
    for i, d in enumerate(me.diagnoses if me is not None else []):
        # the index person's own diagnoses are Conditions of the Patient (FMH describes relatives only)
        cond = {"resourceType": "Condition", "id": f"{pid}-family-dx-{i + 1}", "subject": {"reference": f"Patient/{pid}"},
                "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                               "code": "active"}]}, "code": cond_coding(d)}
        onset = _onset_month(patient.get("birth_date"), d.age)
        if onset:
            cond["onsetDateTime"] = onset          # month precision: the age is all that is known
        elif d.age is not None:
            cond["onsetAge"] = {"value": d.age, "unit": "a", "system": UCUM, "code": "a"}
        entries.append({"fullUrl": f"Condition/{cond['id']}", "resource": cond})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
