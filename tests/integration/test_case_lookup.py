"""Where a request stands in the staff queue, on SQLite and PostgreSQL, as the person is told."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.cases import Case, CaseStatus
from flows.domain import CaseReason, Priority
from flows.identity import alias_for
from resources_db.case_lookup import SqlCaseLookup
from resources_db.crypto import AddressCipher, generate_key
from resources_db.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 17, 19, 0, tzinfo=UTC)


def waiting(pseudonym: str, priority: Priority, minutes_ago: int) -> Case:
    at = NOW - timedelta(minutes=minutes_ago)
    return Case(
        id=0,
        pseudonym=pseudonym,
        alias=alias_for(pseudonym),
        priority=priority,
        reason=CaseReason.ASKED_FOR_HUMAN,
        status=CaseStatus.QUEUED,
        opened_at=at,
        queued_at=at,
    )


async def test_the_people_ahead_are_counted_in_the_order_workers_take_them(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    uow_factory = SqlUnitOfWorkFactory(sessions, AddressCipher(generate_key()))
    async with uow_factory() as uow:
        await uow.cases.add(waiting("a" * 64, Priority.NORMAL, 30))  # waited longer
        await uow.cases.add(waiting("b" * 64, Priority.URGENT, 1))  # more pressing
        mine = await uow.cases.add(waiting("c" * 64, Priority.NORMAL, 10))
        await uow.cases.add(waiting("d" * 64, Priority.NORMAL, 5))  # came after me
        taken = await uow.cases.add(waiting("e" * 64, Priority.URGENT, 60))
        await uow.cases.save(replace(taken, status=CaseStatus.TAKEN))  # no longer waiting
        await uow.commit()
    line = SqlCaseLookup(sessions)
    assert mine.id > 0
    assert await line.ahead_of("c" * 64) == 2
    assert await line.ahead_of("d" * 64) == 3
    assert await line.ahead_of("b" * 64) == 0
    assert await line.ahead_of("z" * 64) == 4, "a new request joins the end of the line"


async def test_the_last_case_is_the_newest_open_or_closed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    uow_factory = SqlUnitOfWorkFactory(sessions, AddressCipher(generate_key()))
    async with uow_factory() as uow:
        first = await uow.cases.add(waiting("a" * 64, Priority.NORMAL, 90))
        await uow.cases.save(replace(first, status=CaseStatus.CLOSED))
        second = await uow.cases.add(waiting("a" * 64, Priority.URGENT, 5))
        await uow.cases.save(replace(second, status=CaseStatus.CLOSED))
        await uow.commit()
    lookup = SqlCaseLookup(sessions)
    last = await lookup.last_case("a" * 64)
    assert last is not None
    assert (last.id, last.status) == (second.id, CaseStatus.CLOSED)
    assert await lookup.last_case("b" * 64) is None


async def test_asked_during_a_turn_the_lookups_answer_within_the_turn(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # A message right after a close asks for the last case while the turn holds the write
    # lock (SQLite's BEGIN IMMEDIATE): a second connection waited for it and the person's
    # "attends, t'es parti ?" got nothing.
    uow_factory = SqlUnitOfWorkFactory(sessions, AddressCipher(generate_key()))
    async with uow_factory() as uow:
        closed = await uow.cases.add(waiting("a" * 64, Priority.NORMAL, 5))
        await uow.cases.save(replace(closed, status=CaseStatus.CLOSED))
        await uow.commit()
    lookup = SqlCaseLookup(sessions)
    async with uow_factory() as uow:
        await uow.cases.add(waiting("b" * 64, Priority.NORMAL, 1))  # the turn has written
        last = await lookup.last_case("a" * 64)
        ahead = await lookup.ahead_of("c" * 64)
        await uow.commit()
    assert last is not None
    assert last.id == closed.id
    assert ahead == 1
