"""Handoff storage on SQLite and PostgreSQL: cases, the desk ledger, names, the audit log."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.cli_audit import print_trail
from bot.settings import load_settings
from flows.cases import AuditEntry, Case, CaseStatus, StatusChange, WorkerAction
from flows.domain import CaseReason, Priority
from flows.identity import alias_for, pseudonym_for
from resources_db.crypto import AddressCipher, generate_key
from resources_db.desk_ledger import DeskEntry, SqlDeskLedger
from resources_db.models import Base
from resources_db.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 17, 19, 0, tzinfo=UTC)
HANDOFF_TABLES = {"cases", "case_messages", "workers", "audit_log", "desk_cases", "delivered"}
KEY = "integration-pseudonym-key-" + "z" * 20
P = pseudonym_for(KEY.encode(), 777)
JULIE = pseudonym_for(KEY.encode(), "worker:5001")


def new_case(pseudonym: str = P, priority: Priority = Priority.URGENT) -> Case:
    return Case(
        id=0,
        pseudonym=pseudonym,
        alias=alias_for(pseudonym),
        priority=priority,
        reason=CaseReason.CRISIS,
        status=CaseStatus.QUEUED,
        opened_at=NOW,
        queued_at=NOW,
        context={"theme": "shelter", "language": "fr", "source": "parc-jc"},
        history=(StatusChange(NOW, CaseStatus.QUEUED, "bot", "opened:crisis"),),
    )


@pytest.fixture
def uow_factory(sessions: async_sessionmaker[AsyncSession]) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(sessions, AddressCipher(generate_key()))


async def test_cases_round_trip_and_open_case_lookups(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        stored = await uow.cases.add(new_case())
        other = await uow.cases.add(new_case("c" * 64, Priority.NORMAL))
        await uow.commit()
    assert stored.id > 0
    assert other.id != stored.id
    async with uow_factory() as uow:
        loaded = await uow.cases.get(stored.id)
        assert loaded == stored
        assert await uow.cases.open_for(P) == stored
        assert [c.id for c in await uow.cases.find(stored.alias.lower())] == [stored.id]
        assert {c.id for c in await uow.cases.open_cases()} == {stored.id, other.id}
        taken = stored.changed(
            NOW + timedelta(minutes=3),
            JULIE,
            "taken",
            status=CaseStatus.TAKEN,
            owner=JULIE,
            taken_at=NOW + timedelta(minutes=3),
        )
        await uow.cases.save(taken)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.cases.get(stored.id)
        assert again is not None
        assert (again.status, again.owner, again.history[-1].detail) == (
            CaseStatus.TAKEN,
            JULIE,
            "taken",
        )
        assert again.taken_at == NOW + timedelta(minutes=3)


async def test_the_desk_ledger_keeps_where_a_case_shows_apart_from_its_state(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ledger = SqlDeskLedger(sessions, chat_id=-100123)
    async with uow_factory() as uow:
        case = await uow.cases.add(new_case())
        await uow.commit()
    assert await ledger.entry(case.id) is None
    shown = DeskEntry(topic_id=57, card_message_id=1001, shown_status="queued", shown_flags=0)
    await ledger.save(case.id, shown)
    async with uow_factory() as uow:
        await uow.cases.save(replace(case, crisis_flags=1))  # a flagged message meanwhile
        await uow.commit()
    assert await ledger.entry(case.id) == shown
    assert await ledger.case_for_topic(57) == case.id
    assert await ledger.case_for_topic(58) is None
    await ledger.save(case.id, replace(shown, shown_flags=1, card_digest="d" * 64))
    entry = await ledger.entry(case.id)
    assert entry is not None
    assert (entry.shown_flags, entry.card_digest) == (1, "d" * 64)


async def test_staff_messages_map_to_their_case(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ledger = SqlDeskLedger(sessions, chat_id=-100123)
    async with uow_factory() as uow:
        case = await uow.cases.add(new_case())
        await uow.commit()
    await ledger.remember_message(case.id, 2001, "relay")
    await ledger.remember_message(case.id, 2002, "note_prompt")
    assert await ledger.message(2002) == (case.id, "note_prompt")
    assert await ledger.message(9999) is None
    assert await SqlDeskLedger(sessions, chat_id=-100999).message(2001) is None


async def test_forgetting_a_person_erases_their_pseudonym_from_cases(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with uow_factory() as uow:
        case = await uow.cases.add(new_case())
        await uow.cases.forget_person(P)
        await uow.commit()
    async with sessions() as session:
        dump = repr((await session.execute(text("select * from cases"))).all())
    assert P not in dump
    assert case.alias in dump, "the alias stays, for the audit trail"


async def test_worker_names_are_kept_only_when_chosen(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with uow_factory() as uow:
        await uow.workers.set_name(JULIE, "Julie")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.workers.name_of(JULIE) == "Julie"
        await uow.workers.set_name(JULIE, None)
        await uow.commit()
    async with sessions() as session:
        assert await session.scalar(text("select count(*) from workers")) == 0


async def test_the_audit_log_is_append_only_in_the_database_too(
    uow_factory: SqlUnitOfWorkFactory, db_engine: AsyncEngine
) -> None:
    async with uow_factory() as uow:
        for action in (WorkerAction.TAKE, WorkerAction.REPLY):
            await uow.audit.record(AuditEntry(NOW, JULIE, action, 1, "Renard-42"))
        await uow.commit()
    async with uow_factory() as uow:
        trail = await uow.audit.trail(1)
    assert [a.action for a in trail] == [WorkerAction.TAKE, WorkerAction.REPLY]
    assert not hasattr(uow.audit, "delete")
    assert not hasattr(uow.audit, "update")
    for statement in ("update audit_log set action = 'read'", "delete from audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db_engine.begin() as connection:
                await connection.execute(text(statement))
    async with db_engine.connect() as connection:
        assert await connection.scalar(text("select count(*) from audit_log")) == 2


async def test_the_migration_builds_the_handoff_tables_the_models_describe(
    db_engine: AsyncEngine,
) -> None:
    def differences(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return compare_metadata(context, Base.metadata)

    async with db_engine.connect() as connection:
        diffs = await connection.run_sync(differences)
    mine = [d for d in diffs if any(table in repr(d) for table in HANDOFF_TABLES)]
    assert mine == []


async def test_the_audit_command_prints_a_cases_trail(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    async with uow_factory() as uow:
        case = await uow.cases.add(new_case())
        for minutes, action in ((2, WorkerAction.READ), (3, WorkerAction.TAKE)):
            at = NOW + timedelta(minutes=minutes)
            await uow.audit.record(AuditEntry(at, JULIE, action, case.id, case.alias))
        await uow.commit()
    settings = load_settings(
        _env_file=None,
        database_url=database_url,
        pseudonym_key=KEY,
        encryption_key=generate_key(),
        staff_allowlist="5001:Julie",
        timezone="America/Montreal",
    )
    out = io.StringIO()
    assert await print_trail(settings, case.alias, out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Case #{case.id} · {case.alias} · urgent · queued · crisis"
    assert lines[2] == f"  2026-11-17 14:02  read       worker {JULIE[:10]} (Julie)"
    assert lines[3] == f"  2026-11-17 14:03  take       worker {JULIE[:10]} (Julie)"
    assert await print_trail(settings, f"#{case.id}", io.StringIO()) == 1
    assert await print_trail(settings, "Inconnu-00", io.StringIO()) == 0
