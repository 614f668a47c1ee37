"""The order in which the web queue hands a reviewer records at title/abstract: by AI rank
(most likely relevant first, with the terms why) or at random, seeded per reviewer.

Rank is the default once the review has one included and one excluded record with a final
decision; it trains on final decisions only (:func:`evidens.services.prioritise.rank`), so
one reviewer's open decision never shapes another's queue. Training on a large review takes
seconds, so no request waits for it: small reviews rank inline, large ones in a separate,
low-priority process whose result replaces the ranking when ready; until then, and when the
ranked head is used up, the queue is random.

Both orders are lists of candidate ids walked from a cursor; which of the next few are still
needed is one indexed query (:func:`first_needed`), so a long list costs no more per request
than a short one.
"""

from __future__ import annotations

import os
import random
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from multiprocessing import get_context
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from evidens.core import Stage
from evidens.errors import ReviewStateError
from evidens.services.prioritise import rank
from evidens.services.store import ReviewStore, open_review
from evidens.store.models import DuplicateClusterRow, RecordRow

INLINE_BELOW = 1_000  # records: ranking this many takes a fraction of a second here
RANKED_HEAD = 2_000  # ranked records kept (with their terms) per review
# A ranking is rebuilt at most every millisecond per record, and at least every two minutes:
# a small review's queue follows each new final decision, a large one's is not retrained
# (seconds of work) for every few decisions.
SECONDS_PER_RECORD = 0.001
RANK_SECONDS = 120.0
IDS_SECONDS = 60.0  # the random order follows imports and de-duplication this quickly


class Order(StrEnum):
    RANK = "rank"
    RANDOM = "random"


@dataclass(frozen=True)
class Ranked:
    """A review's ranking: ids best first, with the score and top terms of each."""

    made_at: float
    ids: tuple[int, ...]
    why: dict[int, tuple[float, tuple[str, ...]]] = field(default_factory=dict)


_RANKINGS: dict[tuple[str, int], Ranked] = {}
_PENDING: dict[tuple[str, int], Future[Ranked]] = {}
_IDS: dict[tuple[str, int], tuple[float, tuple[int, ...]]] = {}
_SHUFFLED: dict[tuple[str, int, str], tuple[tuple[int, ...], ...]] = {}
_CURSORS: dict[tuple[str, int, str, str], tuple[tuple[int, int | None, int | None], int]] = {}
_LOCK = threading.Lock()
_POOLS: dict[str, ProcessPoolExecutor] = {}  # one process per server process, made on need


def cache_key(store: ReviewStore) -> tuple[str, int]:
    return (store.engine.url.render_as_string(hide_password=True), store.review_id)


def _ranked(store: ReviewStore) -> Ranked:
    """Train on the final decisions and keep the head of the ranking (empty when there is
    not yet one included and one excluded record)."""
    try:
        views = rank(store, Stage.TITLE_ABSTRACT, limit=RANKED_HEAD)
    except ReviewStateError:
        return Ranked(time.monotonic(), ())
    return Ranked(
        time.monotonic(),
        tuple(v.record_id for v in views),
        {v.record_id: (v.score, v.why) for v in views},
    )


def _ranked_elsewhere(location: str, slug: str) -> Ranked:
    """The ranking computed in the pool's process (its own engine on the same store)."""
    store = open_review(location, slug)
    try:
        return _ranked(store)
    finally:
        store.dispose()


def _lower_priority() -> None:
    os.nice(10)


def _pool() -> ProcessPoolExecutor:
    if "rank" not in _POOLS:
        context = get_context("spawn")
        _POOLS["rank"] = ProcessPoolExecutor(1, context, initializer=_lower_priority)
    return _POOLS["rank"]


def ranking(store: ReviewStore, size: int, *, inline_below: int = INLINE_BELOW) -> Ranked:
    """The current ranking of the review (``size`` records to screen): rebuilt inline for a
    small review, in the background for a large one (the old ranking serves meanwhile)."""
    key = cache_key(store)
    with _LOCK:
        done = _PENDING.get(key)
        if done is not None and done.done():
            del _PENDING[key]
            # a failed build is remembered as an empty ranking (random order) until it is
            # due again, rather than retried - and its cost paid - on every request
            failed = done.exception() is not None
            _RANKINGS[key] = Ranked(time.monotonic(), ()) if failed else done.result()
        current = _RANKINGS.get(key)
        age = time.monotonic() - current.made_at if current else None
        fresh = age is not None and age < min(RANK_SECONDS, size * SECONDS_PER_RECORD)
        if fresh or key in _PENDING:
            return current or Ranked(0.0, ())
        if size >= inline_below:
            location = store.engine.url.render_as_string(hide_password=False)
            _PENDING[key] = _pool().submit(_ranked_elsewhere, location, store.slug)
            return current or Ranked(0.0, ())
    built = _ranked(store)
    with _LOCK:
        _RANKINGS[key] = built
    return built


def forget(store: ReviewStore) -> None:
    """Drop what is cached for a review (after a change that reorders it, e.g. a merge)."""
    key = cache_key(store)
    with _LOCK:
        _RANKINGS.pop(key, None)
        _IDS.pop(key, None)
        for mine in [k for k in _SHUFFLED if k[:2] == key]:
            del _SHUFFLED[mine]
        for cursor in [k for k in _CURSORS if k[:2] == key]:
            del _CURSORS[cursor]


def shuffled(
    store: ReviewStore, reviewer: str, ids: Callable[[], Sequence[int]]
) -> tuple[int, ...]:
    """The review's records in this reviewer's own random order (seeded by review and
    name, so every server process agrees), refreshed every ``IDS_SECONDS``."""
    key = cache_key(store)
    now = time.monotonic()
    cached = _IDS.get(key)
    if cached is None or now - cached[0] > IDS_SECONDS:
        cached = (now, tuple(ids()))
        _IDS[key] = cached
    mine = _SHUFFLED.get((*key, reviewer))
    if mine is None or mine[0] is not cached[1]:  # identity: no 100,000-id compare
        order = list(cached[1])
        random.Random(zlib.crc32(f"{store.review_id}:{reviewer}".encode())).shuffle(order)
        mine = (cached[1], tuple(order))
        _SHUFFLED[(*key, reviewer)] = mine
    return mine[1]


def canonical_query(review_id: int) -> Select[Any]:
    """Ids of a review's canonical records (singletons and each cluster's kept record)."""
    cluster = aliased(DuplicateClusterRow)
    return (
        select(RecordRow.id)
        .outerjoin(cluster, RecordRow.cluster_id == cluster.id)
        .where(
            RecordRow.review_id == review_id,
            RecordRow.cluster_id.is_(None) | (cluster.canonical_record_id == RecordRow.id),
        )
        .order_by(RecordRow.id)
    )


def walk(
    store: ReviewStore,
    reviewer: str,
    order: Order,
    ids: Sequence[int],
    needed: Callable[[Sequence[int]], set[int]],
    batch: int = 64,
) -> int | None:
    """The first id of ``ids`` (from this reviewer's cursor, wrapping round once) that
    ``needed`` says still needs them; the cursor moves there. A new list (a fresh ranking,
    new records) starts from its beginning."""
    key = (*cache_key(store), reviewer, order.value)
    fingerprint = (len(ids), ids[0] if ids else None, ids[-1] if ids else None)
    seen, position = _CURSORS.get(key, (fingerprint, 0))
    start = min(position, len(ids)) if seen == fingerprint else 0
    for lo, hi in ((start, len(ids)), (0, start)):
        for at in range(lo, hi, batch):
            chunk = ids[at : min(at + batch, hi)]
            found = needed(chunk)
            for offset, record_id in enumerate(chunk):
                if record_id in found:
                    _CURSORS[key] = (fingerprint, at + offset)
                    return record_id
    return None
