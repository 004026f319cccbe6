"""A model trained here: 10-year all-cause mortality from serum free light chains, creatinine, age, sex and MGUS.

Data: the ``flchain`` cohort (Dispenzieri A, Katzmann JA, Kyle RA, et al. Use of nonclonal serum immunoglobulin
free light chains to predict overall survival in the general population. Mayo Clin Proc 2012;87:512-523,
doi:10.1016/j.mayocp.2012.03.009): residents of Olmsted County, Minnesota, aged 50 or over, whose serum was
sampled 1995-2003, followed for death. Loaded at build time from scikit-survival
(``sksurv.datasets.load_flchain``; scikit-survival is GPL-3.0-or-later, so it is a build-only dependency: the
shipped model holds coefficients and summary statistics, never rows of the data).

Method (the feasibility study's model B1, ``shared/reference/ml/README.md`` section 2b):

* complete cases (creatinine recorded: 6,524 of 7,874), a stratified (by death) 70/30 hold-out split with
  ``random_state=0`` (4,566 train, 1,958 test);
* features age (years), male, ln kappa, ln lambda, ln creatinine (each mg/dL), MGUS, standardised with the
  training-split mean and SD;
* Cox proportional hazards with Breslow ties and a small ridge penalty (``LAM``) fitted by Newton's method to the
  exact optimum (:mod:`models_onnx.build.survival`); Breslow baseline hazard at 10 years (3,652.5 days);
* an interval from 199 bootstrap refits of the whole fit (coefficients and baseline) on the training split;
* held-out discrimination and calibration with 1,000 bootstrap resamples of the test split (500 in subgroups),
  and the same for an age + sex Cox model (the comparator).

Every parameter is rounded to 10 significant digits, so rebuilding gives byte-identical files.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models_onnx.build import cox_onnx, survival as sv
from models_onnx.build.common import BOOL, base_card, num
from models_onnx.build.graph import Built

MODEL_ID = "flchain_mortality_10y"
SEED = 0                 # train/test split
FIT_BOOT_SEED = 1        # bootstrap refits (the interval)
EVAL_BOOT_SEED = 2       # bootstrap of the test split (CIs)
SUB_BOOT_SEED = 3        # bootstrap within subgroups
N_FIT_BOOT = 199
N_EVAL_BOOT = 1000
N_SUB_BOOT = 500
LAM = 1.0                # ridge weight on the summed log partial likelihood (standardised features)
HORIZON_DAYS = 3652.5
FEATURES = ["age", "male", "kappa_mg_dl", "lambda_mg_dl", "creatinine_mg_dl", "mgus"]
LOG_COLS = [2, 3, 4]
TERMS = ["age", "male sex", "ln kappa", "ln lambda", "ln creatinine", "MGUS"]
PACKAGE = "scikit-survival"


@dataclass
class Cohort:
    x: np.ndarray            # [n, 6] raw features (FEATURES order), complete cases
    time: np.ndarray
    event: np.ndarray
    sample_year: np.ndarray
    train: np.ndarray
    test: np.ndarray
    facts: dict


def load() -> Cohort:
    from sklearn.model_selection import train_test_split
    from sksurv.datasets import load_flchain

    frame, y = load_flchain()
    time_all, event_all = y["futime"].astype(np.float64), y["death"].astype(bool)
    complete = frame["creatinine"].notna().to_numpy()
    x_all = np.column_stack([frame["age"].to_numpy(np.float64), (frame["sex"] == "M").to_numpy(np.float64),
                             frame["kappa"].to_numpy(np.float64), frame["lambda"].to_numpy(np.float64),
                             frame["creatinine"].to_numpy(np.float64), (frame["mgus"] == "yes").to_numpy(np.float64)])
    years = frame["sample.yr"].astype(int).to_numpy()
    x, time, event = x_all[complete], time_all[complete], event_all[complete]
    idx = np.arange(len(x))
    train, test = train_test_split(idx, test_size=0.3, stratify=event, random_state=SEED)
    facts = {
        "n_all": int(len(frame)), "deaths_all": int(event_all.sum()), "n_complete": int(complete.sum()),
        "creatinine_missing": int((~complete).sum()),
        "km_10y_mortality_creatinine_recorded": round(sv.km_risk(time, event, HORIZON_DAYS), 4),
        "km_10y_mortality_creatinine_missing": round(sv.km_risk(time_all[~complete], event_all[~complete],
                                                                HORIZON_DAYS), 4),
        "median_age_creatinine_missing_vs_recorded": [float(np.median(x_all[~complete, 0])),
                                                      float(np.median(x[:, 0]))],
        "female_fraction": round(float(1 - x_all[:, 1].mean()), 3),
        "age_range": [float(x_all[:, 0].min()), float(x_all[:, 0].max())],
        "sample_years": [int(years.min()), int(years.max())],
        "mgus_n": int(x_all[:, 5].sum()),
        "n_train": int(len(train)), "n_test": int(len(test)),
        "deaths_train": int(event[train].sum()), "deaths_test": int(event[test].sum()),
        "median_follow_up_days": float(np.median(time_all)),
    }
    return Cohort(x, time, event, years[complete], train, test, facts)


def _standardise(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return sv.sig(f.mean(axis=0)), sv.sig(f.std(axis=0))


def fit(c: Cohort, cols: list[int] | None = None, *, n_boot: int = N_FIT_BOOT) -> cox_onnx.CoxParams:
    """Fit on the training split (all FEATURES, or the columns ``cols`` for a comparator) with bootstrap refits."""
    cols = list(range(len(FEATURES))) if cols is None else cols
    x = c.x[c.train][:, cols]
    log_cols = [i for i, j in enumerate(cols) if j in LOG_COLS]
    f = x.copy()
    f[:, log_cols] = np.log(f[:, log_cols])
    mean, sd = _standardise(f)
    z = (f - mean) / sd
    t, e = c.time[c.train], c.event[c.train]
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        beta = sv.sig(sv.cox_fit(z, t, e, lam=LAM))
        h0 = float(sv.sig(sv.breslow_h0(z @ beta, t, e, HORIZON_DAYS)))
        boot_beta, boot_h0 = [], []
        for w in sv.multinomial_weights(len(z), n_boot, FIT_BOOT_SEED):
            b = sv.sig(sv.cox_fit(z, t, e, lam=LAM, weights=w, start=beta))
            boot_beta.append(b)
            boot_h0.append(float(sv.sig(sv.breslow_h0(z @ b, t, e, HORIZON_DAYS, weights=w))))
    return cox_onnx.CoxParams(log_cols, mean, sd, beta, h0,
                              np.array(boot_beta).reshape(n_boot, len(cols)), np.array(boot_h0))


# --- held-out evaluation ------------------------------------------------------------------------------------------
def _subgroup_defs(c: Cohort) -> list[tuple[str, dict | None, np.ndarray]]:
    x = c.x[c.test]
    age, male, creat, mgus = x[:, 0], x[:, 1] == 1, x[:, 4], x[:, 5] == 1
    yr = c.sample_year[c.test]
    return [
        ("female", {"input": "sex", "equals": "female"}, ~male),
        ("male", {"input": "sex", "equals": "male"}, male),
        ("age 50-59", {"input": "age", "ge": 50, "lt": 60}, (age >= 50) & (age < 60)),
        ("age 60-69", {"input": "age", "ge": 60, "lt": 70}, (age >= 60) & (age < 70)),
        ("age 70-79", {"input": "age", "ge": 70, "lt": 80}, (age >= 70) & (age < 80)),
        ("age 80 and over", {"input": "age", "ge": 80}, age >= 80),
        ("creatinine 1.2 mg/dL or less", {"input": "creatinine_mg_dl", "le": 1.2}, creat <= 1.2),
        ("creatinine above 1.2 mg/dL", {"input": "creatinine_mg_dl", "gt": 1.2}, creat > 1.2),
        ("no MGUS", {"input": "mgus", "equals": False}, ~mgus),
        ("MGUS", {"input": "mgus", "equals": True}, mgus),
        ("serum sampled 1995-1996", None, yr <= 1996),
        ("serum sampled 1997-2003", None, yr >= 1997),
    ]


MIN_EVENTS = 20   # fewer events by the horizon than this: the row says the group is too small to judge


def evaluate(c: Cohort, p: cox_onnx.CoxParams, p0: cox_onnx.CoxParams) -> dict:
    from sksurv.metrics import concordance_index_ipcw
    from sksurv.nonparametric import CensoringDistributionEstimator
    from sksurv.util import Surv
    from threadpoolctl import threadpool_limits

    tr, te = c.train, c.test
    y_tr = Surv.from_arrays(c.event[tr], c.time[tr])
    y_te = Surv.from_arrays(c.event[te], c.time[te])
    ipcw = CensoringDistributionEstimator().fit(y_tr).predict_ipcw(y_te)
    ev = sv.Evaluator(c.time[te], c.event[te], HORIZON_DAYS, ipcw)
    out1 = cox_onnx.predict(p, c.x[te])
    out0 = cox_onnx.predict(p0, c.x[te][:, :2])
    lp1, r1, lp0, r0 = out1["lp"][:, 0], out1["value"][:, 0], out0["lp"][:, 0], out0["value"][:, 0]
    w = sv.multinomial_weights(len(te), N_EVAL_BOOT, EVAL_BOOT_SEED)
    res: dict = {"n": int(len(te)), "events": int(c.event[te].sum()),
                 "events_by_horizon": int(((c.time[te] <= HORIZON_DAYS) & c.event[te]).sum())}
    with threadpool_limits(limits=1):
        for name, lp, r in (("model", lp1, r1), ("age_sex_comparator", lp0, r0)):
            oe, obs, exp_ = ev.o_over_e(r)
            slopes = [ev.cox_slope(lp, w=wb) for wb in w[:200]] if name == "model" else None
            block = {
                "harrell_c": sv.summary(ev.harrell(lp)[0], ev.harrell(lp, w)),
                "uno_c_10y": round(float(concordance_index_ipcw(y_tr, y_te, lp, tau=HORIZON_DAYS)[0]), 4),
                "td_auc_10y": sv.summary(ev.td_auc(lp)[0], ev.td_auc(lp, w)),
                "o_over_e": sv.summary(oe[0], ev.o_over_e(r, w)[0]),
                "observed_km_risk": round(float(obs[0]), 4), "mean_predicted": round(float(exp_[0]), 4),
                "cox_calibration_slope": (sv.summary(ev.cox_slope(lp), np.array(slopes)) if slopes is not None
                                          else {"est": round(ev.cox_slope(lp), 4)}),
            }
            res[name] = block
        res["model"]["cox_calibration_slope"]["bootstrap_resamples"] = 200
        res["model"]["calibration_by_decile"] = ev.decile_table(r1)
        res["model"]["ipcw_logistic_calibration"] = _ipcw(ev, y_tr, c.time[te], r1)
        d = ev.harrell(lp1, w) - ev.harrell(lp0, w)
        res["delta_c_vs_age_sex"] = sv.summary(ev.harrell(lp1)[0] - ev.harrell(lp0)[0], d)
        res["subgroups"] = _subgroups(c, ev, lp1, r1)
    width = out1["value_hi"][:, 0] - out1["value_lo"][:, 0]
    res["interval_width_median"] = round(float(np.median(width)), 4)
    res["interval_width_range"] = [round(float(width.min()), 4), round(float(width.max()), 4)]
    return res


def _ipcw(ev: sv.Evaluator, y_tr, time: np.ndarray, risk: np.ndarray) -> dict:
    """IPCW-logistic calibration slope/intercept at the horizon (censoring distribution of the training split)."""
    from sksurv.nonparametric import CensoringDistributionEstimator

    cens = CensoringDistributionEstimator().fit(y_tr)
    g_case = cens.predict_proba(np.nextafter(time, -np.inf))             # G(T-)
    return ev.ipcw_logistic(risk, g_case, float(cens.predict_proba(np.array([ev.horizon]))[0]))


def _subgroups(c: Cohort, ev: sv.Evaluator, lp: np.ndarray, risk: np.ndarray) -> list[dict]:
    rows = []
    for k, (label, match, mask) in enumerate(_subgroup_defs(c)):
        idx = np.flatnonzero(mask)
        n_ev = int(((ev.time[idx] <= HORIZON_DAYS) & ev.event[idx]).sum())
        w = np.zeros((N_SUB_BOOT, len(ev.time)))
        w[:, idx] = sv.multinomial_weights(len(idx), N_SUB_BOOT, SUB_BOOT_SEED + k)
        oe, obs, exp_ = ev.o_over_e(risk, rows=idx)
        row = {"label": label, "match": match, "n": int(len(idx)), "events": int(ev.event[idx].sum()),
               "events_by_horizon": n_ev,
               "harrell_c": sv.summary(ev.harrell(lp, rows=idx)[0], ev.harrell(lp, w, rows=idx)),
               "o_over_e": sv.summary(oe[0], ev.o_over_e(risk, w, rows=idx)[0]),
               "observed_km_risk": round(float(obs[0]), 4), "mean_predicted": round(float(exp_[0]), 4),
               "cox_calibration_slope": round(ev.cox_slope(lp, rows=idx), 4)}
        if n_ev < MIN_EVENTS:
            row["note"] = f"only {n_ev} deaths within 10 years in the held-out data: too few to judge"
        rows.append(row)
    return rows


# --- card ---------------------------------------------------------------------------------------------------------
def _hr_table(p: cox_onnx.CoxParams) -> list[dict]:
    """Hazard ratio per unit (per year of age, male vs female, per ln-unit of kappa/lambda/creatinine, MGUS)."""
    out = []
    for i, term in enumerate(TERMS):
        per_unit = p.beta[i] / p.sd[i]
        boot = p.boot_beta[:, i] / p.sd[i]
        out.append({"term": term, "coef_per_sd": round(float(p.beta[i]), 4),
                    "hazard_ratio_per_unit": round(float(np.exp(per_unit)), 4),
                    "hazard_ratio_ci95_bootstrap": [round(float(np.exp(np.quantile(boot, 0.025))), 4),
                                                    round(float(np.exp(np.quantile(boot, 0.975))), 4)]})
    return out


def _version_of(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def card(c: Cohort, p: cox_onnx.CoxParams, perf: dict) -> dict:
    f = c.facts
    cd = base_card(
        MODEL_ID, "10-year all-cause mortality from serum free light chains (Cox model, trained here)", "1.0",
        intended_use=(
            "Estimate the probability of death from any cause within 10 years for an adult aged 50 or over, from "
            "serum free light chains (kappa, lambda), serum creatinine, age, sex and MGUS status, as context in a "
            "consultation (for example when free light chains have been measured). It is not a test for a plasma "
            "cell disorder and does not say what a person dies of. Validated on a hold-out split of its own "
            "cohort only (no external validation)."),
        population=(
            f"Residents of one US county (Olmsted County, Minnesota) aged 50 or over whose serum was sampled in "
            f"{f['sample_years'][0]}-{f['sample_years'][1]} (flchain: {f['n_all']:,} people, {f['deaths_all']:,} "
            f"deaths; {f['female_fraction']:.0%} women). Trained on the {f['n_complete']:,} with creatinine "
            "recorded. No race, ethnicity or ancestry was recorded."),
        outcome="Death from any cause.", horizon="10 years",
        citation=("Dispenzieri A, Katzmann JA, Kyle RA, et al. Use of nonclonal serum immunoglobulin free light "
                  "chains to predict overall survival in the general population. Mayo Clin Proc 2012;87:512-523. "
                  "doi:10.1016/j.mayocp.2012.03.009. Model trained by models_onnx/build/trained_flchain.py."),
    )
    cd["short_name"] = "Free light chain mortality model"
    cd["category"] = "clinical"
    cd["applicability"] = {"age_years": [50, 101]}
    cd["required_record"] = {"any_of": ["kappa_mg_dl", "lambda_mg_dl"],
                             "missing_text": "the record has no serum free light chain (kappa or lambda) result"}
    lo, hi = c.x.min(axis=0), c.x.max(axis=0)
    rng_src = ("range observed in the cohort the model was trained and checked on (training and held-out splits); "
               "not validated outside it")
    unit_note = ("Lab value in mg/dL or mg/L with its unit (mg/L is divided by 10); a value without a unit is "
                 "refused: a 10x unit error still passes the range check for 83 % of people and moves the median "
                 "risk from 0.145 to 0.571 (feasibility study, unit_check_b)")
    cd["inputs"] = [
        num("age", "years", lo[0], hi[0], "Age", rng_src),
        {"name": "sex", "type": "category", "categories": ["female", "male"], "description": "Sex",
         "encode": {"female": {}, "male": {"male": 1.0}}},
        num("kappa_mg_dl", "mg/dL", round(float(lo[2]), 6), round(float(hi[2]), 6),
            f"Serum free kappa light chain (LOINC 36916-5 or 80515-0). {unit_note}", rng_src),
        num("lambda_mg_dl", "mg/dL", round(float(lo[3]), 6), round(float(hi[3]), 6),
            f"Serum free lambda light chain (LOINC 33944-0 or 80516-8). {unit_note}", rng_src),
        num("creatinine_mg_dl", "mg/dL", round(float(lo[4]), 6), round(float(hi[4]), 6),
            "Serum creatinine (LOINC 2160-0 or 38483-4; umol/L converted)", rng_src),
        BOOL("mgus", "MGUS (monoclonal gammopathy of undetermined significance) diagnosed"),
    ]
    cd["features"] = FEATURES
    cd["terms"] = TERMS
    cd["output"] = {"name": "value", "unit": "probability",
                    "meaning": "Probability of death from any cause within 10 years (0-1)."}
    cd["extra_outputs"] = {"lp": "log relative hazard against the training-split mean profile",
                           "value_lo": "2.5th percentile of the risk over the bootstrap refits",
                           "value_hi": "97.5th percentile of the risk over the bootstrap refits"}
    cd["interval"] = {
        "low": "value_lo", "high": "value_hi", "level": 0.95,
        "method": (f"percentile interval of this person's risk over {N_FIT_BOOT} bootstrap refits of the whole "
                   "model (coefficients and baseline hazard) on resamples of the training split; the "
                   f"{p.ranks[0] + 1}th and {p.ranks[1] + 1}th smallest of the {N_FIT_BOOT} risks"),
        "meaning": ("How much the estimate would move if the model had been fitted on another sample of the same "
                    "cohort. It is not the uncertainty of this person's outcome, and it does not cover a "
                    "population different from the cohort.")}
    ref_age = round(float(p.mean[0]), 1)
    reference = {"age": ref_age, "kappa_mg_dl": round(float(np.exp(p.mean[2])), 3),
                 "lambda_mg_dl": round(float(np.exp(p.mean[3])), 3),
                 "creatinine_mg_dl": round(float(np.exp(p.mean[4])), 3), "mgus": False}
    cd["explain"] = {
        "method": "shapley_value", "players": ["age", "kappa_mg_dl", "lambda_mg_dl", "creatinine_mg_dl", "mgus"],
        "reference": reference,
        "scale": (f"probability; exact Shapley values over the 32 coalitions of age, kappa, lambda, creatinine and "
                  f"MGUS, relative to a reference person of the patient's own sex with the training split's mean "
                  f"age ({ref_age} years), geometric-mean kappa, lambda and creatinine and no MGUS; they sum to "
                  "P(patient) - P(reference). 'terms' are each coefficient x standardised value (ln for the lab "
                  "values), relative to the training-split means of the model's own features.")}
    cd["performance"] = {
        "split": (f"complete cases, stratified (by death) 70/30 hold-out split, random_state={SEED}: "
                  f"{f['n_train']:,} train ({f['deaths_train']:,} deaths), {f['n_test']:,} test "
                  f"({f['deaths_test']:,} deaths)"),
        "held_out": perf,
        "bootstrap": (f"95 % CIs are percentile intervals over {N_EVAL_BOOT} resamples of the test split "
                      f"(seed {EVAL_BOOT_SEED}); subgroups {N_SUB_BOOT} resamples each."),
        "definitions": (
            "Harrell's C as sksurv.metrics.concordance_index_censored; Uno's C truncated at 10 years and the "
            "cumulative/dynamic time-dependent AUC at 10 years with censoring weights from the training split; "
            "O/E = Kaplan-Meier observed 10-year risk / mean predicted risk; Cox calibration slope = "
            "coefficient of the linear predictor refitted on the held-out data (1 = ideal); IPCW-logistic "
            "calibration = weighted logistic regression of death by 10 years on logit(risk). The comparator is "
            "the same method with age and sex only."),
    }
    cd["subgroups"] = perf["subgroups"]
    cd["cohort_gaps"] = [
        {"always": True, "short": "one Minnesota county, no race or ancestry recorded",
         "text": ("The cohort recorded no race, ethnicity or ancestry: how the model performs in any ancestry "
                  "group is unknown, and it was not checked in any population other than one Minnesota county.")},
        {"input": "race", "present": True, "short": "patient's recorded race not represented",
         "text": ("The patient's record gives a race or ethnicity; the cohort recorded none, so the model's "
                  "accuracy for this group is unknown.")},
        {"always": True, "short": "sampled 1995-2003, one assay",
         "text": ("Sampled 1995-2003: mortality, treatments and laboratory assays have changed since, so today's "
                  "absolute risks may differ from these estimates. Free light chains were measured with one assay "
                  "(the cohort's); results from another assay may not be comparable.")},
    ]
    sub = {r["label"]: r for r in perf["subgroups"]}
    cd["subgroup_differences"] = [
        (f"Women: C {sub['female']['harrell_c']['est']:.3f}, O/E {sub['female']['o_over_e']['est']:.2f}; men: C "
         f"{sub['male']['harrell_c']['est']:.3f}, O/E {sub['male']['o_over_e']['est']:.2f} (held-out)."),
        ("Within 10-year age bands discrimination is lower (C " +
         ", ".join(f"{sub[k]['harrell_c']['est']:.2f}" for k in ("age 50-59", "age 60-69", "age 70-79",
                                                                 "age 80 and over")) +
         ") because age, the strongest predictor, barely varies inside a band."),
        (f"Creatinine above 1.2 mg/dL: O/E {sub['creatinine above 1.2 mg/dL']['o_over_e']['est']:.2f} "
         f"(n {sub['creatinine above 1.2 mg/dL']['n']}). MGUS: n {sub['MGUS']['n']}, too few to judge."),
        (f"{f['creatinine_missing']:,} people ({f['creatinine_missing'] / f['n_all']:.0%}) without creatinine were "
         f"left out; they were younger (median age {f['median_age_creatinine_missing_vs_recorded'][0]:g} vs "
         f"{f['median_age_creatinine_missing_vs_recorded'][1]:g}) and had lower 10-year mortality "
         f"({f['km_10y_mortality_creatinine_missing']:.1%} vs {f['km_10y_mortality_creatinine_recorded']:.1%})."),
        "No ancestry was recorded, so differences by ancestry cannot be measured.",
    ]
    cd["limitations"] = cd["limitations"] + [
        "Kappa and lambda need their unit: mg/dL (the cohort's) or mg/L; a value without a unit is refused.",
        "Not developed for people with a known plasma cell disorder (myeloma, AL amyloidosis), whose light chains "
        "are monoclonal.",
        "The interval shows how much the fit varies between resamples of the cohort, not the chance for one person.",
        "Calibration was checked only on the cohort's own hold-out. Where mortality differs from 1995-2003 Olmsted "
        "County (another country, ancestry mix or era), absolute risks may be too high or too low: check them "
        "against local outcomes before relying on them.",
    ]
    cd["training"] = {
        "algorithm": (f"Cox proportional hazards, Breslow ties, ridge penalty {LAM} x ||beta||^2 / 2 on standardised "
                      "features, fitted by Newton's method to the exact optimum; parameters rounded to 10 "
                      "significant digits; Breslow baseline cumulative hazard at 3652.5 days"),
        "standardisation": {"features": TERMS, "mean": [float(v) for v in p.mean], "sd": [float(v) for v in p.sd]},
        "coefficients": _hr_table(p),
        "baseline_cumulative_hazard_10y": p.h0,
        "seeds": {"split": SEED, "fit_bootstrap": FIT_BOOT_SEED, "evaluation_bootstrap": EVAL_BOOT_SEED,
                  "subgroup_bootstrap": SUB_BOOT_SEED},
        "cohort": f,
    }
    cd["data"] = {
        "dataset": "flchain (serum free light chain assay, Olmsted County, Minnesota)",
        "loaded_from": f"{PACKAGE} {_version_of(PACKAGE)}, sksurv.datasets.load_flchain (GPL-3.0-or-later)",
        "original_source": "Dispenzieri et al. 2012 (above); also distributed as survival::flchain in R",
        "what_ships": ("Coefficients, baseline hazards of the fit and its bootstrap refits, and summary statistics "
                       "(ranges, means, performance tables). No row of the data is in this file or the program; "
                       "the GPL package is used only by the build script."),
        "licence_note": "Using a GPL package at build time to read data needs a licence review; not legal advice.",
    }
    return cd


def build() -> list[Built]:
    c = load()
    p = fit(c)
    p0 = fit(c, [0, 1], n_boot=1)
    perf = evaluate(c, p, p0)
    cd = card(c, p, perf)
    model = cox_onnx.graph(MODEL_ID, p, cd)
    cox_onnx.check_against_numpy(model, p, c.x[c.test])
    return [Built(MODEL_ID, model, cd)]
