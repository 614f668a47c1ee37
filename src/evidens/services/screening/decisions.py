"""Screening over the store: recording decisions, blinded queues, conflicts, resolutions.

The rules (blinding, what is a conflict) live in :mod:`evidens.screening.workflow`; this
module applies them to stored decisions. One row per (record, stage, reviewer) means that
two reviewers deciding at the same time never touch the same row, and a reviewer who
changes their mind updates their own row with the old value kept in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import NotFoundError, ReviewStateError, ValidationError
from evidens.screening.workflow import Status, StatusKind
from evidens.services.review.records import canonical_ids, canonical_of
from evidens.services.screening import pilot
from evidens.services.screening.state import (
    check_change,
    record_state,
    settings_of,
    to_decision,
)
from evidens.services.screening.status_reads import stored_statuses
from evidens.services.screening.statuses import stage_decisions
from evidens.services.store import ReviewStore, UnitOfWork, read_once, transaction
from evidens.store.models import (
    FullTextRow,
    RecordRow,
    ResolutionRow,
    ScreeningDecisionRow,
    utcnow,
)


def complete_decisions(
    uow: UnitOfWork, stage: Stage, records: Collection[int] | None = None
) -> list[ScreeningDecision]:
    """Decisions on records that have all their required decisions (of ``records``, when
    given). Agreement is computed on these only: counting an open record would show who
    decided what before the record is complete (with three reviewers required, two who
    agree would show the third)."""
    required = settings_of(uow).required[stage]
    decisions = stage_decisions(uow, stage)
    if records is not None:
        wanted = set(records)
        decisions = [d for d in decisions if d.record_id in wanted]
    people: dict[int, set[str]] = {}
    for d in decisions:
        people.setdefault(d.record_id, set()).add(d.reviewer)
    still_open = pilot.open_records(uow) if stage is pilot.STAGE else set()
    return [
        d
        for d in decisions
        if len(people[d.record_id]) >= required and d.record_id not in still_open
    ]


def stage_statuses(
    uow: UnitOfWork, stage: Stage, records: Collection[int] | None = None
) -> dict[int, Status]:
    """Status of every record (of ``records``, when given) that has a decision or
    resolution at ``stage`` (stored as decisions change,
    :mod:`evidens.services.screening.statuses`), an open pilot record pending. The
    caller may change the dict it is given."""
    if records is not None:
        return _with_pilot(uow, stage, stored_statuses(uow, stage, records=records))
    key = ("statuses", uow.review_id, stage)
    return dict(read_once(uow.session, key, lambda: _with_pilot(uow, stage, None)))


def _with_pilot(
    uow: UnitOfWork, stage: Stage, statuses: dict[int, Status] | None
) -> dict[int, Status]:
    if statuses is None:
        statuses = stored_statuses(uow, stage)
    still_open = pilot.open_records(uow) if stage is pilot.STAGE else set()
    for record_id in still_open & statuses.keys():
        # a resolution is final, in a pilot too (as :func:`record_state` has it): e.g. an
        # accepted stopping rule's exclusion of a pilot record nobody had decided
        if statuses[record_id].kind is not StatusKind.RESOLVED:
            statuses[record_id] = _pending(statuses[record_id])
    return statuses


def _pending(status: Status) -> Status:
    """An open pilot record: not complete until its whole pilot team has decided it, whatever
    the stage's usual number of reviewers (two of three agreeing must not settle it)."""
    return Status(StatusKind.PENDING, None, status.decided_by, 1)


def eligible_ids(
    uow: UnitOfWork, stage: Stage, title_abstract: dict[int, Status] | None = None
) -> list[int]:
    """Records that belong to ``stage``: every canonical record at title/abstract; those
    that passed it (include or maybe) and were not reported unretrievable at full text.
    ``title_abstract`` is :func:`stage_statuses` at title/abstract when the caller has it
    already (deriving it again from every decision is most of the cost on a large review)."""
    ids = canonical_ids(uow.session, uow.review_id)
    if stage is Stage.TITLE_ABSTRACT:
        return ids
    if title_abstract is None:
        title_abstract = stage_statuses(uow, Stage.TITLE_ABSTRACT)
    passed = {
        rid
        for rid, status in title_abstract.items()
        if status.final in (Decision.INCLUDE, Decision.MAYBE)
    }
    missing = set(
        uow.session.scalars(
            select(FullTextRow.record_id).where(
                FullTextRow.review_id == uow.review_id, FullTextRow.retrieved.is_(False)
            )
        )
    )
    return [rid for rid in ids if rid in passed and rid not in missing]


def _check_decision(
    uow: UnitOfWork, record_id: int, stage: Stage, decision: Decision, reason: str | None
) -> None:
    row = uow.session.get(RecordRow, record_id)
    if row is None or row.review_id != uow.review_id:
        raise NotFoundError(f"no record {record_id} in this review")
    if canonical_of(uow.session, row) != record_id:
        raise ReviewStateError(
            f"record {record_id} is a duplicate of record {canonical_of(uow.session, row)}",
            hint="decide on the record kept after de-duplication",
        )
    if stage is Stage.FULL_TEXT:
        if record_id not in eligible_ids(uow, Stage.FULL_TEXT):
            raise ReviewStateError(
                f"record {record_id} has not passed title/abstract screening",
                hint="full-text decisions are for records included (or maybe) at title/abstract",
            )
        settings = settings_of(uow)
        if decision is Decision.EXCLUDE and not reason:
            raise ValidationError(
                "a full-text exclusion needs a reason",
                field="reason",
                hint="give one of the review's exclusion reasons",
            )
        if reason and settings.exclusion_reasons and reason not in settings.exclusion_reasons:
            raise ValidationError(
                f"{reason!r} is not one of the review's exclusion reasons",
                field="reason",
                hint="choose from: " + "; ".join(settings.exclusion_reasons),
            )


def decide(
    uow: UnitOfWork,
    decision: ScreeningDecision,
) -> None:
    """Record (or change) one reviewer's decision inside an open unit of work.

    Refused once the record has every decision it needs (see
    :mod:`evidens.services.screening.state`). A change without a note keeps the earlier
    note: it is the reviewer's own and survives a changed mind."""
    _check_decision(uow, decision.record_id, decision.stage, decision.decision, decision.reason)
    if not check_change(record_state(uow, decision.record_id, decision.stage), decision):
        return
    values = {
        "decision": decision.decision.value,
        "reason": decision.reason,
        "note": decision.note,
        "decided_at": decision.decided_at or utcnow(),
    }
    row = _existing(uow, decision)
    if row is None:
        try:
            with uow.session.begin_nested():
                row = ScreeningDecisionRow(
                    review_id=uow.review_id,
                    record_id=decision.record_id,
                    stage=decision.stage.value,
                    reviewer=decision.reviewer,
                    **values,
                )
                uow.session.add(row)
            uow.audit(
                "decide",
                "screening_decision",
                row.id,
                after=_audit(row),
                on_behalf_of=decision.reviewer,
            )
            return
        except IntegrityError:  # the same reviewer decided at the same moment elsewhere
            row = _existing(uow, decision)
            if row is None:
                raise
    before = _audit(row)
    if decision.note is None:
        values["note"] = row.note
    for key, value in values.items():
        setattr(row, key, value)
    uow.session.flush()
    uow.audit(
        "change",
        "screening_decision",
        row.id,
        before=before,
        after=_audit(row),
        on_behalf_of=decision.reviewer,
    )


def _existing(uow: UnitOfWork, d: ScreeningDecision) -> ScreeningDecisionRow | None:
    return uow.session.scalar(
        select(ScreeningDecisionRow).where(
            ScreeningDecisionRow.record_id == d.record_id,
            ScreeningDecisionRow.stage == d.stage.value,
            ScreeningDecisionRow.reviewer == d.reviewer,
        )
    )


def _audit(row: ScreeningDecisionRow | ResolutionRow) -> dict[str, Any]:
    who = row.reviewer if isinstance(row, ScreeningDecisionRow) else row.resolver
    return {
        "record_id": row.record_id,
        "stage": row.stage,
        "by": who,
        "decision": row.decision,
        "reason": row.reason,
        "note": row.note,
    }


def record_decision(store: ReviewStore, decision: ScreeningDecision) -> None:
    """One reviewer's decision as its own transaction (the reviewer is the actor)."""
    with transaction(store, decision.reviewer) as uow:
        decide(uow, decision)


def resolve(uow: UnitOfWork, resolution: Resolution) -> None:
    """A resolver's final decision on a record in conflict at a stage."""
    status = stage_statuses(uow, resolution.stage).get(resolution.record_id)
    if status is None or status.kind not in (StatusKind.CONFLICT, StatusKind.RESOLVED):
        raise ReviewStateError(
            f"record {resolution.record_id} is not in conflict at {resolution.stage.value}",
            hint="only records on which reviewers disagree are resolved",
        )
    if (
        resolution.stage is Stage.FULL_TEXT
        and resolution.decision is Decision.EXCLUDE
        and not (resolution.reason)
    ):
        raise ValidationError("a full-text exclusion needs a reason", field="reason")
    row = uow.session.scalar(
        select(ResolutionRow).where(
            ResolutionRow.record_id == resolution.record_id,
            ResolutionRow.stage == resolution.stage.value,
        )
    )
    before = _audit(row) if row else None
    if row is None:
        row = ResolutionRow(
            review_id=uow.review_id,
            record_id=resolution.record_id,
            stage=resolution.stage.value,
            resolver=resolution.resolver,
            decision="",
        )
        uow.session.add(row)
    row.resolver, row.decision = resolution.resolver, resolution.decision.value
    row.reason, row.note = resolution.reason, resolution.note
    row.decided_at = resolution.decided_at or utcnow()
    uow.session.flush()
    uow.audit(
        "resolve",
        "resolution",
        row.id,
        before=before,
        after=_audit(row),
        on_behalf_of=resolution.resolver,
    )


def record_resolution(store: ReviewStore, resolution: Resolution) -> None:
    with transaction(store, resolution.resolver) as uow:
        resolve(uow, resolution)


def reopen(uow: UnitOfWork, record_id: int, stage: Stage, *, reason: str) -> int:
    """A resolver sends a complete record back to its reviewers: its decisions (and any
    resolution) are withdrawn, kept whole in the audit log with the reason, and the record
    is screened again, blind, like a new one. Returns how many decisions were withdrawn."""
    row = uow.session.get(RecordRow, record_id)
    if row is None or row.review_id != uow.review_id:
        raise NotFoundError(f"no record {record_id} in this review")
    if not reason.strip():
        raise ValidationError(
            "reopening a record needs a reason", field="reason", hint="say why it is reopened"
        )
    if not record_state(uow, record_id, stage).complete:
        raise ReviewStateError(
            f"record {record_id} is still open at {stage.value}",
            hint="its reviewers can still change their own decisions",
        )
    if stage is Stage.TITLE_ABSTRACT and uow.session.scalar(
        select(ScreeningDecisionRow.id).where(
            ScreeningDecisionRow.record_id == record_id,
            ScreeningDecisionRow.stage == Stage.FULL_TEXT.value,
        )
    ):
        raise ReviewStateError(
            f"record {record_id} has full-text decisions",
            hint="reopen it at full text first",
        )
    where = (ScreeningDecisionRow.record_id == record_id, ScreeningDecisionRow.stage == stage.value)
    decisions = list(uow.session.scalars(select(ScreeningDecisionRow).where(*where)))
    resolution = uow.session.scalar(
        select(ResolutionRow).where(
            ResolutionRow.record_id == record_id, ResolutionRow.stage == stage.value
        )
    )
    before = {
        "stage": stage.value,
        "decisions": [_audit(d) for d in decisions],
        "resolution": _audit(resolution) if resolution is not None else None,
    }
    for found in [*decisions, *([resolution] if resolution is not None else [])]:
        uow.session.delete(found)
    uow.session.flush()
    uow.audit(
        "reopen", "record", record_id, before=before, after={"stage": stage.value, "reason": reason}
    )
    return len(decisions)


def reopen_record(
    store: ReviewStore, record_id: int, stage: Stage, *, reason: str, resolver: str
) -> int:
    """:func:`reopen` as its own transaction, the resolver being the actor."""
    with transaction(store, resolver) as uow:
        return reopen(uow, record_id, stage, reason=reason.strip())


@dataclass(frozen=True)
class ConflictView:
    record_id: int
    title: str | None
    decisions: tuple[ScreeningDecision, ...]


def conflicts(store: ReviewStore, stage: Stage) -> list[ConflictView]:
    """Records in conflict at ``stage`` with every decision (all are complete, so a
    resolver may see them)."""
    return conflicts_page(store, stage, size=None)[0]


CONFLICTS_PER_PAGE = 25


def conflicts_page(
    store: ReviewStore, stage: Stage, page: int = 1, *, size: int | None = CONFLICTS_PER_PAGE
) -> tuple[list[ConflictView], int]:
    """One page of :func:`conflicts` (all of them when ``size`` is ``None``) and how many
    there are; only the page's decisions and titles are read."""
    with transaction(store, "evidens") as uow:
        ids = [r for r, s in stage_statuses(uow, stage).items() if s.kind is StatusKind.CONFLICT]
        ids.sort()
        shown = ids if size is None else ids[(max(page, 1) - 1) * size : max(page, 1) * size]
        rows = uow.session.scalars(
            select(ScreeningDecisionRow).where(
                ScreeningDecisionRow.record_id.in_(shown),
                ScreeningDecisionRow.stage == stage.value,
            )
        )
        by_record: dict[int, list[ScreeningDecision]] = {}
        for row in rows:
            by_record.setdefault(row.record_id, []).append(to_decision(row))
        titles = dict(
            uow.session.execute(
                select(RecordRow.id, RecordRow.title).where(RecordRow.id.in_(shown))
            ).all()
        )
        views = [ConflictView(i, titles.get(i), tuple(by_record.get(i, ()))) for i in shown]
        return views, len(ids)


def queue_for(store: ReviewStore, reviewer: str, stage: Stage) -> list[int]:
    """Records at ``stage`` that still need this reviewer: not decided by them, and not
    already settled (all required decisions in, or resolved - e.g. by an accepted stop)."""
    with transaction(store, reviewer) as uow:
        done = set(
            uow.session.scalars(
                select(ScreeningDecisionRow.record_id).where(
                    ScreeningDecisionRow.review_id == store.review_id,
                    ScreeningDecisionRow.stage == stage.value,
                    ScreeningDecisionRow.reviewer == reviewer,
                )
            )
        )
        settled = {
            rid
            for rid, status in stage_statuses(uow, stage).items()
            if status.kind is not StatusKind.PENDING
        }
        return [r for r in eligible_ids(uow, stage) if r not in done and r not in settled]


def now() -> dt.datetime:
    return utcnow()
