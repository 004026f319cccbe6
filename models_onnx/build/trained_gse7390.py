"""A research-grade model trained here: 5-year distant-metastasis risk from tumour gene expression + clinical data.

Data: GSE7390 / TRANSBIG (Desmedt C, Piette F, Loi S, et al. Strong time dependence of the 76-gene prognostic
signature for node-negative breast cancer patients in the TRANSBIG multicenter independent validation series.
Clin Cancer Res 2007;13:3207-3214, doi:10.1158/1078-0432.CCR-06-2765; GEO GSE7390): 198 women with node-negative
breast cancer, the 76 Affymetrix HG-U133A probe sets of the Wang 76-gene signature (log2 intensities) plus age,
ER status, grade and tumour size; outcome time to distant metastasis. Loaded at build time from scikit-survival
(``sksurv.datasets.load_breast_cancer``, GPL-3.0-or-later; build-only, nothing of the data ships).

Method (the feasibility study's model A1, ``shared/reference/ml/README.md`` section 2a):

* the 196 samples with a known grade; stratified (by event) 70/30 split, ``random_state=0`` (137 train, 59 test);
* features standardised with the training mean/SD; elastic-net Cox (``l1_ratio`` 0.5) with the clinical
  features unpenalised and the probe sets penalised, ``ALPHA`` chosen by stratified 5-fold CV on the training
  split (:func:`choose_alpha`, pinned here so the build does not depend on a near-tie of the CV); the fit is
  finished by Newton's method on its active set (exact optimum, see :func:`models_onnx.build.survival.cox_fit`);
* the linear predictor is then shrunk by a uniform factor estimated by cross-validation on the training split
  (the Cox slope of out-of-fold linear predictors; van Houwelingen & le Cessie, Stat Med 1990), because the
  unshrunk model is over-fitted (held-out slope about 0.57); the card gives both;
* an interval from 199 bootstrap refits on the selected features (same penalty, |b| smoothed, same shrinkage);
* an assay guard from the training profiles (``guard`` in the card; :mod:`workstation.models.assay_guard`).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from models_onnx.build import cox_onnx, survival as sv
from models_onnx.build.common import base_card, num
from models_onnx.build.graph import Built

MODEL_ID = "gse7390_distant_metastasis_5y"
SEED = 0
FIT_BOOT_SEED, EVAL_BOOT_SEED, SUB_BOOT_SEED = 1, 2, 3
N_FIT_BOOT, N_EVAL_BOOT, N_SUB_BOOT = 199, 1000, 500
L1_RATIO = 0.5
ALPHA = 0.06053692053        # choose_alpha() (stratified 5-fold CV on the training split, max mean Harrell C)
HORIZON_DAYS = 1826.25
BOOT_RIDGE = 1.0
L1_SMOOTH = 1e-6         # |b| ~ sqrt(b^2 + 1e-6) in the bootstrap refits (within 0.001 of the elastic net)
CLINICAL = ["age", "er_pos", "grade_intermediate", "grade_poor", "size_cm"]
GUARD_MARGIN, GUARD_R_MIN = 0.5, 0.60      # the feasibility study's platform guard
PLATFORM, SCALE = "Affymetrix HG-U133A", "log2 intensity"


@dataclass
class Cohort:
    f: np.ndarray             # [n, 5 + 76] raw features (CLINICAL + probes)
    probes: list[str]         # dataset column names ("X201288_at")
    time: np.ndarray
    event: np.ndarray
    train: np.ndarray
    test: np.ndarray


def load() -> Cohort:
    from sklearn.model_selection import train_test_split
    from sksurv.datasets import load_breast_cancer

    x, y = load_breast_cancer()
    known = (x["grade"] != "unkown").to_numpy()         # (sic) the data set's spelling: 2 samples
    x, y = x[known].reset_index(drop=True), y[known]
    probes = [c for c in x.columns if c.startswith("X")]
    clin = np.column_stack([x["age"], x["er"] == "positive", x["grade"] == "intermediate",
                            x["grade"] == "poorly differentiated", x["size"]]).astype(np.float64)
    f = np.column_stack([clin, x[probes].to_numpy(np.float64)])
    event, time = y["e.tdm"].astype(bool), y["t.tdm"].astype(np.float64)
    train, test = train_test_split(np.arange(len(f)), test_size=0.3, stratify=event, random_state=SEED)
    return Cohort(f, probes, time, event, train, test)


def _penalty(n_probes: int) -> np.ndarray:
    pf = np.r_[np.zeros(len(CLINICAL)), np.ones(n_probes)]
    return pf * len(pf) / pf.sum()            # rescaled to sum to the number of features, as scikit-survival does


def _coxnet(z, time, event, n_probes: int, alphas=None):
    from sksurv.linear_model import CoxnetSurvivalAnalysis
    from sksurv.util import Surv

    kw = {"alphas": alphas} if alphas is not None else {"n_alphas": 100, "alpha_min_ratio": 0.01}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoxnetSurvivalAnalysis(l1_ratio=L1_RATIO, penalty_factor=_penalty(n_probes), fit_baseline_model=False,
                                      **kw).fit(z, Surv.from_arrays(event, time))


def choose_alpha(c: Cohort) -> float:
    """Stratified 5-fold CV (random_state 0) over the elastic-net path of the training split: max mean C."""
    from sklearn.model_selection import StratifiedKFold
    from sksurv.metrics import concordance_index_censored

    z, t, e = _z(c)[c.train], c.time[c.train], c.event[c.train]
    alphas = _coxnet(z, t, e, len(c.probes)).alphas_
    total, count = np.zeros(len(alphas)), np.zeros(len(alphas))
    for a, b in StratifiedKFold(5, shuffle=True, random_state=0).split(z, e):
        m = _coxnet(z[a], t[a], e[a], len(c.probes), alphas)
        for j in range(m.coef_.shape[1]):         # the path may stop early when the fit saturates
            total[j] += concordance_index_censored(e[b], t[b], z[b] @ m.coef_[:, j])[0]
            count[j] += 1
    mean = np.where(count == 5, total / 5, -1.0)
    return float(sv.sig(alphas[int(np.argmax(mean))]))


def _standardisation(c: Cohort) -> tuple[np.ndarray, np.ndarray]:
    return sv.sig(c.f[c.train].mean(axis=0)), sv.sig(c.f[c.train].std(axis=0))


def _z(c: Cohort) -> np.ndarray:
    mean, sd = _standardisation(c)
    return (c.f - mean) / sd


def _enet_fit(z, t, e, n_probes: int) -> np.ndarray:
    """Elastic net at ALPHA (scikit-survival's coordinate descent), finished by Newton on its active set."""
    n = len(z)
    b0 = _coxnet(z, t, e, n_probes, [ALPHA]).coef_[:, 0]
    active = np.flatnonzero(b0 != 0)
    pf = _penalty(n_probes)[active]
    lam = n * ALPHA * (1 - L1_RATIO) * pf            # scikit-survival's objective scaled by n (summed likelihood)
    l1 = n * ALPHA * L1_RATIO * pf
    beta = np.zeros(z.shape[1])
    beta[active] = sv.cox_fit(z[:, active], t, e, lam=lam, l1=l1, start=b0[active])
    return beta


def _cv_shrinkage(c: Cohort, z: np.ndarray) -> float:
    """Cox slope of out-of-fold linear predictors (stratified 5-fold on the training split)."""
    from sklearn.model_selection import StratifiedKFold

    tr = c.train
    lp = np.zeros(len(tr))
    for a, b in StratifiedKFold(5, shuffle=True, random_state=0).split(tr, c.event[tr]):
        beta = _enet_fit(z[tr][a], c.time[tr][a], c.event[tr][a], len(c.probes))
        lp[b] = z[tr][b] @ beta
    return float(sv.cox_fit(lp[:, None], c.time[tr], c.event[tr])[0])


@dataclass
class Fit:
    params: cox_onnx.CoxParams        # on the selected features only (card ``features``)
    cols: list[int]                   # selected columns of Cohort.f
    raw_beta: np.ndarray              # before shrinkage (selected columns)
    shrinkage: float


def fit(c: Cohort, *, n_boot: int = N_FIT_BOOT) -> Fit:
    from threadpoolctl import threadpool_limits

    z_all = _z(c)
    mean, sd = _standardisation(c)
    tr = c.train
    t, e = c.time[tr], c.event[tr]
    with threadpool_limits(limits=1):
        beta_full = _enet_fit(z_all[tr], t, e, len(c.probes))
        cols = [int(i) for i in np.flatnonzero(beta_full != 0)]
        raw = sv.sig(beta_full[cols])
        shrink = float(sv.sig(min(1.0, _cv_shrinkage(c, z_all))))
        beta = sv.sig(raw * shrink)
        z = z_all[tr][:, cols]
        h0 = float(sv.sig(sv.breslow_h0(z @ beta, t, e, HORIZON_DAYS)))
        # refits: the same elastic-net objective on the selected features (|b| smoothed, so a coefficient may
        # cross zero), plus a ridge of BOOT_RIDGE on the otherwise unpenalised clinical features so that a
        # resample in which a grade or ER group has no event still has a finite optimum; then the same shrinkage
        pf = _penalty(len(c.probes))[cols]
        lam = np.maximum(len(tr) * ALPHA * (1 - L1_RATIO) * pf, BOOT_RIDGE)
        l1 = len(tr) * ALPHA * L1_RATIO * pf
        boot_beta, boot_h0 = [], []
        for w in sv.multinomial_weights(len(tr), n_boot, FIT_BOOT_SEED):
            b = sv.sig(sv.cox_fit(z, t, e, lam=lam, l1=l1, l1_smooth=L1_SMOOTH, weights=w, start=raw) * shrink)
            boot_beta.append(b)
            boot_h0.append(float(sv.sig(sv.breslow_h0(z @ b, t, e, HORIZON_DAYS, weights=w))))
    p = cox_onnx.CoxParams([], mean[cols], sd[cols], beta, h0, np.array(boot_beta).reshape(n_boot, len(cols)),
                           np.array(boot_h0))
    return Fit(p, cols, raw, shrink)


# --- evaluation -----------------------------------------------------------------------------------------------------
def _subgroup_defs(c: Cohort):
    f = c.f[c.test]
    age, er, poor = f[:, 0], f[:, 1] == 1, f[:, 3] == 1
    return [("ER positive", {"input": "er_status", "equals": "positive"}, er),
            ("ER negative", {"input": "er_status", "equals": "negative"}, ~er),
            ("age 45 or under", {"input": "age", "le": 45}, age <= 45),
            ("age over 45", {"input": "age", "gt": 45}, age > 45),
            ("grade poor", {"input": "grade", "equals": "poor"}, poor),
            ("grade well or intermediate", None, ~poor)]


def evaluate(c: Cohort, m: Fit) -> dict:
    from sksurv.metrics import concordance_index_ipcw
    from sksurv.nonparametric import CensoringDistributionEstimator
    from sksurv.util import Surv
    from threadpoolctl import threadpool_limits

    tr, te = c.train, c.test
    y_tr, y_te = Surv.from_arrays(c.event[tr], c.time[tr]), Surv.from_arrays(c.event[te], c.time[te])
    ev = sv.Evaluator(c.time[te], c.event[te], HORIZON_DAYS,
                      CensoringDistributionEstimator().fit(y_tr).predict_ipcw(y_te))
    out = cox_onnx.predict(m.params, c.f[te][:, m.cols])
    lp, risk = out["lp"][:, 0], out["value"][:, 0]
    w = sv.multinomial_weights(len(te), N_EVAL_BOOT, EVAL_BOOT_SEED)
    with threadpool_limits(limits=1):
        oe, obs, exp_ = ev.o_over_e(risk)
        slopes = np.array([ev.cox_slope(lp, w=wb) for wb in w[:200]])
        res = {"n": int(len(te)), "events": int(c.event[te].sum()),
               "events_by_horizon": int(((c.time[te] <= HORIZON_DAYS) & c.event[te]).sum()),
               "harrell_c": sv.summary(ev.harrell(lp)[0], ev.harrell(lp, w)),
               "uno_c_5y": round(float(concordance_index_ipcw(y_tr, y_te, lp, tau=HORIZON_DAYS)[0]), 4),
               "td_auc_5y": sv.summary(ev.td_auc(lp)[0], ev.td_auc(lp, w)),
               "o_over_e": sv.summary(oe[0], ev.o_over_e(risk, w)[0]),
               "observed_km_risk": round(float(obs[0]), 4), "mean_predicted": round(float(exp_[0]), 4),
               "cox_calibration_slope": dict(sv.summary(ev.cox_slope(lp), slopes), bootstrap_resamples=200),
               "cox_calibration_slope_before_shrinkage": round(ev.cox_slope(lp) * m.shrinkage, 4),
               "calibration_by_fifth": ev.decile_table(risk, 5)}
        from models_onnx.build.trained_flchain import _ipcw

        res["ipcw_logistic_calibration"] = _ipcw(ev, y_tr, c.time[te], risk)
        rows = []
        for k, (label, match, mask) in enumerate(_subgroup_defs(c)):
            idx = np.flatnonzero(mask)
            wb = np.zeros((N_SUB_BOOT, len(te)))
            wb[:, idx] = sv.multinomial_weights(len(idx), N_SUB_BOOT, SUB_BOOT_SEED + k)
            o, ob, ex = ev.o_over_e(risk, rows=idx)
            n_ev = int(((ev.time[idx] <= HORIZON_DAYS) & ev.event[idx]).sum())
            rows.append({"label": label, "match": match, "n": int(len(idx)), "events": int(ev.event[idx].sum()),
                         "events_by_horizon": n_ev,
                         "harrell_c": sv.summary(ev.harrell(lp, rows=idx)[0], ev.harrell(lp, wb, rows=idx)),
                         "o_over_e": sv.summary(o[0], ev.o_over_e(risk, wb, rows=idx)[0]),
                         "observed_km_risk": round(float(ob[0]), 4), "mean_predicted": round(float(ex[0]), 4),
                         "note": f"{n_ev} metastases within 5 years in the held-out data: too few to judge"})
        res["subgroups"] = rows
        res["repeated_cv_harrell_c"] = _repeated_cv(c)
    return res


def _repeated_cv(c: Cohort) -> dict:
    """5 x 5-fold CV of the whole fit (standardisation, elastic net at ALPHA) on all 196 samples."""
    from sklearn.model_selection import StratifiedKFold
    from sksurv.metrics import concordance_index_censored

    scores = []
    for rep in range(5):
        for a, b in StratifiedKFold(5, shuffle=True, random_state=rep).split(c.f, c.event):
            mean, sd = c.f[a].mean(axis=0), c.f[a].std(axis=0)
            beta = _enet_fit((c.f[a] - mean) / sd, c.time[a], c.event[a], len(c.probes))
            scores.append(concordance_index_censored(c.event[b], c.time[b], ((c.f[b] - mean) / sd) @ beta)[0])
    return {"mean": round(float(np.mean(scores)), 4), "sd": round(float(np.std(scores)), 4), "folds": len(scores)}


def guard(c: Cohort) -> dict:
    """The assay guard's reference: every probe's training median, the range of the samples' medians."""
    x = c.f[c.train][:, len(CLINICAL):]
    med = np.median(x, axis=1)
    return {"platform": PLATFORM, "scale": SCALE, "probes": [p[1:] for p in c.probes],
            "median_profile": [round(float(v), 4) for v in np.median(x, axis=0)],
            "sample_median_range": [round(float(med.min()), 4), round(float(med.max()), 4)],
            "margin": GUARD_MARGIN, "r_min": GUARD_R_MIN,
            "rule": ("refused unless the median of the 76 probe sets is within the training samples' range of "
                     f"medians +/- {GUARD_MARGIN} and the profile's Pearson correlation with the training median "
                     f"profile is at least {GUARD_R_MIN}")}


def guard_rates(c: Cohort, g: dict) -> dict:
    """Accept rates of the guard on the held-out profiles and on transformed copies of them (seeded)."""
    from workstation.models.assay_guard import check_profile

    x = c.f[c.test][:, len(CLINICAL):]
    tr = c.f[c.train][:, len(CLINICAL):]
    rng = np.random.default_rng(4)
    lin = 2.0 ** x
    variants = {
        "held-out GSE7390 (log2)": x,
        "linear intensities (2^x)": lin,
        "log10 of the linear intensities": np.log10(lin),
        "per-gene z-scores": (x - tr.mean(axis=0)) / tr.std(axis=0),
        "probe sets shuffled within each sample": np.array([rng.permutation(row) for row in x]),
        "RNA-seq-like TPM (linear, scaled to 1e6)": lin / lin.sum(axis=1, keepdims=True) * 1e6,
        "RNA-seq-like counts (linear x 20, rounded)": np.round(lin * 20),
        "log2 + 1.5 (a shifted normalisation)": x + 1.5,
    }
    out = {}
    for name, rows in variants.items():
        ok = [check_profile(g, dict(zip(g["probes"], r))).ok for r in rows]
        out[name] = round(float(np.mean(ok)), 4)
    return out


def _down(v: float, digits: int = 4) -> float:
    """Rounded down to ``digits`` decimals (a range bound that still contains the observed value)."""
    return math.floor(float(v) * 10 ** digits) / 10 ** digits


def _up(v: float, digits: int = 4) -> float:
    return math.ceil(float(v) * 10 ** digits) / 10 ** digits


def card(c: Cohort, m: Fit, perf: dict, g: dict, rates: dict) -> dict:
    p = m.params
    cd = base_card(
        MODEL_ID, "5-year distant metastasis from tumour gene expression + clinical data (research-grade, "
                  "trained here)", "1.0",
        intended_use=(
            "Research use: estimate the probability of distant metastasis within 5 years for a woman with "
            "node-negative breast cancer from the tumour's Affymetrix HG-U133A expression (log2 intensities) of "
            "the 76-gene signature's probe sets, with age, ER status, grade and tumour size. Research-grade: 59 "
            "held-out patients (10 metastases within 5 years) is too few to establish accuracy, and no treatment "
            "decision should rest on it."),
        population=("198 women with node-negative breast cancer not given adjuvant systemic therapy (Desmedt "
                    "2007), age 24-60, from the TRANSBIG validation series (GEO GSE7390; 196 with known grade "
                    "used); no ancestry recorded; one microarray platform."),
        outcome="Distant metastasis.", horizon="5 years",
        citation=("Desmedt C, Piette F, Loi S, et al. Strong time dependence of the 76-gene prognostic signature "
                  "for node-negative breast cancer patients in the TRANSBIG multicenter independent validation "
                  "series. Clin Cancer Res 2007;13:3207-3214. doi:10.1158/1078-0432.CCR-06-2765. Data GEO GSE7390. "
                  "Model trained by models_onnx/build/trained_gse7390.py."),
    )
    cd["short_name"] = "GSE7390 expression model"
    cd["category"] = "research"
    cd["applicability"] = {"sex": ["female"]}
    probe_cols = [j for j in m.cols if j >= len(CLINICAL)]
    cd["required_record"] = {"any_of": [c.probes[j - len(CLINICAL)][1:] for j in probe_cols],
                             "missing_text": f"no {PLATFORM} tumour expression profile ({SCALE} values) on record",
                             "why": "transcriptome"}
    # the range over which the model was trained or checked (with the training split's range alone, 13 of the 59
    # held-out women had a probe set outside it and would be refused although the assay check accepts them all)
    lo, hi = c.f.min(axis=0), c.f.max(axis=0)
    src = ("range observed in the 196 samples the model was trained and checked on (training and held-out splits); "
           "not validated outside it")
    inputs = [num("age", "years", float(lo[0]), float(hi[0]), "Age at diagnosis", src),
              {"name": "er_status", "type": "category", "categories": ["positive", "negative"],
               "description": "Oestrogen-receptor status of the tumour",
               "encode": {"positive": {"er_pos": 1.0}, "negative": {}}},
              {"name": "grade", "type": "category", "categories": ["well", "intermediate", "poor"],
               "description": "Histological grade (well, intermediate or poorly differentiated)",
               "encode": {"well": {}, "intermediate": {"grade_intermediate": 1.0}, "poor": {"grade_poor": 1.0}}},
              num("size_cm", "cm", float(lo[4]), float(hi[4]), "Tumour size", src)]
    for j in probe_cols:
        probe = c.probes[j - len(CLINICAL)][1:]
        spec = num(probe, SCALE, _down(lo[j]), _up(hi[j]),
                   f"Probe set {probe} ({PLATFORM}, {SCALE})", src)
        spec.update(feature=c.probes[j - len(CLINICAL)], probe_set=probe, platform=PLATFORM)
        inputs.append(spec)
    cd["inputs"] = inputs
    feats = [CLINICAL[j] if j < len(CLINICAL) else c.probes[j - len(CLINICAL)] for j in m.cols]
    cd["features"] = feats
    cd["terms"] = feats
    cd["output"] = {"name": "value", "unit": "probability",
                    "meaning": "Probability of distant metastasis within 5 years (0-1)."}
    cd["extra_outputs"] = {"lp": "log relative hazard against the training-split mean profile",
                           "value_lo": "2.5th percentile of the risk over the bootstrap refits",
                           "value_hi": "97.5th percentile of the risk over the bootstrap refits"}
    cd["interval"] = {"low": "value_lo", "high": "value_hi", "level": 0.95,
                      "method": (f"percentile interval over {N_FIT_BOOT} bootstrap refits on resamples of the "
                                 f"training split, on the {len(m.cols)} selected features with the same penalty "
                                 "and shrinkage (the probe selection itself is not redone, so the interval is "
                                 "too narrow)"),
                      "meaning": "How much the estimate moves between refits; not this person's uncertainty."}
    term_inputs = {f: ("er_status" if f == "er_pos" else "grade" if f.startswith("grade") else
                       f[1:] if f.startswith("X") else f) for f in feats}
    cd["explain"] = {"method": "terms", "term_inputs": term_inputs,
                     "scale": ("log relative hazard; each term is coefficient x standardised value, relative to the "
                               "training-split mean of that feature (0 = average), summing to lp. Exact for this "
                               "linear model.")}
    cd["intercept"] = 0.0
    cd["guard"] = g
    sub = {r["label"]: r for r in perf["subgroups"]}
    cd["performance"] = {
        "split": (f"196 samples with known grade; stratified (by event) 70/30 hold-out, random_state={SEED}: "
                  f"{len(c.train)} train ({int(c.event[c.train].sum())} events), {len(c.test)} test "
                  f"({int(c.event[c.test].sum())} events)"),
        "held_out": perf, "assay_guard_accept_rates": rates,
        "bootstrap": f"95 % CIs: {N_EVAL_BOOT} resamples of the test split (seed {EVAL_BOOT_SEED}); subgroups "
                     f"{N_SUB_BOOT}.",
    }
    cd["subgroups"] = perf["subgroups"]
    cd["cohort_gaps"] = [
        {"always": True, "short": "research-grade, 59 held-out women",
         "text": ("Research-grade: trained on 137 and checked on 59 women (10 metastases within 5 "
                                  "years); every subgroup is too small to judge.")},
        {"always": True, "short": "no ancestry recorded",
         "text": ("No ancestry was recorded in the series, so how the model performs in any "
                                  "ancestry group is unknown.")},
        {"always": True, "short": "node-negative, no adjuvant therapy",
         "text": ("Node-negative disease without adjuvant systemic therapy (Desmedt 2007): the "
                                  "estimate does not describe risk under treatment.")},
    ]
    slope = perf["cox_calibration_slope"]
    cd["subgroup_differences"] = [
        "Every subgroup is too small to judge: " + "; ".join(
            f"{k} n {v['n']} ({v['events_by_horizon']} events)" for k, v in sub.items()) + ".",
        (f"Calibration slope on the held-out data {slope['est']:.2f} ({slope['ci95'][0]:.2f}-{slope['ci95'][1]:.2f}) "
         f"after a cross-validated shrinkage of {m.shrinkage:.2f}; {perf['cox_calibration_slope_before_shrinkage']:.2f}"
         " before it (the unshrunk model was over-fitted)."),
        "Women only, age up to 60, node-negative; no ancestry recorded; one platform.",
    ]
    cd["limitations"] = cd["limitations"] + [
        f"Platform-locked: {PLATFORM} {SCALE}s of the listed probe sets, normalised as in GSE7390 (the data set "
        "does not state its normalisation). RNA-seq counts or TPM, other arrays, linear or log10 values and "
        "z-scores are refused by the assay guard, never converted.",
        "Clinical inputs (ER status, grade, size) are entered by the user: the record's codes for them are not "
        "read.",
    ]
    cd["training"] = {
        "algorithm": (f"elastic-net Cox (l1_ratio {L1_RATIO}, alpha {ALPHA}; clinical features unpenalised) by "
                      "scikit-survival's coordinate descent, finished by Newton's method on the active set; linear "
                      f"predictor shrunk by the cross-validated factor {m.shrinkage}; Breslow baseline at 1826.25 "
                      "days; parameters rounded to 10 significant digits"),
        "selected_features": len(m.cols), "shrinkage": m.shrinkage,
        "coefficients_per_sd": {f: float(b) for f, b in zip(feats, p.beta)},
        "coefficients_per_sd_before_shrinkage": {f: float(b) for f, b in zip(feats, m.raw_beta)},
        "baseline_cumulative_hazard_5y": p.h0,
        "seeds": {"split": SEED, "fit_bootstrap": FIT_BOOT_SEED, "evaluation_bootstrap": EVAL_BOOT_SEED},
    }
    from models_onnx.build.trained_flchain import _version_of

    cd["data"] = {
        "dataset": "GSE7390 (TRANSBIG), 76 probe sets of the Wang 76-gene signature + clinical variables",
        "loaded_from": f"scikit-survival {_version_of('scikit-survival')}, sksurv.datasets.load_breast_cancer "
                       "(GPL-3.0-or-later)",
        "original_source": "GEO GSE7390; Desmedt et al. 2007 (above)",
        "what_ships": ("Coefficients, baseline hazards, the training median profile and range of the 76 probe sets "
                       "(the assay guard), and summary statistics. No sample of the data ships."),
        "licence_note": "Using a GPL package at build time to read data needs a licence review; not legal advice.",
    }
    return cd


def build() -> list[Built]:
    c = load()
    m = fit(c)
    perf = evaluate(c, m)
    g = guard(c)
    cd = card(c, m, perf, g, guard_rates(c, g))
    model = cox_onnx.graph(MODEL_ID, m.params, cd)
    cox_onnx.check_against_numpy(model, m.params, c.f[:, m.cols])
    return [Built(MODEL_ID, model, cd)]
