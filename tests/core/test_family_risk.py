"""PREMM5, Claus and the Lynch criteria computed from family models built through the edit functions."""
from __future__ import annotations

import pytest

from workstation.family import Diagnosis, Family, Person, claus, criteria, edit, premm5
from workstation.family.edit import add_by_role


def base(sex="female", age=45) -> Family:
    return Family(people={"me": Person("me", sex=sex, age=age)}, consultand="me")


def rel(f, code, sex=None, **attrs):
    f, ch = add_by_role(f, "me", code, sex, **attrs)
    return f, ch["person"]


def test_premm5_matches_the_reference_checks():
    """The four computed checks in shared/reference/risk/HEREDITARY.md 1c (unclamped coding)."""
    assert premm5.score(base("female", 45)).value == pytest.approx(0.0089, abs=5e-5)
    f = base("male", 40)
    f.people["me"].diagnoses = [Diagnosis("colorectal_cancer", 38)]
    f, _ = rel(f, "MTH", diagnoses=[Diagnosis("colorectal_cancer", 50)])
    s = premm5.score(f)
    assert s.value == pytest.approx(0.2241, abs=5e-5)
    assert s.extra["MLH1"] == pytest.approx(0.0981, abs=5e-5) and s.extra["PMS2"] == pytest.approx(0.0155, abs=5e-5)
    assert s.band.startswith("at or above 2.5 %")
    f = base("female", 52)
    f.people["me"].diagnoses = [Diagnosis("endometrial_cancer", 48)]
    f, _ = rel(f, "SIS", diagnoses=[Diagnosis("colorectal_cancer", 45)])
    f, _ = rel(f, "MAUNT", diagnoses=[Diagnosis("colorectal_cancer", 60)])
    assert premm5.score(f).value == pytest.approx(0.0587, abs=5e-5)
    f = base("male", 30)
    f.people["me"].diagnoses = [Diagnosis("colorectal_cancer", 25)]
    s = premm5.score(f)
    assert s.value == pytest.approx(0.2170, abs=5e-5)
    assert any("outside 27-77" in n for n in s.notes)             # Michigan would clamp; said, not hidden


def test_premm5_refuses_without_age_or_sex():
    f = base("unknown", 40)
    assert "sex" in premm5.score(f).refused
    f = base("female", None)
    assert "current age" in premm5.score(f).refused


def test_claus_one_first_degree_relative():
    """Woman aged 40, mother diagnosed at 45: table 'one first-degree relative', onset band 40-49.
    R(40) = .012 + (.032 - .012) * 1/10 = .014; R(79) = .132; remaining = (.132 - .014) / (1 - .014)."""
    f = base("female", 40)
    f, _ = rel(f, "MTH", diagnoses=[Diagnosis("breast_cancer", 45)])
    s = claus.score(f)
    assert s.value == pytest.approx((0.132 - 0.014) / (1 - 0.014), rel=1e-12)
    assert s.extra["risk_to_79_from_birth"] == 0.132


def test_claus_picks_the_highest_table_and_refuses_outside_its_ages():
    f = base("female", 35)
    f, _ = rel(f, "MTH", diagnoses=[Diagnosis("breast_cancer", 38)])
    f, _ = rel(f, "MAUNT", diagnoses=[Diagnosis("breast_cancer", 42)])
    s = claus.score(f)
    assert "mother (38) and maternal aunt (42)" in s.band
    assert claus.score(base("female", 25)).refused.startswith("age 25 is outside 29-79")
    assert claus.score(base("male", 40)).refused == "the Claus tables are for women"
    assert "no first- or second-degree" in claus.score(base("female", 40)).refused


def lynch_family() -> Family:
    """Three generations: maternal grandfather CRC 62, mother CRC 44, maternal aunt endometrial 49, me CRC 41."""
    f = base("male", 43)
    f.people["me"].diagnoses = [Diagnosis("colorectal_cancer", 41)]
    f, _ = rel(f, "MTH", diagnoses=[Diagnosis("colorectal_cancer", 44)])
    f, _ = rel(f, "MGRFTH", diagnoses=[Diagnosis("colorectal_cancer", 62)])
    f, _ = rel(f, "MAUNT", diagnoses=[Diagnosis("endometrial_cancer", 49)])
    f, _ = rel(f, "FTH")
    return f


def test_amsterdam_ii_lists_the_relatives_that_meet_it():
    f = lynch_family()
    r = criteria.amsterdam_ii(f)
    assert r.met
    names = {f.people[p].id for p in r.people}
    mother = f.people["me"].mother
    grandfather = f.people[mother].father
    assert {"me", mother, grandfather} <= names
    assert f.people["me"].father not in names
    assert "pathology" in " ".join(r.not_assessable)


def test_amsterdam_ii_needs_two_generations_and_one_under_50():
    f = base("male", 70)
    f.people["me"].diagnoses = [Diagnosis("colorectal_cancer", 61)]
    f, s1 = rel(f, "SIS", diagnoses=[Diagnosis("colorectal_cancer", 55)])
    f, s2 = rel(f, "BRO", diagnoses=[Diagnosis("colorectal_cancer", 58)])
    assert not criteria.amsterdam_ii(f).met                       # one generation, all over 50
    f2, _ = edit.update_person(f, s1, age=None)
    f2, _ = edit.set_diagnoses(f2, s1, [Diagnosis("colorectal_cancer", 45)])
    assert not criteria.amsterdam_ii(f2).met                      # still one generation only


def test_bethesda():
    r = criteria.bethesda(lynch_family())
    assert r.met and "me" in r.people
    assert any("1 (colorectal cancer before 50)" in d for d in r.detail)
    assert not criteria.bethesda(base()).met


def test_bethesda_criterion_5_needs_two_relatives():
    f = base("female", 70)
    f.people["me"].diagnoses = [Diagnosis("colorectal_cancer", 65)]
    f, _ = rel(f, "SIS", diagnoses=[Diagnosis("endometrial_cancer", 60)])
    assert not criteria.bethesda(f).met
    f, _ = rel(f, "MAUNT", diagnoses=[Diagnosis("gastric_cancer", 70)])
    r = criteria.bethesda(f)
    assert r.met and r.people == ["me"] and r.detail == [
        "the patient: criteria 5 (two or more first- or second-degree relatives with Lynch-associated tumours)"]
