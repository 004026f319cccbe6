"""A fitted Cox model as a float64 ONNX graph, and the same computation in numpy (the reference it must match).

Graph (input ``x`` [N, F] in the card's units, feature order = card ``features``)::

    f     = x with ln() applied to the columns in ``log_cols``
    z     = (f - mean) / sd                                   standardised as in the fit
    terms = z * beta                                          [N, F], each feature's share of lp
    lp    = sum(terms)                                        linear predictor (0 at the training means)
    value = 1 - exp(-H0(h) * exp(lp))                         risk by the horizon (Breslow baseline)
    boot  = 1 - exp(-H0_b(h) * exp(z @ beta_b))               [N, B] risk under each bootstrap refit
    value_lo, value_hi = order statistics k_lo, k_hi of boot  percentile interval over the refits

With ``B`` refits the interval uses the ``(B + 1) * 0.025``-th and ``(B + 1) * 0.975``-th smallest values (B = 199:
the 5th and 195th), so ONNX and numpy pick the very same refit and agree exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper

from models_onnx.build.graph import GraphBuilder


@dataclass
class CoxParams:
    """Everything the graph needs (all rounded to 10 significant digits by the caller)."""

    log_cols: list[int]
    mean: np.ndarray
    sd: np.ndarray
    beta: np.ndarray
    h0: float
    boot_beta: np.ndarray          # [B, F]
    boot_h0: np.ndarray            # [B]

    @property
    def ranks(self) -> tuple[int, int]:
        b = len(self.boot_h0)
        lo, hi = round((b + 1) * 0.025), round((b + 1) * 0.975)
        return lo - 1, hi - 1          # 0-based positions in ascending order


def features(p: CoxParams, x: np.ndarray) -> np.ndarray:
    f = np.array(x, dtype=np.float64, copy=True)
    if p.log_cols:
        f[:, p.log_cols] = np.log(f[:, p.log_cols])
    return (f - p.mean) / p.sd


def predict(p: CoxParams, x: np.ndarray) -> dict[str, np.ndarray]:
    """The numpy reference: the same outputs as the graph, [N, 1] each (``terms`` [N, F])."""
    z = features(p, np.atleast_2d(x))
    terms = z * p.beta
    lp = terms.sum(axis=1, keepdims=True)
    boot = 1.0 - np.exp(-p.boot_h0[None, :] * np.exp(z @ p.boot_beta.T))
    ordered = np.sort(boot, axis=1)
    lo, hi = p.ranks
    return {"value": 1.0 - np.exp(-p.h0 * np.exp(lp)), "lp": lp, "terms": terms,
            "value_lo": ordered[:, lo:lo + 1], "value_hi": ordered[:, hi:hi + 1]}


def graph(model_id: str, p: CoxParams, card: dict) -> onnx.ModelProto:
    n_feat = len(p.mean)
    g = GraphBuilder(model_id, n_feat)
    if p.log_cols:
        cols = [g.col(i) for i in range(n_feat)]
        for i in p.log_cols:
            cols[i] = g.op("Log", cols[i])
        f = g.concat(cols)
    else:
        f = g.x
    z = g.div(g.sub(f, g.const(p.mean[None, :])), g.const(p.sd[None, :]))
    terms = g.mul(z, g.const(p.beta[None, :]))
    g.identity(terms, "terms")
    lp = g.rowsum(terms)
    g.identity(lp, "lp")
    g.op("Sub", g.scalar(1.0), g.op("Exp", g.op("Neg", g.mul(g.scalar(p.h0), g.op("Exp", lp)))), out="value")
    boot_lp = g.op("MatMul", z, g.const(p.boot_beta.T))
    boot = g.op("Sub", g.scalar(1.0),
                g.op("Exp", g.op("Neg", g.mul(g.const(p.boot_h0[None, :]), g.op("Exp", boot_lp)))))
    k = g.const_i64([len(p.boot_h0)])
    ordered = g._name("sorted")
    g.nodes.append(helper.make_node("TopK", [boot, k], [ordered, g._name("sorted_idx")], name=g._name("n"),
                                    axis=1, largest=0, sorted=1))
    lo, hi = p.ranks
    g.op("Gather", ordered, g.const_i64([lo]), axis=1, out="value_lo")
    g.op("Gather", ordered, g.const_i64([hi]), axis=1, out="value_hi")
    return g.model({"value": 1, "lp": 1, "terms": n_feat, "value_lo": 1, "value_hi": 1}, card)


def check_against_numpy(model: onnx.ModelProto, p: CoxParams, x: np.ndarray, tol: float = 1e-12) -> float:
    """Run the graph on ``x`` and return the largest |ONNX - numpy| over every output (raises above ``tol``)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    got = dict(zip(names, sess.run(names, {"x": np.asarray(x, dtype=np.float64)})))
    ref = predict(p, x)
    worst = max(float(np.max(np.abs(got[k] - ref[k]))) for k in ref)
    if not worst <= tol:
        raise AssertionError(f"ONNX differs from the numpy model by {worst:g}")
    return worst

