# ruff: noqa: N803, N806 - matrix and statistic names follow the literature (X, P, QE, I2)
"""Between-study variance (τ²) estimators, as metafor's ``rma.uni`` computes them.

Why a projection helper: metafor writes the estimators with the k×k matrix
P = W − WX(XᵀWX)⁻¹XᵀW. Forming it needs k² memory (74 GB at k = 100,000), so every trace
and quadratic form here is rewritten with p×p matrices only; the numbers are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from evidens.errors import EstimationError

FloatArray = NDArray[np.float64]
TAU2_METHODS = ("DL", "REML", "ML", "PM", "SJ", "HE", "EB", "HS")
FE_METHODS = ("FE", "EE", "CE")
_MAXITER = 10_000
_SCORING_STEPS = 1_000  # Fisher-scoring steps before the bracketing fallback
THRESHOLD = 1e-12  # metafor control threshold used for the golden values


def _dot(a: FloatArray, b: FloatArray) -> float:
    """aᵀb without BLAS: on a shared, loaded machine BLAS threads cost more than they save
    for the long, thin vectors of meta-analysis (measured 20 ms vs 0.05 ms at k = 100,000)."""
    return float(np.einsum("i,i->", a, b))


def cross(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """aᵀb for k×p (or k) arrays, without BLAS (see :func:`_dot`)."""
    spec = "ij,ik->jk" if b.ndim == 2 else "ij,i->j"
    return np.asarray(np.einsum(spec, a, b), dtype=np.float64)


def _rows(a: NDArray[np.float64], x: NDArray[np.float64]) -> FloatArray:
    """a x for a k×p matrix and a p-vector, without BLAS."""
    return np.asarray(np.einsum("ij,j->i", a, x), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Projection:
    """P = W − WX(XᵀWX)⁻¹XᵀW for diagonal weights ``w``, kept in factored form."""

    w: FloatArray
    X: NDArray[np.float64]
    A: NDArray[np.float64]  # W X
    M: NDArray[np.float64]  # (XᵀWX)⁻¹

    @classmethod
    def of(cls, w: FloatArray, X: NDArray[np.float64]) -> Projection:
        A = X * w[:, None]
        xtwx = cross(X, A)
        try:
            M = np.linalg.inv(xtwx)
        except np.linalg.LinAlgError as exc:
            raise EstimationError(
                "the model matrix is singular: a moderator is constant or collinear"
            ) from exc
        return cls(w, X, A, np.asarray(M, dtype=np.float64))

    def apply(self, y: FloatArray) -> FloatArray:
        """P y."""
        return self.w * y - _rows(self.A, self.M @ cross(self.A, y))

    def quad(self, y: FloatArray) -> float:
        """yᵀ P y (the weighted residual sum of squares)."""
        return _dot(y, self.apply(y))

    def trace(self) -> float:
        return float(self.w.sum() - np.trace(self.M @ cross(self.A, self.A)))

    def diag_ama(self) -> FloatArray:
        """Diagonal of A M Aᵀ."""
        return np.asarray(np.einsum("ij,jk,ik->i", self.A, self.M, self.A), dtype=np.float64)

    def trace_sq(self) -> float:
        """tr(P²) = sum(P * P) for the symmetric P."""
        ata = cross(self.A, self.A)
        awa = cross(self.A, self.A * self.w[:, None])
        m_ata = self.M @ ata
        return float((self.w**2).sum() - 2 * np.trace(self.M @ awa) + np.trace(m_ata @ m_ata))

    def diag_sq(self) -> FloatArray:
        """Diagonal of P²."""
        ma = self.A @ self.M
        ata = cross(self.A, self.A)
        quad = np.asarray(np.einsum("ij,jk,ik->i", ma, ata, ma), dtype=np.float64)
        return self.w**2 - 2 * self.w * self.diag_ama() + quad

    def trace_pvpv(self, v: FloatArray) -> float:
        """tr(PVPV) for diagonal V = diag(v)."""
        av = self.A * v[:, None]
        avwva = cross(av, av * self.w[:, None])
        m_ava = self.M @ cross(av, self.A)
        return float(
            ((self.w * v) ** 2).sum() - 2 * np.trace(self.M @ avwva) + np.trace(m_ava @ m_ava)
        )


def _ols_projection(X: NDArray[np.float64]) -> Projection:
    return Projection.of(np.ones(X.shape[0]), X)


@dataclass(frozen=True)
class Tau2Estimate:
    """τ² (truncated at 0), its standard error where metafor gives one, and iterations used."""

    tau2: float
    se_tau2: float | None
    iterations: int = 0


def estimate_tau2(
    method: str,
    y: FloatArray,
    v: FloatArray,
    X: NDArray[np.float64],
    threshold: float = THRESHOLD,
) -> Tau2Estimate:
    """Dispatch to the estimator named by metafor's ``method`` code.

    ``threshold`` stops ML/REML Fisher scoring once a step changes τ² by less (metafor's
    rule; its own default is 1e-5, the golden values use 1e-12).
    """
    if method in FE_METHODS or X.shape[0] == 1:
        return Tau2Estimate(0.0, None)
    if method in ("REML", "ML"):
        return _fisher_scoring(method, y, v, X, threshold)
    closed = {"DL": _dl, "HE": _he, "HS": _hs, "SJ": _sj, "PM": _pm, "EB": _pm}.get(method)
    if closed is not None:
        return closed(y, v, X)
    raise EstimationError(
        f"unknown τ² method {method!r}", hint=f"use FE or one of {', '.join(TAU2_METHODS)}"
    )


def _se_moment(tr: float, dfree: float, tau2: float, sum_pp: float) -> float:
    t = max(tau2, 0.0)
    return float(np.sqrt(1 / tr**2 * (2 * dfree + 4 * t * tr + 2 * t**2 * sum_pp)))


def _dl(y: FloatArray, v: FloatArray, X: NDArray[np.float64]) -> Tau2Estimate:
    k, p = X.shape
    P = Projection.of(1 / v, X)
    tr = P.trace()
    tau2 = (P.quad(y) - (k - p)) / tr
    return Tau2Estimate(max(0.0, tau2), _se_moment(tr, k - p, tau2, P.trace_sq()))


def _hs(y: FloatArray, v: FloatArray, X: NDArray[np.float64]) -> Tau2Estimate:
    k, p = X.shape
    w = 1 / v
    P = Projection.of(w, X)
    tau2 = (P.quad(y) - k) / w.sum()
    t = max(tau2, 0.0)
    se = np.sqrt(1 / w.sum() ** 2 * (2 * (k - p) + 4 * t * P.trace() + 2 * t**2 * P.trace_sq()))
    return Tau2Estimate(max(0.0, tau2), float(se))


def _he(y: FloatArray, v: FloatArray, X: NDArray[np.float64]) -> Tau2Estimate:
    k, p = X.shape
    P = _ols_projection(X)
    tr_pv = float(v.sum() - (P.diag_ama() * v).sum())
    tau2 = (P.quad(y) - tr_pv) / (k - p)
    t = max(tau2, 0.0)
    se = np.sqrt(1 / (k - p) ** 2 * (2 * P.trace_pvpv(v) + 4 * t * tr_pv + 2 * t**2 * (k - p)))
    return Tau2Estimate(max(0.0, tau2), float(se))


def _sj(y: FloatArray, v: FloatArray, X: NDArray[np.float64]) -> Tau2Estimate:
    k, p = X.shape
    tau0 = float(np.var(y))
    P = Projection.of(1 / (v + tau0), X)
    tau2 = tau0 * P.quad(y) / (k - p)
    t = max(tau2, 0.0)
    sum_pvp = float((v * P.diag_sq()).sum())
    se = np.sqrt(
        tau0**2 / (k - p) ** 2 * (2 * P.trace_pvpv(v) + 4 * t * sum_pvp + 2 * t**2 * P.trace_sq())
    )
    return Tau2Estimate(max(0.0, tau2), float(se))


def generalised_q(tau2: float, y: FloatArray, v: FloatArray, X: NDArray[np.float64]) -> float:
    """Q(τ²) = Σ wᵢ(τ²)(yᵢ − xᵢb(τ²))², decreasing in τ² (Paule–Mandel and Q-profile)."""
    return Projection.of(1 / (v + tau2), X).quad(y)


def solve_q(
    target: float, y: FloatArray, v: FloatArray, X: NDArray[np.float64], upper: float = 1e8
) -> float | None:
    """The τ² in [0, upper] where Q(τ²) = target; None when Q(upper) is still above it."""
    if generalised_q(0.0, y, v, X) <= target:
        return 0.0
    if generalised_q(upper, y, v, X) > target:
        return None
    hi = max(1e-8, float(np.var(y)))
    while hi < upper and generalised_q(hi, y, v, X) > target:
        hi = min(upper, hi * 10)
    return float(
        brentq(
            lambda t: generalised_q(t, y, v, X) - target,
            0.0,
            hi,
            xtol=1e-15,
            rtol=1e-15,
            maxiter=_MAXITER,
        )
    )


def _pm(y: FloatArray, v: FloatArray, X: NDArray[np.float64]) -> Tau2Estimate:
    k, p = X.shape
    tau2 = solve_q(float(k - p), y, v, X)
    if tau2 is None:
        raise EstimationError("the Paule–Mandel estimate of τ² lies beyond 1e8")
    w = 1 / (v + tau2)
    return Tau2Estimate(tau2, float(np.sqrt(2 * k**2 / (k - p)) / w.sum()))


def _score_step(
    method: str, y: FloatArray, v: FloatArray, X: NDArray[np.float64], tau2: float, plain: bool
) -> tuple[float, float]:
    """Fisher-scoring step for τ² and the current SE; ``plain`` = intercept-only model, where
    every trace has a closed form in sums of weights (O(k), no matrix products)."""
    w = 1 / (v + tau2)
    sw2 = _dot(w, w)
    if plain:
        sw = float(w.sum())
        py = w * (y - _dot(w, y) / sw)
        tr = sw - sw2 / sw
        tr_sq = sw2 - 2 * _dot(w * w, w) / sw + sw2**2 / sw**2
    else:
        proj = Projection.of(w, X)
        py = proj.apply(y)
        sw, tr, tr_sq = float(w.sum()), proj.trace(), proj.trace_sq()
    ypy = _dot(py, py)
    if method == "ML":
        return (ypy - sw) / sw2, float(np.sqrt(2 / sw2))
    return (ypy - tr) / tr_sq, float(np.sqrt(2 / tr_sq))


def _fisher_scoring(
    method: str, y: FloatArray, v: FloatArray, X: NDArray[np.float64], threshold: float
) -> Tau2Estimate:
    """Fisher scoring from the Hedges estimate, halving steps that would cross τ² = 0
    (metafor's algorithm, so that boundary solutions stop where metafor's do)."""
    plain = X.shape[1] == 1 and bool(np.all(X == 1.0))
    tau2 = _he(y, v, X).tau2
    for it in range(1, _SCORING_STEPS + 1):
        adj, _ = _score_step(method, y, v, X, tau2, plain)
        if tau2 == 0.0 and adj < 0:
            adj = 0.0
        while tau2 + adj < 0:
            adj /= 2
        tau2 += adj
        if abs(adj) <= threshold:
            _, se = _score_step(method, y, v, X, tau2, plain)
            return Tau2Estimate(tau2, se, it)
    return _score_root(method, y, v, X, plain)


def _score_root(
    method: str, y: FloatArray, v: FloatArray, X: NDArray[np.float64], plain: bool
) -> Tau2Estimate:
    """Fallback when Fisher scoring oscillates (it can, on small data sets; metafor then stops
    with "did not converge"): solve score(τ²) = 0 by bracketing, τ² = 0 if the score is
    negative there."""

    def score(t: float) -> float:
        return _score_step(method, y, v, X, t, plain)[0]

    if score(0.0) <= 0:
        tau2 = 0.0
    else:
        hi = max(1e-4, float(np.var(y)))
        while score(hi) > 0:
            hi *= 10
            if hi > 1e8:
                raise EstimationError(f"{method} estimate of τ² is beyond 1e8")
        tau2 = float(brentq(score, 0.0, hi, xtol=1e-15, rtol=1e-15, maxiter=_MAXITER))
    return Tau2Estimate(tau2, _score_step(method, y, v, X, tau2, plain)[1], _SCORING_STEPS)
