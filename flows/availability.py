"""When the team's humans are there: weekly hours, closed days, the next opening.

Pure: the caller gives the instant (from its ``Clock``); nothing here reads the system time.
The weekly schedule uses OpenStreetMap's ``opening_hours`` syntax (``Mo-Fr 09:00-21:00;
Sa 10:00-16:00``), read by the ``opening-hours-py`` library, which is pure computation.
Public holidays and one-off closed days come through the ``ClosedDays`` port.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, State, validate

from flows.catalogue import Catalogue
from flows.domain import Language
from flows.ports import Clock

# How far ahead the next opening is searched; a team closed for longer has no "next opening".
HORIZON = timedelta(days=60)
_WEEKDAY = re.compile(r"\b(mo|tu|we|th|fr|sa|su|ph)\b", re.IGNORECASE)
_CAPITALISED = {"ph": "PH"}


class ClosedDays(Protocol):
    """Days the team is closed whatever its weekly hours say (public holidays, team days)."""

    def is_closed(self, day: date) -> bool:
        """True when nobody works on ``day`` (a date in the team's time zone)."""
        ...


class NoClosedDays:
    """``ClosedDays`` for a team that never closes on special days."""

    def is_closed(self, day: date) -> bool:
        """Never closed."""
        del day
        return False


def normalise_schedule(spec: str) -> str:
    """The schedule with weekday names capitalised (``mo-fr`` → ``Mo-Fr``).

    Raises:
        ValueError: the schedule is empty or not valid ``opening_hours`` syntax.
    """
    text = _WEEKDAY.sub(
        lambda m: _CAPITALISED.get(m.group(1).lower(), m.group(1).capitalize()), spec.strip()
    )
    if not text:
        raise ValueError("team hours are empty")
    if not validate(text):
        raise ValueError(f"team hours {spec!r} are not opening_hours syntax (Mo-Fr 09:00-21:00)")
    return text


class TeamHours:
    """The team's availability in its time zone, closed days included."""

    def __init__(
        self, schedule: str, zone: ZoneInfo, closed_days: ClosedDays | None = None
    ) -> None:
        self.schedule = normalise_schedule(schedule)
        self.zone = zone
        self._hours = OpeningHours(
            self.schedule, timezone=zone, auto_country=False, auto_timezone=False
        )
        self._closed = closed_days or NoClosedDays()

    def is_open(self, at: datetime) -> bool:
        """True when a human is on duty at ``at``."""
        local = at.astimezone(self.zone)
        return not self._closed.is_closed(local.date()) and self._hours.is_open(local)

    def next_opening(self, at: datetime) -> datetime | None:
        """When humans are next on duty: ``at`` itself if open now; None beyond the horizon."""
        local = at.astimezone(self.zone)
        for start, end, state, _comment in self._hours.intervals(local, local + HORIZON):
            if state is not State.OPEN:
                continue
            candidate = max(start, local)
            while candidate < end:
                if not self._closed.is_closed(candidate.date()):
                    return candidate
                # A closed day ends at midnight; the period may go on the day after.
                candidate = datetime.combine(
                    candidate.date() + timedelta(days=1), datetime.min.time(), self.zone
                )
        return None

    def next_opening_after(self, at: datetime) -> datetime | None:
        """The start of the next on-duty period strictly after ``at`` (for the opening digest)."""
        local = at.astimezone(self.zone)
        cursor = local
        while self.is_open(cursor):
            if cursor - local > HORIZON:
                return None  # open all the time: there is no "opening" to announce
            first = next(iter(self._hours.intervals(cursor, cursor + HORIZON)), None)
            midnight = datetime.combine(
                cursor.date() + timedelta(days=1), datetime.min.time(), self.zone
            )
            cursor = midnight if first is None else min(first[1], midnight)
        return self.next_opening(cursor)

    @property
    def always_open(self) -> bool:
        """True for ``24/7`` with no closed days configured."""
        return self.schedule == "24/7" and isinstance(self._closed, NoClosedDays)


WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
NOON = 12


def clock_text(at: datetime, language: Language) -> str:
    """``9 h``, ``21 h 30`` in French; ``9 am``, ``9:30 pm`` in English."""
    if language is Language.FR:
        return f"{at.hour} h" if at.minute == 0 else f"{at.hour} h {at.minute:02d}"
    suffix = "am" if at.hour < NOON else "pm"
    hour = at.hour % NOON or NOON
    return f"{hour} {suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d} {suffix}"


class TeamAvailability:
    """Whether a human is on duty now, and when one is back, in the person's words."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        clock: Clock,
        hours: TeamHours | None,
        zone: ZoneInfo,
    ) -> None:
        self._t = catalogue
        self._clock = clock
        self.hours = hours
        self.zone = hours.zone if hours is not None else zone

    def is_open(self, at: datetime | None = None) -> bool:
        """True when a human is on duty (always, without configured hours)."""
        return self.hours is None or self.hours.is_open(at or self._clock.now())

    def next_opening(self, at: datetime | None = None) -> datetime | None:
        """When humans are next on duty (now if open); None beyond the horizon."""
        now = at or self._clock.now()
        return now if self.hours is None else self.hours.next_opening(now)

    def back_when(self, language: Language, at: datetime | None = None) -> str:
        """When a human will be back, in the person's words (``lundi à 9 h``)."""
        now = at or self._clock.now()
        opening = self.next_opening(now)
        if opening is None:
            return self._t.text("time.soon", language)
        local, today = opening.astimezone(self.zone), now.astimezone(self.zone).date()
        values = {"time": clock_text(local, language)}
        days = (local.date() - today).days
        if days <= 0:
            return self._t.text("time.today_at", language, **values)
        if days == 1:
            return self._t.text("time.tomorrow_at", language, **values)
        weekday = self._t.text(f"time.weekday.{WEEKDAYS[local.weekday()]}", language)
        if days < 7:
            return self._t.text("time.weekday_at", language, weekday=weekday, **values)
        month = self._t.text(f"time.month.{local.month}", language)
        return self._t.text(
            "time.date_at", language, weekday=weekday, day=local.day, month=month, **values
        )
