"""The resource directory on SQLAlchemy (placeholder until the directory work lands)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.directory import Place, SearchPage, SearchQuery
from flows.domain import Jurisdiction


class SqlResourceDirectory:
    """``ResourceDirectory`` port."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jurisdiction: Jurisdiction,
        timezone: ZoneInfo,
    ) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction
        self._timezone = timezone

    async def search(self, query: SearchQuery) -> SearchPage:
        """One page of services by theme, nearest first."""
        return SearchPage(cards=(), total=0, radius_m=query.radius_m, offset=query.offset)

    async def locate(self, text: str) -> Place | None:
        """A place from a postal code or a known name."""
        del text
        return None
