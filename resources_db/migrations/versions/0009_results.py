"""Results that fit now and fit the person: the last entry of a bed, and who a place is for.

``service.last_entry`` is the latest arrival still admitted ("arrive before midnight"),
local time. The derived ``search_point`` carries it and the service's populations, so the
nearby search ranks what is still possible tonight, and what fits the person, from the one
index range scan; its ``confidential`` flag lets it sort on the rounded distance it shows. Existing search rows get them at the next import (``refresh_search_points``).

Revision ID: 0009_results
Revises: 0004_transport
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_results"
down_revision: str | None = "0004_transport"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("service", sa.Column("last_entry", sa.Time))
    op.add_column("search_point", sa.Column("last_entry", sa.Time))
    op.add_column("search_point", sa.Column("populations", sa.String(255)))
    op.add_column(
        "search_point",
        sa.Column("confidential", sa.Boolean, server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("search_point") as batch:
        batch.drop_column("confidential")
        batch.drop_column("populations")
        batch.drop_column("last_entry")
    with op.batch_alter_table("service") as batch:
        batch.drop_column("last_entry")
