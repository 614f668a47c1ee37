"""Read queries the web pages need beyond the screening services: progress per stage and
reviewer, recent activity, the records behind a PRISMA box.

Nothing here returns another reviewer's decision on a record: progress is counts, activity
is who did what kind of thing (never the decision), and record lists show final statuses,
which exist only once a record has all its required decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from evidens.core import Decision, Stage
from evidens.dedup.compare import compare
from evidens.dedup.prepared import prepare
from evidens.prisma.diagram import build_diagram
from evidens.prisma.render import render_html
from evidens.screening.agreement import Agreement, all_pairs, pairs_from_counts
from evidens.screening.workflow import Status, StatusKind
from evidens.services.identification.dedup import QueuedPair, pending_pairs
from evidens.services.reporting.prisma import counts_in, diagram_options
from evidens.services.review.records import among, canonical_ids
from evidens.services.screening.decisions import (
    complete_decisions,
    eligible_ids,
    stage_statuses,
)
from evidens.services.screening.pilot import STAGE, open_records, pilot_in
from evidens.services.screening.state import settings_of
from evidens.services.screening.status_reads import complete_pair_counts
from evidens.services.screening.statuses import DECISIONS, stage_decisions
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import (
    FullTextRow,
    RecordRow,
    ReviewRow,
    ScreeningDecisionRow,
)

PAGE_SIZE = 100
# the PRISMA boxes a records list exists for
BOXES = (
    "records_identified",
    "records_removed_before_screening",
    "records_screened",
    "records_excluded",
    "reports_sought_for_retrieval",
    "reports_not_retrieved",
    "reports_assessed_for_eligibility",
    "reports_excluded",
    "studies_included_in_review",
)


@dataclass(frozen=True)
class StageProgress:
    stage: Stage
    eligible: int
    complete: int
    conflicts: int
    required: int
    by_reviewer: tuple[tuple[str, int], ...]  # decisions made, per reviewer


@dataclass(frozen=True)
class RecordLine:
    record_id: int
    title: str
    year: int | None
    journal: str | None
    statuses: tuple[tuple[str, str], ...]  # (stage, status) where the record has one
    labels: tuple[str, ...] = ()  # the labels the viewer may see (the record list)


@dataclass(frozen=True)
class ReviewText:
    """What a screener needs beside each record: the question and eligibility criteria."""

    title: str
    question: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    reasons: tuple[str, ...]


def review_text(store: ReviewStore) -> ReviewText:
    with transaction(store, "web") as uow:
        return text_in(uow)


def text_in(uow: UnitOfWork) -> ReviewText:
    review = uow.session.get(ReviewRow, uow.review_id)
    protocol: dict[str, Any] = dict(review.protocol if review else {})
    return ReviewText(
        title=review.title if review else "",
        question=str(protocol.get("question", "")),
        include=tuple(str(c) for c in protocol.get("inclusion_criteria", ())),
        exclude=tuple(str(c) for c in protocol.get("exclusion_criteria", ())),
        reasons=settings_of(uow).exclusion_reasons,
    )


def progress(store: ReviewStore) -> list[StageProgress]:
    with transaction(store, "web") as uow:
        return progress_in(uow)


def progress_in(uow: UnitOfWork) -> list[StageProgress]:
    """Each stage's eligible, complete and conflicting records, and decisions per reviewer."""
    out = []
    settings = settings_of(uow)
    found: dict[Stage, dict[int, Status]] = {}
    for stage in Stage:
        statuses = found[stage] = stage_statuses(uow, stage)
        eligible = len(eligible_ids(uow, stage, found.get(Stage.TITLE_ABSTRACT)))
        per = uow.session.execute(
            select(ScreeningDecisionRow.reviewer, func.count())
            .where(
                ScreeningDecisionRow.review_id == uow.review_id,
                ScreeningDecisionRow.stage == stage.value,
            )
            .group_by(ScreeningDecisionRow.reviewer)
            .order_by(ScreeningDecisionRow.reviewer)
        ).all()
        out.append(
            StageProgress(
                stage=stage,
                eligible=eligible,
                complete=sum(1 for s in statuses.values() if s.final is not None),
                conflicts=sum(1 for s in statuses.values() if s.kind is StatusKind.CONFLICT),
                required=settings.required[stage],
                by_reviewer=tuple((str(name), int(n)) for name, n in per),
            )
        )
    return out


def prisma_html(store: ReviewStore, link: Callable[[str], str]) -> str:
    """The PRISMA 2020 diagram so far as an HTML fragment whose boxes link to records."""
    with transaction(store, "web") as uow:
        return prisma_html_in(uow, link)


def prisma_html_in(uow: UnitOfWork, link: Callable[[str], str]) -> str:
    counts = counts_in(uow)
    options = diagram_options(uow)
    diagram = build_diagram(
        counts, options.template, previous=options.previous, other=options.other
    )
    return render_html(diagram, link)


def _box_ids(uow: UnitOfWork, box: str, statuses: dict[Stage, dict[int, Status]]) -> list[int]:
    """The records behind ``box``, from the stages' statuses the caller derived once."""
    session, review_id = uow.session, uow.review_id
    canonical = canonical_ids(session, review_id)
    ta, ft = statuses[Stage.TITLE_ABSTRACT], statuses[Stage.FULL_TEXT]
    if box == "records_identified":
        return list(
            session.scalars(
                select(RecordRow.id).where(RecordRow.review_id == review_id).order_by(RecordRow.id)
            )
        )
    if box == "records_removed_before_screening":
        kept = set(canonical)
        every = session.scalars(
            select(RecordRow.id).where(RecordRow.review_id == review_id).order_by(RecordRow.id)
        )
        return [r for r in every if r not in kept]
    missing = set(
        session.scalars(
            select(FullTextRow.record_id).where(
                FullTextRow.review_id == review_id, FullTextRow.retrieved.is_(False)
            )
        )
    )
    # the same rules as prisma.counts.derive, so a box's list is as long as its count
    passed = [r for r in canonical if _final(ta, r) in (Decision.INCLUDE, Decision.MAYBE)]
    assessed = [r for r in passed if r not in missing]
    chosen: dict[str, list[int]] = {
        "records_screened": [r for r in canonical if _final(ta, r) is not None],
        "records_excluded": [r for r in canonical if _final(ta, r) is Decision.EXCLUDE],
        "reports_sought_for_retrieval": passed,
        "reports_not_retrieved": [r for r in passed if r in missing],
        "reports_assessed_for_eligibility": assessed,
        "reports_excluded": [r for r in assessed if _final(ft, r) is Decision.EXCLUDE],
        "studies_included_in_review": [
            r for r in assessed if _final(ft, r) not in (None, Decision.EXCLUDE)
        ],
    }
    return chosen.get(box, [])


def _final(statuses: dict[int, Status], record_id: int) -> Decision | None:
    status = statuses.get(record_id)
    return None if status is None else status.final


def records_in_box(
    store: ReviewStore, box: str, page: int = 1, *, viewer: str, resolver: bool
) -> tuple[list[RecordLine], int]:
    """One page of the records behind a PRISMA box, and how many there are in all, with
    each record's status as ``viewer`` may see it (:func:`shown_status`)."""
    with transaction(store, viewer) as uow:
        statuses = {stage: stage_statuses(uow, stage) for stage in Stage}
        ids = _box_ids(uow, box, statuses)
        chosen = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return record_lines(uow, chosen, statuses, viewer, resolver), len(ids)


def own_decisions(
    uow: UnitOfWork,
    viewer: str,
    *,
    stage: Stage | None = None,
    records: Collection[int] | None = None,
) -> dict[tuple[int, Stage], Decision]:
    """The viewer's own decisions by record and stage: at ``stage`` on every record (to
    filter on), at every stage on ``records`` (one page), or both. Read as plain columns:
    a reviewer of a large review has thousands."""
    row = ScreeningDecisionRow
    query = select(row.record_id, row.stage, row.decision).where(
        row.review_id == uow.review_id, row.reviewer == viewer
    )
    if stage is not None:
        query = query.where(row.stage == stage.value)
    if records is not None:
        query = query.where(among(uow.session, row.record_id, records))
    stages = {s.value: s for s in Stage}
    return {
        (rid, stages[at]): DECISIONS[what]
        for rid, at, what in uow.session.connection().execute(query)
    }


def record_lines(
    uow: UnitOfWork,
    shown: list[int],
    statuses: dict[Stage, dict[int, Status]],
    viewer: str,
    resolver: bool,
    labels: dict[int, tuple[str, ...]] | None = None,
) -> list[RecordLine]:
    """The lines of a page of records, each status as ``viewer`` may see it. Only the
    three columns shown are read, not whole records (abstracts, authors): building 100
    full rows was a third of a record list's time."""
    columns = select(RecordRow.id, RecordRow.title, RecordRow.year, RecordRow.journal)
    rows = {r.id: r for r in uow.session.execute(columns.where(RecordRow.id.in_(shown)))}
    mine = own_decisions(uow, viewer, records=shown)
    lines = []
    for rid in shown:
        row = rows[rid]
        found = tuple(
            (stage.value, seen)
            for stage in Stage
            if (seen := shown_status(statuses[stage].get(rid), mine.get((rid, stage)), resolver))
        )
        title = row.title or "(no title)"
        extra = (labels or {}).get(rid, ())
        lines.append(RecordLine(rid, title, row.year, row.journal, found, extra))
    return lines


def shown_status(status: Status | None, own: Decision | None, resolver: bool) -> str | None:
    """A record's status at one stage as a member may see it: a final one (agreed,
    resolved) as it is; a conflict to those who resolve; otherwise only the viewer's own
    decision - never whether a teammate has decided an open record."""
    if status is not None and status.final is not None:
        return status.kind.value
    if status is not None and status.kind is StatusKind.CONFLICT and resolver:
        return status.kind.value
    return f"your decision: {own.value}" if own is not None else None


def record_in_review(store: ReviewStore, record_id: int) -> bool:
    """Whether ``record_id`` is one of this review's records (ids are store-wide)."""
    with transaction(store, "web") as uow:
        return in_review(uow, record_id)


def in_review(uow: UnitOfWork, record_id: int) -> bool:
    found = uow.session.scalar(
        select(RecordRow.id).where(RecordRow.id == record_id, RecordRow.review_id == uow.review_id)
    )
    return found is not None


@dataclass(frozen=True)
class FieldLine:
    """One bibliographic field of a queued pair, side by side."""

    field: str
    a: str
    b: str
    differs: bool  # after case and spacing are set aside


@dataclass(frozen=True)
class PairView:
    """An uncertain pair as the de-duplication queue shows it: both records field by field,
    and the engine's reading of the evidence (what agrees, what differs)."""

    record_a: int
    record_b: int
    score: float | None
    rule: str
    reasons: tuple[str, ...]
    fields: tuple[FieldLine, ...]


PAIR_FIELDS = (
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "registry_ids",
)
PAIRS_SHOWN = 50


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def pair_view(pair: QueuedPair) -> PairView:
    """Field-by-field lines of a queued pair, abstracts last, with the engine's reasons."""
    verdict = compare(prepare(pair.a), prepare(pair.b))
    lines = []
    for name in (*PAIR_FIELDS, "abstract"):
        a, b = _shown(getattr(pair.a, name)), _shown(getattr(pair.b, name))
        lines.append(FieldLine(name, a, b, not _same_text(a, b)))
    return PairView(
        pair.record_a, pair.record_b, pair.score, verdict.rule, verdict.reasons, tuple(lines)
    )


def duplicate_queue(store: ReviewStore, limit: int = PAIRS_SHOWN) -> tuple[list[PairView], int]:
    """The first ``limit`` pairs waiting for a person (most similar first) and how many wait."""
    pairs = pending_pairs(store)
    return [pair_view(p) for p in pairs[:limit]], len(pairs)


def agreement(store: ReviewStore, records: Collection[int] | None = None) -> list[Agreement]:
    """Cohen's kappa, PABAK and Gwet's AC1 (with CIs) for every pair of reviewers and stage,
    over complete records only (of ``records``, when given): a record still waiting for a
    required decision is left out, so the table never shows anyone an open decision (with
    three reviewers required, two who agree would otherwise show the third what they
    said). A pilot record is complete once its whole team has decided it."""
    with transaction(store, "web") as uow:
        return agreement_in(uow, records)


def agreement_in(uow: UnitOfWork, records: Collection[int] | None = None) -> list[Agreement]:
    counted = [complete_pair_counts(uow, stage) for stage in Stage]
    if records is None and all(c is not None for c in counted):
        return list(pairs_from_counts(c for found in counted for c in found or ()))
    decisions = [d for stage in Stage for d in complete_decisions(uow, stage, records)]
    return list(all_pairs(decisions))


@dataclass(frozen=True)
class PilotRound:
    """The pilot sample, its team, how much of it is complete (decided by the whole team)
    and the team's agreement on the complete records."""

    records: tuple[int, ...]
    reviewers: tuple[str, ...]
    seed: int
    complete: int
    agreement: tuple[Agreement, ...]


def pilot_round(store: ReviewStore) -> PilotRound | None:
    with transaction(store, "web") as uow:
        return pilot_round_in(uow)


def pilot_round_in(uow: UnitOfWork) -> PilotRound | None:
    pilot = pilot_in(uow)
    if pilot is None:
        return None
    complete = set(pilot.records) - open_records(uow, pilot)
    team = set(pilot.reviewers)
    decisions = [
        d
        for d in stage_decisions(uow, STAGE, complete)
        if d.record_id in complete and d.reviewer in team
    ]
    return PilotRound(
        tuple(sorted(pilot.records)),
        pilot.reviewers,
        pilot.seed,
        len(complete),
        tuple(all_pairs(decisions)),
    )
