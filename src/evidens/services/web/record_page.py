"""What the record page and the studies page read: one record with its full-text state and
study, the records that may be reports of included studies, and abstracts for the conflicts
page.

Read-only, for the web. Blinding holds here as everywhere: a record's decisions are those
:meth:`RecordState.visible_to` the viewer (their own until the record is final), and a
status is one :func:`shown_status` lets the viewer see.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.errors import NotFoundError
from evidens.services.screening.decisions import eligible_ids, stage_statuses
from evidens.services.screening.state import record_state
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.services.web.views import PAGE_SIZE, shown_status
from evidens.store.models import FullTextRow, RecordRow, StudyReportRow, StudyRow

PASSED = (Decision.INCLUDE, Decision.MAYBE)


@dataclass(frozen=True)
class Retrieval:
    """The full text of a record that passed title/abstract: got (with or without a PDF
    kept here), not retrieved (with why), or not recorded yet (``retrieved`` is None)."""

    retrieved: bool | None
    reason: str | None
    file_name: str | None
    has_pdf: bool


@dataclass(frozen=True)
class StageView:
    """One stage of a record as the viewer may see it."""

    stage: Stage
    status: str | None  # see shown_status
    decisions: tuple[ScreeningDecision, ...]  # their own until final, everyone's after
    locked: bool


@dataclass(frozen=True)
class RecordPage:
    record_id: int
    title: str
    abstract: str
    citation: str
    registry_ids: tuple[str, ...]
    stages: tuple[StageView, ...]
    sought: bool  # passed title/abstract, so its full text is sought
    retrieval: Retrieval | None
    study: str | None  # the label of the study it is a report of


def _row(uow: UnitOfWork, record_id: int) -> RecordRow:
    row = uow.session.get(RecordRow, record_id)
    if row is None or row.review_id != uow.review_id:
        raise NotFoundError(f"no record {record_id} in this review")
    return row


def citation_of(row: RecordRow) -> str:
    first = row.authors[0] if row.authors else None
    return ", ".join(str(x) for x in (first, row.journal, row.year, row.doi) if x)


def _retrieval(uow: UnitOfWork, record_id: int) -> Retrieval | None:
    row = uow.session.scalar(select(FullTextRow).where(FullTextRow.record_id == record_id))
    if row is None:
        return None
    return Retrieval(row.retrieved, row.reason, row.file_name, bool(row.sha256))


def _study_of(uow: UnitOfWork, record_id: int) -> str | None:
    return uow.session.scalar(
        select(StudyRow.label)
        .join(StudyReportRow, StudyReportRow.study_id == StudyRow.id)
        .where(StudyRow.review_id == uow.review_id, StudyReportRow.record_id == record_id)
    )


def _stage_view(
    uow: UnitOfWork, record_id: int, stage: Stage, viewer: str, resolver: bool
) -> tuple[StageView, Decision | None]:
    """The stage as ``viewer`` may see it, and its final decision (``None`` while open)."""
    state = record_state(uow, record_id, stage)
    own = state.own(viewer)
    shown = shown_status(state.status, own.decision if own else None, resolver)
    return StageView(stage, shown, state.visible_to(viewer), state.complete), state.status.final


def record_page(store: ReviewStore, record_id: int, *, viewer: str, resolver: bool) -> RecordPage:
    """One record of this review as ``viewer`` may see it (404 for another review's)."""
    with transaction(store, viewer) as uow:
        row = _row(uow, record_id)
        seen = [_stage_view(uow, record_id, s, viewer, resolver) for s in Stage]
        return RecordPage(
            record_id,
            row.title or "(no title)",
            row.abstract or "(no abstract)",
            citation_of(row),
            tuple(str(r) for r in row.registry_ids or ()),
            tuple(view for view, _ in seen),
            seen[0][1] in PASSED,  # the title/abstract stage's final decision
            _retrieval(uow, record_id),
            _study_of(uow, record_id),
        )


def has_pdf(store: ReviewStore, record_id: int) -> bool:
    """Whether a PDF is kept for ``record_id`` (the full-text screening page shows it)."""
    with transaction(store, "web") as uow:
        _row(uow, record_id)
        found = _retrieval(uow, record_id)
        return found is not None and found.has_pdf


def abstracts(store: ReviewStore, ids: Collection[int]) -> dict[int, str]:
    """The abstracts of ``ids`` (of this review only), for the conflicts page."""
    with transaction(store, "web") as uow:
        rows = uow.session.execute(
            select(RecordRow.id, RecordRow.abstract).where(
                RecordRow.review_id == uow.review_id, RecordRow.id.in_(list(ids))
            )
        ).all()
    return {int(rid): text or "(no abstract)" for rid, text in rows}


@dataclass(frozen=True)
class Candidate:
    """A record that may be a report of an included study: it passed title/abstract and
    was not excluded at full text."""

    record_id: int
    title: str
    citation: str
    full_text: str  # its full-text standing: "included", "open", ...
    study: str | None


def report_candidates(store: ReviewStore, page: int = 1) -> tuple[list[Candidate], int]:
    """One page of the records that may be linked to studies (included ones first, each
    with its study), and how many there are; only the page's records are read."""
    with transaction(store, "web") as uow:
        full = stage_statuses(uow, Stage.FULL_TEXT)
        finals = {rid: s.final for rid, s in full.items()}
        ids = [
            r for r in eligible_ids(uow, Stage.FULL_TEXT) if finals.get(r) is not Decision.EXCLUDE
        ]
        ids.sort(key=lambda r: (finals.get(r) is not Decision.INCLUDE, r))
        shown = ids[(max(page, 1) - 1) * PAGE_SIZE : max(page, 1) * PAGE_SIZE]
        rows = {
            r.id: r for r in uow.session.scalars(select(RecordRow).where(RecordRow.id.in_(shown)))
        }
        links = dict(
            uow.session.execute(
                select(StudyReportRow.record_id, StudyRow.label)
                .join(StudyRow, StudyRow.id == StudyReportRow.study_id)
                .where(StudyRow.review_id == uow.review_id, StudyReportRow.record_id.in_(shown))
            ).all()
        )
    out = []
    for rid in shown:
        final = finals.get(rid)
        standing = "open" if final is None else final.value
        row = rows[rid]
        out.append(
            Candidate(rid, row.title or "(no title)", citation_of(row), standing, links.get(rid))
        )
    return out, len(ids)
