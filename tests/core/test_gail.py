"""Gail model (NCI BCRAT) as an ONNX graph: BCRA 2.1.2's own outputs reproduced, refusals per NCI's tool.

Expected values: reference outputs generated with the CRAN package BCRA 2.1.2 and committed by epiverse/bcra-js
(``packages/bcra/test/fixtures/r-reference/race-specific.json`` and ``age-edge-cases.json`` @
108d5c4e34e532ec4395f3efbe55770a9830b5e1; AbsRisk and AvgRisk are printed there in percent). The first two rows are
also quoted in shared/reference/risk/MODELS.md section 6.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from workstation.models import load_registry

KEYS = ("T1", "T2", "N_Biop", "HypPlas", "AgeMen", "Age1st", "N_Rels", "Race")
# (fixture ID, T1, T2, N_Biop, HypPlas, AgeMen, Age1st, N_Rels, Race, AbsRisk %, RR_Star1, AvgRisk % or None)
BCRA_2_1_2 = [
    (1, 40, 50, 1, 99, 12, 25, 1, 1, 4.5136216073, 5.1407908505, 1.5338974272),
    (2, 45, 55, 2, 1, 10, 98, 2, 1, 24.125253066, 31.0623947863, 2.2303822611),
    (4, 50, 60, 99, 99, 99, 99, 99, 1, 1.3863082967, 1.0, 2.7276339471),
    (5, 40, 45, 1, 0, 11, 98, 1, 1, 1.8983595395, 5.2521974066, 0.57874458477),
    (7, 70, 80, 1, 99, 12, 28, 0, 1, 4.5936976595, 2.8878922711, 4.1597343058),
    (8, 55, 65, 3, 99, 11, 30, 1, 1, 8.956792832, 9.8581274758, 3.1886354535),
    (9, 42, 52, 1, 0, 12, 26, 3, 1, 7.7073715194, 8.5106323648, 1.8141162543),
    (12, 45, 55, 2, 1, 10, 98, 2, 2, 11.4017761885, 8.8636822001, None),
    (17, 70, 80, 1, 99, 12, 28, 0, 2, 3.442200511, 1.5674735928, None),
    (22, 45, 55, 2, 1, 10, 98, 2, 3, 5.8245861091, 3.7669813318, None),
    (29, 42, 52, 1, 0, 12, 26, 3, 3, 2.0161619073, 1.5265800097, None),
    (38, 55, 65, 3, 99, 11, 30, 1, 4, 8.956792832, 9.8581274758, None),
    (42, 45, 55, 2, 1, 10, 98, 2, 5, 16.0564828123, 31.1558049775, None),
    (48, 55, 65, 3, 99, 11, 30, 1, 5, 13.3025723217, 17.1185741634, None),
    (52, 45, 55, 2, 1, 10, 98, 2, 6, 15.8392569501, 24.5010408729, None),
    (59, 42, 52, 1, 0, 12, 26, 3, 6, 4.0633623787, 6.683753352, None),
    (68, 55, 65, 3, 99, 11, 30, 1, 7, 27.0960044332, 17.7478038785, None),
    (71, 40, 50, 1, 99, 12, 25, 1, 8, 4.8802680186, 7.1868315613, None),
    (116, 45.5, 50.5, 1, 99, 12, 25, 1, 1, 2.6934056167, 5.1407908505, 0.99924114617),
    (117, 48.3, 51.7, 1, 99, 12, 25, 1, 1, 1.7593653666, 5.1407908505, 0.77028447946),
    (115, 89.9, 90, 0, 99, 12, 30, 0, 1, 0.049970811144, 2.1167649819, 0.039814493133),
    (125, 70.3, 85.7, 1, 99, 12, 25, 1, 1, 10.841909905, 5.1407908505, 5.6516645547),
    (130, 45.5, 50.5, 1, 99, 12, 25, 1, 10, 1.4922876399, 7.1868315613, None),
    (135, 60.2, 65.8, 1, 99, 12, 25, 1, 1, 4.0831151276, 5.1407908505, 2.0252260364),
]


@pytest.fixture(scope="module")
def reg():
    return load_registry()


@pytest.mark.parametrize("row", BCRA_2_1_2, ids=[f"bcra-{r[0]}" for r in BCRA_2_1_2])
def test_reproduces_bcra_2_1_2(reg, row):
    inputs = dict(zip(KEYS, row[1:9]))
    s = reg.score("gail_bcrat", inputs)
    assert s.refused is None, s.refused
    assert s.value == pytest.approx(row[9] / 100, rel=1e-9)          # a fraction, BCRA prints percent
    assert s.extra["rr_under_50"] == pytest.approx(row[10], rel=1e-9)
    if row[11] is not None:
        assert s.extra["average_risk"] == pytest.approx(row[11] / 100, rel=1e-9)
    assert s.card["citation"] and "BCRA 2.1.2" in s.card["citation"]


def test_the_graph_is_a_verified_onnx_file(reg):
    card = reg.card("gail_bcrat")
    assert card["kind"] == "bcrat" and len(card["sha256"]) == 64
    assert "gail" in card["id"]


@pytest.mark.parametrize("change, reason", [
    ({"T1": 30}, "aged 35 or older"),
    ({"T1": 50, "T2": 50}, "must be after the current age"),
    ({"T2": 95}, "after age 90"),
    ({"N_Biop": 0, "HypPlas": 1}, "requirement A"),
    ({"AgeMen": 55}, "after the current age"),
    ({"Age1st": 11, "AgeMen": 13}, "before the age at menarche"),
    ({"Race": 12}, "BCRA code 1-11"),
    ({"prior_breast_cancer": True}, "history of breast cancer"),
    ({"brca_carrier": True}, "BRCA1 or BRCA2"),
    ({"N_Rels": -1}, "whole number of relatives"),
])
def test_refusals(reg, change, reason):
    inputs = dict(zip(KEYS, (40, 50, 1, 99, 12, 25, 1, 1)), **change)
    s = reg.score("gail_bcrat", inputs)
    assert s.value is None and reason in s.refused


def test_race_2_ignores_first_birth_like_bcra(reg):
    """The CARE model has no Age1st term, so BCRA does not check it against menarche for Race 2."""
    s = reg.score("gail_bcrat", dict(zip(KEYS, (40, 50, 1, 99, 13, 11, 1, 2))))
    assert s.refused is None


def test_missing_answers_are_coded_unknown_and_said_so(reg):
    s = reg.score("gail_bcrat", {"T1": 50, "T2": 60, "Race": 1})
    assert s.value == pytest.approx(1.3863082967 / 100, rel=1e-9)      # fixture 4: every answer 99
    assert set(s.defaults_used) >= {"N_Biop", "AgeMen", "Age1st", "N_Rels"}


def test_cli_score_json(tmp_path):
    inputs = json.dumps(dict(zip(KEYS, (40, 50, 1, 99, 12, 25, 1, 1))))
    r = subprocess.run([sys.executable, "-m", "ui.launcher", "score", "gail_bcrat", "--inputs", inputs,
                        "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["value"] == pytest.approx(0.045136216073, rel=1e-9)
