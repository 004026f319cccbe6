"""Registry: manifest integrity, tamper refusal, reproducible build, cards, PRS, the trained model, CLI."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest

from models_onnx.build import build_all, prs, trained_flchain, trained_gse7390, trained_wdbc
from workstation.cli import run
from workstation.errors import ModelError
from workstation.models import explain, load_registry

MODELS_DIR = Path(build_all.__file__).resolve().parents[1]
EXPECTED_IDS = {"pce2013_ascvd_10y", "prevent_cvd_10y", "prevent_ascvd_10y", "prevent_hf_10y", "prevent_cvd_30y",
                "prevent_ascvd_30y", "iwpc_warfarin_weekly_dose", "iwpc_warfarin_clinical_weekly_dose",
                "prs_pgs000001_breast_cancer", "findrisc_t2d", "wdbc_malignancy_logreg", "gail_bcrat",
                "flchain_mortality_10y", "gse7390_distant_metastasis_5y"}
CARD_FIELDS = {"intended_use", "population", "outcome", "horizon", "inputs", "output", "performance",
               "subgroup_differences", "citation", "version"}


@pytest.fixture(scope="module")
def reg():
    return load_registry(MODELS_DIR)


@pytest.fixture()
def copy_dir(tmp_path):
    d = tmp_path / "models"
    shutil.copytree(MODELS_DIR, d, ignore=shutil.ignore_patterns("build", "__pycache__", "*.py"))
    return d


def test_all_models_load_with_complete_cards(reg):
    assert set(reg.ids()) == EXPECTED_IDS and not reg.problems
    for card in reg.cards():
        assert CARD_FIELDS <= set(card), card["id"]
        model = onnx.load(str(MODELS_DIR / f"{card['id']}.onnx"))
        meta = {p.key: p.value for p in model.metadata_props}
        assert json.loads(meta["model_card"]) == json.loads((MODELS_DIR / f"{card['id']}.json").read_text())
        manifest = json.loads((MODELS_DIR / "MANIFEST.json").read_text())
        assert card["sha256"] == manifest["files"][f"{card['id']}.onnx"]["sha256"]


def test_published_graphs_are_float64(reg):
    for mid in EXPECTED_IDS:
        model = onnx.load(str(MODELS_DIR / f"{mid}.onnx"))
        assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
        assert all(o.type.tensor_type.elem_type == onnx.TensorProto.DOUBLE for o in model.graph.output)


def test_tampered_model_is_refused_alone(copy_dir):
    path = copy_dir / "pce2013_ascvd_10y.onnx"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01
    path.write_bytes(bytes(data))
    r = load_registry(copy_dir)
    assert "pce2013_ascvd_10y" in r.problems and "does not match MANIFEST.json" in r.problems["pce2013_ascvd_10y"]
    assert "prevent_cvd_10y" in r.ids()
    with pytest.raises(ModelError, match="pce2013_ascvd_10y"):
        r.score("pce2013_ascvd_10y", {})
    assert any(c.get("status") == "refused" for c in r.cards())


def test_tampered_card_and_missing_file_and_unlisted(copy_dir):
    card = copy_dir / "findrisc_t2d.json"
    card.write_text(card.read_text().replace("Finnish", "Finish"))
    (copy_dir / "prevent_hf_10y.onnx").unlink()
    shutil.copy(copy_dir / "prevent_cvd_10y.onnx", copy_dir / "extra.onnx")
    r = load_registry(copy_dir)
    assert "model card" in r.problems["findrisc_t2d"]
    assert "missing" in r.problems["prevent_hf_10y"]
    assert "not listed" in r.problems["extra.onnx"]
    assert len(r.ids()) == len(EXPECTED_IDS) - 2


def test_re_signed_model_with_foreign_card_is_refused(copy_dir):
    """Even with a matching manifest hash, a card inside the ONNX that differs from the side-car is refused."""
    m = onnx.load(str(copy_dir / "findrisc_t2d.onnx"))
    for p in m.metadata_props:
        if p.key == "model_card":
            p.value = p.value.replace("Finnish", "Finish")
    data = m.SerializeToString()
    (copy_dir / "findrisc_t2d.onnx").write_bytes(data)
    man = json.loads((copy_dir / "MANIFEST.json").read_text())
    man["files"]["findrisc_t2d.onnx"]["sha256"] = hashlib.sha256(data).hexdigest()
    (copy_dir / "MANIFEST.json").write_text(json.dumps(man))
    assert "differs" in load_registry(copy_dir).problems["findrisc_t2d"]


def test_missing_or_damaged_manifest(copy_dir):
    (copy_dir / "MANIFEST.json").write_text("{not json")
    with pytest.raises(ModelError, match="damaged"):
        load_registry(copy_dir)
    (copy_dir / "MANIFEST.json").unlink()
    with pytest.raises(ModelError, match="No model manifest"):
        load_registry(copy_dir)


def test_env_var_overrides_models_dir(copy_dir, monkeypatch):
    from workstation.models import registry

    monkeypatch.setenv("WORKSTATION_MODELS_DIR", str(copy_dir))
    assert registry.default_models_dir() == copy_dir
    assert load_registry().models_dir == copy_dir


def test_build_is_reproducible(tmp_path):
    """Rebuilding gives exactly the committed bytes (every .onnx, card and the manifest) with the build tools the
    manifest records. With other versions of the build tools the hand-built published equations and their cards
    must still be byte-identical, and each trained model must compute the same probabilities."""
    manifest = build_all.write(build_all.build_models(), tmp_path)
    committed = json.loads((MODELS_DIR / "MANIFEST.json").read_text())
    if manifest["build_tools"] == committed["build_tools"]:
        assert manifest["files"] == committed["files"]
        assert (tmp_path / "MANIFEST.json").read_bytes() == (MODELS_DIR / "MANIFEST.json").read_bytes()
        return
    # trained models: their cards hold measured figures and their bytes may differ in the last bits of a
    # coefficient; they must compute the same values on their own data
    gse = trained_gse7390.load()
    gse_cols = [(trained_gse7390.CLINICAL + gse.probes).index(f) for f in
                json.loads((MODELS_DIR / f"{trained_gse7390.MODEL_ID}.json").read_text())["features"]]
    trained = {trained_wdbc.MODEL_ID: trained_wdbc._data()[0], trained_flchain.MODEL_ID: trained_flchain.load().x,
               trained_gse7390.MODEL_ID: gse.f[:, gse_cols]}
    names = {f"{m}.{ext}" for m in trained for ext in ("onnx", "json")}
    assert {k: v for k, v in manifest["files"].items() if k not in names} == \
        {k: v for k, v in committed["files"].items() if k not in names}
    import onnxruntime as ort

    for model_id, x in trained.items():
        runs = [ort.InferenceSession(str(d / f"{model_id}.onnx"), providers=["CPUExecutionProvider"])
                .run(["value"], {"x": x})[0] for d in (tmp_path, MODELS_DIR)]
        assert np.max(np.abs(runs[0] - runs[1])) < 1e-8, model_id


def test_trained_model_fit_is_the_exact_optimum():
    """The exported coefficients are the penalised maximum-likelihood optimum (gradient ~0), not wherever lbfgs
    happened to stop: that is what makes the build reproducible across BLAS kernels and scipy versions."""
    pipe, _, x_tr = trained_wdbc.train()
    scaler, clf = pipe.steps[0][1], pipe.steps[1][1]
    from sklearn.model_selection import train_test_split

    x, y = trained_wdbc._data()
    _, _, y_tr, _ = train_test_split(x, y, test_size=0.3, stratify=y, random_state=trained_wdbc.SEED)
    a = np.column_stack([np.ones(len(x_tr)), (x_tr - scaler.mean_) / scaler.scale_])
    w = np.concatenate([clf.intercept_, clf.coef_.ravel()])
    mu = 1 / (1 + np.exp(-(a @ w)))
    grad = trained_wdbc.C * (a.T @ (mu - y_tr)) + np.concatenate([[0.0], w[1:]])
    assert np.max(np.abs(grad)) < 1e-6          # only the 10-significant-digit rounding is left (lbfgs: ~3e-2)


# --- PRS --------------------------------------------------------------------------------------------------------
def test_prs_score_and_coverage(reg):
    rows = prs.read_weights()
    assert len(rows) == 77
    rng = np.random.default_rng(7)
    d = {r["rsid"]: int(rng.integers(0, 3)) for r in rows}
    for r in rows[:10]:
        d[r["rsid"]] = None                                          # not called
    s = reg.score("prs_pgs000001_breast_cancer", d)
    w = np.array([r["weight"] for r in rows])
    dos = np.array([d[r["rsid"]] or 0 for r in rows], dtype=float)
    called = np.array([d[r["rsid"]] is not None for r in rows])
    expected = float((dos * w * called).sum())
    assert abs(s.value - expected) < 1e-9
    assert s.extra["coverage"] == pytest.approx(67 / 77)
    assert s.extra["avg"] == pytest.approx(expected / (2 * 67))
    assert abs(sum(s.contributions.values()) - s.value) < 1e-12 and len(s.inputs_missing) == 10
    assert "percentile" not in s.extra


def test_prs_refusals(reg):
    rows = prs.read_weights()
    few = {r["rsid"]: 1 for r in rows[:50]}
    assert "coverage" in reg.score("prs_pgs000001_breast_cancer", few).refused
    bad = {r["rsid"]: 1 for r in rows} | {rows[0]["rsid"]: 3}
    assert "0, 1 or 2" in reg.score("prs_pgs000001_breast_cancer", bad).refused


def test_prs_weights_match_reference_file():
    import gzip

    ref = Path(__file__).resolve().parents[3] / "shared/reference/risk/PGS000001_hmPOS_GRCh38.txt.gz"
    if not ref.exists():
        pytest.skip("shared/reference is not beside this checkout")
    lines = [ln.split("\t") for ln in gzip.open(ref, "rt").read().splitlines() if not ln.startswith("#")]
    hdr = lines[0]
    orig = {r[hdr.index("rsID")]: (float(r[hdr.index("effect_weight")]), int(r[hdr.index("hm_pos")]),
                                   r[hdr.index("effect_allele")]) for r in lines[1:]}
    ours = {r["rsid"]: (r["weight"], r["pos"], r["effect_allele"]) for r in prs.read_weights()}
    assert ours == orig


# --- trained model ----------------------------------------------------------------------------------------------
def test_trained_model_matches_logistic_formula_and_card(reg):
    pipe, metrics, _ = trained_wdbc.train()
    x, _y = trained_wdbc._data()
    scaler, clf = pipe.steps[0][1], pipe.steps[1][1]
    card = reg.card("wdbc_malignancy_logreg")
    assert card["performance"]["held_out"] == metrics and metrics["roc_auc"] > 0.9
    for row in x[::37]:
        inputs = dict(zip(card["features"], row))
        s = reg.score("wdbc_malignancy_logreg", inputs, explain=False)
        z = ((row - scaler.mean_) / scaler.scale_) @ clf.coef_[0] + clf.intercept_[0]
        if s.refused:                                    # outside the training range (test-split rows)
            assert "outside the validated range" in s.refused
            continue
        assert abs(s.value - 1 / (1 + np.exp(-z))) < 1e-9


def test_trained_model_exact_shapley(reg):
    card = reg.card("wdbc_malignancy_logreg")
    ref = card["explain"]["reference"]
    inputs = {f: ref[f] * 1.3 for f in card["features"]}
    s = reg.score("wdbc_malignancy_logreg", inputs)
    assert len(s.contributions) == 10
    assert abs(s.baseline + sum(s.contributions.values()) - s.value) < 1e-12
    # brute-force Shapley for one player with independent code (per-coalition predictions via what_if)
    players = card["features"]
    from itertools import combinations
    from math import factorial

    def v(coal):
        x = {f: (inputs[f] if f in coal else ref[f]) for f in players}
        return reg.score("wdbc_malignancy_logreg", x, explain=False).value

    i = players[0]
    others = players[1:]
    phi = 0.0
    k = len(players)
    for size in range(k):
        for S in combinations(others, size):
            phi += factorial(size) * factorial(k - size - 1) / factorial(k) * (v(set(S) | {i}) - v(set(S)))
    assert abs(phi - s.contributions[i]) < 1e-12


def test_shapley_weights_efficiency():
    for k in (1, 3, 7):
        w = explain.shapley_weights(k)
        v = np.random.default_rng(k).normal(size=2 ** k)
        assert abs((w @ v).sum() - (v[-1] - v[0])) < 1e-12


def test_what_if(reg):
    base = dict(age=55, sex="male", race="white", total_chol_mgdl=213, hdl_mgdl=50, sbp_mmhg=120, bp_treated=False,
                smoker=False, diabetes=False)
    a = reg.score("pce2013_ascvd_10y", base)
    b = reg.what_if("pce2013_ascvd_10y", base, {"smoker": True})
    assert b.value > a.value and base["smoker"] is False
    assert reg.what_if("pce2013_ascvd_10y", base, {"age": 90}).refused


# --- CLI --------------------------------------------------------------------------------------------------------
def test_cli_score_inputs_json(capsys):
    inputs = json.dumps(dict(age=55, sex="female", race="white", total_chol_mgdl=213, hdl_mgdl=50, sbp_mmhg=120,
                             bp_treated=False, smoker=False, diabetes=False))
    assert run(["score", "pce2013_ascvd_10y", "--inputs", inputs, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"model", "version", "value", "unit", "contributions", "refused"} <= set(out)
    assert out["refused"] is None and round(out["value"], 3) == 0.021
    assert run(["score", "pce2013_ascvd_10y", "--inputs", json.dumps({"age": 30}), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["value"] is None and "outside the validated range" in out["refused"]


def test_cli_models_and_errors(capsys, copy_dir, monkeypatch):
    assert run(["models", "--json"]) == 0
    ids = {c["id"] for c in json.loads(capsys.readouterr().out)}
    assert EXPECTED_IDS <= ids
    assert run(["score", "no_such_model", "--inputs", "{}"]) == 3
    assert "no model called" in capsys.readouterr().err
    assert run(["score", "findrisc_t2d", "--inputs", "{oops"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    # a tampered file: the CLI says which model and why, in one sentence
    from workstation.models import registry

    path = copy_dir / "iwpc_warfarin_weekly_dose.onnx"
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    monkeypatch.setenv("WORKSTATION_MODELS_DIR", str(copy_dir))
    monkeypatch.setattr(registry, "_DEFAULT", None)
    assert run(["score", "iwpc_warfarin_weekly_dose", "--inputs", "{}"]) == 2
    err = capsys.readouterr().err
    assert "iwpc_warfarin_weekly_dose" in err and "does not match MANIFEST.json" in err
    monkeypatch.setattr(registry, "_DEFAULT", None)
