"""What the web pages read on a large review: each stage's statuses derived once per page
(deriving them reads every decision of the review), and decisions read as plain columns,
not as ORM objects (benchmarks/web.py --phase pages found both on a 50,000-record review)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.services.screening import decisions as screening
from evidens.services.store import ReviewStore, transaction
from evidens.services.web import views

TA = Stage.TITLE_ABSTRACT


def _decide_some(review: ReviewStore) -> None:
    for record in screening.queue_for(review, "alice", TA)[:3]:
        for who, what in (("alice", Decision.INCLUDE), ("bruno", Decision.EXCLUDE)):
            screening.record_decision(review, ScreeningDecision(record, TA, who, what))


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Stage]:
    """Count stage_statuses calls wherever the pages call it from."""
    calls: list[Stage] = []
    original: Callable[..., Any] = screening.stage_statuses

    def counted(uow: Any, stage: Stage) -> Any:
        calls.append(stage)
        return original(uow, stage)

    monkeypatch.setattr(screening, "stage_statuses", counted)
    monkeypatch.setattr(views, "stage_statuses", counted)
    return calls


def test_decisions_are_read_without_orm_objects(review: ReviewStore) -> None:
    _decide_some(review)
    with transaction(review, "web") as uow:
        found = screening.stage_decisions(uow, TA)
        assert len(found) == 6
        assert len(uow.session.identity_map) == 0
    assert {(d.reviewer, d.decision) for d in found} == {
        ("alice", Decision.INCLUDE),
        ("bruno", Decision.EXCLUDE),
    }
    assert all(d.stage is TA and d.decided_at is not None for d in found)


def test_the_dashboard_progress_derives_each_stage_once(
    review: ReviewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _decide_some(review)
    calls = _counting(monkeypatch)
    progress = views.progress(review)
    assert [p.conflicts for p in progress] == [3, 0]
    assert sorted(calls) == sorted(Stage)


def test_a_prisma_box_list_derives_each_stage_once(
    review: ReviewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _decide_some(review)
    calls = _counting(monkeypatch)
    lines, total = views.records_in_box(review, "records_screened", viewer="rita", resolver=True)
    assert total == 0  # in conflict: not screened to the end yet
    lines, total = views.records_in_box(review, "records_identified", viewer="rita", resolver=True)
    assert total == 5
    assert len(lines) == 5
    assert sorted(calls) == sorted([*Stage, *Stage])


def test_among_finds_exactly_the_ids_given_on_each_backend(review: ReviewStore) -> None:
    """``among`` is an array parameter on PostgreSQL and an IN list on SQLite: the same
    rows either way, none for no ids, and ids of no record simply match nothing."""
    from sqlalchemy import select

    from evidens.services.review.records import among
    from evidens.store.models import RecordRow

    with transaction(review, "web") as uow:
        every = list(uow.session.scalars(select(RecordRow.id).order_by(RecordRow.id)))
        assert len(every) == 5

        def picked(ids: list[int]) -> list[int]:
            query = select(RecordRow.id).where(among(uow.session, RecordRow.id, ids))
            return sorted(uow.session.scalars(query))

        assert picked(every[1:4]) == every[1:4]
        assert picked([]) == []
        assert picked([every[0], max(every) + 1000]) == [every[0]]
        shown = str(select(RecordRow.id).where(among(uow.session, RecordRow.id, every)))
        backend = uow.session.get_bind().dialect.name
        assert ("ANY" in shown) is (backend == "postgresql")


def test_a_transaction_reads_once_and_forgets_when_it_writes(
    review: ReviewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within one transaction the stages' statuses are worked out once however many
    services ask; a decision written in that transaction makes the next ask read again."""
    from evidens.services.screening import status_reads

    reads: list[Stage] = []
    original: Callable[..., Any] = status_reads.stored_statuses

    def counted(uow: Any, stage: Stage, records: Any = None) -> Any:
        if records is None:
            reads.append(stage)
        return original(uow, stage, records)

    record = screening.queue_for(review, "alice", TA)[0]
    with transaction(review, "alice") as uow:
        screening.stage_statuses(uow, TA)  # the first read stores them: a write
    monkeypatch.setattr(screening, "stored_statuses", counted)
    with transaction(review, "alice") as uow:
        first = screening.stage_statuses(uow, TA)
        first[record] = None  # type: ignore[assignment]  # a caller's copy to change
        assert record not in screening.stage_statuses(uow, TA)
        assert reads == [TA]
        screening.decide(uow, ScreeningDecision(record, TA, "alice", Decision.INCLUDE))
        screening.stage_statuses(uow, TA)
        assert reads == [TA, TA]  # the write made it read again
    with transaction(review, "bruno") as uow:  # stored as the decision committed
        assert screening.stage_statuses(uow, TA)[record].decided_by == ("alice",)


def test_a_change_waiting_for_a_flush_is_not_hidden_by_what_was_read(
    review: ReviewStore,
) -> None:
    """A setting changed in the transaction (not yet flushed) changes the rules the
    statuses follow: the next read must not give what was worked out under the old ones."""
    from evidens.store.models import ReviewRow

    record = screening.queue_for(review, "alice", TA)[0]
    screening.record_decision(review, ScreeningDecision(record, TA, "alice", Decision.INCLUDE))
    with transaction(review, "alice") as uow:
        assert screening.stage_statuses(uow, TA)[record].missing == 1  # two required
        row = uow.session.get(ReviewRow, uow.review_id)
        assert row is not None
        row.settings = {**row.settings, "reviewers_required": {"title_abstract": 1}}
        assert screening.stage_statuses(uow, TA)[record].final is Decision.INCLUDE
