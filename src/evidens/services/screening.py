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
from evidens.screening.workflow import Status, StatusKind, statuses_by_record, visible_decisions
from evidens.services import pilot
from evidens.services.records import canonical_ids, canonical_of
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import (
    FullTextRow,
    RecordRow,
    ResolutionRow,
    ReviewRow,
    ScreeningDecisionRow,
    utcnow,
)


@dataclass(frozen=True)
class ScreeningSettings:
    required: dict[Stage, int]
    maybe_is_conflict: bool
    exclusion_reasons: tuple[str, ...]


def settings_of(uow: UnitOfWork) -> ScreeningSettings:
    review = uow.session.get(ReviewRow, uow.review_id)
    raw: dict[str, Any] = dict(review.settings if review else {})
    required = raw.get("reviewers_required", {})
    return ScreeningSettings(
        required={s: int(required.get(s.value, 2)) for s in Stage},
        maybe_is_conflict=bool(raw.get("maybe_is_conflict", False)),
        exclusion_reasons=tuple(raw.get("exclusion_reasons", ())),
    )


def _to_decision(row: ScreeningDecisionRow) -> ScreeningDecision:
    return ScreeningDecision(
        record_id=row.record_id,
        stage=Stage(row.stage),
        reviewer=row.reviewer,
        decision=Decision(row.decision),
        reason=row.reason,
        note=row.note,
        decided_at=row.decided_at,
    )


def _to_resolution(row: ResolutionRow) -> Resolution:
    return Resolution(
        record_id=row.record_id,
        stage=Stage(row.stage),
        resolver=row.resolver,
        decision=Decision(row.decision),
        reason=row.reason,
        note=row.note,
        decided_at=row.decided_at,
    )


def stage_decisions(uow: UnitOfWork, stage: Stage) -> list[ScreeningDecision]:
    """Every independent decision recorded at ``stage``."""
    rows = uow.session.scalars(
        select(ScreeningDecisionRow).where(
            ScreeningDecisionRow.review_id == uow.review_id, ScreeningDecisionRow.stage == stage
        )
    )
    return [_to_decision(r) for r in rows]


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


def stage_statuses(uow: UnitOfWork, stage: Stage) -> dict[int, Status]:
    """Status of every record that has a decision or resolution at ``stage``."""
    settings = settings_of(uow)
    resolutions = uow.session.scalars(
        select(ResolutionRow).where(
            ResolutionRow.review_id == uow.review_id, ResolutionRow.stage == stage
        )
    )
    statuses = statuses_by_record(
        stage_decisions(uow, stage),
        [_to_resolution(r) for r in resolutions],
        settings.required[stage],
        maybe_is_conflict=settings.maybe_is_conflict,
    )
    still_open = pilot.open_records(uow) if stage is pilot.STAGE else set()
    return {
        record_id: _pending(status) if record_id in still_open else status
        for (record_id, _), status in statuses.items()
    }


def _pending(status: Status) -> Status:
    """An open pilot record: not complete until its whole pilot team has decided it, whatever
    the stage's usual number of reviewers (two of three agreeing must not settle it)."""
    return Status(StatusKind.PENDING, None, status.decided_by, 1)


def eligible_ids(uow: UnitOfWork, stage: Stage) -> list[int]:
    """Records that belong to ``stage``: every canonical record at title/abstract; those
    that passed it (include or maybe) and were not reported unretrievable at full text."""
    ids = canonical_ids(uow.session, uow.review_id)
    if stage is Stage.TITLE_ABSTRACT:
        return ids
    passed = {
        rid
        for rid, status in stage_statuses(uow, Stage.TITLE_ABSTRACT).items()
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
    """Record (or change) one reviewer's decision inside an open unit of work."""
    _check_decision(uow, decision.record_id, decision.stage, decision.decision, decision.reason)
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


@dataclass(frozen=True)
class ConflictView:
    record_id: int
    title: str | None
    decisions: tuple[ScreeningDecision, ...]


def conflicts(store: ReviewStore, stage: Stage) -> list[ConflictView]:
    """Records in conflict at ``stage`` with every decision (all are complete, so a
    resolver may see them)."""
    with transaction(store, "evidens") as uow:
        ids = [r for r, s in stage_statuses(uow, stage).items() if s.kind is StatusKind.CONFLICT]
        rows = uow.session.scalars(
            select(ScreeningDecisionRow).where(
                ScreeningDecisionRow.record_id.in_(ids), ScreeningDecisionRow.stage == stage.value
            )
        )
        by_record: dict[int, list[ScreeningDecision]] = {}
        for row in rows:
            by_record.setdefault(row.record_id, []).append(_to_decision(row))
        titles = dict(
            uow.session.execute(
                select(RecordRow.id, RecordRow.title).where(RecordRow.id.in_(ids))
            ).all()
        )
        return [ConflictView(i, titles.get(i), tuple(by_record.get(i, ()))) for i in ids]


def decisions_visible_to(
    store: ReviewStore, viewer: str, record_id: int, stage: Stage
) -> tuple[ScreeningDecision, ...]:
    """:func:`visible_in` as a transaction of its own."""
    with transaction(store, viewer) as uow:
        return visible_in(uow, viewer, record_id, stage)


def visible_in(
    uow: UnitOfWork, viewer: str, record_id: int, stage: Stage
) -> tuple[ScreeningDecision, ...]:
    """What ``viewer`` may see of the decisions on one record: their own until the record
    has all its required decisions (an open pilot record: its whole team's), everyone's
    after. The one blinding rule for every page, command and JSON."""
    rows = uow.session.scalars(
        select(ScreeningDecisionRow).where(
            ScreeningDecisionRow.record_id == record_id,
            ScreeningDecisionRow.stage == stage.value,
        )
    )
    made = [_to_decision(r) for r in rows]
    if stage is pilot.STAGE and record_id in pilot.open_records(uow):
        return tuple(d for d in made if d.reviewer == viewer)
    return visible_decisions(made, viewer, settings_of(uow).required[stage])


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
