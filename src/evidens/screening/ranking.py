"""Prioritised screening: rank unscreened records by predicted relevance, and say why.

The model is refit after every decision, so it has to be fast. Three things keep it fast
without changing what is learnt:

* TF-IDF is fit once on all records (title + abstract), labelled or not, as ASReview does;
  all records are known up front, so this is legitimate and keeps features stable;
* the classifier is fit only on the columns that occur in labelled records - the others get
  weight zero under L2 regularisation anyway - so each fit is small;
* scores for every record are one sparse matrix-vector product.

Ties in the score are broken by record position with a stable sort, and the order is always
model-driven: no silent fallback to file order.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evidens.errors import EstimationError, ValidationError
from evidens.screening.features import TextFeatures, tfidf
from evidens.screening.l2svm import fit_squared_hinge, initial_gradient_norm
from evidens.screening.reduced import ReducedRows

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ModelSpec:
    """A named feature extractor + classifier + class balance.

    ``balance_ratio`` is ASReview's *Balanced* ratio: relevant records weigh 1, irrelevant ones
    n_rel/(ratio·n_irr), rescaled to sum to n - without it the few inclusions would drown.
    """

    name: str
    classifier: str
    ngram_max: int
    min_df: int
    max_df: float
    sublinear_tf: bool
    stop_words: str | None
    strength: float
    balance_ratio: float


MODELS: dict[str, ModelSpec] = {
    "svm": ModelSpec("svm", "svm", 2, 1, 0.95, True, None, 0.11, 9.8),
    "nb": ModelSpec("nb", "nb", 1, 1, 1.0, False, "english", 3.822, 1.2),
    "logistic": ModelSpec("logistic", "logistic", 2, 1, 0.95, True, None, 1.0, 9.8),
    # As "svm" without n-grams found in one record only (they cannot inform any other record).
    "svm-mindf2": ModelSpec("svm-mindf2", "svm", 2, 2, 0.95, True, None, 0.11, 9.8),
}
DEFAULT_MODEL = "svm"


def model_spec(name: str) -> ModelSpec:
    """The named model, or a ValidationError listing the known names."""
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise ValidationError(
            f"unknown ranking model {name!r}", field="model", hint=f"use one of: {known}"
        ) from None


def record_text(title: str, abstract: str) -> str:
    """The text a model sees: title and abstract, as ASReview joins them."""
    return f"{title} {abstract}"


def tfidf_features(texts: Sequence[str], spec: ModelSpec) -> TextFeatures:
    """Fit TF-IDF on all ``texts`` (transductive, see the module docstring)."""
    if len(texts) < 2:
        raise EstimationError("ranking needs at least two records")
    return tfidf(
        texts,
        ngram_max=spec.ngram_max,
        min_df=spec.min_df,
        max_df=spec.max_df,
        sublinear_tf=spec.sublinear_tf,
        english_stop_words=spec.stop_words == "english",
    )


def balanced_weights(labels: NDArray[np.int64], ratio: float) -> FloatArray:
    """ASReview's Balanced sample weights (see :class:`ModelSpec`)."""
    n_rel = int(labels.sum())
    n_irr = len(labels) - n_rel
    weights = np.where(labels == 1, 1.0, n_rel / (ratio * n_irr))
    return np.asarray(weights * (len(labels) / weights.sum()), dtype=np.float64)


class Ranker:
    """A model refit on the labelled records; scores every record.

    Not a frozen dataclass on purpose: it keeps the previous fit so that a refit after one more
    decision starts from it (warm start) - that is what makes re-ranking after every decision
    cheap. Column ids of the reduced problem are stable across fits for the same reason.
    """

    def __init__(self, features: TextFeatures, spec: ModelSpec, seed: int = 0) -> None:
        self.features = features
        self.spec = spec
        self.seed = seed
        n_columns = features.matrix.shape[1]
        self.weights: FloatArray = np.zeros(n_columns)
        self.intercept = 0.0
        self._fitted = False
        self._reduced_rows = ReducedRows(features.matrix)
        self._reduced: FloatArray = np.zeros(0)
        self._scale: tuple[int, int, float] = (0, 0, 0.0)  # rows, relevant, ‖∇f(0)‖
        # A column used by one record only can carry weight only once that record is
        # labelled, and labelled records are not ranked: scoring can skip such columns.
        shared = np.bincount(features.matrix.indices, minlength=n_columns) >= 2
        self._score_columns = np.flatnonzero(shared)
        self._score_matrix = sp.csr_matrix(features.matrix[:, self._score_columns])

    def fit(self, labelled: IntArray, labels: IntArray) -> None:
        """Refit on rows ``labelled`` with 0/1 ``labels``; needs both classes."""
        if len(labels) == 0 or labels.min() == labels.max():
            raise EstimationError(
                "the model needs at least one relevant and one irrelevant decision",
                hint="screen a few records first or give prior knowledge",
            )
        weights = balanced_weights(labels, self.spec.balance_ratio)
        if self.spec.classifier == "svm":
            self._fit_svm(labelled, labels, weights)
        else:
            self._fit_sklearn(self.features.matrix[labelled], labels, weights)
        self._fitted = True

    def _fit_svm(self, labelled: IntArray, labels: IntArray, weights: FloatArray) -> None:
        reduced = self._reduced_rows.sync(labelled)
        start = np.zeros(reduced.shape[1])
        start[: len(self._reduced)] = self._reduced
        signs = np.where(labels == 1, 1.0, -1.0)
        c = self.spec.strength * weights
        coef, intercept = fit_squared_hinge(
            reduced, signs, c, start, self.intercept, scale=self._gradient_scale(reduced, signs, c)
        )
        self._reduced = coef
        self.weights[self._reduced_rows.active[: len(coef)]] = coef
        self.intercept = intercept

    def _gradient_scale(self, reduced: sp.csr_matrix, signs: FloatArray, c: FloatArray) -> float:
        """‖∇f(0)‖, recomputed when rows or relevant records grow by 5 % (or shrink): it moves
        slowly, and it only sets the stopping tolerance."""
        rows, relevant = reduced.shape[0], int((signs > 0).sum())
        last_rows, last_relevant, value = self._scale
        grown = rows > 1.05 * last_rows or relevant > 1.05 * last_relevant
        if grown or rows < last_rows or relevant < last_relevant:
            value = initial_gradient_norm(reduced, signs, c)
            self._scale = (rows, relevant, value)
        return value

    def _fit_sklearn(self, rows: sp.csr_matrix, labels: IntArray, weights: FloatArray) -> None:
        # Imported here: scikit-learn takes seconds to import and the default model needs none.
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from sklearn.naive_bayes import MultinomialNB

        spec = self.spec
        if spec.classifier == "nb":  # smoothing spans all columns, so keep them all
            nb = MultinomialNB(alpha=spec.strength).fit(rows, labels, sample_weight=weights)
            log_prob = nb.feature_log_prob_
            self.weights = np.asarray(log_prob[1] - log_prob[0], dtype=np.float64)
            self.intercept = float(nb.class_log_prior_[1] - nb.class_log_prior_[0])
            return
        used = np.zeros(rows.shape[1], dtype=bool)
        used[rows.indices] = True
        columns = np.flatnonzero(used)
        model = LogisticRegression(C=spec.strength, solver="liblinear", random_state=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(rows[:, columns], labels, sample_weight=weights)
        self.weights = np.zeros(rows.shape[1])
        self.weights[columns] = model.coef_[0]
        self.intercept = float(model.intercept_[0])

    def scores(self) -> FloatArray:
        """Relevance score of every record (higher = screen sooner)."""
        if not self._fitted:
            raise EstimationError("the ranking model has not been fit yet")
        scored = self._score_matrix @ self.weights[self._score_columns]
        return np.asarray(scored + self.intercept, dtype=np.float64)

    def why(self, row: int, top: int = 5) -> tuple[tuple[str, float], ...]:
        """The terms that push record ``row`` up most: (term, contribution) pairs."""
        matrix = self.features.matrix
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns = matrix.indices[start:end]
        contributions = matrix.data[start:end] * self.weights[columns]
        best = np.argsort(-contributions, kind="stable")[:top]
        return tuple(
            (self.features.term(int(columns[i])), float(contributions[i]))
            for i in best
            if contributions[i] > 0
        )


@dataclass(frozen=True)
class RankedRecord:
    """One unscreened record's place in the queue and why it is there."""

    row: int
    score: float
    top_terms: tuple[tuple[str, float], ...]


def rank_unlabelled(ranker: Ranker, labelled: IntArray) -> IntArray:
    """Rows not in ``labelled``, best first (stable on ties, by row)."""
    scores = ranker.scores()
    scores[labelled] = -np.inf
    order = np.argsort(-scores, kind="stable")
    return np.asarray(order[: len(scores) - len(np.unique(labelled))], dtype=np.int64)


def rank_records(
    texts: Sequence[str],
    decisions: dict[int, bool],
    *,
    model: str = DEFAULT_MODEL,
    top_terms: int = 5,
    limit: int | None = None,
) -> tuple[RankedRecord, ...]:
    """Rank the records without a decision, given ``decisions`` (row -> relevant?).

    This is the entry point for services: ``texts[i]`` is record i's title + abstract
    (:func:`record_text`); train on resolved labels or on one reviewer's, as configured.
    """
    spec = model_spec(model)
    for row in decisions:
        if not 0 <= row < len(texts):
            raise ValidationError(f"decision for row {row}, but only {len(texts)} records")
    ranker = Ranker(tfidf_features(texts, spec), spec)
    labelled = np.fromiter(decisions, dtype=np.int64, count=len(decisions))
    labels = np.fromiter((int(v) for v in decisions.values()), dtype=np.int64)
    ranker.fit(labelled, labels)
    scores = ranker.scores()
    order = rank_unlabelled(ranker, labelled)
    if limit is not None:
        order = order[:limit]
    return tuple(
        RankedRecord(int(row), float(scores[row]), ranker.why(int(row), top_terms)) for row in order
    )
