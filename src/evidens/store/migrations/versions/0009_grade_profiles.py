"""GRADE profiles: the assessors' judgments of a Summary of Findings table, kept in the
store (its numbers are derived from the analyses and risk-of-bias assessments when shown).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 11:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grade_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_grade_profiles_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_profiles")),
        sa.UniqueConstraint("review_id", "name", name=op.f("uq_grade_profiles_review_id")),
    )
    op.create_index(
        op.f("ix_grade_profiles_review_id"), "grade_profiles", ["review_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_grade_profiles_review_id"), table_name="grade_profiles")
    op.drop_table("grade_profiles")
