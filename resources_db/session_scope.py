"""The session of the unit of work open in this task, shared with the ports used in a turn.

``SqlUnitOfWork`` sets it while open; a port that reads during a turn (the resource
directory, the area labeller, the waiting line) runs on that same session instead of checking
out a second connection: one connection per turn (and no deadlock on SQLite's single one).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

CURRENT: ContextVar[AsyncSession | None] = ContextVar("passerelle_uow_session", default=None)


def current_session() -> AsyncSession | None:
    """The session of the unit of work open in this task, if any."""
    return CURRENT.get()


@asynccontextmanager
async def turn_session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """The turn's session if a unit of work is open in this task, else a fresh one."""
    current = CURRENT.get()
    if current is not None:
        yield current
        return
    async with sessions() as session:
        yield session
