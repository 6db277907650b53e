"""The workers' desk: the recent turns of each person, encrypted, for the case card.

Case fields the desk reads back (crisis category and level, re-alerts, priority changes)
live in the case's existing ``history`` column: no change to ``cases``.

Revision ID: 0006_desk
Revises: 0005_insights
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resources_db.models.base import UtcDateTime

revision: str = "0006_desk"
down_revision: str | None = "0005_insights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transcript_entries",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_transcript_entries"),
    )
    op.create_index("ix_transcript_entries_pseudonym", "transcript_entries", ["pseudonym"])
    op.create_index("ix_transcript_entries_at", "transcript_entries", ["at"])


def downgrade() -> None:
    op.drop_index("ix_transcript_entries_at", table_name="transcript_entries")
    op.drop_index("ix_transcript_entries_pseudonym", table_name="transcript_entries")
    op.drop_table("transcript_entries")
