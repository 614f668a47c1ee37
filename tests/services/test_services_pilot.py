"""A pilot record is complete only when its whole pilot team has decided it, everywhere the
review is read: PRISMA counts, agreement, conflicts and what one reviewer may see. Two of a
three-person team must not settle it (the stage's usual rule is two reviewers)."""

from __future__ import annotations

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.screening.stopping import StoppingReport
from evidens.screening.workflow import StatusKind
from evidens.services.reporting import prisma
from evidens.services.review import accounts
from evidens.services.screening import decisions as screening
from evidens.services.screening import prioritise
from evidens.services.screening import state as screening_state
from evidens.services.store import ReviewStore, transaction
from evidens.services.web import setup as web_setup

INCLUDE, EXCLUDE = Decision.INCLUDE, Decision.EXCLUDE


def _decide(store: ReviewStore, record: int, reviewer: str, decision: Decision) -> None:
    made = ScreeningDecision(record, Stage.TITLE_ABSTRACT, reviewer, decision)
    screening.record_decision(store, made)


def _pairs(store: ReviewStore) -> set[tuple[str, str]]:
    return {(a.reviewer_a, a.reviewer_b) for a in prioritise.agreement(store)}


def test_two_of_a_three_person_pilot_team_do_not_settle_a_record(review: ReviewStore) -> None:
    for name in ("alice", "bruno", "rita"):
        accounts.add_member(review, name, "reviewer", actor="owner")
    agreed, disputed = web_setup.start_pilot(review, 2, actor="owner")
    for record, alice, bruno in ((agreed, INCLUDE, INCLUDE), (disputed, EXCLUDE, INCLUDE)):
        _decide(review, record, "alice", alice)
        _decide(review, record, "bruno", bruno)

    # under the usual two-reviewer rule both would be complete: one included, one in conflict
    assert prisma.prisma_counts(review).records_screened == 0
    assert screening.conflicts(review, Stage.TITLE_ABSTRACT) == []
    assert _pairs(review) == set()
    with transaction(review, "test") as uow:
        assert screening.complete_decisions(uow, Stage.TITLE_ABSTRACT) == []
    assert screening_state.decisions_visible_to(review, "rita", agreed, Stage.TITLE_ABSTRACT) == ()
    seen = screening_state.decisions_visible_to(review, "alice", agreed, Stage.TITLE_ABSTRACT)
    assert [d.reviewer for d in seen] == ["alice"]

    _decide(review, agreed, "rita", INCLUDE)
    _decide(review, disputed, "rita", EXCLUDE)
    assert prisma.prisma_counts(review).records_screened == 1  # the other awaits a resolver
    assert [c.record_id for c in screening.conflicts(review, Stage.TITLE_ABSTRACT)] == [disputed]
    seen = screening_state.decisions_visible_to(review, "rita", agreed, Stage.TITLE_ABSTRACT)
    assert {d.reviewer for d in seen} == {"alice", "bruno", "rita"}
    assert _pairs(review) == {("alice", "bruno"), ("alice", "rita"), ("bruno", "rita")}


def test_a_resolution_settles_an_open_pilot_record_everywhere(review: ReviewStore) -> None:
    """An accepted stop excludes the pilot records nobody had decided; the record list,
    PRISMA and the decide step (:func:`record_state`) all see them final."""
    for name in ("alice", "bruno", "rita"):
        accounts.add_member(review, name, "reviewer", actor="owner")
    first, second = web_setup.start_pilot(review, 2, actor="owner")
    _decide(review, first, "alice", INCLUDE)
    stop = StoppingReport("a rule", True, 1, 4, 0, None, None, None, None, None, "stopped")
    excluded = prioritise.accept_stop(review, stop, actor="owner")
    assert excluded >= 1
    with transaction(review, "test") as uow:
        statuses = screening.stage_statuses(uow, Stage.TITLE_ABSTRACT)
        one = screening_state.record_state(uow, second, Stage.TITLE_ABSTRACT).status
        other = screening_state.record_state(uow, first, Stage.TITLE_ABSTRACT).status
    assert statuses[second] == one
    assert one.kind is StatusKind.RESOLVED
    assert one.final is EXCLUDE
    assert statuses[first] == other  # decided by one of three: still waiting for its team
    assert other.kind is StatusKind.PENDING
