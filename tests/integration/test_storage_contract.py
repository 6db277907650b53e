"""One contract, three stores: the in-memory fakes, SQLite and PostgreSQL behave the same.

Every unit test that runs on ``MemoryWorld`` trusts that the fakes behave like the SQL
repositories; this file checks it, behaviour by behaviour, for conversations, addresses,
cases, the audit log, worker names and the transcript — including what a rollback, or a unit
left without commit, leaves behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.actions import OpenCase
from flows.case_rules import CaseRules, crisis_case
from flows.cases import AuditEntry, Case, CaseStatus, WorkerAction
from flows.domain import CaseReason, Conversation, FlowState, Language, Owner, Priority, Theme
from flows.identity import alias_for
from flows.ports import UnitOfWork, UnitOfWorkFactory
from flows.transcript import BotNote, NoteKind, TranscriptEntry
from flows.understanding import CrisisCategory, CrisisLevel, Screening
from resources_db.crypto import AddressCipher, generate_key
from resources_db.db import create_engine, session_factory
from resources_db.migrate import upgrade_async
from resources_db.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes.core import FakeClock, MemoryWorld
from tests.plugins.databases import _create_postgres, _drop_postgres

NOW = datetime(2026, 11, 17, 19, 0, tzinfo=UTC)
P = "a1" * 32
Q = "b2" * 32
JULIE = "w-julie" + "0" * 57


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UnitOfWorkFactory]:
    """A fresh store of each kind, empty and migrated."""
    if request.param == "memory":
        yield MemoryWorld()
        return
    name = None
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}"
    else:
        name, url = await _create_postgres()
    try:
        await upgrade_async(url)
        engine = create_engine(url)
        try:
            yield SqlUnitOfWorkFactory(session_factory(engine), AddressCipher(generate_key()))
        finally:
            await engine.dispose()
    finally:
        if name is not None:
            await _drop_postgres(name)


def conversation(pseudonym: str = P, **changes: object) -> Conversation:
    base = Conversation(pseudonym, Language.FR, NOW, NOW)
    return replace(base, **changes)  # type: ignore[arg-type]


def new_case(pseudonym: str = P, effect: OpenCase | None = None) -> Case:
    rules = CaseRules(clock=FakeClock(NOW))
    return rules.open_case(
        pseudonym, None, effect or OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN)
    )


class TestStorageContract:
    """The behaviour every store must share."""

    async def test_conversations_are_saved_read_updated_and_erased(
        self, store: UnitOfWorkFactory
    ) -> None:
        async with store() as uow:
            assert await uow.conversations.get(P) is None
            await uow.conversations.save(conversation(theme=Theme.FOOD, area="J1H"))
            await uow.commit()
        async with store() as uow:
            loaded = await uow.conversations.get(P)
            assert loaded == conversation(theme=Theme.FOOD, area="J1H")
            await uow.conversations.save(
                conversation(owner=Owner.QUEUED, state=FlowState.MENU, extra={"k": "v"})
            )
            await uow.commit()
        async with store() as uow:
            again = await uow.conversations.get(P)
            assert again is not None
            assert (again.owner, again.theme, again.extra) == (Owner.QUEUED, None, {"k": "v"})
            await uow.conversations.delete(P)
            await uow.conversations.delete(Q)  # erasing the unknown is no error
            await uow.commit()
        async with store() as uow:
            assert await uow.conversations.get(P) is None

    async def test_addresses_are_remembered_refreshed_and_forgotten(
        self, store: UnitOfWorkFactory
    ) -> None:
        async with store() as uow:
            await uow.addresses.remember(P, "111")
            await uow.addresses.remember(P, "222")
            await uow.addresses.remember(Q, "333")
            await uow.commit()
        async with store() as uow:
            assert (await uow.addresses.address_of(P), await uow.addresses.address_of(Q)) == (
                "222",
                "333",
            )
            await uow.addresses.forget(P)
            await uow.commit()
        async with store() as uow:
            assert await uow.addresses.address_of(P) is None
            assert await uow.addresses.address_of(Q) == "333"

    async def test_cases_round_trip_with_their_history_and_crisis_reading(
        self, store: UnitOfWorkFactory
    ) -> None:
        crisis = crisis_case(Screening(CrisisLevel.URGENT, CrisisCategory.OVERDOSE))
        async with store() as uow:
            first = await uow.cases.add(new_case(P, crisis))
            second = await uow.cases.add(new_case(Q))
            await uow.commit()
        assert first.id > 0
        assert second.id != first.id
        async with store() as uow:
            loaded = await uow.cases.get(first.id)
            assert loaded is not None
            assert (loaded.alias, loaded.priority, loaded.history) == (
                alias_for(P),
                Priority.URGENT,
                first.history,
            )
            assert loaded.crisis_categories == (CrisisCategory.OVERDOSE,)
            assert loaded.last_crisis_at == NOW
            assert await uow.cases.get(first.id + second.id + 100) is None
            taken = loaded.changed(
                NOW + timedelta(minutes=3),
                JULIE,
                "taken",
                status=CaseStatus.TAKEN,
                owner=JULIE,
                taken_at=NOW + timedelta(minutes=3),
            )
            await uow.cases.save(taken)
            await uow.commit()
        async with store() as uow:
            again = await uow.cases.get(first.id)
            assert again is not None
            assert (again.status, again.owner, again.taken_at) == (
                CaseStatus.TAKEN,
                JULIE,
                NOW + timedelta(minutes=3),
            )
            assert again.history[-1].detail == "taken"

    async def test_open_cases_and_lookups_by_person_and_alias(
        self, store: UnitOfWorkFactory
    ) -> None:
        async with store() as uow:
            old = await uow.cases.add(new_case(P))
            await uow.cases.save(replace(old, status=CaseStatus.CLOSED, closed_at=NOW))
            current = await uow.cases.add(new_case(P))
            other = await uow.cases.add(new_case(Q))
            await uow.commit()
        async with store() as uow:
            assert await uow.cases.open_for(P) == current
            assert await uow.cases.open_for("z" * 64) is None
            assert [c.id for c in await uow.cases.open_cases()] == [current.id, other.id]
            found = await uow.cases.find(alias_for(P).upper())
            assert [c.id for c in found] == [current.id, old.id], "newest first, any case"

    async def test_earlier_cases_are_the_persons_own_newest_first(
        self, store: UnitOfWorkFactory
    ) -> None:
        async with store() as uow:
            ids = [(await uow.cases.add(new_case(P))).id for _ in range(4)]
            theirs = await uow.cases.add(new_case(Q))
            await uow.commit()
        async with store() as uow:
            assert [c.id for c in await uow.cases.earlier_for(P, ids[3])] == ids[2::-1]
            assert [c.id for c in await uow.cases.earlier_for(P, ids[3], 2)] == [ids[2], ids[1]]
            assert [c.id for c in await uow.cases.earlier_for(P)] == ids[::-1]
            assert await uow.cases.earlier_for(P, ids[0]) == []
            assert [c.id for c in await uow.cases.earlier_for(Q)] == [theirs.id]

    async def test_forgetting_a_person_erases_them_from_cases_and_turns(
        self, store: UnitOfWorkFactory
    ) -> None:
        async with store() as uow:
            case = await uow.cases.add(new_case(P))
            await uow.transcript.append(P, TranscriptEntry(NOW, "je dors dehors"))
            await uow.transcript.append(Q, TranscriptEntry(NOW, "autre"))
            await uow.commit()
        async with store() as uow:
            await uow.cases.forget_person(P)
            await uow.transcript.forget(P)
            await uow.commit()
        async with store() as uow:
            kept = await uow.cases.get(case.id)
            assert kept is not None
            assert (kept.pseudonym, kept.alias) == (None, alias_for(P)), "the alias stays"
            assert await uow.cases.open_for(P) is None
            assert await uow.cases.earlier_for(P) == []
            assert await uow.transcript.recent(P, NOW - timedelta(days=1), 10) == []
            assert len(await uow.transcript.recent(Q, NOW - timedelta(days=1), 10)) == 1

    async def test_the_audit_log_keeps_every_line_in_order(self, store: UnitOfWorkFactory) -> None:
        async with store() as uow:
            for minutes, action, case_id in (
                (1, WorkerAction.TAKE, 1),
                (2, WorkerAction.READ, 2),
                (3, WorkerAction.PRIORITY, 1),
                (4, WorkerAction.READY_REPLY, 1),
                (5, WorkerAction.SEND_RESOURCE, 1),
            ):
                at = NOW + timedelta(minutes=minutes)
                await uow.audit.record(AuditEntry(at, JULIE, action, case_id, "Renard-42"))
            await uow.commit()
        async with store() as uow:
            trail = await uow.audit.trail(1)
        assert [a.action for a in trail] == [
            WorkerAction.TAKE,
            WorkerAction.PRIORITY,
            WorkerAction.READY_REPLY,
            WorkerAction.SEND_RESOURCE,
        ]
        assert trail[0] == AuditEntry(
            NOW + timedelta(minutes=1), JULIE, WorkerAction.TAKE, 1, "Renard-42"
        )

    async def test_worker_names_are_set_and_cleared(self, store: UnitOfWorkFactory) -> None:
        async with store() as uow:
            assert await uow.workers.name_of(JULIE) is None
            await uow.workers.set_name(JULIE, "Julie")
            await uow.commit()
        async with store() as uow:
            assert await uow.workers.name_of(JULIE) == "Julie"
            await uow.workers.set_name(JULIE, "Jules")
            await uow.commit()
        async with store() as uow:
            assert await uow.workers.name_of(JULIE) == "Jules"
            await uow.workers.set_name(JULIE, None)
            await uow.workers.set_name("w" * 64, None)  # clearing the unknown is no error
            await uow.commit()
        async with store() as uow:
            assert await uow.workers.name_of(JULIE) is None

    async def test_turns_come_back_recent_last_few_oldest_first_notes_and_all(
        self, store: UnitOfWorkFactory
    ) -> None:
        notes = (
            BotNote(NoteKind.PLACES_SUGGESTED, "Soupe « populaire »"),
            BotNote(NoteKind.PROMISED, "demain à 9 h"),
        )
        async with store() as uow:
            for minutes in range(6):
                at = NOW + timedelta(minutes=minutes)
                await uow.transcript.append(P, TranscriptEntry(at, f"message {minutes} é😢"))
            await uow.transcript.append(P, TranscriptEntry(NOW + timedelta(minutes=9), None, notes))
            await uow.transcript.append(Q, TranscriptEntry(NOW, "pas à toi"))
            await uow.commit()
        async with store() as uow:
            recent = await uow.transcript.recent(P, NOW + timedelta(minutes=2), 3)
            assert [e.person_text for e in recent] == ["message 4 é😢", "message 5 é😢", None]
            assert recent[-1] == TranscriptEntry(NOW + timedelta(minutes=9), None, notes)
            since = await uow.transcript.recent(P, NOW + timedelta(minutes=4), 50)
            assert [e.at for e in since] == [
                NOW + timedelta(minutes=4),
                NOW + timedelta(minutes=5),
                NOW + timedelta(minutes=9),
            ]

    async def test_turns_older_than_the_retention_are_purged(
        self, store: UnitOfWorkFactory
    ) -> None:
        async with store() as uow:
            await uow.transcript.append(P, TranscriptEntry(NOW - timedelta(days=40), "vieux"))
            await uow.transcript.append(Q, TranscriptEntry(NOW - timedelta(days=31), "vieux aussi"))
            await uow.transcript.append(P, TranscriptEntry(NOW - timedelta(days=2), "récent"))
            await uow.commit()
        async with store() as uow:
            assert await uow.transcript.purge(NOW - timedelta(days=30)) == 2
            await uow.commit()
        async with store() as uow:
            left = await uow.transcript.recent(P, NOW - timedelta(days=400), 10)
            assert [e.person_text for e in left] == ["récent"]
            assert await uow.transcript.purge(NOW - timedelta(days=30)) == 0

    async def test_nothing_is_kept_without_commit(self, store: UnitOfWorkFactory) -> None:
        async with store() as uow:
            await self._write_everything(uow)
            # no commit
        async with store() as uow:
            await self._assert_nothing(uow)

    async def test_a_rollback_drops_every_write_and_what_follows_can_still_commit(
        self, store: UnitOfWorkFactory
    ) -> None:
        async with store() as uow:
            await self._write_everything(uow)
            await uow.rollback()
            await self._assert_nothing(uow)
            await uow.addresses.remember(Q, "999")
            await uow.commit()
        async with store() as uow:
            await self._assert_nothing(uow)
            assert await uow.addresses.address_of(Q) == "999"

    async def test_a_rollback_leaves_what_was_committed_before(
        self, store: UnitOfWorkFactory
    ) -> None:
        async with store() as uow:
            case = await uow.cases.add(new_case(P))
            await uow.conversations.save(conversation())
            await uow.commit()
            await uow.cases.save(replace(case, status=CaseStatus.CLOSED, closed_at=NOW))
            await uow.conversations.save(conversation(owner=Owner.CLOSED))
            await uow.rollback()
        async with store() as uow:
            kept = await uow.cases.get(case.id)
            assert kept is not None
            assert kept.status is CaseStatus.QUEUED
            stored = await uow.conversations.get(P)
            assert stored is not None
            assert stored.owner is Owner.BOT

    @staticmethod
    async def _write_everything(unit: UnitOfWork) -> None:
        await unit.conversations.save(conversation())
        await unit.addresses.remember(P, "424242")
        await unit.cases.add(new_case(P))
        await unit.audit.record(AuditEntry(NOW, JULIE, WorkerAction.TAKE, 1, "Renard-42"))
        await unit.workers.set_name(JULIE, "Julie")
        await unit.transcript.append(P, TranscriptEntry(NOW, "je dors dehors"))

    @staticmethod
    async def _assert_nothing(unit: UnitOfWork) -> None:
        assert await unit.conversations.get(P) is None
        assert await unit.addresses.address_of(P) is None
        assert await unit.cases.open_for(P) is None
        assert await unit.cases.open_cases() == []
        assert await unit.audit.trail(1) == []
        assert await unit.workers.name_of(JULIE) is None
        assert await unit.transcript.recent(P, NOW - timedelta(days=1), 10) == []
