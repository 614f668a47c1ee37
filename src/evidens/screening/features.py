"""TF-IDF word n-gram features, built with numpy instead of scikit-learn's vectoriser.

Same definition as ``TfidfVectorizer`` (token pattern ``\\b\\w\\w+\\b`` on lower-cased text,
stop words removed before n-grams are formed, ``min_df``/``max_df`` on document frequency,
smoothed idf ln((1+n)/(1+df)) + 1, optional sublinear tf 1 + ln(tf), rows scaled to unit
length). Why our own: scikit-learn builds every bigram as a Python string and sorts the
whole vocabulary, which took longer than an entire simulated screening run; here n-grams are
integer codes and the counting is a few numpy sorts. Column order differs (it does not
matter to any model); :meth:`TextFeatures.term` names a column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evidens.errors import EstimationError
from evidens.screening.tokens import tokenise

IntArray = NDArray[np.int64]
MAX_NGRAM = 3


@dataclass(frozen=True)
class TextFeatures:
    """TF-IDF matrix of all records (rows in input order) and how to name each column.

    A column is an n-gram of word ids: ``column_order[j]`` is n and ``column_code[j]`` the ids
    in base ``len(vocabulary)``. Columns of n-grams that occur in more than one record come
    first (a ranking model scores unlabelled records with those alone).
    """

    matrix: sp.csr_matrix
    vocabulary: tuple[str, ...]
    column_code: IntArray
    column_order: IntArray
    n_shared: int = 0
    """Columns ``0 … n_shared-1`` occur in two or more records, the others in one only."""

    def term(self, column: int) -> str:
        """The n-gram of ``column`` as text, e.g. ``"randomised trial"``."""
        size = len(self.vocabulary)
        code = int(self.column_code[column])
        words = []
        for _ in range(int(self.column_order[column])):
            code, word = divmod(code, size)
            words.append(self.vocabulary[word])
        return " ".join(reversed(words))


def _ngrams(flat: IntArray, docs: IntArray, size: int, n: int) -> tuple[IntArray, IntArray]:
    """Codes of all n-grams that stay inside one document, with their document."""
    count = len(flat) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes = flat[:count].copy()
    same_doc = np.ones(count, dtype=bool)
    for k in range(1, n):
        codes = codes * size + flat[k : k + count]
        same_doc &= docs[k : k + count] == docs[:count]
    return codes[same_doc], docs[:count][same_doc]


def unique_codes(codes: IntArray, bound: int) -> tuple[IntArray, IntArray]:
    """``np.unique(codes, return_inverse=True)`` for codes in [0, bound): the costliest step of
    the bigram features. Code and position packed in one integer need only numpy's
    vectorised sort (the position breaks ties, so the order is stable) - several times
    faster than the argsort inside ``np.unique``; too large codes fall back to it. The packed
    keys are split in place (fresh memory costs a page fault per 4 KiB)."""
    bits = len(codes).bit_length()
    if bound > 2 ** (63 - bits) or len(codes) < 2:
        unique, inverse = np.unique(codes, return_inverse=True)
        return unique, inverse.astype(np.int64).reshape(-1)
    keys = codes << bits
    keys |= np.arange(len(codes))
    keys.sort()
    ordered = keys >> bits
    keys &= (1 << bits) - 1  # now the positions
    first = np.empty(len(codes), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    rank = np.cumsum(first)
    rank -= 1
    inverse = np.empty(len(codes), dtype=np.int64)
    inverse[keys] = rank
    return ordered[first], inverse


def tfidf(
    texts: Sequence[str],
    *,
    ngram_max: int = 1,
    min_df: int = 1,
    max_df: float = 1.0,
    sublinear_tf: bool = False,
    english_stop_words: bool = False,
    ngram_weight: float = 1.0,
) -> TextFeatures:
    """Fit TF-IDF on ``texts`` (all records at once) and return the matrix."""
    if not 1 <= ngram_max <= MAX_NGRAM:
        raise EstimationError(f"n-grams up to {MAX_NGRAM} words are supported, got {ngram_max}")
    stop: frozenset[str] = frozenset()
    if english_stop_words:  # scikit-learn's list, imported only when asked for (slow import)
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        stop = frozenset(ENGLISH_STOP_WORDS)
    flat, docs, vocabulary = tokenise(texts, stop)
    if flat.size == 0:
        raise EstimationError("no words to rank on", hint="records need titles or abstracts")
    size = len(vocabulary)
    # Every word id is a unigram column; longer n-grams get columns after them.
    term_parts = [np.arange(size, dtype=np.int64) * (MAX_NGRAM + 1) + 1]
    cell_parts = [(docs, flat, 0)]
    for n in range(2, ngram_max + 1):
        codes, doc_of = _ngrams(flat, docs, size, n)
        unique, inverse = unique_codes(codes, size**n)
        del codes
        cell_parts.append((doc_of, inverse, sum(len(t) for t in term_parts)))
        term_parts.append(unique * (MAX_NGRAM + 1) + n)
    del flat, docs
    terms = np.concatenate(term_parts)
    n_docs = len(texts)
    rows, cols, tf = _cell_counts(cell_parts, len(terms))
    del cell_parts
    df = np.bincount(cols, minlength=len(terms))
    keep = (df >= min_df) & (df <= max_df * n_docs)
    weighting = (sublinear_tf, ngram_weight)
    return _weighted(rows, cols, tf, df, keep, terms, n_docs, weighting, vocabulary)


def _cell_counts(
    parts: list[tuple[IntArray, IntArray, int]], n_terms: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Document, term and count of each distinct (document, term) cell, ordered by document
    and then term; ``parts`` are (documents, term ids, first column) of each n-gram order.

    Each cell is one integer, document * n_terms + term, written straight into one array
    and sorted in place: scipy's COO to CSR to CSC route copied the cells half a dozen times
    (fresh memory costs a page fault per 4 KiB) for the same order. Integers cannot overflow:
    that would take more than 2**31 documents and terms each.
    """
    cells = np.empty(sum(len(d) for d, _, _ in parts), dtype=np.int64)
    done = 0
    for doc_of, term_of, first_column in parts:
        part = cells[done : done + len(doc_of)]
        np.multiply(doc_of, n_terms, out=part)
        part += term_of
        if first_column:
            part += first_column
        done += len(doc_of)
    cells.sort()
    new = np.empty(len(cells), dtype=bool)
    new[0] = True
    np.not_equal(cells[1:], cells[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    del new
    tf = np.diff(starts, append=len(cells))
    distinct = cells[starts]
    del cells, starts
    rows = np.empty(len(distinct), dtype=np.int64)
    np.divmod(distinct, n_terms, out=(rows, distinct))
    return rows, distinct, tf


def _weighted(
    rows: IntArray,
    cols: IntArray,
    tf: IntArray,
    df: IntArray,
    keep: NDArray[np.bool_],
    terms: IntArray,
    n_docs: int,
    weighting: tuple[bool, float],
    vocabulary: list[str],
) -> TextFeatures:
    if not keep.any():
        raise EstimationError(
            "every term was dropped by min_df/max_df", hint="records need more text"
        )
    # Kept columns renumbered: those in 2+ records first, then the single-record ones.
    # Arrays are made in their final dtype and updated in place: fresh memory costs a page
    # fault per 4 KiB, and scipy keeps int32 index arrays without copying them.
    shared = keep & (df >= 2)
    order = np.concatenate([np.flatnonzero(shared), np.flatnonzero(keep & ~shared)])
    new_id = np.full(len(keep), -1, dtype=np.int32)
    new_id[order] = np.arange(len(order), dtype=np.int32)
    if keep.all():  # usual for max_df < 1 too: no n-gram is that common
        columns, values = new_id[cols], tf.astype(np.float64)
    else:
        selected = keep[cols]
        rows, columns = rows[selected], new_id[cols[selected]]
        values = tf[selected].astype(np.float64)
    del tf
    idf = np.log((1.0 + n_docs) / (1.0 + df[order])) + 1.0
    sublinear_tf, ngram_weight = weighting
    if sublinear_tf:
        np.log(values, out=values)
        values += 1.0
    values *= idf[columns]
    if ngram_weight != 1.0:  # n-grams of 2+ words weigh less than words, before normalising
        values *= np.where(terms[order][columns] % (MAX_NGRAM + 1) > 1, ngram_weight, 1.0)
    norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n_docs))
    values /= np.where(norms > 0, norms, 1.0)[rows]
    # The entries are still in row order, so the CSR arrays can be made directly.
    indptr = np.zeros(n_docs + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
    del rows
    matrix = sp.csr_matrix((values, columns, indptr), shape=(n_docs, len(order)))
    kept_terms = terms[order]
    return TextFeatures(
        matrix=matrix,
        vocabulary=tuple(vocabulary),
        column_code=kept_terms // (MAX_NGRAM + 1),
        column_order=kept_terms % (MAX_NGRAM + 1),
        n_shared=int(shared.sum()),
    )
