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
