"""Screening aids over a review: AI ranking, agreement between reviewers, stopping rules.

Ranking trains on final decisions only (agreed or resolved), so one reviewer's open
decision never shapes another's queue (blinding). A stop is a proposal: unscreened records
become PRISMA's "excluded by automation tools" only when a person accepts the stop, which
records each of them as an automation resolution naming the rule, in the audit log too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select

from evidens.core import Decision, Stage
from evidens.errors import ReviewStateError
from evidens.screening.agreement import Agreement, all_pairs
from evidens.screening.ranking import rank_records, record_text
from evidens.screening.stopping import StoppingReport
from evidens.screening.stopping_rules import live_reports
from evidens.services.review.records import load_records
from evidens.services.screening.decisions import (
    complete_decisions,
    eligible_ids,
    stage_statuses,
)
from evidens.services.screening.statuses import stage_decisions
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import ResolutionRow, utcnow

AUTOMATION = "automation"
"""Resolver name prefix of records excluded by an accepted stopping rule."""


WHY_TERMS = 5
"""Terms shown for why a record is ranked where it is."""
CANDIDATE_TERMS = 30
"""Terms asked of the model per record, so that enough are left once stop-words are out."""


@cache
def _stop_words() -> frozenset[str]:
    # scikit-learn's English list (imported late: the import is slow)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def informative_terms(terms: Iterable[str], n: int = WHY_TERMS) -> tuple[str, ...]:
    """The first ``n`` of a record's top terms that tell a person something.

    The default model keeps stop-words as features (as ASReview does: they help the
    ranking), so a record's strongest terms are often "the" or "of the". Shown as the
    reason a record is ranked high, those say nothing: a term is kept only when none of its
    words is a stop-word, a number or a single letter.
    """
    stop = _stop_words()
    kept: list[str] = []
    for term in terms:
        words = term.split()
        if words and not any(w in stop or w.isdigit() or len(w) < 2 for w in words):
            kept.append(term)
            if len(kept) == n:
                break
    return tuple(kept)


@dataclass(frozen=True)
class RankedView:
    record_id: int
    title: str
    score: float
    why: tuple[str, ...]


def _final_labels(uow: UnitOfWork, stage: Stage) -> dict[int, bool]:
    return {
        rid: status.final is not Decision.EXCLUDE
        for rid, status in stage_statuses(uow, stage).items()
        if status.final is not None
    }


def rank(
    store: ReviewStore, stage: Stage = Stage.TITLE_ABSTRACT, *, limit: int | None = 20
) -> list[RankedView]:
    """Undecided records at ``stage``, most likely relevant first, with the terms why."""
    with transaction(store, "evidens") as uow:
        ids = eligible_ids(uow, stage)
        labels = _final_labels(uow, stage)
        records = load_records(uow.session, ids)
    if not any(labels.values()) or all(labels.values()):
        raise ReviewStateError(
            "ranking needs at least one included and one excluded record with a final decision",
            hint="screen (and resolve) a few records first",
        )
    row = {rid: i for i, rid in enumerate(ids)}
    texts = [record_text(records[r].title or "", records[r].abstract or "") for r in ids]
    decided = {row[r]: v for r, v in labels.items() if r in row}
    ranked = rank_records(texts, decided, limit=limit, top_terms=CANDIDATE_TERMS)
    return [
        RankedView(
            ids[r.row],
            records[ids[r.row]].title or "",
            r.score,
            informative_terms(term for term, _ in r.top_terms),
        )
        for r in ranked
    ]


def agreement(store: ReviewStore, stage: Stage = Stage.TITLE_ABSTRACT) -> list[Agreement]:
    """Cohen's kappa, PABAK and Gwet's AC1 with CIs for every pair of reviewers, over the
    records that are complete (see :func:`complete_decisions`)."""
    with transaction(store, "evidens") as uow:
        return list(all_pairs(complete_decisions(uow, stage)))


def _screening_order(uow: UnitOfWork, stage: Stage) -> tuple[list[int], int]:
    """Labels (1 relevant) of records with a final decision, in the order their first
    decision was made, and how many records the stage holds."""
    labels = _final_labels(uow, stage)
    first: dict[int, object] = {}
    for d in sorted(
        stage_decisions(uow, stage), key=lambda d: (d.decided_at or utcnow(), d.record_id)
    ):
        first.setdefault(d.record_id, d.decided_at)
    order = [rid for rid in first if rid in labels]
    return [int(labels[rid]) for rid in order], len(eligible_ids(uow, stage))


def stop_reports(
    store: ReviewStore,
    stage: Stage = Stage.TITLE_ABSTRACT,
    *,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    run: int = 50,
) -> list[StoppingReport]:
    """Where every stopping rule stands now, the default first (nothing is changed)."""
    with transaction(store, "evidens") as uow:
        labels, total = _screening_order(uow, stage)
    return live_reports(labels, total, target_recall=target_recall, confidence=confidence, run=run)


def accept_stop(
    store: ReviewStore, report: StoppingReport, *, actor: str, stage: Stage = Stage.TITLE_ABSTRACT
) -> int:
    """Exclude every record not yet decided at ``stage`` by automation, naming the rule."""
    if not report.stop:
        raise ReviewStateError(
            f"the rule does not allow stopping yet: {report.detail}",
            hint="screen further and look at the stop report again",
        )
    with transaction(store, actor) as uow:
        decided = set(stage_statuses(uow, stage))
        remaining = [r for r in eligible_ids(uow, stage) if r not in decided]
        for record_id in remaining:
            uow.session.add(
                ResolutionRow(
                    review_id=uow.review_id,
                    record_id=record_id,
                    stage=stage.value,
                    resolver=f"{AUTOMATION}: {report.rule}",
                    decision=Decision.EXCLUDE.value,
                    reason="excluded by an accepted stopping rule",
                    note=report.detail,
                    decided_at=utcnow(),
                )
            )
        uow.audit(
            "accept_stop",
            "review",
            uow.review_id,
            after={
                "rule": report.rule,
                "records_excluded": len(remaining),
                "accepted_by": actor,
                "methods": report.methods_text(),
            },
        )
    return len(remaining)


def automation_excluded(uow: UnitOfWork, stage: Stage, ids: Sequence[int]) -> set[int]:
    """Which of ``ids`` an accepted stopping rule excluded. The few automated resolutions
    are read and intersected here: ``ids`` is often every record of the review, and an
    ``IN`` list of 50,000 parameters cost seconds to send and plan."""
    rows = uow.session.scalars(
        select(ResolutionRow.record_id).where(
            ResolutionRow.review_id == uow.review_id,
            ResolutionRow.stage == stage.value,
            ResolutionRow.resolver.startswith(AUTOMATION),
        )
    )
    return set(rows) & set(ids)
