"""Related reports (added by the fifth migration): a registry entry, preprint, erratum or reply
and the item it concerns. De-duplication keeps them apart as reports but links them, so the
person who screens one sees the other and a study can gather its reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidens.store.models import Base, utcnow


class RecordLinkRow(Base):
    """``record_id`` is the ``relation`` of ``related_id`` ("erratum of the article")."""

    __tablename__ = "record_links"
    __table_args__ = (UniqueConstraint("record_id", "related_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    related_id: Mapped[int] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
