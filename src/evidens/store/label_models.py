"""Screening labels (added by the eleventh migration): short free-text tags a reviewer puts
on a record while screening ("background", "check protocol"). One row per (record, stage,
member, label); a label belongs to a stage because blinding is decided per stage."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidens.store.models import Base, _review_fk, utcnow

LABEL_LENGTH = 60


class RecordLabelRow(Base):
    """One member's label on one record at one stage."""

    __tablename__ = "record_labels"
    __table_args__ = (
        UniqueConstraint("record_id", "stage", "member", "label"),
        # a member's labels in a review, read from the index alone: the suggestions offered
        # on every screening page
        Index("ix_record_labels_member", "review_id", "member", "label"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    member: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
