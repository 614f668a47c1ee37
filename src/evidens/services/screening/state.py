"""Where one record stands at one stage, and the two rules that follow from it.

* **Blinding**: a reviewer sees a teammate's decision on a record only once the record is
  *final* - agreed, or settled by a resolver. A record in conflict has every decision it
  needs but no final one, so its reviewers still see only their own (otherwise a reviewer
  who has just decided would learn the other vote and could change theirs to match).
* **Locking**: once a record has every decision it requires (agreed, in conflict or
  resolved), each of those decisions is locked: a reviewer can no longer change or withdraw
  theirs, and nobody else can add one. Only a resolver can reopen the record, with a reason
  kept in the audit log, which sends it back to be decided again.

An open pilot record is complete only when its whole pilot team has decided it
(:mod:`evidens.services.screening.pilot`). These rules live here, in the services, so every
page, JSON twin and command applies the same ones; templates only show what a service returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import ConflictError
from evidens.screening.workflow import Status, StatusKind, record_status
from evidens.services.review.settings import ScreeningSettings, review_settings
from evidens.services.screening import pilot
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import ResolutionRow, ScreeningDecisionRow

LOCKED_HINT = "a resolver can reopen the record if a decision must change"


def settings_of(uow: UnitOfWork) -> ScreeningSettings:
    return review_settings(uow).screening


def to_decision(row: ScreeningDecisionRow) -> ScreeningDecision:
    return ScreeningDecision(
        record_id=row.record_id,
        stage=Stage(row.stage),
        reviewer=row.reviewer,
        decision=Decision(row.decision),
        reason=row.reason,
        note=row.note,
        decided_at=row.decided_at,
    )


def to_resolution(row: ResolutionRow) -> Resolution:
    return Resolution(
        record_id=row.record_id,
        stage=Stage(row.stage),
        resolver=row.resolver,
        decision=Decision(row.decision),
        reason=row.reason,
        note=row.note,
        decided_at=row.decided_at,
    )


@dataclass(frozen=True)
class RecordState:
    """One record at one stage: its status and every decision recorded on it."""

    record_id: int
    stage: Stage
    status: Status
    decisions: tuple[ScreeningDecision, ...]

    @property
    def final(self) -> bool:
        """Agreed or resolved: its decisions may be shown to the whole team."""
        return self.status.final is not None

    @property
    def complete(self) -> bool:
        """Every required decision is in (or a resolver settled it): its decisions are
        locked."""
        return self.status.kind is not StatusKind.PENDING

    def own(self, reviewer: str) -> ScreeningDecision | None:
        return next((d for d in self.decisions if d.reviewer == reviewer), None)

    def visible_to(self, viewer: str) -> tuple[ScreeningDecision, ...]:
        """The blinding rule: everyone's decisions once final, else the viewer's own."""
        if self.final:
            return self.decisions
        return tuple(d for d in self.decisions if d.reviewer == viewer)


def record_state(uow: UnitOfWork, record_id: int, stage: Stage) -> RecordState:
    """The state of one record (two index look-ups, plus the pilot's team for a pilot
    record), as cheap as the decide-and-next transaction needs."""
    rows = uow.session.scalars(
        select(ScreeningDecisionRow).where(
            ScreeningDecisionRow.record_id == record_id,
            ScreeningDecisionRow.stage == stage.value,
        )
    )
    decisions = tuple(to_decision(r) for r in rows)
    found = uow.session.scalar(
        select(ResolutionRow).where(
            ResolutionRow.record_id == record_id, ResolutionRow.stage == stage.value
        )
    )
    resolution = to_resolution(found) if found is not None else None
    settings = settings_of(uow)
    status = record_status(
        decisions,
        resolution,
        settings.required[stage],
        maybe_is_conflict=settings.maybe_is_conflict,
    )
    if resolution is None and _open_pilot_record(uow, record_id, stage, decisions):
        status = Status(StatusKind.PENDING, None, status.decided_by, 1)
    return RecordState(record_id, stage, status, decisions)


def _open_pilot_record(
    uow: UnitOfWork, record_id: int, stage: Stage, decisions: tuple[ScreeningDecision, ...]
) -> bool:
    """A pilot record some member of its team has not decided yet."""
    if stage is not pilot.STAGE:
        return False
    round_ = pilot.pilot_in(uow)
    if round_ is None or record_id not in round_.records:
        return False
    return not set(round_.reviewers) <= {d.reviewer for d in decisions}


def visible_in(
    uow: UnitOfWork, viewer: str, record_id: int, stage: Stage
) -> tuple[ScreeningDecision, ...]:
    """What ``viewer`` may see of the decisions on one record: their own until the record
    is final (agreed or resolved), everyone's after. The one blinding rule for every page,
    command and JSON twin."""
    return record_state(uow, record_id, stage).visible_to(viewer)


def check_change(state: RecordState, made: ScreeningDecision) -> bool:
    """Whether ``made`` changes anything on a record in ``state``; refused (409) once the
    record is complete. Sending the same decision again (a double click, a re-run log) is
    not a change and is allowed."""
    mine = state.own(made.reviewer)
    same = mine is not None and (mine.decision, mine.reason) == (made.decision, made.reason)
    if same and made.note in (None, mine.note if mine else None):
        return False
    if not state.complete:
        return True
    if mine is None:
        stage = state.stage.value.replace("_", "/")
        raise ConflictError(
            f"record {state.record_id} already has every {stage} decision it needs",
            hint=LOCKED_HINT,
        )
    raise _locked(state)


def check_withdraw(state: RecordState) -> None:
    """Undo is refused once the record is complete (its decisions are locked)."""
    if state.complete:
        raise _locked(state)


def _locked(state: RecordState) -> ConflictError:
    stage = state.stage.value.replace("_", "/")
    return ConflictError(
        f"your {stage} decision on record {state.record_id} is locked: the record has every "
        "decision it needs",
        hint=LOCKED_HINT,
    )


def decisions_visible_to(
    store: ReviewStore, viewer: str, record_id: int, stage: Stage
) -> tuple[ScreeningDecision, ...]:
    """:func:`visible_in` as a transaction of its own."""
    with transaction(store, viewer) as uow:
        return visible_in(uow, viewer, record_id, stage)
