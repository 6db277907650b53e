"""The handoff tables (placeholder until that work lands; keeps the revision chain fixed).

Revision ID: 0003_handoff
Revises: 0002_resources
Create Date: 2026-11-21
"""

from collections.abc import Sequence

revision: str = "0003_handoff"
down_revision: str | None = "0002_resources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
