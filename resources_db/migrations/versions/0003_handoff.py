"""Handoff: cases, the staff-message map, workers' chosen names, the append-only audit log.

The schema is identical on SQLite and PostgreSQL. Both also get triggers that refuse any
UPDATE or DELETE of the audit log (and, on PostgreSQL, TRUNCATE): the code has no such path,
and the database says no to anyone who tries by hand.

Revision ID: 0003_handoff
Revises: 0002_resources
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resources_db.models.base import UtcDateTime

revision: str = "0003_handoff"
down_revision: str | None = "0002_resources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(64)),
        sa.Column("alias", sa.String(32), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64)),
        sa.Column("topic_id", sa.BigInteger),
        sa.Column("card_message_id", sa.BigInteger),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.Column("taken_at", UtcDateTime()),
        sa.Column("closed_at", UtcDateTime()),
        sa.Column("context", sa.JSON, nullable=False),
        sa.Column("crisis_flags", sa.Integer, nullable=False),
        sa.Column("history", sa.JSON, nullable=False),
        sa.Column("shown_status", sa.String(16)),
        sa.Column("shown_priority", sa.String(16)),
        sa.Column("shown_flags", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_index("ix_cases_pseudonym", "cases", ["pseudonym"])
    op.create_index("ix_cases_alias", "cases", ["alias"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_topic_id", "cases", ["topic_id"])

    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("staff_chat_id", sa.BigInteger, nullable=False),
        sa.Column("staff_message_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_messages"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name="fk_case_messages_case_id_cases",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "staff_chat_id", "staff_message_id", name="uq_case_messages_staff_chat_id"
        ),
    )
    op.create_index("ix_case_messages_case_id", "case_messages", ["case_id"])

    op.create_table(
        "workers",
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(32)),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name="pk_workers"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("worker", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("case_alias", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    # Dropping the table drops its triggers on both databases.
    op.drop_index("ix_audit_log_case_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_table("workers")
    op.drop_index("ix_case_messages_case_id", table_name="case_messages")
    op.drop_table("case_messages")
    op.drop_index("ix_cases_topic_id", table_name="cases")
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_index("ix_cases_alias", table_name="cases")
    op.drop_index("ix_cases_pseudonym", table_name="cases")
    op.drop_table("cases")
