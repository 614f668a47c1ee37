"""Each PRISMA box links to its records: the list behind a box is exactly as long as the
box's count, whatever state the records are in (pending, complete, unretrieved)."""

from __future__ import annotations

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.services.reporting import prisma
from evidens.services.screening import decisions as screening
from evidens.services.screening import fulltext
from evidens.services.store import ReviewStore, transaction
from evidens.services.web import views as web_views

BOXES = (
    "records_screened",
    "records_excluded",
    "reports_sought_for_retrieval",
    "reports_not_retrieved",
    "reports_assessed_for_eligibility",
    "reports_excluded",
    "studies_included_in_review",
)


def _decide(store: ReviewStore, record: int, stage: Stage, who: str, what: Decision) -> None:
    reason = "Not randomized" if stage is Stage.FULL_TEXT and what is Decision.EXCLUDE else None
    screening.record_decision(store, ScreeningDecision(record, stage, who, what, reason))


def test_every_box_lists_as_many_records_as_it_counts(review: ReviewStore) -> None:
    first, second, third, fourth = screening.queue_for(review, "alice", Stage.TITLE_ABSTRACT)
    for record, verdict in ((first, Decision.INCLUDE), (second, Decision.EXCLUDE)):
        for who in ("alice", "bruno"):
            _decide(review, record, Stage.TITLE_ABSTRACT, who, verdict)
    _decide(review, third, Stage.TITLE_ABSTRACT, "alice", Decision.INCLUDE)  # one of two
    for who in ("alice", "bruno"):
        _decide(review, fourth, Stage.TITLE_ABSTRACT, who, Decision.MAYBE)
        _decide(review, first, Stage.FULL_TEXT, who, Decision.EXCLUDE)
    with transaction(review, "alice") as uow:
        fulltext.record_retrieval(uow, fourth, retrieved=False, reason="no access")

    counts = prisma.prisma_counts(review)
    for box in BOXES:
        _, total = web_views.records_in_box(review, box, viewer="owner", resolver=True)
        counted = (
            counts.reports_excluded_total if box == "reports_excluded" else getattr(counts, box)
        )
        assert total == counted, box
    assert counts.records_screened == 3  # the record with one decision of two is not yet
