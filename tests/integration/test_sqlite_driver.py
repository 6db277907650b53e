"""SQLite statements run on the event loop's thread: what that must not cost.

Another process holding the write lock (the command line importing resources while the bot
runs) must not freeze the bot: the wait happens with ``asyncio.sleep``, the loop keeps
serving others, and a lock held too long ends in a plain "database is locked", not a hang.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from resources_db import db


async def _ticks_while(work: asyncio.Future[object] | asyncio.Task[object]) -> int:
    """How many times a 5 ms ticker ran while ``work`` was pending (other people's turns)."""
    ticks = 0
    while not work.done():
        await asyncio.sleep(0.005)
        ticks += 1
    return ticks


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "driver.db"


async def _table(url: str) -> None:
    engine = db.create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)"))
    await engine.dispose()


async def test_a_lock_held_elsewhere_is_waited_for_while_the_loop_keeps_serving(
    path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{path}"
    await _table(url)
    other = sqlite3.connect(path, isolation_level=None)  # another process, say the CLI
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO item (name) VALUES ('from the other process')")
    asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")

    engine = db.create_engine(url)

    async def write() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO item (name) VALUES ('from the bot')"))

    task = asyncio.create_task(write())
    ticks = await _ticks_while(task)
    await task
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM item ORDER BY id"))).scalars()
        assert list(names) == ["from the other process", "from the bot"]
    await engine.dispose()
    other.close()
    # 300 ms of waiting: a loop frozen in SQLite's busy handler would have ticked once or
    # twice at most, after the lock was gone.
    assert ticks >= 15


async def test_a_lock_held_too_long_ends_in_a_plain_error(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{path}"
    await _table(url)
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    engine = db.create_engine(url)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(OperationalError, match="database is locked"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO item (name) VALUES ('late')"))
    waited = loop.time() - started
    other.execute("ROLLBACK")
    other.close()
    # The connection is usable once the lock is gone.
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO item (name) VALUES ('now')"))
    await engine.dispose()
    assert 0.15 <= waited < 2.0


async def test_errors_come_back_as_sqlalchemy_errors_and_the_connection_goes_on(
    path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{path}"
    await _table(url)
    engine = db.create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO item (id, name) VALUES (1, 'one')"))
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO item (id, name) VALUES (2, 'two')"))
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO item (id, name) VALUES (1, 'again')"))
        await connection.rollback()
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT id, name FROM item"))).all()
        many = await connection.execute(
            text("INSERT INTO item (name) VALUES (:name)"), [{"name": "a"}, {"name": "b"}]
        )
        assert many.rowcount == 2
        await connection.rollback()
    await engine.dispose()
    assert [tuple(row) for row in rows] == [(1, "one")]  # the rolled-back transaction left nothing
