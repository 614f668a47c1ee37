"""Screening through the services: blinding, conflicts, resolution, the audit trail, and
two reviewers deciding at once on PostgreSQL without losing a decision."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import ReviewStateError, ValidationError
from evidens.services.screening import decisions as screening
from evidens.services.screening import state as screening_state
from evidens.services.store import ReviewStore

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
INC, EXC = Decision.INCLUDE, Decision.EXCLUDE


def test_duplicates_are_screened_once(review: ReviewStore) -> None:
    queue = screening.queue_for(review, "alice", TA)
    assert len(queue) == 4  # five records, one a duplicate of the first


def test_a_reviewer_sees_no_other_decision_until_the_record_is_complete(
    review: ReviewStore,
) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    screening.record_decision(review, ScreeningDecision(record, TA, "alice", INC))
    assert screening_state.decisions_visible_to(review, "bruno", record, TA) == ()
    mine = screening_state.decisions_visible_to(review, "alice", record, TA)
    assert [d.reviewer for d in mine] == ["alice"]
    screening.record_decision(review, ScreeningDecision(record, TA, "bruno", INC))
    both = screening_state.decisions_visible_to(review, "bruno", record, TA)
    assert sorted(d.reviewer for d in both) == ["alice", "bruno"]  # agreed: final


def test_disagreement_is_a_conflict_until_resolved(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    screening.record_decision(review, ScreeningDecision(record, TA, "alice", INC))
    screening.record_decision(review, ScreeningDecision(record, TA, "bruno", EXC))
    assert [c.record_id for c in screening.conflicts(review, TA)] == [record]
    screening.record_resolution(review, Resolution(record, TA, "carol", INC))
    assert screening.conflicts(review, TA) == []
    assert record in screening.queue_for(review, "alice", FT)


def test_resolving_a_record_without_conflict_is_refused(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    with pytest.raises(ReviewStateError, match="not in conflict"):
        screening.record_resolution(review, Resolution(record, TA, "carol", EXC))


def test_full_text_needs_a_listed_reason_and_a_passed_record(review: ReviewStore) -> None:
    first, second = screening.queue_for(review, "alice", TA)[:2]
    with pytest.raises(ReviewStateError, match="has not passed"):
        screening.record_decision(review, ScreeningDecision(first, FT, "alice", INC))
    for who in ("alice", "bruno"):
        screening.record_decision(review, ScreeningDecision(first, TA, who, INC))
    with pytest.raises(ValidationError, match="needs a reason"):
        screening.record_decision(review, ScreeningDecision(first, FT, "alice", EXC))
    with pytest.raises(ValidationError, match="not one of"):
        screening.record_decision(review, ScreeningDecision(first, FT, "alice", EXC, "Too old"))
    screening.record_decision(review, ScreeningDecision(first, FT, "alice", EXC, "Not randomized"))
    assert second not in screening.queue_for(review, "alice", FT)


def test_every_change_is_in_the_audit_log_with_before_and_after(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    screening.record_decision(review, ScreeningDecision(record, TA, "alice", INC))
    screening.record_decision(review, ScreeningDecision(record, TA, "alice", EXC, note="oops"))
    with review.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT actor, action, before, after FROM audit_log "
                "WHERE entity = 'screening_decision' ORDER BY id"
            )
        ).all()
    assert [(r.actor, r.action) for r in rows] == [("alice", "decide"), ("alice", "change")]
    import json

    def load(value: object) -> dict[str, object]:
        return value if isinstance(value, dict) else json.loads(str(value))

    assert load(rows[1].before)["decision"] == "include"
    assert load(rows[1].after)["decision"] == "exclude"
    assert load(rows[1].after)["note"] == "oops"


@pytest.mark.postgres
def test_two_reviewers_deciding_at_once_lose_nothing(pg_url: str, ris_file: object) -> None:
    from pathlib import Path

    from evidens.services.identification import dedup, imports
    from evidens.services.store import create_review

    store = create_review(pg_url, title="Concurrent")
    try:
        lines = []
        for i in range(60):
            lines += [
                "TY  - JOUR",
                f"TI  - Trial number {i} of a concurrent test",
                f"DO  - 10.2000/concurrent.{i}",
                "ER  - ",
            ]
        path = Path(str(ris_file)).with_name("many.ris")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        imports.import_file(store, path, source="PubMed", actor="importer")
        dedup.deduplicate(store, actor="importer")
        records = screening.queue_for(store, "alice", TA)
        assert len(records) == 60
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def screen(reviewer: str, decision: Decision) -> None:
            try:
                barrier.wait()
                for record in records:
                    screening.record_decision(
                        store, ScreeningDecision(record, TA, reviewer, decision)
                    )
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [
            threading.Thread(target=screen, args=("alice", INC)),
            threading.Thread(target=screen, args=("bruno", EXC)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with store.engine.connect() as conn:
            per_reviewer = dict(
                conn.execute(
                    text("SELECT reviewer, count(*) FROM screening_decisions GROUP BY reviewer")
                ).all()
            )
            audited = conn.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'decide'")
            ).scalar_one()
        assert per_reviewer == {"alice": 60, "bruno": 60}
        assert audited == 120
        assert len(screening.conflicts(store, TA)) == 60
    finally:
        store.dispose()
