"""Transport: the inbox, the outbox and its lanes, the staff desk's ledger, delivered messages.

Where a case lives in the staff group (topic, card) and what the group was last shown move
from ``cases`` to the desk's own ledger (``desk_cases``): the core knows no Telegram.

Revision ID: 0004_transport
Revises: 0006_desk
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resources_db.models.base import UtcDateTime

revision: str = "0004_transport"
down_revision: str | None = "0006_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOVED = ("topic_id", "card_message_id", "shown_status", "shown_priority", "shown_flags")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("update_id", sa.BigInteger),
        sa.Column("lane", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.LargeBinary),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("not_before", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("holder", sa.String(64)),
        sa.Column("lease_until", UtcDateTime()),
        sa.Column("done_at", UtcDateTime()),
        sa.Column("noticed", sa.Boolean, server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbox"),
        sa.UniqueConstraint("update_id", name="uq_inbox_update_id"),
    )
    op.create_index("ix_inbox_lane_status_id", "inbox", ["lane", "status", "id"])
    op.create_index("ix_inbox_status_id", "inbox", ["status", "id"])
    op.create_index("ix_inbox_done_at", "inbox", ["done_at"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("lane", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.LargeBinary),
        sa.Column("dedupe", sa.String(120)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("not_before", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("holder", sa.String(64)),
        sa.Column("lease_until", UtcDateTime()),
        sa.Column("sent_at", UtcDateTime()),
        sa.Column("error", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe", name="uq_outbox_dedupe"),
    )
    op.create_index("ix_outbox_lane_status_id", "outbox", ["lane", "status", "id"])
    op.create_index("ix_outbox_status_not_before", "outbox", ["status", "not_before"])
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])

    op.create_table(
        "outbox_lanes",
        sa.Column("lane", sa.String(80), nullable=False),
        sa.Column("recent", sa.JSON, nullable=False),
        sa.Column("ready_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("lane", name="pk_outbox_lanes"),
    )
    op.create_index("ix_outbox_lanes_ready_at", "outbox_lanes", ["ready_at"])

    op.create_table(
        "desk_cases",
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("topic_id", sa.BigInteger),
        sa.Column("card_message_id", sa.BigInteger),
        sa.Column("shown_status", sa.String(16)),
        sa.Column("shown_priority", sa.String(16)),
        sa.Column("shown_flags", sa.Integer, nullable=False),
        sa.Column("shown_title", sa.String(160)),
        sa.Column("card_digest", sa.String(64)),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_desk_cases"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_desk_cases_case_id_cases", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_desk_cases_topic_id", "desk_cases", ["topic_id"])

    op.create_table(
        "delivered",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(64)),
        sa.Column("chat", sa.String(8), nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_delivered"),
    )
    op.create_index("ix_delivered_pseudonym", "delivered", ["pseudonym"])
    op.create_index("ix_delivered_sent_at", "delivered", ["sent_at"])

    # What the group was shown moves to the ledger (the card is refreshed on its next change).
    op.execute(
        "INSERT INTO desk_cases (case_id, topic_id, card_message_id, shown_status, "
        "shown_priority, shown_flags, updated_at) "
        "SELECT id, topic_id, card_message_id, shown_status, shown_priority, shown_flags, "
        "opened_at FROM cases WHERE shown_status IS NOT NULL OR topic_id IS NOT NULL "
        "OR card_message_id IS NOT NULL"
    )
    op.drop_index("ix_cases_topic_id", table_name="cases")
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 and PostgreSQL): a batch copy of
    # ``cases`` would drop the table under its foreign keys and cascade into case_messages.
    for column in _MOVED:
        op.execute(f"ALTER TABLE cases DROP COLUMN {column}")


def downgrade() -> None:
    op.add_column("cases", sa.Column("topic_id", sa.BigInteger))
    op.add_column("cases", sa.Column("card_message_id", sa.BigInteger))
    op.add_column("cases", sa.Column("shown_status", sa.String(16)))
    op.add_column("cases", sa.Column("shown_priority", sa.String(16)))
    op.add_column("cases", sa.Column("shown_flags", sa.Integer, server_default="0", nullable=False))
    op.execute(
        "UPDATE cases SET topic_id = (SELECT topic_id FROM desk_cases d WHERE d.case_id = cases.id), "
        "card_message_id = (SELECT card_message_id FROM desk_cases d WHERE d.case_id = cases.id)"
    )
    op.create_index("ix_cases_topic_id", "cases", ["topic_id"])
    op.drop_index("ix_delivered_sent_at", table_name="delivered")
    op.drop_index("ix_delivered_pseudonym", table_name="delivered")
    op.drop_table("delivered")
    op.drop_index("ix_desk_cases_topic_id", table_name="desk_cases")
    op.drop_table("desk_cases")
    op.drop_index("ix_outbox_lanes_ready_at", table_name="outbox_lanes")
    op.drop_table("outbox_lanes")
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_status_not_before", table_name="outbox")
    op.drop_index("ix_outbox_lane_status_id", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_inbox_done_at", table_name="inbox")
    op.drop_index("ix_inbox_status_id", table_name="inbox")
    op.drop_index("ix_inbox_lane_status_id", table_name="inbox")
    op.drop_table("inbox")
