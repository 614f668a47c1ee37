# ruff: noqa: N806 - H is the Hessian
"""Maximise the (RE)ML log-likelihood over the variance and correlation components.

Why two stages: a bounded quasi-Newton search (L-BFGS-B with the analytic gradient) finds the
optimum or the boundary (σ² = 0, ρ = ±1) robustly; Newton steps on the components that are
not at a boundary then polish it until the step is below 1e-11 relative, which is how the
golden values were computed (metafor's ``nlminb`` defaults alone stop 1e-7 to 1e-5 short).
The Hessian is the central difference of the analytic gradient (a handful of components).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from evidens.errors import EstimationError
from evidens.meta.mv_structures import Parameter

FloatArray = NDArray[np.float64]
Objective = Callable[[FloatArray], tuple[float, FloatArray]]  # (ll, d ll / d θ_free)


@dataclass(frozen=True)
class Optimum:
    theta: FloatArray  # free components only
    ll: float
    at_boundary: tuple[bool, ...]
    iterations: int


def _bounds(params: Sequence[Parameter]) -> list[tuple[float | None, float | None]]:
    return [(0.0, None) if p.kind == "var" else (-1.0, 1.0) for p in params]


def maximise(objective: Objective, start: FloatArray, params: Sequence[Parameter]) -> Optimum:
    """Maximise ``objective`` over the free components (bounds from their kinds)."""
    if len(start) == 0:
        ll, _ = objective(start)
        return Optimum(start, ll, (), 0)

    def neg(theta: FloatArray) -> tuple[float, FloatArray]:
        try:
            ll, g = objective(theta)
        except EstimationError:
            return 1e300, np.zeros_like(theta)
        return -ll, -g

    if not np.isfinite(objective_ok(objective, start)):
        return Optimum(start, -np.inf, (), 0)  # infeasible start (M not positive definite)
    bounds = _bounds(params)
    res = minimize(
        neg,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        # a loose quasi-Newton stage: Newton steps below converge quadratically from there
        options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-7, "maxcor": 20},
    )
    theta = np.asarray(res.x, dtype=float)
    theta, its = _polish(objective, theta, params)
    ll, _ = objective(theta)
    at = tuple(_on_bound(t, p) for t, p in zip(theta, params, strict=True))
    return Optimum(theta, ll, at, int(res.nit) + its)


def _on_bound(t: float, p: Parameter) -> bool:
    return (p.kind == "var" and t == 0.0) or (p.kind == "cor" and abs(t) == 1.0)


def _snap(theta: FloatArray, grad: FloatArray, params: Sequence[Parameter]) -> NDArray[np.bool_]:
    """Put components that sit (numerically) on a bound exactly there; return the free mask."""
    free = np.ones(len(theta), dtype=bool)
    for i, p in enumerate(params):
        if p.kind == "var" and theta[i] <= 1e-8 * max(1.0, float(np.max(np.abs(theta)))):
            if grad[i] <= 0 or theta[i] == 0.0:
                theta[i] = 0.0
                free[i] = False
        elif p.kind == "cor" and abs(theta[i]) >= 1 - 1e-7:
            sign = 1.0 if theta[i] > 0 else -1.0
            if grad[i] * sign >= 0:
                theta[i] = sign
                free[i] = False
    return free


def _polish(
    objective: Objective, theta: FloatArray, params: Sequence[Parameter]
) -> tuple[FloatArray, int]:
    theta = theta.copy()
    ll, g = objective(theta)
    for it in range(1, 60):
        free = _snap(theta, g, params)
        if not free.any():
            return theta, it
        idx = np.flatnonzero(free)
        H = _hessian(objective, theta, idx)
        try:
            step = np.linalg.solve(H, g[idx])
        except np.linalg.LinAlgError:
            return theta, it
        new = theta.copy()
        new[idx] -= step
        for i in idx:
            lo, hi = (0.0, np.inf) if params[int(i)].kind == "var" else (-1.0, 1.0)
            new[i] = min(max(new[i], lo), hi)
        try:
            ll_new, g_new = objective(new)
        except EstimationError:
            break
        if ll_new < ll - 1e-12:
            break  # Newton would go downhill: keep the better point
        moved = np.abs(new - theta).max()
        theta, ll, g = new, ll_new, g_new
        if moved <= 1e-11 * max(1.0, float(np.abs(theta).max())):
            return theta, it
    return theta, 60


def objective_ok(objective: Objective, theta: FloatArray) -> float:
    try:
        return objective(theta)[0]
    except EstimationError:
        return -np.inf


def _hessian(objective: Objective, theta: FloatArray, idx: NDArray[np.int64]) -> FloatArray:
    n = len(idx)
    H = np.empty((n, n))
    for a, i in enumerate(idx):
        h = 1e-5 * max(abs(theta[i]), 1e-3)
        up, dn = theta.copy(), theta.copy()
        up[i] += h
        dn[i] -= h
        H[:, a] = (objective(up)[1][idx] - objective(dn)[1][idx]) / (2 * h)
    return 0.5 * (H + H.T)
