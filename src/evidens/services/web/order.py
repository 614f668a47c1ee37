"""The order in which the web queue hands a reviewer records at title/abstract: by AI rank
(most likely relevant first, with the terms why) or at random, seeded per reviewer.

Rank is the default once the review has one included and one excluded record with a final
decision; it trains on final decisions only (the rule of
:func:`evidens.services.screening.prioritise.rank`), so
one reviewer's open decision never shapes another's queue. Training on a large review takes
seconds, so no request waits for it: small reviews rank inline, large ones in a separate,
low-priority process whose result replaces the ranking when ready; until then, and when the
ranked head is used up, the queue is random.

Both orders are lists of candidate ids walked from a cursor; which of the next few are still
needed is one indexed query (:func:`first_needed`), so a long list costs no more per request
than a short one.
"""

from __future__ import annotations

import random
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select

from evidens.core import Stage
from evidens.services.screening.state import settings_of
from evidens.services.store import ReviewStore, transaction
from evidens.services.web.rank import Ranked, ranked, ranked_elsewhere
from evidens.store.models import ResolutionRow, ScreeningDecisionRow

INLINE_BELOW = 1_000  # records: ranking this many takes a fraction of a second here
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
class Placement:
    """Why this record is the one shown: the order it came from ("pilot" for the pilot
    sample, "rank", "random", "strength" at full text, or "asked" for a record asked for by id)
    and, when ranked, its score and top terms (from the model trained on final decisions)."""

    order: str
    score: float | None = None
    why: tuple[str, ...] = ()


_RANKINGS: dict[tuple[str, int], Ranked] = {}
_PENDING: dict[tuple[str, int], Future[Ranked]] = {}
_IDS: dict[tuple[str, int], tuple[float, tuple[int, ...]]] = {}
_SHUFFLED: dict[tuple[str, int, str], tuple[tuple[int, ...], ...]] = {}
_CURSORS: dict[tuple[str, int, str, str], tuple[tuple[int, int | None, int | None], int]] = {}
_LOCK = threading.Lock()
_POOLS: dict[str, ThreadPoolExecutor] = {}  # made on need


def cache_key(store: ReviewStore) -> tuple[str, int]:
    return (store.engine.url.render_as_string(hide_password=True), store.review_id)


def _pool() -> ThreadPoolExecutor:
    """One thread per server process that waits for the ranking child process."""
    if "rank" not in _POOLS:
        _POOLS["rank"] = ThreadPoolExecutor(1, thread_name_prefix="evidens-rank")
    return _POOLS["rank"]


def _trainable(store: ReviewStore) -> bool:
    """Whether any record may have a final decision at title/abstract: a resolution, or a
    record with the decisions required. Without one there is nothing to train on, and no
    process loads the review's records to find that out."""
    with transaction(store, "evidens") as uow:
        required = settings_of(uow).required[Stage.TITLE_ABSTRACT]
        stage = Stage.TITLE_ABSTRACT.value
        resolved = select(ResolutionRow.id).where(
            ResolutionRow.review_id == store.review_id, ResolutionRow.stage == stage
        )
        complete = (
            select(ScreeningDecisionRow.record_id)
            .where(
                ScreeningDecisionRow.review_id == store.review_id,
                ScreeningDecisionRow.stage == stage,
            )
            .group_by(ScreeningDecisionRow.record_id)
            .having(func.count() >= required)
        )
        found = uow.session.scalar(resolved.limit(1))
        return found is not None or uow.session.scalar(complete.limit(1)) is not None


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
            if not _trainable(store):
                _RANKINGS[key] = Ranked(time.monotonic(), ())
                return _RANKINGS[key]
            location = store.engine.url.render_as_string(hide_password=False)
            _PENDING[key] = _pool().submit(ranked_elsewhere, location, store.slug)
            return current or Ranked(0.0, ())
    built = ranked(store)
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
        fresh = tuple(ids())
        # the same ids keep the same tuple, so no reviewer's order is shuffled again
        cached = (now, cached[1] if cached is not None and cached[1] == fresh else fresh)
        _IDS[key] = cached
    mine = _SHUFFLED.get((*key, reviewer))
    if mine is None or mine[0] is not cached[1]:  # identity: no 100,000-id compare
        order = list(cached[1])
        random.Random(zlib.crc32(f"{store.review_id}:{reviewer}".encode())).shuffle(order)
        mine = (cached[1], tuple(order))
        _SHUFFLED[(*key, reviewer)] = mine
    return mine[1]


def walk(
    store: ReviewStore,
    reviewer: str,
    order: Order,
    ids: Sequence[int],
    needed: Callable[[Sequence[int]], set[int]],
    batch: int = 64,
    first: int = 4,
) -> int | None:
    """The first id of ``ids`` (from this reviewer's cursor, wrapping round once) that
    ``needed`` says still needs them; the cursor moves there. A new list (a fresh ranking,
    new records) starts from its beginning.

    The record at the cursor is nearly always still needed (each reviewer walks their own
    order), so the first look is at ``first`` ids only, and each further look four times
    as many, up to ``batch``: the usual request checks a handful of records, not 64."""
    key = (*cache_key(store), reviewer, order.value)
    fingerprint = (len(ids), ids[0] if ids else None, ids[-1] if ids else None)
    seen, position = _CURSORS.get(key, (fingerprint, 0))
    start = min(position, len(ids)) if seen == fingerprint else 0
    size = max(1, min(first, batch))
    for lo, hi in ((start, len(ids)), (0, start)):
        at = lo
        while at < hi:
            chunk = ids[at : min(at + size, hi)]
            found = needed(chunk)
            for offset, record_id in enumerate(chunk):
                if record_id in found:
                    _CURSORS[key] = (fingerprint, at + offset)
                    return record_id
            at += len(chunk)
            size = min(size * 4, batch)
    return None
