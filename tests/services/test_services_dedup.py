"""De-duplication over the store: a person's decisions win and survive new imports, a merge
can be undone, and screened records keep their decisions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event, text

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.services.identification import dedup, imports
from evidens.services.screening import decisions as screening
from evidens.services.store import ReviewStore


def cluster_sizes(store: ReviewStore) -> list[int]:
    with store.engine.connect() as conn:
        return sorted(
            conn.execute(
                text(
                    "SELECT count(*) FROM records WHERE cluster_id IS NOT NULL GROUP BY cluster_id"
                )
            )
            .scalars()
            .all()
        )


def record_ids(store: ReviewStore) -> list[int]:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT id FROM records ORDER BY id")).scalars().all()


def test_the_same_article_from_two_exports_is_one_record_to_screen(review: ReviewStore) -> None:
    assert cluster_sizes(review) == [2]
    assert len(screening.queue_for(review, "alice", Stage.TITLE_ABSTRACT)) == 4


def test_keep_apart_undoes_a_merge_and_merge_redoes_it(review: ReviewStore) -> None:
    first, *_, last = record_ids(review)
    dedup.decide_pair(review, first, last, same=False, actor="alice")
    summary = dedup.deduplicate(review, actor="alice")
    assert summary.duplicates_removed == 0
    assert cluster_sizes(review) == []
    dedup.decide_pair(review, first, last, same=True, actor="alice")
    dedup.deduplicate(review, actor="alice")
    assert cluster_sizes(review) == [2]
    with review.engine.connect() as conn:
        assert conn.execute(text("SELECT decided_by FROM duplicate_clusters")).scalar() == "person"


def test_new_imports_keep_manual_decisions_and_screening(
    review: ReviewStore, tmp_path: Path
) -> None:
    first, *_, last = record_ids(review)
    dedup.decide_pair(review, first, last, same=False, actor="alice")
    dedup.deduplicate(review, actor="alice")
    screened = screening.queue_for(review, "alice", Stage.TITLE_ABSTRACT)[0]
    screening.record_decision(
        review, ScreeningDecision(screened, Stage.TITLE_ABSTRACT, "alice", Decision.INCLUDE)
    )
    again = tmp_path / "embase.ris"
    again.write_text(
        "TY  - JOUR\nTI  - Ketogenic diet for refractory spasms in infants: a randomized "
        "trial\nAU  - Rivera, Ana\nPY  - 2020\nDO  - 10.1000/evidens.test.1\nER  -\n",
        encoding="utf-8",
    )
    imports.import_file(review, again, source="Embase", actor="importer")
    dedup.deduplicate(review, actor="importer")
    with review.engine.connect() as conn:
        kept = conn.execute(
            text(
                "SELECT record_a_id, record_b_id, same FROM duplicate_pair_decisions "
                "WHERE same IS NOT NULL"
            )
        ).all()
        canonical = conn.execute(
            text(
                "SELECT c.canonical_record_id FROM records r JOIN duplicate_clusters c "
                "ON c.id = r.cluster_id WHERE r.id = :id"
            ),
            {"id": screened},
        ).scalar()
    assert [tuple(k) for k in kept] == [(first, last, False)]
    # the screened record stays the one screening sees, whatever joined its cluster
    assert canonical in (None, screened)
    assert screened in screening.queue_for(review, "bruno", Stage.TITLE_ABSTRACT)


def _statements(review: ReviewStore, run: Callable[[], object]) -> list[str]:
    """The SQL statements ``run`` sends to the store."""
    seen: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(review.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(review.engine, "before_cursor_execute", note)
    return seen


def clusters(review: ReviewStore) -> dict[int, list[int]]:
    with review.engine.connect() as conn:
        rows = conn.execute(text("SELECT cluster_id, id FROM records WHERE cluster_id IS NOT NULL"))
        found: dict[int, list[int]] = {}
        for cluster_id, record_id in rows:
            found.setdefault(cluster_id, []).append(record_id)
    return {k: sorted(v) for k, v in found.items()}


def test_a_run_that_changes_nothing_writes_no_record(review: ReviewStore) -> None:
    before = clusters(review)
    assert len(before) == 1
    sent = _statements(review, lambda: dedup.deduplicate(review, actor="alice"))
    writes = [s for s in sent if s.startswith(("UPDATE records", "DELETE FROM duplicate_clusters"))]
    assert writes == []  # each record used to be rewritten (a dead row version each)
    assert clusters(review) == before  # the cluster keeps its row and id


def test_only_the_records_whose_cluster_changes_are_written(review: ReviewStore) -> None:
    (members,) = clusters(review).values()
    dedup.decide_pair(review, *members, same=False, actor="alice")
    sent = _statements(review, lambda: dedup.deduplicate(review, actor="alice"))
    updates = [s for s in sent if s.startswith("UPDATE records")]
    assert len(updates) == 1
    assert "cluster_id" in updates[0]
    assert clusters(review) == {}
    with review.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM duplicate_clusters")).scalar() == 0
    dedup.decide_pair(review, *members, same=True, actor="alice")
    dedup.deduplicate(review, actor="alice")
    assert list(clusters(review).values()) == [members]
