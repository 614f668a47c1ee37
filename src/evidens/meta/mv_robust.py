# ruff: noqa: N803, N806 - matrix names follow the literature (X, W, B, M)
"""Cluster-robust (sandwich) inference for an :class:`MvFit`.

Two estimators, as metafor offers them through ``robust()``:

* ``CR1`` (metafor's default): ``B (Σ_j X_j'W_j e_j e_j'W_j X_j) B · n/(n − p)``, t tests with
  n − p df (n = number of clusters).
* ``CR2`` (``clubSandwich = TRUE``; Pustejovsky & Tipton 2018): residuals adjusted by
  ``A_j = D_j' (D_j (M_j − X_j B X_j') D_j')^{-1/2} D_j`` with ``M_j = D_j'D_j`` (upper Cholesky),
  so the estimator is unbiased under the working model; Satterthwaite df per coefficient and
  the Hotelling-T² (HTZ) approximation for the omnibus test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, stats

from evidens.errors import EstimationError
from evidens.meta.mv import MvFit
from evidens.meta.mv_structures import codes

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class RobustResult:
    """Coefficients with cluster-robust SEs; ``df`` per coefficient (CR2) or common (CR1)."""

    kind: str
    beta: FloatArray
    vb: FloatArray
    df: FloatArray
    n_clusters: int
    level: float
    QM: float | None = None
    QMdf: tuple[float, float] | None = None
    QMp: float | None = None

    @property
    def se(self) -> FloatArray:
        return np.sqrt(np.diag(self.vb))

    @property
    def tval(self) -> FloatArray:
        return self.beta / self.se

    @property
    def pval(self) -> FloatArray:
        return np.asarray(2 * stats.t.sf(np.abs(self.tval), self.df), dtype=float)

    @property
    def ci(self) -> tuple[FloatArray, FloatArray]:
        crit = stats.t.isf((1 - self.level / 100) / 2, self.df)
        return self.beta - crit * self.se, self.beta + crit * self.se


def _clusters(fit: MvFit, cluster: Sequence[object]) -> list[NDArray[np.int64]]:
    if len(cluster) != fit.k:
        raise EstimationError(f"cluster has {len(cluster)} values for {fit.k} effect sizes")
    c, _ = codes(list(cluster))
    return [np.flatnonzero(c == j) for j in range(int(c.max()) + 1)]


def _cluster_blocks(fit: MvFit, groups: list[NDArray[np.int64]]) -> list[FloatArray]:
    where = np.empty(fit.k, dtype=np.int64)
    for j, g in enumerate(groups):
        where[g] = j
    out = [np.zeros((len(g), len(g))) for g in groups]
    pos = {int(r): i for g in groups for i, r in enumerate(g)}
    for rows, Mb in fit.likelihood.marginal_blocks(fit.coefficients):
        for b in range(rows.shape[0]):
            r = rows[b]
            js = set(where[r].tolist())
            if len(js) != 1:
                raise EstimationError(
                    "the clustering variable splits a group of correlated effect sizes",
                    hint="cluster at the outermost level (e.g. study)",
                )
            j = js.pop()
            idx = [pos[int(x)] for x in r]
            out[j][np.ix_(idx, idx)] = Mb[b]
    return out


def robust(fit: MvFit, cluster: Sequence[object], kind: str = "CR1") -> RobustResult:
    """Cluster-robust inference (``kind`` CR1 as metafor's default, or CR2)."""
    groups = _clusters(fit, cluster)
    n, p = len(groups), fit.p
    if n <= p:
        raise EstimationError(f"{n} clusters for {p} coefficients: robust SEs need more clusters")
    Ms = _cluster_blocks(fit, groups)
    B = fit.vb
    e = fit.yi - fit.X @ fit.beta
    Ws = [np.asarray(np.linalg.inv(M), dtype=np.float64) for M in Ms]
    if kind == "CR1":
        meat = np.zeros((p, p))
        for g, W in zip(groups, Ws, strict=True):
            s = fit.X[g].T @ (W @ e[g])
            meat += np.outer(s, s)
        vb = B @ meat @ B * n / (n - p)
        out = RobustResult("CR1", fit.beta, vb, np.full(p, float(n - p)), n, fit.level)
        btt = [i for i, nm in enumerate(fit.coef_names) if nm != "intrcpt"]
        if btt:
            b = fit.beta[btt]
            q = len(btt)
            stat = float(b @ np.linalg.solve(vb[np.ix_(btt, btt)], b)) / q
            pv = float(stats.f.sf(stat, q, n - p))
            out = RobustResult(
                "CR1", fit.beta, vb, out.df, n, fit.level, stat, (q, float(n - p)), pv
            )
        return out
    if kind != "CR2":
        raise EstimationError(f"unknown robust estimator {kind!r}", hint="use CR1 or CR2")
    return _cr2(fit, groups, Ms, Ws, e)


def _cr2(
    fit: MvFit,
    groups: list[NDArray[np.int64]],
    Ms: list[FloatArray],
    Ws: list[FloatArray],
    e: FloatArray,
) -> RobustResult:
    B, p = fit.vb, fit.p
    U: list[FloatArray] = []  # u_j for every coefficient: n_j × p  (A_j W_j X_j B)
    meat = np.zeros((p, p))
    for g, M, W in zip(groups, Ms, Ws, strict=True):
        Xj = fit.X[g]
        D = linalg.cholesky(M, lower=False)
        G = D @ (M - Xj @ B @ Xj.T) @ D.T
        vals, vecs = np.linalg.eigh(0.5 * (G + G.T))
        # a fully leveraged direction gets weight 0 (generalised inverse square root)
        keep = vals > 1e-12 * max(float(vals.max()), 1e-300)
        inv_sqrt = np.where(keep, 1 / np.sqrt(np.where(keep, vals, 1.0)), 0.0)
        A = D.T @ (vecs * inv_sqrt) @ vecs.T @ D
        Uj = A @ W @ Xj @ B
        U.append(Uj)
        s = Uj.T @ e[g]
        meat += np.outer(s, s)
    vb = meat
    Vx = np.stack([fit.X[g].T @ Uj for g, Uj in zip(groups, U, strict=True)])  # J × p × p
    quad = np.stack([Uj.T @ M @ Uj for Uj, M in zip(U, Ms, strict=True)])  # J × p × p

    def pmat(s: FloatArray, t: FloatArray) -> FloatArray:
        vs, vt = Vx @ s, Vx @ t  # J vectors of length p
        return np.diag(np.einsum("a,jab,b->j", s, quad, t)) - vs @ B @ vt.T

    eye = np.eye(p)
    df = np.empty(p)
    for s in range(p):
        P = pmat(eye[s], eye[s])
        df[s] = np.trace(P) ** 2 / float((P * P).sum())
    out = RobustResult("CR2", fit.beta, vb, df, len(groups), fit.level)
    btt = [i for i, nm in enumerate(fit.coef_names) if nm != "intrcpt"]
    if not btt:
        return out
    C = eye[btt]
    q = len(btt)
    b = C @ fit.beta
    Q = float(b @ np.linalg.solve(C @ vb @ C.T, b))
    # normalise by E[C V C'] under the working model (the traces of P; equals C B C' unless a
    # cluster is fully leveraged), as clubSandwich does before matching the Wishart variance
    E = np.array([[np.trace(pmat(C[a], C[c])) for c in range(q)] for a in range(q)])
    vals, vecs = np.linalg.eigh(0.5 * (E + E.T))
    Ct = (vecs * vals**-0.5) @ vecs.T @ C
    Ps = [[pmat(Ct[a], Ct[c]) for c in range(q)] for a in range(q)]
    var = sum(
        float((Ps[a][a] * Ps[c][c]).sum() + (Ps[a][c] * Ps[c][a]).sum())
        for a in range(q)
        for c in range(q)
    )
    eta = q * (q + 1) / var
    F = (eta - q + 1) / (eta * q) * Q
    df2 = eta - q + 1
    return RobustResult(
        "CR2", fit.beta, vb, df, len(groups), fit.level, F, (q, df2), float(stats.f.sf(F, q, df2))
    )
