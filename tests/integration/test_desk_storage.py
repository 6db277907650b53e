"""The desk's own table on SQLite and PostgreSQL: the person's words never readable at rest."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from flows.transcript import BotNote, NoteKind, TranscriptEntry
from resources_db.crypto import AddressCipher, generate_key
from resources_db.models import Base
from resources_db.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 17, 19, 0, tzinfo=UTC)
P = "c3" * 32
WORDS = "je dors dans ma voiture derrière le Maxi"


async def test_the_persons_words_and_the_bots_notes_are_encrypted_at_rest(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    uow_factory = SqlUnitOfWorkFactory(sessions, AddressCipher(generate_key()))
    async with uow_factory() as uow:
        note = BotNote(NoteKind.PLACES_SUGGESTED, "Refuge du Maxi")
        await uow.transcript.append(P, TranscriptEntry(NOW, WORDS, (note,)))
        await uow.commit()
    async with sessions() as session:
        dump = repr((await session.execute(text("select * from transcript_entries"))).all())
    assert "voiture" not in dump
    assert "Refuge" not in dump
    assert "places" not in dump


async def test_after_a_key_change_old_turns_are_skipped_not_shown_garbled(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with SqlUnitOfWorkFactory(sessions, AddressCipher(generate_key()))() as uow:
        await uow.transcript.append(P, TranscriptEntry(NOW, WORDS))
        await uow.commit()
    async with SqlUnitOfWorkFactory(sessions, AddressCipher(generate_key()))() as uow:
        await uow.transcript.append(P, TranscriptEntry(NOW, "nouveau"))
        await uow.commit()
        recent = await uow.transcript.recent(P, NOW, 10)
    assert [e.person_text for e in recent] == ["nouveau"]


async def test_the_migration_builds_the_desk_table_the_model_describes(
    db_engine: AsyncEngine,
) -> None:
    def differences(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return compare_metadata(context, Base.metadata)

    async with db_engine.connect() as connection:
        diffs = await connection.run_sync(differences)
    assert [d for d in diffs if "transcript_entries" in repr(d)] == []
