"""The squared-hinge SVM refit after every screening decision, at the cost of that decision.

A refit after one more label usually does not move the optimum beyond the solver's tolerance:
the new record is one of thousands, and the class weights change by a fraction of a percent.
Checking that needs the gradient at the current weights, and the gradient is a sum over the
labelled rows. This class keeps that sum per class, and the margins of the labelled rows, up
to date one row at a time, so the check costs one row plus a few vector operations. Only when
the check fails does the Newton solver run (warm-started); the caller then knows the weights
changed and re-scores the records - and only then.

The class weights are ASReview's *Balanced* ones (see ``ranking.ModelSpec``); they are the
same for all rows of a class, which is what lets the per-class sums absorb their change.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evidens.screening.l2svm import SolverSettings, conjugate_gradient, line_search, problem
from evidens.screening.reduced import ReducedRows

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def class_costs(n_relevant: int, n_irrelevant: int, strength: float, ratio: float) -> FloatArray:
    """C times the Balanced weight of a relevant and of an irrelevant record: relevant weigh 1,
    irrelevant n_rel/(ratio·n_irr), rescaled so that the weights sum to n."""
    irrelevant = n_relevant / (ratio * n_irrelevant)
    scale = (n_relevant + n_irrelevant) / (n_relevant + n_irrelevant * irrelevant)
    return np.array([strength * scale, strength * scale * irrelevant])


class IncrementalSvm:
    """Weights over the reduced columns of :class:`ReducedRows`, refit per decision.

    State (all for the current weights ``w``, ``b``): the margins z_i = x_i·w + b of the
    labelled rows; per class k (0 = relevant, 1 = irrelevant) the sums G_k = Σ (z_i − y_i) x_i
    and S_k = Σ (z_i − y_i) over its margin violators (y_i z_i < 1), and the plain sums of
    its rows (for ‖∇f(0)‖, the tolerance scale). The gradient is then
    w + 2 Σ_k c_k G_k, b + 2 Σ_k c_k S_k.
    """

    def __init__(
        self,
        matrix: sp.csr_matrix,
        strength: float,
        ratio: float,
        settings: SolverSettings | None = None,
        start: tuple[FloatArray, float] | None = None,
    ) -> None:
        """``start``: weights over all columns and intercept to warm-start the first fit
        from (e.g. a :class:`~evidens.screening.dual.DualSvm` fit; zero otherwise)."""
        self._start = start
        self.rows = ReducedRows(matrix)
        self.strength = strength
        self.ratio = ratio
        self.settings = settings or SolverSettings()
        n_columns = matrix.shape[1]
        self.w = np.zeros(n_columns)  # reduced ids; only the first rows.n_active are used
        self.b = 0.0
        self._grad = np.zeros((2, n_columns))
        self._grad_b = np.zeros(2)
        self._sums = np.zeros((2, n_columns))
        self._counts = np.zeros(2, dtype=np.int64)
        self._labels = np.zeros(0, dtype=np.int64)
        self._margins = np.zeros(0)
        self._n = 0  # labelled rows accounted for
        # Inner products that give both gradient norms of the tolerance check in O(1):
        # G_j·G_k, S_j·S_k (2 × 2), w·G_k, w·w; kept up to date by each added row.
        self._grad_gram = np.zeros((2, 2))
        self._sums_gram = np.zeros((2, 2))
        self._w_grad = np.zeros(2)
        self._ww = 0.0

    def fit(self, labelled: IntArray, labels: IntArray) -> bool:
        """Refit on rows ``labelled`` with 0/1 ``labels``; True if the weights changed."""
        first = self.rows.update(labelled)
        if first < self._n or not np.array_equal(self._labels[:first], labels[:first]):
            self._grad[:] = 0.0  # rows were rebuilt: recount them all, keep w as warm start
            self._grad_b[:] = 0.0
            self._sums[:] = 0.0
            self._counts[:] = 0
            first = 0
        if self._start is not None:  # columns are numbered now: take the warm start
            start_w, self.b = self._start
            self.w[: self.rows.n_active] = start_w[self.rows.active[: self.rows.n_active]]
            self._start = None
        self._reserve(len(labelled))
        self._labels[first : len(labelled)] = labels[first:]
        self._n = len(labelled)
        if first == len(labelled) - 1:
            self._add(first)
        elif first < len(labelled):
            self._add_many(first)
        costs = class_costs(int(self._counts[0]), int(self._counts[1]), self.strength, self.ratio)
        grad_b = self.b + 2.0 * float(costs @ self._grad_b)
        target = self.settings.tol * self._scale(costs)
        # ‖w + 2 Σ c_k G_k‖² from the kept inner products: no pass over the columns.
        cross = float(costs @ self._w_grad)
        grad_w2 = self._ww + 4.0 * cross + 4.0 * float(costs @ self._grad_gram @ costs)
        if math.sqrt(max(grad_w2, 0.0) + grad_b * grad_b) <= target:
            return False
        n = self.rows.n_active
        grad_w = self.w[:n] + 2.0 * (costs @ self._grad[:, :n])
        self._newton(costs, target, grad_w, grad_b)
        self._recount_forms()
        return True

    def _reserve(self, size: int) -> None:
        if size > len(self._labels):
            capacity = max(size, 2 * len(self._labels), 256)
            self._labels = np.resize(self._labels, capacity)
            self._margins = np.resize(self._margins, capacity)

    def _add(self, position: int) -> None:
        """One more labelled row: O(its non-zeros)."""
        columns, values = self.rows.row(position)
        label = int(self._labels[position])
        k = 0 if label == 1 else 1
        sign = 1.0 if label == 1 else -1.0
        z = float(values @ self.w[columns]) + self.b
        norm2 = float(values @ values)
        if sign * z < 1.0:
            r = z - sign
            _add_to_gram(self._grad_gram, k, r * (self._grad[:, columns] @ values), r * r * norm2)
            self._w_grad[k] += r * (z - self.b)  # w·x is the margin less the intercept
            self._grad[k, columns] += r * values
            self._grad_b[k] += r
        _add_to_gram(self._sums_gram, k, self._sums[:, columns] @ values, norm2)
        self._sums[k, columns] += values
        self._counts[k] += 1
        self._margins[position] = z

    def _add_many(self, first: int) -> None:
        """Rows ``first``… at once, with sparse products (after a rebuild, or a batch)."""
        n = self.rows.n_active
        matrix = self.rows.matrix_of_rows()[first:]
        labels = self._labels[first : self._n]
        signs = np.where(labels == 1, 1.0, -1.0)
        z = np.asarray(matrix @ self.w[:n], dtype=np.float64) + self.b
        residual = np.where(signs * z < 1.0, z - signs, 0.0)
        split = _split(labels, residual)
        self._grad[:, :n] += _per_class_sums(matrix, split)
        self._grad_b += split.sum(axis=0)
        self._sums[:, :n] += _per_class_sums(matrix, _split(labels, np.ones(len(labels))))
        self._counts += np.array([int(labels.sum()), len(labels) - int(labels.sum())])
        self._margins[first : self._n] = z
        self._recount_forms()

    def _recount_forms(self) -> None:
        """The inner products of the tolerance check, afresh (after a batch or a refit)."""
        n = self.rows.n_active
        grad, sums, w = self._grad[:, :n], self._sums[:, :n], self.w[:n]
        self._grad_gram = grad @ grad.T
        self._sums_gram = sums @ sums.T
        self._w_grad = grad @ w
        self._ww = float(w @ w)

    def _scale(self, costs: FloatArray) -> float:
        """‖∇f(0)‖: at w = 0 every row is a violator with z − y = −y, so the weights'
        gradient is 2 (c₁ S₁ − c₀ S₀), whose norm comes from the kept S_j·S_k."""
        signed = np.array([-costs[0], costs[1]])
        gw2 = 4.0 * float(signed @ self._sums_gram @ signed)
        gb = 2.0 * float(costs[1] * self._counts[1] - costs[0] * self._counts[0])
        return math.sqrt(max(gw2, 0.0) + gb * gb)

    def _newton(self, costs: FloatArray, target: float, gw: FloatArray, gb: float) -> None:
        """Newton steps from the current weights (gradient ``gw``, ``gb`` there) until the
        gradient is below ``target``; the per-class sums are the gradient, so each step
        costs the conjugate gradients, one product for the line search and one for the sums."""
        n = self.rows.n_active
        matrix = self.rows.matrix_of_rows()
        labels = self._labels[: self._n]
        signs = np.where(labels == 1, 1.0, -1.0)
        objective = problem(matrix, signs, np.where(labels == 1, costs[0], costs[1]))
        w, b, z = self.w[:n].copy(), self.b, self._margins[: self._n].copy()
        for _ in range(self.settings.max_newton):
            active_c = np.where(signs * z < 1.0, objective.c, 0.0)
            dw, db = conjugate_gradient(objective, active_c, gw, gb, self.settings)
            step, dz = line_search(objective, (w, b, z), (gw, gb), dw, db)
            if step == 0.0:
                break
            w, b, z = w + step * dw, b + step * db, z + step * dz
            residual = np.where(signs * z < 1.0, z - signs, 0.0)
            split = _split(labels, residual)
            self._grad[:, :n] = _per_class_sums(objective.transposed, split)
            self._grad_b[:] = split.sum(axis=0)
            gw = w + 2.0 * (costs @ self._grad[:, :n])
            gb = b + 2.0 * float(costs @ self._grad_b)
            if math.sqrt(float(gw @ gw) + gb * gb) <= target:
                break
        self.w[:n], self.b = w, b
        self._margins[: self._n] = z


def _add_to_gram(gram: FloatArray, k: int, products: FloatArray, norm2: float) -> None:
    """Update the 2 × 2 inner products of two sums when vector v is added to sum ``k``:
    ``products`` are (sum_0·v, sum_1·v) before the addition, ``norm2`` is v·v."""
    other = 1 - k
    gram[k, k] += 2.0 * float(products[k]) + norm2
    gram[k, other] += float(products[other])
    gram[other, k] = gram[k, other]


def _split(labels: IntArray, values: FloatArray) -> FloatArray:
    """``values`` as two columns: relevant rows' in the first, irrelevant rows' in the second."""
    relevant = labels == 1
    out = np.zeros((len(labels), 2))
    out[relevant, 0] = values[relevant]
    out[~relevant, 1] = values[~relevant]
    return out


def _per_class_sums(matrix: sp.csr_matrix | sp.csc_matrix, split: FloatArray) -> FloatArray:
    """Σ split_ik x_i for both columns k of ``split``: a (2, columns) array, one sparse pass.
    ``matrix`` is either the rows (CSR) or their transpose already made."""
    transposed = matrix.T if isinstance(matrix, sp.csr_matrix) else matrix
    return np.asarray(transposed @ split, dtype=np.float64).T
