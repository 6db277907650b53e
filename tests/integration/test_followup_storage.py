"""Follow-ups and the privacy lifecycle in storage, on SQLite and PostgreSQL: an armed
follow-up is a due row in its own lane that never holds back the person's messages, wakes the
conversation once, is cancelled with the turn; the retention purge; /oublie's message numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.actions import Reply
from flows.domain import Conversation, Language, Owner
from flows.events import TimerFired
from flows.inbox import inbound_from_dict
from flows.outbox import FollowUpDue, ToPerson, followup_lane
from resources_db.retention import purge
from tests.integration.test_transport import P, Q, Rig, rig

__all__ = ["rig"]


async def test_a_due_follow_up_waits_apart_then_wakes_the_conversation_once(rig: Rig) -> None:
    due = rig.clock.now() + timedelta(days=2)
    async with rig.uow() as uow:
        await uow.addresses.remember(P, "4242")
        await uow.outbox.add(FollowUpDue(P, due.isoformat()), due=due)
        await uow.outbox.add(ToPerson(P, Reply("tout de suite")))
        await uow.commit()
    assert await rig.sender.send_due() == 1
    assert rig.texts() == ["tout de suite"], "the follow-up row holds nothing back"
    assert await rig.sender.send_due() == 0, "not due yet"

    rig.clock.advance(timedelta(days=2).total_seconds())
    assert await rig.sender.send_due() == 1
    assert rig.texts() == ["tout de suite"], "a follow-up row sends nothing itself"
    (woken,) = await rig.inbox.claim_many("h", 30, 10)
    inbound = inbound_from_dict(woken.payload["inbound"])  # type: ignore[index,arg-type]
    assert inbound.pseudonym == P
    assert inbound.event == TimerFired("followup", due.isoformat())
    # A retry after a crash between the two writes stores the wake-up once: its update id
    # is the outbox row's, negated (the follow-up was the first row: id 1).
    assert not await rig.inbox.store(P, "person", woken.payload or {}, update_id=-1)
    assert (await rig.inbox.depth())[0] == 1


async def test_cancelling_in_the_turn_leaves_nothing_to_send(rig: Rig) -> None:
    due = rig.clock.now() + timedelta(days=1)
    async with rig.uow() as uow:
        await uow.outbox.add(FollowUpDue(Q, due.isoformat()), due=due)
        await uow.commit()
    async with rig.uow() as uow:
        await uow.outbox.cancel(followup_lane(Q))
        await uow.commit()
    rig.clock.advance(timedelta(days=3).total_seconds())
    assert await rig.sender.send_due() == 0
    assert (await rig.statuses())[-1][0] == "cancelled"


async def test_the_purge_erases_silent_conversations_but_keeps_the_alias_and_held_ones(
    rig: Rig, sessions: async_sessionmaker[AsyncSession]
) -> None:
    now = rig.clock.now()
    old = Conversation(P, Language.FR, now - timedelta(days=40), now - timedelta(days=31))
    held = replace(old, pseudonym=Q, owner=Owner.WORKER)
    async with rig.uow() as uow:
        await uow.conversations.save(old)
        await uow.conversations.save(held)
        await uow.addresses.remember(P, "4242")
        due = now + timedelta(days=1)
        await uow.outbox.add(FollowUpDue(P, due.isoformat()), due=due)
        await uow.commit()
    await rig.outbox.remember_trace(P, 7)
    rig.clock.advance(timedelta(hours=49).total_seconds())
    purged = await purge(sessions, rig.clock.now(), retention=timedelta(days=30))
    assert purged.conversations == 1
    assert purged.delivered == 1
    async with rig.uow() as uow:
        assert await uow.conversations.get(P) is None
        assert await uow.addresses.address_of(P) is None
        assert await uow.conversations.get(Q) is not None, "a worker holds it"
    assert await rig.sender.send_due() == 0, "its follow-up went with it"


async def test_message_numbers_are_kept_by_chat_and_forgotten(
    rig: Rig, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await rig.outbox.remember_trace(P, 11)
    await rig.outbox.remember_trace(P, 12)
    await rig.outbox.remember_trace(Q, 13)
    since = rig.clock.now() - timedelta(hours=48)
    assert sorted((await rig.outbox.traces(P, since))["person"]) == [11, 12]
    await rig.outbox.forget_traces(P)
    assert await rig.outbox.traces(P, since) == {}
    async with sessions() as session:
        left = await session.scalar(text("select count(*) from delivered"))
    assert left == 1
