"""The squared-hinge SVM of :mod:`~evidens.screening.l2svm`, solved over the labelled records.

Same objective, same Newton method, same warm start and same stopping rule as the primal
solvers, but every vector in feature space is held by its coefficients on the labelled rows
(w = Σ_k a_k x_k; see :mod:`~evidens.screening.kernel` for why it lies in their span). Every
product the method needs then comes from the m × m Gram matrix G of the labelled rows:

* margins z = G a + b;
* the gradient's coefficients a + ρ, with ρ_k = 2 c_k (z_k − y_k) on margin violators;
* the norm of a feature-space vector v = Σ_k v_k x_k is vᵀ G v.

This is the primal method step for step - the iterates are the same up to rounding - at the
cost of small dense products instead of sparse ones, which is what makes a refit after every
screening decision cheap while few records are labelled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evidens.screening.incremental import class_costs
from evidens.screening.kernel import KernelRows
from evidens.screening.l2svm import SolverSettings

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class _System:
    """The current Newton problem: Gram matrix, signs and per-row costs."""

    gram: FloatArray
    signs: FloatArray
    costs: FloatArray

    def residual(self, z: FloatArray) -> FloatArray:
        """ρ: 2 c (z − y) on the margin violators, 0 elsewhere."""
        return np.where(self.signs * z < 1.0, 2.0 * self.costs * (z - self.signs), 0.0)

    def norm2(self, coefficients: FloatArray, b: float) -> float:
        """Squared length of the feature-space vector with these coefficients, and b."""
        return float(coefficients @ (self.gram @ coefficients)) + b * b


class DualSvm:
    """Coefficients ``a`` on the labelled rows and intercept ``b``, refit per decision.

    ``fit`` has the contract of :class:`~evidens.screening.incremental.IncrementalSvm`: it
    returns False when the previous optimum still meets the tolerance, True when it moved.
    """

    def __init__(
        self,
        matrix: sp.csr_matrix,
        shared: sp.csr_matrix,
        strength: float,
        ratio: float,
        settings: SolverSettings | None = None,
    ) -> None:
        self.kernel = KernelRows(matrix, shared)
        self.strength = strength
        self.ratio = ratio
        self.settings = settings or SolverSettings()
        self.a = np.zeros(0)
        self.b = 0.0
        self._labels = np.zeros(0, dtype=np.int64)
        self._margins = np.zeros(0)

    def fit(self, labelled: IntArray, labels: IntArray) -> bool:
        """Refit on rows ``labelled`` with 0/1 ``labels``; True if the weights changed."""
        m = self.kernel.m
        extends = (
            len(labelled) >= m
            and np.array_equal(labelled[:m], self.kernel.rows[:m])
            and np.array_equal(labels[:m], self._labels[:m])
        )
        if not extends:  # a decision was undone or changed: start again from zero
            self.kernel.reset()
            self.a, self.b, m = np.zeros(0), 0.0, 0
        for record in labelled[m:]:
            self.kernel.append(int(record))
        gram = self.kernel.gram
        fresh = gram[m:, :m] @ self.a + self.b  # margins of the new rows at the current fit
        self.a = np.concatenate([self.a, np.zeros(len(labelled) - m)])
        self._margins = np.concatenate([self._margins[:m], fresh])
        self._labels = np.asarray(labels, dtype=np.int64).copy()
        system = self._system(gram)
        target = self.settings.tol * self._scale(system)
        residual = system.residual(self._margins)
        gradient = self.a + residual
        gradient_b = self.b + float(residual.sum())
        if math.sqrt(system.norm2(gradient, gradient_b)) <= target:
            return False
        self._newton(system, target, gradient, gradient_b)
        return True

    def scores(self) -> FloatArray:
        """x_i · w + b for every record i (shared columns, see :mod:`kernel`)."""
        return np.asarray(self.a @ self.kernel.products + self.b, dtype=np.float64)

    def primal(self) -> tuple[FloatArray, float]:
        """The weights over all feature columns, w = Σ_k a_k x_k, and the intercept."""
        rows = self.kernel.matrix[self.kernel.rows[: self.kernel.m]]
        return np.asarray(rows.T @ self.a, dtype=np.float64), self.b

    def _system(self, gram: FloatArray) -> _System:
        relevant = self._labels == 1
        n_relevant = int(relevant.sum())
        costs = class_costs(n_relevant, len(relevant) - n_relevant, self.strength, self.ratio)
        return _System(gram, np.where(relevant, 1.0, -1.0), np.where(relevant, costs[0], costs[1]))

    @staticmethod
    def _scale(system: _System) -> float:
        """‖∇f(0)‖: at w = 0 every row is a violator with residual −2 c y."""
        residual = -2.0 * system.costs * system.signs
        return math.sqrt(system.norm2(residual, float(residual.sum())))

    def _newton(
        self, system: _System, target: float, gradient: FloatArray, gradient_b: float
    ) -> None:
        a, b, z = self.a, self.b, self._margins
        for _ in range(self.settings.max_newton):
            active = np.where(system.signs * z < 1.0, 2.0 * system.costs, 0.0)
            da, db = _conjugate_gradient(system, active, gradient, gradient_b, self.settings)
            step, dz = _line_search(system, (a, b, z), (gradient, gradient_b), da, db)
            if step == 0.0:
                break
            a, b, z = a + step * da, b + step * db, z + step * dz
            residual = system.residual(z)
            gradient, gradient_b = a + residual, b + float(residual.sum())
            if math.sqrt(system.norm2(gradient, gradient_b)) <= target:
                break
        self.a, self.b, self._margins = a, b, z


def _conjugate_gradient(
    system: _System,
    active: FloatArray,
    gradient: FloatArray,
    gradient_b: float,
    settings: SolverSettings,
) -> tuple[FloatArray, float]:
    """Approximately solve H d = −g on the active set, H = I + Xᵀ D X (D = ``active``),
    every vector by its coefficients; as :func:`l2svm.conjugate_gradient`."""
    gram = system.gram
    da, db = np.zeros_like(gradient), 0.0
    ra, rb = -gradient, -gradient_b
    pa, pb = ra.copy(), rb
    rr = system.norm2(ra, rb)
    stop = (settings.cg_forcing**2) * rr
    for _ in range(settings.max_cg):
        if rr <= stop:
            break
        xp = gram @ pa + pb  # X p + p_b at the labelled rows
        u = active * xp
        curvature = float(pa @ (xp - pb)) + pb * pb + float(u @ xp)
        if curvature <= 0.0:
            break
        step = rr / curvature
        da += step * pa
        db += step * pb
        ra -= step * (pa + u)
        rb -= step * (pb + float(u.sum()))
        new_rr = system.norm2(ra, rb)
        pa = ra + (new_rr / rr) * pa
        pb = rb + (new_rr / rr) * pb
        rr = new_rr
    return da, db


def _line_search(
    system: _System,
    point: tuple[FloatArray, float, FloatArray],
    gradient: tuple[FloatArray, float],
    da: FloatArray,
    db: float,
) -> tuple[float, FloatArray]:
    """Backtracking (Armijo) as :func:`l2svm.line_search`; ‖w + t d‖² is a quadratic in t
    whose three terms come from the margins, so each trial costs O(m)."""
    a, b, z = point
    ga, gb = gradient
    dz = system.gram @ da + db
    gram_a, gram_d = z - b, dz - db  # G a and G d
    ww, wd, dd = float(a @ gram_a), float(a @ gram_d), float(da @ gram_d)
    slope = float(ga @ gram_d) + gb * db
    if slope >= 0:
        return 0.0, dz

    def objective(t: float) -> float:
        slack = np.maximum(0.0, 1.0 - system.signs * (z + t * dz))
        regulariser = 0.5 * (ww + 2.0 * t * wd + t * t * dd) + 0.5 * (b + t * db) ** 2
        return regulariser + float(system.costs @ (slack * slack))

    f0 = objective(0.0)
    step = 1.0
    for _ in range(30):
        if objective(step) <= f0 + 1e-4 * step * slope:
            return step, dz
        step *= 0.5
    return 0.0, dz
