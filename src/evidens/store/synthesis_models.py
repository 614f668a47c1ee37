"""Tables for the synthesis steps (added by the second migration): analyses and GRADE."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evidens.store.models import Base, _review_fk


class AnalysisRow(Base):
    """A defined meta-analysis (outcome, measure, model) with its methods and last result."""

    __tablename__ = "analyses"
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    name: Mapped[str] = mapped_column(String(200))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)


class GradeAssessmentRow(Base):
    """GRADE judgments for one comparison and outcome, each domain with its reason."""

    __tablename__ = "grade_assessments"
    __table_args__ = (UniqueConstraint("review_id", "comparison", "outcome_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"))
    comparison: Mapped[str] = mapped_column(Text)
    domains: Mapped[dict[str, Any]] = mapped_column(default=dict)
    certainty: Mapped[str] = mapped_column(String(20))
    importance: Mapped[str] = mapped_column(String(20), default="critical")


class GradeProfileRow(Base):
    """What the GRADE assessors decided for one Summary of Findings table: its header
    (population, setting, intervention, comparison...) and, per outcome in table order, the
    source of its numbers (an analysis or an extraction outcome) with each domain's rating
    and reason. Numbers are never kept here: they are derived from the store when shown."""

    __tablename__ = "grade_profiles"
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = _review_fk()
    name: Mapped[str] = mapped_column(String(200))
    header: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcomes: Mapped[list[Any]] = mapped_column(default=list)
