"""Sharing: which result each registration was e-mailed (told once, again only when it changes).

Revision ID: e17f00000001
Revises: e16g00000001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "e17f00000001"
down_revision = "e16g00000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sharing_result_notice",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_sharing_result_notice_registration_id_registration"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_sharing_result_notice")),
    )


def downgrade() -> None:
    op.drop_table("sharing_result_notice")
