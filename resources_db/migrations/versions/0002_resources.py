"""The resources tables (placeholder until that work lands; keeps the revision chain fixed).

Revision ID: 0002_resources
Revises: 0001_core
Create Date: 2026-11-21
"""

from collections.abc import Sequence

revision: str = "0002_resources"
down_revision: str | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
