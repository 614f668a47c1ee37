"""What only the web's team pages read: the "new review" form turned into a protocol (every
field's problem at once, so the form shows them all), and the audit log as a page, filtered
and blinded.

The audit log keeps every decision whole. The page applies the one blinding rule of
:mod:`evidens.services.screening.state`: a screening decision or resolution on a record
that is not final is shown as "decided" without its content, unless it is the viewer's
own; a reopened record's withdrawn decisions and another person's risk-of-bias assessment
(whose agreement the log does not tell) are never shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from evidens.core import OutcomeSpec, Pico, Protocol, Stage
from evidens.errors import ValidationError
from evidens.services.screening.decisions import stage_statuses
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import AuditRow

ROLES = ("primary", "secondary")
IMPORTANCE = ("critical", "important", "not important")
PAGE_SIZE = 50
SCREENING = ("screening_decision", "resolution", "record_label")  # blinded until final


@dataclass(frozen=True)
class NewReview:
    """The "new review" form as typed (kept to show it again beside its errors)."""

    title: str = ""
    slug: str = ""
    question: str = ""
    population: str = ""
    intervention: str = ""
    comparator: str = ""
    pico_outcomes: str = ""
    inclusion: str = ""
    exclusion: str = ""
    outcomes: tuple[tuple[str, str, str], ...] = ()  # name, role, importance
    registration: str = ""


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def protocol_of(form: NewReview) -> tuple[Protocol, dict[str, str]]:
    """The protocol the form describes, and one line per field that is wrong (empty when
    the review can be created)."""
    errors: dict[str, str] = {}
    if not form.title.strip():
        errors["title"] = "the review needs a title"
    if len(form.title) > 500:
        errors["title"] = "the title is longer than 500 characters"
    outcomes = []
    for i, (name, role, importance) in enumerate(form.outcomes, start=1):
        if not name.strip():
            continue
        if role not in ROLES:
            errors[f"outcome_role_{i}"] = f"outcome {i}: {role!r} is not primary or secondary"
        if importance not in IMPORTANCE:
            errors[f"outcome_importance_{i}"] = (
                f"outcome {i}: {importance!r} is not critical, important or not important"
            )
        outcomes.append(OutcomeSpec(name.strip()[:300], role, importance))
    names = [o.name.lower() for o in outcomes]
    if len(set(names)) < len(names):
        errors["outcome_name"] = "two outcomes have the same name; name each once"
    protocol = Protocol(
        title=form.title.strip(),
        question=form.question.strip(),
        pico=Pico(
            form.population.strip(),
            form.intervention.strip(),
            form.comparator.strip(),
            form.pico_outcomes.strip(),
        ),
        inclusion_criteria=_lines(form.inclusion),
        exclusion_criteria=_lines(form.exclusion),
        outcomes=tuple(outcomes),
        registration=form.registration.strip() or None,
    )
    return protocol, errors


def protocol_json(protocol: Protocol) -> dict[str, Any]:
    """The protocol as the store keeps it (read back by ``settings.protocol_from``)."""
    return dataclasses.asdict(protocol)


@dataclass(frozen=True)
class AuditFilter:
    person: str = ""
    action: str = ""
    entity: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hidden: bool  # content withheld by the blinding rule


@dataclass(frozen=True)
class AuditPage:
    lines: tuple[AuditLine, ...]
    total: int
    page: int
    pages: int
    people: tuple[str, ...]
    actions: tuple[str, ...]
    entities: tuple[str, ...]


def day(value: str, field: str) -> dt.date | None:
    """A date typed in a filter (YYYY-MM-DD), or ``None`` when blank."""
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            f"{value!r} is not a date", field=field, hint="write it as YYYY-MM-DD"
        ) from None


def _where(review_id: int, wanted: AuditFilter) -> list[Any]:
    where: list[Any] = [AuditRow.review_id == review_id]
    if wanted.person:
        where.append(AuditRow.actor == wanted.person)
    if wanted.action:
        where.append(AuditRow.action == wanted.action)
    if wanted.entity:
        where.append(AuditRow.entity == wanted.entity)
    if wanted.since:
        where.append(AuditRow.at >= dt.datetime.combine(wanted.since, dt.time()))
    if wanted.until:
        after = dt.datetime.combine(wanted.until + dt.timedelta(days=1), dt.time())
        where.append(AuditRow.at < after)
    return where


def _choices(uow: UnitOfWork, column: Any) -> tuple[str, ...]:
    query = select(column).where(AuditRow.review_id == uow.review_id).distinct()
    return tuple(sorted(str(v) for v in uow.session.scalars(query) if v))


def audit_page(store: ReviewStore, viewer: str, wanted: AuditFilter, page: int) -> AuditPage:
    """One page (newest first) of the review's audit log as ``viewer`` may see it."""
    with transaction(store, viewer) as uow:
        where = _where(uow.review_id, wanted)
        total = int(uow.session.scalar(select(func.count()).where(*where)) or 0)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = uow.session.scalars(
            select(AuditRow)
            .where(*where)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).all()
        known = _finals(uow, rows)
        lines = tuple(_blinded(uow, viewer, r, known) for r in rows)
        return AuditPage(
            lines,
            total,
            page,
            pages,
            _choices(uow, AuditRow.actor),
            _choices(uow, AuditRow.action),
            _choices(uow, AuditRow.entity),
        )


def _about(content: dict[str, Any] | None) -> tuple[int, str] | None:
    """The (record, stage) a screening entry is about, if it names one."""
    content = content or {}
    record_id, stage = content.get("record_id"), content.get("stage")
    if not isinstance(record_id, int) or stage not in {s.value for s in Stage}:
        return None
    return record_id, stage


def _finals(uow: UnitOfWork, rows: Sequence[AuditRow]) -> dict[tuple[int, str], bool]:
    """Whether each record the page's screening entries are about is final at its stage
    now: one read of those records' statuses per stage, not two queries per entry."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.entity in SCREENING and (about := _about(row.after or row.before)):
            wanted.setdefault(about[1], set()).add(about[0])
    known: dict[tuple[int, str], bool] = {}
    for stage, records in wanted.items():
        found = stage_statuses(uow, Stage(stage), records)
        known.update(
            ((rid, stage), (s := found.get(rid)) is not None and s.final is not None)
            for rid in records
        )
    return known


def _final(content: dict[str, Any] | None, known: dict[tuple[int, str], bool]) -> bool:
    about = _about(content)
    return about is not None and known.get(about, False)


def _blinded(
    uow: UnitOfWork, viewer: str, row: AuditRow, known: dict[tuple[int, str], bool]
) -> AuditLine:
    line = AuditLine(
        row.at, row.actor, row.action, row.entity, row.entity_id, row.before, row.after, False
    )
    own = row.actor == viewer
    if row.entity in SCREENING and not own and not _final(row.after or row.before, known):
        return dataclasses.replace(line, before=None, after=None, hidden=True)
    if row.entity == "record" and row.action == "reopen" and row.before:
        return dataclasses.replace(line, before=None, hidden=True)
    if row.entity == "rob_assessment" and not own:
        return dataclasses.replace(line, before=None, after=None, hidden=True)
    return line


def outcome_rows(
    names: Sequence[str], roles: Sequence[str], importances: Sequence[str]
) -> tuple[tuple[str, str, str], ...]:
    """The outcome rows of the form, matched up by position (a missing choice is the
    protocol's default)."""
    return tuple(
        (
            name,
            roles[i] if i < len(roles) else "secondary",
            importances[i] if i < len(importances) else "critical",
        )
        for i, name in enumerate(names[:30])
    )
