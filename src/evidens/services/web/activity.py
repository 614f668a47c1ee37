"""The dashboard's recent activity: who did what kind of step, from the audit log, in words
- never the decision itself (blinding holds on the dashboard too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import AuditRow


@dataclass(frozen=True)
class Activity:
    at: dt.datetime
    actor: str
    action: str
    entity: str
    summary: str  # e.g. "decided on a record" (never which decision)


SUMMARIES = {
    ("decide", "screening_decision"): "decided on a record",
    ("change", "screening_decision"): "changed a decision",
    ("undo", "screening_decision"): "withdrew a decision",
    ("resolve", "resolution"): "resolved a conflict",
    ("label", "record_label"): "labelled a record",
    ("unlabel", "record_label"): "removed a label from a record",
    ("reopen", "record"): "reopened a record for its reviewers",
    ("complete_records", "settings"): "completed records by requiring fewer reviewers",
    ("setup", "settings"): "changed the screening settings",
    ("setup", "protocol"): "changed the protocol",
    ("import", "import_batch"): "imported a search export",
    ("member", "member"): "set the role of {id}",
    ("create", "member"): "added a member",
    ("create", "review"): "created the review",
    ("deduplicate", "review"): "de-duplicated the records",
    ("invite", "invitation"): "created an invitation link",
    ("accept", "invitation"): "joined through an invitation",
    ("update", "member"): "changed the role of {id}",
    ("remove", "member"): "removed {id} from the team",
    ("reset_link", "user"): "created a password-reset link",
    ("start_pilot", "review"): "started a pilot round",
    ("start_round", "review"): "started an update of the review",
    ("set_protocol", "review"): "set the protocol",
    ("create", "search"): "logged a search",
    ("update", "search"): "recorded a search's hits",
    ("decide_pair", "duplicate_pair"): "judged a pair of possible duplicates",
    ("retrieval", "full_text"): "recorded a full text sought",
    ("create", "study"): "added a study",
    ("link", "study"): "linked a report to its study",
    ("move", "study"): "moved a report to another study",
    ("unlink", "study"): "unlinked a report from its study",
    ("extract", "study"): "recorded an extraction",
    ("store", "extraction"): "stored the extraction",
    ("settle", "extraction"): "settled an extraction difference",
    ("set_form", "extraction_form"): "set the extraction form",
    ("assess", "rob_assessment"): "recorded a risk-of-bias assessment",
    ("create", "analysis"): "defined an analysis",
    ("delete", "analysis"): "removed an analysis",
    ("analyse", "analysis"): "ran an analysis",
    ("grade", "grade_profile"): "recorded GRADE judgments",
    ("grade", "grade_assessment"): "updated a certainty rating",
}


def recent_activity(store: ReviewStore, limit: int = 15) -> list[Activity]:
    """The latest audit entries: who did what kind of step, never the decision itself."""
    with transaction(store, "web") as uow:
        return activity_in(uow, limit)


def activity_in(uow: UnitOfWork, limit: int = 15) -> list[Activity]:
    rows = uow.session.execute(
        select(AuditRow.at, AuditRow.actor, AuditRow.action, AuditRow.entity, AuditRow.entity_id)
        .where(AuditRow.review_id == uow.review_id)
        .order_by(AuditRow.id.desc())
        .limit(limit)
    ).all()
    return [
        Activity(at, actor, action, entity, _summary(action, entity, entity_id))
        for at, actor, action, entity, entity_id in rows
    ]


def _summary(action: str, entity: str, entity_id: str | None) -> str:
    """What an audit entry says happened; a member's name is shown (roles are no secret
    within a team), a record's decision never."""
    text = SUMMARIES.get((action, entity), f"{action} {entity}")
    return text.replace("{id}", entity_id or "a member")
