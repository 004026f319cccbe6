"""Survival-model numerics shared by the trained Cox models (build time only; numpy, no fitting library).

* :func:`cox_fit`: penalised Cox regression (Breslow ties, ridge penalty ``lam / 2 * ||beta||^2`` on the
  standardised features, optional per-feature penalty factors and a fixed L1 active set) fitted by Newton's
  method to the unique optimum, so the answer does not depend on an optimiser's stopping rule, thread count or
  BLAS kernel beyond the last bits (which the 10-significant-digit rounding in :func:`sig` removes).
* :func:`breslow_h0`: Breslow cumulative baseline hazard at a horizon.
* :func:`km_risk`: Kaplan-Meier risk ``1 - S(h)`` with case weights (bootstrap resamples as integer weights).
* :class:`Evaluator`: held-out discrimination and calibration with percentile-bootstrap CIs, computed from
  case-weight vectors: Harrell's C (same definition as ``sksurv.metrics.concordance_index_censored``: a pair is
  comparable when the earlier time is an event, an event is comparable to a censoring at the same time, risk
  ties within 1e-8 count one half), cumulative/dynamic time-dependent AUC at the horizon (IPCW from the
  training split's censoring distribution, as ``sksurv.metrics.cumulative_dynamic_auc``), O/E (Kaplan-Meier
  observed risk over mean predicted risk) and the Cox calibration slope (coefficient of the linear predictor
  refitted on the held-out data). Harrell numerators and denominators are sums of integers, so they are exact in
  float64 whatever the summation order.

Resampling a data set is the same as giving each row an integer weight (how often it was drawn): the Breslow
likelihood, Kaplan-Meier estimate and concordance counts of the weighted data equal those of the resampled rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TIE_TOL = 1e-8          # risk scores this close count as tied (sksurv's default tied_tol)


def sig(a, digits: int = 10) -> np.ndarray:
    """Round every element to ``digits`` significant digits (via its decimal representation)."""
    arr = np.asarray(a, dtype=np.float64)
    flat = [float(format(float(v), f".{digits}g")) for v in arr.ravel()]
    return np.array(flat, dtype=np.float64).reshape(arr.shape)


# --- Cox regression ---------------------------------------------------------------------------------------------
@dataclass
class _Sorted:
    """Rows sorted by time, with each row's first index among equal times (its risk set starts there)."""

    order: np.ndarray
    time: np.ndarray
    event: np.ndarray
    first: np.ndarray


def _sorted(time: np.ndarray, event: np.ndarray) -> _Sorted:
    order = np.argsort(time, kind="stable")
    t = np.asarray(time, dtype=np.float64)[order]
    return _Sorted(order, t, np.asarray(event, dtype=bool)[order], np.searchsorted(t, t, side="left"))


def _rev_cumsum(a: np.ndarray) -> np.ndarray:
    return np.cumsum(a[::-1], axis=0)[::-1]


def _loglik_parts(z: np.ndarray, s: _Sorted, w: np.ndarray, beta: np.ndarray, want_hess: bool = True):
    """Breslow log partial likelihood, gradient and Hessian for sorted data ``z`` with case weights ``w``."""
    eta = z @ beta
    eta_max = float(eta.max()) if len(eta) else 0.0
    r = w * np.exp(eta - eta_max)
    d_all = w * s.event
    ev = np.flatnonzero(d_all > 0)              # rows that carry an event (a zero weight is no row at all)
    first = s.first[ev]
    d = d_all[ev]
    s0 = _rev_cumsum(r)[first]
    s1 = _rev_cumsum(r[:, None] * z)[first]
    ll = float(np.sum(d * (eta[ev] - eta_max - np.log(s0))))
    mean = s1 / s0[:, None]
    grad = (d[:, None] * (z[ev] - mean)).sum(axis=0)
    if not want_hess:
        return ll, grad, None
    s2 = _rev_cumsum(r[:, None, None] * (z[:, :, None] * z[:, None, :]))[first]
    hess = -(d[:, None, None] * (s2 / s0[:, None, None] - mean[:, :, None] * mean[:, None, :])).sum(axis=0)
    return ll, grad, hess


def cox_fit(z: np.ndarray, time: np.ndarray, event: np.ndarray, *, lam: float | np.ndarray = 0.0,
            l1: np.ndarray | None = None, weights: np.ndarray | None = None,
            start: np.ndarray | None = None, max_iter: int = 100, l1_smooth: float = 0.0) -> np.ndarray:
    """Maximise ``loglik(beta) - sum(lam * beta^2) / 2 - sum(l1 * |beta|)`` by Newton's method.

    ``lam`` is a scalar or one ridge weight per column. ``l1`` (one weight per column) is used either with a
    fixed sign pattern (``l1_smooth == 0``: every column must be active with the sign of ``start``, so the L1 term
    is linear and the objective smooth; use it to finish an elastic-net fit on its active set), or with
    ``|b|`` replaced by ``sqrt(b^2 + l1_smooth)`` (``l1_smooth > 0``: a smooth, strictly concave objective whose
    optimum lies within about ``sqrt(l1_smooth)`` of the elastic net's, with no sign to hold; used for bootstrap
    refits, where a coefficient may cross zero). Step-halving keeps every step uphill. Returns the optimum.
    """
    z = np.asarray(z, dtype=np.float64)
    s = _sorted(time, event)
    zs = z[s.order]
    w = np.ones(len(z)) if weights is None else np.asarray(weights, dtype=np.float64)[s.order]
    p = z.shape[1]
    lam_v = np.broadcast_to(np.asarray(lam, dtype=np.float64), (p,))
    beta = np.zeros(p) if start is None else np.asarray(start, dtype=np.float64).copy()
    smooth = l1 is not None and l1_smooth > 0
    sign = np.sign(beta) if l1 is not None and not smooth else np.zeros(p)
    l1_v = np.zeros(p) if l1 is None else np.asarray(l1, dtype=np.float64)
    if l1 is not None and not smooth and np.any((sign == 0) & (l1_v > 0)):
        raise ValueError("an L1-penalised column needs a non-zero start (its sign is held fixed)")

    def objective(b):
        ll, g, h = _loglik_parts(zs, s, w, b)
        if smooth:
            r = np.sqrt(b * b + l1_smooth)
            return (ll - 0.5 * float(np.sum(lam_v * b * b)) - float(np.sum(l1_v * r)),
                    g - lam_v * b - l1_v * b / r, h - np.diag(lam_v + l1_v * l1_smooth / r ** 3))
        return (ll - 0.5 * float(np.sum(lam_v * b * b)) - float(np.sum(l1_v * sign * b)),
                g - lam_v * b - l1_v * sign, h - np.diag(lam_v))

    f, g, h = objective(beta)
    for _ in range(max_iter):
        step = np.linalg.solve(-h, g)
        t = 1.0
        while True:
            cand = beta + t * step
            f_new, g_new, h_new = objective(cand)
            if f_new >= f - 1e-12 * abs(f):
                break
            t *= 0.5
            if t < 1e-6:
                raise ArithmeticError("Newton's method made no progress (the Cox fit is not converging)")
        beta, f, g, h = cand, f_new, g_new, h_new
        if np.max(np.abs(t * step)) < 1e-13 * max(1.0, float(np.max(np.abs(beta)))):
            break
    if l1 is not None and not smooth and np.any(np.sign(beta)[l1_v > 0] != sign[l1_v > 0]):
        raise ValueError("a coefficient changed sign while finishing on the active set")
    return beta


def breslow_h0(eta: np.ndarray, time: np.ndarray, event: np.ndarray, horizon: float,
               weights: np.ndarray | None = None) -> float:
    """Breslow cumulative baseline hazard at ``horizon`` for linear predictor ``eta`` (the model's centring)."""
    s = _sorted(time, event)
    w = np.ones(len(eta)) if weights is None else np.asarray(weights, dtype=np.float64)[s.order]
    r = w * np.exp(np.asarray(eta, dtype=np.float64)[s.order])
    s0 = _rev_cumsum(r)[s.first]
    d = w * s.event
    keep = (s.time <= horizon) & (d > 0)
    # every tied event shares its risk set: sum d_i / S0(t_i) over event rows equals sum_t d_t / S0(t)
    return float(np.sum(d[keep] / s0[keep]))


def cox_risk(eta: np.ndarray, h0: float) -> np.ndarray:
    return 1.0 - np.exp(-h0 * np.exp(eta))


# --- Kaplan-Meier --------------------------------------------------------------------------------------------------
def km_risk(time: np.ndarray, event: np.ndarray, horizon: float, weights: np.ndarray | None = None) -> np.ndarray:
    """Kaplan-Meier ``1 - S(horizon)``; ``weights`` may be one vector or a matrix [B, n] (one row per resample)."""
    s = _sorted(time, event)
    w = np.ones((1, len(time))) if weights is None else np.atleast_2d(np.asarray(weights, dtype=np.float64))
    w = w[:, s.order]
    at_risk = _rev_cumsum(w.T).T                                 # [B, n]: weight with time >= t_i
    starts = np.flatnonzero(np.r_[True, s.time[1:] != s.time[:-1]])
    d = np.add.reduceat(w * s.event, starts, axis=1)              # events at each distinct time
    n = at_risk[:, starts]
    keep = s.time[starts] <= horizon                             # times without an event contribute a factor 1
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n[:, keep] > 0, 1.0 - d[:, keep] / n[:, keep], 1.0)
    out = 1.0 - np.prod(factor, axis=1)
    return out if weights is not None and np.ndim(weights) == 2 else float(out[0])


# --- held-out evaluation -------------------------------------------------------------------------------------------
def _ci(values: np.ndarray) -> list[float]:
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return [round(float(np.quantile(v, 0.025)), 4), round(float(np.quantile(v, 0.975)), 4)]


def multinomial_weights(n: int, b: int, seed: int) -> np.ndarray:
    """``b`` bootstrap resamples of ``n`` rows as integer weights [b, n] (how often each row was drawn)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(b, n))
    w = np.zeros((b, n))
    np.add.at(w, (np.repeat(np.arange(b), n), idx.ravel()), 1.0)
    return w


class Evaluator:
    """Held-out metrics for one test set (times, events), with the training split's censoring distribution."""

    def __init__(self, time: np.ndarray, event: np.ndarray, horizon: float, ipcw: np.ndarray) -> None:
        self.time = np.asarray(time, dtype=np.float64)
        self.event = np.asarray(event, dtype=bool)
        self.horizon = float(horizon)
        self.ipcw = np.asarray(ipcw, dtype=np.float64)   # 1/G(t_i) for events, 0 for censored (sksurv)
        ev = np.flatnonzero(self.event)
        t = self.time
        self._ev = ev
        # comparable pairs (event e, other j): t_j > t_e, or t_j == t_e with j censored
        self._comparable = (t[None, :] > t[ev, None]) | ((t[None, :] == t[ev, None]) & ~self.event[None, :])
        self._cases = np.flatnonzero((t <= self.horizon) & self.event)
        self._controls = np.flatnonzero(t > self.horizon)

    # Harrell's C ------------------------------------------------------------------------------------------
    def _harrell_counts(self, risk: np.ndarray, w: np.ndarray, rows: np.ndarray | None = None):
        """(2 x concordant-weight, 2 x comparable-weight) per weight row; ``rows`` restricts to a subgroup."""
        ev, comp = self._ev, self._comparable
        if rows is not None:
            inside = np.zeros(len(self.time), dtype=bool)
            inside[rows] = True
            keep_e = inside[ev]
            ev, comp = ev[keep_e], comp[keep_e][:, inside]
            r_all, w_all = risk[inside], w[:, inside]
        else:
            r_all, w_all = risk, w
        diff = risk[ev][:, None] - r_all[None, :]
        k2 = comp * (2.0 * (diff > TIE_TOL) + 1.0 * (np.abs(diff) <= TIE_TOL))
        we = w[:, ev]
        num = np.einsum("be,be->b", we, w_all @ k2.T)
        den = np.einsum("be,be->b", we, w_all @ (2.0 * comp).T)
        return num, den

    def harrell(self, risk: np.ndarray, w: np.ndarray | None = None, rows: np.ndarray | None = None):
        w = np.ones((1, len(self.time))) if w is None else w
        num, den = self._harrell_counts(np.asarray(risk, dtype=np.float64), w, rows)
        with np.errstate(invalid="ignore", divide="ignore"):
            return num / den

    # time-dependent AUC ---------------------------------------------------------------------------------------
    def td_auc(self, risk: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
        w = np.ones((1, len(self.time))) if w is None else w
        c, k = self._cases, self._controls
        diff = risk[c][:, None] - risk[k][None, :]
        a = 1.0 * (diff > TIE_TOL) + 0.5 * (np.abs(diff) <= TIE_TOL)
        wc = w[:, c] * self.ipcw[c][None, :]
        num = np.einsum("bc,bc->b", wc, w[:, k] @ a.T)
        den = wc.sum(axis=1) * w[:, k].sum(axis=1)
        return num / den

    # calibration ------------------------------------------------------------------------------------------
    def o_over_e(self, pred: np.ndarray, w: np.ndarray | None = None, rows: np.ndarray | None = None):
        rows = np.arange(len(self.time)) if rows is None else rows
        w = np.ones((1, len(self.time))) if w is None else w
        obs = km_risk(self.time[rows], self.event[rows], self.horizon, w[:, rows])
        exp_ = (w[:, rows] * pred[rows][None, :]).sum(axis=1) / w[:, rows].sum(axis=1)
        return obs / exp_, obs, exp_

    def cox_slope(self, lp: np.ndarray, rows: np.ndarray | None = None, w: np.ndarray | None = None) -> float:
        rows = np.arange(len(self.time)) if rows is None else rows
        ww = None if w is None else w[rows]
        b = cox_fit(np.asarray(lp, dtype=np.float64)[rows][:, None], self.time[rows], self.event[rows],
                    weights=ww)
        return float(b[0])

    def ipcw_logistic(self, pred: np.ndarray, g_case: np.ndarray, g_horizon: float) -> dict:
        """Weighted logistic recalibration of the event by the horizon on logit(risk): slope and intercept.

        Weights: 1/G(T-) for events by the horizon (``g_case``, one per row, used where the row is such a case),
        1/G(horizon) for rows still event-free at the horizon, 0 for rows censored before it (IPCW, with G the
        training split's censoring distribution)."""
        case = (self.time <= self.horizon) & self.event
        ctrl = self.time > self.horizon
        w = np.where(case, 1.0 / np.where(case, g_case, 1.0), 0.0) + np.where(ctrl, 1.0 / g_horizon, 0.0)
        p = np.clip(pred, 1e-12, 1 - 1e-12)
        a = np.column_stack([np.ones(len(p)), np.log(p / (1 - p))])
        y = case.astype(np.float64)
        b = np.zeros(2)
        for _ in range(100):
            mu = 1 / (1 + np.exp(-(a @ b)))
            step = np.linalg.solve(a.T @ (a * (w * mu * (1 - mu))[:, None]), a.T @ (w * (y - mu)))
            b += step
            if np.max(np.abs(step)) < 1e-12:
                break
        return {"slope": round(float(b[1]), 4), "intercept_with_slope": round(float(b[0]), 4)}

    def decile_table(self, pred: np.ndarray, groups: int = 10) -> list[dict]:
        order = np.argsort(pred, kind="stable")
        out = []
        for i, b in enumerate(np.array_split(order, groups)):
            out.append({"group": i + 1, "n": int(len(b)), "mean_predicted": round(float(pred[b].mean()), 4),
                        "observed_km": round(float(km_risk(self.time[b], self.event[b], self.horizon)), 4)})
        return out


def summary(point: float, boot: np.ndarray) -> dict:
    """``{"est": point, "ci95": [lo, hi]}`` with the percentile interval of the bootstrap values."""
    return {"est": round(float(point), 4), "ci95": _ci(boot)}
