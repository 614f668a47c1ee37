"""Indexes for the web queue: one reviewer's decisions at a stage (their progress count and
undo's "latest decision" read a few index entries instead of every decision of the review),
and a review's records with their cluster (the canonical records are counted and listed
from the index, not by reading every record with its abstract).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 02:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_records_review_cluster", ["review_id", "cluster_id", "id"], unique=False
        )
    with op.batch_alter_table("screening_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_screening_decisions_reviewer",
            ["review_id", "stage", "reviewer", "decided_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("screening_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_decisions_reviewer")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_review_cluster")
