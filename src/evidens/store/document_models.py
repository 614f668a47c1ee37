"""Full-text documents (added by the seventh migration): the bytes of each PDF attached to a
review, kept in the store's own database and named by their SHA-256.

In the database rather than beside it: a review is one SQLite file or one PostgreSQL
database, so a copy or backup of the store carries its full texts, every web worker on
every host reads the same bytes without a shared folder, and no file path exists that
could be guessed or served by mistake. The same PDF attached twice is kept once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidens.store.models import Base, utcnow


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("review_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
