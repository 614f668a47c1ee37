"""The dual (labelled-row) form of the ranking SVM gives the primal solver's weights and scores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from evidens.screening import kernel
from evidens.screening.dual import DualSvm
from evidens.screening.features import tfidf
from evidens.screening.incremental import class_costs
from evidens.screening.kernel import MEMORY_LIMIT, KernelRows, dual_limit
from evidens.screening.l2svm import SolverSettings, fit_squared_hinge
from evidens.screening.ranking import Ranker, _leading_columns, model_spec

TIGHT = SolverSettings(tol=1e-10)


def _problem(rows: int = 150, columns: int = 500, seed: int = 3) -> sp.csr_matrix:
    """Random sparse rows, unit length like TF-IDF rows; the last columns are in one row each."""
    x = sp.random(rows, columns, density=0.03, random_state=seed, format="csr")
    single = sp.csr_matrix(
        (np.full(rows, 0.5), np.arange(rows) + columns, np.arange(rows + 1)),
        shape=(rows, columns + rows),
    )
    x = sp.hstack([x, single[:, columns:]], format="csr")
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / norms) @ x)


def _fresh_solve(
    x: sp.csr_matrix, rows: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, float]:
    n_rel = int(labels.sum())
    costs = class_costs(n_rel, len(labels) - n_rel, 0.11, 9.8)
    c = np.where(labels == 1, costs[0], costs[1])
    signs = np.where(labels == 1, 1.0, -1.0)
    return fit_squared_hinge(x[rows], signs, c, settings=TIGHT)


def test_kernel_rows_are_the_inner_products_on_shared_columns() -> None:
    x = _problem()
    shared = x[:, :500]
    kernel = KernelRows(x, sp.csr_matrix(shared))
    for record in (4, 9, 4):
        kernel.append(record)
    dense = shared.toarray()
    assert np.allclose(kernel.products, dense[[4, 9, 4]] @ dense.T, atol=1e-14)
    full = x.toarray()
    assert np.allclose(kernel.gram, full[[4, 9, 4]] @ full[[4, 9, 4]].T, atol=1e-14)
    assert kernel.gram[0, 0] == pytest.approx(1.0)  # the single-record column counts here


def test_dual_refits_match_a_fresh_primal_solve_at_every_step() -> None:
    x = _problem()
    labels = (np.arange(150) % 6 == 0).astype(np.int64)
    svm = DualSvm(x, sp.csr_matrix(x[:, :500]), 0.11, 9.8, TIGHT)
    order = np.random.default_rng(4).permutation(150)
    order = np.concatenate([[0, 1], order[~np.isin(order, [0, 1])]])
    for size in (2, 3, 11, 40, 41, 150):
        rows = order[:size]
        svm.fit(rows, labels[rows])
        w, b = _fresh_solve(x, rows, labels[rows])
        dual_w, dual_b = svm.primal()
        assert np.abs(dual_w - w).max() < 1e-7
        assert dual_b == pytest.approx(b, abs=1e-7)
        expected = x[:, :500] @ w[:500] + b
        assert np.abs(svm.scores() - expected).max() < 1e-7


def test_dual_reports_unchanged_weights_within_tolerance() -> None:
    x = _problem(300, 200, seed=2)
    labels = (np.arange(300) % 10 == 0).astype(np.int64)
    svm = DualSvm(x, sp.csr_matrix(x[:, :200]), 0.11, 9.8, SolverSettings(tol=0.5))
    assert svm.fit(np.arange(250), labels[:250])
    before = svm.a.copy()
    assert not svm.fit(np.arange(251), labels[:251])  # one more irrelevant row: within tol
    assert np.array_equal(svm.a[:250], before)
    assert svm.a[250] == 0.0


def test_a_changed_decision_starts_the_dual_fit_again() -> None:
    x = tfidf(["heart failure trial", "heart trial", "knee surgery", "knee pain"], ngram_max=2)
    matrix = x.matrix
    shared = _leading_columns(matrix, x.n_shared)
    svm = DualSvm(matrix, shared, 0.11, 9.8, TIGHT)
    svm.fit(np.array([0, 2, 3]), np.array([1, 0, 0]))
    svm.fit(np.array([0, 2, 3]), np.array([1, 0, 1]))  # a decision changed
    fresh = DualSvm(matrix, shared, 0.11, 9.8, TIGHT)
    fresh.fit(np.array([0, 2, 3]), np.array([1, 0, 1]))
    assert np.allclose(svm.primal()[0], fresh.primal()[0], atol=1e-9)
    assert np.allclose(svm.scores(), fresh.scores(), atol=1e-9)


def test_ranker_moves_to_the_primal_form_past_the_limit_and_ranks_alike() -> None:
    texts = [f"word{i % 17} word{i % 5} common term{i % 11} record{i}" for i in range(90)]
    spec = replace(model_spec("svm"), tol=1e-10)
    features = tfidf(texts, ngram_max=2, sublinear_tf=True)
    switching, primal = Ranker(features, spec), Ranker(features, spec)
    switching._dual_limit, primal._dual_limit = 20, -1
    labels = (np.arange(90) % 5 == 0).astype(np.int64)
    for size in (10, 20, 21, 60):
        rows = np.arange(size)
        switching.fit(rows, labels[rows])
        primal.fit(rows, labels[rows])
        assert (switching._dual is not None) == (size <= 20)
        assert np.abs(switching.scores() - primal.scores()).max() < 1e-7
        assert np.abs(switching.weights - primal.weights).max() < 1e-7


def test_dual_limit_bounds_memory_and_follows_feature_density() -> None:
    sparse_rows = sp.random(1000, 5000, density=0.01, random_state=1, format="csr")
    assert dual_limit(sparse_rows) == 4 * sparse_rows.nnz // 1000  # 4 × 50 features per row
    # 40 features per record, 1.6M records: memory binds (10 rows), not cost (160)
    n = 1_600_000
    dense_rows = sp.csr_matrix(
        (np.ones(40 * n), np.tile(np.arange(40, dtype=np.int32), n), np.arange(n + 1) * 40),
        shape=(n, 40),
    )
    assert dual_limit(dense_rows) == MEMORY_LIMIT // n == 10


def test_direct_scipy_kernels_give_the_public_api_products(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _problem(200, 300, seed=5)
    shared = sp.csr_matrix(x[:, :300])
    direct = KernelRows(x, shared)
    for record in (3, 77, 150):
        direct.append(record)
    monkeypatch.setattr(kernel, "csr_row_index", None)
    public = KernelRows(x, shared)
    for record in (3, 77, 150):
        public.append(record)
    assert kernel.csc_matvec is not None  # this scipy has them: the direct path was taken
    assert np.array_equal(direct.products, public.products)
    assert np.array_equal(direct.gram, public.gram)
