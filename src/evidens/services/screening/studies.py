"""Included studies and the reports (records) that describe them.

A study is the unit of synthesis; a report is one record about it (the article, its
registry entry, a conference abstract, an erratum). Each report belongs to one study at
most: linking it elsewhere is a move, said as such, so a report is never counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from evidens.core import Decision, Stage
from evidens.errors import NotFoundError, ReviewStateError, ValidationError
from evidens.services.review.records import canonical_of
from evidens.services.review.rounds import current_round
from evidens.services.screening.state import record_state
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import RecordRow, StudyReportRow, StudyRow


def add_study(
    uow: UnitOfWork,
    label: str,
    *,
    design: str,
    reports: Sequence[tuple[int | None, str]],
    details: dict[str, Any] | None = None,
    round_: int | None = None,
) -> int:
    """Create a study with its reports: (record id or None, citation) pairs. ``round_`` is
    the living review's round that first included it (by default the current one)."""
    study = StudyRow(
        review_id=uow.review_id,
        label=label,
        design=design,
        details=details or {},
        round=round_ if round_ is not None else current_round(uow),
    )
    uow.session.add(study)
    uow.session.flush()
    for record_id, citation in reports:
        uow.session.add(StudyReportRow(study_id=study.id, record_id=record_id, citation=citation))
    uow.audit(
        "create",
        "study",
        study.id,
        after={"label": label, "design": design, "reports": len(reports)},
    )
    return study.id


def create_study(store: ReviewStore, label: str, *, design: str, actor: str) -> int:
    """A new study with no reports yet (link them with :func:`link_report`)."""
    label = label.strip()
    if not label or len(label) > 200:
        raise ValidationError(
            "a study needs a label of 1-200 characters",
            field="label",
            hint="e.g. the first author and year of its main report: Sharma 2013",
        )
    with transaction(store, actor) as uow:
        if _find_study(uow, label) is not None:
            raise ReviewStateError(f"a study labelled {label!r} exists already")
        return add_study(uow, label, design=design.strip() or "RCT", reports=())


def _find_study(uow: UnitOfWork, label: str) -> StudyRow | None:
    return uow.session.scalar(
        select(StudyRow).where(StudyRow.review_id == uow.review_id, StudyRow.label == label)
    )


def _study(uow: UnitOfWork, label: str) -> StudyRow:
    found = _find_study(uow, label)
    if found is None:
        raise NotFoundError(f"no study labelled {label!r}", hint="see `evidens studies list`")
    return found


def _report_record(uow: UnitOfWork, record_id: int) -> RecordRow:
    """The record, if it may be a report of an included study: in this review, the copy
    kept after de-duplication, and not excluded at either stage."""
    row = uow.session.get(RecordRow, record_id)
    if row is None or row.review_id != uow.review_id:
        raise NotFoundError(f"no record {record_id} in this review")
    if canonical_of(uow.session, row) != record_id:
        raise ReviewStateError(
            f"record {record_id} is a duplicate of record {canonical_of(uow.session, row)}",
            hint="link the record kept after de-duplication",
        )
    for stage in Stage:
        if record_state(uow, record_id, stage).status.final is Decision.EXCLUDE:
            raise ReviewStateError(
                f"record {record_id} was excluded at {stage.value.replace('_', '/')}",
                hint="only reports that were not excluded describe included studies",
            )
    return row


def _citation(row: RecordRow) -> str:
    first = (row.authors or ["Anonymous"])[0]
    parts = [str(first), str(row.year or "n.d."), row.title or "(no title)", row.journal or ""]
    return ". ".join(p for p in parts if p)


def _link_of(uow: UnitOfWork, record_id: int) -> tuple[StudyReportRow, StudyRow] | None:
    found = uow.session.execute(
        select(StudyReportRow, StudyRow)
        .join(StudyRow, StudyRow.id == StudyReportRow.study_id)
        .where(StudyRow.review_id == uow.review_id, StudyReportRow.record_id == record_id)
    ).first()
    return None if found is None else (found[0], found[1])


def link_report(store: ReviewStore, label: str, record_id: int, *, actor: str) -> None:
    """Make ``record_id`` a report of the study ``label``."""
    with transaction(store, actor) as uow:
        study = _study(uow, label)
        row = _report_record(uow, record_id)
        linked = _link_of(uow, record_id)
        if linked is not None:
            raise ReviewStateError(
                f"record {record_id} is a report of {linked[1].label!r} already",
                hint=f"move it: evidens studies move {record_id} {label!r}",
            )
        uow.session.add(
            StudyReportRow(
                study_id=study.id, record_id=record_id, citation=_citation(row), doi=row.doi
            )
        )
        uow.audit("link", "study", study.id, after={"record": record_id, "study": label})


def unlink_report(store: ReviewStore, record_id: int, *, actor: str) -> str:
    """Take ``record_id`` out of its study; returns the study's label."""
    with transaction(store, actor) as uow:
        linked = _link_of(uow, record_id)
        if linked is None:
            raise NotFoundError(f"record {record_id} is not a report of any study")
        link, study = linked
        uow.session.delete(link)
        uow.audit("unlink", "study", study.id, before={"record": record_id, "study": study.label})
        return study.label


def move_report(store: ReviewStore, record_id: int, label: str, *, actor: str) -> str:
    """Move ``record_id`` to the study ``label``; returns the study it left."""
    with transaction(store, actor) as uow:
        linked = _link_of(uow, record_id)
        if linked is None:
            raise NotFoundError(
                f"record {record_id} is not a report of any study",
                hint=f"link it: evidens studies link {label!r} {record_id}",
            )
        link, old = linked
        new = _study(uow, label)
        link.study_id = new.id
        uow.audit(
            "move", "study_report", record_id, before={"study": old.label}, after={"study": label}
        )
        return old.label


@dataclass(frozen=True)
class StudyView:
    label: str
    design: str
    reports: tuple[tuple[int | None, str], ...]  # (record id, citation)


def list_studies(store: ReviewStore) -> list[StudyView]:
    with transaction(store, "evidens") as uow:
        studies = list(
            uow.session.scalars(
                select(StudyRow).where(StudyRow.review_id == uow.review_id).order_by(StudyRow.label)
            )
        )
        links = uow.session.execute(
            select(StudyReportRow.study_id, StudyReportRow.record_id, StudyReportRow.citation)
            .where(StudyReportRow.study_id.in_([s.id for s in studies]))
            .order_by(StudyReportRow.id)
        ).all()
    by_study: dict[int, list[tuple[int | None, str]]] = {}
    for study_id, record_id, citation in links:
        by_study.setdefault(study_id, []).append((record_id, citation))
    return [StudyView(s.label, s.design, tuple(by_study.get(s.id, ()))) for s in studies]
