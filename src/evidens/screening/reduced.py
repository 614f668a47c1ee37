"""The labelled rows of the feature matrix, kept incrementally for warm-started refits.

Columns are renumbered in the order they are first used by a labelled record. Under L2
regularisation a column no labelled record uses gets weight zero, so the model only needs
these columns - and numbering them in order of first use keeps earlier ids stable, which is
what lets the solver start from the previous fit. When one decision is added, one row is
appended (no copy of the others).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


class ReducedRows:
    """Labelled rows of ``matrix`` with columns renumbered by first use (see module doc)."""

    def __init__(self, matrix: sp.csr_matrix) -> None:
        self.matrix = matrix
        self.column_map = np.full(matrix.shape[1], -1, dtype=np.int32)
        self.active = np.zeros(matrix.shape[1], dtype=np.int64)
        self.n_active = 0
        self._rows: list[int] = []
        self._row_ids = np.zeros(256, dtype=np.int64)  # _rows as an array, for comparisons
        self._data = np.zeros(1024)
        self._indices = np.zeros(1024, dtype=np.int32)
        self._indptr = np.zeros(257, dtype=np.int32)  # the first len(_rows) + 1 are used

    @property
    def rows(self) -> tuple[int, ...]:
        return tuple(self._rows)

    def sync(self, labelled: IntArray) -> sp.csr_matrix:
        """The reduced matrix of ``labelled`` (in that order); see :meth:`update`."""
        self.update(labelled)
        return self.matrix_of_rows()

    def update(self, labelled: IntArray) -> int:
        """Make the rows ``labelled`` (in that order): appends if it extends the last call's
        rows, otherwise rebuilds (column ids stay as they were). Returns the position of the
        first row that was added, so a caller can update what it derived from the rows."""
        known = len(self._rows)
        if len(labelled) < known or not np.array_equal(labelled[:known], self._row_ids[:known]):
            self._rows = []
            known = 0
        for row in labelled[known:]:
            self._append(int(row))
        return known

    def matrix_of_rows(self) -> sp.csr_matrix:
        """The current rows as a CSR matrix over the reduced columns (shares the buffers)."""
        count = len(self._rows)
        nnz = self._indptr[count]
        return sp.csr_matrix(
            (self._data[:nnz], self._indices[:nnz], self._indptr[: count + 1].copy()),
            shape=(len(self._rows), self.n_active),
            copy=False,
        )

    def row(self, position: int) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
        """Reduced column ids and values of the row at ``position``."""
        start, end = self._indptr[position], self._indptr[position + 1]
        return self._indices[start:end], self._data[start:end]

    def _append(self, row: int) -> None:
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        columns = self.matrix.indices[start:end]
        fresh = columns[self.column_map[columns] < 0]
        if fresh.size:
            ids = np.arange(self.n_active, self.n_active + fresh.size)
            self.column_map[fresh] = ids
            self.active[ids] = fresh
            self.n_active += fresh.size
        count = len(self._rows)
        nnz = int(self._indptr[count])
        needed = nnz + (end - start)
        if needed > len(self._data):
            size = max(needed, 2 * len(self._data))
            self._data = np.resize(self._data, size)
            self._indices = np.resize(self._indices, size)
        self._data[nnz:needed] = self.matrix.data[start:end]
        self._indices[nnz:needed] = self.column_map[columns]
        if count == len(self._row_ids):
            self._row_ids = np.resize(self._row_ids, 2 * count)
            self._indptr = np.resize(self._indptr, 2 * count + 1)
        self._indptr[count + 1] = needed
        self._row_ids[count] = row
        self._rows.append(row)
