"""Blinding and locking as rules of the services (issue: a reviewer could learn a teammate's
vote by deciding, then change their own to match). A teammate's decision is shown only once
a record is final; once a record has every decision it needs, each decision is locked, and
only a resolver can reopen it, with a reason kept in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.errors import ConfirmationNeededError, ConflictError, ReviewStateError, ValidationError
from evidens.services.review import accounts
from evidens.services.screening import decisions as screening
from evidens.services.screening.session import undo_last
from evidens.services.screening.state import decisions_visible_to
from evidens.services.store import ReviewStore, transaction
from evidens.services.web import setup as web_setup
from evidens.services.web import views as web_views
from evidens.store.models import AuditRow

TA = Stage.TITLE_ABSTRACT
INC, EXC, MAY = Decision.INCLUDE, Decision.EXCLUDE, Decision.MAYBE


def _decide(
    store: ReviewStore, record: int, who: str, what: Decision, note: str | None = None
) -> None:
    screening.record_decision(store, ScreeningDecision(record, TA, who, what, note=note))


def _audit(store: ReviewStore, action: str) -> list[AuditRow]:
    with transaction(store, "test") as uow:
        return list(uow.session.scalars(select(AuditRow).where(AuditRow.action == action)))


def _conflicts(store: ReviewStore) -> list[int]:
    return [c.record_id for c in screening.conflicts(store, TA)]


def test_deciding_does_not_show_a_teammates_vote_on_a_record_in_conflict(
    review: ReviewStore,
) -> None:
    """Finding 1: Alice says maybe, Bruno includes. The record is complete but in conflict,
    not final: Bruno still sees only his own vote, cannot change it or withdraw it, and the
    conflict stays for a resolver (the count does not drop)."""
    record = screening.queue_for(review, "alice", TA)[0]
    _decide(review, record, "alice", MAY)
    _decide(review, record, "bruno", INC)
    seen = decisions_visible_to(review, "bruno", record, TA)
    assert [(d.reviewer, d.decision) for d in seen] == [("bruno", INC)]
    assert _conflicts(review) == [record]
    with pytest.raises(ConflictError, match=r"locked.*resolver can reopen"):
        _decide(review, record, "bruno", MAY)
    with pytest.raises(ConflictError, match="locked"):
        undo_last(review, "bruno", TA, [record])
    assert _conflicts(review) == [record]
    votes = {d.reviewer: d.decision for d in screening.conflicts(review, TA)[0].decisions}
    assert votes == {"alice": MAY, "bruno": INC}


def test_an_agreed_record_is_shown_to_both_and_locked(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    _decide(review, record, "alice", MAY)
    _decide(review, record, "bruno", MAY)
    seen = decisions_visible_to(review, "bruno", record, TA)
    assert sorted(d.reviewer for d in seen) == ["alice", "bruno"]
    with pytest.raises(ConflictError, match="locked"):
        _decide(review, record, "alice", EXC)
    with pytest.raises(ConflictError, match="already has every"):
        _decide(review, record, "carol", EXC)  # a third person cannot tip it into conflict
    _decide(review, record, "alice", MAY)  # sending the same decision again changes nothing
    assert len(_audit(review, "change")) == 0
    # agreement statistics read the votes as first made
    with transaction(review, "test") as uow:
        made = {(d.reviewer, d.decision) for d in screening.complete_decisions(uow, TA)}
    assert made == {("alice", MAY), ("bruno", MAY)}


def test_an_open_record_can_still_be_changed_and_undone(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    _decide(review, record, "alice", INC)
    _decide(review, record, "alice", EXC)
    assert undo_last(review, "alice", TA, [record]) == record
    assert decisions_visible_to(review, "alice", record, TA) == ()


def test_a_resolver_reopens_a_record_with_a_reason_and_it_goes_back_to_its_reviewers(
    review: ReviewStore,
) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    _decide(review, record, "alice", INC)
    with pytest.raises(ReviewStateError, match="still open"):
        screening.reopen_record(review, record, TA, reason="misclick", resolver="rita")
    _decide(review, record, "bruno", EXC)
    with pytest.raises(ValidationError, match="needs a reason"):
        screening.reopen_record(review, record, TA, reason=" ", resolver="rita")
    assert screening.reopen_record(review, record, TA, reason="Bruno misclicked", resolver="rita")
    assert _conflicts(review) == []
    assert record in screening.queue_for(review, "alice", TA)
    assert record in screening.queue_for(review, "bruno", TA)
    (entry,) = _audit(review, "reopen")
    assert entry.actor == "rita"
    assert entry.after == {"stage": "title_abstract", "reason": "Bruno misclicked"}
    kept = {(d["by"], d["decision"]) for d in entry.before["decisions"]}
    assert kept == {("alice", "include"), ("bruno", "exclude")}  # nothing is lost
    _decide(review, record, "bruno", INC)  # decided afresh, blind again
    assert decisions_visible_to(review, "alice", record, TA) == ()


def test_a_pilot_record_locks_only_when_its_whole_team_has_decided(review: ReviewStore) -> None:
    for name in ("alice", "bruno", "rita"):
        accounts.add_member(review, name, "reviewer", actor="owner")
    record, _ = web_setup.start_pilot(review, 2, actor="owner")
    _decide(review, record, "alice", INC)
    _decide(review, record, "bruno", EXC)
    _decide(review, record, "alice", EXC)  # two of three: still open, so still hers to change
    _decide(review, record, "rita", INC)
    with pytest.raises(ConflictError, match="locked"):
        _decide(review, record, "alice", INC)


def test_a_changed_decision_keeps_the_earlier_note(review: ReviewStore) -> None:
    """Finding 6: re-deciding without a note does not erase the note."""
    record = screening.queue_for(review, "alice", TA)[0]
    _decide(review, record, "alice", MAY, note="check the age range")
    _decide(review, record, "alice", INC)
    (mine,) = decisions_visible_to(review, "alice", record, TA)
    assert (mine.decision, mine.note) == (INC, "check the age range")
    _decide(review, record, "alice", INC, note="adults excluded")
    (mine,) = decisions_visible_to(review, "alice", record, TA)
    assert mine.note == "adults excluded"


def test_fewer_reviewers_required_asks_for_confirmation_and_audits_its_effect(
    review: ReviewStore,
) -> None:
    """Finding 7: setting one reviewer would make every single-vote record final at once."""
    first, second, *_ = screening.queue_for(review, "alice", TA)
    _decide(review, first, "alice", INC)
    _decide(review, second, "alice", EXC)
    setup = web_setup.read_setup(review)
    lowered = web_setup.Setup(**{**setup.__dict__, "reviewers_required": {"title_abstract": 1}})
    with pytest.raises(ConfirmationNeededError, match="2 records at title/abstract"):
        web_setup.save_setup(review, lowered, actor="owner")
    assert web_setup.read_setup(review).reviewers_required["title_abstract"] == 2
    assert decisions_visible_to(review, "bruno", first, TA) == ()
    web_setup.save_setup(review, lowered, actor="owner", confirm=True)
    assert [d.reviewer for d in decisions_visible_to(review, "bruno", first, TA)] == ["alice"]
    (entry,) = _audit(review, "complete_records")
    assert entry.after == {"records": {"title_abstract": 2}}
    assert entry.actor == "owner"


def test_record_lists_show_a_reviewer_only_their_own_state_of_open_records(
    review: ReviewStore,
) -> None:
    """Finding 5: "pending" appeared once anyone had decided an open record."""
    first, second, *_ = screening.queue_for(review, "alice", TA)
    _decide(review, first, "alice", INC)
    _decide(review, second, "alice", INC)
    _decide(review, second, "bruno", EXC)

    def shown(viewer: str, resolver: bool) -> dict[int, tuple[tuple[str, str], ...]]:
        lines, _ = web_views.records_in_box(
            review, "records_identified", viewer=viewer, resolver=resolver
        )
        return {line.record_id: line.statuses for line in lines}

    assert shown("bruno", False)[first] == ()
    assert shown("alice", False)[first] == (("title_abstract", "your decision: include"),)
    assert shown("alice", False)[second] == (("title_abstract", "your decision: include"),)
    assert shown("rita", True)[second] == (("title_abstract", "conflict"),)
    assert shown("rita", True)[first] == ()
