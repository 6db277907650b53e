"""Conversations and the encrypted address book."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.models.base import Base, UtcDateTime


class ConversationRow(Base):
    """One person's conversation, keyed by the HMAC pseudonym. No name, no Telegram id."""

    __tablename__ = "conversations"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str | None] = mapped_column(String(48))
    theme: Mapped[str | None] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(80))
    results_page: Mapped[int] = mapped_column(Integer, default=0)
    misunderstood: Mapped[int] = mapped_column(Integer, default=0)
    followup_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    crisis_flagged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    extra: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class AddressRow(Base):
    """The only place a chat id lives: encrypted (Fernet), erased on /oublie and on block."""

    __tablename__ = "addresses"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
