"""Each record's status per stage, kept in the store beside the decisions it comes from.

Most pages show where records stand (counts, conflicts, filters, PRISMA); deriving that
from every decision of a 50,000-record review cost about half a second of CPU per stage
and page. The status is still derived by the one set of rules
(:func:`evidens.screening.workflow.record_status`), but once per change instead of once
per page:

* any transaction that writes, changes or deletes a decision or a resolution re-derives
  the statuses of the records it touched just before it commits (a session hook, so no
  step can forget it), holding the stage's build row (:class:`ScreeningStatusBuildRow`)
  from then until it commits: two reviewers deciding one record at once are serialised
  there, and the second derives from both decisions; the row's version is raised by each,
  so versions are in commit order. Nothing locks the records themselves: de-duplication
  updates records in one long transaction, and deciding must not wait for it;
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
import secrets
from collections.abc import Collection
from itertools import chain
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.screening.workflow import (
    Status,
    StatusKind,
    group_by_record,
    latest_per_reviewer,
    statuses_by_record,
)
from evidens.services.review.records import among
from evidens.services.screening.state import settings_of
from evidens.services.store import UnitOfWork
from evidens.store.models import ResolutionRow, ReviewRow, ScreeningDecisionRow
from evidens.store.status_models import ScreeningStatusBuildRow, ScreeningStatusRow

RULES_VERSION = 1
"""Raise when :func:`evidens.screening.workflow.record_status` changes: every review's
statuses are then derived again on first read."""

DECISIONS = {d.value: d for d in Decision}  # a dict lookup: Decision(value) costs 10 times more
KINDS = {k.value: k for k in StatusKind}
WHOLE_ABOVE = 2_000
"""A transaction that touched more records than this derives the whole stage again: one
pass over every decision costs less than lists of thousands of ids (SQLite allows at most
32,766 parameters in a statement)."""
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
        query = query.where(among(uow.session, row.record_id, records))
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
        query = query.where(among(uow.session, row.record_id, records))
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


def derive(
    uow: UnitOfWork, stage: Stage, records: Collection[int] | None = None
) -> dict[int, Status]:
    """The statuses derived from the decisions (of ``records``, when given)."""
    return _derived(uow, stage, records)[0]


def _derived(
    uow: UnitOfWork, stage: Stage, records: Collection[int] | None
) -> tuple[dict[int, Status], dict[int, str]]:
    """Statuses, and each record's votes: its reviewers' current decisions, as stored."""
    settings = settings_of(uow)
    decisions = stage_decisions(uow, stage, records)
    found = statuses_by_record(
        decisions,
        _resolutions(uow, stage, records),
        settings.required[stage],
        maybe_is_conflict=settings.maybe_is_conflict,
    )
    votes = {
        rid: json.dumps(sorted((who, d.decision.value) for who, d in latest.items()))
        for (rid, _), group in group_by_record(decisions).items()
        if (latest := latest_per_reviewer(group))
    }
    return {record_id: status for (record_id, _), status in found.items()}, votes


def _rows(
    uow: UnitOfWork, stage: Stage, records: Collection[int] | None, version: int
) -> list[dict[str, Any]]:
    statuses, votes = _derived(uow, stage, records)
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
            "votes": votes.get(rid, "[]"),
            "version": version,
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


def derive_and_store(uow: UnitOfWork, stage: Stage, *, again: bool = False) -> None:
    """Derive the stage's statuses whole and store them (``again``: even if stored under
    the current rules), under the review's lock; only in a transaction that writes anyway
    (a page that only reads must not wait for a writer)."""
    rules = rules_of(uow, stage)
    _lock_review(uow, share=False)
    if not again and _built_under(uow, stage) == rules:  # derived while this one waited
        return
    uow.session.execute(
        delete(ScreeningStatusRow).where(
            ScreeningStatusRow.review_id == uow.review_id,
            ScreeningStatusRow.stage == stage.value,
        )
    )
    build = _build(uow, stage)
    if build is None:
        token = secrets.token_hex(16)
        build = ScreeningStatusBuildRow(
            review_id=uow.review_id, stage=stage.value, rules="", version=0, statuses=0, token=token
        )
        uow.session.add(build)
    rows = _rows(uow, stage, None, build.version + 1)
    if rows:
        uow.session.execute(insert(ScreeningStatusRow), rows)
    build.rules, build.version, build.statuses = rules, build.version + 1, len(rows)
    uow.session.flush()


def _build(uow: UnitOfWork, stage: Stage) -> ScreeningStatusBuildRow | None:
    """The stage's build, locked until commit: versions are raised in commit order. Read
    afresh (not from the session's identity map) once the lock is held: another
    transaction may have raised the version while this one waited."""
    return uow.session.scalar(
        select(ScreeningStatusBuildRow)
        .where(
            ScreeningStatusBuildRow.review_id == uow.review_id,
            ScreeningStatusBuildRow.stage == stage.value,
        )
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def _unmark(uow: UnitOfWork, stage: Stage) -> None:
    """Mark the stored statuses out of date (their version is kept: it never goes back)."""
    uow.session.execute(
        update(ScreeningStatusBuildRow)
        .where(
            ScreeningStatusBuildRow.review_id == uow.review_id,
            ScreeningStatusBuildRow.stage == stage.value,
        )
        .values(rules="")
    )


def rederive(uow: UnitOfWork) -> None:
    """Derive and store every stage's statuses again: after decisions were written around
    the ORM (a bulk ``INSERT``), which the session hook cannot see."""
    for stage in Stage:
        derive_and_store(uow, stage, again=True)


def refresh(uow: UnitOfWork, stage: Stage, records: Collection[int]) -> None:
    """Derive again the statuses of ``records`` at ``stage`` from their decisions, holding
    the stage's build row until commit (the module's docstring says why). Stored statuses
    are first derived whole if they were not (or under other rules)."""
    if not is_stored(uow, stage):
        derive_and_store(uow, stage)
    if len(set(records)) > WHOLE_ABOVE:  # a folder's whole decision log: derive them all
        derive_and_store(uow, stage, again=True)
        return
    _lock_review(uow, share=True)
    if not is_stored(uow, stage):  # the rules changed meanwhile: readers derive, for now
        _unmark(uow, stage)
        return
    ids = sorted(set(records))
    if not ids:
        return
    build = _build(uow, stage)
    assert build is not None  # stored, so built
    removed = uow.session.execute(
        delete(ScreeningStatusRow).where(
            ScreeningStatusRow.record_id.in_(ids), ScreeningStatusRow.stage == stage.value
        )
    )
    rows = _rows(uow, stage, ids, build.version + 1)
    if rows:
        uow.session.execute(insert(ScreeningStatusRow), rows)
    build.version += 1
    build.statuses += len(rows) - _count(removed)
    uow.session.flush()


def _count(result: Any) -> int:
    return int(result.rowcount)


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
