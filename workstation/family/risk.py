"""Hereditary risk from the family, computed once in the core and presented by the view, the PDF and the CLI.

``family_risk(profile)`` returns the Gail 5-year and to-age-90 risks (the ONNX model, inputs from the family and
the record with their sources), Claus, PREMM5 and the Amsterdam II / revised Bethesda criteria, each with its
basis or its refusal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.family import claus, criteria, premm5
from workstation.family.model import Family
from workstation.models.score import Score


@dataclass
class FamilyRisk:
    scores: list[Score] = field(default_factory=list)
    criteria: list[criteria.CriterionResult] = field(default_factory=list)
    family_size: int = 0

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return {"family_size": self.family_size, "scores": [s.to_dict() for s in self.scores],
                "criteria": [asdict(c) for c in self.criteria]}


def gail_scores(profile, registry=None) -> list[Score]:
    """Gail 5-year and to-age-90 risk for the patient (refusals included)."""
    from workstation.models.profile_inputs import gather_facts
    from workstation.models.registry import get_registry

    reg = registry or get_registry()
    if "gail_bcrat" not in reg.ids():
        return []
    facts = gather_facts(profile)
    names = [s["name"] for s in reg.card("gail_bcrat")["inputs"]]
    inputs = {n: facts.facts[n].value for n in names if n in facts.facts}
    sources = {n: facts.facts[n].source for n in names if n in facts.facts}
    out = []
    for label, t2 in (("5-year", None), ("to age 90", 90.0)):
        inp = dict(inputs)
        if t2 is not None and "T1" in inp:
            inp["T2"] = t2
        s = reg.score("gail_bcrat", inp)
        s.sources = dict(sources)
        s.notes = _gail_notes(profile)
        s.name = f"{s.name}, {label}"
        if str(profile.sex or "").lower() == "male":
            s.applicable, s.value, s.refused = False, None, "the Gail model is for women"
        out.append(s)
    return out


def _gail_notes(profile) -> list[str]:
    """Where the family makes Gail the wrong tool, say so beside its number (its card's own limitation)."""
    from workstation.family import kinship

    fam: Family | None = getattr(profile, "family", None)
    if fam is None or fam.index_id is None:
        return []
    notes = []
    carriers = [pid for pid, p in fam.people.items() if pid != fam.index_id
                and any(t.gene in ("BRCA1", "BRCA2") and t.positive for t in p.tests)]
    if carriers:
        who = ", ".join(kinship.kin(fam, fam.index_id, c).display.replace("natural ", "") for c in carriers)
        notes.append(f"a relative carries a BRCA1/BRCA2 pathogenic variant ({who}): Gail does not use this; a "
                     "pedigree model (BOADICEA via a CanRisk export) and genetic counselling apply")
    second = [pid for pid, k in kinship.relatives(fam).items() if k.degree == 2 and fam.people[pid].has("breast_cancer")]
    if second:
        notes.append(f"{len(second)} second-degree relative(s) with breast cancer are not counted by Gail (first "
                     "degree only)")
    return notes


def family_risk(profile, registry=None) -> FamilyRisk:
    from workstation.family.record import with_record

    fam: Family | None = with_record(getattr(profile, "family", None), profile)
    out = FamilyRisk(family_size=len(fam) if fam is not None else 0)
    out.scores += gail_scores(profile, registry)
    if fam is None or fam.index_id is None:
        for mod in (claus, premm5):
            s = Score(model=mod.CARD["id"], version=mod.VERSION, value=None, unit="probability",
                      name=mod.CARD["name"], card=dict(mod.CARD))
            s.refused = "no family history is recorded for this patient"
            s.applicable = False
            out.scores.append(s)
        return out
    out.scores.append(claus.score(fam))
    out.scores.append(premm5.score(fam))
    out.criteria = criteria.evaluate(fam)
    return out
