"""Rounds of a living review (added by the eighth migration): each update of the review is a
round with its own searches, imports and newly included studies; round 1 is the first
version. Searches, import batches and studies carry the round they belong to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidens.store.models import Base, utcnow


class ReviewRoundRow(Base):
    __tablename__ = "review_rounds"
    __table_args__ = (UniqueConstraint("review_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    searched_from: Mapped[dt.date | None] = mapped_column(Date)  # the new searches' cut-off
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
