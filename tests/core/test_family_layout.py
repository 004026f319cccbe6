"""Pedigree layout (kinship2's depth / order / spacing): no overlaps, parents above children, partners adjacent."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from workstation.family import canrisk, drawing, edit, layout, ped
from workstation.family.model import Diagnosis, Family, Person

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pedigree"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared/data/pedigree is not beside this checkout")
FILES = ["ceph1463.ped", "d11.canrisk3", "d3.bwa", "d7.canrisk4", "d8.canrisk4"]


def read(name: str) -> Family:
    return (ped if name.endswith(".ped") else canrisk).read(DATA / name)[0]


def check(fam: Family, lay: layout.Layout) -> None:
    assert set(lay.x) == set(fam.people)                       # everyone placed once
    assert layout.overlaps(lay) == []                          # no two symbols closer than one pitch
    for p in fam.people.values():
        for par in (p.father, p.mother):
            if par:
                assert lay.depth[par] < lay.depth[p.id], (par, p.id)   # parents above children
    for row in lay.rows:
        assert len(row) == len(set(row))


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_shared_pedigrees_lay_out_cleanly(name):
    fam = read(name)
    lay = layout.layout(fam)
    check(fam, lay)
    for a, b, *_ in lay.couples:                               # partners side by side: nobody between them
        row = sorted(lay.rows[lay.depth[a]], key=lambda q: lay.x[q])
        assert lay.depth[a] == lay.depth[b] and abs(row.index(a) - row.index(b)) == 1, (a, b)


@needs_data
def test_ceph_1463_three_generations_centred():
    fam = read("ceph1463.ped")
    lay = layout.layout(fam)
    assert [len(r) for r in lay.rows] == [4, 2, 11]
    kids = [p for p in fam.people if fam.people[p].father == "NA12877"]
    centre = sum(lay.x[k] for k in kids) / len(kids)
    assert abs((lay.x["NA12877"] + lay.x["NA12878"]) / 2 - centre) < 1e-6     # parents centred over the 11
    assert [lay.x[k] for k in kids] == sorted(lay.x[k] for k in kids)          # birth order left to right
    assert lay.x["NA12889"] < lay.x["NA12891"]                                  # paternal side on the left


def random_family(n: int, seed: int) -> Family:
    rng = random.Random(seed)
    f = Family(people={"me": Person("me", sex="female", age=40)}, consultand="me")
    codes = ["MTH", "FTH", "SIS", "BRO", "MAUNT", "PAUNT", "MUNCLE", "PUNCLE", "MCOUSN", "PCOUSN", "DAU", "SON",
             "NIECE", "NEPHEW", "MGRMTH", "PGRFTH", "HSIS", "GRNDDAU"]
    while len(f) < n:
        try:
            f, _ = edit.add_by_role(f, "me", rng.choice(codes))
        except edit.FamilyEditError:
            pass
    return f


@pytest.mark.parametrize("seed", range(8))
def test_fifty_people_lay_out_without_overlaps(seed):
    fam = random_family(50, seed)
    check(fam, layout.layout(fam))


def test_married_in_founder_sits_with_the_partner_and_sibship_stays_together():
    fam = random_family(3, 0)
    fam, ch = edit.add_sibling(fam, "me", "male")
    fam, ch2 = edit.add_partner(fam, "me", "male")
    fam, _ = edit.add_child(fam, "me", "female", partner=ch2["person"])
    lay = layout.layout(fam)
    check(fam, lay)
    assert lay.depth[ch2["person"]] == lay.depth["me"]


def test_drawing_marks_nsgc_elements():
    f = Family(people={"me": Person("me", sex="female", age=40, gender="non-binary")}, consultand="me")
    f, ch = edit.add_by_role(f, "me", "MTH", diagnoses=[Diagnosis("breast_cancer", 45), Diagnosis("ovarian_cancer", 50)])
    mother = ch["person"]
    f, _ = edit.update_person(f, mother, deceased=True, age=52)
    f, ch = edit.add_sibling(f, "me", "male")
    f, _ = edit.update_person(f, ch["person"], twin_group="t1", twin_type="MZ")
    f, _ = edit.update_person(f, "me", twin_group="t1", twin_type="MZ", sex="male")
    d = drawing.drawing(f)
    m = d.symbol(mother)
    assert m.shape == "circle" and m.deceased and len(m.fills) == 2 and "d. 52" in m.lines
    me = d.symbol("me")
    assert me.shape == "diamond" and "AMAB" in me.lines and me.consultand and me.number.startswith("II-")
    assert [k for k, _ in d.legend] == ["breast_cancer", "ovarian_cancer"]
    assert any(ln.kind == "mz_bar" for ln in d.lines) and sum(ln.kind == "twin" for ln in d.lines) == 2
    assert [g for g, _ in d.generations] == ["I", "II"]


@needs_data
def test_a_married_in_partner_goes_beside_not_inside_the_sibship():
    """d11: sisters jNFc and ch1; ch1's partner WsLV married in. The sisters stay side by side."""
    lay = layout.layout(read("d11.canrisk3"))
    row = sorted(lay.rows[1], key=lambda q: lay.x[q])
    assert row == ["jNFc", "ch1", "WsLV"]
