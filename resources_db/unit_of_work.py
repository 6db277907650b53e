"""The SQLAlchemy unit of work: one session, one transaction, errors translated.

While a unit is open, ``current_session()`` returns its session, so that a port used during
the turn (the resource directory) runs on the turn's own connection instead of checking out
a second one: one connection per turn.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import Token
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.outbox import pseudonym_of_lane
from flows.ports import StorageBusy
from resources_db.cases import SqlAuditLog, SqlCaseRepository, SqlWorkerDirectory
from resources_db.crypto import AddressCipher
from resources_db.insights import SqlInsightLog
from resources_db.repositories import (
    CIPHERTEXTS,
    EncryptedAddressBook,
    SqlConversationRepository,
)
from resources_db.session_scope import CURRENT, current_session
from resources_db.transcript import SqlTranscriptStore
from resources_db.transport import DirectSend, SqlInbox, SqlOutbox, system_now

__all__ = ["SqlUnitOfWork", "SqlUnitOfWorkFactory", "current_session"]


class SqlUnitOfWork:
    """``UnitOfWork`` on one ``AsyncSession``; rolls back unless committed."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: AddressCipher,
        now: Callable[[], datetime] = system_now,
        direct: DirectSend | None = None,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._now = now
        self._direct = direct
        self._token: Token[AsyncSession | None] | None = None
        self.session: AsyncSession
        self.conversations: SqlConversationRepository
        self.addresses: EncryptedAddressBook
        self.cases: SqlCaseRepository
        self.audit: SqlAuditLog
        self.workers: SqlWorkerDirectory
        self.outbox: SqlOutbox
        self.inbox: SqlInbox
        self.transcript: SqlTranscriptStore
        self.insights: SqlInsightLog

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self.conversations = SqlConversationRepository(self.session)
        self.addresses = EncryptedAddressBook(self.session, self._cipher)
        self.cases = SqlCaseRepository(self.session)
        self.audit = SqlAuditLog(self.session)
        self.workers = SqlWorkerDirectory(self.session)
        self.outbox = SqlOutbox(self.session, self._cipher, self._now, self._direct)
        self.inbox = SqlInbox(self.session, self._now)
        self._token = CURRENT.set(self.session)
        self.transcript = SqlTranscriptStore(self.session, self._cipher)
        self.insights = SqlInsightLog(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._token is not None:
            CURRENT.reset(self._token)
            self._token = None
        self.outbox.rolled_back()
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
        if isinstance(exc, OperationalError | DBAPIError) and _is_busy(exc):
            raise StorageBusy(str(exc.orig.__class__.__name__)) from exc
        if isinstance(exc, PoolTimeoutError):
            raise StorageBusy("no free connection") from exc

    async def commit(self) -> None:
        """Commit; a busy database becomes ``StorageBusy``."""
        try:
            await self.session.commit()
        except (OperationalError, DBAPIError) as err:
            self.outbox.rolled_back()
            if _is_busy(err):
                raise StorageBusy(err.orig.__class__.__name__) from err
            raise
        except BaseException:
            self.outbox.rolled_back()
            raise
        queued, self.outbox.queued = self.outbox.queued, 0
        taken = self.outbox.committed()
        if self._direct is None:
            return
        if queued:
            self._direct.wake()
        if taken:
            # The sender gets the rows with the address this turn knew: no lookup, no claim.
            self._direct.take(
                [
                    replace(entry, address=self.addresses.known(pseudonym))
                    if (pseudonym := pseudonym_of_lane(entry.lane)) is not None
                    else entry
                    for entry in taken
                ]
            )

    async def rollback(self) -> None:
        """Drop everything since the last commit (and what this unit remembered of it)."""
        self.outbox.rolled_back()
        await self.session.rollback()
        self.session.info.pop(CIPHERTEXTS, None)
        self.conversations = SqlConversationRepository(self.session)
        self.addresses = EncryptedAddressBook(self.session, self._cipher)


def _is_busy(err: DBAPIError) -> bool:
    text = str(err.orig).lower()
    return (
        "database is locked" in text
        or "could not serialize" in text
        or "deadlock detected" in text
        or "connection" in text
        or err.connection_invalidated
    )


class SqlUnitOfWorkFactory:
    """Makes ``SqlUnitOfWork``s from one session factory and cipher."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: AddressCipher,
        now: Callable[[], datetime] = system_now,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._now = now
        self.direct: DirectSend | None = None

    @property
    def cipher(self) -> AddressCipher:
        """The key that seals addresses and transport payloads."""
        return self._cipher

    def send_directly(self, direct: DirectSend | None) -> None:
        """Rows written due now in an idle lane go leased to ``direct``'s sender (or not)."""
        self.direct = direct

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._cipher, self._now, self.direct)
