"""A stop returns even when a turn, a send or the sender's own loop swallows its cancellation,
on SQLite and PostgreSQL.

What was in hand is not lost: the turn's row and the unsent message come back once their
lease runs out. The log names the stuck task (its name only).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import shutdown
from bot.delivery import Pace
from bot.inbox_processor import InboxProcessor, ProcessorLimits
from bot.outbox_sender import OutboxSender, SenderLimits
from flows.actions import PersonMessage, Reply
from flows.outbox import ToPerson
from resources_db.crypto import AddressCipher, generate_key
from resources_db.desk_ledger import SqlDeskLedger
from resources_db.transport import InboxEntry, InboxStore, OutboxEntry, OutboxStore
from resources_db.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes.core import TransportClock

P = "a" * 64
HANG_S = 60  # a hang fails the test instead of holding CI


@dataclass
class Stuck:
    """Work that never ends by itself and swallows its first cancellation, then waits again:
    what code does that turns a CancelledError into an ordinary error and carries on."""

    started: asyncio.Event = field(default_factory=asyncio.Event)
    swallowed: int = 0

    async def hang(self) -> None:
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.swallowed += 1
        await asyncio.Event().wait()


@dataclass
class StuckChat(Stuck):
    """A person channel whose call to the network never returns."""

    async def deliver(
        self,
        address: str,
        message: PersonMessage,
        *,
        pace: Pace,
        start: int = 0,
        progress: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[int]:
        await self.hang()
        return []

    async def answer(self, callback: str, text: str | None = None) -> None:
        return None


@dataclass
class Chat:
    got: list[str] = field(default_factory=list)

    async def deliver(
        self,
        address: str,
        message: PersonMessage,
        *,
        pace: Pace,
        start: int = 0,
        progress: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[int]:
        assert isinstance(message, Reply)
        self.got.append(message.text)
        return [len(self.got)]

    async def answer(self, callback: str, text: str | None = None) -> None:
        return None


class ClaimSwallowsOnce(OutboxStore):
    """The first claim is cancelled and carries on as if it had found nothing, as a pool
    checkout does on Python 3.11 when the cancellation lands as the connection arrives."""

    claiming: asyncio.Event
    swallowed = 0

    async def claim(self, *args: Any, **kwargs: Any) -> list[OutboxEntry]:
        if not self.swallowed:
            self.claiming.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.swallowed += 1
                return []
        return await super().claim(*args, **kwargs)


@pytest.fixture(autouse=True)
def short_patience(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(shutdown, "CANCEL_WAIT_S", 0.05)
    monkeypatch.setattr(shutdown, "RECANCEL_S", 0.01)
    caplog.set_level(logging.INFO, logger="bot.shutdown")


def running(prefix: str) -> list[str]:
    return [t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith(prefix)]


async def test_a_turn_that_swallows_its_cancellation_does_not_hold_the_stop(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = TransportClock()
    inbox = InboxStore(sessions, AddressCipher(generate_key()), clock.now)
    await inbox.store(P, "person", {"text": "allo"}, update_id=1)
    turn = Stuck()

    async def stuck_turn(_entry: InboxEntry) -> None:
        await turn.hang()

    limits = ProcessorLimits(concurrency=1, lease_s=30, poll_s=0.05)
    processor = InboxProcessor(inbox, {"person": stuck_turn}, limits)
    await processor.start()
    await asyncio.wait_for(turn.started.wait(), HANG_S)

    async with asyncio.timeout(HANG_S):
        await processor.stop(grace_s=0)  # the grace runs out: the turn is cancelled

    assert turn.swallowed == 1
    assert "task inbox-0 still running" in caplog.text
    assert running("inbox-") == []
    assert "allo" not in caplog.text

    # The turn never finished: its row comes back to the next processor once the lease ends.
    clock.current += timedelta(seconds=31)
    handled: list[object] = []

    async def turn_ok(entry: InboxEntry) -> None:
        handled.append(entry.payload)
        await inbox.fail(entry.receipt)  # (any end will do: the row is taken)

    again = InboxProcessor(inbox, {"person": turn_ok}, limits)
    assert await again.handle_one()
    assert handled == [{"text": "allo"}]


async def test_a_send_that_swallows_its_cancellation_does_not_hold_the_stop(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = TransportClock()
    cipher = AddressCipher(generate_key())
    uow = SqlUnitOfWorkFactory(sessions, cipher, now=clock.now)
    inbox = InboxStore(sessions, cipher, clock.now)
    outbox = OutboxStore(sessions, cipher, clock.now)
    async with uow() as work:
        await work.addresses.remember(P, "4242")
        await work.outbox.add(ToPerson(P, Reply("bonsoir")))
        await work.commit()

    def sender(person: Chat | StuckChat) -> OutboxSender:
        return OutboxSender(
            store=outbox,
            inbox=inbox,
            uow_factory=uow,
            ledger=SqlDeskLedger(sessions),
            person=person,
            staff=None,
            desk=None,
            limits=SenderLimits(lease_s=30, poll_s=0.05),
            epoch=clock.epoch,
            sleep=clock.sleep,
            now=clock.now,
        )

    stuck = StuckChat()
    first = sender(stuck)
    await first.start()
    await asyncio.wait_for(stuck.started.wait(), HANG_S)

    async with asyncio.timeout(HANG_S):
        await first.stop(grace_s=0)

    assert stuck.swallowed == 1
    assert "still running" in caplog.text
    stuck_names = [r.getMessage().split()[1] for r in caplog.records if "still" in r.getMessage()]
    assert stuck_names == ["outbox-1"], "the stuck send, by its task's name"
    assert running("outbox-") == []
    assert "bonsoir" not in caplog.text

    # Never delivered, never marked: the person still gets it, once, after the lease.
    clock.current += timedelta(seconds=31)
    chat = Chat()
    assert await sender(chat).send_due() == 1
    assert chat.got == ["bonsoir"]


async def test_a_sender_whose_claim_swallows_its_cancellation_still_stops(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = TransportClock()
    cipher = AddressCipher(generate_key())
    store = ClaimSwallowsOnce(sessions, cipher, clock.now)
    store.claiming = asyncio.Event()
    sender = OutboxSender(
        store=store,
        inbox=InboxStore(sessions, cipher, clock.now),
        uow_factory=SqlUnitOfWorkFactory(sessions, cipher, now=clock.now),
        ledger=SqlDeskLedger(sessions),
        person=Chat(),
        staff=None,
        desk=None,
        limits=SenderLimits(poll_s=0.05),
        now=clock.now,
    )
    await sender.start()
    await asyncio.wait_for(store.claiming.wait(), HANG_S)

    async with asyncio.timeout(HANG_S):
        await sender.stop()  # its loop goes on polling after the first cancellation

    assert store.swallowed == 1
    assert "task outbox-sender still running" in caplog.text
    assert running("outbox-") == []
