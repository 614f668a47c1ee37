"""Each record's status per stage, kept in the store beside the decisions it comes from.

Most pages show where records stand (counts, conflicts, filters, PRISMA); deriving that
from every decision of a 50,000-record review cost about half a second of CPU per stage
and page. The status is still derived by the one set of rules
(:func:`evidens.screening.workflow.record_status`), but once per change instead of once
per page:

* any transaction that writes, changes or deletes a decision or a resolution re-derives
  the statuses of the records it touched just before it commits (a session hook, so no
  step can forget it), under a lock on those records: two reviewers deciding one record at
  once are serialised there, and the second derives from both decisions;
* a review whose statuses were never derived, or were derived under other rules (the
  number of reviewers required changed, *maybe* became a conflict, or this module's
  :data:`RULES_VERSION`), is derived whole on its next read, under a lock on the review
  that a concurrent decision waits for (and takes in share mode itself), so no decision
  falls between the full derivation and the per-record updates.

The pilot's rule (an open pilot record is pending) is applied when statuses are read, as
before: it depends on the pilot's team, not on the record's decisions alone.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from itertools import chain
from typing import Any

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session, SessionTransaction, aliased

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.screening.agreement import PairCount
from evidens.screening.workflow import Status, StatusKind, statuses_by_record
from evidens.services.screening import pilot
from evidens.services.screening.state import settings_of
from evidens.services.store import UnitOfWork
from evidens.store.models import RecordRow, ResolutionRow, ReviewRow, ScreeningDecisionRow
from evidens.store.status_models import ScreeningStatusBuildRow, ScreeningStatusRow

RULES_VERSION = 1
"""Raise when :func:`evidens.screening.workflow.record_status` changes: every review's
statuses are then derived again on first read."""

DECISIONS = {d.value: d for d in Decision}  # a dict lookup: Decision(value) costs 10 times more
KINDS = {k.value: k for k in StatusKind}
TOUCHED = "evidens.touched_statuses"
"""``Session.info`` key: (review, record, stage) whose decisions this transaction changed."""


def stage_decisions(
    uow: UnitOfWork, stage: Stage, records: Collection[int] | None = None
) -> list[ScreeningDecision]:
    """Every independent decision recorded at ``stage`` (on ``records``, when given).

    Read as plain columns, not as ORM rows: building (and tracking) tens of thousands of
    ORM objects cost several times the query itself."""
    row = ScreeningDecisionRow
    query = select(
        row.record_id, row.reviewer, row.decision, row.reason, row.note, row.decided_at
    ).where(row.review_id == uow.review_id, row.stage == stage)
    if records is not None:
        query = query.where(row.record_id.in_(list(records)))
    at = Stage(stage)
    return [
        ScreeningDecision(rid, at, who, DECISIONS[what], reason, note, when)
        for rid, who, what, reason, note, when in uow.session.execute(query)
    ]


def _resolutions(
    uow: UnitOfWork, stage: Stage, records: Collection[int] | None = None
) -> list[Resolution]:
    row = ResolutionRow
    query = select(
        row.record_id, row.resolver, row.decision, row.reason, row.note, row.decided_at
    ).where(row.review_id == uow.review_id, row.stage == stage)
    if records is not None:
        query = query.where(row.record_id.in_(list(records)))
    at = Stage(stage)
    return [
        Resolution(rid, at, who, DECISIONS[what], reason, note, when)
        for rid, who, what, reason, note, when in uow.session.execute(query)
    ]


def rules_of(uow: UnitOfWork, stage: Stage) -> str:
    """The settings a stage's statuses depend on, as stored beside them."""
    settings = settings_of(uow)
    return (
        f"v{RULES_VERSION} required={settings.required[stage]} "
        f"maybe_is_conflict={int(settings.maybe_is_conflict)}"
    )


def _derive(
    uow: UnitOfWork, stage: Stage, records: Collection[int] | None = None
) -> dict[int, Status]:
    settings = settings_of(uow)
    found = statuses_by_record(
        stage_decisions(uow, stage, records),
        _resolutions(uow, stage, records),
        settings.required[stage],
        maybe_is_conflict=settings.maybe_is_conflict,
    )
    return {record_id: status for (record_id, _), status in found.items()}


def _rows(uow: UnitOfWork, stage: Stage, statuses: dict[int, Status]) -> list[dict[str, Any]]:
    return [
        {
            "review_id": uow.review_id,
            "record_id": rid,
            "stage": stage.value,
            "kind": s.kind.value,
            "final": s.final.value if s.final is not None else None,
            "decided_by": json.dumps(list(s.decided_by)),
            "reviewers": len(s.decided_by),
            "missing": s.missing,
            "resolver": s.resolver,
        }
        for rid, s in statuses.items()
    ]


def _built_under(uow: UnitOfWork, stage: Stage) -> str | None:
    return uow.session.scalar(
        select(ScreeningStatusBuildRow.rules).where(
            ScreeningStatusBuildRow.review_id == uow.review_id,
            ScreeningStatusBuildRow.stage == stage.value,
        )
    )


def _lock_review(uow: UnitOfWork, *, share: bool) -> None:
    """PostgreSQL: the review's row, shared by deciding transactions and exclusive to a
    full derivation (SQLite lets one writer in at a time, so it needs none)."""
    query = select(ReviewRow.id).where(ReviewRow.id == uow.review_id)
    uow.session.execute(query.with_for_update(read=share, key_share=not share))


def is_stored(uow: UnitOfWork, stage: Stage) -> bool:
    """Whether the stage's stored statuses were derived under the current rules (else
    readers derive them from the decisions, and the next change stores them)."""
    return _built_under(uow, stage) == rules_of(uow, stage)


def derive_and_store(uow: UnitOfWork, stage: Stage) -> None:
    """Derive the stage's statuses whole and store them, under the review's lock; only in
    a transaction that writes anyway (a page that only reads must not wait for a writer)."""
    rules = rules_of(uow, stage)
    _lock_review(uow, share=False)
    if _built_under(uow, stage) == rules:  # derived meanwhile, while this one waited
        return
    uow.session.execute(
        delete(ScreeningStatusRow).where(
            ScreeningStatusRow.review_id == uow.review_id,
            ScreeningStatusRow.stage == stage.value,
        )
    )
    rows = _rows(uow, stage, _derive(uow, stage))
    if rows:
        uow.session.execute(insert(ScreeningStatusRow), rows)
    _forget_build(uow, stage)
    uow.session.add(
        ScreeningStatusBuildRow(review_id=uow.review_id, stage=stage.value, rules=rules)
    )
    uow.session.flush()


def _forget_build(uow: UnitOfWork, stage: Stage) -> None:
    uow.session.execute(
        delete(ScreeningStatusBuildRow).where(
            ScreeningStatusBuildRow.review_id == uow.review_id,
            ScreeningStatusBuildRow.stage == stage.value,
        )
    )


def rederive(uow: UnitOfWork) -> None:
    """Derive and store every stage's statuses again: after decisions were written around
    the ORM (a bulk ``INSERT``), which the session hook cannot see."""
    for stage in Stage:
        _forget_build(uow, stage)
        derive_and_store(uow, stage)


def stored_statuses(
    uow: UnitOfWork,
    stage: Stage,
    kind: StatusKind | None = None,
    records: Collection[int] | None = None,
) -> dict[int, Status]:
    """The stored status of every record that has a decision or a resolution at ``stage``
    (of one ``kind``, of ``records``, when given), by record. Equal rows share one
    :class:`Status`, so the reviewers' names are decoded once per distinct row, not once
    per record. Derived from the decisions instead while they are not stored under the
    current rules."""
    if not is_stored(uow, stage):
        derived = _derive(uow, stage, records)
        return {r: s for r, s in derived.items() if kind is None or s.kind is kind}
    row = ScreeningStatusRow
    query = select(
        row.record_id, row.kind, row.final, row.decided_by, row.missing, row.resolver
    ).where(row.review_id == uow.review_id, row.stage == stage.value)
    if kind is not None:
        query = query.where(row.kind == kind.value)
    if records is not None:
        query = query.where(row.record_id.in_(list(records)))
    shared: dict[tuple[Any, ...], Status] = {}
    found: dict[int, Status] = {}
    for rid, kind_, final, by, missing, resolver in uow.session.execute(query):
        key = (kind_, final, by, missing, resolver)
        status = shared.get(key)
        if status is None:
            who = tuple(json.loads(by))
            final_ = DECISIONS[final] if final is not None else None
            status = Status(KINDS[kind_], final_, who, missing, resolver)
            shared[key] = status
        found[rid] = status
    return found


def complete_pair_counts(uow: UnitOfWork, stage: Stage) -> list[PairCount] | None:
    """How often each ordered pair of reviewers gave each pair of decisions on records that
    have all their required decisions (an open pilot record is left out: it is complete
    only once its whole team has decided it), counted by the database
    (:func:`evidens.screening.agreement.pairs_from_counts` makes the agreement table).
    ``None`` while the statuses are not stored under the current rules."""
    if not is_stored(uow, stage):
        return None
    a, b = aliased(ScreeningDecisionRow), aliased(ScreeningDecisionRow)
    status = ScreeningStatusRow
    query = (
        select(a.reviewer, b.reviewer, a.decision, b.decision, func.count())
        .join(b, (b.record_id == a.record_id) & (b.stage == a.stage) & (b.reviewer != a.reviewer))
        .join(status, (status.record_id == a.record_id) & (status.stage == a.stage))
        .where(
            a.review_id == uow.review_id,
            a.stage == stage.value,
            status.reviewers >= settings_of(uow).required[stage],
        )
        .group_by(a.reviewer, b.reviewer, a.decision, b.decision)
    )
    still_open = pilot.open_records(uow) if stage is pilot.STAGE else set()
    if still_open:
        query = query.where(a.record_id.not_in(sorted(still_open)))
    return [
        (stage, first, second, DECISIONS[x], DECISIONS[y], n)
        for first, second, x, y, n in uow.session.execute(query)
        if first < second
    ]


def refresh(uow: UnitOfWork, stage: Stage, records: Collection[int]) -> None:
    """Derive again the statuses of ``records`` at ``stage`` from their decisions, under a
    lock on those records (in id order, so two transactions never wait on each other).
    Stored statuses are first derived whole if they were not (or under other rules)."""
    if not is_stored(uow, stage):
        derive_and_store(uow, stage)
    _lock_review(uow, share=True)
    if not is_stored(uow, stage):  # the rules changed meanwhile: readers derive, for now
        _forget_build(uow, stage)
        return
    ids = sorted(set(records))
    if not ids:
        return
    uow.session.execute(
        select(RecordRow.id)
        .where(RecordRow.id.in_(ids))
        .order_by(RecordRow.id)
        .with_for_update(key_share=True)
    )
    uow.session.execute(
        delete(ScreeningStatusRow).where(
            ScreeningStatusRow.record_id.in_(ids), ScreeningStatusRow.stage == stage.value
        )
    )
    rows = _rows(uow, stage, _derive(uow, stage, ids))
    if rows:
        uow.session.execute(insert(ScreeningStatusRow), rows)


def _collect(session: Session, _context: object) -> None:
    """After each flush: note the records whose decisions or resolution it wrote, and the
    reviews whose settings may have changed (the rules a status depends on)."""
    touched: set[tuple[int, int | None, str]] = session.info.setdefault(TOUCHED, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, ScreeningDecisionRow | ResolutionRow):
            touched.add((obj.review_id, obj.record_id, obj.stage))
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, ReviewRow):
            touched.update((obj.id, None, stage.value) for stage in Stage)


def _before_commit(session: Session) -> None:
    """Just before a transaction commits (not a savepoint): the statuses of the records
    whose decisions it touched, derived again."""
    if session.in_nested_transaction():
        return
    session.flush()
    touched: set[tuple[int, int | None, str]] = session.info.pop(TOUCHED, set())
    groups: dict[tuple[int, str], set[int]] = {}
    for review_id, record_id, stage in touched:
        records = groups.setdefault((review_id, stage), set())
        if record_id is not None:
            records.add(record_id)
    for (review_id, stage), records in sorted(groups.items()):
        refresh(UnitOfWork(session, review_id, "evidens"), Stage(stage), records)
    session.flush()


def _forget(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without committing leaves nothing to derive."""
    if transaction.parent is None:
        session.info.pop(TOUCHED, None)


event.listen(Session, "after_flush", _collect)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_transaction_end", _forget)
