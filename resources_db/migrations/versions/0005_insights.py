"""Outreach: anonymous insight events (append-only) and the posters' codes.

``insight_events`` gets triggers that refuse any UPDATE on both databases: an event is
written once, coarse, and never rewritten. (DELETE stays possible, for a retention purge.)

Revision ID: 0005_insights
Revises: 0003_handoff
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_insights"
down_revision: str | None = "0003_handoff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_FUNCTION = """
CREATE FUNCTION insight_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'insight_events is append-only: % refused', TG_OP;
END
$$
"""
_PG_TRIGGER = (
    "CREATE TRIGGER insight_events_no_update BEFORE UPDATE ON insight_events "
    "FOR EACH ROW EXECUTE FUNCTION insight_events_append_only()"
)
_SQLITE_TRIGGER = (
    "CREATE TRIGGER insight_events_no_update BEFORE UPDATE ON insight_events "
    "BEGIN SELECT RAISE(ABORT, 'insight_events is append-only: UPDATE refused'); END"
)


def upgrade() -> None:
    op.create_table(
        "insight_events",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("week", sa.Date, nullable=False),
        sa.Column("weekday", sa.SmallInteger, nullable=False),
        sa.Column("hour", sa.SmallInteger, nullable=False),
        sa.Column("theme", sa.String(32)),
        sa.Column("area", sa.String(80)),
        sa.Column("reach", sa.String(16)),
        sa.Column("source", sa.String(48)),
        sa.Column("language", sa.String(8)),
        sa.Column("came_back", sa.Boolean),
        sa.PrimaryKeyConstraint("id", name="pk_insight_events"),
    )
    op.create_index("ix_insight_events_kind", "insight_events", ["kind"])
    op.create_index("ix_insight_events_week", "insight_events", ["week"])
    op.create_table(
        "posters",
        sa.Column("code", sa.String(48), nullable=False),
        sa.Column("place", sa.String(120), nullable=False),
        sa.Column("printed_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_posters"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        op.execute(_SQLITE_TRIGGER)


def downgrade() -> None:
    op.drop_table("posters")
    op.drop_index("ix_insight_events_week", table_name="insight_events")
    op.drop_index("ix_insight_events_kind", table_name="insight_events")
    op.drop_table("insight_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS insight_events_append_only()")
