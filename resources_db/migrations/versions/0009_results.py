"""Results that fit now and fit the person: the last entry of a bed, and who a place is for.

``service.last_entry`` is the latest arrival still admitted ("arrive before midnight"),
local time. The derived ``search_point`` carries it and the service's populations, so the
nearby search ranks what is still possible tonight, and what fits the person, from the one
index range scan; its ``confidential`` flag lets it sort on the rounded distance it shows.
Existing search rows are filled from the tables here.

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


COLUMNS = ["theme", "latitude", "longitude", "service_at_location_id", "service_id", "location_id"]


def upgrade() -> None:
    op.add_column("service", sa.Column("last_entry", sa.Time))
    op.add_column("search_point", sa.Column("last_entry", sa.Time))
    op.add_column("search_point", sa.Column("populations", sa.String(255)))
    op.add_column(
        "search_point",
        sa.Column("confidential", sa.Boolean, server_default=sa.false(), nullable=False),
    )
    # The first step reads only the index: it now holds the confidential flag too.
    op.drop_index("ix_search_point_theme_latitude_longitude", table_name="search_point")
    op.create_index(
        "ix_search_point_theme_latitude_longitude",
        "search_point",
        [*COLUMNS, "confidential"],
    )
    # The derived rows already there get what they can from the tables (last_entry is new).
    op.execute(
        "UPDATE search_point SET confidential = COALESCE((SELECT location.confidential"
        " FROM location WHERE location.id = search_point.location_id), false)"
    )
    joined = (
        "string_agg(population, ' ' ORDER BY population)"
        if op.get_bind().dialect.name == "postgresql"
        else "group_concat(population, ' ')"
    )
    op.execute(
        f"UPDATE search_point SET populations = (SELECT {joined} FROM service_population"  # noqa: S608 - no input, one of two fixed expressions
        " WHERE service_population.service_id = search_point.service_id)"
    )


def downgrade() -> None:
    op.drop_index("ix_search_point_theme_latitude_longitude", table_name="search_point")
    op.create_index("ix_search_point_theme_latitude_longitude", "search_point", COLUMNS)
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of ``service`` would drop
    # the old table, and SQLite would cascade that drop to every row that points to it.
    for table, column in (
        ("search_point", "confidential"),
        ("search_point", "populations"),
        ("search_point", "last_entry"),
        ("service", "last_entry"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
