"""Ranking: our TF-IDF and SVM solver against scikit-learn (which runs here), and the ranker."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from evidens.errors import EstimationError, ValidationError
from evidens.screening.features import tfidf
from evidens.screening.l2svm import SolverSettings, fit_squared_hinge
from evidens.screening.ranking import Ranker, model_spec, rank_records, tfidf_features
from evidens.screening.reduced import ReducedRows

TEXTS = [
    "Randomised trial of aspirin in adults with asthma",
    "Aspirin and asthma: a randomised controlled trial",
    "A survey of software engineering practice",
    "Software metrics for fault prediction in engineering",
    "Asthma outcomes after aspirin in a cohort",
    "Fault prediction with code metrics",
    "Teaching software engineering, a survey; the survey of surveys",
]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ({"ngram_max": 2, "max_df": 0.95, "sublinear_tf": True},
         {"ngram_range": (1, 2), "max_df": 0.95, "sublinear_tf": True}),
        ({"english_stop_words": True}, {"stop_words": "english"}),
        ({"min_df": 2}, {"min_df": 2}),
    ],
)  # fmt: skip
def test_tfidf_equals_scikit_learn_up_to_column_order(ours: dict, theirs: dict) -> None:
    mine = tfidf(TEXTS, **ours)
    vectorizer = TfidfVectorizer(**theirs)
    reference = vectorizer.fit_transform(TEXTS)
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
