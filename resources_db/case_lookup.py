"""``CaseLookup`` on the cases table: how many requests the team will take before yours."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.cases import Case, CaseStatus
from resources_db.cases import SqlCaseRepository
from resources_db.models.handoff import CaseRow
from resources_db.session_scope import turn_session


def _rank() -> ColumnElement[int]:
    """The staff queue's order (flows/staff_view.queue_order): priority, then the longest wait."""
    return case((CaseRow.priority == "urgent", 0), (CaseRow.priority == "high", 1), else_=2)


class SqlCaseLookup:
    """Counts the queued cases ahead of a person's own, in the order workers see them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def ahead_of(self, pseudonym: str) -> int:
        """Queued cases before the person's queued case (all of them for a request not yet
        stored: a new request joins the end of the line)."""
        async with turn_session(self._sessions) as session:  # the turn's, if in one
            own = (
                await session.execute(
                    select(_rank().label("rank"), CaseRow.queued_at, CaseRow.id).where(
                        CaseRow.pseudonym == pseudonym, CaseRow.status == CaseStatus.QUEUED.value
                    )
                )
            ).first()
            if own is None:
                return int(
                    await session.scalar(
                        select(func.count()).where(CaseRow.status == CaseStatus.QUEUED.value)
                    )
                    or 0
                )
            rank, queued_at, own_id = own
            ahead = await session.scalar(
                select(func.count()).where(
                    CaseRow.status == CaseStatus.QUEUED.value,
                    CaseRow.id != own_id,
                    or_(
                        _rank() < rank,
                        and_(_rank() == rank, CaseRow.queued_at < queued_at),
                    ),
                )
            )
            return int(ahead or 0)

    async def last_case(self, pseudonym: str) -> Case | None:
        """The person's most recent case, open or closed."""
        # The turn's own session when asked during a turn: a second one would wait for the
        # write lock the turn holds (SQLite's BEGIN IMMEDIATE) and the person would get nothing.
        async with turn_session(self._sessions) as session:
            found = await SqlCaseRepository(session).earlier_for(pseudonym, limit=1)
        return found[0] if found else None
