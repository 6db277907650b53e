"""Conversations and the encrypted address book.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resources_db.models.base import UtcDateTime

revision: str = "0001_core"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("pseudonym", sa.String(64), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(16), nullable=False),
        sa.Column("source", sa.String(48)),
        sa.Column("theme", sa.String(32)),
        sa.Column("area", sa.String(80)),
        sa.Column("results_page", sa.Integer, nullable=False),
        sa.Column("misunderstood", sa.Integer, nullable=False),
        sa.Column("followup_consent", sa.Boolean, nullable=False),
        sa.Column("language_chosen", sa.Boolean, nullable=False),
        sa.Column("crisis_flagged_at", UtcDateTime()),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_activity_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name="pk_conversations"),
    )
    op.create_index("ix_conversations_owner", "conversations", ["owner"])
    op.create_index("ix_conversations_last_activity_at", "conversations", ["last_activity_at"])
    op.create_table(
        "addresses",
        sa.Column("pseudonym", sa.String(64), primary_key=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name="pk_addresses"),
    )


def downgrade() -> None:
    op.drop_table("addresses")
    op.drop_index("ix_conversations_last_activity_at", table_name="conversations")
    op.drop_index("ix_conversations_owner", table_name="conversations")
    op.drop_table("conversations")
