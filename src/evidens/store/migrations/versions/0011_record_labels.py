"""Screening labels: a reviewer's short free-text tags on a record at a stage ("background",
"check protocol"), unique per (record, stage, member, label). Blinded like decisions by the
services (evidens.services.screening.labels).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 14:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("member", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_labels_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_record_labels_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_labels")),
        sa.UniqueConstraint(
            "record_id", "stage", "member", "label", name=op.f("uq_record_labels_record_id")
        ),
    )
    op.create_index(op.f("ix_record_labels_review_id"), "record_labels", ["review_id"])
    op.create_index(op.f("ix_record_labels_record_id"), "record_labels", ["record_id"])
    op.create_index("ix_record_labels_member", "record_labels", ["review_id", "member", "label"])


def downgrade() -> None:
    op.drop_index("ix_record_labels_member", table_name="record_labels")
    op.drop_index(op.f("ix_record_labels_record_id"), table_name="record_labels")
    op.drop_index(op.f("ix_record_labels_review_id"), table_name="record_labels")
    op.drop_table("record_labels")
