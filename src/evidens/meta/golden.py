"""Run the engine over metafor golden cases (the schema of ``metafor_reference.json``).

Why here and not in a test: ``evidens validate metafor FILE.json`` lets anyone re-check the
engine against a newer golden file. Effect sizes are always recomputed from the raw columns
(metafor's own ``input_yi`` is never used), so escalc and pooling are checked together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from evidens.meta.bias import egger_test, rank_test, trim_and_fill
from evidens.meta.diagnostics import influence, leave_one_out
from evidens.meta.effects import EffectSizes, binary_effects, continuous_effects, generic_effects
from evidens.meta.mh import CountPooling, mantel_haenszel, peto
from evidens.meta.regression import meta_regression, subgroups
from evidens.meta.revman import revman5_mh
from evidens.meta.rma import RmaFit, fit_rma, higgins_prediction_interval

Case = Mapping[str, Any]
Json = dict[str, Any]


def dataset_effects(dataset: Case, spec: Case, measure: str | None = None) -> EffectSizes:
    """escalc for a golden dataset under the case's zero-cell and variance options."""
    cols = dataset["columns"]
    m = (measure or spec.get("measure", "GEN")).upper()
    labels = [str(s) for s in cols.get("study", [])] or None
    if dataset["type"] == "binary":
        return binary_effects(
            m,
            ai=cols["ai"],
            bi=cols["bi"],
            ci=cols["ci"],
            di=cols["di"],
            labels=labels,
            add=float(spec.get("add", 0.5)),
            to=spec.get("to", "only0"),
            drop00=bool(spec.get("drop00", False)),
        )
    if dataset["type"] == "continuous":
        return continuous_effects(
            m,
            m1i=cols["m1i"],
            sd1i=cols["sd1i"],
            n1i=cols["n1i"],
            m2i=cols["m2i"],
            sd2i=cols["sd2i"],
            n2i=cols["n2i"],
            labels=labels,
            vtype=spec.get("vtype", "LS"),
        )
    return generic_effects(cols["yi"], cols["vi"], labels=labels)


def _nan_none(values: np.ndarray[Any, Any]) -> list[float | None]:
    return [None if not math.isfinite(float(x)) else float(x) for x in values]


def uni_json(
    fit: RmaFit, *, predict: bool = True, confint: bool = True, weights: bool = True
) -> Json:
    """The keys ``res_uni`` of the golden script records for one fit."""
    out: Json = {"k": fit.k, "p": fit.p, "method": fit.method, "test": fit.test}
    vec: Callable[[np.ndarray[Any, Any]], Any] = (
        (lambda a: float(a[0])) if fit.p == 1 else (lambda a: [float(x) for x in a])
    )
    out |= {
        "estimate": vec(fit.beta),
        "se": vec(fit.se),
        "zval": vec(fit.zval),
        "pval": vec(fit.pval),
        "ci_lb": vec(fit.ci_lb),
        "ci_ub": vec(fit.ci_ub),
    }
    if fit.p > 1:
        qm, qmdf, qmp = fit.qm()
        out |= {"QM": qm, "QMdf": qmdf, "QMp": qmp}
        if fit.df is not None:
            out["QMdf2"] = fit.df
    if fit.df is not None:
        out["df"] = fit.df
    out |= {
        "tau2": fit.tau2,
        "tau": math.sqrt(fit.tau2),
        "se_tau2": fit.se_tau2,
        "I2": fit.I2,
        "H2": fit.H2,
        "QE": fit.QE,
        "QE_df": fit.k - fit.p,
        "QEp": fit.QEp,
        "vt": fit.vt,
    }
    if weights:
        out["weights_pct"] = [float(x) for x in fit.weights_pct]
    fs = fit.fitstats()
    if fs is not None:
        out |= {
            "logLik": fs.logLik,
            "deviance": fs.deviance,
            "AIC": fs.AIC,
            "BIC": fs.BIC,
            "AICc": fs.AICc,
        }
    if predict and fit.p == 1:
        pred, se, _, _, pi_lb, pi_ub = fit.predict()
        out |= {"pred": pred, "pred_se": se}
        if fit.random:
            out |= {"pi_lb": pi_lb, "pi_ub": pi_ub}
    if confint:
        ci = fit.tau2_ci()
        if ci is not None:
            out |= {
                "tau2_ci_lb": ci.tau2[0],
                "tau2_ci_ub": ci.tau2[1],
                "tau_ci_lb": ci.tau[0],
                "tau_ci_ub": ci.tau[1],
                "I2_ci_lb": ci.I2[0],
                "I2_ci_ub": ci.I2[1],
                "H2_ci_lb": ci.H2[0],
                "H2_ci_ub": ci.H2[1],
            }
    return out


def _case_escalc(case: Case, dataset: Case) -> Json:
    es = dataset_effects(dataset, case["spec"])
    return {"yi": _nan_none(es.yi), "vi": _nan_none(es.vi)}


def _case_uni(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    es = dataset_effects(dataset, s)
    fit = fit_rma(
        es.yi, es.vi, method=s["method"], test=s.get("test", "z"), level=float(s.get("level", 95))
    )
    return uni_json(fit)


def _case_metareg(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    es = dataset_effects(dataset, s)
    mods = np.column_stack([np.asarray(dataset["columns"][m], dtype=float) for m in s["mods"]])
    reg = meta_regression(
        es.yi, es.vi, mods, names=s["mods"], method=s["method"], test=s.get("test", "z")
    )
    out = uni_json(reg.fit, predict=False, confint=False) | {"R2": reg.R2}
    newmods = case.get("result", {}).get("newmods")  # an input kept in the golden result block
    if newmods is not None:
        rows = [np.atleast_1d(np.asarray(x, dtype=float)) for x in newmods]
        preds = [reg.fit.predict(np.concatenate([[1.0], r])) for r in rows]
        keys = (
            "newmods_pred",
            "newmods_se",
            "newmods_ci_lb",
            "newmods_ci_ub",
            "newmods_pi_lb",
            "newmods_pi_ub",
        )
        for j, key in enumerate(keys):
            if j < 4 or reg.fit.random:
                out[key] = [p[j] for p in preds]
    return out


def _case_pi_tk2(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    es = dataset_effects(dataset, s)
    fit = fit_rma(es.yi, es.vi, method=s["method"])
    lo, hi = higgins_prediction_interval(fit)
    return {
        "estimate": float(fit.beta[0]),
        "se": float(fit.se[0]),
        "tau2": fit.tau2,
        "df": fit.k - 2,
        "pi_lb": lo,
        "pi_ub": hi,
    }


def _case_regtest(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    es = dataset_effects(dataset, s)
    eg = egger_test(es.yi, es.vi, method=s["method"], model=s.get("model", "rma"))
    out: Json = {
        "zval": eg.zval,
        "pval": eg.pval,
        "df": eg.df,
        "limit_estimate": eg.limit_estimate,
        "limit_ci_lb": eg.limit_ci[0],
        "limit_ci_ub": eg.limit_ci[1],
        "fit_coef": [float(x) for x in eg.fit.beta],
        "fit_se": [float(x) for x in eg.fit.se],
    }
    if eg.model == "rma":
        out["fit_tau2"] = eg.fit.tau2
    return out


def _case_ranktest(case: Case, dataset: Case) -> Json:
    es = dataset_effects(dataset, case["spec"])
    rt = rank_test(es.yi, es.vi)
    return {"tau": rt.tau, "pval": rt.pval}


def _case_trimfill(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    es = dataset_effects(dataset, s)
    tf = trim_and_fill(es.yi, es.vi, method=s["method"], estimator=s.get("estimator", "L0"))
    f = tf.fit
    return {
        "k0": tf.k0,
        "side": tf.side,
        "se_k0": tf.se_k0,
        "p_k0": tf.p_k0,
        "k_total": f.k,
        "estimate": float(f.beta[0]),
        "se": float(f.se[0]),
        "zval": float(f.zval[0]),
        "pval": float(f.pval[0]),
        "ci_lb": float(f.ci_lb[0]),
        "ci_ub": float(f.ci_ub[0]),
        "tau2": f.tau2,
        "QE": f.QE,
        "QEp": f.QEp,
        "I2": f.I2,
        "filled_yi": [float(x) for x in tf.filled_yi],
        "filled_vi": [float(x) for x in tf.filled_vi],
    }


def _case_subgroup(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    es = dataset_effects(dataset, s)
    sg = subgroups(
        es.yi, es.vi, dataset["columns"][s["group"]], method=s["method"], test=s.get("test", "z")
    )
    mixed = uni_json(sg.mixed, predict=False, confint=False) | {
        "R2": sg.mixed_R2,
        "group_estimates": [float(x) for x in sg.group_fit.beta],
        "group_se": [float(x) for x in sg.group_fit.se],
    }
    separate = {lev: uni_json(f, confint=False, weights=False) for lev, f in sg.separate.items()}
    out: Json = {
        "levels": list(sg.levels),
        "group_sizes": list(sg.sizes),
        "mixed_effects_model": mixed,
        "separate": separate,
        "Q_between": sg.Q_between,
        "Q_between_df": sg.Q_between_df,
        "Q_between_p": sg.Q_between_p,
    }
    if sg.Q_total is not None:
        out |= {"Q_total": sg.Q_total, "Q_within_sum": sg.Q_within_sum}
    return out


def _case_leave1out(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    es = dataset_effects(dataset, s)
    l1 = leave_one_out(fit_rma(es.yi, es.vi, method=s["method"], test=s.get("test", "z")))
    keys = ("estimate", "se", "zval", "pval", "ci_lb", "ci_ub", "Q", "Qp", "tau2", "I2", "H2")
    return {key: [float(x) for x in l1.column(key)] for key in keys}


def _case_influence(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    es = dataset_effects(dataset, s)
    inf = influence(fit_rma(es.yi, es.vi, method=s["method"]))
    out: Json = {
        key: [float(x) for x in getattr(inf, key)]
        for key in ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "QE_del", "hat", "weight")
    }
    out["dfbetas"] = [float(x) for x in inf.dfbetas[:, 0]]
    out["is_influential"] = [bool(x) for x in inf.is_influential]
    return out


def _pooling_json(res: CountPooling) -> Json:
    pooled = res.pooled
    out: Json = {
        "k": res.k,
        "estimate": pooled.estimate,
        "se": pooled.se,
        "zval": pooled.zval,
        "pval": pooled.pval,
        "ci_lb": pooled.ci_lb,
        "ci_ub": pooled.ci_ub,
        "QE": res.QE,
        "QE_df": max(res.k_yi - 1, 0),
        "QEp": res.QEp,
        "I2": res.I2,
        "H2": res.H2,
        "k_yi": res.k_yi,
        "weights_pct": _nan_none(res.weights_pct),
    }
    for key in ("CO", "COp", "MH", "MHp", "BD", "BDp", "TA", "TAp"):
        if res.method == "MH":
            out[key] = res.tests.get(key)
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()
    }


def _case_mh(case: Case, dataset: Case) -> Json:
    es = dataset_effects(dataset, case["spec"])
    return _pooling_json(mantel_haenszel(es))


def _case_peto(case: Case, dataset: Case) -> Json:
    s = case["spec"]
    res = peto(dataset_effects(dataset, s, "PETO"))
    raw = dataset_effects(dataset, {"add": 0.0, "to": "none"}, "PETO")
    return _pooling_json(res) | {"study_yi": _nan_none(raw.yi), "study_vi": _nan_none(raw.vi)}


def _case_revman(case: Case, dataset: Case) -> Json:
    res = revman5_mh(dataset_effects(dataset, {"add": 0.0, "to": "none"}, case["spec"]["measure"]))
    fx, rf = res.fixed.pooled, res.random
    fixed = {
        "estimate": fx.estimate,
        "se": fx.se,
        "zval": fx.zval,
        "pval": fx.pval,
        "ci_lb": fx.ci_lb,
        "ci_ub": fx.ci_ub,
        "weights_pct": _nan_none(res.fixed.weights_pct),
    }
    random = {
        "estimate": float(rf.beta[0]),
        "se": float(rf.se[0]),
        "zval": float(rf.zval[0]),
        "pval": float(rf.pval[0]),
        "ci_lb": float(rf.ci_lb[0]),
        "ci_ub": float(rf.ci_ub[0]),
        "weights_pct": [float(x) for x in rf.weights_pct],
    }
    return {
        "k": int(res.kept.sum()),
        "k_excluded_double_zero": res.k_excluded_double_zero,
        "corrected_study": list(res.effects.corrected),
        "study_yi": _nan_none(res.effects.yi),
        "study_vi": _nan_none(res.effects.vi),
        "fixed": fixed,
        "Q": res.Q,
        "Q_df": res.Q_df,
        "Qp": res.Qp,
        "I2_Q": res.I2_Q,
        "tau2_DL": res.tau2_DL,
        "random": random,
    }


HANDLERS: dict[str, Callable[[Case, Case], Json]] = {
    "escalc": _case_escalc,
    "rma.uni": _case_uni,
    "rma.mh": _case_mh,
    "rma.peto": _case_peto,
    "revman5.mh": _case_revman,
    "pi_tk2": _case_pi_tk2,
    "regtest": _case_regtest,
    "ranktest": _case_ranktest,
    "trimfill": _case_trimfill,
    "subgroup": _case_subgroup,
    "metareg": _case_metareg,
    "leave1out": _case_leave1out,
    "influence": _case_influence,
}


def run_case(case: Case, dataset: Case) -> Json:
    """Adapter for the golden harness: the engine's answer in golden key names.

    Raises ``NotImplementedError`` for analyses this engine does not know.
    """
    analysis = case["spec"]["analysis"]
    if analysis in ("rma.mv.multilevel", "rma.mv.multivariate"):
        from evidens.meta.golden_mv import case_mv

        return case_mv(case, dataset)
    if analysis == "rma.mv.nma":
        from evidens.meta.golden_nma import case_nma

        return case_nma(case, dataset)
    handler = HANDLERS.get(analysis)
    if handler is None:
        raise NotImplementedError(case["spec"]["analysis"])
    return handler(case, dataset)
