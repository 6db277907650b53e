"""Opening hours: open now, closes at, opens at, holidays, closures, OSM strings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.domain import Jurisdiction
from resources_db.hours import (
    ClosedSpan,
    HolidayCalendar,
    HolidayRule,
    Hours,
    HoursError,
    Slot,
    decode,
    encode,
    holiday_rule_of_osm,
    is_open,
    osm_of,
    parse_osm,
    slot_from_hsds,
    slots_from_osm,
    status,
)

MONTREAL = ZoneInfo("America/Montreal")
PARIS = ZoneInfo("Europe/Paris")
QC = HolidayCalendar(Jurisdiction.QC)
FR = HolidayCalendar(Jurisdiction.FR)
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))

OFFICE = Hours(slots=(Slot(WEEKDAYS, time(9), time(17)),), holidays=HolidayRule.CLOSED)
NIGHT_SHELTER = Hours(slots=(Slot(EVERY_DAY, time(19), time(7)),), holidays=HolidayRule.OPEN)


def at(text: str, zone: ZoneInfo = MONTREAL) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def test_open_during_office_hours_says_when_it_closes() -> None:
    state = status(OFFICE, at("2026-11-17T10:00"), MONTREAL, QC)  # a Tuesday
    assert state.open_now is True
    assert state.next_change == at("2026-11-17T17:00")


def test_closed_in_the_evening_says_it_opens_tomorrow_morning() -> None:
    state = status(OFFICE, at("2026-11-17T18:30"), MONTREAL, QC)
    assert state.open_now is False
    assert state.next_change == at("2026-11-18T09:00")


def test_closed_on_friday_evening_opens_on_monday() -> None:
    state = status(OFFICE, at("2026-11-20T18:00"), MONTREAL, QC)
    assert state.next_change == at("2026-11-23T09:00")


def test_quebec_fete_nationale_closes_a_service_closed_on_holidays() -> None:
    # 24 June 2026 is a Wednesday; opening-hours-py alone does not know this holiday.
    state = status(OFFICE, at("2026-06-24T10:00"), MONTREAL, QC)
    assert state.open_now is False
    assert state.next_change == at("2026-06-25T09:00")


def test_24_june_is_an_ordinary_day_in_france() -> None:
    assert status(OFFICE, at("2026-06-24T10:00", PARIS), PARIS, FR).open_now is True
    assert status(OFFICE, at("2026-07-14T10:00", PARIS), PARIS, FR).open_now is False


def test_a_service_open_on_holidays_stays_open_on_them() -> None:
    open_on_holidays = Hours(slots=OFFICE.slots, holidays=HolidayRule.OPEN)
    assert status(open_on_holidays, at("2026-06-24T10:00"), MONTREAL, QC).open_now is True


def test_a_night_shelter_is_open_until_tomorrow_morning() -> None:
    state = status(NIGHT_SHELTER, at("2026-11-17T23:00"), MONTREAL, QC)
    assert state.open_now is True
    assert state.next_change == at("2026-11-18T07:00")


def test_a_night_shelter_at_noon_opens_this_evening() -> None:
    state = status(NIGHT_SHELTER, at("2026-11-17T12:00"), MONTREAL, QC)
    assert state.open_now is False
    assert state.next_change == at("2026-11-17T19:00")


def test_the_night_the_clocks_go_forward_still_closes_at_seven_local() -> None:
    # 8 March 2026, 02:00 becomes 03:00 in Montréal: the night is an hour shorter.
    state = status(NIGHT_SHELTER, at("2026-03-08T01:00"), MONTREAL, QC)
    assert state.open_now is True
    assert state.next_change == at("2026-03-08T07:00")
    elapsed = state.next_change.astimezone(UTC) - at("2026-03-08T01:00").astimezone(UTC)
    assert elapsed == timedelta(hours=5)


@pytest.mark.parametrize(
    "hours",
    [
        Hours(always_open=True),
        Hours(slots=(Slot(EVERY_DAY, time(0), time(23, 59)),)),
        Hours(osm="24/7"),
    ],
    ids=["flag", "hsds-00:00-23:59", "osm"],
)
def test_round_the_clock_services_are_always_open(hours: Hours) -> None:
    state = status(hours, at("2026-11-17T03:00"), MONTREAL, QC)
    assert state.open_now is True
    assert state.always_open is True
    assert state.next_change is None


def test_a_temporary_closure_closes_and_says_when_it_reopens() -> None:
    closed = Hours(
        slots=OFFICE.slots, closures=(ClosedSpan(date(2026, 11, 16), date(2026, 11, 30)),)
    )
    state = status(closed, at("2026-11-18T10:00"), MONTREAL, QC)
    assert state.open_now is False
    assert state.temporarily_closed is True
    assert state.closed_until == date(2026, 11, 30)
    assert state.next_change == at("2026-12-01T09:00")


def test_a_closure_until_further_notice_has_no_reopening() -> None:
    closed = Hours(always_open=True, closures=(ClosedSpan(date(2026, 11, 1)),))
    state = status(closed, at("2026-11-18T10:00"), MONTREAL, QC)
    assert (state.open_now, state.next_change, state.temporarily_closed) == (False, None, True)


def test_a_closure_cuts_the_night_that_runs_into_it() -> None:
    closed = Hours(slots=NIGHT_SHELTER.slots, closures=(ClosedSpan(date(2026, 11, 18)),))
    state = status(closed, at("2026-11-17T22:00"), MONTREAL, QC)
    assert state.open_now is True
    assert state.next_change == at("2026-11-18T00:00")


def test_unknown_hours_are_neither_open_nor_closed() -> None:
    state = status(Hours(), at("2026-11-17T10:00"), MONTREAL, QC)
    assert state.open_now is None
    assert is_open(Hours(), at("2026-11-17T10:00"), MONTREAL, QC) is None


def test_osm_hours_with_a_lunch_break() -> None:
    hours = Hours(osm=parse_osm("Mo-Fr 09:00-12:00,13:30-17:00"))
    state = status(hours, at("2026-11-17T12:15"), MONTREAL, QC)
    assert state.open_now is False
    assert state.next_change == at("2026-11-17T13:30")


def test_osm_ph_off_becomes_our_holiday_rule_and_knows_quebec_holidays() -> None:
    text = "Mo-Fr 09:00-17:00; PH off"
    hours = Hours(osm=parse_osm(text), holidays=holiday_rule_of_osm(text))
    assert hours.holidays is HolidayRule.CLOSED
    assert is_open(hours, at("2026-06-24T10:00"), MONTREAL, QC) is False
    assert is_open(hours, at("2026-06-23T10:00"), MONTREAL, QC) is True


@pytest.mark.parametrize("text", ["Mo-Fr 25:00-26:00", "tous les jours", "Mo-Fr 09:00-"])
def test_unreadable_osm_hours_are_refused(text: str) -> None:
    with pytest.raises(HoursError, match="OSM"):
        parse_osm(text)


def test_first_saturday_of_the_month_from_an_hsds_monthly_rule() -> None:
    slot = slot_from_hsds(freq="MONTHLY", byday="1SA", opens_at=time(10), closes_at=time(14))
    assert slot is not None
    hours = Hours(slots=(slot,))
    assert status(hours, at("2026-11-07T11:00"), MONTREAL, QC).open_now is True
    state = status(hours, at("2026-11-14T11:00"), MONTREAL, QC)
    assert state.open_now is False
    assert state.next_change == at("2026-12-05T10:00")


@pytest.mark.parametrize(("freq", "byday"), [("WEEKLY", "XX"), ("WEEKLY", "1SA"), ("DAILY", "MO")])
def test_hsds_rules_we_cannot_read_are_refused(freq: str, byday: str) -> None:
    with pytest.raises(HoursError):
        slot_from_hsds(freq=freq, byday=byday, opens_at=time(9), closes_at=time(17))


CASES = [
    OFFICE,
    NIGHT_SHELTER,
    Hours(osm="Mo-Fr 09:00-12:00,13:30-17:00; Sa 10:00-12:00; PH off", holidays=HolidayRule.CLOSED),
    Hours(slots=(Slot(frozenset({5}), time(22), time(0)), Slot(frozenset({6}), time(0), time(2)))),
    Hours(
        slots=(Slot(EVERY_DAY, time(8), time(20)),),
        closures=(ClosedSpan(date(2026, 6, 20), date(2026, 6, 22)),),
    ),
]


@pytest.mark.parametrize("hours", CASES, ids=["office", "night", "osm", "past-midnight", "closure"])
def test_the_quick_open_check_agrees_with_the_full_answer(hours: Hours) -> None:
    moment = at("2026-06-15T00:07")
    while moment < at("2026-07-06T00:00"):
        assert is_open(hours, moment, MONTREAL, QC) == status(hours, moment, MONTREAL, QC).open_now
        moment += timedelta(minutes=41)


@pytest.mark.parametrize("hours", CASES, ids=["office", "night", "osm", "past-midnight", "closure"])
def test_the_compact_form_keeps_everything(hours: Hours) -> None:
    assert decode(encode(hours)) == hours


def test_osm_hours_turned_into_weekly_slots_open_at_the_same_times() -> None:
    text = "Mo-Fr 09:00-12:00,13:30-17:00; Sa 22:00-02:00"
    from_slots = Hours(slots=slots_from_osm(text))
    from_osm = Hours(osm=text)
    moment = at("2026-11-16T00:10")
    while moment < at("2026-11-23T06:00"):
        assert is_open(from_slots, moment, MONTREAL, QC) == is_open(from_osm, moment, MONTREAL, QC)
        moment += timedelta(minutes=20)
    rewritten = osm_of(from_slots)
    assert rewritten is not None
    assert is_open(Hours(osm=parse_osm(rewritten)), at("2026-11-21T23:00"), MONTREAL, QC)
