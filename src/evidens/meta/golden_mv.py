# ruff: noqa: N806 - matrix names follow the literature (X, V, G)
"""Run the engine over the rma.mv golden cases (``metafor_mv_reference.json``).

Why here: ``evidens validate metafor`` accepts either golden file; this module turns a
multilevel or multivariate case (metafor call written as a spec) into arrays and structures,
fits, and reports the keys the golden file records. Network cases are in
:mod:`evidens.meta.golden_nma`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from evidens.meta.mv import MvFit, fit_rma_mv
from evidens.meta.mv_formula import design_matrix, random_structures, sampling_covariance
from evidens.meta.mv_profile import lrt_zero, profile_ci
from evidens.meta.mv_robust import RobustResult, robust
from evidens.meta.mv_structures import GroupedEffects, NestedLevels

Case = Mapping[str, Any]
Json = dict[str, Any]


def _vec(fit: MvFit, a: Any) -> Any:
    return float(a[0]) if fit.p == 1 else [float(x) for x in a]


def fit_json(fit: MvFit) -> Json:
    """Coefficients, tests, heterogeneity and fit statistics in the golden file's keys."""
    out: Json = {"k": fit.k, "p": fit.p, "method": fit.method, "test": fit.test}
    out |= {
        "estimate": _vec(fit, fit.beta),
        "se": _vec(fit, fit.se),
        "zval": _vec(fit, fit.zval),
        "pval": _vec(fit, fit.pval),
        "ci_lb": _vec(fit, fit.ci_lb),
        "ci_ub": _vec(fit, fit.ci_ub),
    }
    # the golden file records df as null for test="t" (metafor keeps it as ddf): df is
    # checked through the p-values and CI bounds instead
    qm = fit.qm()
    if qm is not None:
        out |= {"QM": qm[0], "QMdf": qm[1] if fit.df is None else [qm[1], fit.df], "QMp": qm[2]}
    out |= {"QE": fit.QE, "QE_df": fit.k - fit.p, "QEp": fit.QEp}
    fs = fit.fitstats()
    out |= {
        "logLik": fs.logLik,
        "deviance": fs.deviance,
        "AIC": fs.AIC,
        "BIC": fs.BIC,
        "AICc": fs.AICc,
        "n_parms": fit.n_parms,
    }
    for s in fit.structures:
        out |= _components(fit, s)
    return out


def _components(fit: MvFit, s: Any) -> Json:
    th = fit.components(s)
    if isinstance(s, NestedLevels):
        return {
            "sigma2": [float(x) for x in th],
            "sigma": [math.sqrt(x) for x in th],
            "s_nlevels": list(s.n_levels),
            "s_names": ["/".join(s.names[: i + 1]) for i in range(len(s.names))],
            "sigma2_fixed": [f is not None for f in s.fixed],
        }
    assert isinstance(s, GroupedEffects)
    nt = len(s.fixed_tau2)
    var, sd, cor = s.label, s.label.removesuffix("2"), s.rho_label
    out: Json = {
        var: [float(x) for x in th[:nt]],
        sd: [math.sqrt(x) for x in th[:nt]],
        cor: [float(x) for x in th[nt:]],
        f"{var}_fixed": [f is not None for f in s.fixed_tau2],
        f"{cor}_fixed": [f is not None for f in s.fixed_rho],
    }
    if var == "tau2":
        out |= {"struct": s.struct, "g_levels": list(s.inner_levels), "G": s.G(th).tolist()}
    return out


def robust_json(r: RobustResult, p: int) -> Json:
    one = p == 1
    lb, ub = r.ci

    def v(a: Any) -> Any:
        return float(a[0]) if one else [float(x) for x in a]

    out: Json = {
        "estimate": v(r.beta),
        "se": v(r.se),
        "tval": v(r.tval),
        "pval": v(r.pval),
        "ci_lb": v(lb),
        "ci_ub": v(ub),
        "df": v(r.df) if r.kind == "CR2" else float(r.df[0]),
        "n_clusters": r.n_clusters,
    }
    if r.QM is not None and r.QMdf is not None:
        out |= {"QM": r.QM, "QMdf": list(r.QMdf), "QMp": r.QMp}
    return out


def case_mv(case: Case, dataset: Case) -> Json:
    """One multilevel or multivariate case."""
    s, cols = case["spec"], dataset["columns"]
    X, names, bad = design_matrix(cols, s.get("mods"), s.get("factor_levels"))
    y = np.array([np.nan if v is None else v for v in cols["yi"]], dtype=float)
    Vfull = sampling_covariance(cols, s.get("V", {}))
    vdiag = Vfull if Vfull.ndim == 1 else np.diag(Vfull)
    keep = ~bad & np.isfinite(y) & np.isfinite(vdiag)
    rows = np.flatnonzero(keep)
    V = Vfull[rows] if Vfull.ndim == 1 else Vfull[np.ix_(rows, rows)]
    Xk = X[rows]
    random = (
        random_structures(cols, s["random"], s.get("struct"), s.get("fixed"), rows)
        if s.get("random")
        else []
    )
    fit = fit_rma_mv(
        y[rows],
        V,
        Xk,
        random=random,
        method=s["method"],
        test=s.get("test", "z"),
        level=float(s.get("level", 95)),
        coef_names=names,
    )
    out = fit_json(fit) | {"rows_used": rows.tolist(), "input_X": Xk.tolist()}
    out |= _extras(case, fit, cols, rows)
    return out


def _extras(case: Case, fit: MvFit, cols: Mapping[str, Any], rows: Any) -> Json:
    s, ref = case["spec"], case["result"]
    out: Json = {}
    if "pred" in ref:
        pred = fit.predict()
        out |= dict(
            zip(
                ("pred", "pred_se", "pred_ci_lb", "pred_ci_ub", "pi_lb", "pi_ub"), pred, strict=True
            )
        )
    if s.get("newmods"):
        lead = [1.0] if "intrcpt" in fit.coef_names else []
        preds = [fit.predict([*lead, *row]) for row in s["newmods"]]
        for i, key in enumerate(("pred", "se", "ci_lb", "ci_ub", "pi_lb", "pi_ub")):
            out[f"newmods_{key}"] = [p[i] for p in preds]
    if s.get("contrast"):
        keys = ("estimate", "se", "zval", "pval", "ci_lb", "ci_ub")
        out |= {f"contrast_{k}": v for k, v in zip(keys, fit.contrast(s["contrast"]), strict=True)}
    if "I2_total" in ref:
        total, levels = fit.I2()
        out |= {"I2_total": total, "I2_levels": levels.tolist(), "I2_vt": fit.typical_variance()}
    if s.get("robust_cluster"):
        cl = [cols[s["robust_cluster"]][i] for i in rows]
        out["robust"] = robust_json(robust(fit, cl, "CR1"), fit.p)
        out["robust_CR2"] = robust_json(robust(fit, cl, "CR2"), fit.p)
    if "lrt_sigma2_zero" in ref:
        stats = [lrt_zero(fit, i) for i in range(len(fit.sigma2))]
        out |= {
            "lrt_sigma2_zero": [a for a, _ in stats],
            "lrt_sigma2_zero_pval": [b for _, b in stats],
        }
    out |= profile_ci(fit, ref)
    return out
