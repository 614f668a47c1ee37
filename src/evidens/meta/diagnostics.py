# ruff: noqa: N806 - matrix and statistic names follow the literature (X, P, QE, I2)
"""Sensitivity and influence: leave-one-out, cumulative meta-analysis, influence diagnostics.

Why: a pooled estimate that hinges on one study must be reported as such (Cochrane Handbook
10.14); these follow metafor's ``leave1out``, ``cumul`` and ``influence``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.meta.rma import RmaFit, fit_rma

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class SequentialFits:
    """One refit per study: leave-one-out (study i removed) or cumulative (studies 1..i)."""

    kind: str
    fits: tuple[RmaFit, ...]

    def column(self, name: str) -> FloatArray:
        """One statistic across the refits (estimate, se, zval, pval, ci_lb, ci_ub, tau2, ...)."""
        if name in ("estimate", "se", "zval", "pval", "ci_lb", "ci_ub"):
            key = "beta" if name == "estimate" else name
            return np.array([float(getattr(f, key)[0]) for f in self.fits])
        if name == "Q":
            name = "QE"
        if name == "Qp":
            name = "QEp"
        return np.array([float(getattr(f, name)) for f in self.fits])


def _clean(fit: RmaFit) -> tuple[FloatArray, FloatArray]:
    return fit.yi, fit.vi


def leave_one_out(fit: RmaFit) -> SequentialFits:
    """Refit without each study in turn, with the same method and test."""
    y, v = _clean(fit)
    fits = tuple(
        fit_rma(np.delete(y, i), np.delete(v, i), method=fit.method, test=fit.test, level=fit.level)
        for i in range(fit.k)
    )
    return SequentialFits("leave-one-out", fits)


def cumulative(fit: RmaFit, order: NDArray[np.int64] | None = None) -> SequentialFits:
    """Add studies one at a time (in ``order``, default as given, e.g. by year)."""
    y, v = _clean(fit)
    idx = np.arange(fit.k) if order is None else np.asarray(order)
    fits = tuple(
        fit_rma(y[idx[: i + 1]], v[idx[: i + 1]], method=fit.method, test=fit.test, level=fit.level)
        for i in range(fit.k)
    )
    return SequentialFits("cumulative", fits)


@dataclass(frozen=True, eq=False)
class Influence:
    """Case-deletion diagnostics of Viechtbauer and Cheung (2010), one value per study."""

    rstudent: FloatArray
    dffits: FloatArray
    cook_d: FloatArray
    cov_r: FloatArray
    tau2_del: FloatArray
    QE_del: FloatArray
    hat: FloatArray
    weight: FloatArray
    dfbetas: NDArray[np.float64]
    is_influential: NDArray[np.bool_]


def influence(fit: RmaFit) -> Influence:
    """metafor's ``influence.rma.uni`` (studentised deleted residuals, DFFITS, Cook's D ...)."""
    y, v, X = fit.yi, fit.vi, fit.X
    k, p = fit.k, fit.p
    w = 1 / (v + fit.tau2)
    hat = np.einsum("ij,jk,ik->i", X * w[:, None], np.linalg.inv(X.T @ (X * w[:, None])), X)
    pred_full = X @ fit.beta
    svb = np.linalg.inv(fit.vb)
    n = k
    out = {
        name: np.full(n, np.nan)
        for name in ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "QE_del")
    }
    dfbetas = np.full((n, p), np.nan)
    for i in range(k):
        keep = np.arange(k) != i
        d = fit_rma(y[keep], v[keep], X=X[keep], method=fit.method, test=fit.test, level=fit.level)
        xi = X[i]
        delpred = float(xi @ d.beta)
        vdel = float(xi @ d.vb @ xi)
        out["tau2_del"][i], out["QE_del"][i] = d.tau2, d.QE
        out["rstudent"][i] = (y[i] - delpred) / np.sqrt(v[i] + vdel + d.tau2)
        out["dffits"][i] = (pred_full[i] - delpred) / np.sqrt(hat[i] * (d.tau2 + v[i]))
        dfb = fit.beta - d.beta
        out["cook_d"][i] = float(dfb @ svb @ dfb)
        out["cov_r"][i] = np.linalg.det(d.vb) / np.linalg.det(fit.vb)
        wd = 1 / (v + d.tau2)
        vb_del = np.linalg.inv(X.T @ (X * wd[:, None]))
        dfbetas[i] = dfb / np.sqrt(np.diag(vb_del))
    infl = (
        (np.abs(out["dffits"]) > 3 * np.sqrt(p / (k - p)))
        | (stats.chi2.cdf(out["cook_d"], p) > 0.5)
        | (hat > 3 * p / k)
        | np.any(np.abs(dfbetas) > 1, axis=1)
    )
    return Influence(
        out["rstudent"],
        out["dffits"],
        out["cook_d"],
        out["cov_r"],
        out["tau2_del"],
        out["QE_del"],
        hat,
        100 * w / w.sum(),
        dfbetas,
        infl,
    )
