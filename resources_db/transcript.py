"""``TranscriptStore`` on SQLAlchemy: each turn encrypted with the address book's cipher.

It never commits; the unit of work does. A turn whose ciphertext no longer decrypts (the
key changed) is skipped, never shown garbled.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.transcript import BotNote, NoteKind, TranscriptEntry
from resources_db.crypto import AddressCipher
from resources_db.models.transcript import TranscriptRow
from resources_db.write_behind import insert_later

# A plain insert (an ORM object would cost a flush of the unit of work), kept on PostgreSQL
# to ride on the turn's last statement.
_TRANSCRIPT = cast(Table, TranscriptRow.__table__)


class SqlTranscriptStore:
    """The recent turns of each person, encrypted at rest."""

    def __init__(self, session: AsyncSession, cipher: AddressCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def append(self, pseudonym: str, entry: TranscriptEntry) -> None:
        """Keep one turn, encrypted."""
        payload = json.dumps(
            {"t": entry.person_text, "n": [[n.kind.value, n.detail] for n in entry.notes]},
            ensure_ascii=False,
        )
        await insert_later(
            self._session,
            _TRANSCRIPT,
            {"pseudonym": pseudonym, "at": entry.at, "ciphertext": self._cipher.encrypt(payload)},
        )

    async def recent(self, pseudonym: str, since: datetime, limit: int) -> list[TranscriptEntry]:
        """The person's last ``limit`` turns at or after ``since``, oldest first."""
        rows = await self._session.scalars(
            select(TranscriptRow)
            .where(TranscriptRow.pseudonym == pseudonym, TranscriptRow.at >= since)
            .order_by(TranscriptRow.at.desc(), TranscriptRow.id.desc())
            .limit(limit)
        )
        entries = [entry for row in rows if (entry := self._entry(row)) is not None]
        return entries[::-1]

    async def forget(self, pseudonym: str) -> None:
        """Erase every turn of the person."""
        await self._session.execute(
            delete(TranscriptRow).where(TranscriptRow.pseudonym == pseudonym)
        )

    async def purge(self, older_than: datetime) -> int:
        """Erase every turn before ``older_than``; how many went."""
        old = TranscriptRow.at < older_than
        count = await self._session.scalar(select(func.count(TranscriptRow.id)).where(old))
        await self._session.execute(delete(TranscriptRow).where(old))
        return int(count or 0)

    def _entry(self, row: TranscriptRow) -> TranscriptEntry | None:
        plain = self._cipher.decrypt(row.ciphertext)
        if plain is None:
            return None
        data = json.loads(plain)
        notes = []
        for kind, detail in data.get("n", []):
            try:
                notes.append(BotNote(NoteKind(kind), str(detail)))
            except ValueError:
                continue  # a note kind this version no longer knows
        return TranscriptEntry(row.at, data.get("t"), tuple(notes))
