"""Simulated screening on a labelled data set, comparable with ``asreview simulate``.

The protocol is the one in docs/reference/methods.md ("Simulated screening"): one random
relevant and one random irrelevant prior, drawn like ASReview does
(``RandomState(prior_seed).choice`` on the relevant rows, then a fresh
``RandomState(prior_seed)`` on the irrelevant rows), so both tools start from the same two
records; then refit after every label and screen the top record, until the last relevant is
found. Fixed priors matter: a default that warms up in file order leaks labels.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from evidens.errors import EstimationError, FormatError
from evidens.screening.metrics import SimulationMetrics, simulation_metrics
from evidens.screening.ranking import (
    DEFAULT_MODEL,
    Ranker,
    model_spec,
    record_text,
    tfidf_features,
)

IntArray = NDArray[np.int64]
MAX_RECORDS = 200_000
REQUIRED_COLUMNS = ("record_id", "title", "abstract", "label_included")


@dataclass(frozen=True)
class LabelledSet:
    """A labelled benchmark set: record ids, texts (title + abstract) and 0/1 labels."""

    record_ids: tuple[str, ...]
    texts: tuple[str, ...]
    labels: tuple[int, ...]


@dataclass(frozen=True)
class SimulationResult:
    """One simulated screening run.

    ``order`` are row indices in screening order *after* the priors; ``priors`` the two prior
    rows (relevant first). ``wall_s`` covers features, model fits and ranking.
    """

    model: str
    seed: int
    prior_seed: int
    priors: tuple[int, ...]
    order: tuple[int, ...]
    labels_in_order: tuple[int, ...]
    n_records: int
    n_relevant: int
    metrics: SimulationMetrics
    wall_s: float


def read_labelled_csv(data: str | Iterable[str], path: str = "<csv>") -> LabelledSet:
    """Parse a labelled CSV (record_id, title, abstract, label_included).

    ``data`` is the text, or its lines as a file opened with ``newline=""`` gives them: then
    the file is read as it is parsed, never held whole - for a 7 MB file that spares some
    60 MB of copies (the decoded text and the parser's buffer), which took a tenth of a
    second of page faults in a fresh process.
    """
    reader = csv.reader(io.StringIO(data) if isinstance(data, str) else data)
    header = next(reader, [])
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FormatError(
            f"missing column(s) {', '.join(missing)}",
            path=path,
            line=1,
            hint="the header must name record_id, title, abstract and label_included",
        )
    where = [header.index(c) for c in REQUIRED_COLUMNS]
    width = max(where) + 1
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    for line, row in enumerate(reader, start=2):
        if not row:  # a blank line is no record (as csv.DictReader skips it)
            continue
        if len(ids) >= MAX_RECORDS:
            raise FormatError(f"more than {MAX_RECORDS} records", path=path, line=line)
        cells = row if len(row) >= width else row + [""] * (width - len(row))
        record_id, title, abstract, raw_label = (cells[i] for i in where)
        label = raw_label.strip()
        if label not in ("0", "1"):
            raise FormatError(
                f"label_included is {label!r}",
                path=path,
                line=line,
                field="label_included",
                hint="use 1 for included and 0 for excluded",
            )
        ids.append(record_id)
        texts.append(record_text(title, abstract))
        labels.append(int(label))
    return LabelledSet(tuple(ids), tuple(texts), tuple(labels))


def draw_priors(labels: Sequence[int], prior_seed: int) -> tuple[int, int]:
    """One relevant and one irrelevant row, drawn exactly as ``asreview simulate
    --n-prior-included 1 --n-prior-excluded 1 --prior-seed S`` draws them."""
    y = np.asarray(labels)
    relevant = np.flatnonzero(y == 1)
    irrelevant = np.flatnonzero(y == 0)
    if len(relevant) < 2 or len(irrelevant) < 1:
        raise EstimationError(
            "a simulation needs at least 2 relevant and 1 irrelevant records",
            hint="check label_included",
        )
    first = int(np.random.RandomState(prior_seed).choice(relevant, 1, replace=False)[0])
    second = int(np.random.RandomState(prior_seed).choice(irrelevant, 1, replace=False)[0])
    return first, second


def simulate(
    data: LabelledSet,
    *,
    model: str = DEFAULT_MODEL,
    seed: int = 0,
    prior_seed: int = 0,
    priors: tuple[int, ...] | None = None,
    beyond_last: int = 0,
) -> SimulationResult:
    """Screen ``data`` top-first, refitting after every label, to the last relevant record.

    ``beyond_last`` screens that many more records after it (to judge stopping rules, which
    need a tail of irrelevant records); the metrics do not change, since ASReview pads the
    unscreened records as irrelevant anyway.
    """
    start = time.perf_counter()
    spec = model_spec(model)
    y = np.asarray(data.labels, dtype=np.int64)
    chosen = priors if priors is not None else draw_priors(data.labels, prior_seed)
    # One BLAS thread: the vectors are small, and threads only add contention.
    with threadpool_limits(limits=1, user_api="blas"):
        ranker = Ranker(tfidf_features(data.texts, spec), spec, seed=seed)
        order = _screen(ranker, y, list(chosen), beyond_last)
    wall = time.perf_counter() - start
    screened = [int(y[i]) for i in order]
    metrics = simulation_metrics(screened, len(y), len(chosen))
    return SimulationResult(
        model=spec.name,
        seed=seed,
        prior_seed=prior_seed,
        priors=tuple(chosen),
        order=tuple(order),
        labels_in_order=tuple(screened),
        n_records=len(y),
        n_relevant=int(y.sum()),
        metrics=metrics,
        wall_s=wall,
    )


def _screen(ranker: Ranker, y: IntArray, labelled: list[int], beyond_last: int) -> list[int]:
    remaining = int(y.sum()) - int(y[labelled].sum())
    extra = beyond_last
    mask = np.zeros(len(y), dtype=bool)
    mask[labelled] = True
    order: list[int] = []
    while (remaining > 0 or extra > 0) and len(labelled) < len(y):
        if remaining == 0:
            extra -= 1
        rows = np.asarray(labelled, dtype=np.int64)
        ranker.fit(rows, y[rows])
        scores = ranker.scores()
        scores[mask] = -np.inf
        best = int(np.argmax(scores))  # first maximum: stable tie-break by row
        labelled.append(best)
        mask[best] = True
        order.append(best)
        remaining -= int(y[best])
    return order
