"""Insight events, posters and the report's reads, on SQLAlchemy.

Writes: ``SqlInsightLog`` appends events inside the conversation's unit of work.
Reads: only counts (``GROUP BY``) of events and the few case columns the report needs —
never a pseudonym, an alias, a worker or a row of a person. Nothing here commits except
``register_poster``'s caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.directory import Place
from flows.domain import Jurisdiction
from flows.insights import InsightEvent, InsightKind
from resources_db import geo
from resources_db.models.handoff import CaseRow
from resources_db.models.insights import InsightRow, PosterRow
from resources_db.models.resources import Gazetteer
from resources_db.session_scope import turn_session
from resources_db.write_behind import insert_later

NEAREST_AREA_M = 10_000  # farther than this, a shared location gets no area label
DIMENSIONS = frozenset(
    {"week", "weekday", "hour", "theme", "area", "reach", "source", "language", "came_back"}
)


# A plain insert (an ORM object would cost a flush of the unit of work), kept on PostgreSQL
# to ride on the turn's last statement.
_INSIGHTS = cast(Table, InsightRow.__table__)


class SqlInsightLog:
    """``InsightLog`` on SQLAlchemy: append only."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, event: InsightEvent) -> None:
        """Append one event (in the unit of work's transaction)."""
        i = event.insight
        await insert_later(
            self._session,
            _INSIGHTS,
            {
                "kind": i.kind.value,
                "week": event.bucket.week,
                "weekday": event.bucket.weekday,
                "hour": event.bucket.hour,
                "theme": i.theme.value if i.theme else None,
                "area": i.area,
                "reach": i.reach.value if i.reach else None,
                "source": i.source,
                "language": i.language.value if i.language else None,
                "came_back": i.came_back,
            },
        )


class SqlAreaLabeller:
    """``AreaLabeller``: the nearest gazetteer place, else (Québec) the nearest postal prefix."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], jurisdiction: Jurisdiction
    ) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction

    async def area_near(self, place: Place) -> str | None:
        """A coarse label within ``NEAREST_AREA_M`` of ``place``, or None."""
        box = geo.bounding_box(place.latitude, place.longitude, NEAREST_AREA_M)
        async with turn_session(self._sessions) as session:  # the turn's, if in one
            rows = (
                await session.execute(
                    select(Gazetteer.name, Gazetteer.latitude, Gazetteer.longitude).where(
                        Gazetteer.jurisdiction == self._jurisdiction.value,
                        Gazetteer.latitude.between(box.min_lat, box.max_lat),
                        Gazetteer.longitude.between(box.min_lon, box.max_lon),
                    )
                )
            ).all()
        candidates = [
            (geo.haversine_m(place.latitude, place.longitude, lat, lon), name)
            for name, lat, lon in rows
        ]
        if not candidates and self._jurisdiction is Jurisdiction.QC:
            candidates = [
                (geo.haversine_m(place.latitude, place.longitude, lat, lon), code)
                for code, lat, lon in _fsa_centroids()
                if box.min_lat <= lat <= box.max_lat and box.min_lon <= lon <= box.max_lon
            ]
        near = [c for c in candidates if c[0] <= NEAREST_AREA_M]
        return min(near)[1] if near else None


def _fsa_centroids() -> list[tuple[str, float, float]]:
    table = geo._postal_table("CA")
    return [
        (code, r.latitude, r.longitude)
        for code, r in table.items()
        if r.latitude is not None and r.longitude is not None
    ]


# --- posters ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Poster:
    """A printed code and its place."""

    code: str
    place: str
    printed_on: date


async def register_poster(session: AsyncSession, code: str, place: str, today: date) -> Poster:
    """Record that ``code`` is printed for ``place``; returns what is recorded for the code.

    A code already recorded for another place is left alone: the caller sees the other place
    in the answer and refuses.
    """
    row = await session.get(PosterRow, code)
    if row is None:
        row = PosterRow(code=code, place=place.strip()[:120], printed_on=today)
        session.add(row)
        await session.flush()
    return Poster(row.code, row.place, row.printed_on)


async def posters(session: AsyncSession) -> list[Poster]:
    """Every recorded poster code, by code."""
    rows = await session.scalars(select(PosterRow).order_by(PosterRow.code))
    return [Poster(r.code, r.place, r.printed_on) for r in rows]


# --- the report's reads: counts only -------------------------------------------------------------


async def count_events(
    session: AsyncSession,
    kind: InsightKind,
    dimensions: Sequence[str],
    first_week: date,
    last_week: date,
) -> dict[tuple[object, ...], int]:
    """Events of ``kind`` between two weeks (inclusive), counted by ``dimensions``."""
    unknown = set(dimensions) - DIMENSIONS
    if unknown:
        raise ValueError(f"not a dimension of insight events: {sorted(unknown)}")
    columns = [getattr(InsightRow, name) for name in dimensions]
    statement = (
        select(*columns, func.count())
        .where(
            InsightRow.kind == kind.value,
            InsightRow.week >= first_week,
            InsightRow.week <= last_week,
        )
        .group_by(*columns)
    )
    return {tuple(row[:-1]): int(row[-1]) for row in await session.execute(statement)}


@dataclass(frozen=True, slots=True)
class CaseTiming:
    """What the report reads of a case: when it was queued and first taken, how pressing."""

    queued_at: datetime
    first_taken_at: datetime | None
    priority: str
    reason: str


async def case_timings(session: AsyncSession, start: datetime, end: datetime) -> list[CaseTiming]:
    """Cases opened in ``[start, end)``: times and priority only (no person, no worker)."""
    rows = await session.execute(
        select(
            CaseRow.queued_at, CaseRow.taken_at, CaseRow.history, CaseRow.priority, CaseRow.reason
        ).where(CaseRow.opened_at >= start, CaseRow.opened_at < end)
    )
    timings = []
    for queued_at, taken_at, history, priority, reason in rows:
        timings.append(CaseTiming(queued_at, _first_take(history) or taken_at, priority, reason))
    return timings


def _first_take(history: list[dict[str, str]] | None) -> datetime | None:
    """The first time the case was taken (a takeover or a reopening moves ``taken_at``)."""
    for line in history or []:
        if line.get("status") == "taken" and line.get("at"):
            return datetime.fromisoformat(line["at"])
    return None
