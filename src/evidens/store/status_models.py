"""Where each record stands at each stage (added by the twelfth migration).

A status is derived from a record's decisions and resolution by the pure rules of
:mod:`evidens.screening.workflow`; deriving every record's status from every decision on
each page cost about half a second of CPU per stage on a 50,000-record review, so the
services keep the derived status here, rewritten in the same transaction as the decision,
resolution, undo or reopen that changes it (:mod:`evidens.services.screening.statuses`).
Nothing here is a source of truth: :class:`ScreeningStatusBuildRow` says under which rules
a review's statuses were derived, and a missing or different one makes the services derive
them all again from the decisions.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidens.store.models import Base, _review_fk


class ScreeningStatusRow(Base):
    """One record's status at one stage: its kind, final decision, who decided it (their
    names, in order, as a JSON list), how many decisions it still needs and who resolved it."""

    __tablename__ = "screening_statuses"
    __table_args__ = (
        UniqueConstraint("record_id", "stage"),
        # a stage's statuses, or those of one kind (conflicts), read by index
        Index("ix_screening_statuses_kind", "review_id", "stage", "kind"),
        # the statuses written since a version a server process already holds
        Index("ix_screening_statuses_version", "review_id", "stage", "version"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    final: Mapped[str | None] = mapped_column(String(10))
    decided_by: Mapped[str] = mapped_column(Text)  # a JSON list, decoded once per value read
    reviewers: Mapped[int] = mapped_column(Integer)
    missing: Mapped[int] = mapped_column(Integer)
    resolver: Mapped[str | None] = mapped_column(String(200))
    # each reviewer's current decision, a JSON list of [reviewer, decision] pairs: the
    # agreement tables are counted from these without reading every decision
    votes: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)


class ScreeningStatusBuildRow(Base):
    """The rules a review's statuses at one stage were derived under (the number of
    reviewers required, whether *maybe* is a conflict, and the version of the rules), the
    stage's version (raised by every transaction that rewrites statuses, which holds this
    row until it commits, so versions are in commit order; never lowered), how many statuses
    it has, and a token drawn when the row is made (a store rebuilt at the same address is
    not taken for the one a server process read before)."""

    __tablename__ = "screening_status_builds"
    __table_args__ = (UniqueConstraint("review_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    rules: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    statuses: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(32))
