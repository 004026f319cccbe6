"""The research-grade GSE7390 expression model: held-out C of the shipped ONNX, ONNX = numpy, the assay guard's
accept/refuse rates and reasons, the declared-platform import, and the profile path through the real store."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest


from models_onnx.build import cox_onnx, trained_gse7390 as gx
from tests.core.helpers import store_with_patient
from workstation.errors import MalformedFile
from workstation.ingest import import_file
from workstation.ingest.omics import import_omics
from workstation.models import load_registry, score_all
from workstation.models.assay_guard import check_profile

MODELS_DIR = Path(gx.__file__).resolve().parents[1]
CARD = json.loads((MODELS_DIR / f"{gx.MODEL_ID}.json").read_text())
N_CLIN = len(gx.CLINICAL)


@pytest.fixture(scope="module")
def cohort():
    return gx.load()


@pytest.fixture(scope="module")
def reg():
    return load_registry(MODELS_DIR)


def _x(cohort, rows):
    """The card's feature columns for ``rows``, taken from the cohort by the card's feature names."""
    cols = {name: j for j, name in enumerate(gx.CLINICAL + cohort.probes)}
    return cohort.f[rows][:, [cols[f] for f in CARD["features"]]]


def test_shipped_model_held_out_c_and_card(cohort):
    from sksurv.metrics import concordance_index_censored

    sess = ort.InferenceSession(str(MODELS_DIR / f"{gx.MODEL_ID}.onnx"), providers=["CPUExecutionProvider"])
    te = cohort.test
    lp = sess.run(["lp"], {"x": _x(cohort, te)})[0][:, 0]
    c = concordance_index_censored(cohort.event[te], cohort.time[te], lp)[0]
    assert c >= 0.60
    perf = CARD["performance"]["held_out"]
    assert perf["harrell_c"]["est"] == round(c, 4)
    assert CARD["category"] == "research" and "Research use" in CARD["intended_use"]
    assert "before it" in " ".join(CARD["subgroup_differences"])               # the calibration slopes
    assert all("too few to judge" in r["note"] for r in CARD["subgroups"])
    assert CARD["guard"]["platform"] == "Affymetrix HG-U133A" and len(CARD["guard"]["probes"]) == 76


def test_onnx_equals_numpy_and_the_alpha_is_the_cross_validated_one(cohort):
    m = gx.fit(cohort, n_boot=gx.N_FIT_BOOT)
    sess = ort.InferenceSession(str(MODELS_DIR / f"{gx.MODEL_ID}.onnx"), providers=["CPUExecutionProvider"])
    x = cohort.f[:, m.cols]
    names = [o.name for o in sess.get_outputs()]
    got = dict(zip(names, sess.run(names, {"x": x})))
    ref = cox_onnx.predict(m.params, x)
    for k in ref:
        assert np.max(np.abs(got[k] - ref[k])) < 1e-9, k
    te = got["value"][cohort.test]
    inside = (got["value_lo"][cohort.test] <= te) & (te <= got["value_hi"][cohort.test])
    assert inside.mean() >= 0.95                    # the refits are centred on the fit they bracket
    assert gx.choose_alpha(cohort) == gx.ALPHA
    from workstation.display import unit_text

    assert unit_text(gx.SCALE) == "log2 intensity"   # a scale, not an exponent


def _profiles(cohort, rows):
    x = cohort.f[rows][:, N_CLIN:]
    tr = cohort.f[cohort.train][:, N_CLIN:]
    lin = 2.0 ** x
    rng = np.random.default_rng(9)
    return {"held-out": x, "linear": lin, "log10": np.log10(lin), "z-scored": (x - tr.mean(0)) / tr.std(0),
            "shuffled": np.array([rng.permutation(r) for r in x]), "TPM": lin / lin.sum(1, keepdims=True) * 1e6,
            "counts": np.round(lin * 20)}


def test_assay_guard_accepts_every_held_out_profile_and_refuses_the_wrong_scales(cohort):
    g = CARD["guard"]
    for name, rows in _profiles(cohort, cohort.test).items():
        results = [check_profile(g, dict(zip(g["probes"], r))) for r in rows]
        if name == "held-out":
            assert all(r.ok for r in results)
        else:
            assert not any(r.ok for r in results), name
            assert all(r.reason and ("median" in r.reason or "correlates" in r.reason) for r in results)
    gap = dict(zip(g["probes"][1:], cohort.f[cohort.test[0], N_CLIN + 1:]))
    assert "lacks 1 of the 76" in check_profile(g, gap).reason
    assert CARD["performance"]["assay_guard_accept_rates"]["held-out GSE7390 (log2)"] == 1.0


def _inputs(cohort, i, values=None):
    f = cohort.f[i]
    vals = f[N_CLIN:] if values is None else values
    inp = {"age": f[0], "er_status": "positive" if f[1] else "negative",
           "grade": "poor" if f[3] else "intermediate" if f[2] else "well", "size_cm": f[4]}
    inp.update(dict(zip(CARD["guard"]["probes"], vals)))
    return inp


def test_registry_scores_a_held_out_patient_and_refuses_a_transformed_profile(cohort, reg):
    i = cohort.test[0]
    s = reg.score(gx.MODEL_ID, _inputs(cohort, i))
    sess = ort.InferenceSession(str(MODELS_DIR / f"{gx.MODEL_ID}.onnx"), providers=["CPUExecutionProvider"])
    assert s.value == pytest.approx(sess.run(["value"], {"x": _x(cohort, [i])})[0][0, 0], abs=1e-12)
    assert s.interval[0] <= s.value <= s.interval[1] and s.category == "research"
    assert abs(sum(s.contributions.values()) - s.extra["lp"]) < 1e-12
    # every held-out woman passes the assay check and the input ranges (the ranges cover the checked cohort)
    assert all(reg.score(gx.MODEL_ID, _inputs(cohort, j), explain=False).ok for j in cohort.test)
    z = reg.score(gx.MODEL_ID, _inputs(cohort, i, _profiles(cohort, [i])["z-scored"][0]))
    assert z.value is None and z.refused.startswith("assay check:")


def _write(path: Path, probes, values, header: str) -> Path:
    path.write_text(header + "probe_set,value\n" + "".join(f"{p},{v:.6f}\n" for p, v in zip(probes, values)))
    return path


def test_declared_platform_import_scores_and_rna_seq_is_not_converted(cohort, reg, tmp_path):
    st = store_with_patient(tmp_path, birth_date="1975-05-01")
    try:
        st.con.execute("UPDATE patients SET sex = 'female' WHERE id = 'P1'")
        probes, x = CARD["guard"]["probes"], cohort.f[cohort.test[0], N_CLIN:]
        with pytest.raises(MalformedFile, match="platform"):
            import_omics(st, _write(tmp_path / "a.csv", probes, x, ""), patient_id="P1")
        with pytest.raises(MalformedFile, match="scale"):
            import_omics(st, _write(tmp_path / "b.csv", probes, x, "# platform=GPL96\n"), patient_id="P1")
        with pytest.raises(MalformedFile, match="the file says platform=GPL96 but the import declares"):
            import_file(st, _write(tmp_path / "d.csv", probes, x, "# platform=GPL96\n# scale=log2\n"),
                        patient_id="P1", declared={"platform": "HG-U133_Plus_2"})
        rna = tmp_path / "rna.tsv"
        rna.write_text("gene_symbol\ttpm\nESR1\t40\nMKI67\t12\n")
        import_omics(st, rna, patient_id="P1")
        s = next(s for s in score_all(st.profile("P1"), registry=reg) if s.model == gx.MODEL_ID)
        assert not s.applicable and "gene symbols in TPM" in s.refused and "not converted" in s.refused
        import_file(st, _write(tmp_path / "c.csv", probes, x, ""), patient_id="P1",      # declared at import
                    declared={"platform": "HG-U133A", "scale": "log2"})
        over = {"er_status": "positive", "grade": "intermediate", "size_cm": 2.0}
        s = next(s for s in score_all(st.profile("P1"), registry=reg, overrides=over) if s.model == gx.MODEL_ID)
        assert s.ok, s.refused
        probe = CARD["features"][N_CLIN][1:]
        assert s.sources[probe]["platform"] == "HG-U133A" and s.sources[probe]["unit"] == "log2 intensity"
        assert s.extra["assay_guard"]["probes"] == 76
    finally:
        st.close()
