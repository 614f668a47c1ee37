"""SQLAlchemy 2 models for the whole review.

Rows are storage, not domain objects: services map them to the frozen dataclasses of
:mod:`evidens.core` (see :mod:`evidens.store.mapping`). Every table but ``reviews`` carries a
``review_id`` so that one PostgreSQL database can hold a team's many reviews, while a SQLite
file usually holds one. Lists and free-form structures are JSON columns: they are read and
written whole, never queried inside.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it as a class attribute
        dict[str, Any]: Json,
        list[Any]: Json,
        dt.datetime: DateTime(timezone=True),
    }


def _review_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)


class ReviewRow(Base):
    """A review and its protocol (question, PICO, eligibility criteria, outcomes, registration)."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    protocol: Mapped[dict[str, Any]] = mapped_column(default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MemberRow(Base):
    """A person on the review team; ``role`` is owner, reviewer or viewer and
    ``permissions`` adds capabilities such as "resolver" or "can import"."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="reviewer")
    permissions: Mapped[list[Any]] = mapped_column(default=list)


class SourceRow(Base):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    platform: Mapped[str | None] = mapped_column(String(200))


class SearchRow(Base):
    """A search as run (PRISMA-S): strategy, platform, date, hits, limits, who ran it."""

    __tablename__ = "searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    strategy: Mapped[str] = mapped_column(Text)
    date_run: Mapped[dt.date | None] = mapped_column(Date)
    hits: Mapped[int | None] = mapped_column(Integer)
    platform: Mapped[str | None] = mapped_column(String(200))
    limits: Mapped[str | None] = mapped_column(Text)
    run_by: Mapped[str | None] = mapped_column(String(200))
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # living review
    # what the strategy was translated from, with its warnings (PRISMA-S item 8); the
    # shape of evidens.search.logged.LoggedTranslation.to_dict, None when written by hand
    translation: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


class ImportBatchRow(Base):
    """One export file loaded into the review, with its per-file import report."""

    __tablename__ = "import_batches"
    __table_args__ = (UniqueConstraint("review_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    search_id: Mapped[int | None] = mapped_column(ForeignKey("searches.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(50))
    encoding: Mapped[str | None] = mapped_column(String(50))
    records_read: Mapped[int] = mapped_column(Integer)
    search_date: Mapped[dt.date | None] = mapped_column(Date)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_by: Mapped[str | None] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # living review


class RecordRow(Base):
    """A record as one source returned it. Duplicates stay as rows; ``cluster_id`` groups
    them and the cluster names the canonical record that screening sees."""

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_review_doi", "review_id", "doi_key"),
        Index("ix_records_review_pmid", "review_id", "pmid"),
        # the canonical records of a review (id, cluster) from the index alone: the web
        # queue counts and orders them without reading 100,000 abstracts
        Index("ix_records_review_cluster", "review_id", "cluster_id", "id"),
        # records per import batch (PRISMA's per-source counts) from the index alone
        Index("ix_records_review_batch", "review_id", "batch_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[Any]] = mapped_column(default=list)
    year: Mapped[int | None] = mapped_column(Integer)
    journal: Mapped[str | None] = mapped_column(Text)
    volume: Mapped[str | None] = mapped_column(String(100))
    issue: Mapped[str | None] = mapped_column(String(100))
    pages: Mapped[str | None] = mapped_column(String(100))
    doi: Mapped[str | None] = mapped_column(Text)
    doi_key: Mapped[str | None] = mapped_column(Text)
    pmid: Mapped[str | None] = mapped_column(String(20))
    pmcid: Mapped[str | None] = mapped_column(String(20))
    accessions: Mapped[list[Any]] = mapped_column(default=list)
    registry_ids: Mapped[list[Any]] = mapped_column(default=list)
    abstract: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    subject_headings: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(100))
    publication_types: Mapped[list[Any]] = mapped_column(default=list)
    issn: Mapped[str | None] = mapped_column(String(100))
    urls: Mapped[list[Any]] = mapped_column(default=list)
    source_database: Mapped[str | None] = mapped_column(String(200))
    raw: Mapped[list[Any]] = mapped_column(default=list)
    source_line: Mapped[int | None] = mapped_column(Integer)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("duplicate_clusters.id", ondelete="SET NULL"), index=True
    )


class DuplicateClusterRow(Base):
    """Records judged to be one article: how it was decided (rule, score or person)."""

    __tablename__ = "duplicate_clusters"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    canonical_record_id: Mapped[int] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE", use_alter=True)
    )
    decided_by: Mapped[str] = mapped_column(String(20))  # rule | score | person
    rule: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float | None] = mapped_column(Float)
    person: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DuplicatePairDecisionRow(Base):
    """A person's verdict on a candidate pair from the review queue; kept so that re-running
    de-duplication after a new import never redoes a manual decision."""

    __tablename__ = "duplicate_pair_decisions"
    __table_args__ = (UniqueConstraint("record_a_id", "record_b_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    record_a_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    record_b_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    same: Mapped[bool | None] = mapped_column(Boolean)  # None = still uncertain (queued)
    score: Mapped[float | None] = mapped_column(Float)
    person: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column()


class ScreeningDecisionRow(Base):
    """One reviewer's independent decision; one row per (record, stage, reviewer), so two
    reviewers deciding at once never write the same row."""

    __tablename__ = "screening_decisions"
    __table_args__ = (
        UniqueConstraint("record_id", "stage", "reviewer"),
        # one reviewer's decisions at a stage: their progress and their latest (for undo)
        Index("ix_screening_decisions_reviewer", "review_id", "stage", "reviewer", "decided_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ScreeningHandoutRow(Base):
    """The record the web queue last handed a reviewer at a stage, and until when it is
    theirs: teammates are handed other records meanwhile, so three people do not read a
    record that needs two. One row per reviewer and stage; nothing of a decision in it."""

    __tablename__ = "screening_handouts"
    __table_args__ = (UniqueConstraint("review_id", "stage", "reviewer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    until: Mapped[dt.datetime] = mapped_column()


class ResolutionRow(Base):
    __tablename__ = "resolutions"
    __table_args__ = (UniqueConstraint("record_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    resolver: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FullTextRow(Base):
    """Full-text retrieval of a record that passed title/abstract screening (PRISMA's
    "reports sought" and "reports not retrieved")."""

    __tablename__ = "full_texts"
    __table_args__ = (UniqueConstraint("record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    retrieved: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))


class StudyRow(Base):
    __tablename__ = "studies"
    __table_args__ = (UniqueConstraint("review_id", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    label: Mapped[str] = mapped_column(String(200))
    design: Mapped[str] = mapped_column(String(100), default="RCT")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # first included


class StudyReportRow(Base):
    """A report (publication or registration) linked to its study."""

    __tablename__ = "study_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="SET NULL"))
    citation: Mapped[str] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(Text)
    registry_id: Mapped[str | None] = mapped_column(String(100))


class OutcomeRow(Base):
    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="binary")
    timepoint: Mapped[str | None] = mapped_column(String(100))
    importance: Mapped[str] = mapped_column(String(20), default="critical")


class ExtractionFormRow(Base):
    __tablename__ = "extraction_forms"
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ExtractionValueRow(Base):
    """One extractor's value for one field of one study; extractor "consensus" holds the
    agreed value with ``decided_by`` naming who settled it."""

    __tablename__ = "extraction_values"
    __table_args__ = (UniqueConstraint("study_id", "form_id", "extractor", "field"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    form_id: Mapped[int] = mapped_column(ForeignKey("extraction_forms.id", ondelete="CASCADE"))
    extractor: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(300))
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    derived: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decided_by: Mapped[str | None] = mapped_column(String(200))


class ArmDataRow(Base):
    """Per-arm outcome data of a study (consensus values unless ``extractor`` says else)."""

    __tablename__ = "arm_data"
    __table_args__ = (UniqueConstraint("study_id", "outcome_id", "arm", "extractor"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"))
    arm: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="experimental")
    extractor: Mapped[str] = mapped_column(String(200), default="consensus")
    events: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    mean: Mapped[float | None] = mapped_column(Float)
    sd: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)


class RobAssessmentRow(Base):
    """A risk-of-bias assessment per study, outcome and assessor (or "consensus")."""

    __tablename__ = "rob_assessments"
    __table_args__ = (UniqueConstraint("study_id", "outcome_id", "assessor", "instrument"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"))
    assessor: Mapped[str] = mapped_column(String(200))
    instrument: Mapped[str] = mapped_column(String(50))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    justifications: Mapped[dict[str, Any]] = mapped_column(default=dict)
    judgments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    overall: Mapped[str | None] = mapped_column(String(30))


class ReportedCountRow(Base):
    """A PRISMA count reported for a stage done outside evidens (kept apart from derived
    counts so outputs can say which is which)."""

    __tablename__ = "reported_counts"
    __table_args__ = (UniqueConstraint("review_id", "box", "detail"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    box: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(String(300), default="")
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    """Append-only log of every change: who, what, when, before and after.
    Database triggers refuse updates and deletes (see the first migration)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(Json)
    after: Mapped[dict[str, Any] | None] = mapped_column(Json)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
