"""Opening hours: open now, closes at, opens at, in the deployment's time zone.

The canonical form is structured weekly slots (HSDS ``schedule`` rows: ``WEEKLY`` with
``byday``, or ``MONTHLY`` with an ordinal like ``1SA``), plus a 24/7 flag, a public-holiday
rule and temporary closures. A service whose hours came as an OSM ``opening_hours`` string
keeps that string and is evaluated with opening-hours-py.

Public holidays always come from the ``holidays`` package (``Canada(subdiv="QC")``,
``France()``), never from opening-hours-py: the latter only knows national holidays and so
misses 24 June and Journée nationale des patriotes in Québec. OSM strings are therefore
evaluated without a country, and their ``PH off`` rule becomes our holiday rule.

Everything is computed as a timeline of open intervals, day by day, in UTC: slots that
start on a day, minus that day when it is a holiday and the service closes on holidays,
minus temporary closures, with touching intervals merged (so ``Mo-Su 00:00-24:00`` is
24/7, and a shelter open 19:00–07:00 "closes at 7 h" rather than at midnight).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import opening_hours

from flows.domain import Jurisdiction

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
OSM_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
SHORT_HORIZON_DAYS = 8
LONG_HORIZON_DAYS = 62
_ORDINAL_DAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_PH_OFF = re.compile(r"\bPH\s+(off|closed)\b", re.IGNORECASE)
_PH_OPEN = re.compile(r"\bPH\b(?!\s+(off|closed))", re.IGNORECASE)
# A Monday-to-Sunday week with no public holiday in Québec or France, used to turn an OSM
# string into weekly slots for export.
_REFERENCE_MONDAY = date(2030, 1, 14)
_FOREVER = datetime.max.replace(tzinfo=UTC)
# opening-hours-py raises ParserError (its stub only declares SyntaxError).
_OSM_ERROR: type[Exception] = getattr(opening_hours, "ParserError", SyntaxError)


class HoursError(ValueError):
    """Hours that cannot be understood (bad OSM syntax, bad HSDS rule)."""


class HolidayRule(StrEnum):
    """What a service does on public holidays."""

    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Slot:
    """One recurring opening: ``weekdays`` (0 = Monday) from ``opens`` to ``closes``.

    ``closes`` at or before ``opens`` means the slot runs past midnight. ``ordinals`` limits
    the slot to the n-th weekday of the month (1…5, -1 for the last), HSDS ``MONTHLY``.
    """

    weekdays: frozenset[int]
    opens: time
    closes: time
    valid_from: date | None = None
    valid_to: date | None = None
    ordinals: frozenset[int] = frozenset()

    def applies_on(self, day: date) -> bool:
        """True when this slot opens on ``day``."""
        if day.weekday() not in self.weekdays:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        if self.valid_to is not None and day > self.valid_to:
            return False
        if self.ordinals:
            nth = (day.day - 1) // 7 + 1
            last = (day + timedelta(days=7)).month != day.month
            return nth in self.ordinals or (last and -1 in self.ordinals)
        return True


@dataclass(frozen=True, slots=True)
class ClosedSpan:
    """A temporary closure, whole days from ``starts_on`` to ``ends_on`` (None: open-ended)."""

    starts_on: date
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class Hours:
    """Everything known about when a service is open."""

    slots: tuple[Slot, ...] = ()
    always_open: bool = False
    osm: str | None = None
    holidays: HolidayRule = HolidayRule.UNKNOWN
    closures: tuple[ClosedSpan, ...] = ()

    @property
    def known(self) -> bool:
        """True when there is anything to evaluate."""
        return self.always_open or bool(self.slots) or bool(self.osm)


@dataclass(frozen=True, slots=True)
class HoursStatus:
    """The answer for one instant.

    ``open_now`` is None when the hours are unknown. ``next_change`` is when the state flips
    (closes at / opens at), in the deployment's time zone, or None if not within two months
    (or never: 24/7). ``closed_until`` is the last day of an active temporary closure.
    """

    open_now: bool | None
    next_change: datetime | None
    always_open: bool = False
    temporarily_closed: bool = False
    closed_until: date | None = None


@dataclass
class HolidayCalendar:
    """Public holidays of one jurisdiction (Québec includes 24 June and the Patriotes)."""

    jurisdiction: Jurisdiction
    _years: dict[int, frozenset[date]] = field(default_factory=dict)

    def is_holiday(self, day: date) -> bool:
        """True when ``day`` is a public holiday here."""
        year = self._years.get(day.year)
        if year is None:
            year = _holidays_of(self.jurisdiction, day.year)
            self._years[day.year] = year
        return day in year


@lru_cache(maxsize=64)
def _holidays_of(jurisdiction: Jurisdiction, year: int) -> frozenset[date]:
    if jurisdiction is Jurisdiction.QC:
        calendar = holidays_lib.country_holidays("CA", subdiv="QC", years=year)
    else:
        calendar = holidays_lib.country_holidays("FR", years=year)
    return frozenset(calendar.keys())


# --- evaluation ----------------------------------------------------------------------------


def is_open(hours: Hours, at: datetime, tz: ZoneInfo, calendar: HolidayCalendar) -> bool | None:
    """Open at ``at``? The cheap question, for filtering many services (None: unknown).

    Only a slot starting today, or yesterday and running past midnight, can cover ``at``;
    comparing wall-clock minutes is enough (``status`` works in instants, which only differs
    within the hour a clock change skips or repeats).
    """
    if at.tzinfo is None:
        raise ValueError("is_open() needs an aware datetime")
    local = at.astimezone(tz)
    today = local.date()
    if _active_closure(hours.closures, today) is not None:
        return False
    if hours.always_open:
        return True
    if not hours.known:
        return None
    closed_on_holidays = hours.holidays is HolidayRule.CLOSED
    if hours.osm:
        if closed_on_holidays and calendar.is_holiday(today):
            return False
        return bool(_compiled_osm(hours.osm).is_open(local.replace(tzinfo=None)))
    now = local.hour * 60 + local.minute + local.second / 60
    yesterday = today - timedelta(days=1)
    today_off = closed_on_holidays and calendar.is_holiday(today)
    yesterday_off = closed_on_holidays and calendar.is_holiday(yesterday)
    for slot in hours.slots:
        opens, ends = _minutes(slot)
        if not today_off and opens <= now < ends and slot.applies_on(today):
            return True
        if ends > _DAY and not yesterday_off and now < ends - _DAY and slot.applies_on(yesterday):
            return True
    return False


_DAY = 24 * 60


def _minutes(slot: Slot) -> tuple[int, int]:
    """A slot as minutes from the start of its day; the end may pass midnight (> 1440)."""
    opens = slot.opens.hour * 60 + slot.opens.minute
    closes = slot.closes.hour * 60 + slot.closes.minute
    if slot.closes >= time(23, 59):
        return opens, _DAY
    if closes <= opens:
        return opens, _DAY + closes
    return opens, closes


def status(hours: Hours, at: datetime, tz: ZoneInfo, calendar: HolidayCalendar) -> HoursStatus:
    """Open or closed at ``at`` (aware), and when that changes."""
    if at.tzinfo is None:
        raise ValueError("status() needs an aware datetime")
    today = at.astimezone(tz).date()
    closure = _active_closure(hours.closures, today)
    closed_until = closure.ends_on if closure else None
    if hours.always_open and not hours.closures:
        return HoursStatus(open_now=True, next_change=None, always_open=True)
    if not hours.known:
        if closure is not None:
            return HoursStatus(False, None, temporarily_closed=True, closed_until=closed_until)
        return HoursStatus(open_now=None, next_change=None)
    long_look = bool(hours.closures) or any(s.ordinals or s.valid_from for s in hours.slots)
    horizon = LONG_HORIZON_DAYS if long_look else SHORT_HORIZON_DAYS
    moment = at.astimezone(UTC)
    first = today - timedelta(days=1)
    horizon_end = _local(first + timedelta(days=horizon + 1), time(0), tz)
    timeline = _merged(_open_intervals(hours, first, horizon + 1, tz, calendar))
    for start, end in timeline:
        if end <= moment:
            continue
        if start <= moment:
            # Open to the end of what we looked at: open around the clock.
            change = None if end >= horizon_end else end.astimezone(tz)
            return HoursStatus(True, change, always_open=change is None)
        return HoursStatus(
            False,
            start.astimezone(tz),
            temporarily_closed=closure is not None,
            closed_until=closed_until,
        )
    return HoursStatus(
        False, None, temporarily_closed=closure is not None, closed_until=closed_until
    )


def _active_closure(closures: Iterable[ClosedSpan], day: date) -> ClosedSpan | None:
    for span in closures:
        if span.starts_on <= day and (span.ends_on is None or day <= span.ends_on):
            return span
    return None


def _open_intervals(
    hours: Hours, first: date, days: int, tz: ZoneInfo, calendar: HolidayCalendar
) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC) starting on each day from ``first``, in order, minus closures."""
    osm = _compiled_osm(hours.osm) if hours.osm else None
    for offset in range(days):
        day = first + timedelta(days=offset)
        if _active_closure(hours.closures, day) is not None:
            continue
        day_start = _local(day, time(0), tz)
        day_end = _local(day + timedelta(days=1), time(0), tz)
        pieces: list[tuple[datetime, datetime]] = []
        if hours.always_open:
            pieces.append((day_start, day_end))
        elif osm is not None:
            pieces.extend(_osm_day(osm, day, tz))
        else:
            holiday_closed = hours.holidays is HolidayRule.CLOSED and calendar.is_holiday(day)
            if not holiday_closed:
                pieces.extend(
                    _slot_day(slot, day, tz) for slot in hours.slots if slot.applies_on(day)
                )
        if osm is not None and hours.holidays is HolidayRule.CLOSED and calendar.is_holiday(day):
            pieces = []
        for start, end in sorted(pieces):
            yield from _minus_closures(start, end, hours.closures, tz)


def _slot_day(slot: Slot, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = _local(day, slot.opens, tz)
    closes = slot.closes
    if closes >= time(23, 59):  # HSDS writes "all day" as 00:00–23:59
        end = _local(day + timedelta(days=1), time(0), tz)
    elif closes <= slot.opens:
        end = _local(day + timedelta(days=1), closes, tz)
    else:
        end = _local(day, closes, tz)
    return start, end


def _osm_day(
    expression: opening_hours.OpeningHours, day: date, tz: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    start = datetime.combine(day, time(0))
    end = start + timedelta(days=1)
    for begin, finish, state, _comment in expression.intervals(start, end):
        if state == opening_hours.State.OPEN and finish is not None:
            yield _local(begin.date(), begin.time(), tz), _local(finish.date(), finish.time(), tz)


def _minus_closures(
    start: datetime, end: datetime, closures: tuple[ClosedSpan, ...], tz: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    """``[start, end)`` with closed days cut out (an overnight slot into a closed day)."""
    pieces = [(start, end)]
    for span in closures:
        cut_start = _local(span.starts_on, time(0), tz)
        cut_end = (
            _FOREVER
            if span.ends_on is None
            else _local(span.ends_on + timedelta(days=1), time(0), tz)
        )
        kept: list[tuple[datetime, datetime]] = []
        for a, b in pieces:
            if b <= cut_start or a >= cut_end:
                kept.append((a, b))
                continue
            if a < cut_start:
                kept.append((a, cut_start))
            if b > cut_end:
                kept.append((cut_end, b))
        pieces = kept
    yield from pieces


def _merged(intervals: Iterable[tuple[datetime, datetime]]) -> Iterator[tuple[datetime, datetime]]:
    """Merge touching or overlapping intervals of an almost-sorted stream.

    Each day's pieces come sorted and start no earlier than the previous day's first piece;
    an overnight slot may overlap the next day's pieces, which merging absorbs.
    """
    current: tuple[datetime, datetime] | None = None
    for start, end in intervals:
        if current is None:
            current = (start, end)
        elif start <= current[1]:
            current = (current[0], max(current[1], end))
        else:
            yield current
            current = (start, end)
    if current is not None:
        yield current


def _local(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time as UTC (a time skipped by DST resolves like zoneinfo does)."""
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


# --- OSM opening_hours ---------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _compiled_osm(expression: str) -> opening_hours.OpeningHours:
    return opening_hours.OpeningHours(expression)


def parse_osm(expression: str) -> str:
    """Validate an OSM ``opening_hours`` string; return it stripped, or raise ``HoursError``."""
    text = expression.strip()
    try:
        _compiled_osm(text)
    except (_OSM_ERROR, SyntaxError, ValueError) as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else "syntax error"
        raise HoursError(f"not an OSM opening_hours expression ({first_line})") from err
    return text


def holiday_rule_of_osm(expression: str) -> HolidayRule:
    """The public-holiday rule an OSM string states (``PH off`` → closed), if any."""
    if _PH_OFF.search(expression):
        return HolidayRule.CLOSED
    if _PH_OPEN.search(expression):
        return HolidayRule.OPEN
    return HolidayRule.UNKNOWN


def is_osm_always_open(expression: str) -> bool:
    """True for ``24/7`` (and what normalises to it)."""
    try:
        return str(_compiled_osm(expression).normalize()).strip() == "24/7"
    except (_OSM_ERROR, SyntaxError, ValueError):
        return False


def slots_from_osm(expression: str) -> tuple[Slot, ...]:
    """Weekly slots equivalent to an OSM string on an ordinary week (for HSDS export).

    A span across midnight becomes two slots (``19:00-24:00`` and ``00:00-07:00``); the
    evaluation merges them back, so nothing is lost.
    """
    compiled = _compiled_osm(expression)
    by_span: dict[tuple[time, time], set[int]] = {}
    for offset in range(7):
        start = datetime.combine(_REFERENCE_MONDAY + timedelta(days=offset), time(0))
        for begin, finish, state, _ in compiled.intervals(start, start + timedelta(days=1)):
            if state != opening_hours.State.OPEN or finish is None:
                continue
            by_span.setdefault((begin.time(), finish.time()), set()).add(offset)
    return tuple(
        Slot(frozenset(days), opens, closes) for (opens, closes), days in sorted(by_span.items())
    )


# --- HSDS schedule rows ------------------------------------------------------------------


@lru_cache(maxsize=4096)
def slot_from_hsds(
    *,
    freq: str | None,
    byday: str | None,
    opens_at: time | None,
    closes_at: time | None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Slot | None:
    """A slot from one HSDS ``schedule`` row, or None when the row has no usable times.

    Raises ``HoursError`` for a ``byday`` it cannot read.
    """
    if opens_at is None or closes_at is None:
        return None
    kind = (freq or "WEEKLY").upper()
    if kind not in ("WEEKLY", "MONTHLY"):
        raise HoursError(f"freq {freq!r} is not supported (WEEKLY or MONTHLY)")
    days: set[int] = set()
    ordinals: set[int] = set()
    parts = [p.strip().upper() for p in (byday or ",".join(WEEKDAYS)).split(",") if p.strip()]
    for part in parts:
        match = _ORDINAL_DAY.match(part)
        if match is None:
            raise HoursError(f"byday {byday!r} is not a list like MO,TU or 1SA")
        if match.group(1):
            if kind != "MONTHLY":
                raise HoursError(f"byday {part!r} has an ordinal, which needs freq MONTHLY")
            ordinals.add(int(match.group(1)))
        days.add(WEEKDAYS.index(match.group(2)))
    return Slot(
        frozenset(days),
        opens_at.replace(tzinfo=None),
        closes_at.replace(tzinfo=None),
        valid_from,
        valid_to,
        frozenset(ordinals),
    )


def byday_of(slot: Slot) -> str:
    """The HSDS ``byday`` value of a slot (``MO,TU`` or ``1SA``)."""
    days = [WEEKDAYS[d] for d in sorted(slot.weekdays)]
    if not slot.ordinals:
        return ",".join(days)
    return ",".join(f"{n}{d}" for n in sorted(slot.ordinals) for d in days)


def osm_of(hours: Hours) -> str | None:
    """An OSM ``opening_hours`` string for weekly hours (monthly slots are left out)."""
    if hours.osm:
        return hours.osm
    if hours.always_open:
        return "24/7"
    rules: list[str] = []  # joined with "," (OSM's additional rule): ";" would override
    for slot in hours.slots:
        if slot.ordinals or slot.valid_from or slot.valid_to:
            continue
        days = ",".join(OSM_WEEKDAYS[d] for d in sorted(slot.weekdays))
        closes = (
            "24:00" if slot.closes in (time(0), time(23, 59)) else slot.closes.strftime("%H:%M")
        )
        rules.append(f"{days} {slot.opens.strftime('%H:%M')}-{closes}")
    if not rules:
        return None
    text = ", ".join(rules)
    if hours.holidays is HolidayRule.CLOSED:
        text += "; PH off"
    return text


# --- compact form, stored beside each search row ---------------------------------------------


def encode(hours: Hours) -> str:
    """A compact JSON form of ``hours`` (for the derived ``search_point.hours`` column)."""
    data: dict[str, object] = {}
    if hours.always_open:
        data["a"] = 1
    if hours.osm:
        data["o"] = hours.osm
    if hours.slots:
        data["s"] = [
            [
                sorted(slot.weekdays),
                slot.opens.strftime("%H:%M"),
                slot.closes.strftime("%H:%M"),
                slot.valid_from.isoformat() if slot.valid_from else None,
                slot.valid_to.isoformat() if slot.valid_to else None,
                sorted(slot.ordinals),
            ]
            for slot in hours.slots
        ]
    if hours.holidays is not HolidayRule.UNKNOWN:
        data["h"] = hours.holidays.value
    if hours.closures:
        data["c"] = [
            [span.starts_on.isoformat(), span.ends_on.isoformat() if span.ends_on else None]
            for span in hours.closures
        ]
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


@lru_cache(maxsize=8192)
def decode(text: str | None) -> Hours:
    """The ``Hours`` of ``encode``'s output (cached: many services share their hours)."""
    if not text:
        return Hours()
    data = json.loads(text)
    return Hours(
        slots=tuple(
            Slot(
                frozenset(days),
                time.fromisoformat(opens),
                time.fromisoformat(closes),
                date.fromisoformat(valid_from) if valid_from else None,
                date.fromisoformat(valid_to) if valid_to else None,
                frozenset(ordinals),
            )
            for days, opens, closes, valid_from, valid_to, ordinals in data.get("s", ())
        ),
        always_open=bool(data.get("a")),
        osm=data.get("o"),
        holidays=HolidayRule(data.get("h", "unknown")),
        closures=tuple(
            ClosedSpan(date.fromisoformat(start), date.fromisoformat(end) if end else None)
            for start, end in data.get("c", ())
        ),
    )
