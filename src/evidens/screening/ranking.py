"""Prioritised screening: rank unscreened records by predicted relevance, and say why.

The model is refit after every decision, so it has to be fast. These keep it fast without
changing what is learnt:

* TF-IDF is fit once on all records (title + abstract), labelled or not, as ASReview does;
  all records are known up front, so this is legitimate and keeps features stable;
* the classifier is fit only on the columns that occur in labelled records - the others get
  weight zero under L2 regularisation anyway - so each fit is small;
* a refit first checks, at the cost of the one new record, whether the previous optimum
  still holds within the solver's tolerance; only if not does the solver run, and only then
  are the records re-scored;
* while few records are labelled, the SVM is solved over the labelled rows
  (:mod:`~evidens.screening.dual`): each record's inner products with the labelled ones are
  kept, so a refit works on a small dense matrix and re-scoring is one dense product; past
  :func:`~evidens.screening.kernel.dual_limit` it moves, warm-started, to the feature-space
  solver (:mod:`~evidens.screening.incremental`), where scores are one sparse product.

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
from evidens.screening.dual import DualSvm
from evidens.screening.features import TextFeatures, tfidf
from evidens.screening.incremental import IncrementalSvm
from evidens.screening.kernel import dual_limit
from evidens.screening.l2svm import SolverSettings

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
    tol: float = 1e-3
    ngram_weight: float = 1.0


MODELS: dict[str, ModelSpec] = {
    # TF-IDF (1-2-grams) + squared-hinge linear SVM, Balanced(9.8): ASReview's elas_u4 with a
    # stronger L2 penalty (C 0.07 instead of 0.11). Chosen on the six benchmark sets, one
    # setting for all: of C in {0.03, 0.05, 0.07, 0.08, 0.11, 0.3}, 0.07 and 0.08 had a mean
    # WSS@95 over 5 prior seeds at least elas_u4's on every set, 0.07 with the larger margins.
    "svm": ModelSpec("svm", "svm", 2, 1, 0.95, True, None, 0.07, 9.8),
    # ASReview 3's default model itself (C 0.11), for like-for-like comparisons.
    "elas_u4": ModelSpec("elas_u4", "svm", 2, 1, 0.95, True, None, 0.11, 9.8),
    "nb": ModelSpec("nb", "nb", 1, 1, 1.0, False, "english", 3.822, 1.2),
    "logistic": ModelSpec("logistic", "logistic", 2, 1, 0.95, True, None, 1.0, 9.8),
    # As "svm" without n-grams found in one record only (they cannot inform any other record).
    "svm-mindf2": ModelSpec("svm-mindf2", "svm", 2, 2, 0.95, True, None, 0.07, 9.8),
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
        ngram_weight=spec.ngram_weight,
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
        self._weights: FloatArray = np.zeros(n_columns)
        self.intercept = 0.0
        self._fitted = False
        self._scores: FloatArray | None = None  # cached until the weights change
        # A column used by one record only can carry weight only once that record is
        # labelled, and labelled records are not ranked: scoring can skip such columns.
        self._score_matrix = _leading_columns(features.matrix, features.n_shared)
        # The SVM starts in the dual form (cheap while few records are labelled) and moves
        # to the primal one, warm-started, once that is cheaper (see screening.kernel).
        self._dual_limit = dual_limit(self._score_matrix) if spec.classifier == "svm" else -1
        self._dual: DualSvm | None = None
        self._svm: IncrementalSvm | None = None
        self._primal_stale = False  # the dual fit moved since ``weights`` was computed

    @property
    def weights(self) -> FloatArray:
        """The weight of every feature column (computed from the dual form when in use)."""
        if self._dual is not None and self._primal_stale:
            self._weights, self.intercept = self._dual.primal()
            self._primal_stale = False
        return self._weights

    def fit(self, labelled: IntArray, labels: IntArray) -> None:
        """Refit on rows ``labelled`` with 0/1 ``labels``; needs both classes."""
        if len(labels) == 0 or labels.min() == labels.max():
            raise EstimationError(
                "the model needs at least one relevant and one irrelevant decision",
                hint="screen a few records first or give prior knowledge",
            )
        if self.spec.classifier == "svm":
            self._fit_svm(labelled, labels)
        else:
            weights = balanced_weights(labels, self.spec.balance_ratio)
            self._fit_sklearn(self.features.matrix[labelled], labels, weights)
            self._scores = None
        self._fitted = True

    def _fit_svm(self, labelled: IntArray, labels: IntArray) -> None:
        settings = SolverSettings(tol=self.spec.tol)
        strength, ratio = self.spec.strength, self.spec.balance_ratio
        if len(labelled) <= self._dual_limit and self._svm is None:
            if self._dual is None:
                matrix = self.features.matrix
                self._dual = DualSvm(matrix, self._score_matrix, strength, ratio, settings)
            if self._dual.fit(labelled, labels) or not self._fitted:
                self.intercept = self._dual.b
                self._scores = None
                self._primal_stale = True
            return
        if self._svm is None:
            start = self._dual.primal() if self._dual is not None and self._fitted else None
            matrix = self.features.matrix
            self._svm = IncrementalSvm(matrix, strength, ratio, settings, start=start)
            self._dual = None
            self._fitted = False  # the scores must come from the primal weights now
        if not self._svm.fit(labelled, labels) and self._fitted:
            return  # same weights: the cached scores stay valid
        n = self._svm.rows.n_active
        self._weights[self._svm.rows.active[:n]] = self._svm.w[:n]
        self.intercept = self._svm.b
        self._scores = None

    def _fit_sklearn(self, rows: sp.csr_matrix, labels: IntArray, weights: FloatArray) -> None:
        # Imported here: scikit-learn takes seconds to import and the default model needs none.
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from sklearn.naive_bayes import MultinomialNB

        spec = self.spec
        if spec.classifier == "nb":  # smoothing spans all columns, so keep them all
            nb = MultinomialNB(alpha=spec.strength).fit(rows, labels, sample_weight=weights)
            log_prob = nb.feature_log_prob_
            self._weights = np.asarray(log_prob[1] - log_prob[0], dtype=np.float64)
            self.intercept = float(nb.class_log_prior_[1] - nb.class_log_prior_[0])
            return
        used = np.zeros(rows.shape[1], dtype=bool)
        used[rows.indices] = True
        columns = np.flatnonzero(used)
        model = LogisticRegression(C=spec.strength, solver="liblinear", random_state=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(rows[:, columns], labels, sample_weight=weights)
        self._weights = np.zeros(rows.shape[1])
        self._weights[columns] = model.coef_[0]
        self.intercept = float(model.intercept_[0])

    def scores(self) -> FloatArray:
        """Relevance score of every record (higher = screen sooner); a fresh array."""
        if not self._fitted:
            raise EstimationError("the ranking model has not been fit yet")
        if self._scores is None and self._dual is not None:
            self._scores = self._dual.scores()
        elif self._scores is None:
            scored = self._score_matrix @ self._weights[: self.features.n_shared]
            self._scores = np.asarray(scored + self.intercept, dtype=np.float64)
        return self._scores.copy()

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


def _leading_columns(matrix: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """``matrix[:, :n]``, by one mask over the entries (scipy's column slicing is slower)."""
    keep = matrix.indices < n
    per_row = np.add.reduceat(np.append(keep, False), matrix.indptr[:-1]) * (
        np.diff(matrix.indptr) > 0
    )
    indptr = np.zeros(len(per_row) + 1, dtype=np.int32)
    np.cumsum(per_row, out=indptr[1:])
    return sp.csr_matrix(
        (matrix.data[keep], matrix.indices[keep], indptr), shape=(matrix.shape[0], n)
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
