"""The review's dashboard, read in one transaction.

The dashboard shows progress per stage and reviewer, recent activity, agreement, the pilot
round and the PRISMA diagram. Each part used to open its own transaction, and each one
worked out the canonical records and the stages' statuses again: one transaction reads
them once (:func:`evidens.services.store.read_once`) and sees one state of the review.
Like its parts, nothing here shows a decision on a record that is still open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from evidens.screening.agreement import Agreement
from evidens.services.store import ReviewStore, transaction
from evidens.services.web.activity import Activity, activity_in
from evidens.services.web.views import (
    PilotRound,
    StageProgress,
    agreement_in,
    pilot_round_in,
    prisma_html_in,
    progress_in,
)


@dataclass(frozen=True)
class Dashboard:
    progress: list[StageProgress]
    activity: list[Activity]
    agreement: list[Agreement]
    pilot: PilotRound | None
    prisma: str  # the PRISMA 2020 diagram so far, as HTML whose boxes link to records


def dashboard(store: ReviewStore, link: Callable[[str], str]) -> Dashboard:
    """Everything the dashboard shows; ``link`` gives a PRISMA box's records page."""
    with transaction(store, "web") as uow:
        return Dashboard(
            progress=progress_in(uow),
            activity=activity_in(uow),
            agreement=agreement_in(uow),
            pilot=pilot_round_in(uow),
            prisma=prisma_html_in(uow, link),
        )
