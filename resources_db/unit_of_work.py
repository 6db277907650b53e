"""The SQLAlchemy unit of work: one session, one transaction, errors translated."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.ports import StorageBusy
from resources_db.cases import SqlAuditLog, SqlCaseRepository, SqlWorkerDirectory
from resources_db.crypto import AddressCipher
from resources_db.insights import SqlInsightLog
from resources_db.repositories import EncryptedAddressBook, SqlConversationRepository
from resources_db.transcript import SqlTranscriptStore


class SqlUnitOfWork:
    """``UnitOfWork`` on one ``AsyncSession``; rolls back unless committed."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: AddressCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self.session: AsyncSession
        self.conversations: SqlConversationRepository
        self.addresses: EncryptedAddressBook
        self.cases: SqlCaseRepository
        self.audit: SqlAuditLog
        self.workers: SqlWorkerDirectory
        self.transcript: SqlTranscriptStore
        self.insights: SqlInsightLog

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self.conversations = SqlConversationRepository(self.session)
        self.addresses = EncryptedAddressBook(self.session, self._cipher)
        self.cases = SqlCaseRepository(self.session)
        self.audit = SqlAuditLog(self.session)
        self.workers = SqlWorkerDirectory(self.session)
        self.transcript = SqlTranscriptStore(self.session, self._cipher)
        self.insights = SqlInsightLog(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()
        if isinstance(exc, OperationalError | DBAPIError) and _is_busy(exc):
            raise StorageBusy(str(exc.orig.__class__.__name__)) from exc

    async def commit(self) -> None:
        """Commit; a busy database becomes ``StorageBusy``."""
        try:
            await self.session.commit()
        except (OperationalError, DBAPIError) as err:
            if _is_busy(err):
                raise StorageBusy(err.orig.__class__.__name__) from err
            raise

    async def rollback(self) -> None:
        """Drop everything since the last commit."""
        await self.session.rollback()


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

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: AddressCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._cipher)
