"""The screening queue the web pages walk: the record a reviewer sees next, their progress,
and "decide and get next" as one transaction.

Deciding and being handed the next record is what a screener does hundreds of times an
hour, so it is one transaction (one connection, one commit) of a few index look-ups: the
decision is committed before the answer is sent (an acknowledged decision is never lost),
and the record card is built from the same session. Blinding is the rule of
:func:`evidens.screening.workflow.visible_decisions`: a card carries another reviewer's
decision only once the record has all its required decisions.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from evidens.core import ScreeningDecision, Stage
from evidens.errors import NotFoundError
from evidens.screening.highlight import HighlightList, compile_terms, highlight_record
from evidens.services.review.settings import review_settings
from evidens.services.screening.decisions import decide, eligible_ids
from evidens.services.screening.pilot import next_pilot_record, pilot_in
from evidens.services.screening.session import RecordCard
from evidens.services.screening.state import record_state, settings_of
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.services.web.fulltext import full_text_next
from evidens.services.web.handout import hold, unheld
from evidens.services.web.order import (
    Order,
    Placement,
    cache_key,
    ranking,
    shuffled,
    walk,
)
from evidens.services.web.order import forget as forget_order
from evidens.services.web.rank import canonical_query
from evidens.services.web.views import ReviewText, text_in
from evidens.store.models import (
    RecordRow,
    ResolutionRow,
    ReviewRow,
    ScreeningDecisionRow,
    utcnow,
)

# The number of records to screen changes only on import or de-duplication; counting
# 100,000 canonical records on every decision would cost more than the decision itself,
# so the progress bar's total is kept for a minute per review (an import or merge made
# through this process drops it at once, see :func:`forget`).
TOTAL_SECONDS = 60.0
_TOTALS: dict[tuple[str, int], tuple[float, int]] = {}


@dataclass(frozen=True)
class ScreenView:
    """What the screening page shows: the record card (``None`` when nothing is left for
    this reviewer), their progress and the review's criteria."""

    record: RecordCard | None
    decided: int
    total: int
    criteria: ReviewText
    placement: Placement


def screen_view(
    store: ReviewStore,
    reviewer: str,
    stage: Stage,
    record_id: int | None = None,
    *,
    decision: ScreeningDecision | None = None,
    order: Order | None = None,
) -> ScreenView:
    """Record ``decision`` (if given), then the card to show: ``record_id`` if given and in
    this review, else the reviewer's next record in ``order`` (by default AI rank once there
    is one, else random). One transaction, committed before this returns, so the caller
    acknowledges only a stored decision."""
    with transaction(store, reviewer) as uow:
        # held for the whole transaction: the session's identity map is weak, and every
        # settings look-up below would otherwise read the review row again
        review = uow.session.get(ReviewRow, uow.review_id)
        if decision is not None:
            decide(uow, decision)
        chosen: int | None
        # the records at full text, worked out once (from every title/abstract decision)
        eligible = eligible_ids(uow, stage) if stage is Stage.FULL_TEXT else None
        if record_id is not None:
            chosen, placement = record_id, Placement("asked")
        elif eligible is not None:
            query = _needed_query(uow, reviewer, stage)
            chosen, placement = full_text_next(uow, reviewer, order, query, eligible)
        else:
            chosen, placement = _next_in(uow, store, reviewer, stage, order)
        card, decided = _card_in(uow, chosen, reviewer, stage, asked=record_id is not None)
        if record_id is not None and card is None:
            raise NotFoundError(f"no record {record_id} in this review")
        total = _total(uow, store) if eligible is None else len(eligible)
        criteria = text_in(uow)
        del review
        return ScreenView(card, decided, total, criteria, placement)


@functools.lru_cache(maxsize=64)
def _highlights(include: tuple[str, ...], exclude: tuple[str, ...]) -> HighlightList:
    """Compiled once per term list, not once per card."""
    return compile_terms(include, exclude)


def _mine(review_id: int, reviewer: str, stage: Stage) -> Any:
    """How many decisions ``reviewer`` made at ``stage`` (an index-only count)."""
    return (
        select(func.count())
        .where(
            ScreeningDecisionRow.review_id == review_id,
            ScreeningDecisionRow.stage == stage.value,
            ScreeningDecisionRow.reviewer == reviewer,
        )
        .scalar_subquery()
    )


def _card_in(
    uow: UnitOfWork, record_id: int | None, viewer: str, stage: Stage, *, asked: bool
) -> tuple[RecordCard | None, int]:
    """The card for ``record_id`` (``None`` when there is none, or it is not this review's)
    and the viewer's count of decisions, read in one statement.

    Only a record asked for by id can carry decisions the viewer may see: one the queue
    chose has, by the queue's rule, none of theirs and too few to be complete, so blinding
    shows nothing and its decisions are not read."""
    mine = _mine(uow.review_id, viewer, stage)
    if record_id is None:
        return None, int(uow.session.scalar(select(mine)) or 0)
    row = uow.session.execute(
        select(
            RecordRow.title,
            RecordRow.abstract,
            RecordRow.authors,
            RecordRow.journal,
            RecordRow.year,
            RecordRow.doi,
            mine,
        ).where(RecordRow.id == record_id, RecordRow.review_id == uow.review_id)
    ).first()
    if row is None:
        return None, 0
    title_, abstract_, authors, journal, year, doi, decided = row
    title, abstract = title_ or "(no title)", abstract_ or "(no abstract)"
    first_author = authors[0] if authors else None
    citation = ", ".join(str(x) for x in (first_author, journal, year, doi) if x)
    state = record_state(uow, record_id, stage) if asked else None
    card = RecordCard(
        record_id=record_id,
        title=title,
        abstract=abstract,
        citation=citation,
        spans=highlight_record(title, abstract, _terms(uow)),
        visible=state.visible_to(viewer) if state else (),
        locked=state.complete if state else False,
    )
    return card, int(decided or 0)


def _terms(uow: UnitOfWork) -> HighlightList:
    terms = review_settings(uow).highlight
    include = tuple(str(t) for t in terms.get("include", ()))
    exclude = tuple(str(t) for t in terms.get("exclude", ()))
    return _highlights(include, exclude)


def _needed_query(uow: UnitOfWork, reviewer: str, stage: Stage) -> Select[Any]:
    """Canonical records at ``stage`` still needing ``reviewer``: not decided by them, not
    resolved (e.g. by an accepted stop), and short of the decisions required - so a record
    with all its decisions is not handed to a third person. Two index look-ups a record."""
    return _needed(uow.review_id, reviewer, stage, settings_of(uow).required[stage])


@functools.lru_cache(maxsize=1024)
def _needed(review_id: int, reviewer: str, stage: Stage, required: int) -> Select[Any]:
    """Built once per reviewer and stage: building the statement costs more Python time
    than the database spends running it."""
    decisions = aliased(ScreeningDecisionRow)
    mine = (
        select(decisions.id)
        .where(
            decisions.record_id == RecordRow.id,
            decisions.stage == stage.value,
            decisions.reviewer == reviewer,
        )
        .exists()
    )
    made = (
        select(func.count(decisions.id))
        .where(decisions.record_id == RecordRow.id, decisions.stage == stage.value)
        .scalar_subquery()
    )
    resolved = (
        select(ResolutionRow.id)
        .where(ResolutionRow.record_id == RecordRow.id, ResolutionRow.stage == stage.value)
        .exists()
    )
    return canonical_query(review_id).where(~mine, ~resolved, made < required)


def _next_in(
    uow: UnitOfWork, store: ReviewStore, reviewer: str, stage: Stage, order: Order | None
) -> tuple[int | None, Placement]:
    """The reviewer's next record at title/abstract: the pilot round's first (if they are
    on its team), then by AI rank when asked for, or by default once a ranking exists;
    otherwise (and once the ranked head is used up) in their own random order. Pilot
    records are handed out by the pilot rule only (every member of its team, no one else)."""
    pilot = pilot_in(uow)
    found = None if pilot is None else next_pilot_record(uow, pilot, reviewer)
    if found is not None:
        return found, Placement("pilot")
    skip = frozenset(pilot.records) if pilot else frozenset()
    query = _needed_query(uow, reviewer, stage)
    free, held_after = unheld(query, reviewer, stage), {"held_after": utcnow()}
    found, placement = _walk_orders(uow, store, reviewer, order, free, held_after, skip)
    if found is None:  # every needed record is held by a teammate: hand one out anyway
        found, placement = _walk_orders(uow, store, reviewer, order, query, {}, skip)
    if found is not None:
        hold(uow, reviewer, stage, found)
    return found, placement


def _walk_orders(
    uow: UnitOfWork,
    store: ReviewStore,
    reviewer: str,
    order: Order | None,
    query: Select[Any],
    params: dict[str, Any],
    skip: frozenset[int],
) -> tuple[int | None, Placement]:
    """The first record ``query`` says is needed, by AI rank (when asked for, or by default
    once a ranking exists), then in the reviewer's own random order."""

    def needed(chunk: Sequence[int]) -> set[int]:
        chosen = query.where(RecordRow.id.in_(list(chunk)))
        return set(uow.session.scalars(chosen, params)) - skip

    if order is not Order.RANDOM:
        ranked = ranking(store, _total(uow, store))
        found = walk(store, reviewer, Order.RANK, ranked.ids, needed) if ranked.ids else None
        if found is not None:
            score, why = ranked.why[found]
            return found, Placement(Order.RANK.value, round(score, 4), why)
    ids = shuffled(
        store, reviewer, lambda: list(uow.session.scalars(canonical_query(store.review_id)))
    )
    return walk(store, reviewer, Order.RANDOM, ids, needed), Placement(Order.RANDOM.value)


def _total(uow: UnitOfWork, store: ReviewStore) -> int:
    """Records to screen at title/abstract, counted at most every ``TOTAL_SECONDS``."""
    key = cache_key(store)
    cached = _TOTALS.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    counted = canonical_query(store.review_id).order_by(None).subquery()
    total = int(uow.session.scalar(select(func.count()).select_from(counted)) or 0)
    _TOTALS[key] = (time.monotonic() + TOTAL_SECONDS, total)
    return total


def forget(store: ReviewStore) -> None:
    """Drop the cached totals and orders of a review whose records changed (an import, a
    merge), so the next page counts and orders them afresh."""
    _TOTALS.pop(cache_key(store), None)
    forget_order(store)


def latest_decision(store: ReviewStore, reviewer: str, stage: Stage) -> int | None:
    """The record of this reviewer's most recent decision at ``stage`` (what undo withdraws)."""
    with transaction(store, reviewer) as uow:
        return uow.session.scalar(
            select(ScreeningDecisionRow.record_id)
            .where(
                ScreeningDecisionRow.review_id == store.review_id,
                ScreeningDecisionRow.stage == stage.value,
                ScreeningDecisionRow.reviewer == reviewer,
            )
            .order_by(ScreeningDecisionRow.decided_at.desc(), ScreeningDecisionRow.id.desc())
            .limit(1)
        )
