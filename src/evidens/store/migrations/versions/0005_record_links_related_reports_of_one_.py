"""Record links: related reports of one study (a registry entry, preprint, erratum or reply
and the item it concerns), kept apart by de-duplication but linked.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 02:19:09.958121
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_links_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["records.id"],
            name=op.f("fk_record_links_related_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_record_links_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_links")),
        sa.UniqueConstraint("record_id", "related_id", name=op.f("uq_record_links_record_id")),
    )
    with op.batch_alter_table("record_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_links_related_id"), ["related_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_record_links_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_links_review_id"))
        batch_op.drop_index(batch_op.f("ix_record_links_related_id"))
    op.drop_table("record_links")
