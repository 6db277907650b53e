"""The transport's tables: the inbox, the outbox and its lanes, and the staff desk's ledger.

No table here holds a name, a username, a raw Telegram id or a message in clear: payloads are
encrypted with the address book's key and erased once handled or sent. Lanes are keyed by the
person's pseudonym (or ``staff``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.models.base import Base, UtcDateTime

LANE = 80


class InboxRow(Base):
    """One inbound update, stored before the channel was told it arrived.

    ``update_id`` (the channel's own id, when it has one) makes storing idempotent. A row is
    ``pending`` until the turn that handled it commits (``done``), or ``failed`` for good.
    ``holder``/``lease_until`` say which processor has it for now.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_lane_status_id", "lane", "status", "id"),
        Index("ix_inbox_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    update_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    lane: Mapped[str] = mapped_column(String(LANE))
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    not_before: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    noticed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OutboxRow(Base):
    """One thing to send, in its lane's order: ``pending``, then ``sent``, ``failed`` or
    ``cancelled``. ``progress`` counts the calls of a multi-part row already made (a long
    reply in chunks), so a retry does not repeat them.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_lane_status_id", "lane", "status", "id"),
        Index("ix_outbox_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lane: Mapped[str] = mapped_column(String(LANE))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    dedupe: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    not_before: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    error: Mapped[str | None] = mapped_column(String(200))


class OutboxLaneRow(Base):
    """The pace of one lane, shared by every sender: its recent calls and when it may go on."""

    __tablename__ = "outbox_lanes"

    lane: Mapped[str] = mapped_column(String(LANE), primary_key=True)
    recent: Mapped[list[float]] = mapped_column(JSON, default=list)
    ready_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeskCaseRow(Base):
    """The staff desk's ledger of one case: where it lives in the group, what it was shown."""

    __tablename__ = "desk_cases"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    shown_status: Mapped[str | None] = mapped_column(String(16))
    shown_priority: Mapped[str | None] = mapped_column(String(16))
    shown_flags: Mapped[int] = mapped_column(Integer, default=0)
    shown_title: Mapped[str | None] = mapped_column(String(160))
    card_digest: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeliveredRow(Base):
    """A message the bot put in a chat, kept 48 h so that ``/oublie`` can delete it.

    ``chat`` is ``person`` (the person's private chat: its address is in the address book)
    or ``staff`` (a copy in the staff group). Only Telegram's message number is kept.
    """

    __tablename__ = "delivered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pseudonym: Mapped[str | None] = mapped_column(String(64), index=True)
    chat: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
