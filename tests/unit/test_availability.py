"""When humans are there: team hours, closed days, the next opening, and how it is said."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.scheduler import DIGEST_JOB, OpeningDigest, Scheduler
from bot.team_calendar import TeamClosedDays
from flows.availability import TeamAvailability, TeamHours, clock_text, normalise_schedule
from flows.catalogue import Catalogue
from flows.domain import Jurisdiction, Language
from tests.fakes.core import FakeClock

MTL = ZoneInfo("America/Montreal")
PARIS = ZoneInfo("Europe/Paris")


def at(*parts: int, zone: ZoneInfo = MTL) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


WEEKDAYS = TeamHours("mo-fr 09:00-21:00", MTL)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(2026, 11, 17, 14, 0), True),  # Tuesday afternoon
        (at(2026, 11, 17, 9, 0), True),  # opening minute
        (at(2026, 11, 17, 21, 0), False),  # closing minute
        (at(2026, 11, 17, 8, 59), False),
        (at(2026, 11, 21, 12, 0), False),  # Saturday
    ],
)
def test_weekly_hours(moment: datetime, is_open: bool) -> None:
    assert WEEKDAYS.is_open(moment) is is_open


def test_the_next_opening_skips_the_weekend() -> None:
    assert WEEKDAYS.next_opening(at(2026, 11, 20, 22, 0)) == at(2026, 11, 23, 9, 0)
    assert WEEKDAYS.next_opening(at(2026, 11, 17, 14, 0)) == at(2026, 11, 17, 14, 0), "open now"


def test_instants_in_another_zone_are_read_in_the_teams_zone() -> None:
    utc = datetime(2026, 11, 17, 13, 30, tzinfo=ZoneInfo("UTC"))  # 8:30 in Montréal
    assert not WEEKDAYS.is_open(utc)
    assert WEEKDAYS.next_opening(utc) == at(2026, 11, 17, 9, 0)


def test_quebec_public_holidays_close_the_team() -> None:
    hours = TeamHours("Mo-Fr 09:00-21:00", MTL, TeamClosedDays(Jurisdiction.QC))
    fete_nationale = at(2026, 6, 24, 14, 0)  # a Wednesday
    assert not hours.is_open(fete_nationale)
    assert hours.next_opening(fete_nationale) == at(2026, 6, 25, 9, 0)
    christmas_eve = at(2026, 12, 24, 22, 0)
    assert hours.next_opening(christmas_eve) == at(2026, 12, 28, 9, 0), "25th then a weekend"


def test_french_public_holidays_and_the_teams_own_closed_days() -> None:
    closed = TeamClosedDays(Jurisdiction.FR, extra=frozenset({date(2026, 7, 15)}))
    hours = TeamHours("Mo-Sa 10:00-18:00", PARIS, closed)
    assert not hours.is_open(at(2026, 7, 14, 12, 0, zone=PARIS))  # fête nationale
    assert hours.next_opening(at(2026, 7, 14, 12, 0, zone=PARIS)) == at(
        2026, 7, 16, 10, 0, zone=PARIS
    )


def test_public_holidays_can_be_ignored() -> None:
    hours = TeamHours(
        "Mo-Fr 09:00-21:00", MTL, TeamClosedDays(Jurisdiction.QC, public_holidays=False)
    )
    assert hours.is_open(at(2026, 6, 24, 14, 0))


def test_overnight_hours_and_a_daylight_saving_change() -> None:
    nights = TeamHours("Fr-Sa 22:00-04:00", MTL)
    assert nights.is_open(at(2026, 11, 21, 2, 0))  # Saturday 2 am, from Friday night
    # Montréal falls back on 2026-11-01 (a Sunday); hours stay on the wall clock.
    assert WEEKDAYS.next_opening(at(2026, 10, 31, 12, 0)) == at(2026, 11, 2, 9, 0)


def test_the_opening_digest_time_is_the_start_of_the_next_period() -> None:
    assert WEEKDAYS.next_opening_after(at(2026, 11, 17, 14, 0)) == at(2026, 11, 18, 9, 0)
    assert WEEKDAYS.next_opening_after(at(2026, 11, 17, 9, 0)) == at(2026, 11, 18, 9, 0)
    assert WEEKDAYS.next_opening_after(at(2026, 11, 20, 23, 0)) == at(2026, 11, 23, 9, 0)
    always = TeamHours("24/7", MTL)
    assert always.is_open(at(2026, 11, 21, 3, 0))
    assert always.next_opening_after(at(2026, 11, 21, 3, 0)) is None, "never opens: no digest"


@pytest.mark.parametrize("bad", ["", "lundi 9-5", "Mo-Fr 9h-21h"])
def test_team_hours_that_do_not_parse_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="team hours"):
        normalise_schedule(bad)


def test_weekday_names_are_accepted_in_lower_case() -> None:
    assert normalise_schedule("mo-fr 09:00-21:00; sa 10:00-14:00") == (
        "Mo-Fr 09:00-21:00; Sa 10:00-14:00"
    )


@pytest.mark.parametrize(
    ("hour", "minute", "language", "expected"),
    [
        (9, 0, Language.FR, "9 h"),
        (21, 30, Language.FR, "21 h 30"),
        (9, 0, Language.EN, "9 am"),
        (12, 0, Language.EN, "12 pm"),
        (21, 30, Language.EN, "9:30 pm"),
        (0, 15, Language.EN, "12:15 am"),
    ],
)
def test_clock_times_read_naturally(
    hour: int, minute: int, language: Language, expected: str
) -> None:
    assert clock_text(at(2026, 11, 17, hour, minute), language) == expected


@pytest.mark.parametrize(
    ("now", "language", "expected"),
    [
        (at(2026, 11, 17, 7, 0), Language.FR, "aujourd’hui à 9 h"),
        (at(2026, 11, 17, 23, 0), Language.FR, "demain à 9 h"),
        (at(2026, 11, 20, 23, 0), Language.FR, "lundi à 9 h"),
        (at(2026, 11, 20, 23, 0), Language.EN, "on Monday at 9 am"),
        (at(2026, 12, 24, 22, 0), Language.FR, "lundi à 9 h"),
    ],
)
def test_when_a_human_is_back_in_the_persons_words(
    now: datetime, language: Language, expected: str
) -> None:
    rules = TeamAvailability(
        catalogue=Catalogue.load(),
        clock=FakeClock(now),
        hours=TeamHours("Mo-Fr 09:00-21:00", MTL, TeamClosedDays(Jurisdiction.QC)),
        zone=MTL,
    )
    assert rules.back_when(language) == expected


def test_a_long_closure_gives_the_date() -> None:
    closed = TeamClosedDays(
        Jurisdiction.QC,
        extra=frozenset(date(2026, 12, d) for d in range(21, 32)),
    )
    rules = TeamAvailability(
        catalogue=Catalogue.load(),
        clock=FakeClock(at(2026, 12, 19, 10, 0)),
        hours=TeamHours("Mo-Fr 09:00-21:00", MTL, closed),
        zone=MTL,
    )
    assert rules.back_when(Language.FR) == "le lundi 4 janvier à 9 h"
    assert rules.back_when(Language.EN) == "on Monday, January 4 at 9 am"


async def test_the_opening_digest_is_scheduled_at_the_next_opening_by_our_clock() -> None:
    clock = FakeClock(at(2026, 11, 20, 23, 0))  # Friday night
    system = at(2030, 1, 1, 0, 0)  # the machine's clock may be anywhere
    fired: list[str] = []

    async def send_digest(opening: datetime) -> None:
        fired.append(opening.isoformat())

    scheduler = Scheduler("America/Montreal")
    digest = OpeningDigest(scheduler, WEEKDAYS, clock, send_digest, system_now=lambda: system)
    await scheduler.start()
    try:
        opening = digest.arm()
        assert opening == at(2026, 11, 23, 9, 0)
        assert scheduler.next_run(DIGEST_JOB) == system + (opening - clock.now())
        assert fired == []
    finally:
        await scheduler.stop()
        await scheduler.stop()  # idempotent


async def test_no_digest_for_a_team_that_is_always_there() -> None:
    scheduler = Scheduler("America/Montreal")
    digest = OpeningDigest(
        scheduler, TeamHours("24/7", MTL), FakeClock(at(2026, 11, 20, 23, 0)), _never
    )
    assert digest.arm() is None
    assert scheduler.next_run(DIGEST_JOB) is None


async def _never(_opening: datetime) -> None:
    raise AssertionError("no digest expected")
