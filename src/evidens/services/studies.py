"""Included studies and the reports (records) that describe them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evidens.services.store import UnitOfWork
from evidens.store.models import StudyReportRow, StudyRow


def add_study(
    uow: UnitOfWork,
    label: str,
    *,
    design: str,
    reports: Sequence[tuple[int | None, str]],
    details: dict[str, Any] | None = None,
) -> int:
    """Create a study with its reports: (record id or None, citation) pairs."""
    study = StudyRow(review_id=uow.review_id, label=label, design=design, details=details or {})
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
