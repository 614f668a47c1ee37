"""Screening aids over a review: ranking from final decisions, agreement per reviewer pair,
and a stop that excludes the rest only when a person accepts it (counted in PRISMA)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.errors import ReviewStateError
from evidens.screening.stopping import StoppingReport
from evidens.services.identification import imports
from evidens.services.reporting.prisma import prisma_counts
from evidens.services.screening import decisions as screening
from evidens.services.screening import prioritise
from evidens.services.store import ReviewStore, create_review

TA = Stage.TITLE_ABSTRACT
TOPICS = ["ketogenic diet infantile spasms trial", "knee surgery rehabilitation outcomes"]


@pytest.fixture
def many(tmp_path, store_url) -> ReviewStore:  # type: ignore[no-untyped-def]
    lines = []
    for i in range(40):
        topic = TOPICS[i % 2]
        lines += [
            "TY  - JOUR",
            f"TI  - Study {i} on {topic}",
            f"AB  - We report {topic} {i}.",
            f"DO  - 10.4000/rank.{i}",
            "ER  -",
        ]
    path = tmp_path / "many.ris"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = create_review(store_url, title="Ranking")
    imports.import_file(store, path, source="PubMed", actor="importer")
    yield store
    store.dispose()


def decide_both(store: ReviewStore, record: int, decision: Decision) -> None:
    for who in ("alice", "bruno"):
        screening.record_decision(store, ScreeningDecision(record, TA, who, decision))


def test_ranking_learns_from_final_decisions_and_says_why(many: ReviewStore) -> None:
    ids = screening.queue_for(many, "alice", TA)
    decide_both(many, ids[0], Decision.INCLUDE)  # a ketogenic diet record
    decide_both(many, ids[1], Decision.EXCLUDE)  # a knee surgery record
    ranked = prioritise.rank(many, TA, limit=10)
    assert all("ketogenic" in r.title for r in ranked[:10])
    assert any(term in ("ketogenic", "diet", "spasms", "infantile") for term in ranked[0].why)


def test_one_reviewers_open_decision_does_not_train_the_ranking(many: ReviewStore) -> None:
    ids = screening.queue_for(many, "alice", TA)
    screening.record_decision(many, ScreeningDecision(ids[0], TA, "alice", Decision.INCLUDE))
    screening.record_decision(many, ScreeningDecision(ids[1], TA, "alice", Decision.EXCLUDE))
    with pytest.raises(ReviewStateError, match="one included and one excluded"):
        prioritise.rank(many, TA)


def test_agreement_per_pair_of_reviewers(many: ReviewStore) -> None:
    ids = screening.queue_for(many, "alice", TA)
    for i, record in enumerate(ids[:10]):
        screening.record_decision(many, ScreeningDecision(record, TA, "alice", Decision.INCLUDE))
        other = Decision.EXCLUDE if i == 0 else Decision.INCLUDE
        screening.record_decision(many, ScreeningDecision(record, TA, "bruno", other))
    (pair,) = prioritise.agreement(many, TA)
    assert (pair.reviewer_a, pair.reviewer_b, pair.n) == ("alice", "bruno", 10)
    assert pair.observed == pytest.approx(0.9)


def test_an_accepted_stop_excludes_the_rest_by_automation_in_prisma(many: ReviewStore) -> None:
    ids = screening.queue_for(many, "alice", TA)
    for record in ids[:6]:
        decide_both(many, record, Decision.EXCLUDE)
    not_yet = StoppingReport(
        "n consecutive irrelevant", False, 6, 40, 0, None, None, None, None, None, "only 6 screened"
    )
    with pytest.raises(ReviewStateError, match="does not allow stopping"):
        prioritise.accept_stop(many, not_yet, actor="alice")
    reports = prioritise.stop_reports(many, TA, run=5)
    heuristic = next(r for r in reports if "consecutive" in r.rule)
    assert heuristic.stop
    assert prioritise.accept_stop(many, heuristic, actor="alice") == 34
    counts = prisma_counts(many)
    assert counts.records_screened == 40
    assert counts.records_excluded == 40
    assert counts.records_excluded_by_automation == 34
    assert screening.queue_for(many, "bruno", TA) == []


def test_agreement_leaves_out_records_still_waiting_for_a_reviewer(
    tmp_path: Path, store_url: str
) -> None:
    """With three reviewers required, two who have decided must not learn each other's
    decisions from the agreement table before the third has decided."""
    lines = []
    for i in range(4):
        lines += ["TY  - JOUR", f"TI  - Trial {i}", f"DO  - 10.4000/three.{i}", "ER  -"]
    path = tmp_path / "three.ris"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = create_review(
        store_url, title="Three", settings={"reviewers_required": {"title_abstract": 3}}
    )
    try:
        imports.import_file(store, path, source="PubMed", actor="importer")
        ids = screening.queue_for(store, "alice", TA)
        inc, exc = Decision.INCLUDE, Decision.EXCLUDE
        votes = {"alice": (inc, inc, exc, exc), "bruno": (inc, exc, inc, exc)}
        for who, decisions in votes.items():
            for record, decision in zip(ids, decisions, strict=True):
                screening.record_decision(store, ScreeningDecision(record, TA, who, decision))
        assert prioritise.agreement(store, TA) == []  # no record is complete yet
        for record, decision in zip(ids[:2], (inc, exc), strict=True):
            screening.record_decision(store, ScreeningDecision(record, TA, "carol", decision))
        pairs = {(p.reviewer_a, p.reviewer_b): p.n for p in prioritise.agreement(store, TA)}
        # only the two complete records count, for every pair
        assert pairs == {("alice", "bruno"): 2, ("alice", "carol"): 2, ("bruno", "carol"): 2}
    finally:
        store.dispose()


def test_why_a_record_is_ranked_high_names_informative_terms_not_stop_words(
    many: ReviewStore,
) -> None:
    ids = screening.queue_for(many, "alice", TA)
    decide_both(many, ids[0], Decision.INCLUDE)
    decide_both(many, ids[1], Decision.EXCLUDE)
    ranked = prioritise.rank(many, TA, limit=10)
    stop = {"on", "we", "the", "of", "and"}
    for view in ranked:
        assert view.why, view
        assert not any(w in stop or w.isdigit() for term in view.why for w in term.split())
    assert set(ranked[0].why) & {"ketogenic", "diet", "spasms", "infantile", "ketogenic diet"}


def test_stop_words_numbers_and_single_letters_are_left_out_of_the_reasons() -> None:
    terms = ["of the", "the", "ketogenic", "on ketogenic", "2021", "a", "diet", "x ray", "spasms"]
    assert prioritise.informative_terms(terms, n=3) == ("ketogenic", "diet", "spasms")
