"""PRISMA 2020 counts for a review: derived from its records and decisions, with reported
counts (stages done outside evidens) overlaid and marked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from evidens.core import Decision, SourceKind, Stage
from evidens.prisma.counts import (
    BOXES,
    PrismaCounts,
    RecordFlow,
    SourceCount,
    derive,
    with_reported,
)
from evidens.screening.workflow import Status
from evidens.services.prioritise import automation_excluded
from evidens.services.records import canonical_ids
from evidens.services.screening import stage_statuses
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import (
    FullTextRow,
    ImportBatchRow,
    RecordRow,
    ReportedCountRow,
    ResolutionRow,
    ScreeningDecisionRow,
    SourceRow,
    StudyRow,
)


def prisma_counts(store: ReviewStore) -> PrismaCounts:
    with transaction(store, "evidens") as uow:
        return counts_in(uow)


def box_values(counts: PrismaCounts) -> dict[str, int]:
    """Each PRISMA box's number, flat and in diagram order (reports excluded: their total),
    read from the same counts as the diagram and ``evidens prisma``."""
    values = {}
    for box in BOXES:
        value = getattr(counts, box)
        values[box] = sum(n for _, n in value) if box == "reports_excluded" else int(value)
    return values


def counts_in(uow: UnitOfWork) -> PrismaCounts:
    session, review_id = uow.session, uow.review_id
    sources = _source_counts(uow)
    total = sum(s.records or 0 for s in sources)
    canonical = canonical_ids(session, review_id)
    ta = stage_statuses(uow, Stage.TITLE_ABSTRACT)
    ft = stage_statuses(uow, Stage.FULL_TEXT)
    retrieved = dict(
        session.execute(
            select(FullTextRow.record_id, FullTextRow.retrieved).where(
                FullTextRow.review_id == review_id
            )
        ).all()
    )
    reasons = _exclusion_reasons(uow, ft)
    automated = automation_excluded(uow, Stage.TITLE_ABSTRACT, canonical)
    flows = [
        RecordFlow(
            title_abstract=_final(ta.get(rid)),
            retrieved=retrieved.get(rid),
            full_text=_final(ft.get(rid)),
            exclusion_reason=reasons.get(rid),
            excluded_by_automation=rid in automated,
        )
        for rid in canonical
    ]
    studies = session.scalar(select(func.count()).where(StudyRow.review_id == review_id))
    counts = derive(
        sources,
        total - len(canonical),
        flows,
        studies_included=studies or None,
    )
    return with_reported(counts, reported_counts(uow))


def _final(status: Status | None) -> Decision | None:
    return None if status is None else status.final


def _source_counts(uow: UnitOfWork) -> list[SourceCount]:
    rows = uow.session.execute(
        select(
            SourceRow.name,
            SourceRow.kind,
            func.count(RecordRow.id),
            func.count(func.distinct(ImportBatchRow.id)),
        )
        .outerjoin(ImportBatchRow, ImportBatchRow.source_id == SourceRow.id)
        .outerjoin(RecordRow, RecordRow.batch_id == ImportBatchRow.id)
        .where(SourceRow.review_id == uow.review_id)
        .group_by(SourceRow.id, SourceRow.name, SourceRow.kind)
        .order_by(SourceRow.id)
    ).all()
    # a source with no imported export has no derived count (``None``), not zero
    return [
        SourceCount(name, SourceKind(kind), n if batches else None)
        for name, kind, n, batches in rows
    ]


def _exclusion_reasons(uow: UnitOfWork, statuses: dict[int, Status]) -> dict[int, str]:
    """The reason a full-text exclusion counts under: the resolver's, else the reason the
    excluding reviewers gave most often (ties broken alphabetically, so runs repeat)."""
    excluded = [rid for rid, s in statuses.items() if s.final is Decision.EXCLUDE]
    reasons: dict[int, str] = {}
    for rid, reason in uow.session.execute(
        select(ResolutionRow.record_id, ResolutionRow.reason).where(
            ResolutionRow.record_id.in_(excluded), ResolutionRow.stage == Stage.FULL_TEXT.value
        )
    ):
        if reason:
            reasons[rid] = reason
    given: dict[int, list[str]] = {}
    for rid, reason in uow.session.execute(
        select(ScreeningDecisionRow.record_id, ScreeningDecisionRow.reason).where(
            ScreeningDecisionRow.record_id.in_(excluded),
            ScreeningDecisionRow.stage == Stage.FULL_TEXT.value,
            ScreeningDecisionRow.decision == Decision.EXCLUDE.value,
        )
    ):
        if reason:
            given.setdefault(rid, []).append(reason)
    for rid, options in given.items():
        reasons.setdefault(rid, min(options, key=lambda r: (-options.count(r), r)))
    return reasons


def reported_counts(uow: UnitOfWork) -> dict[str, Any]:
    """Reported counts as :func:`with_reported` takes them."""
    reported: dict[str, Any] = {}
    for row in uow.session.scalars(
        select(ReportedCountRow).where(ReportedCountRow.review_id == uow.review_id)
    ):
        if row.box in ("reports_excluded", "sources"):
            reported.setdefault(row.box, {})[row.detail] = row.value
        else:
            reported[row.box] = row.value
    return reported


def set_reported(uow: UnitOfWork, reported: dict[str, Any]) -> None:
    """Store counts reported for stages done outside evidens (replacing earlier ones)."""
    for box, value in reported.items():
        items = value.items() if isinstance(value, dict) else [("", value)]
        for detail, number in items:
            uow.session.add(
                ReportedCountRow(
                    review_id=uow.review_id, box=box, detail=str(detail), value=int(number)
                )
            )
            uow.audit(
                "report_count", "reported_count", f"{box}:{detail}", after={"value": int(number)}
            )
