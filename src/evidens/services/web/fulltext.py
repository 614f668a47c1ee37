"""The order of the full-text queue: the records that passed title/abstract, strongest
first, or in each reviewer's own random order.

The AI ranking cannot order this stage: it ranks records without a final title/abstract
decision, and every full-text record has one. What the team already said is the evidence
there is, so the default order is title/abstract strength: the share of reviewers who
included the record (a maybe counts half), then the number who included it, then the
record's id - so reports the team was sure about are retrieved and read first, and the
doubtful ones (maybes, conflicts resolved to include) after them. Asked for, the order is
random instead, seeded by reviewer and record so that records passing title/abstract later
slot in without reshuffling the rest.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, case, func, select

from evidens.core import Decision, Stage
from evidens.services.review.records import among
from evidens.services.store import UnitOfWork
from evidens.services.web.order import Order, Placement
from evidens.store.models import RecordRow, ScreeningDecisionRow

STRENGTH = "strength"  # the placement of a record in the default full-text order


def _votes(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """(include, maybe, all) title/abstract decisions per record, counted in the database."""
    decision = ScreeningDecisionRow.decision
    rows = uow.session.execute(
        select(
            ScreeningDecisionRow.record_id,
            func.sum(case((decision == Decision.INCLUDE.value, 1), else_=0)),
            func.sum(case((decision == Decision.MAYBE.value, 1), else_=0)),
            func.count(),
        )
        .where(
            ScreeningDecisionRow.review_id == uow.review_id,
            ScreeningDecisionRow.stage == Stage.TITLE_ABSTRACT.value,
            among(uow.session, ScreeningDecisionRow.record_id, ids),
        )
        .group_by(ScreeningDecisionRow.record_id)
    ).all()
    return {int(r): (int(i or 0), int(m or 0), int(n)) for r, i, m, n in rows}


def strength(include: int, maybe: int, votes: int) -> float:
    """The share of title/abstract reviewers for the record (a maybe counts half)."""
    return (include + 0.5 * maybe) / votes if votes else 0.0


def strongest_first(uow: UnitOfWork, ids: Sequence[int]) -> list[tuple[int, Placement]]:
    """``ids`` in the default full-text order, each with why it is placed there."""
    votes = _votes(uow, ids)
    placed = []
    for record_id in ids:
        include, maybe, n = votes.get(record_id, (0, 0, 0))
        share = strength(include, maybe, n)
        why: tuple[str, ...] = (f"{include} of {n} included it at title/abstract",)
        if maybe:
            why += (f"{maybe} said maybe",)
        placed.append(((-share, -include, record_id), record_id, share, why))
    placed.sort()
    return [(rid, Placement(STRENGTH, round(share, 4), why)) for _, rid, share, why in placed]


def random_key(reviewer: str, record_id: int) -> int:
    """A record's place in this reviewer's random full-text order (the same in every
    server process, and unchanged when more records reach full text)."""
    return zlib.crc32(f"{reviewer}:{record_id}".encode())


def full_text_next(
    uow: UnitOfWork,
    reviewer: str,
    order: Order | None,
    needed_query: Select[Any],
    eligible: Sequence[int],
) -> tuple[int | None, Placement]:
    """The reviewer's next full-text record among ``eligible``: the first still needing
    them (``needed_query``) in the order asked for (by default, strongest first)."""
    if not eligible:
        return None, Placement(STRENGTH)
    query = needed_query.where(among(uow.session, RecordRow.id, eligible))
    needed = set(uow.session.scalars(query))
    if not needed:
        return None, Placement(STRENGTH)
    if order is Order.RANDOM:
        found = min(needed, key=lambda r: (random_key(reviewer, r), r))
        return found, Placement(Order.RANDOM.value)
    return strongest_first(uow, sorted(needed))[0]
