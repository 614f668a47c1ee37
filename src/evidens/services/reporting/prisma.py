"""PRISMA 2020 counts for a review: derived from its records and decisions, with reported
counts (stages done outside evidens) overlaid and marked."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select

from evidens.core import Decision, SourceKind, Stage
from evidens.prisma.counts import (
    BOXES,
    PrismaCounts,
    RecordFlow,
    SourceCount,
    derive_counted,
    with_reported,
)
from evidens.prisma.diagram import OtherMethods, PreviousReview, Template
from evidens.screening.workflow import Status
from evidens.services.review.records import canonical_ids
from evidens.services.review.rounds import current_round, previous_review
from evidens.services.review.settings import review_settings
from evidens.services.screening.decisions import stage_statuses
from evidens.services.screening.prioritise import automation_excluded
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import (
    FullTextRow,
    ImportBatchRow,
    RecordRow,
    ReportedCountRow,
    ResolutionRow,
    ScreeningDecisionRow,
    SearchRow,
    SourceRow,
    StudyReportRow,
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
    """The counts of the review's current round: in a living review's update, the records
    its own searches found (each record is counted in the round that imported it), and
    the studies it added; the rounds before it are :func:`rounds.previous_review`."""
    session, review_id = uow.session, uow.review_id
    number = current_round(uow)
    sources = _source_counts(uow, number)
    total = sum(s.records or 0 for s in sources)
    canonical = canonical_ids(session, review_id)
    if number > 1:
        new = set(
            session.scalars(
                select(RecordRow.id)
                .join(ImportBatchRow, RecordRow.batch_id == ImportBatchRow.id)
                .where(RecordRow.review_id == review_id, ImportBatchRow.round == number)
            )
        )
        canonical = [rid for rid in canonical if rid in new]
    ta = stage_statuses(uow, Stage.TITLE_ABSTRACT)
    ft = stage_statuses(uow, Stage.FULL_TEXT)
    retrieved = dict(
        session.execute(
            select(FullTextRow.record_id, FullTextRow.retrieved).where(
                FullTextRow.review_id == review_id
            )
        ).all()
    )
    reasons = exclusion_reasons(uow, ft)
    automated = automation_excluded(uow, Stage.TITLE_ABSTRACT, canonical)
    flows = _flows(canonical, ta, ft, retrieved, reasons, automated)
    counted = select(func.count()).where(StudyRow.review_id == review_id)
    if number > 1:  # an update counts the studies it added; earlier ones are "previous"
        counted = counted.where(StudyRow.round == number)
    studies = session.scalar(counted)
    counts = derive_counted(
        sources,
        total - len(canonical),
        flows,
        studies_included=studies or None,
    )
    return with_reported(counts, reported_counts(uow))


def _flows(
    canonical: list[int],
    ta: dict[int, Status],
    ft: dict[int, Status],
    retrieved: dict[int, bool],
    reasons: dict[int, str],
    automated: set[int],
) -> list[tuple[RecordFlow, int]]:
    """Each distinct flow of the canonical records and how many took it. Most records of
    a large review are undecided or decided at title/abstract only, and are counted by
    their final decision there; only the few that went further are looked at one by one."""
    wanted = set(canonical)
    further = (ft.keys() | retrieved.keys() | automated) & wanted
    counted: Counter[tuple[Any, ...]] = Counter()
    for rid in further:
        counted[
            (
                _final(ta.get(rid)),
                retrieved.get(rid),
                _final(ft.get(rid)),
                reasons.get(rid),
                rid in automated,
            )
        ] += 1
    finals = Counter(ta[rid].final for rid in (ta.keys() & wanted) - further)
    flows = [(RecordFlow(*key), n) for key, n in counted.items()]
    flows += [
        (RecordFlow(title_abstract=final), n) for final, n in finals.items() if final is not None
    ]
    return [*flows, (RecordFlow(title_abstract=None), len(wanted) - sum(n for _, n in flows))]


def _final(status: Status | None) -> Decision | None:
    return None if status is None else status.final


def _source_counts(uow: UnitOfWork, number: int) -> list[SourceCount]:
    """Records per source in round ``number``; in an update, only the sources it searched."""
    # records counted per import batch first: a join of every record to its batch and
    # source, counted distinct, read the whole records table on every dashboard
    per_batch = (
        select(RecordRow.batch_id, func.count().label("n"))
        .where(RecordRow.review_id == uow.review_id)
        .group_by(RecordRow.batch_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(
            SourceRow.name,
            SourceRow.kind,
            func.coalesce(func.sum(per_batch.c.n), 0),
            func.count(ImportBatchRow.id),
        )
        .outerjoin(
            ImportBatchRow,
            (ImportBatchRow.source_id == SourceRow.id) & (ImportBatchRow.round == number),
        )
        .outerjoin(per_batch, per_batch.c.batch_id == ImportBatchRow.id)
        .where(SourceRow.review_id == uow.review_id)
        .where(_searched_in(uow, number))
        .group_by(SourceRow.id, SourceRow.name, SourceRow.kind)
        .order_by(SourceRow.id)
    ).all()
    # a source with no imported export has no derived count (``None``), not zero
    return [
        SourceCount(name, SourceKind(kind), int(n) if batches else None)
        for name, kind, n, batches in rows
    ]


def _searched_in(uow: UnitOfWork, number: int) -> Any:
    """Sources searched or imported in round ``number`` (every source in the first)."""
    if number == 1:
        return SourceRow.id.is_not(None)
    searched = select(SearchRow.source_id).where(
        SearchRow.review_id == uow.review_id, SearchRow.round == number
    )
    imported = select(ImportBatchRow.source_id).where(
        ImportBatchRow.review_id == uow.review_id, ImportBatchRow.round == number
    )
    return SourceRow.id.in_(searched) | SourceRow.id.in_(imported)


def exclusion_reasons(uow: UnitOfWork, statuses: dict[int, Status]) -> dict[int, str]:
    """The reason a full-text exclusion counts under: the resolver's, else the reason the
    excluding reviewers gave most often (ties broken alphabetically, so runs repeat)."""
    # the review's full-text reasons are read and matched here: an ``IN`` list of every
    # excluded record (thousands on a large review) cost more to build and send than
    # the rows it selected
    excluded = {rid for rid, s in statuses.items() if s.final is Decision.EXCLUDE}
    stage = Stage.FULL_TEXT.value
    reasons: dict[int, str] = {}
    for rid, reason in uow.session.execute(
        select(ResolutionRow.record_id, ResolutionRow.reason).where(
            ResolutionRow.review_id == uow.review_id,
            ResolutionRow.stage == stage,
            ResolutionRow.reason.is_not(None),
        )
    ):
        if reason and rid in excluded:
            reasons[rid] = reason
    given: dict[int, list[str]] = {}
    for rid, reason in uow.session.execute(
        select(ScreeningDecisionRow.record_id, ScreeningDecisionRow.reason).where(
            ScreeningDecisionRow.review_id == uow.review_id,
            ScreeningDecisionRow.stage == stage,
            ScreeningDecisionRow.decision == Decision.EXCLUDE.value,
            ScreeningDecisionRow.reason.is_not(None),
        )
    ):
        if reason and rid in excluded:
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
    earlier = reported_counts(uow)
    if earlier:
        uow.session.execute(
            delete(ReportedCountRow).where(ReportedCountRow.review_id == uow.review_id)
        )
        uow.audit("replace", "reported_counts", uow.review_id, before=earlier)
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


@dataclass(frozen=True)
class DiagramOptions:
    """What the flow diagram needs beside the counts, read once from the review: its
    template, the previous version's studies and reports, other methods' counts."""

    template: Template
    previous: PreviousReview | None
    other: OtherMethods


def diagram_options(uow: UnitOfWork, template: str | None = None) -> DiagramOptions:
    """The diagram's options: ``template`` if given, else ``[prisma]`` of the review's
    settings. In a living review's update (round 2 on) the template is an *updated review*
    one and the previous version's studies and reports are derived from the earlier
    rounds; a review kept as files may still state them (``[prisma] previous``) when its
    earlier version was done elsewhere."""
    options = review_settings(uow).prisma
    number = current_round(uow)
    chosen = Template(template or options.get("template", Template.NEW.value))
    previous = previous_review(uow, number)
    if previous is not None and not chosen.updated:
        chosen = Template.UPDATED_OTHER if chosen.other_methods else Template.UPDATED
    typed = options.get("previous")
    if previous is None and typed:
        previous = PreviousReview(int(typed["studies"]), int(typed["reports"]))
    other_opts = dict(options.get("other_methods", {}))
    other = OtherMethods(
        int(other_opts.get("sought", 0)),
        int(other_opts.get("not_retrieved", 0)),
        int(other_opts.get("assessed", 0)),
        tuple((str(k), int(v)) for k, v in dict(other_opts.get("excluded", {})).items()),
    )
    return DiagramOptions(chosen, previous, other)


def flow_dict(uow: UnitOfWork, counts: PrismaCounts) -> dict[str, Any]:
    """The counts as JSON-ready data; in an updated review, with the previous version's
    studies and reports and the totals, each total checked against the studies and
    reports the store holds (counted apart from the rounds' own counts)."""
    data = counts.to_dict()
    previous = diagram_options(uow).previous
    if previous is None:
        return data
    total_studies = previous.studies + counts.studies_included_in_review
    total_reports = previous.reports + counts.reports_of_included_studies
    studies = select(StudyRow.id).where(StudyRow.review_id == uow.review_id)
    held_studies = uow.session.scalar(select(func.count()).select_from(studies.subquery()))
    held_reports = uow.session.scalar(
        select(func.count()).where(StudyReportRow.study_id.in_(studies))
    )
    data["previous_version"] = {"studies": previous.studies, "reports": previous.reports}
    data["total_studies_included"] = total_studies
    data["reports_of_total_included_studies"] = total_reports
    data["checks"] = [
        *data.get("checks", []),
        _check("total_studies_included", "previous + new studies", total_studies, held_studies),
        _check(
            "reports_of_total_included_studies",
            "previous + new reports",
            total_reports,
            held_reports,
        ),
    ]
    return data


def _check(box: str, equation: str, expected: int, held: int | None) -> dict[str, Any]:
    actual = int(held or 0)
    return {
        "box": box,
        "equation": f"{equation} = those the review holds",
        "expected": expected,
        "actual": actual,
        "ok": expected == actual,
    }
