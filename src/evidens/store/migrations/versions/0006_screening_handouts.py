"""Screening hand-outs: the record the web queue last handed each reviewer at a stage, and
until when, so teammates are handed other records meanwhile.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 03:10:59.642151
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_handouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_screening_handouts_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_screening_handouts_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_handouts")),
        sa.UniqueConstraint(
            "review_id", "stage", "reviewer", name=op.f("uq_screening_handouts_review_id")
        ),
    )
    with op.batch_alter_table("screening_handouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_handouts_record_id"), ["record_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("screening_handouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_handouts_record_id"))
    op.drop_table("screening_handouts")
