"""Read queries the web pages need beyond the screening services: the next record for a
reviewer, progress per stage and reviewer, recent activity, the records behind a PRISMA box.

Nothing here returns another reviewer's decision on a record: progress is counts, activity
is who did what kind of thing (never the decision), and record lists show final statuses,
which exist only once a record has all its required decisions.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from evidens.core import Decision, Stage
from evidens.errors import NotFoundError
from evidens.prisma.diagram import OtherMethods, PreviousReview, Template, build_diagram
from evidens.prisma.render import render_html
from evidens.screening.workflow import Status, StatusKind
from evidens.services.prisma import counts_in
from evidens.services.records import canonical_ids
from evidens.services.screening import eligible_ids, settings_of, stage_statuses
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import (
    AuditRow,
    DuplicateClusterRow,
    FullTextRow,
    RecordRow,
    ReviewRow,
    ScreeningDecisionRow,
)

PAGE_SIZE = 100
# The number of records to screen changes only on import or de-duplication; counting
# 100,000 canonical records on every decision would cost more than the decision itself,
# so the progress bar's total is kept for a few seconds per review.
TOTAL_SECONDS = 10.0
_TOTALS: dict[tuple[int, int], tuple[float, int]] = {}
_RANGES: dict[tuple[int, int], tuple[float, int, int]] = {}
# the PRISMA boxes a records list exists for
BOXES = (
    "records_identified",
    "records_removed_before_screening",
    "records_screened",
    "records_excluded",
    "reports_sought_for_retrieval",
    "reports_not_retrieved",
    "reports_assessed_for_eligibility",
    "reports_excluded",
    "studies_included_in_review",
)


@dataclass(frozen=True)
class StageProgress:
    stage: Stage
    eligible: int
    complete: int
    conflicts: int
    required: int
    by_reviewer: tuple[tuple[str, int], ...]  # decisions made, per reviewer


@dataclass(frozen=True)
class Activity:
    at: dt.datetime
    actor: str
    action: str
    entity: str
    summary: str  # e.g. "decided on a record" (never which decision)


SUMMARIES = {
    ("decide", "screening_decision"): "decided on a record",
    ("change", "screening_decision"): "changed a decision",
    ("undo", "screening_decision"): "withdrew a decision",
    ("resolve", "resolution"): "resolved a conflict",
    ("import", "import_batch"): "imported a search export",
    ("member", "member"): "set a member's role",
    ("create", "member"): "added a member",
    ("create", "review"): "created the review",
    ("deduplicate", "review"): "de-duplicated the records",
    ("invite", "invitation"): "created an invitation link",
    ("accept", "invitation"): "joined through an invitation",
}


@dataclass(frozen=True)
class RecordLine:
    record_id: int
    title: str
    year: int | None
    journal: str | None
    statuses: tuple[tuple[str, str], ...]  # (stage, status) where the record has one


@dataclass(frozen=True)
class ReviewText:
    """What a screener needs beside each record: the question and eligibility criteria."""

    title: str
    question: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    reasons: tuple[str, ...]


def review_text(store: ReviewStore) -> ReviewText:
    with transaction(store, "web") as uow:
        return _text_in(uow)


def _text_in(uow: UnitOfWork) -> ReviewText:
    review = uow.session.get(ReviewRow, uow.review_id)
    protocol: dict[str, Any] = dict(review.protocol if review else {})
    return ReviewText(
        title=review.title if review else "",
        question=str(protocol.get("question", "")),
        include=tuple(str(c) for c in protocol.get("inclusion_criteria", ())),
        exclude=tuple(str(c) for c in protocol.get("exclusion_criteria", ())),
        reasons=settings_of(uow).exclusion_reasons,
    )


@dataclass(frozen=True)
class QueueView:
    """What the screening page needs beside the record card, read in one transaction."""

    record_id: int | None
    decided: int
    total: int
    criteria: ReviewText


def queue_view(
    store: ReviewStore, reviewer: str, stage: Stage, record_id: int | None = None
) -> QueueView:
    """The record to show (``record_id`` if given and in this review, else the next one),
    the reviewer's progress and the criteria: one round of queries per decision."""
    with transaction(store, reviewer) as uow:
        if record_id is not None and not _in_review(uow, record_id):
            raise NotFoundError(f"no record {record_id} in this review")
        chosen = record_id if record_id is not None else _next_in(uow, store, reviewer, stage)
        decided, total = _counts_in(uow, store, reviewer, stage)
        return QueueView(chosen, decided, total, _text_in(uow))


def next_record(store: ReviewStore, reviewer: str, stage: Stage) -> int | None:
    """The next record at ``stage`` this reviewer has not decided and that still needs a
    decision (records with all their required decisions are not handed to a third person).

    Each reviewer sweeps the records in id order from their own starting point (a hash of
    the name), wrapping round at the end: were everyone to start at the first record, a
    team of 20 would all be shown the same records until two of them decided, and most of
    their reading would be wasted. Title/abstract is a query walking records in id order
    with two index look-ups each, stopping at the first match, so deciding and getting the
    next record stays fast on a 100,000-record review; full text works on the (small) set
    of records that passed title/abstract."""
    with transaction(store, reviewer) as uow:
        return _next_in(uow, store, reviewer, stage)


def _next_in(uow: UnitOfWork, store: ReviewStore, reviewer: str, stage: Stage) -> int | None:
    required = settings_of(uow).required[stage]
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
    if stage is Stage.TITLE_ABSTRACT:
        cluster = aliased(DuplicateClusterRow)
        query = (
            select(RecordRow.id)
            .outerjoin(cluster, RecordRow.cluster_id == cluster.id)
            .where(
                RecordRow.review_id == store.review_id,
                _canonical(cluster),
                ~mine,
                made < required,
            )
            .order_by(RecordRow.id)
            .limit(1)
        )
        start = _start(uow.session, store, reviewer)
        found = uow.session.scalar(query.where(RecordRow.id >= start))
        return found if found is not None else uow.session.scalar(query)
    candidates = eligible_ids(uow, stage)
    taken = uow.session.execute(
        select(ScreeningDecisionRow.record_id, ScreeningDecisionRow.reviewer).where(
            ScreeningDecisionRow.review_id == store.review_id,
            ScreeningDecisionRow.stage == stage.value,
        )
    ).all()
    counts: dict[int, int] = {}
    for record_id, _ in taken:
        counts[record_id] = counts.get(record_id, 0) + 1
    mine_or_full = {r for r, who in taken if who == reviewer}
    mine_or_full |= {r for r, n in counts.items() if n >= required}
    return next((r for r in candidates if r not in mine_or_full), None)


def _start(session: Session, store: ReviewStore, reviewer: str) -> int:
    """Where this reviewer's sweep begins: a fixed point in the review's id range."""
    key = (id(store.engine), store.review_id)
    cached = _RANGES.get(key)
    if cached is None or cached[0] <= time.monotonic():
        low, high = session.execute(
            select(func.min(RecordRow.id), func.max(RecordRow.id)).where(
                RecordRow.review_id == store.review_id
            )
        ).one()
        cached = (time.monotonic() + TOTAL_SECONDS, int(low or 0), int(high or 0))
        _RANGES[key] = cached
    _, low, high = cached
    share = zlib.crc32(reviewer.encode()) / 2**32
    return low + int(share * (high - low + 1))


def my_counts(store: ReviewStore, reviewer: str, stage: Stage) -> tuple[int, int]:
    """(decisions this reviewer made, records at the stage) for the progress bar; counted
    in the database so a 100,000-record review does not load its ids on every page."""
    with transaction(store, reviewer) as uow:
        return _counts_in(uow, store, reviewer, stage)


def _counts_in(uow: UnitOfWork, store: ReviewStore, reviewer: str, stage: Stage) -> tuple[int, int]:
    done = uow.session.scalar(
        select(func.count()).where(
            ScreeningDecisionRow.review_id == store.review_id,
            ScreeningDecisionRow.stage == stage.value,
            ScreeningDecisionRow.reviewer == reviewer,
        )
    )
    cached = _TOTALS.get((id(store.engine), store.review_id))
    if stage is Stage.TITLE_ABSTRACT and cached and cached[0] > time.monotonic():
        total: int | None = cached[1]
    elif stage is Stage.TITLE_ABSTRACT:
        cluster = aliased(DuplicateClusterRow)
        total = uow.session.scalar(
            select(func.count())
            .select_from(RecordRow)
            .outerjoin(cluster, RecordRow.cluster_id == cluster.id)
            .where(RecordRow.review_id == store.review_id, _canonical(cluster))
        )
        expires = time.monotonic() + TOTAL_SECONDS
        _TOTALS[(id(store.engine), store.review_id)] = (expires, int(total or 0))
    else:
        total = len(eligible_ids(uow, stage))
    return int(done or 0), int(total or 0)


def _canonical(cluster: Any) -> Any:
    """Singletons and each duplicate cluster's kept record (as services.records has it)."""
    return RecordRow.cluster_id.is_(None) | (cluster.canonical_record_id == RecordRow.id)


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


def progress(store: ReviewStore) -> list[StageProgress]:
    out = []
    with transaction(store, "web") as uow:
        settings = settings_of(uow)
        for stage in Stage:
            statuses = stage_statuses(uow, stage)
            eligible = len(eligible_ids(uow, stage))
            per = uow.session.execute(
                select(ScreeningDecisionRow.reviewer, func.count())
                .where(
                    ScreeningDecisionRow.review_id == store.review_id,
                    ScreeningDecisionRow.stage == stage.value,
                )
                .group_by(ScreeningDecisionRow.reviewer)
                .order_by(ScreeningDecisionRow.reviewer)
            ).all()
            out.append(
                StageProgress(
                    stage=stage,
                    eligible=eligible,
                    complete=sum(1 for s in statuses.values() if s.final is not None),
                    conflicts=sum(1 for s in statuses.values() if s.kind is StatusKind.CONFLICT),
                    required=settings.required[stage],
                    by_reviewer=tuple((str(name), int(n)) for name, n in per),
                )
            )
    return out


def recent_activity(store: ReviewStore, limit: int = 15) -> list[Activity]:
    """The latest audit entries: who did what kind of step, never the decision itself."""
    with transaction(store, "web") as uow:
        rows = uow.session.execute(
            select(AuditRow.at, AuditRow.actor, AuditRow.action, AuditRow.entity)
            .where(AuditRow.review_id == store.review_id)
            .order_by(AuditRow.id.desc())
            .limit(limit)
        ).all()
    return [
        Activity(at, actor, action, entity, SUMMARIES.get((action, entity), f"{action} {entity}"))
        for at, actor, action, entity in rows
    ]


def prisma_html(store: ReviewStore, link: Callable[[str], str]) -> str:
    """The PRISMA 2020 diagram so far as an HTML fragment whose boxes link to records."""
    with transaction(store, "web") as uow:
        counts = counts_in(uow)
        review = uow.session.get(ReviewRow, store.review_id)
        options = dict((review.settings if review else {}).get("prisma", {}))
    prev = options.get("previous")
    previous = PreviousReview(int(prev["studies"]), int(prev["reports"])) if prev else None
    other_opts = dict(options.get("other_methods", {}))
    other = OtherMethods(
        int(other_opts.get("sought", 0)),
        int(other_opts.get("not_retrieved", 0)),
        int(other_opts.get("assessed", 0)),
        tuple((str(k), int(v)) for k, v in dict(other_opts.get("excluded", {})).items()),
    )
    template = Template(options.get("template", Template.NEW.value))
    diagram = build_diagram(counts, template, previous=previous, other=other)
    return render_html(diagram, link)


def _box_ids(store: ReviewStore, box: str) -> list[int]:
    with transaction(store, "web") as uow:
        session, review_id = uow.session, store.review_id
        canonical = canonical_ids(session, review_id)
        ta = stage_statuses(uow, Stage.TITLE_ABSTRACT)
        ft = stage_statuses(uow, Stage.FULL_TEXT)
        if box == "records_identified":
            return list(
                session.scalars(
                    select(RecordRow.id)
                    .where(RecordRow.review_id == review_id)
                    .order_by(RecordRow.id)
                )
            )
        if box == "records_removed_before_screening":
            kept = set(canonical)
            every = session.scalars(
                select(RecordRow.id).where(RecordRow.review_id == review_id).order_by(RecordRow.id)
            )
            return [r for r in every if r not in kept]
        missing = set(
            session.scalars(
                select(FullTextRow.record_id).where(
                    FullTextRow.review_id == review_id, FullTextRow.retrieved.is_(False)
                )
            )
        )
        passed = [r for r in canonical if _final(ta, r) in (Decision.INCLUDE, Decision.MAYBE)]
        chosen: dict[str, list[int]] = {
            "records_screened": [r for r in canonical if r in ta],
            "records_excluded": [r for r in canonical if _final(ta, r) is Decision.EXCLUDE],
            "reports_sought_for_retrieval": passed,
            "reports_not_retrieved": [r for r in passed if r in missing],
            "reports_assessed_for_eligibility": [r for r in passed if r in ft],
            "reports_excluded": [r for r in canonical if _final(ft, r) is Decision.EXCLUDE],
            "studies_included_in_review": [
                r for r in canonical if _final(ft, r) is Decision.INCLUDE
            ],
        }
        return chosen.get(box, [])


def _final(statuses: dict[int, Status], record_id: int) -> Decision | None:
    status = statuses.get(record_id)
    return None if status is None else status.final


def records_in_box(store: ReviewStore, box: str, page: int = 1) -> tuple[list[RecordLine], int]:
    """One page of the records behind a PRISMA box, and how many there are in all."""
    ids = _box_ids(store, box)
    chosen = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    with transaction(store, "web") as uow:
        rows = {
            r.id: r for r in uow.session.scalars(select(RecordRow).where(RecordRow.id.in_(chosen)))
        }
        statuses = {stage: stage_statuses(uow, stage) for stage in Stage}
    lines = []
    for rid in chosen:
        row = rows[rid]
        found = tuple(
            (stage.value, statuses[stage][rid].kind.value)
            for stage in Stage
            if rid in statuses[stage]
        )
        lines.append(RecordLine(rid, row.title or "(no title)", row.year, row.journal, found))
    return lines, len(ids)


def record_in_review(store: ReviewStore, record_id: int) -> bool:
    """Whether ``record_id`` is one of this review's records (ids are store-wide)."""
    with transaction(store, "web") as uow:
        return _in_review(uow, record_id)


def _in_review(uow: UnitOfWork, record_id: int) -> bool:
    found = uow.session.scalar(
        select(RecordRow.id).where(RecordRow.id == record_id, RecordRow.review_id == uow.review_id)
    )
    return found is not None
