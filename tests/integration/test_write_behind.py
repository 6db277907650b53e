"""A turn's writes, kept on PostgreSQL to ride on its last statement, land exactly as if
each had been sent at once: all of them with the inbox row marked done, none after a
rollback or a lost lease, and every read or erasure in the same turn sees them first.

Both databases (SQLite writes at once); on PostgreSQL one test also checks that the kept
writes and the inbox row go in one statement, which is the point of keeping them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from flows.domain import Conversation, FlowState, Language, Theme
from flows.inbox import LeaseLostError, Receipt
from flows.insights import Insight, InsightEvent, InsightKind, TimeBucket
from flows.outbox import person_lane
from flows.transcript import TranscriptEntry
from resources_db.crypto import AddressCipher, generate_key
from resources_db.db import session_factory
from resources_db.transport import InboxStore
from resources_db.unit_of_work import SqlUnitOfWorkFactory
from resources_db.write_behind import LANES_LOCKED

NOW = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
P = "c3" * 32
LINE = TranscriptEntry(NOW, "j'ai faim", ())
NEED = InsightEvent(TimeBucket(date(2026, 11, 30), 1, 18), Insight(InsightKind.NEED, Theme.FOOD))


class Store:
    """A migrated database, its engine, the units of work and the inbox on it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        cipher = AddressCipher(generate_key())
        self.uow = SqlUnitOfWorkFactory(session_factory(engine), cipher)
        self.inbox = InboxStore(session_factory(engine), cipher)

    async def count(self, table: str) -> int:
        async with self.engine.connect() as connection:
            return int(
                (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            )

    async def receipt(self) -> Receipt:
        """An inbox row of the person's, stored and claimed: the turn's receipt."""
        await self.inbox.store("person:" + P, "person", {"n": 1})
        (entry,) = await self.inbox.claim_many("worker-1", 30, 1)
        return entry.receipt

    async def person(self) -> Conversation:
        conversation = Conversation(P, Language.FR, NOW, NOW)
        async with self.uow() as uow:
            await uow.conversations.save(conversation)
            await uow.commit()
        return conversation


@pytest.fixture
def store(db_engine: AsyncEngine) -> Store:
    """A fresh, migrated database: once SQLite, once PostgreSQL (``db_engine``)."""
    return Store(db_engine)


async def test_a_turns_writes_land_with_its_inbox_row_done(store: Store) -> None:
    conversation = await store.person()
    receipt = await store.receipt()
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    async with store.uow() as uow:
        loaded = await uow.conversations.get(P)
        assert loaded == conversation
        await uow.conversations.save(
            replace(loaded, state=FlowState.AWAITING_PLACE, theme=Theme.FOOD)
        )
        await uow.insights.add(NEED)
        await uow.transcript.append(P, LINE)
        event.listen(store.engine.sync_engine, "before_cursor_execute", note)
        try:
            await uow.inbox.done(receipt)
        finally:
            event.remove(store.engine.sync_engine, "before_cursor_execute", note)
        await uow.commit()

    async with store.uow() as uow:
        saved = await uow.conversations.get(P)
        assert saved is not None
        assert saved.state is FlowState.AWAITING_PLACE
        assert saved.theme is Theme.FOOD
        assert await uow.transcript.recent(P, NOW, 10) == [LINE]
    assert await store.count("insight_events") == 1
    assert await store.inbox.claim_many("worker-2", 30, 5) == []  # the row is done
    if store.engine.dialect.name == "postgresql":
        (carrier,) = statements
        assert carrier.startswith("WITH")
        assert "UPDATE inbox" in carrier
        for table in ("conversations", "insight_events", "transcript_entries"):
            assert table in carrier


async def test_a_read_in_the_same_turn_sees_what_was_kept(store: Store) -> None:
    conversation = await store.person()
    async with store.uow() as uow:
        loaded = await uow.conversations.get(P)
        assert loaded is not None
        await uow.conversations.save(replace(loaded, theme=Theme.SHELTER))
        await uow.transcript.append(P, LINE)
        # An effect later in the turn (a case opened) reads the conversation again.
        again = await uow.conversations.get(P)
        assert again is not None
        assert again.theme is Theme.SHELTER
        assert await uow.transcript.recent(P, NOW, 10) == [LINE]
        await uow.commit()
    assert conversation.theme is None


async def test_forgetting_after_a_kept_line_leaves_nothing(store: Store) -> None:
    await store.person()
    async with store.uow() as uow:
        await uow.conversations.get(P)
        await uow.transcript.append(P, LINE)  # the turn's line, then /oublie's erasure
        await uow.transcript.forget(P)
        await uow.conversations.delete(P)
        await uow.commit()
    assert await store.count("transcript_entries") == 0
    async with store.uow() as uow:
        assert await uow.conversations.get(P) is None


async def test_nothing_kept_survives_a_rollback_or_a_lost_lease(store: Store) -> None:
    conversation = await store.person()
    receipt = await store.receipt()
    async with store.uow() as uow:  # no commit: rolled back
        loaded = await uow.conversations.get(P)
        assert loaded is not None
        await uow.conversations.save(replace(loaded, theme=Theme.HEALTH))
        await uow.insights.add(NEED)
    async with store.uow() as uow:
        loaded = await uow.conversations.get(P)
        assert loaded is not None
        await uow.conversations.save(replace(loaded, theme=Theme.HEALTH))
        await uow.transcript.append(P, LINE)
        with pytest.raises(LeaseLostError):  # another worker holds the row: no commit
            await uow.inbox.done(Receipt(receipt.entry, "another-worker"))
    async with store.uow() as uow:
        assert await uow.conversations.get(P) == conversation
        assert await uow.transcript.recent(P, NOW, 10) == []
    assert await store.count("insight_events") == 0


async def test_a_new_persons_first_save_is_not_lost(store: Store) -> None:
    """No row to lock or update yet: the insert goes at once, as before."""
    async with store.uow() as uow:
        assert await uow.conversations.get(P) is None
        await uow.conversations.save(Conversation(P, Language.EN, NOW, NOW))
        await uow.insights.add(NEED)
        await uow.commit()
    async with store.uow() as uow:
        saved = await uow.conversations.get(P)
        assert saved is not None
        assert saved.language is Language.EN
    assert await store.count("insight_events") == 1


async def test_a_lane_lock_is_not_assumed_past_its_transaction(store: Store) -> None:
    """PostgreSQL's read takes the person's outbox lane lock; once the transaction ends the
    lock is gone, and the next transaction must not think it still holds it."""
    await store.person()
    postgres = store.engine.dialect.name == "postgresql"
    async with store.uow() as uow:
        await uow.conversations.get(P)
        assert uow.session.info.get(LANES_LOCKED, set()) == (
            {person_lane(P)} if postgres else set()
        )
        await uow.rollback()
        assert LANES_LOCKED not in uow.session.info
        await uow.conversations.get(P)
        await uow.commit()
        assert LANES_LOCKED not in uow.session.info
