"""Screening labels as a rule of the services: a reviewer's labels are their own until the
record is final at the stage they were given at (agreed or resolved), then the team's, on
every reading (record, card, list filter, audit page); each change is audited; bad labels
are refused in one line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import NotFoundError, PermissionDeniedError, ReviewStateError, ValidationError
from evidens.services.review import accounts
from evidens.services.screening import decisions as screening
from evidens.services.screening import labels
from evidens.services.store import ReviewStore, transaction
from evidens.services.web import record_search, team
from evidens.store.models import AuditRow

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
INC, EXC = Decision.INCLUDE, Decision.EXCLUDE


def _decide(store: ReviewStore, record: int, who: str, what: Decision, stage: Stage = TA) -> None:
    screening.record_decision(store, ScreeningDecision(record, stage, who, what))


def _seen(store: ReviewStore, viewer: str, record: int) -> list[tuple[str, str]]:
    return [(x.member, x.label) for x in labels.visible_labels(store, viewer, record)]


def _listed(store: ReviewStore, viewer: str, label: str) -> list[int]:
    wanted = record_search.RecordFilter(label=label)
    lines, _ = record_search.search_records(store, wanted, viewer=viewer, resolver=False)
    return [line.record_id for line in lines]


def test_labels_are_added_once_removed_and_audited(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    assert labels.label_record(review, record, TA, "alice", "  Check   protocol ")
    assert not labels.label_record(review, record, TA, "alice", "check PROTOCOL")  # the same
    assert labels.label_record(review, record, TA, "alice", "background")
    other = screening.queue_for(review, "alice", TA)[1]
    labels.label_record(review, other, TA, "alice", "CHECK protocol")  # her earlier spelling
    assert _seen(review, "alice", other) == [("alice", "Check protocol")]
    with transaction(review, "alice") as uow:
        assert labels.used_by(uow, "alice") == ["Check protocol", "background"]
    assert labels.label_record(review, record, TA, "alice", "BACKGROUND", drop=True)
    assert not labels.label_record(review, record, TA, "alice", "background", drop=True)
    assert _seen(review, "alice", record) == [("alice", "Check protocol")]
    with transaction(review, "test") as uow:
        rows = uow.session.scalars(select(AuditRow).where(AuditRow.entity == "record_label"))
        made = [(r.actor, r.action, (r.after or r.before or {}).get("label")) for r in rows]
    assert made == [
        ("alice", "label", "Check protocol"),
        ("alice", "label", "background"),
        ("alice", "label", "Check protocol"),
        ("alice", "unlabel", "background"),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "cannot be empty"),
        ("   \t ", "cannot be empty"),
        ("x" * 61, "at most 60 characters"),
        ("a\x00b", "control characters"),
    ],
)
def test_a_bad_label_is_refused_in_one_line(review: ReviewStore, text: str, says: str) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    with pytest.raises(ValidationError, match=says) as refused:
        labels.label_record(review, record, TA, "alice", text)
    assert "\n" not in str(refused.value)
    assert labels.label_record(review, record, TA, "alice", "y" * 60)  # 60 is allowed


def test_a_teammates_labels_are_hidden_until_the_record_is_final(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    labels.label_record(review, record, TA, "alice", "probably exclude")
    labels.label_record(review, record, TA, "bruno", "background")
    assert _seen(review, "bruno", record) == [("bruno", "background")]
    card = labels.card_labels(review, "bruno", record, TA)
    assert (card.own, card.others, card.suggestions) == (("background",), (), ("background",))
    assert _listed(review, "bruno", "probably exclude") == []
    assert _listed(review, "alice", "Probably Exclude") == [record]
    # both decided, in conflict: complete but not final, still hidden
    _decide(review, record, "alice", EXC)
    _decide(review, record, "bruno", INC)
    assert _seen(review, "bruno", record) == [("bruno", "background")]
    assert _listed(review, "bruno", "probably exclude") == []
    # resolved: final, the team sees both labels everywhere
    screening.record_resolution(review, Resolution(record, TA, "rita", EXC))
    both = [("alice", "probably exclude"), ("bruno", "background")]
    assert _seen(review, "bruno", record) == both
    assert [
        (x.member, x.label) for x in labels.card_labels(review, "bruno", record, TA).others
    ] == [("alice", "probably exclude")]
    assert _listed(review, "bruno", "probably exclude") == [record]


def test_a_full_text_label_stays_hidden_while_the_full_text_is_open(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    with pytest.raises(ReviewStateError, match="not passed title/abstract"):
        labels.label_record(review, record, FT, "alice", "no control arm")
    _decide(review, record, "alice", INC)
    _decide(review, record, "bruno", INC)  # final at title/abstract
    labels.label_record(review, record, FT, "alice", "no control arm")
    assert _seen(review, "bruno", record) == []
    screening.record_decision(review, ScreeningDecision(record, FT, "alice", EXC, "Not randomized"))
    screening.record_decision(review, ScreeningDecision(record, FT, "bruno", EXC, "Not randomized"))
    assert _seen(review, "bruno", record) == [("alice", "no control arm")]


def test_labels_refuse_other_reviews_records_and_duplicates(review: ReviewStore) -> None:
    with pytest.raises(NotFoundError):
        labels.label_record(review, 10_000, TA, "alice", "background")
    with pytest.raises(NotFoundError):
        labels.visible_labels(review, "alice", 10_000)
    kept = set(screening.queue_for(review, "alice", TA))
    with transaction(review, "test") as uow:
        from evidens.store.models import RecordRow

        ids = set(uow.session.scalars(select(RecordRow.id)))
    duplicate = min(ids - kept)
    with pytest.raises(ReviewStateError, match="duplicate of record"):
        labels.label_record(review, duplicate, TA, "alice", "background")


def test_the_audit_page_blinds_label_entries_until_final(review: ReviewStore) -> None:
    record = screening.queue_for(review, "alice", TA)[0]
    labels.label_record(review, record, TA, "alice", "probably exclude")

    def entries(viewer: str) -> list[tuple[bool, object]]:
        found = team.audit_page(review, viewer, team.AuditFilter(entity="record_label"), 1)
        return [(line.hidden, (line.after or {}).get("label")) for line in found.lines]

    assert entries("alice") == [(False, "probably exclude")]
    assert entries("bruno") == [(True, None)]
    _decide(review, record, "alice", EXC)
    _decide(review, record, "bruno", EXC)
    assert entries("bruno") == [(False, "probably exclude")]


def test_only_a_member_who_screens_may_label_from_the_command_line(review: ReviewStore) -> None:
    labels.may_label(review, "anyone")  # no team recorded: nothing to check against
    accounts.add_member(review, "alice", "reviewer", actor="olga")
    accounts.add_member(review, "vera", "viewer", actor="olga")
    labels.may_label(review, "alice")
    with pytest.raises(PermissionDeniedError, match="may not screen"):
        labels.may_label(review, "vera")
    with pytest.raises(PermissionDeniedError, match="not a member"):
        labels.may_label(review, "mallory")
