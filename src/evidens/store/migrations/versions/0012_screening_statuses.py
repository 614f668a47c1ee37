"""Screening statuses: each record's derived status per stage, kept in the transaction that
changes its decisions, and the rules each review's statuses were derived under. The table
starts empty; the services derive a review's statuses on the next change (no rule of
screening lives in a migration). Also an index of records by import batch, which PRISMA's
per-source counts read on every dashboard.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 18:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("final", sa.String(length=10), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("reviewers", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("resolver", sa.String(length=200), nullable=True),
        sa.Column("votes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_screening_statuses_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_screening_statuses_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_statuses")),
        sa.UniqueConstraint("record_id", "stage", name=op.f("uq_screening_statuses_record_id")),
    )
    op.create_index(op.f("ix_screening_statuses_review_id"), "screening_statuses", ["review_id"])
    op.create_index(
        "ix_screening_statuses_kind", "screening_statuses", ["review_id", "stage", "kind"]
    )
    op.create_index(
        "ix_screening_statuses_version",
        "screening_statuses",
        ["review_id", "stage", "version"],
    )
    op.create_index("ix_records_review_batch", "records", ["review_id", "batch_id"])
    op.create_table(
        "screening_status_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("rules", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("statuses", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_screening_status_builds_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_status_builds")),
        sa.UniqueConstraint(
            "review_id", "stage", name=op.f("uq_screening_status_builds_review_id")
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_records_review_batch", table_name="records")
    op.drop_table("screening_status_builds")
    op.drop_index("ix_screening_statuses_version", table_name="screening_statuses")
    op.drop_index("ix_screening_statuses_kind", table_name="screening_statuses")
    op.drop_index(op.f("ix_screening_statuses_review_id"), table_name="screening_statuses")
    op.drop_table("screening_statuses")
