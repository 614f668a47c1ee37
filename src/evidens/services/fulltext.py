"""Full-text retrieval: which reports were sought and which could not be obtained (PRISMA)."""

from __future__ import annotations

from sqlalchemy import select

from evidens.core import Decision, Stage
from evidens.errors import ReviewStateError
from evidens.services.screening import stage_statuses
from evidens.services.store import UnitOfWork
from evidens.store.models import FullTextRow


def record_retrieval(
    uow: UnitOfWork,
    record_id: int,
    *,
    retrieved: bool,
    reason: str | None = None,
    file_name: str | None = None,
) -> None:
    """Say whether the full text of a record that passed title/abstract screening was got."""
    status = stage_statuses(uow, Stage.TITLE_ABSTRACT).get(record_id)
    if status is None or status.final not in (Decision.INCLUDE, Decision.MAYBE):
        raise ReviewStateError(
            f"record {record_id} was not included at title/abstract, so no report is sought",
            hint="retrieval is recorded for records that passed title/abstract screening",
        )
    row = uow.session.scalar(select(FullTextRow).where(FullTextRow.record_id == record_id))
    before = None if row is None else {"retrieved": row.retrieved, "reason": row.reason}
    if row is None:
        row = FullTextRow(review_id=uow.review_id, record_id=record_id, retrieved=retrieved)
        uow.session.add(row)
    row.retrieved, row.reason, row.file_name = retrieved, reason, file_name
    uow.session.flush()
    uow.audit(
        "retrieval",
        "full_text",
        record_id,
        before=before,
        after={"retrieved": retrieved, "reason": reason, "file": file_name},
    )
