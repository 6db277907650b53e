"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from resources_db.sqlite_driver import connector
from resources_db.write_behind import WriteBehindSession

SQLITE_BUSY_TIMEOUT_MS = 5_000


def is_sqlite(url: str) -> bool:
    """True for a SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An async engine; for SQLite, creates the folder and turns on WAL and a busy timeout.

    ``pool_size`` (PostgreSQL) is sized by the caller from how many turns run at once.
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One connection, so the process's transactions queue on the pool, first come first
        # served. SQLite takes one writer at a time anyway (BEGIN IMMEDIATE below), and
        # writers queueing on its busy handler sleep in growing steps, unfairly: under load
        # some waited past the busy timeout. Nothing holds a session while opening another
        # (the unit of work lends its session to the directory), so one is enough.
        # Statements run on the event loop's thread, not aiosqlite's (resources_db.sqlite_driver).
        arguments, options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=1,
            max_overflow=0,
            async_creator=connector(arguments, options, SQLITE_BUSY_TIMEOUT_MS / 1000),
        )
        prepare_sqlite(engine)
        return engine
    # No pre-ping (it costs a round trip per checkout): a connection found dead fails its
    # statement, SQLAlchemy invalidates it, and the unit of work reports ``StorageBusy`` so
    # the turn is tried again on a fresh one. Connections are renewed hourly all the same.
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_recycle=3600,
    )


def prepare_sqlite(engine: AsyncEngine) -> None:
    """The project's SQLite settings on ``engine``: WAL, foreign keys, ``BEGIN IMMEDIATE``."""
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the scheduler read while the bot writes. A lock held by another process is
    # waited for by the driver (``resources_db.sqlite_driver``), off the loop: SQLite's own
    # busy timeout stays zero.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # We emit BEGIN ourselves (``_sqlite_begin_immediate``); the driver must not.
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Any) -> None:
    # SQLite allows one writer. A transaction that reads first and writes later fails at once
    # with "database is locked" (no busy wait) if another wrote meanwhile; BEGIN IMMEDIATE
    # takes the write lock up front, so concurrent turns queue on the busy timeout instead
    # of failing and retrying.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for units of work: no expiry on commit, so returned values stay usable."""
    return async_sessionmaker(
        engine, class_=WriteBehindSession, expire_on_commit=False, autoflush=False
    )
