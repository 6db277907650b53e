"""Anonymous insight events: what people ask for, kept coarse from the moment they are written.

The needs & gaps report needs facts the conversation does not keep (every need expressed,
every search and whether anything was within reach or open, the poster a conversation
started from, its language). The engine notes them as ``Noted`` effects; ``InsightEffects``
writes them, in the conversation's own transaction, as ``InsightEvent`` rows that hold:

- no pseudonym, no alias, no id, no text the person wrote, no coordinates;
- the time as buckets only: the week (its Monday), the day of the week and the hour, in the
  deployment's time zone;
- a theme, a coarse area label (a postal prefix such as ``J1H`` or a gazetteer place name,
  never a point), a language, a poster code, and an outcome.

An event belongs to nobody: ``/oublie`` has nothing of the person's to erase here, and no
row can be traced back to a conversation. The report only ever reads them as counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from flows.directory import Place, SearchPage, SearchQuery
from flows.domain import Language, Theme

if TYPE_CHECKING:
    from flows.actions import Decision, Effect
    from flows.ports import Clock, ResourceDirectory, UnitOfWork

# The bot's deep-link rule for a poster code (the same as flows/engine.py's SOURCE_CODE).
POSTER_CODE = re.compile(r"^[A-Za-z0-9_-]{1,48}$")
AREA_MAX_CHARS = 80


class InsightKind(StrEnum):
    """What an insight event records."""

    NEED = "need"  # a theme asked for (a button or words), with or without a place
    SEARCH = "search"  # a search by theme and place (its first page)
    ARRIVAL = "arrival"  # a conversation started (or came back through a poster's code)


class Reach(StrEnum):
    """What a search found, as the person met it."""

    OPEN_NEAR = "open_near"  # something within reach, open at that moment
    CLOSED_NEAR = "closed_near"  # something within reach, nothing of it open at that moment
    NOTHING_NEAR = "nothing_near"  # nothing within reach (farther away only, or nothing)


@dataclass(frozen=True, slots=True)
class Insight:
    """The coarse facts of one event; which fields are set depends on ``kind``."""

    kind: InsightKind
    theme: Theme | None = None
    area: str | None = None
    reach: Reach | None = None
    source: str | None = None
    language: Language | None = None
    came_back: bool | None = None


@dataclass(frozen=True, slots=True)
class TimeBucket:
    """When, coarsely: the week (its Monday), the day of the week (0 = Monday), the hour."""

    week: date
    weekday: int
    hour: int

    @classmethod
    def of(cls, instant: datetime, zone: ZoneInfo) -> TimeBucket:
        """The bucket of ``instant`` in the deployment's time zone."""
        local = instant.astimezone(zone)
        day = local.date()
        return cls(week=day - timedelta(days=day.weekday()), weekday=day.weekday(), hour=local.hour)


@dataclass(frozen=True, slots=True)
class InsightEvent:
    """What is stored: a bucket and the coarse facts, nothing else."""

    bucket: TimeBucket
    insight: Insight


@dataclass(frozen=True, slots=True)
class Noted:
    """Effect: note one anonymous insight.

    ``near`` (a shared location, already rounded) lets the handler name the nearest known
    area; ``recheck`` lets it ask whether anything within reach is open when the first page
    showed nothing open. Neither is ever stored.
    """

    insight: Insight
    near: Place | None = None
    recheck: SearchQuery | None = None


class InsightLog(Protocol):
    """Append-only store of insight events. Never commits: the unit of work does."""

    async def add(self, event: InsightEvent) -> None:
        """Append one event."""
        ...


class AreaLabeller(Protocol):
    """Names the coarse area around a point (nearest postal prefix or known place)."""

    async def area_near(self, place: Place) -> str | None:
        """A coarse label for the area of ``place``, or None when nothing known is close."""
        ...


# --- what the engine notes (one call per emission point) ---------------------------------------


def need_noted(theme: Theme, area: str | None) -> Noted:
    """A theme was asked for, in ``area`` when the conversation already knows one."""
    return Noted(Insight(InsightKind.NEED, theme=theme, area=_coarse(area)))


def search_noted(query: SearchQuery, page: SearchPage, area: str | None) -> tuple[Noted, ...]:
    """The first page of a search: what was looked for, where, and what was within reach."""
    if query.offset > 0:
        return ()  # "see more" is the same search
    recheck = None
    if page.total == 0 or page.widened:
        reach = Reach.NOTHING_NEAR
    elif any(card.open_now for card in page.cards):
        reach = Reach.OPEN_NEAR
    else:
        reach = Reach.CLOSED_NEAR
        if page.has_more:
            # Farther places on later pages may be open: the handler asks the directory.
            recheck = replace(query, open_now=True, offset=0, limit=1, radius_m=page.radius_m)
    insight = Insight(InsightKind.SEARCH, theme=query.theme, area=_coarse(area), reach=reach)
    return (Noted(insight, near=None if area else query.place, recheck=recheck),)


def arrival_noted(code: str | None, language: Language, *, returning: bool) -> tuple[Noted, ...]:
    """A ``/start``: always for a new conversation, for a returning one only with a code."""
    source = code if code and POSTER_CODE.match(code) else None
    if returning and source is None:
        return ()
    insight = Insight(InsightKind.ARRIVAL, source=source, language=language, came_back=returning)
    return (Noted(insight),)


def noting(decision: Decision, noted: Noted | tuple[Noted, ...]) -> Decision:
    """``decision`` with insight effects added after its own."""
    more = noted if isinstance(noted, tuple) else (noted,)
    return replace(decision, effects=(*decision.effects, *more))


def _coarse(area: str | None) -> str | None:
    text = (area or "").strip()
    return text[:AREA_MAX_CHARS] or None


# --- the effect handler -------------------------------------------------------------------------


class InsightEffects:
    """The ``EffectHandler`` that writes ``Noted`` effects as anonymous insight events."""

    def __init__(
        self,
        *,
        clock: Clock,
        zone: ZoneInfo,
        areas: AreaLabeller | None = None,
        directory: ResourceDirectory | None = None,
    ) -> None:
        self._clock = clock
        self._zone = zone
        self._areas = areas
        self._directory = directory

    async def __call__(self, uow: UnitOfWork, pseudonym: str, effect: Effect) -> None:
        """Append the insight of a ``Noted`` effect; other effects are not ours."""
        del pseudonym  # deliberately unused: an insight belongs to nobody
        if not isinstance(effect, Noted):
            return
        insight = effect.insight
        if insight.area is None and effect.near is not None and self._areas is not None:
            insight = replace(insight, area=_coarse(await self._areas.area_near(effect.near)))
        if effect.recheck is not None and self._directory is not None:
            page = await self._directory.search(effect.recheck)
            if page.total > 0 and not page.widened:
                insight = replace(insight, reach=Reach.OPEN_NEAR)
        await uow.insights.add(InsightEvent(TimeBucket.of(self._clock.now(), self._zone), insight))
