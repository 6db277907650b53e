"""Database fixtures: every test that asks for ``database_url`` runs on SQLite and PostgreSQL.

Each test gets a database of its own, created and migrated with Alembic, and dropped after.
PostgreSQL is the local server at ``TEST_POSTGRES_URL`` (default 127.0.0.1:5432, trust auth);
if it is not reachable the PostgreSQL half fails loudly instead of being skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from resources_db.db import create_engine, session_factory
from resources_db.migrate import upgrade_async

POSTGRES_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _pg_url(name: str) -> tuple[str, str]:
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{name}", f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"


async def _create_postgres() -> tuple[str, str]:
    name = f"passerelle_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, _pg_url(name)[1]


async def _drop_postgres(name: str) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, migrated database URL: once SQLite (a file), once PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'passerelle.db'}"
        await upgrade_async(url)
        yield url
        return
    name, url = await _create_postgres()
    try:
        await upgrade_async(url)
        yield url
    finally:
        await _drop_postgres(name)


@pytest.fixture
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An async engine on the fresh database, disposed after the test."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory on the fresh database."""
    return session_factory(db_engine)
