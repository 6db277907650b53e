"""The recent turns of each person, for the worker's card: encrypted, kept for a while only.

One row per turn the bot handled. ``ciphertext`` holds the person's text and the bot's notes
together, encrypted with the address book's key (Fernet): nothing readable at rest, nothing
left once the person uses ``/oublie`` or the retention window (``RETENTION_DAYS``) passes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.models.base import Base, UtcDateTime


class TranscriptRow(Base):
    """One turn: whose (pseudonym), when, and what — encrypted."""

    __tablename__ = "transcript_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
