"""``passerelle audit --case ALIAS``: the trail of a case, from the command line."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot import cli
from bot.cli_audit import render_trail
from flows.cases import AuditEntry, Case, CaseStatus, WorkerAction
from flows.domain import CaseReason, Priority
from resources_db.crypto import AddressCipher, generate_key
from resources_db.db import create_engine, session_factory
from resources_db.migrate import upgrade
from resources_db.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 17, 19, 0, tzinfo=UTC)
WORKER = "f" * 64


def case(number: int = 7, closed: bool = False) -> Case:
    return Case(
        id=number,
        pseudonym="a" * 64,
        alias="Renard-42",
        priority=Priority.URGENT,
        reason=CaseReason.CRISIS,
        status=CaseStatus.CLOSED if closed else CaseStatus.TAKEN,
        opened_at=NOW,
        queued_at=NOW,
        closed_at=NOW + timedelta(hours=1) if closed else None,
    )


def test_the_trail_reads_oldest_first_with_pseudonyms_and_chosen_names() -> None:
    trail = [
        AuditEntry(NOW + timedelta(minutes=2), WORKER, WorkerAction.TAKE, 7, "Renard-42"),
        AuditEntry(NOW + timedelta(minutes=5), WORKER, WorkerAction.NOTE, 7, "Renard-42"),
    ]
    text = render_trail(case(closed=True), trail, {WORKER: "Julie"}, ZoneInfo("America/Montreal"))
    assert text.splitlines() == [
        "Case #7 · Renard-42 · urgent · closed · crisis",
        "  opened 2026-11-17 14:00 · closed 2026-11-17 15:00",
        "  2026-11-17 14:02  take       worker ffffffffff (Julie)",
        "  2026-11-17 14:05  note       worker ffffffffff (Julie)",
    ]


def test_a_case_nobody_touched_says_so() -> None:
    text = render_trail(case(), [], {}, ZoneInfo("UTC"))
    assert "(no worker action yet)" in text


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    upgrade(url)
    key = generate_key()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PSEUDONYM_KEY", "cli-test-pseudonym-key-" + "q" * 16)
    monkeypatch.setenv("ENCRYPTION_KEY", key)
    monkeypatch.setenv("TIMEZONE", "America/Montreal")
    monkeypatch.setenv("STAFF_ALLOWLIST", "")

    async def seed() -> None:
        engine = create_engine(url)
        factory = SqlUnitOfWorkFactory(session_factory(engine), AddressCipher(key))
        async with factory() as uow:
            stored = await uow.cases.add(replace(case(), id=0))
            entry = AuditEntry(NOW, WORKER, WorkerAction.TAKE, stored.id, stored.alias)
            await uow.audit.record(entry)
            await uow.workers.set_name(WORKER, "Julie")
            await uow.commit()
        await engine.dispose()

    asyncio.run(seed())
    return url


def test_the_command_prints_the_trail_of_a_case_by_alias(env: str) -> None:
    result = CliRunner().invoke(cli.app, ["audit", "--case", "renard-42"])
    assert result.exit_code == 0, result.output
    assert "Case #1 · Renard-42 · urgent · taken · crisis" in result.output
    assert "2026-11-17 14:00  take       worker ffffffffff (Julie)" in result.output


def test_an_unknown_case_is_an_error(env: str) -> None:
    result = CliRunner().invoke(cli.app, ["audit", "--case", "Hibou-01"])
    assert result.exit_code == 1
    assert "No case 'Hibou-01'" in result.output
