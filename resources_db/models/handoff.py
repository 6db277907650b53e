"""Handoff cases, the staff-message map, workers' chosen names and the append-only audit log.

No table here holds a name, a username or a Telegram id: persons are pseudonyms (erased from
their cases on /oublie), workers are pseudonyms too, with at most the first name they chose.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.models.base import Base, UtcDateTime


class CaseRow(Base):
    """One handoff case: who holds it, why, its history (the desk ledger says where it shows)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pseudonym: Mapped[str | None] = mapped_column(String(64), index=True)
    alias: Mapped[str] = mapped_column(String(32), index=True)
    priority: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    context: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    crisis_flags: Mapped[int] = mapped_column(Integer, default=0)
    history: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)


class CaseMessageRow(Base):
    """A message in the staff group that belongs to a case (reply-to routing, note prompts).

    Part of the staff desk's ledger (``resources_db.desk_ledger``), not of the core.
    """

    __tablename__ = "case_messages"
    __table_args__ = (UniqueConstraint("staff_chat_id", "staff_message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    staff_chat_id: Mapped[int] = mapped_column(BigInteger)
    staff_message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WorkerRow(Base):
    """A worker who chose a first name to sign with. Keyed by their pseudonym, nothing else."""

    __tablename__ = "workers"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditRow(Base):
    """Append-only: the code has no update or delete path, and PostgreSQL and SQLite
    triggers (migration 0003) refuse both. No foreign key, so no cascade can remove a line.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    worker: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    case_alias: Mapped[str] = mapped_column(String(32))
