"""A living review's rounds: each update is a round with its own searches and imports, the
records new to it screened (and only those), and the studies it adds.

Every earlier record stays in the one store, so a new import is de-duplicated against all
of them and earlier merges and keep-aparts still hold; a duplicate of an earlier record
keeps the earlier one as its canonical copy, with its decisions. The PRISMA 2020 flow of
round N (the *updated review* template) counts what is new in round N, beside the studies
and reports included by the rounds before it (:func:`previous_review`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from evidens.errors import ValidationError
from evidens.prisma.diagram import PreviousReview
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import ImportBatchRow, RecordRow, StudyReportRow, StudyRow
from evidens.store.round_models import ReviewRoundRow


@dataclass(frozen=True)
class Round:
    number: int
    label: str
    searched_from: dt.date | None
    started_by: str
    started_at: dt.datetime | None


def current_round(uow: UnitOfWork) -> int:
    """The round new searches, imports and studies belong to (1 until an update starts)."""
    found = uow.session.scalar(
        select(func.max(ReviewRoundRow.number)).where(ReviewRoundRow.review_id == uow.review_id)
    )
    return int(found or 1)


def start_round(
    store: ReviewStore, label: str, *, actor: str, searched_from: dt.date | None = None
) -> int:
    """Start the next round of a living review; returns its number. ``searched_from`` is
    the cut-off the new searches start from (usually the last round's search date)."""
    if not label.strip():
        raise ValidationError(
            "name the update", field="label", hint="e.g. 'Update 2026: searches to 2026-11'"
        )
    with transaction(store, actor) as uow:
        number = current_round(uow) + 1
        uow.session.add(
            ReviewRoundRow(
                review_id=uow.review_id,
                number=number,
                label=label.strip()[:500],
                searched_from=searched_from,
                started_by=actor,
            )
        )
        after = {"label": label, "searched_from": str(searched_from) if searched_from else None}
        uow.audit("start_round", "review", number, after=after)
        return number


def rounds(store: ReviewStore) -> list[Round]:
    """Every round, the first (implicit until an update starts) included."""
    with transaction(store, "evidens") as uow:
        rows = list(
            uow.session.scalars(
                select(ReviewRoundRow)
                .where(ReviewRoundRow.review_id == uow.review_id)
                .order_by(ReviewRoundRow.number)
            )
        )
    first = Round(1, "first version", None, "", None)
    return [first] + [
        Round(r.number, r.label, r.searched_from, r.started_by, r.started_at) for r in rows
    ]


def previous_review(uow: UnitOfWork, number: int) -> PreviousReview | None:
    """The studies included by the rounds before ``number``, and their reports (``None``
    for the first round)."""
    if number <= 1:
        return None
    earlier = select(StudyRow.id).where(
        StudyRow.review_id == uow.review_id, StudyRow.round < number
    )
    studies = uow.session.scalar(select(func.count()).select_from(earlier.subquery()))
    # a report found in this round (a later report of an earlier study) is new here
    new_here = (
        select(RecordRow.id)
        .join(ImportBatchRow, RecordRow.batch_id == ImportBatchRow.id)
        .where(RecordRow.review_id == uow.review_id, ImportBatchRow.round >= number)
    )
    reports = uow.session.scalar(
        select(func.count()).where(
            StudyReportRow.study_id.in_(earlier),
            StudyReportRow.record_id.is_(None) | StudyReportRow.record_id.not_in(new_here),
        )
    )
    return PreviousReview(int(studies or 0), int(reports or 0))
