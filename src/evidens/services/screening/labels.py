"""Screening labels: short free-text tags a reviewer puts on a record while screening
("background", "check protocol", "conference abstract"), to find it again later.

* **Blinding**: a label is its author's own while the record is open at the stage it was
  given at; the team sees it once the record is *final* there (agreed, or settled by a
  resolver), exactly as decisions and their notes (:mod:`evidens.services.screening.state`).
  A label such as "probably exclude" would otherwise tell a teammate one's vote. The rule is
  applied here, so every page, JSON twin, filter and command shows the same labels.
* A label belongs to a stage because blinding is decided per stage: a label given at full
  text stays hidden while the full-text decisions are open, even though the record is
  final at title/abstract.
* Labels are an aid, not a decision: a reviewer may add or remove theirs on a locked
  record too. Adding the same label twice (in any case) changes nothing; a label is matched
  to the spelling the member used before, so their suggestions do not split.

Each change is one audited step (``label`` / ``unlabel`` on ``record_label``); the audit
page blinds these entries as it blinds decisions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from evidens.core import Decision, Stage
from evidens.errors import NotFoundError, ReviewStateError, ValidationError
from evidens.screening.workflow import Status
from evidens.services.review.permissions import Action, may
from evidens.services.review.records import among, canonical_of
from evidens.services.screening.state import record_state
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.label_models import LABEL_LENGTH, RecordLabelRow
from evidens.store.models import RecordRow

MAX_LENGTH = LABEL_LENGTH
TA = Stage.TITLE_ABSTRACT
SUGGESTIONS = 50


@dataclass(frozen=True)
class Label:
    """One member's label on a record at a stage."""

    record_id: int
    stage: Stage
    member: str
    label: str


def clean_label(text: str) -> str:
    """``text`` as a label: spaces collapsed; refused (one line) when empty, longer than
    :data:`MAX_LENGTH` characters, or holding control characters."""
    label = " ".join(str(text).split())
    if not label:
        raise ValidationError(
            "a label cannot be empty", field="label", hint="type a short tag, e.g. background"
        )
    if len(label) > MAX_LENGTH:
        raise ValidationError(
            f"a label is at most {MAX_LENGTH} characters (this one has {len(label)})",
            field="label",
            hint="shorten it; a note holds longer text",
        )
    if any(unicodedata.category(c) in {"Cc", "Cf"} for c in label):
        raise ValidationError("a label cannot hold control characters", field="label")
    return label


def _check_record(uow: UnitOfWork, record_id: int, stage: Stage) -> None:
    """The record is this review's, kept after de-duplication, and (at full text) passed
    title/abstract: the records a reviewer may decide are the ones they may label (a full
    text not retrieved may still carry the labels given before)."""
    row = uow.session.get(RecordRow, record_id)
    if row is None or row.review_id != uow.review_id:
        raise NotFoundError(f"no record {record_id} in this review")
    kept = canonical_of(uow.session, row)
    if kept != record_id:
        raise ReviewStateError(
            f"record {record_id} is a duplicate of record {kept}",
            hint="label the record kept after de-duplication",
        )
    passed = (Decision.INCLUDE, Decision.MAYBE)
    if stage is Stage.FULL_TEXT and record_state(uow, record_id, TA).status.final not in passed:
        raise ReviewStateError(
            f"record {record_id} has not passed title/abstract screening",
            hint="full-text labels are for records included (or maybe) at title/abstract",
        )


def _own_rows(uow: UnitOfWork, record_id: int, stage: Stage, member: str) -> list[RecordLabelRow]:
    return list(
        uow.session.scalars(
            select(RecordLabelRow).where(
                RecordLabelRow.record_id == record_id,
                RecordLabelRow.stage == stage.value,
                RecordLabelRow.member == member,
            )
        )
    )


def _audit(row: RecordLabelRow) -> dict[str, object]:
    return {"record_id": row.record_id, "stage": row.stage, "by": row.member, "label": row.label}


def add(uow: UnitOfWork, record_id: int, stage: Stage, member: str, text: str) -> bool:
    """Put ``member``'s label on a record at ``stage``; False when it was already there."""
    label = clean_label(text)
    _check_record(uow, record_id, stage)
    if any(
        r.label.casefold() == label.casefold() for r in _own_rows(uow, record_id, stage, member)
    ):
        return False
    label = next((u for u in used_by(uow, member) if u.casefold() == label.casefold()), label)
    try:
        with uow.session.begin_nested():
            row = RecordLabelRow(
                review_id=uow.review_id,
                record_id=record_id,
                stage=stage.value,
                member=member,
                label=label,
            )
            uow.session.add(row)
    except IntegrityError:  # the same label sent twice at once (a double click)
        return False
    uow.audit("label", "record_label", row.id, after=_audit(row), on_behalf_of=member)
    return True


def remove(uow: UnitOfWork, record_id: int, stage: Stage, member: str, text: str) -> bool:
    """Take ``member``'s own label off a record; False when they had no such label."""
    label = clean_label(text)
    _check_record(uow, record_id, stage)
    found = next(
        (
            r
            for r in _own_rows(uow, record_id, stage, member)
            if r.label.casefold() == label.casefold()
        ),
        None,
    )
    if found is None:
        return False
    uow.audit("unlabel", "record_label", found.id, before=_audit(found), on_behalf_of=member)
    uow.session.delete(found)
    uow.session.flush()
    return True


def label_record(
    store: ReviewStore, record_id: int, stage: Stage, member: str, text: str, *, drop: bool = False
) -> bool:
    """:func:`add` (or, with ``drop``, :func:`remove`) as its own transaction, the member
    being the actor."""
    with transaction(store, member) as uow:
        step = remove if drop else add
        return step(uow, record_id, stage, member, text)


def used_by(uow: UnitOfWork, member: str) -> list[str]:
    """The labels ``member`` has used in this review, most used first (their suggestions)."""
    count = func.count(RecordLabelRow.id)
    rows = uow.session.execute(
        select(RecordLabelRow.label, count)
        .where(RecordLabelRow.review_id == uow.review_id, RecordLabelRow.member == member)
        .group_by(RecordLabelRow.label)
        .order_by(count.desc(), RecordLabelRow.label)
        .limit(SUGGESTIONS)
    ).all()
    return [str(label) for label, _ in rows]


def suggestions(store: ReviewStore, member: str) -> tuple[str, ...]:
    """:func:`used_by` as a transaction of its own (the record list's label filter)."""
    with transaction(store, member) as uow:
        return tuple(used_by(uow, member))


def _labels_on(uow: UnitOfWork, record_id: int) -> list[Label]:
    rows = uow.session.scalars(
        select(RecordLabelRow)
        .where(RecordLabelRow.record_id == record_id)
        .order_by(RecordLabelRow.created_at, RecordLabelRow.id)
    )
    return [Label(r.record_id, Stage(r.stage), r.member, r.label) for r in rows]


def visible_in(uow: UnitOfWork, viewer: str, record_id: int) -> tuple[Label, ...]:
    """The labels on a record ``viewer`` may see, at every stage: their own, and everyone's
    at a stage where the record is final. The one blinding rule for labels."""
    found = _labels_on(uow, record_id)
    final = {
        stage: record_state(uow, record_id, stage).final
        for stage in {x.stage for x in found if x.member != viewer}
    }
    return tuple(x for x in found if x.member == viewer or final[x.stage])


def visible_labels(store: ReviewStore, viewer: str, record_id: int) -> tuple[Label, ...]:
    """:func:`visible_in` as a transaction of its own (the record page)."""
    with transaction(store, viewer) as uow:
        row = uow.session.get(RecordRow, record_id)
        if row is None or row.review_id != uow.review_id:
            raise NotFoundError(f"no record {record_id} in this review")
        return visible_in(uow, viewer, record_id)


@dataclass(frozen=True)
class CardLabels:
    """What the screening page shows of labels on one record at one stage."""

    own: tuple[str, ...]  # the viewer's, which they may remove
    others: tuple[Label, ...]  # teammates', once the record is final at this stage
    suggestions: tuple[str, ...]  # every label the viewer has used in this review


def card_labels(
    store: ReviewStore, viewer: str, record_id: int, stage: Stage, *, final: bool | None = None
) -> CardLabels:
    """The labels of the screening page's card: two index look-ups, and the record's state
    only when a teammate has labelled it and ``final`` is not known already (a record the
    queue hands out is never final: it still needs the viewer's decision)."""
    with transaction(store, viewer) as uow:
        found = [x for x in _labels_on(uow, record_id) if x.stage is stage]
        own = tuple(x.label for x in found if x.member == viewer)
        others = tuple(x for x in found if x.member != viewer)
        if others and final is None:
            final = record_state(uow, record_id, stage).final
        if not final:
            others = ()
        return CardLabels(own, others, tuple(used_by(uow, viewer)))


def visible_by_record(
    uow: UnitOfWork,
    viewer: str,
    statuses: Mapping[Stage, Mapping[int, Status]],
    records: Collection[int] | None = None,
) -> dict[int, tuple[str, ...]]:
    """The labels ``viewer`` may see on each of ``records`` (every record when None),
    distinct and in the order given, for the record list; ``statuses`` are the stages'
    statuses the list has already worked out."""
    query = select(
        RecordLabelRow.record_id, RecordLabelRow.stage, RecordLabelRow.member, RecordLabelRow.label
    ).where(RecordLabelRow.review_id == uow.review_id)
    if records is not None:
        query = query.where(among(uow.session, RecordLabelRow.record_id, records))
    rows = uow.session.execute(query.order_by(RecordLabelRow.created_at, RecordLabelRow.id))
    by_stage = {stage.value: statuses[stage] for stage in Stage}
    seen: dict[int, dict[str, str]] = {}
    for record_id, stage, member, label in rows:
        status = by_stage[stage].get(record_id)
        if member == viewer or (status is not None and status.final is not None):
            seen.setdefault(int(record_id), {}).setdefault(str(label).casefold(), str(label))
    return {rid: tuple(labels.values()) for rid, labels in seen.items()}


def may_label(store: ReviewStore, name: str) -> None:
    """Refuse ``name`` as a labeller of ``store``'s review unless they are a member who may
    screen (see :func:`evidens.services.review.permissions.may`)."""
    may(
        store,
        name,
        Action.SCREEN,
        doing="screen (so may not label records)",
        hint="a member who may screen labels records",
    )


def label_rows(uow: UnitOfWork) -> list[Label]:
    """Every label of the review, in the order they were given (for the review folder)."""
    rows = uow.session.scalars(
        select(RecordLabelRow)
        .where(RecordLabelRow.review_id == uow.review_id)
        .order_by(RecordLabelRow.created_at, RecordLabelRow.id)
    )
    return [Label(r.record_id, Stage(r.stage), r.member, r.label) for r in rows]
