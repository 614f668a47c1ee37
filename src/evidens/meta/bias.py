# ruff: noqa: N806 - matrix and statistic names follow the literature (X, P, QE, I2)
"""Small-study effects: Egger's regression test, Begg's rank correlation, trim-and-fill.

Why these three: they are what reviewers are asked for (Cochrane Handbook ch. 13), and each
follows metafor's ``regtest``, ``ranktest`` and ``trimfill`` so published numbers reproduce.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.errors import EstimationError
from evidens.meta.rma import RmaFit, design, fit_rma

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class EggerTest:
    """Regression test for funnel-plot asymmetry (predictor: standard error)."""

    model: str  # "rma" (metafor default) or "lm" (classic Egger)
    zval: float
    pval: float
    df: int | None
    limit_estimate: float
    limit_ci: tuple[float, float]
    fit: RmaFit


def egger_test(
    yi: FloatArray, vi: FloatArray, *, method: str = "FE", model: str = "rma", test: str = "z"
) -> EggerTest:
    """``regtest``: ``model="rma"`` adds sei as a moderator of the meta-analytic model;
    ``model="lm"`` is Egger's weighted least squares with a t-test (k − 2 df)."""
    ok = np.isfinite(yi) & np.isfinite(vi)
    y, v = np.asarray(yi, dtype=float)[ok], np.asarray(vi, dtype=float)[ok]
    if len(y) < 3:
        raise EstimationError("Egger's test needs at least 3 studies")
    X = design(len(y), np.sqrt(v))
    if model == "lm":
        fit = fit_rma(y, v, X=X, method="FE", test="knha")
    else:
        fit = fit_rma(y, v, X=X, method=method, test=test)
    return EggerTest(
        model,
        float(fit.zval[1]),
        float(fit.pval[1]),
        fit.df,
        float(fit.beta[0]),
        (float(fit.ci_lb[0]), float(fit.ci_ub[0])),
        fit,
    )


@dataclass(frozen=True)
class RankTest:
    """Begg and Mazumdar's rank correlation (Kendall's τ) between standardised effects and
    variances."""

    tau: float
    pval: float


def rank_test(yi: FloatArray, vi: FloatArray) -> RankTest:
    """``ranktest``: exact p-value of Kendall's τ without ties, else the normal approximation."""
    ok = np.isfinite(yi) & np.isfinite(vi)
    y, v = np.asarray(yi, dtype=float)[ok], np.asarray(vi, dtype=float)[ok]
    fe = fit_rma(y, v, method="FE")
    ystar = (y - fe.beta[0]) / np.sqrt(v - fe.vb[0, 0])
    ties = len(np.unique(ystar)) < len(ystar) or len(np.unique(v)) < len(v)
    res = stats.kendalltau(ystar, v, method="asymptotic" if ties else "exact")
    return RankTest(float(res.statistic), float(res.pvalue))


@dataclass(frozen=True, eq=False)
class TrimFill:
    """Duval and Tweedie's trim-and-fill: estimated missing studies and the filled model."""

    k0: int
    side: str
    se_k0: float
    p_k0: float | None
    estimator: str
    fit: RmaFit
    filled_yi: FloatArray
    filled_vi: FloatArray


def trim_and_fill(
    yi: FloatArray,
    vi: FloatArray,
    *,
    method: str = "FE",
    estimator: str = "L0",
    side: str | None = None,
    maxiter: int = 100,
    threshold: float = 1e-5,
) -> TrimFill:
    """``trimfill``: iterate trimming with the model's ``method``, then fill mirror images.

    ``threshold`` = 1e-5 is metafor's default ML/REML convergence criterion, which its
    ``trimfill`` uses for every refit (it does not pass the fitted model's control on).
    """
    ok = np.isfinite(yi) & np.isfinite(vi)
    y0, v0 = np.asarray(yi, dtype=float)[ok], np.asarray(vi, dtype=float)[ok]
    k = len(y0)
    if side is None:
        slope = fit_rma(y0, v0, X=design(k, np.sqrt(v0)), method=method, threshold=threshold).beta[
            1
        ]
        side = "right" if slope < 0 else "left"
    y = -y0 if side == "right" else y0.copy()
    order = np.argsort(y, kind="stable")
    y, v = y[order], v0[order]
    k0, k0_prev, se_k0, beta = 0, -1, math.nan, 0.0
    for _ in range(maxiter):
        if k0 == k0_prev:
            break
        k0_prev = k0
        beta = float(fit_rma(y[: k - k0], v[: k - k0], method=method, threshold=threshold).beta[0])
        k0_raw, se_k0 = _k0(y - beta, estimator)
        k0 = round(max(0.0, k0_raw))
    else:
        raise EstimationError("trim-and-fill did not converge")
    p_k0 = 0.5 ** (k0 + 1) if estimator == "R0" else None
    if k0 == 0:
        fit = fit_rma(y0, v0, method=method, threshold=threshold)
        empty = np.zeros(0)
        return TrimFill(0, side, se_k0, p_k0, estimator, fit, empty, empty)
    fill = 2 * beta - y[k - k0 :]
    fill = -fill if side == "right" else fill
    fill_v = v[k - k0 :]
    fit = fit_rma(
        np.concatenate([y0, fill]), np.concatenate([v0, fill_v]), method=method, threshold=threshold
    )
    return TrimFill(k0, side, se_k0, p_k0, estimator, fit, fill, fill_v)


def _k0(centred: FloatArray, estimator: str) -> tuple[float, float]:
    k = len(centred)
    ranks = stats.rankdata(np.abs(centred), method="ordinal")
    signed = np.sign(centred) * ranks
    if estimator == "R0":
        neg = signed[signed < 0]
        k0 = (k - (np.max(-neg) if neg.size else 0)) - 1
        return float(k0), math.sqrt(2 * max(0.0, k0) + 2)
    if estimator != "L0":
        raise EstimationError(f"unknown trim-and-fill estimator {estimator!r}", hint="use L0 or R0")
    sr = float(signed[signed > 0].sum())
    k0f = (4 * sr - k * (k + 1)) / (2 * k - 1)
    var_sr = (
        k * (k + 1) * (2 * k + 1)
        + 10 * k0f**3
        + 27 * k0f**2
        + 17 * k0f
        - 18 * k * k0f**2
        - 18 * k * k0f
        + 6 * k**2 * k0f
    ) / 24
    return k0f, 4 * math.sqrt(max(var_sr, 0.0)) / (2 * k - 1)
