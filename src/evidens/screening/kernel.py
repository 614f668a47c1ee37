"""Inner products of the labelled records with every record, kept as records are labelled.

Why: the L2-regularised SVM's weights lie in the span of the labelled rows (the solver starts
from zero and every step it takes is a combination of those rows), so w = Σ_k a_k x_k and the
score of record i is Σ_k a_k (x_i · x_k). With the products x_i · x_k stored - one dense row of
n numbers per labelled record, computed once when it is labelled - re-scoring every record is
one dense product with m coefficients instead of a sparse pass over all the text features,
and the solver itself works on the small m × m matrix of the labelled rows (the Gram matrix).
That pays while m is small against the features per record; :func:`dual_limit` says how far.

Products use the columns shared by two or more records only: a column found in one record
adds to that record's product with itself only (its squared norm, kept separately), and the
scores of labelled records - the only ones it would change - are not used.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

try:  # scipy's compiled kernels behind csr[rows] and csc @ vector, called directly
    from scipy.sparse._sparsetools import csc_matvec, csr_row_index
except ImportError:  # pragma: no cover - a scipy that moved them: the public API then
    csc_matvec = csr_row_index = None

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
MEMORY_LIMIT = 16_000_000
"""At most this many stored products (128 MB of float64)."""
DENSE_ADVANTAGE = 4
"""A dense product costs about a quarter of a sparse one per number (measured, 2 cores)."""


def dual_limit(shared: sp.csr_matrix) -> int:
    """How many labelled records the dual form is worth keeping for: while m dense numbers
    per record cost less than the sparse features do, and the stored rows fit in memory."""
    n_records = max(shared.shape[0], 1)
    by_cost = DENSE_ADVANTAGE * shared.nnz // n_records
    return int(min(MEMORY_LIMIT // n_records, by_cost))


class KernelRows:
    """Row k: the products of labelled record k with every record; plus the Gram matrix of
    the labelled records among themselves (exact squared norms on its diagonal)."""

    def __init__(self, matrix: sp.csr_matrix, shared: sp.csr_matrix) -> None:
        self.matrix = matrix
        self.by_column = shared.T.tocsr()  # one row per shared column: its records
        self.n_records = matrix.shape[0]
        self.rows = np.zeros(0, dtype=np.int64)  # the labelled records, by position
        self.m = 0
        self._products = np.zeros((0, self.n_records))
        self._gram = np.zeros((0, 0))

    @property
    def products(self) -> FloatArray:
        """(m, n): row k holds x_i · x_k for every record i."""
        return self._products[: self.m]

    @property
    def gram(self) -> FloatArray:
        """(m, m): x_j · x_k between labelled records."""
        return self._gram[: self.m, : self.m]

    def reset(self) -> None:
        self.m = 0

    def append(self, record: int) -> None:
        """Add one labelled record: one sparse pass over the records sharing its columns."""
        self._reserve(self.m + 1)
        start, end = self.matrix.indptr[record], self.matrix.indptr[record + 1]
        columns = self.matrix.indices[start:end]
        values = self.matrix.data[start:end]
        shared = columns < self.by_column.shape[0]
        row = self._products[self.m]
        _products_into(self.by_column, columns[shared], values[shared], row)
        m = self.m
        self.rows[m] = record
        norm2 = float(values @ values)
        self._gram[m, :m] = np.where(self.rows[:m] == record, norm2, row[self.rows[:m]])
        self._gram[:m, m] = self._gram[m, :m]
        self._gram[m, m] = norm2
        self.m = m + 1

    def _reserve(self, size: int) -> None:
        capacity = len(self.rows)
        if size <= capacity:
            return
        grown = max(size, 2 * capacity, 16)
        products = np.zeros((grown, self.n_records))
        products[:capacity] = self._products
        gram = np.zeros((grown, grown))
        gram[:capacity, :capacity] = self._gram
        rows = np.zeros(grown, dtype=np.int64)
        rows[:capacity] = self.rows
        self._products, self._gram, self.rows = products, gram, rows


def _products_into(
    by_column: sp.csr_matrix, columns: NDArray[np.int32], values: FloatArray, out: FloatArray
) -> None:
    """``out`` = Σ_j values_j · by_column[columns_j]: the inner products of one record (its
    ``columns`` and ``values``) with every record.

    It runs once per screening decision, and scipy's checks around the two compiled calls
    (row selection, then a transposed product) cost as much as the calls themselves, so they
    are called directly when this scipy has them where expected; the result is the same.
    """
    if csr_row_index is None or csc_matvec is None:
        out[:] = np.asarray(by_column[columns].T @ values, dtype=np.float64)
        return
    indptr, indices = by_column.indptr, by_column.indices
    columns = columns.astype(indices.dtype, copy=False)
    block_indptr = np.zeros(len(columns) + 1, dtype=indptr.dtype)
    np.cumsum(indptr[columns + 1] - indptr[columns], out=block_indptr[1:])
    size = int(block_indptr[-1])
    block_indices = np.empty(size, dtype=indices.dtype)
    block_data = np.empty(size, dtype=by_column.data.dtype)
    csr_row_index(len(columns), columns, indptr, indices, by_column.data, block_indices, block_data)
    out[:] = 0.0
    # The selected rows as CSR are the CSC form of their transpose: out += blockᵀ · values.
    n_records = by_column.shape[1]
    csc_matvec(n_records, len(columns), block_indptr, block_indices, block_data, values, out)
