"""The inbox and the outbox on SQLite and PostgreSQL, with a clock the test moves.

Stored once per update, handled in lane order under a lease, marked done with the turn;
sent in lane order, paced, 429s waited out, transient errors retried then given up,
permanent ones recorded, a blocked person's lane cancelled and the core told.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import Pace, RefusedError, RetryLater, TransientError, UnreachableError
from bot.outbox_sender import OutboxSender, SenderLimits
from flows.actions import PersonMessage, Reply
from flows.events import PersonBlockedBot
from flows.inbox import LeaseLostError, inbound_from_dict
from flows.outbox import Digest, ToPerson
from resources_db.crypto import AddressCipher, generate_key
from resources_db.desk_ledger import SqlDeskLedger
from resources_db.transport import InboxDirect, InboxEntry, InboxItem, InboxStore, OutboxStore
from resources_db.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes.core import TransportClock

P, Q = "a" * 64, "b" * 64


@dataclass
class Chat:
    """A person channel whose next answers the test scripts; records what people got."""

    failures: list[Exception] = field(default_factory=list)
    got: list[tuple[str, str]] = field(default_factory=list)
    fail_after_first_part: bool = False

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
        parts = message.text.split("|")
        ids = []
        for index in range(start, len(parts)):
            await pace()
            if self.failures:
                raise self.failures.pop(0)
            self.got.append((address, parts[index]))
            ids.append(len(self.got))
            if progress is not None and index < len(parts) - 1:
                await progress(index + 1)
                if self.fail_after_first_part:
                    self.fail_after_first_part = False
                    raise TransientError("network")
        return ids

    async def answer(self, callback: str, text: str | None = None) -> None:
        return None


@dataclass
class Rig:
    clock: TransportClock
    uow: SqlUnitOfWorkFactory
    inbox: InboxStore
    outbox: OutboxStore
    chat: Chat
    sender: OutboxSender
    sessions: async_sessionmaker[AsyncSession]

    async def queue(self, pseudonym: str, *texts: str, address: str | None = "4242") -> None:
        async with self.uow() as uow:
            if address is not None:
                await uow.addresses.remember(pseudonym, address)
            for t in texts:
                await uow.outbox.add(ToPerson(pseudonym, Reply(t)))
            await uow.commit()

    def texts(self) -> list[str]:
        return [t for _, t in self.chat.got]

    async def statuses(self) -> list[tuple[str, int, str | None]]:
        async with self.sessions() as session:
            rows = await session.execute(
                text("select status, attempts, error from outbox order by id")
            )
            return [(str(s), int(a), e) for s, a, e in rows]


@pytest.fixture
def rig(sessions: async_sessionmaker[AsyncSession]) -> Rig:
    clock = TransportClock()
    cipher = AddressCipher(generate_key())
    uow = SqlUnitOfWorkFactory(sessions, cipher, now=clock.now)
    inbox = InboxStore(sessions, cipher, clock.now)
    outbox = OutboxStore(sessions, cipher, clock.now)
    chat = Chat()
    sender = OutboxSender(
        store=outbox,
        inbox=inbox,
        uow_factory=uow,
        ledger=SqlDeskLedger(sessions),
        person=chat,
        staff=None,
        desk=None,
        limits=SenderLimits(chat_burst=2, chat_per_second=1.0, max_attempts=3, lease_s=30),
        epoch=clock.epoch,
        sleep=clock.sleep,
        now=clock.now,
    )
    return Rig(clock, uow, inbox, outbox, chat, sender, sessions)


# --- the inbox ---------------------------------------------------------------------------


async def test_an_update_is_stored_once_and_lanes_are_handled_in_order(rig: Rig) -> None:
    items = [
        InboxItem(P, "person", {"n": 1}, update_id=10),
        InboxItem(Q, "person", {"n": 2}, update_id=11),
        InboxItem(P, "person", {"n": 3}, update_id=12),
    ]
    await rig.inbox.store_many(items)
    await rig.inbox.store_many(items[:2])  # Telegram sent them again after a crash
    assert (await rig.inbox.depth())[0] == 3

    first = await rig.inbox.claim_many("h1", 30, 10)
    assert [(e.lane, e.payload) for e in first] == [(P, {"n": 1}), (Q, {"n": 2})]
    assert await rig.inbox.claim_many("h2", 30, 10) == [], "P's next waits for its first"
    async with rig.uow() as uow:
        await uow.inbox.done(first[0].receipt)
        await uow.commit()
    (second,) = await rig.inbox.claim_many("h2", 30, 10)
    assert second.payload == {"n": 3}


async def test_an_update_for_an_idle_person_goes_straight_to_a_worker_the_next_waits(
    rig: Rig,
) -> None:
    taken: list[InboxEntry] = []
    rig.inbox.direct = InboxDirect("here", 30, lambda: 8, taken.extend)
    items = [
        InboxItem(P, "person", {"n": 1}, update_id=10),
        InboxItem(Q, "person", {"n": 2}, update_id=11),
        InboxItem(P, "person", {"n": 3}, update_id=12),
    ]
    assert await rig.inbox.store_many(items) == 1, "P's second is left for a claim"
    assert [(e.lane, e.payload) for e in taken] == [(P, {"n": 1}), (Q, {"n": 2})]
    await rig.inbox.store_many(items[:1])  # Telegram sent it again: not handled twice
    assert len(taken) == 2
    assert await rig.inbox.claim_many("elsewhere", 30, 10) == [], "P's next waits for its first"
    async with rig.uow() as uow:
        await uow.inbox.done(taken[0].receipt)
        await uow.commit()
    (second,) = await rig.inbox.claim_many("elsewhere", 30, 10)
    assert second.payload == {"n": 3}


async def test_a_crashed_holders_row_comes_back_and_its_late_turn_is_refused(rig: Rig) -> None:
    await rig.inbox.store_many([InboxItem(P, "person", {"n": 1}, update_id=1)])
    (held,) = await rig.inbox.claim_many("crashed", 30, 1)
    assert await rig.inbox.claim_many("other", 30, 1) == []
    rig.clock.advance(31)
    (again,) = await rig.inbox.claim_many("other", 30, 1)
    assert again.receipt.entry == held.receipt.entry
    async with rig.uow() as uow:
        await uow.outbox.add(ToPerson(P, Reply("late")))
        with pytest.raises(LeaseLostError):
            await uow.inbox.done(held.receipt)
    async with rig.uow() as uow:
        await uow.inbox.done(again.receipt)
        await uow.commit()
    assert (await rig.inbox.depth())[0] == 0
    assert await rig.statuses() == [], "the late turn wrote nothing"


# --- the outbox ----------------------------------------------------------------------------


async def test_a_persons_messages_leave_in_order_at_their_pace(rig: Rig) -> None:
    await rig.queue(P, "un", "deux", "trois")
    await rig.queue(Q, "autre")
    while await rig.sender.send_due():
        pass
    # Two lanes are sent side by side: their relative order is not a promise, each one's is.
    mine = [t for t in rig.texts() if t != "autre"]
    assert mine == ["un", "deux"], "two at once per chat, in order; the third waits"
    assert rig.texts().count("autre") == 1, "another person's message is not held back"
    rig.clock.advance(2.5)
    while await rig.sender.send_due():
        pass
    assert [t for t in rig.texts() if t != "autre"] == ["un", "deux", "trois"]
    assert [s for s, _, _ in await rig.statuses()] == ["sent"] * 4


async def test_a_turns_messages_go_straight_out_in_order_after_what_already_waits(
    rig: Rig,
) -> None:
    await rig.queue(Q, "avant")  # written before: Q's lane has a message waiting
    rig.uow.send_directly(rig.sender.direct())
    await rig.queue(P, "un", "deux")  # P's lane is idle: handed to the sender at once
    await rig.queue(Q, "après")  # Q's waits behind "avant"
    await asyncio.sleep(0)
    while rig.sender.busy:  # noqa: ASYNC110 - the handed-over rows are being sent
        await asyncio.sleep(0.01)
    assert rig.chat.got == [("4242", "un"), ("4242", "deux")]
    while await rig.sender.send_due():
        pass
    assert rig.texts() == ["un", "deux", "avant", "après"]
    assert [s for s, _, _ in await rig.statuses()] == ["sent"] * 4


async def test_a_429_is_waited_out_and_the_same_message_sent_once(rig: Rig) -> None:
    rig.chat.failures.append(RetryLater(5))
    await rig.queue(P, "un", "deux")
    assert await rig.sender.send_due() == 1
    assert rig.texts() == []
    rig.clock.advance(4)
    assert await rig.sender.send_due() == 0, "not before Telegram said"
    rig.clock.advance(1.2)
    while await rig.sender.send_due():
        pass
    assert rig.texts() == ["un", "deux"]
    assert [(s, a) for s, a, _ in await rig.statuses()] == [("sent", 0), ("sent", 0)]


async def test_transient_errors_back_off_then_give_up_and_the_lane_goes_on(rig: Rig) -> None:
    rig.chat.failures.extend([TransientError("timed out")] * 3)
    await rig.queue(P, "un", "deux")
    for wait in (0, 2, 4):
        rig.clock.advance(wait + 0.1)
        assert await rig.sender.send_due() == 1
    rig.clock.advance(10)
    while await rig.sender.send_due():
        pass
    assert rig.texts() == ["deux"]
    (first, second) = await rig.statuses()
    assert first[0] == "failed"
    assert first[1] == 3
    assert "TransientError" in (first[2] or "")
    assert second[0] == "sent"


async def test_a_refused_message_is_recorded_and_the_next_one_goes(rig: Rig) -> None:
    rig.chat.failures.append(RefusedError("Bad Request: message is too long"))
    await rig.queue(P, "un", "deux")
    while await rig.sender.send_due():
        pass
    assert rig.texts() == ["deux"]
    assert [s for s, _, _ in await rig.statuses()] == ["failed", "sent"]
    assert "too long" in ((await rig.statuses())[0][2] or "")


async def test_a_blocked_person_cancels_their_lane_and_the_core_hears_of_it(rig: Rig) -> None:
    rig.chat.failures.append(UnreachableError("Forbidden: bot was blocked by the user"))
    await rig.queue(P, "un", "deux", "trois")
    while await rig.sender.send_due():
        pass
    assert rig.texts() == []
    assert [s for s, _, _ in await rig.statuses()] == ["failed", "cancelled", "cancelled"]
    (told,) = await rig.inbox.claim_many("h", 30, 10)
    assert told.lane == P
    assert told.payload is not None
    inbound = inbound_from_dict(told.payload["inbound"])
    assert isinstance(inbound.event, PersonBlockedBot)


async def test_no_address_no_send(rig: Rig) -> None:
    await rig.queue(P, "un", address=None)
    while await rig.sender.send_due():
        pass
    assert rig.texts() == []
    assert await rig.statuses() == [("cancelled", 1, "no address")]


async def test_a_long_reply_resumes_after_the_parts_already_sent(rig: Rig) -> None:
    rig.chat.fail_after_first_part = True
    await rig.queue(P, "partie 1|partie 2")
    assert await rig.sender.send_due() == 1
    rig.clock.advance(3)
    while await rig.sender.send_due():
        pass
    assert rig.texts() == ["partie 1", "partie 2"], "no part twice"


async def test_one_digest_per_opening_however_many_fire(rig: Rig) -> None:
    for _ in range(3):
        async with rig.uow() as uow:
            await uow.outbox.add(Digest("2026-11-18T09:00:00-05:00"))
            await uow.commit()
    async with rig.sessions() as session:
        assert await session.scalar(text("select count(*) from outbox")) == 1


async def test_payloads_are_encrypted_and_erased_once_sent(rig: Rig) -> None:
    await rig.queue(P, "je dors dehors")
    async with rig.sessions() as session:
        blob = await session.scalar(text("select payload from outbox"))
    assert blob is not None
    assert b"dehors" not in bytes(blob)
    while await rig.sender.send_due():
        pass
    async with rig.sessions() as session:
        assert await session.scalar(text("select payload from outbox")) is None
