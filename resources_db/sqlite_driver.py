"""SQLite for asyncio without a thread hop per statement.

SQLAlchemy's ``sqlite+aiosqlite`` dialect runs each statement through aiosqlite, which hands
it to a thread and wakes the event loop with the result: four hops a statement (cursor,
execute, fetch, close), each a thread wake-up, a GIL hand-over and a loop wake-up. A turn
sends about fifteen statements, each of them microseconds of work in SQLite itself; the hops
were most of a turn's time on SQLite (measured in docs/benchmarks.md, "SQLite on the loop").

This module gives that dialect a connection that runs the statement on the event loop's own
thread, where it takes microseconds. What it gives up, and why that is acceptable here:

- a long statement (an import of thousands of rows, a retention sweep) holds the loop while
  it runs, instead of only the database's one connection. The process already had a single
  SQLite connection (``resources_db.db``): turns waited for it either way.
- SQLite's own busy handler would sleep *on the loop* while another process (the command
  line, a second bot by mistake) holds the write lock. So the connection's busy timeout is
  zero and a statement refused with "database is locked" is retried here, sleeping with
  ``asyncio.sleep`` (1 ms, doubling up to 50 ms) for up to ``busy_timeout_s``; the loop
  keeps answering meanwhile. Only the statement that was refused is sent again: SQLite
  refuses before doing anything (``BEGIN IMMEDIATE``, or a ``COMMIT`` that stays pending).

It implements what SQLAlchemy's adapter for aiosqlite calls, nothing more, and is passed as
the engine's ``async_creator``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

FIRST_WAIT_S = 0.001
LONGEST_WAIT_S = 0.05


def _locked(error: sqlite3.OperationalError) -> bool:
    return "database is locked" in str(error) or "database is busy" in str(error)


class InlineCursor:
    """A cursor whose ``execute`` runs at once and keeps the rows (what the adapter reads)."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        def run() -> None:
            cursor = self._connection._conn.execute(sql, parameters)
            self.description = cursor.description
            self._rows = cursor.fetchall() if cursor.description else []
            self.rowcount = cursor.rowcount
            self.lastrowid = cursor.lastrowid

        await self._connection.run(run)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = list(parameters)  # a generator cannot be replayed after a refusal

        def run() -> None:
            cursor = self._connection._conn.executemany(sql, rows)
            self.description = None
            self._rows = []
            self.rowcount = cursor.rowcount
            self.lastrowid = cursor.lastrowid

        await self._connection.run(run)
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int = 1) -> list[Any]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def close(self) -> None:
        self._rows = []


class _RunNow:
    """SQLAlchemy sets the isolation level through aiosqlite's queue: run it at once."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as error:  # noqa: BLE001 - handed to whoever awaits the future
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection:
    """An aiosqlite-shaped connection that runs statements on the calling thread."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout_s: float) -> None:
        self._connection: sqlite3.Connection | None = connection
        self._busy_timeout_s = busy_timeout_s
        self._tx = _RunNow()

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self._conn.isolation_level = value

    async def run(self, step: Callable[[], None]) -> None:
        """Run ``step``; while the database is locked by another connection, wait and retry."""
        deadline = time.monotonic() + self._busy_timeout_s
        wait = FIRST_WAIT_S
        while True:
            try:
                step()
            except sqlite3.OperationalError as error:
                if not _locked(error) or time.monotonic() + wait > deadline:
                    raise
            else:
                return
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_S)

    async def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        return await InlineCursor(self).execute(sql, parameters)

    async def commit(self) -> None:
        await self.run(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def connector(
    arguments: Sequence[Any], options: Mapping[str, Any], busy_timeout_s: float
) -> Callable[[], Any]:
    """The engine's ``async_creator``: a new inline connection with SQLAlchemy's own connect
    arguments for the URL (path, ``uri``…), no busy wait inside SQLite, no implicit BEGIN."""
    given = {key: value for key, value in options.items() if key not in {"iter_chunk_size", "loop"}}
    given |= {"timeout": 0, "isolation_level": None, "check_same_thread": False}

    async def connect() -> InlineConnection:
        return InlineConnection(sqlite3.connect(*arguments, **given), busy_timeout_s)

    return connect
