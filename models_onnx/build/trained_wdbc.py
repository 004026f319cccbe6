"""A model trained here: probability that a breast mass is malignant from fine-needle-aspirate nuclear features.

Data: Breast Cancer Wisconsin (Diagnostic) data set (WDBC; Wolberg, Street, Mangasarian; UCI ML repository),
as bundled in scikit-learn (``sklearn.datasets.load_breast_cancer``; 569 masses, 212 malignant). References
from the data set's description: Street WN, Wolberg WH, Mangasarian OL. Nuclear feature extraction for breast
tumor diagnosis. IS&T/SPIE 1993;1905:861-870. Wolberg WH, Street WN, Mangasarian OL. Machine learning
techniques to diagnose breast cancer from fine-needle aspirates. Cancer Letters 1994;77:163-171.

Model: standardise + L2 logistic regression on the ten "mean" nuclear features, trained on a stratified 70 %
split (``random_state=0``) and evaluated on the held-out 30 %: ROC AUC, Brier score, calibration intercept and
slope, and a quintile calibration table. Exported with skl2onnx in float64 (so the ONNX output equals the
logistic formula to ~1e-15); outputs renamed to the project contract (``value`` = P(malignant), ``lp`` = log-odds).
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import helper

from models_onnx.build.common import base_card, num
from models_onnx.build.graph import Built, finish

MODEL_ID = "wdbc_malignancy_logreg"
SEED = 0
C = 1.0             # inverse L2 strength (scikit-learn default)
FEATURE_SLUGS = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
                 "concave_points", "symmetry", "fractal_dimension"]
FEATURES = [f"wdbc_mean_{s}" for s in FEATURE_SLUGS]
UNITS = {"radius": "image units", "texture": "grey-level SD", "perimeter": "image units",
         "area": "image units^2"}


def _data():
    from sklearn.datasets import load_breast_cancer

    d = load_breast_cancer()
    x = np.asarray(d.data[:, :10], dtype=np.float64)
    y = (d.target == 0).astype(np.int64)            # target 0 = malignant in scikit-learn's encoding
    return x, y


def _calibration(y: np.ndarray, p: np.ndarray) -> dict:
    """Calibration-in-the-large and slope (logistic recalibration fitted by Newton), plus a quintile table."""
    p = np.clip(p, 1e-12, 1 - 1e-12)
    lp = np.log(p / (1 - p))
    a = np.column_stack([np.ones_like(lp), lp])
    beta = np.zeros(2)
    for _ in range(100):
        mu = 1 / (1 + np.exp(-(a @ beta)))
        w = mu * (1 - mu)
        step = np.linalg.solve(a.T @ (a * w[:, None]) + 1e-9 * np.eye(2), a.T @ (y - mu))
        beta += step
        if np.max(np.abs(step)) < 1e-12:
            break
    citl = 0.0  # calibration-in-the-large: intercept with lp as offset (slope fixed at 1)
    for _ in range(100):
        mu = 1 / (1 + np.exp(-(citl + lp)))
        step = float((y - mu).sum() / max((mu * (1 - mu)).sum(), 1e-12))
        citl += step
        if abs(step) < 1e-12:
            break
    order = np.argsort(p, kind="stable")
    bins = np.array_split(order, 5)
    table = [{"quintile": i + 1, "n": int(len(b)), "mean_predicted": round(float(p[b].mean()), 4),
              "observed": round(float(y[b].mean()), 4)} for i, b in enumerate(bins)]
    return {"slope": round(float(beta[1]), 4), "intercept_with_slope": round(float(beta[0]), 4),
            "calibration_in_the_large": round(citl, 4), "by_quintile": table,
            "observed_rate": round(float(y.mean()), 4), "mean_predicted": round(float(p.mean()), 4)}


def _newton_refine(z: np.ndarray, y: np.ndarray, w0: np.ndarray) -> np.ndarray:
    """Minimise scikit-learn's L2 logistic objective ``C * sum(log-loss) + ||coef||^2 / 2`` (intercept not
    penalised) by Newton's method from ``w0`` = (intercept, coef...); returns the optimum to machine precision."""
    a = np.column_stack([np.ones(len(z)), z])
    ridge = np.eye(a.shape[1])
    ridge[0, 0] = 0.0
    w = np.asarray(w0, dtype=np.float64).copy()
    for _ in range(50):
        mu = 1 / (1 + np.exp(-(a @ w)))
        grad = C * (a.T @ (mu - y)) + ridge @ w
        hess = C * (a.T @ (a * (mu * (1 - mu))[:, None])) + ridge
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-15 * max(1.0, float(np.max(np.abs(w)))):
            break
    return w


def _sig(a: np.ndarray, digits: int = 10) -> np.ndarray:
    """Round every element to ``digits`` significant digits (via its decimal representation)."""
    flat = [float(format(float(v), f".{digits}g")) for v in np.asarray(a, dtype=np.float64).ravel()]
    return np.array(flat, dtype=np.float64).reshape(np.shape(a))


def train():
    """Fit on the training split; return (pipeline, metrics dict, training matrix)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = _data()
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, stratify=y, random_state=SEED)
    from threadpoolctl import threadpool_limits

    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=10000))
    with threadpool_limits(limits=1):  # multi-threaded BLAS reductions can change the last bits between runs
        pipe.fit(x_tr, y_tr)
    # lbfgs stops at a loose tolerance, so its answer depends on the exact path (scipy version, BLAS kernel): seen
    # as different exported bytes on another machine with the same package versions. The fit is therefore
    # finished by Newton's method on the same penalised objective, which converges to the unique optimum to
    # machine precision, and then rounded to 10 significant digits (effect on predictions < 1e-8).
    scaler, clf = pipe.steps[0][1], pipe.steps[1][1]
    scaler.mean_, scaler.scale_ = _sig(scaler.mean_), _sig(scaler.scale_)
    w = _newton_refine((x_tr - scaler.mean_) / scaler.scale_, y_tr,
                       np.concatenate([clf.intercept_, clf.coef_.ravel()]))
    clf.intercept_, clf.coef_ = _sig(w[:1]), _sig(w[1:]).reshape(clf.coef_.shape)
    p = pipe.predict_proba(x_te)[:, 1]
    metrics = {
        "split": "stratified 70/30 hold-out, random_state=0",
        "n_train": int(len(y_tr)), "n_test": int(len(y_te)),
        "test_malignant": int(y_te.sum()),
        "roc_auc": round(float(roc_auc_score(y_te, p)), 4),
        "brier": round(float(brier_score_loss(y_te, p)), 4),
        "calibration": _calibration(y_te, p),
    }
    return pipe, metrics, x_tr


def _export(pipe, card: dict) -> onnx.ModelProto:
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import DoubleTensorType

    clf = pipe.steps[-1][1]
    onx = to_onnx(pipe, initial_types=[("x", DoubleTensorType([None, len(FEATURES)]))],
                  target_opset={"": 17, "ai.onnx.ml": 3}, options={id(clf): {"zipmap": False}},
                  naming=MODEL_ID)
    g = onx.graph
    sig = next(n for n in g.node if n.op_type == "Sigmoid")
    proba = next(o.name for o in g.output if o.name == "probabilities")
    col = helper.make_tensor("value_col", onnx.TensorProto.INT64, [1], [1])
    g.initializer.append(col)
    g.node.append(helper.make_node("Gather", [proba, "value_col"], ["value"], axis=1, name="value_gather"))
    # raw_scores is [N, 2] = (-z, z) for a binary logistic regression; column 1 is the log-odds z.
    g.node.append(helper.make_node("Gather", [sig.input[0], "value_col"], ["lp"], axis=1, name="lp_gather"))
    del g.output[:]
    g.output.extend([helper.make_tensor_value_info("value", onnx.TensorProto.DOUBLE, ["N", 1]),
                     helper.make_tensor_value_info("lp", onnx.TensorProto.DOUBLE, ["N", 1])])
    onx.producer_name = "skl2onnx"
    finish(onx, card)
    onnx.checker.check_model(onx, full_check=True)
    return onx


def card(metrics: dict, x_tr: np.ndarray) -> dict:
    c = base_card(
        MODEL_ID, "Breast-mass malignancy from FNA nuclear features (logistic regression, trained here)", "1.0",
        intended_use=("Demonstration of a locally trained, explained model: probability that a breast mass is "
                      "malignant from ten nuclear features measured on a digitised fine-needle-aspirate image. "
                      "Not validated for clinical diagnosis; pathology decides."),
        population="569 breast masses (212 malignant) in the WDBC data set (creators Wolberg, Street, Mangasarian; 1995).",
        outcome="Malignant diagnosis of the sampled mass.", horizon="at diagnosis",
        citation=("Street WN, Wolberg WH, Mangasarian OL. Nuclear feature extraction for breast tumor diagnosis. "
                  "IS&T/SPIE 1993;1905:861-870. Data: UCI Breast Cancer Wisconsin (Diagnostic), bundled in "
                  "scikit-learn (load_breast_cancer). Model trained by models_onnx/build/trained_wdbc.py."),
    )
    # A demonstration of a locally trained, explained model, not a clinical score: its inputs are image features
    # of one research group's pipeline that no patient record holds. Not scored for patients (see
    # workstation/models/applicability.py); available through ``workstation score`` with explicit inputs.
    c["category"] = "demonstration"
    lo, hi = x_tr.min(axis=0), x_tr.max(axis=0)
    c["inputs"] = [num(f, UNITS.get(s, "unitless"), round(float(a), 6), round(float(b), 6),
                       f"WDBC mean {s.replace('_', ' ')} of the imaged nuclei",
                       "range observed in the training split (the model is not validated outside it)")
                   for f, s, a, b in zip(FEATURES, FEATURE_SLUGS, lo, hi)]
    c["features"] = FEATURES
    c["output"] = {"name": "value", "unit": "probability", "meaning": "Probability that the mass is malignant."}
    c["extra_outputs"] = {"lp": "log-odds"}
    c["explain"] = {"method": "shapley_value", "players": FEATURES,
                    "reference": {f: round(float(m), 6) for f, m in zip(FEATURES, x_tr.mean(axis=0))},
                    "scale": "probability; exact Shapley values over all 1024 coalitions (features not in a "
                             "coalition set to the training-split mean), computed in one batched onnxruntime "
                             "call; they sum to P(patient) - P(reference)."}
    c["performance"] = {"held_out": metrics}
    c["subgroup_differences"] = [
        "Data from one research group's imaging and nuclear-segmentation pipeline; the features depend on that "
        "method and do not transfer to other laboratories' measurements.",
        "No patient demographics in the data: performance by age or ancestry cannot be assessed.",
    ]
    c["training"] = {"algorithm": ("StandardScaler + LogisticRegression(C=1.0, L2; lbfgs, finished by Newton's "
                                   "method to the exact optimum; parameters rounded to 10 significant digits)"),
                     "features": "the ten 'mean' nuclear features", "seed": SEED}
    return c


def build() -> list[Built]:
    pipe, metrics, x_tr = train()
    c = card(metrics, x_tr)
    return [Built(MODEL_ID, _export(pipe, c), c)]
