"""Benchmark the model suite: registry start-up, score_all with explanations for one patient, what-if re-score.

Run: ``python bench/bench_models.py`` (prints numbers; goals: start-up <= 150 ms, all models with explanations
<= 20 ms, what-if <= 2 ms). The patient is built in memory with the store's columns and has every input (free light
chains, an HG-U133A tumour profile and the clinical inputs entered), so every patient model runs with explanations
(the worst case: PCE/PREVENT/trained-model Shapley over all coalitions, the expression model's assay check). The
WDBC demonstration model is not scored for patients.
"""
from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _frame(table: str, rows: list[dict]):
    import pandas as pd

    from workstation.store import schema

    body = re.search(rf"CREATE TABLE {table} \((.*?)\n\);", schema.V1, re.S).group(1)
    cols = [p.strip().split()[0] for ln in body.splitlines() for p in ln.split("--")[0].split(",")
            if re.match(r"^[a-z_]+ ", p.strip())]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def patient():
    import pandas as pd

    from models_onnx.build.prs import read_weights
    from workstation.profile import FRAME_TABLES, PatientProfile

    def obs(code, v, unit, when):
        return {"patient_id": "b1", "code": code, "value_num": v, "unit": unit, "effective": pd.Timestamp(when),
                "display": code}
    rows = {t: [] for t in FRAME_TABLES}
    rows["observations"] = [obs("2093-3", 213, "mg/dL", "2024-01-10"), obs("2085-9", 50, "mg/dL", "2024-01-10"),
                            obs("8480-6", 138, "mm[Hg]", "2024-05-01"), obs("39156-5", 31, "kg/m2", "2024-05-01"),
                            obs("8302-2", 165, "cm", "2024-05-01"), obs("29463-7", 84, "kg", "2024-05-01"),
                            obs("8280-0", 96, "cm", "2024-05-01"), obs("38483-4", 0.9, "mg/dL", "2024-05-01"),
                            obs("36916-5", 14.0, "mg/L", "2024-05-01"), obs("33944-0", 16.0, "mg/L", "2024-05-01"),
                            dict(obs("72166-2", None, None, "2024-05-01"), value_text="Current every day smoker")]
    rows["medications"] = [{"patient_id": "b1", "display": "Simvastatin 10 MG Oral Tablet", "status": "active"}]
    rows["family_history"] = [{"patient_id": "b1", "relationship": "mother", "display": "Diabetes mellitus type 2"}]
    rows["variants"] = [{"patient_id": "b1", "chrom": r["chrom"], "pos": r["pos"], "ref": r["other_allele"],
                         "alt": r["effect_allele"], "gt": "0/1"} for r in read_weights()]
    import json

    guard = json.loads((ROOT / "models_onnx" / "gse7390_distant_metastasis_5y.json").read_text())["guard"]
    rows["analytes"] = [{"patient_id": "b1", "omics": "transcriptomics", "id_system": "probe_set:HG-U133A",
                         "analyte_id": p, "value": v + 0.1, "unit": "log2 intensity", "sample": "tumour"}
                        for p, v in zip(guard["probes"], guard["median_profile"])]
    frames = {t: _frame(t, rows.get(t, [])) for t in (*FRAME_TABLES, "variants", "ref_blocks")}
    return PatientProfile(patient={"id": "b1", "name": "Bench", "birth_date": date(1966, 4, 2), "sex": "female"},
                          sources=_frame("sources", []), as_of=datetime(2024, 6, 1), **frames)


def timed(fn, n: int) -> tuple[float, float]:
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts), max(ts)


def main() -> int:
    cold = subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter();"
                           "from workstation.models import load_registry; r=load_registry();"
                           "print((time.perf_counter()-t)*1000, len(r.ids()))"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    print(f"registry start-up, fresh process (import onnxruntime + verify + load {cold[1]} models): "
          f"{float(cold[0]):.1f} ms   (goal <= 150 ms)")
    from workstation.models import load_registry, score_all
    from workstation.models.registry import load_registry as _lr

    med, mx = timed(lambda: _lr(), 10)
    print(f"registry load, onnxruntime already imported (hash + session per model): median {med:.1f} ms, "
          f"max {mx:.1f} ms")
    reg = load_registry()
    prof = patient()
    pgx = {"VKORC1": {"diplotypes": ["rs9923231 reference (C)/rs9923231 variant (T)"]},
           "CYP2C9": {"diplotypes": ["*1/*2"]}}
    card = reg.card("wdbc_malignancy_logreg")
    overrides = {"race": "white", "physically_active_daily": False, "vegetables_daily": True, "high_glucose_ever": False,
                 "er_status": "positive", "grade": "intermediate", "size_cm": 2.0,
                 **{f: v * 1.1 for f, v in card["explain"]["reference"].items()}}
    scores = score_all(prof, pgx, registry=reg, overrides=overrides)
    refused = [(s.model, s.refused) for s in scores if s.refused]
    print(f"patient: {len(scores)} models, {len(scores) - len(refused)} scored with explanations; refused: {refused}")
    med, mx = timed(lambda: score_all(prof, pgx, registry=reg, overrides=overrides), 50)
    print(f"score_all (map profile + score + explain, all models): median {med:.2f} ms, max {mx:.2f} ms   "
          f"(goal <= 20 ms)")
    inputs = {k: v for k, v in scores[0].inputs_used.items()}
    med, mx = timed(lambda: reg.score("pce2013_ascvd_10y", inputs), 200)
    print(f"one model with exact Shapley explanation (PCE, 128 coalitions): median {med:.3f} ms")
    prev = [s for s in scores if s.model == "prevent_cvd_10y"][0].inputs_used
    med, mx = timed(lambda: reg.score("prevent_cvd_10y", prev), 200)
    print(f"one model with exact Shapley explanation (PREVENT CVD, 512 coalitions): median {med:.3f} ms")
    sbp = iter(range(10 ** 6))
    med, mx = timed(lambda: reg.what_if("prevent_cvd_10y", prev, {"sbp_mmhg": 100 + next(sbp) % 80}), 1000)
    print(f"what-if re-score (PREVENT CVD, SBP slider, no explanation): median {med:.3f} ms, max {mx:.3f} ms   "
          f"(goal <= 2 ms)")
    med, mx = timed(lambda: reg.what_if("prevent_cvd_10y", prev, {"sbp_mmhg": 100 + next(sbp) % 80},
                                        explain=True), 200)
    print(f"what-if re-score with explanation: median {med:.3f} ms, max {mx:.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
