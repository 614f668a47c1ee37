"""Workflow rules for independent (blinded) screening: where a record stands and who may see what.

These are pure functions over the decisions recorded so far, so the services, the CLI and the
web app apply exactly the same rules. Two rules protect the review from bias and from losing
studies:

* **Blinding** - a reviewer sees no other reviewer's decision on a record until the record has
  all the decisions its stage requires (otherwise the second opinion is not independent).
* **Nothing dropped silently** - any disagreement, including one reviewer's *include* against
  another's *exclude*, is a conflict for a resolver; it never resolves to *exclude* by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import ValidationError


class StatusKind(StrEnum):
    """Where one record stands at one stage."""

    PENDING = "pending"
    AGREED = "complete-agreed"
    CONFLICT = "conflict"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Status:
    """The state of one record at one stage and, once known, its final decision.

    ``final`` is ``None`` while the record is pending or in conflict: a record in conflict has
    no decision until a resolver gives one, so it can never fall out of the review unnoticed.
    ``decided_by`` lists the reviewers whose (latest) decisions count, ``missing`` how many
    more independent decisions the stage still needs.
    """

    kind: StatusKind
    final: Decision | None
    decided_by: tuple[str, ...]
    missing: int
    resolver: str | None = None


def _check_required(required: int) -> None:
    if required < 1:
        raise ValidationError(
            f"required reviewers per record must be at least 1, got {required}",
            field="required",
            hint="set 1 for single screening, 2 for dual screening",
        )


def latest_per_reviewer(decisions: Iterable[ScreeningDecision]) -> dict[str, ScreeningDecision]:
    """Each reviewer's current decision: a later decision (by ``decided_at``, else by order)
    replaces an earlier one, so a reviewer who changes their mind is counted once."""
    latest: dict[str, ScreeningDecision] = {}
    for decision in decisions:
        previous = latest.get(decision.reviewer)
        if previous is None or _not_earlier(decision, previous):
            latest[decision.reviewer] = decision
    return latest


def _not_earlier(new: ScreeningDecision, old: ScreeningDecision) -> bool:
    if new.decided_at is None or old.decided_at is None:
        return True
    return new.decided_at >= old.decided_at


def _single_record(
    decisions: Sequence[ScreeningDecision], resolution: Resolution | None
) -> tuple[int, Stage] | None:
    keys = {(d.record_id, d.stage) for d in decisions}
    if resolution is not None:
        keys.add((resolution.record_id, resolution.stage))
    if len(keys) > 1:
        shown = ", ".join(f"record {r} at {s.value}" for r, s in sorted(keys))
        raise ValidationError(
            f"record_status takes the decisions of one record at one stage, got {shown}",
            field="record_id",
            hint="group decisions by (record_id, stage) first, e.g. with statuses_by_record()",
        )
    return next(iter(keys), None)


def record_status(
    decisions: Sequence[ScreeningDecision],
    resolution: Resolution | None,
    required: int,
    *,
    maybe_is_conflict: bool,
) -> Status:
    """Where one record stands at one stage.

    * a resolution, when present, is final (the resolver's decision and name are returned);
    * fewer distinct reviewers than ``required`` -> pending;
    * all current decisions equal -> agreed on that decision, unless it is *maybe* and
      ``maybe_is_conflict`` (then a resolver must decide);
    * any disagreement -> conflict, never a silent exclusion.
    """
    _check_required(required)
    _single_record(decisions, resolution)
    latest = latest_per_reviewer(decisions)
    reviewers = tuple(sorted(latest))
    missing = max(0, required - len(latest))
    if resolution is not None:
        return Status(StatusKind.RESOLVED, resolution.decision, reviewers, 0, resolution.resolver)
    if missing > 0:
        return Status(StatusKind.PENDING, None, reviewers, missing)
    values = {d.decision for d in latest.values()}
    if len(values) == 1:
        (only,) = values
        if only is Decision.MAYBE and maybe_is_conflict:
            return Status(StatusKind.CONFLICT, None, reviewers, 0)
        return Status(StatusKind.AGREED, only, reviewers, 0)
    return Status(StatusKind.CONFLICT, None, reviewers, 0)


def group_by_record(
    decisions: Iterable[ScreeningDecision],
) -> dict[tuple[int, Stage], list[ScreeningDecision]]:
    """Decisions keyed by (record_id, stage), in their original order."""
    groups: dict[tuple[int, Stage], list[ScreeningDecision]] = {}
    for decision in decisions:
        groups.setdefault((decision.record_id, decision.stage), []).append(decision)
    return groups


def statuses_by_record(
    decisions: Iterable[ScreeningDecision],
    resolutions: Iterable[Resolution],
    required: int,
    *,
    maybe_is_conflict: bool,
) -> dict[tuple[int, Stage], Status]:
    """:func:`record_status` for every (record, stage) that has a decision or a resolution."""
    groups = group_by_record(decisions)
    by_key = {(r.record_id, r.stage): r for r in resolutions}
    keys = sorted(set(groups) | set(by_key))
    return {
        key: record_status(
            groups.get(key, []), by_key.get(key), required, maybe_is_conflict=maybe_is_conflict
        )
        for key in keys
    }


def visible_decisions(
    decisions: Iterable[ScreeningDecision], viewer: str, required: int
) -> tuple[ScreeningDecision, ...]:
    """The decisions ``viewer`` may see: always their own; another reviewer's only once the
    record has all ``required`` independent decisions at that stage (the blinding rule).

    Decisions may span many records and stages; each (record, stage) is judged on its own.
    """
    _check_required(required)
    visible: list[ScreeningDecision] = []
    for group in group_by_record(decisions).values():
        complete = len(latest_per_reviewer(group)) >= required
        visible.extend(d for d in group if complete or d.reviewer == viewer)
    return tuple(visible)


def conflicts(statuses: dict[tuple[int, Stage], Status]) -> tuple[tuple[int, Stage], ...]:
    """The (record, stage) keys a resolver must decide, in record order."""
    return tuple(
        key for key, status in sorted(statuses.items()) if status.kind is StatusKind.CONFLICT
    )
