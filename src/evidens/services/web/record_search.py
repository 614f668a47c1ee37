"""The searchable, filterable record list and "my decisions".

Filters work on what the viewer may see, never on more: a status filter matches the status
:func:`shown_status` shows them, and a decision filter matches a record's final decision
or, while the record is open, only the viewer's own. So filtering cannot be used to learn a
teammate's open decision (a record decided "exclude" by someone else alone never matches
"exclude" for you). A label filter matches the labels the viewer may see, at any stage
(:func:`evidens.services.screening.labels.visible_by_record`), case aside.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from evidens.core import Decision, Stage
from evidens.errors import ValidationError
from evidens.screening.workflow import Status, StatusKind
from evidens.services.review.records import canonical_ids, records_mark
from evidens.services.screening.decisions import stage_statuses
from evidens.services.screening.labels import MAX_LENGTH, visible_by_record
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.services.web.order import cache_key
from evidens.services.web.views import PAGE_SIZE, RecordLine, own_decisions, record_lines
from evidens.store.models import RecordRow, ScreeningDecisionRow

STATUSES = ("undecided", "mine", "conflict", "final")
"""Status filters: no status you may see; your own decision on an open record; in
conflict (resolvers only see these); final (agreed or resolved)."""


@dataclass(frozen=True)
class RecordFilter:
    """What the record list is asked for; empty strings mean "any"."""

    text: str = ""
    stage: Stage = Stage.TITLE_ABSTRACT
    status: str = ""
    decision: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        if len(self.label) > MAX_LENGTH:
            raise ValidationError(
                f"a label is at most {MAX_LENGTH} characters", field="label", hint="shorten it"
            )
        if self.status and self.status not in STATUSES:
            raise ValidationError(
                f"{self.status!r} is not a status filter",
                field="status",
                hint="use one of: " + ", ".join(STATUSES),
            )
        if self.decision and self.decision not in {d.value for d in Decision}:
            raise ValidationError(
                f"{self.decision!r} is not a decision",
                field="decision",
                hint="use include, exclude or maybe",
            )


def _status_kind(status: Status | None, own: Decision | None, resolver: bool) -> str:
    """Which :data:`STATUSES` entry a record is in for the viewer (as :func:`shown_status`)."""
    if status is not None and status.final is not None:
        return "final"
    if status is not None and status.kind is StatusKind.CONFLICT and resolver:
        return "conflict"
    return "mine" if own is not None else "undecided"


def _seen_decision(status: Status | None, own: Decision | None) -> Decision | None:
    """The decision the viewer may see: the final one, else their own."""
    if status is not None and status.final is not None:
        return status.final
    return own


_MATCHES: OrderedDict[tuple[object, ...], frozenset[int]] = OrderedDict()
_MATCHES_KEPT = 64
_LOCK = threading.Lock()


def _text_matches(uow: UnitOfWork, store: ReviewStore, text: str) -> frozenset[int]:
    """Records whose title, abstract, journal or DOI contain ``text``. A substring search
    reads every abstract (about 0.6 s on 50,000 records), and paging through the results
    or changing another filter asks again for the same text: the answer is kept per
    server process until the review's records change (:func:`records_mark`, which the
    page's canonical records have read already)."""
    key = (*cache_key(store), text, records_mark(uow.session, uow.review_id))
    with _LOCK:
        if key in _MATCHES:
            _MATCHES.move_to_end(key)
            return _MATCHES[key]
    like = f"%{text}%"
    found = frozenset(
        uow.session.scalars(
            select(RecordRow.id).where(
                RecordRow.review_id == uow.review_id,
                or_(
                    func.lower(RecordRow.title).like(like),
                    func.lower(RecordRow.abstract).like(like),
                    func.lower(RecordRow.journal).like(like),
                    func.lower(RecordRow.doi).like(like),
                ),
            )
        )
    )
    with _LOCK:
        _MATCHES[key] = found
        while len(_MATCHES) > _MATCHES_KEPT:
            _MATCHES.popitem(last=False)
    return found


def search_records(
    store: ReviewStore, wanted: RecordFilter, page: int = 1, *, viewer: str, resolver: bool
) -> tuple[list[RecordLine], int]:
    """One page of the review's screened records (those kept after de-duplication) that
    match ``wanted``, and how many match in all."""
    with transaction(store, viewer) as uow:
        ids = canonical_ids(uow.session, uow.review_id)
        text = wanted.text.strip()
        if text.isdigit():
            ids = [rid for rid in ids if rid == int(text)]
        elif text:
            matched = _text_matches(uow, store, text.casefold())
            ids = [rid for rid in ids if rid in matched]
        statuses = {stage: stage_statuses(uow, stage) for stage in Stage}
        # the viewer's own decisions on every record only when filtering on them
        on_own = wanted.status or wanted.decision
        mine = own_decisions(uow, viewer, stage=wanted.stage) if on_own else {}
        wanted_label = " ".join(wanted.label.split()).casefold()
        # every record's labels only when filtering by one; else those of the page shown
        labels = visible_by_record(uow, viewer, statuses) if wanted_label else {}

        def keep(rid: int) -> bool:
            if wanted_label and wanted_label not in {x.casefold() for x in labels.get(rid, ())}:
                return False
            status = statuses[wanted.stage].get(rid)
            own = mine.get((rid, wanted.stage))
            if wanted.status and _status_kind(status, own, resolver) != wanted.status:
                return False
            seen = _seen_decision(status, own)
            return not wanted.decision or (seen is not None and seen.value == wanted.decision)

        # unfiltered, the ids are the answer: no look-ups for each of 50,000 records
        filtered = wanted_label or wanted.status or wanted.decision
        chosen = [rid for rid in ids if keep(rid)] if filtered else ids
        shown_ids = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if not wanted_label:
            labels = visible_by_record(uow, viewer, statuses, shown_ids)
        lines = record_lines(uow, shown_ids, statuses, viewer, resolver, labels)
    return lines, len(chosen)


@dataclass(frozen=True)
class MyDecision:
    """One of the viewer's own decisions, and whether they may still change it (a record
    with every decision it needs is locked until a resolver reopens it)."""

    record_id: int
    title: str
    decision: Decision
    reason: str | None
    note: str | None
    locked: bool


def my_decisions(
    store: ReviewStore, reviewer: str, stage: Stage, page: int = 1
) -> tuple[list[MyDecision], int]:
    """One page of the decisions ``reviewer`` made at ``stage``, latest first, and how many
    they made in all; whether each is locked comes from the statuses of that page's
    records only."""
    with transaction(store, reviewer) as uow:
        mine = (
            ScreeningDecisionRow.review_id == uow.review_id,
            ScreeningDecisionRow.stage == stage.value,
            ScreeningDecisionRow.reviewer == reviewer,
        )
        total = uow.session.scalar(select(func.count()).where(*mine)) or 0
        rows = uow.session.execute(
            select(
                ScreeningDecisionRow.record_id,
                RecordRow.title,
                ScreeningDecisionRow.decision,
                ScreeningDecisionRow.reason,
                ScreeningDecisionRow.note,
            )
            .join(RecordRow, RecordRow.id == ScreeningDecisionRow.record_id)
            .where(*mine)
            .order_by(ScreeningDecisionRow.decided_at.desc(), ScreeningDecisionRow.id.desc())
            .limit(PAGE_SIZE)
            .offset((max(page, 1) - 1) * PAGE_SIZE)
        ).all()
        statuses = stage_statuses(uow, stage, [row[0] for row in rows])
    return [
        MyDecision(
            rid,
            title or "(no title)",
            Decision(decision),
            reason,
            note,
            (s := statuses.get(rid)) is not None and s.kind is not StatusKind.PENDING,
        )
        for rid, title, decision, reason, note in rows
    ], total
