"""Stored screening statuses (the twelfth migration, evidens.services.screening.statuses):
after any sequence of decisions, changed minds, undos, resolutions, reopenings and settings
changes, the stored status of every record equals the one derived from its decisions; two
reviewers deciding one record at the same instant on PostgreSQL leave the status both
decisions make; a store whose statuses are not stored reads derived ones, and pages that
only read never write them."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, func, inspect, select, text

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import EvidensError
from evidens.screening.workflow import Status
from evidens.services.identification import dedup, imports
from evidens.services.screening import decisions as screening
from evidens.services.screening import status_reads, statuses
from evidens.services.store import ReviewStore, create_review, transaction
from evidens.store import current_revision, head_revision, upgrade
from evidens.store.migrate import alembic_config
from evidens.store.models import ReviewRow, ScreeningDecisionRow
from evidens.store.status_models import ScreeningStatusBuildRow, ScreeningStatusRow

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
PEOPLE = ("alice", "bruno", "carol")


def _stored(store: ReviewStore, stage: Stage) -> dict[int, Status]:
    with transaction(store, "test") as uow:
        assert statuses.is_stored(uow, stage), "a write left the statuses unstored"
        return status_reads.stored_statuses(uow, stage)


def _read(store: ReviewStore, stage: Stage) -> dict[int, Status]:
    with transaction(store, "test") as uow:
        return screening.stage_statuses(uow, stage)


def _derived(store: ReviewStore, stage: Stage) -> dict[int, Status]:
    with transaction(store, "test") as uow:
        return statuses.derive(uow, stage)


def _step(store: ReviewStore, rng: random.Random, records: list[int]) -> None:
    record, who = rng.choice(records), rng.choice(PEOPLE)
    stage = rng.choice((TA, TA, FT))
    action = rng.choice(("decide", "decide", "decide", "resolve", "reopen", "undo", "settings"))
    reason = "Not randomized"
    if action == "decide":
        decision = rng.choice(list(Decision))
        screening.record_decision(store, ScreeningDecision(record, stage, who, decision, reason))
    elif action == "resolve":
        decision = rng.choice(list(Decision))
        screening.record_resolution(store, Resolution(record, stage, who, decision, reason))
    elif action == "reopen":
        screening.reopen_record(store, record, stage, reason="second look", resolver=who)
    elif action == "undo":
        with transaction(store, who) as uow:
            row = uow.session.scalar(
                select(ScreeningDecisionRow).where(
                    ScreeningDecisionRow.record_id == record,
                    ScreeningDecisionRow.reviewer == who,
                    ScreeningDecisionRow.stage == stage.value,
                )
            )
            if row is not None:
                uow.session.delete(row)
    else:
        with transaction(store, "owner") as uow:
            review = uow.session.get(ReviewRow, uow.review_id)
            assert review is not None
            review.settings = {
                **(review.settings or {}),
                "reviewers_required": {"title_abstract": rng.choice((1, 2, 3)), "full_text": 2},
                "maybe_is_conflict": rng.choice((True, False)),
            }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_statuses_equal_the_derived_ones_after_every_step(
    review: ReviewStore, seed: int
) -> None:
    rng = random.Random(seed)
    records = screening.queue_for(review, "alice", TA)
    applied = 0
    for _ in range(60):
        try:
            _step(review, rng, records)
            applied += 1
        except EvidensError:
            pass  # refused (a locked record, no conflict to resolve...): nothing changes
        for stage in Stage:
            assert _stored(review, stage) == _derived(review, stage)
    assert applied >= 20  # the walk did change the review, not only refuse


@pytest.mark.postgres
def test_two_reviewers_deciding_one_record_at_once_leave_both_in_its_status(
    pg_url: str, ris_file: Path
) -> None:
    store = create_review(
        pg_url, title="Race", settings={"reviewers_required": {"title_abstract": 2}}
    )
    try:
        many = ris_file.with_name("race.ris")
        many.write_text(
            "".join(
                f"TY  - JOUR\nTI  - Race trial {i}\nDO  - 10.3000/race.{i}\nER  - \n"
                for i in range(40)
            ),
            encoding="utf-8",
        )
        imports.import_file(store, many, source="PubMed", actor="importer")
        dedup.deduplicate(store, actor="importer")
        records = screening.queue_for(store, "alice", TA)
        barrier, errors = threading.Barrier(2), []

        def screen(reviewer: str, decision: Decision) -> None:
            try:
                for record in records:
                    barrier.wait(timeout=60)  # both decide each record at the same instant
                    screening.record_decision(
                        store, ScreeningDecision(record, TA, reviewer, decision)
                    )
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [
            threading.Thread(target=screen, args=("alice", Decision.INCLUDE)),
            threading.Thread(target=screen, args=("bruno", Decision.EXCLUDE)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        stored = _stored(store, TA)
        assert stored == _derived(store, TA)
        assert {s.kind.value for s in stored.values()} == {"conflict"}
        assert {s.decided_by for s in stored.values()} == {("alice", "bruno")}
        assert len(stored) == len(records) == 40
    finally:
        store.dispose()


def test_unstored_statuses_are_derived_by_readers_and_stored_by_the_next_change(
    review: ReviewStore,
) -> None:
    first, second = screening.queue_for(review, "alice", TA)[:2]
    for who in ("alice", "bruno"):
        screening.record_decision(review, ScreeningDecision(first, TA, who, Decision.INCLUDE))
    before = _stored(review, TA)
    with transaction(review, "test") as uow:  # as after the upgrade of an older store
        uow.session.execute(delete(ScreeningStatusBuildRow))
        uow.session.execute(delete(ScreeningStatusRow))
    assert _read(review, TA) == before  # derived, not read
    assert [c.record_id for c in screening.conflicts(review, TA)] == []
    with review.engine.connect() as conn:  # reading wrote nothing
        assert conn.execute(select(func.count()).select_from(ScreeningStatusRow)).scalar() == 0
    screening.record_decision(review, ScreeningDecision(second, TA, "alice", Decision.EXCLUDE))
    after = _stored(review, TA)
    assert after[first] == before[first]
    assert after[second].decided_by == ("alice",)


def test_decisions_written_around_the_session_are_picked_up_by_rederive(
    review: ReviewStore,
) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    assert record not in _read(review, TA)
    with transaction(review, "bulk") as uow:
        for who in ("alice", "bruno"):
            uow.session.execute(
                text(
                    "INSERT INTO screening_decisions (review_id, record_id, stage, reviewer, "
                    "decision, decided_at) VALUES (:r, :rec, 'title_abstract', :who, "
                    "'include', CURRENT_TIMESTAMP)"
                ),
                {"r": uow.review_id, "rec": record, "who": who},
            )
        statuses.rederive(uow)
    assert _stored(review, TA)[record].final is Decision.INCLUDE


def test_statuses_migration_upgrades_and_downgrades(store_url: str) -> None:
    store = create_review(store_url, title="A review")
    engine = store.engine
    command.downgrade(alembic_config(engine), "0011")
    assert "screening_statuses" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    assert {"screening_statuses", "screening_status_builds"} <= set(
        inspect(engine).get_table_names()
    )
    command.downgrade(alembic_config(engine), "0011")
    assert "screening_status_builds" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM reviews")).scalar_one() == "A review"
    store.dispose()


def test_a_store_rebuilt_at_the_same_address_is_not_read_from_the_servers_memory(
    tmp_path: Path, ris_file: Path
) -> None:
    """``evidens run`` rebuilds review.db in place while a server may hold its statuses."""
    path = tmp_path / "rebuilt.db"
    seen, record = [], 0
    for decision in (Decision.INCLUDE, Decision.EXCLUDE):
        path.unlink(missing_ok=True)
        store = create_review(
            str(path), title="Rebuilt", settings={"reviewers_required": {"title_abstract": 1}}
        )
        imports.import_file(store, ris_file, source="PubMed", actor="importer")
        # the same record, at the same version, in both stores (nothing read in between)
        record = record or screening.queue_for(store, "alice", TA)[0]
        screening.record_decision(store, ScreeningDecision(record, TA, "alice", decision))
        seen.append(_read(store, TA)[record].final)
        store.dispose()
    assert seen == [Decision.INCLUDE, Decision.EXCLUDE]


def test_conflicts_reports_and_my_decisions_come_a_page_at_a_time(review: ReviewStore) -> None:
    from evidens.services.screening import fulltext
    from evidens.services.web import record_search

    records = screening.queue_for(review, "alice", TA)
    for record in records[:3]:
        screening.record_decision(review, ScreeningDecision(record, TA, "alice", Decision.INCLUDE))
        screening.record_decision(review, ScreeningDecision(record, TA, "bruno", Decision.MAYBE))
    first, total = screening.conflicts_page(review, TA, 1, size=2)
    second, _ = screening.conflicts_page(review, TA, 2, size=2)
    assert total == 3
    assert [c.record_id for c in first + second] == sorted(records[:3])
    for record in records[:3]:
        screening.record_resolution(review, Resolution(record, TA, "carol", Decision.INCLUDE))
    shown, sought = fulltext.retrievals_page(review, 2, size=2)
    assert (sought, [r.record_id for r in shown]) == (3, [sorted(records[:3])[2]])
    mine, made = record_search.my_decisions(review, "alice", TA, page=1)
    assert made == 3
    assert [d.record_id for d in mine] == list(reversed(records[:3]))  # latest first
    assert all(d.locked for d in mine)


def test_a_transaction_touching_many_records_derives_the_stage_whole(
    review: ReviewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``evidens run`` records a folder's whole decision log in one transaction."""
    monkeypatch.setattr(statuses, "WHOLE_ABOVE", 2)
    whole = []
    derive_and_store = statuses.derive_and_store

    def counted(uow: object, stage: Stage, *, again: bool = False) -> None:
        whole.append(again)
        derive_and_store(uow, stage, again=again)  # type: ignore[arg-type]

    monkeypatch.setattr(statuses, "derive_and_store", counted)
    records = screening.queue_for(review, "alice", TA)
    with transaction(review, "alice") as uow:
        for record in records:
            screening.decide(uow, ScreeningDecision(record, TA, "alice", Decision.EXCLUDE))
    stored = _stored(review, TA)
    assert stored == _derived(review, TA)
    assert set(stored) == set(records)
    assert whole == [True]  # the whole stage, once, not the records one by one
