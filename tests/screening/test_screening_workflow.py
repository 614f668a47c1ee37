"""Workflow rules: record status, blinding and 'an include is never dropped silently'."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import ValidationError
from evidens.screening.workflow import (
    StatusKind,
    conflicts,
    record_status,
    statuses_by_record,
    visible_decisions,
)

TA = Stage.TITLE_ABSTRACT


def d(
    reviewer: str, decision: str, record: int = 1, minute: int | None = None
) -> ScreeningDecision:
    at = None if minute is None else dt.datetime(2026, 1, 1, 12, minute, tzinfo=dt.UTC)
    return ScreeningDecision(record, TA, reviewer, Decision(decision), decided_at=at)


def test_pending_until_all_required_reviewers_decided() -> None:
    status = record_status([d("ann", "include")], None, 2, maybe_is_conflict=False)
    assert status.kind is StatusKind.PENDING
    assert status.final is None
    assert status.missing == 1


def test_agreement_gives_the_shared_decision() -> None:
    status = record_status(
        [d("ann", "exclude"), d("bob", "exclude")], None, 2, maybe_is_conflict=False
    )
    assert (status.kind, status.final, status.decided_by) == (
        StatusKind.AGREED, Decision.EXCLUDE, ("ann", "bob"),
    )  # fmt: skip


def test_include_against_exclude_is_a_conflict_without_a_decision() -> None:
    status = record_status(
        [d("ann", "include"), d("bob", "exclude")], None, 2, maybe_is_conflict=False
    )
    assert status.kind is StatusKind.CONFLICT
    assert status.final is None


def test_maybe_is_a_conflict_only_when_configured() -> None:
    both_maybe = [d("ann", "maybe"), d("bob", "maybe")]
    assert record_status(both_maybe, None, 2, maybe_is_conflict=False).final is Decision.MAYBE
    assert record_status(both_maybe, None, 2, maybe_is_conflict=True).kind is StatusKind.CONFLICT
    single = record_status([d("ann", "maybe")], None, 1, maybe_is_conflict=True)
    assert single.kind is StatusKind.CONFLICT


def test_resolution_is_final_and_names_the_resolver() -> None:
    resolution = Resolution(1, TA, "cy", Decision.INCLUDE)
    status = record_status(
        [d("ann", "include"), d("bob", "exclude")], resolution, 2, maybe_is_conflict=False
    )
    assert (status.kind, status.final, status.resolver) == (
        StatusKind.RESOLVED,
        Decision.INCLUDE,
        "cy",
    )


def test_a_changed_decision_replaces_the_earlier_one() -> None:
    decisions = [
        d("ann", "include", minute=5),
        d("bob", "exclude", minute=6),
        d("bob", "include", minute=9),
    ]
    status = record_status(decisions, None, 2, maybe_is_conflict=False)
    assert status.final is Decision.INCLUDE


def test_decisions_of_two_records_are_refused() -> None:
    with pytest.raises(ValidationError, match="one record"):
        record_status(
            [d("ann", "include", 1), d("bob", "include", 2)], None, 2, maybe_is_conflict=False
        )


def test_required_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        record_status([], None, 0, maybe_is_conflict=False)


def test_statuses_and_conflicts_over_many_records() -> None:
    decisions = [
        d("ann", "include", 1),
        d("bob", "exclude", 1),
        d("ann", "exclude", 2),
        d("bob", "exclude", 2),
    ]
    statuses = statuses_by_record(decisions, [], 2, maybe_is_conflict=False)
    assert conflicts(statuses) == ((1, TA),)
    assert statuses[(2, TA)].final is Decision.EXCLUDE


def test_blinding_hides_other_reviewers_until_complete() -> None:
    decisions = [d("ann", "include", 1), d("bob", "exclude", 2), d("ann", "exclude", 2)]
    seen_by_bob = visible_decisions(decisions, "bob", 2)
    # record 1: only ann decided -> bob sees nothing; record 2: complete -> bob sees both.
    assert {(x.record_id, x.reviewer) for x in seen_by_bob} == {(2, "bob"), (2, "ann")}
    assert {(x.record_id, x.reviewer) for x in visible_decisions(decisions, "ann", 2)} == {
        (1, "ann"), (2, "bob"), (2, "ann"),
    }  # fmt: skip


REVIEWERS = st.sampled_from(["ann", "bob", "cy"])
DECISIONS = st.builds(
    lambda record, reviewer, value: ScreeningDecision(record, TA, reviewer, Decision(value)),
    st.integers(1, 4),
    REVIEWERS,
    st.sampled_from(["include", "exclude", "maybe"]),
)


@given(st.lists(DECISIONS, max_size=15), REVIEWERS, st.integers(1, 3))
def test_property_no_open_decision_of_another_reviewer_is_visible(
    decisions: list[ScreeningDecision], viewer: str, required: int
) -> None:
    visible = visible_decisions(decisions, viewer, required)
    for item in visible:
        if item.reviewer != viewer:
            reviewers = {x.reviewer for x in decisions if x.record_id == item.record_id}
            assert len(reviewers) >= required
    own = [x for x in decisions if x.reviewer == viewer]
    assert all(x in visible for x in own)


@given(st.lists(DECISIONS, min_size=1, max_size=15), st.integers(1, 3), st.booleans())
def test_property_an_include_is_never_silently_excluded(
    decisions: list[ScreeningDecision], required: int, maybe_is_conflict: bool
) -> None:
    for (_record, _stage), status in statuses_by_record(
        decisions, [], required, maybe_is_conflict=maybe_is_conflict
    ).items():
        record_decisions = [x for x in decisions if x.record_id == _record]
        latest = {x.reviewer: x.decision for x in record_decisions}
        if Decision.INCLUDE in latest.values():
            assert status.final is not Decision.EXCLUDE
            assert status.kind in (StatusKind.PENDING, StatusKind.AGREED, StatusKind.CONFLICT)
