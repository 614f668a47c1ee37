"""Ranking: our TF-IDF and SVM solver against scikit-learn (which runs here), and the ranker."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from evidens.errors import EstimationError, ValidationError
from evidens.screening.features import _cell_counts, tfidf, unique_codes
from evidens.screening.incremental import IncrementalSvm, class_costs
from evidens.screening.l2svm import SolverSettings, fit_squared_hinge
from evidens.screening.ranking import Ranker, model_spec, rank_records, tfidf_features
from evidens.screening.reduced import ReducedRows
from evidens.screening.tokens import tokenise

TEXTS = [
    "Randomised trial of aspirin in adults with asthma",
    "Aspirin and asthma: a randomised controlled trial",
    "A survey of software engineering practice",
    "Software metrics for fault prediction in engineering",
    "Asthma outcomes after aspirin in a cohort",
    "Fault prediction with code metrics",
    "Teaching software engineering, a survey; the survey of surveys",
]


# Non-ASCII text: accents, a capital sigma, dotted capital I, a Kelvin sign, superscripts.
UNICODE_TEXTS = [
    "Naïve café owners in Zürich: a randomised trial (n=120) of µg/ml doses",
    "ΟΔΟΣ and ΣΟΦΙΑ: Greek words; the café trial in İstanbul",
    "Straße STRASSE strasse - a \u212aelvin-scale survey of 20 cafés",
    "Randomised controlled trial of aspirin, the naïve way",
    "x² and ½ are not words, but x²y is one; e\u0301t\u00e9 is two",
    "",
]


@pytest.mark.parametrize("texts", [TEXTS, UNICODE_TEXTS], ids=["ascii", "unicode"])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ({"ngram_max": 2, "max_df": 0.95, "sublinear_tf": True},
         {"ngram_range": (1, 2), "max_df": 0.95, "sublinear_tf": True}),
        ({"english_stop_words": True}, {"stop_words": "english"}),
        ({"ngram_max": 3, "english_stop_words": True},
         {"ngram_range": (1, 3), "stop_words": "english"}),
        ({"min_df": 2}, {"min_df": 2}),
    ],
)  # fmt: skip
def test_tfidf_equals_scikit_learn_up_to_column_order(
    ours: dict[str, Any], theirs: dict[str, Any], texts: list[str]
) -> None:
    mine = tfidf(texts, **ours)
    vectorizer = TfidfVectorizer(**theirs)
    reference = vectorizer.fit_transform(texts)
    names = list(vectorizer.get_feature_names_out())
    columns = {mine.term(j): j for j in range(mine.matrix.shape[1])}
    assert set(columns) == set(names)
    permuted = mine.matrix[:, [columns[n] for n in names]]
    assert abs(permuted - reference).max() < 1e-12


def test_solver_matches_liblinear_linearsvc() -> None:
    rng = np.random.default_rng(3)
    x = sp.random(200, 500, density=0.03, random_state=3, format="csr")
    labels = (rng.random(200) < 0.15).astype(int)
    weights = np.where(labels == 1, 1.0, 0.4)
    reference = LinearSVC(C=0.11, tol=1e-10, max_iter=100_000).fit(x, labels, sample_weight=weights)
    w, b = fit_squared_hinge(
        x, np.where(labels == 1, 1.0, -1.0), 0.11 * weights, settings=SolverSettings(tol=1e-9)
    )
    assert np.abs(w - reference.coef_[0]).max() < 1e-7
    assert b == pytest.approx(reference.intercept_[0], abs=1e-7)


def test_warm_start_reaches_the_same_solution() -> None:
    x = sp.random(80, 300, density=0.05, random_state=5, format="csr")
    y = np.where(np.arange(80) % 9 == 0, 1.0, -1.0)
    c = np.full(80, 0.5)
    cold, cold_b = fit_squared_hinge(x, y, c, settings=SolverSettings(tol=1e-10))
    start = cold + 0.05
    warm, warm_b = fit_squared_hinge(x, y, c, start, 0.3, settings=SolverSettings(tol=1e-10))
    assert np.abs(warm - cold).max() < 1e-7
    assert warm_b == pytest.approx(cold_b, abs=1e-7)


def test_reduced_rows_append_and_rebuild_agree() -> None:
    matrix = tfidf(TEXTS, ngram_max=2).matrix
    incremental = ReducedRows(matrix)
    incremental.sync(np.array([0, 2]))
    grown = incremental.sync(np.array([0, 2, 5]))
    rebuilt = incremental.sync(np.array([5, 0]))
    back = incremental.active[: grown.shape[1]]
    assert abs(grown.toarray() - matrix[[0, 2, 5]][:, back].toarray()).max() == 0
    assert abs(rebuilt.toarray() - matrix[[5, 0]][:, back].toarray()).max() == 0


def test_reduced_rows_grow_past_their_buffers_and_rebuild() -> None:
    rng = np.random.default_rng(5)
    matrix = sp.random(700, 400, density=0.05, random_state=5, format="csr")
    order = rng.permutation(700)
    rows = ReducedRows(matrix)
    for size in range(1, 600, 37):  # appends, across the 256-row starting capacity
        grown = rows.sync(order[:size])
    back = rows.active[: grown.shape[1]]
    assert grown.shape[0] == size > 256
    assert (grown != matrix[order[:size]][:, back]).nnz == 0
    rebuilt = rows.sync(order[300:310])  # not an extension of the rows: rebuilt
    assert (rebuilt != matrix[order[300:310]][:, rows.active[: rebuilt.shape[1]]]).nnz == 0


def test_cell_counts_are_scipys_summed_cells() -> None:
    """Counting (document, term) cells by one sort gives scipy's COO -> CSR with summed
    duplicates: same cells in the same order, same counts; n-gram parts are offset."""
    rng = np.random.default_rng(11)
    docs = rng.integers(0, 300, 20_000)
    columns = rng.integers(0, 900, 20_000)
    half = 10_000
    parts = [(docs[:half], columns[:half], 0), (docs[half:], columns[half:] - 450, 450)]
    rows, cols, tf = _cell_counts(parts, 900)
    plain = sp.csr_matrix((np.ones(len(docs)), (docs, columns)), shape=(300, 900))
    plain.sum_duplicates()
    assert np.array_equal(cols, plain.indices)
    assert np.array_equal(tf, plain.data)
    assert np.array_equal(np.bincount(rows, minlength=300), np.diff(plain.indptr))
    assert tf.max() > 1  # duplicates were summed


def test_rank_records_puts_the_similar_record_first_and_says_why() -> None:
    ranked = rank_records(TEXTS, {0: True, 2: False})
    assert ranked[0].row in (1, 4)
    assert {r.row for r in ranked} == {1, 3, 4, 5, 6}
    terms = [term for term, _ in ranked[0].top_terms]
    assert terms
    assert all(t in TEXTS[ranked[0].row].lower() for t in terms)
    assert all(weight > 0 for _, weight in ranked[0].top_terms)


@pytest.mark.parametrize("model", ["nb", "logistic"])
def test_other_models_rank_the_similar_record_first(model: str) -> None:
    ranked = rank_records(TEXTS, {0: True, 2: False, 3: False}, model=model, limit=2)
    assert len(ranked) == 2
    assert ranked[0].row in (1, 4)


def test_one_class_only_is_an_error() -> None:
    spec = model_spec("svm")
    ranker = Ranker(tfidf_features(TEXTS, spec), spec)
    with pytest.raises(EstimationError, match="relevant and one irrelevant"):
        ranker.fit(np.array([0, 1]), np.array([1, 1]))


def test_unknown_model_and_bad_rows_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown ranking model"):
        model_spec("bert")
    with pytest.raises(ValidationError, match="row 99"):
        rank_records(TEXTS, {99: True, 0: False})


def test_incremental_refits_match_a_fresh_solve_at_every_step() -> None:
    """Per-class sums kept row by row give the same optimum as solving from scratch."""
    x = sp.random(120, 400, density=0.04, random_state=7, format="csr")
    labels = (np.arange(120) % 7 == 0).astype(np.int64)
    tight = SolverSettings(tol=1e-9)
    svm = IncrementalSvm(x, 0.11, 9.8, tight)
    order = np.random.default_rng(1).permutation(120)
    order = np.concatenate([[0, 1], order[~np.isin(order, [0, 1])]])  # a relevant, an irrelevant
    for size in (2, 3, 10, 40, 41, 120):
        rows = order[:size]
        svm.fit(rows, labels[rows])
        costs = class_costs(int(labels[rows].sum()), size - int(labels[rows].sum()), 0.11, 9.8)
        c = np.where(labels[rows] == 1, costs[0], costs[1])
        signs = np.where(labels[rows] == 1, 1.0, -1.0)
        w, b = fit_squared_hinge(x[rows], signs, c, settings=tight)
        n = svm.rows.n_active
        full = np.zeros(x.shape[1])
        full[svm.rows.active[:n]] = svm.w[:n]
        assert np.abs(full - w).max() < 1e-6
        assert svm.b == pytest.approx(b, abs=1e-6)


def test_incremental_svm_reports_unchanged_weights_within_tolerance() -> None:
    x = sp.random(300, 200, density=0.05, random_state=2, format="csr")
    labels = (np.arange(300) % 10 == 0).astype(np.int64)
    svm = IncrementalSvm(x, 0.11, 9.8, SolverSettings(tol=0.5))
    assert svm.fit(np.arange(250), labels[:250])  # first fit always moves from zero
    before = svm.w.copy()
    changed = svm.fit(np.arange(251), labels[:251])  # one more irrelevant row: within tol
    assert not changed
    assert np.array_equal(before, svm.w)


def test_incremental_check_uses_the_gradient_norms_it_stands_for() -> None:
    """The O(1) tolerance check's inner products equal the gradients summed afresh."""
    x = sp.random(300, 200, density=0.05, random_state=3, format="csr")
    labels = (np.arange(300) % 9 == 0).astype(np.int64)
    svm = IncrementalSvm(x, 0.11, 9.8, SolverSettings(tol=0.05))
    refits = 0
    for size in range(200, 300):
        refits += svm.fit(np.arange(size), labels[:size])
        n, costs = svm.rows.n_active, class_costs(*map(int, svm._counts), 0.11, 9.8)
        grad_w = svm.w[:n] + 2.0 * (costs @ svm._grad[:, :n])
        cross = float(costs @ svm._w_grad)
        kept = svm._ww + 4.0 * cross + 4.0 * float(costs @ svm._grad_gram @ costs)
        assert kept == pytest.approx(float(grad_w @ grad_w), rel=1e-9, abs=1e-12)
        at_zero = 2.0 * (costs[1] * svm._sums[1, :n] - costs[0] * svm._sums[0, :n])
        gb = 2.0 * float(costs[1] * svm._counts[1] - costs[0] * svm._counts[0])
        assert svm._scale(costs) == pytest.approx(np.sqrt(at_zero @ at_zero + gb * gb), rel=1e-9)
    assert 0 < refits < 100  # both branches ran: kept forms and recounted ones


def test_relabelled_rows_rebuild_the_sums() -> None:
    x = tfidf(TEXTS, ngram_max=2).matrix
    svm = IncrementalSvm(x, 0.11, 9.8, SolverSettings(tol=1e-10))
    svm.fit(np.array([0, 2, 3]), np.array([1, 0, 0]))
    svm.fit(np.array([0, 2, 3]), np.array([1, 0, 1]))  # a decision changed
    fresh = IncrementalSvm(x, 0.11, 9.8, SolverSettings(tol=1e-10))
    fresh.fit(np.array([0, 2, 3]), np.array([1, 0, 1]))
    assert svm.b == pytest.approx(fresh.b, abs=1e-8)
    weights = []
    for model in (svm, fresh):
        full = np.zeros(x.shape[1])
        full[model.rows.active[: model.rows.n_active]] = model.w[: model.rows.n_active]
        weights.append(full)
    assert np.abs(weights[0] - weights[1]).max() < 1e-8


@pytest.mark.parametrize("size", [50, 3000, 70000])
def test_unique_matches_numpy(size: int) -> None:
    rng = np.random.default_rng(size)
    codes = rng.integers(0, size, 5000) * size + rng.integers(0, size, 5000)
    unique, inverse = unique_codes(codes, size * size)
    expected, expected_inverse = np.unique(codes, return_inverse=True)
    assert np.array_equal(unique, expected)
    assert np.array_equal(inverse, expected_inverse)


def test_shared_columns_come_first_and_ngram_weight_lowers_bigrams() -> None:
    plain = tfidf(TEXTS, ngram_max=2)
    df = np.bincount(plain.matrix.indices, minlength=plain.matrix.shape[1])
    assert (df[: plain.n_shared] >= 2).all()
    assert (df[plain.n_shared :] == 1).all()
    light = tfidf(TEXTS, ngram_max=2, ngram_weight=0.5)
    row = 0
    mine = {plain.term(int(j)): v for j, v in zip(*_row(plain.matrix, row), strict=True)}
    theirs = {light.term(int(j)): v for j, v in zip(*_row(light.matrix, row), strict=True)}
    word, pair = "aspirin", "randomised trial"
    assert theirs[pair] / theirs[word] == pytest.approx(0.5 * mine[pair] / mine[word])


def _row(matrix: sp.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return matrix.indices[start:end], matrix.data[start:end]


def test_tokens_of_mixed_scripts_are_scikit_learns() -> None:
    text = "Naïve café – ½ ²x x² µg/ml α-synuclein [a-b] back\\slash ]x] STRASSE 中文 ٣٤ _x_"
    ids, _, vocabulary = tokenise([text, "plain ascii text"], frozenset())
    expected = [*re.findall(r"(?u)\b\w\w+\b", text.lower()), "plain", "ascii", "text"]
    assert [vocabulary[i] for i in ids] == expected
