"""Reading the stored statuses (:mod:`evidens.services.screening.statuses` keeps them).

Nearly every page shows where records stand, and a busy review changes a few statuses a
second while it is read dozens of times a second. So each server process keeps the last
statuses it read per review and stage with the stage's version, and asks the database
only for the statuses written since, together with the stage's version and number of
statuses, in one statement (one snapshot): when the statuses it holds, updated with those,
are as many as the stage has, they are exactly the stage's statuses; otherwise (a status
was removed: an undo, a reopening) it reads them all again.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from evidens.core import Decision, Stage
from evidens.screening.agreement import PairCount
from evidens.screening.workflow import Status
from evidens.services.review.records import among
from evidens.services.screening import pilot
from evidens.services.screening.state import settings_of
from evidens.services.screening.statuses import DECISIONS, KINDS, derive, is_stored, rules_of
from evidens.services.store import UnitOfWork, database_key
from evidens.store.status_models import ScreeningStatusBuildRow, ScreeningStatusRow


@dataclass(frozen=True)
class _Held:
    rules: str
    token: str
    version: int
    statuses: dict[int, Status]


_HELD: dict[tuple[str, int, str], _Held] = {}
_LOCK = threading.Lock()
_COLUMNS = (
    ScreeningStatusRow.record_id,
    ScreeningStatusRow.kind,
    ScreeningStatusRow.final,
    ScreeningStatusRow.decided_by,
    ScreeningStatusRow.missing,
    ScreeningStatusRow.resolver,
)


class _Statuses:
    """Rows made into statuses, equal rows sharing one :class:`Status` (the reviewers'
    names are decoded once per distinct row, not once per record)."""

    def __init__(self) -> None:
        self.shared: dict[tuple[Any, ...], Status] = {}

    def of(self, kind: str, final: str | None, by: str, missing: int, who: str | None) -> Status:
        key = (kind, final, by, missing, who)
        status = self.shared.get(key)
        if status is None:
            decided = DECISIONS[final] if final is not None else None
            status = Status(KINDS[kind], decided, tuple(json.loads(by)), missing, who)
            self.shared[key] = status
        return status


def stored_statuses(
    uow: UnitOfWork,
    stage: Stage,
    records: Collection[int] | None = None,
) -> dict[int, Status]:
    """The status of every record that has a decision or a resolution at ``stage`` (of
    ``records``, when given), by record: stored, or derived from the
    decisions while they are not stored under the current rules. The caller may change
    the dict it is given."""
    if records is not None:
        return _some(uow, stage, records)
    key = (database_key(uow.session), uow.review_id, stage.value)
    rules = rules_of(uow, stage)
    with _LOCK:
        held = _HELD.get(key)
    if held is not None and held.rules != rules:
        held = None
    found = _since(uow, stage, held.version if held is not None else -1)
    if found is None or found.rules != rules:
        return derive(uow, stage)
    if held is not None and found.token != held.token:  # another store at that address
        return _full(uow, stage, key, rules)
    if held is not None and found.version == held.version:
        return dict(held.statuses)
    make = _Statuses()
    statuses = dict(held.statuses) if held is not None else {}
    statuses.update((rid, make.of(*rest)) for rid, *rest in found.rows)
    if len(statuses) != found.count:  # one was removed (an undo, a reopening): read all
        return _full(uow, stage, key, rules)
    with _LOCK:
        _HELD[key] = _Held(rules, found.token, found.version, dict(statuses))
    return statuses


def _full(
    uow: UnitOfWork, stage: Stage, key: tuple[str, int, str], rules: str
) -> dict[int, Status]:
    found = _since(uow, stage, -1)
    if found is None or found.rules != rules:
        return derive(uow, stage)
    make = _Statuses()
    statuses = {rid: make.of(*rest) for rid, *rest in found.rows}
    with _LOCK:
        _HELD[key] = _Held(rules, found.token, found.version, dict(statuses))
    return statuses


@dataclass(frozen=True)
class _Read:
    rules: str
    token: str
    version: int
    count: int
    rows: list[Any]


def _since(uow: UnitOfWork, stage: Stage, version: int) -> _Read | None:
    """The stage's rules, version and number of statuses, and the statuses written after
    ``version``: one statement, so all of one snapshot. ``None`` when never stored."""
    build, row = ScreeningStatusBuildRow, ScreeningStatusRow
    newer = (row.review_id == build.review_id) & (row.stage == build.stage)
    result = uow.session.execute(
        select(build.rules, build.token, build.version, build.statuses, *_COLUMNS)
        .outerjoin(row, newer & (row.version > version))
        .where(build.review_id == uow.review_id, build.stage == stage.value)
    ).all()
    if not result:
        return None
    rules, token, current, count = result[0][:4]
    return _Read(rules, token, current, count, [r[4:] for r in result if r[4] is not None])


def _some(uow: UnitOfWork, stage: Stage, records: Collection[int]) -> dict[int, Status]:
    if not is_stored(uow, stage):
        return derive(uow, stage, records)
    row = ScreeningStatusRow
    query = select(*_COLUMNS).where(
        row.review_id == uow.review_id,
        row.stage == stage.value,
        among(uow.session, row.record_id, records),
    )
    make = _Statuses()
    rows: list[Any] = list(uow.session.execute(query))
    return {rid: make.of(*rest) for rid, *rest in rows}


def complete_pair_counts(uow: UnitOfWork, stage: Stage) -> list[PairCount] | None:
    """How often each pair of reviewers gave each pair of decisions on records that have
    all their required decisions (an open pilot record is left out: it is complete only
    once its whole team has decided it), from the stored votes grouped by the database
    (:func:`evidens.screening.agreement.pairs_from_counts` makes the agreement tables).
    ``None`` while the statuses are not stored under the current rules."""
    if not is_stored(uow, stage):
        return None
    row = ScreeningStatusRow
    query = (
        select(row.votes, func.count())
        .where(
            row.review_id == uow.review_id,
            row.stage == stage.value,
            row.reviewers >= settings_of(uow).required[stage],
        )
        .group_by(row.votes)
    )
    still_open = pilot.open_records(uow) if stage is pilot.STAGE else set()
    if still_open:
        query = query.where(row.record_id.not_in(sorted(still_open)))
    counts: list[PairCount] = []
    for votes, n in uow.session.execute(query):
        counts.extend((stage, *pair, n) for pair in _vote_pairs(votes))
    return counts


@functools.lru_cache(maxsize=16_384)
def _vote_pairs(votes: str) -> tuple[tuple[str, str, Decision, Decision], ...]:
    """Each pair of reviewers in a stored set of votes, with their decisions: parsed once
    per distinct set (a review has a few hundred), not on every dashboard."""
    cast = json.loads(votes)
    return tuple(
        (first, second, DECISIONS[a], DECISIONS[b])
        for i, (first, a) in enumerate(cast)
        for second, b in cast[i + 1 :]
    )
