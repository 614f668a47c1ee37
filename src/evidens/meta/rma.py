# ruff: noqa: N803, N806, N815 - matrix and statistic names follow the literature (X, P, QE, I2)
"""Inverse-variance fixed- and random-effects models with moderators (metafor's ``rma.uni``).

Every number follows metafor 3.8's conventions so that the golden set can be matched to 1e-6:
I² from τ² and the typical within-study variance, Knapp–Hartung without truncation, the
prediction interval with z (or t(k−p) under Knapp–Hartung), Q-profile intervals for τ².
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.errors import EstimationError
from evidens.meta.tau2 import (
    FE_METHODS,
    THRESHOLD,
    Projection,
    Tau2Estimate,
    cross,
    estimate_tau2,
    solve_q,
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class FitStats:
    """Log-likelihood, deviance and information criteria (ML and REML fits)."""

    logLik: float
    deviance: float
    AIC: float
    BIC: float
    AICc: float


@dataclass(frozen=True)
class Tau2Interval:
    """Q-profile confidence intervals for τ², τ, I² (%) and H²."""

    tau2: tuple[float, float]
    tau: tuple[float, float]
    I2: tuple[float, float]
    H2: tuple[float, float]
    upper_unbounded: bool = False


@dataclass(frozen=True, eq=False)
class RmaFit:
    """One fitted inverse-variance model; arrays have one entry per coefficient or study."""

    k: int
    p: int
    method: str
    test: str
    level: float
    yi: FloatArray
    vi: FloatArray
    X: NDArray[np.float64]
    beta: FloatArray
    vb: NDArray[np.float64]
    tau2: float
    se_tau2: float | None
    QE: float
    QEp: float
    I2: float
    H2: float
    vt: float
    weights: FloatArray
    df: int | None

    @property
    def random(self) -> bool:
        return self.method not in FE_METHODS

    @property
    def se(self) -> FloatArray:
        return np.sqrt(np.diag(self.vb))

    @property
    def crit(self) -> float:
        alpha = 1 - self.level / 100
        if self.df is None:
            return float(stats.norm.isf(alpha / 2))
        return float(stats.t.isf(alpha / 2, self.df))

    @property
    def zval(self) -> FloatArray:
        return self.beta / self.se

    @property
    def pval(self) -> FloatArray:
        z = np.abs(self.zval)
        if self.df is None:
            return np.asarray(2 * stats.norm.sf(z), dtype=np.float64)
        return np.asarray(2 * stats.t.sf(z, self.df), dtype=np.float64)

    @property
    def ci_lb(self) -> FloatArray:
        return self.beta - self.crit * self.se

    @property
    def ci_ub(self) -> FloatArray:
        return self.beta + self.crit * self.se

    @property
    def weights_pct(self) -> FloatArray:
        return np.asarray(100 * self.weights / self.weights.sum(), dtype=np.float64)

    def predict(
        self, x: FloatArray | None = None
    ) -> tuple[float, float, float, float, float, float]:
        """pred, se, ci_lb, ci_ub, pi_lb, pi_ub at moderator row ``x`` (intercept included)."""
        xr = np.ones(1) if x is None else np.asarray(x, dtype=float)
        pred = float(xr @ self.beta)
        se = float(np.sqrt(xr @ self.vb @ xr))
        c = self.crit
        half = c * math.sqrt(self.tau2 + se**2)
        return pred, se, pred - c * se, pred + c * se, pred - half, pred + half

    def qm(self) -> tuple[float, int, float]:
        """Omnibus test of the moderators (all coefficients but the intercept)."""
        b = self.beta[1:]
        m = len(b)
        stat = float(b @ np.linalg.solve(self.vb[1:, 1:], b))
        if self.df is None:
            return stat, m, float(stats.chi2.sf(stat, m))
        return stat / m, m, float(stats.f.sf(stat / m, m, self.df))

    def fitstats(self) -> FitStats | None:
        """metafor's ``fitstats`` for ML/REML fits with k > 1; None otherwise."""
        if self.method not in ("ML", "REML") or self.k < 2:
            return None
        w = 1 / (self.vi + self.tau2)
        rss = Projection.of(w, self.X).quad(self.yi)
        k, p = self.k, self.p
        parms = p + 1
        sum_log = float(np.log(self.vi + self.tau2).sum())
        if self.method == "ML":
            ll = -0.5 * k * math.log(2 * math.pi) - 0.5 * sum_log - 0.5 * rss
            sat = -0.5 * k * math.log(2 * math.pi) - 0.5 * float(np.log(self.vi).sum())
            dev, n = -2 * (ll - sat), k
        else:
            logdet_x = np.linalg.slogdet(self.X.T @ self.X)[1]
            logdet_xwx = np.linalg.slogdet(self.X.T @ (self.X * w[:, None]))[1]
            ll = (
                -0.5 * (k - p) * math.log(2 * math.pi)
                + 0.5 * logdet_x
                - 0.5 * sum_log
                - 0.5 * logdet_xwx
                - 0.5 * rss
            )
            dev, n = -2 * ll, k - p
        big = max(n, parms + 2)
        return FitStats(
            ll,
            dev,
            -2 * ll + 2 * parms,
            -2 * ll + parms * math.log(n),
            -2 * ll + 2 * parms * big / (big - parms - 1),
        )

    def tau2_ci(self) -> Tau2Interval | None:
        """Q-profile intervals (metafor's ``confint``, search limit τ² ≤ 1e8)."""
        if not self.random or self.k < 2:
            return None
        dfree = self.k - self.p
        alpha = 1 - self.level / 100
        lo = solve_q(float(stats.chi2.isf(alpha / 2, dfree)), self.yi, self.vi, self.X)
        up = solve_q(float(stats.chi2.ppf(alpha / 2, dfree)), self.yi, self.vi, self.X)
        unbounded = up is None
        lo_v = 1e8 if lo is None else lo
        up_v = 1e8 if up is None else up
        vt = self.vt
        return Tau2Interval(
            (lo_v, up_v),
            (math.sqrt(lo_v), math.sqrt(up_v)),
            (100 * lo_v / (vt + lo_v), 100 * up_v / (vt + up_v)),
            (1 + lo_v / vt, 1 + up_v / vt),
            unbounded,
        )


def design(
    k: int, mods: NDArray[np.float64] | None = None, intercept: bool = True
) -> NDArray[np.float64]:
    """Model matrix: intercept column plus moderators (one column per moderator)."""
    cols = [np.ones((k, 1))] if intercept else []
    if mods is not None:
        m = np.asarray(mods, dtype=float)
        cols.append(m.reshape(k, -1))
    return np.hstack(cols)


def fit_rma(
    yi: FloatArray,
    vi: FloatArray,
    *,
    X: NDArray[np.float64] | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    tau2: float | None = None,
    threshold: float = THRESHOLD,
) -> RmaFit:
    """Fit ``rma.uni(yi, vi, mods=X, method, test, level)``; studies with NaN are left out.

    ``tau2`` fixes τ² (RevMan's random-effects step uses the DerSimonian–Laird value);
    ``threshold`` is the ML/REML convergence criterion.
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    Xm = design(len(y)) if X is None else np.asarray(X, dtype=float)
    ok = np.isfinite(y) & np.isfinite(v) & np.all(np.isfinite(Xm), axis=1)
    y, v, Xm = y[ok], v[ok], Xm[ok]
    method = method.upper()
    k, p = Xm.shape
    if k == 0:
        raise EstimationError("no study has an estimable effect (all are missing or dropped)")
    if k < p:
        raise EstimationError(f"{k} studies cannot fit a model with {p} coefficients")
    if np.any(v <= 0) and (method in (*FE_METHODS, "DL", "HS") or k == 1):
        raise EstimationError(
            "a study has a sampling variance of 0, so its inverse-variance weight is infinite",
            hint="use a continuity correction (to='only0' or 'all') or drop that study",
        )
    if k == 1:
        est = Tau2Estimate(0.0, None)
    elif tau2 is not None:
        est = Tau2Estimate(max(0.0, tau2), None)
    else:
        est = estimate_tau2(method, y, v, Xm, threshold)
    return _finish(y, v, Xm, method, test, level, est)


def _finish(
    y: FloatArray,
    v: FloatArray,
    X: NDArray[np.float64],
    method: str,
    test: str,
    level: float,
    est: Tau2Estimate,
) -> RmaFit:
    k, p = X.shape
    random = method not in FE_METHODS
    tau2 = est.tau2 if random else 0.0
    w = 1 / (v + tau2)
    P = Projection.of(w, X)
    beta = P.M @ cross(P.A, y)
    vb = P.M.copy()
    dfree = k - p
    df: int | None = None
    if test == "knha":
        if dfree < 1:
            raise EstimationError("Knapp–Hartung needs more studies than coefficients")
        s2w = P.quad(y) / dfree
        vb = vb * s2w
        df = dfree
    P0 = P if not random else Projection.of(1 / v, X)
    qe = P0.quad(y) if dfree > 0 else 0.0
    qep = float(stats.chi2.sf(qe, dfree)) if dfree > 0 else 1.0
    vt = dfree / P0.trace() if dfree > 0 else 0.0
    if dfree == 0:
        i2, h2 = 0.0, 1.0
    elif random:
        i2, h2 = 100 * tau2 / (vt + tau2), (vt + tau2) / vt
    else:
        i2 = 100 * max(0.0, (qe - dfree) / qe) if qe > 0 else 0.0
        h2 = qe / dfree
    return RmaFit(
        k,
        p,
        method,
        test,
        level,
        y,
        v,
        X,
        beta,
        vb,
        tau2,
        est.se_tau2 if random else None,
        qe,
        qep,
        i2,
        h2,
        vt,
        w,
        df,
    )


def higgins_prediction_interval(fit: RmaFit) -> tuple[float, float]:
    """Higgins, Thompson and Spiegelhalter (2009): μ ± t(k−2)·√(τ² + SE²); needs k ≥ 3."""
    if fit.k < 3:
        raise EstimationError("the t(k-2) prediction interval needs at least 3 studies")
    crit = float(stats.t.isf((1 - fit.level / 100) / 2, fit.k - 2))
    mu, se = float(fit.beta[0]), float(fit.se[0])
    half = crit * math.sqrt(fit.tau2 + se**2)
    return mu - half, mu + half
