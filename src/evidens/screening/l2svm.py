"""A warm-startable solver for the L2-regularised squared-hinge linear SVM.

It minimises the objective of scikit-learn's ``LinearSVC(loss="squared_hinge")`` with the
intercept regularised like a feature of value 1 (liblinear's ``intercept_scaling=1``):

    f(w, b) = ½‖w‖² + ½b² + Σ_i c_i · max(0, 1 − y_i (x_i·w + b))²

by the modified finite Newton method of Keerthi & DeCoste (2005): on the current set of margin
violators the objective is a weighted ridge problem, solved inexactly by conjugate gradients,
then a line search. Why not call liblinear? In prioritised screening the model is refit after
every single decision; liblinear always starts from zero, while this solver starts from the
previous solution, which is nearly optimal already, so a refit costs a few sparse products.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SolverSettings:
    """Stopping rules: relative gradient tolerance and iteration caps."""

    tol: float = 1e-3
    max_newton: int = 30
    max_cg: int = 100
    cg_forcing: float = 0.1


@dataclass
class Problem:
    matrix: sp.csr_matrix
    y: FloatArray
    c: FloatArray
    transposed: sp.csc_matrix  # matrix.T made once: scipy re-validates it on every .T

    def margins(self, w: FloatArray, b: float) -> FloatArray:
        return np.asarray(self.matrix @ w, dtype=np.float64) + b

    def objective(self, w: FloatArray, b: float, z: FloatArray) -> float:
        slack = np.maximum(0.0, 1.0 - self.y * z)
        return 0.5 * float(w @ w) + 0.5 * b * b + float(self.c @ (slack * slack))

    def gradient(self, w: FloatArray, b: float, z: FloatArray) -> tuple[FloatArray, float]:
        active = self.y * z < 1.0
        r = np.where(active, 2.0 * self.c * (z - self.y), 0.0)
        return w + np.asarray(self.transposed @ r, dtype=np.float64), b + float(r.sum())

    def hessian_product(
        self, active_c: FloatArray, dw: FloatArray, db: float
    ) -> tuple[FloatArray, float]:
        u = 2.0 * active_c * (np.asarray(self.matrix @ dw, dtype=np.float64) + db)
        return dw + np.asarray(self.transposed @ u, dtype=np.float64), db + float(u.sum())


def conjugate_gradient(
    problem: Problem,
    active_c: FloatArray,
    gw: FloatArray,
    gb: float,
    settings: SolverSettings,
) -> tuple[FloatArray, float]:
    """Approximately solve H d = −g on the current active set."""
    dw, db = np.zeros_like(gw), 0.0
    rw, rb = -gw, -gb
    pw, pb = rw.copy(), rb
    rr = float(rw @ rw) + rb * rb
    stop = (settings.cg_forcing**2) * rr
    for _ in range(settings.max_cg):
        if rr <= stop:
            break
        hw, hb = problem.hessian_product(active_c, pw, pb)
        step = rr / (float(pw @ hw) + pb * hb)
        dw += step * pw
        db += step * pb
        rw -= step * hw
        rb -= step * hb
        new_rr = float(rw @ rw) + rb * rb
        pw = rw + (new_rr / rr) * pw
        pb = rb + (new_rr / rr) * pb
        rr = new_rr
    return dw, db


def line_search(
    problem: Problem,
    point: tuple[FloatArray, float, FloatArray],
    gradient: tuple[FloatArray, float],
    dw: FloatArray,
    db: float,
) -> tuple[float, FloatArray]:
    """Backtracking (Armijo) on the piecewise quadratic objective; one product with d, which
    is returned too (the margins move by step · dz)."""
    w, b, z = point
    gw, gb = gradient
    dz = np.asarray(problem.matrix @ dw, dtype=np.float64) + db
    f0 = problem.objective(w, b, z)
    slope = float(gw @ dw) + gb * db
    if slope >= 0:
        return 0.0, dz
    step = 1.0
    for _ in range(30):
        wt, bt = w + step * dw, b + step * db
        if problem.objective(wt, bt, z + step * dz) <= f0 + 1e-4 * step * slope:
            return step, dz
        step *= 0.5
    return 0.0, dz


def initial_gradient_norm(matrix: sp.csr_matrix, y: FloatArray, c: FloatArray) -> float:
    """‖∇f(0)‖, the scale the stopping tolerance is relative to (as in liblinear's primal)."""
    r = -2.0 * c * y
    gw = np.asarray(matrix.T @ r, dtype=np.float64)
    return math.sqrt(float(gw @ gw) + float(r.sum()) ** 2)


def fit_squared_hinge(
    matrix: sp.csr_matrix,
    y: FloatArray,
    c: FloatArray,
    w0: FloatArray | None = None,
    b0: float = 0.0,
    settings: SolverSettings | None = None,
    *,
    scale: float | None = None,
) -> tuple[FloatArray, float]:
    """Minimise the objective above; ``y`` in {−1, +1}, ``c`` the per-record C·weight.

    ``w0``/``b0`` warm-start the solver (e.g. the previous fit padded with zeros for new
    columns). Converges when ‖∇f‖ ≤ tol · ``scale``; ``scale`` defaults to ‖∇f(0)‖.
    """
    settings = settings or SolverSettings()
    if scale is None:
        scale = initial_gradient_norm(matrix, y, c)
    w = np.zeros(matrix.shape[1]) if w0 is None else w0.astype(np.float64, copy=True)
    fit = minimise(problem(matrix, y, c), w, b0, settings.tol * scale, settings)
    return fit.w, fit.b


@dataclass(frozen=True)
class NewtonFit:
    """Where the solver stopped: weights, intercept, the margins x_i·w + b of its rows there
    (callers keep them to check the next refit cheaply) and the Newton steps taken."""

    w: FloatArray
    b: float
    margins: FloatArray
    steps: int


def minimise(
    problem: Problem, w: FloatArray, b: float, target: float, settings: SolverSettings
) -> NewtonFit:
    """Newton steps from (``w``, ``b``) until ‖∇f‖ ≤ ``target`` (or no step helps)."""
    steps = 0
    z = problem.margins(w, b)
    for _ in range(settings.max_newton):
        gw, gb = problem.gradient(w, b, z)
        if math.sqrt(float(gw @ gw) + gb * gb) <= target:
            break
        active_c = np.where(problem.y * z < 1.0, problem.c, 0.0)
        dw, db = conjugate_gradient(problem, active_c, gw, gb, settings)
        step, dz = line_search(problem, (w, b, z), (gw, gb), dw, db)
        if step == 0.0:
            break
        w = w + step * dw
        b = b + step * db
        z = z + step * dz
        steps += 1
    return NewtonFit(w, b, z, steps)


def problem(matrix: sp.csr_matrix, y: FloatArray, c: FloatArray) -> Problem:
    """The objective on rows ``matrix`` with signs ``y`` and per-row costs ``c``."""
    return Problem(matrix, y, c, matrix.T)
