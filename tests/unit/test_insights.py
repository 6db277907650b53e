"""Anonymous insight events: what a conversation leaves behind for the needs & gaps report.

A conversation is played through the real engine and service; what the in-memory store
keeps is what the report will count — and nothing in it leads back to the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.outreach.tables import Cube, Figure
from flows.directory import Place, ResourceCard, SearchPage, SearchQuery
from flows.domain import Language, Theme
from flows.engine import Engine
from flows.events import ButtonPressed, CommandReceived, Inbound, LocationShared, PersonEvent
from flows.insights import (
    Insight,
    InsightEffects,
    InsightKind,
    Reach,
    TimeBucket,
    arrival_noted,
    search_noted,
)
from flows.reading import TextReader
from flows.service import ConversationService
from tests.fakes.core import FakeClock, FakeDirectory, MemoryWorld

MONTREAL = ZoneInfo("America/Montreal")
P = "b" * 64


@dataclass
class FakeAreas:
    """Names the area of any point near Sherbrooke; records what it was asked."""

    asked: list[Place] = field(default_factory=list)

    async def area_near(self, place: Place) -> str | None:
        self.asked.append(place)
        return "Jacques-Cartier" if abs(place.latitude - 45.4) < 0.1 else None


def card(name: str, *, open_now: bool | None) -> ResourceCard:
    return ResourceCard(
        service_id=name,
        name=name,
        organization="Org",
        themes=(Theme.FOOD,),
        distance_m=800,
        open_now=open_now,
        next_change=None,
        always_open=False,
        address=None,
        latitude=45.4,
        longitude=-71.9,
        phone=None,
        conditions=None,
        what_to_bring=None,
        free=True,
        walk_in=True,
        verified_on=None,
    )


def page(*cards: ResourceCard, total: int | None = None, widened: bool = False) -> SearchPage:
    return SearchPage(
        cards=cards,
        total=len(cards) if total is None else total,
        radius_m=5_000,
        widened=widened,
    )


QUERY = SearchQuery(
    theme=Theme.FOOD,
    place=Place(45.401, -71.892),
    at=datetime(2026, 11, 17, 14, tzinfo=MONTREAL),
)


@pytest.fixture
def areas() -> FakeAreas:
    return FakeAreas()


@pytest.fixture
def noting_service(
    engine: Engine,
    reader: TextReader,
    world: MemoryWorld,
    clock: FakeClock,
    areas: FakeAreas,
    directory: FakeDirectory,
) -> ConversationService:
    effects = InsightEffects(clock=clock, zone=MONTREAL, areas=areas, directory=directory)
    return ConversationService(
        engine=engine,
        reader=reader,
        uow_factory=world,
        effect_handlers=(effects,),
        retry_delay_s=0,
    )


async def say(service: ConversationService, event: PersonEvent, hint: str = "en") -> None:
    await service.handle(Inbound(P, event, language_hint=hint, address="12345"))


async def test_a_conversation_leaves_coarse_events_and_nothing_of_the_person(
    noting_service: ConversationService,
    world: MemoryWorld,
    directory: FakeDirectory,
    areas: FakeAreas,
) -> None:
    directory.page = page(card("A", open_now=True), card("B", open_now=False))
    await say(noting_service, CommandReceived("start", "parc-jc"))
    await say(noting_service, ButtonPressed("theme:food"))
    await say(noting_service, LocationShared(45.40123, -71.89234))
    await say(noting_service, ButtonPressed("more:food:45.401:-71.892:3"))  # same search

    tuesday_2pm = TimeBucket(week=date(2026, 11, 16), weekday=1, hour=14)
    assert [e.bucket for e in world.insights] == [tuesday_2pm] * 3
    assert [e.insight for e in world.insights] == [
        Insight(InsightKind.ARRIVAL, source="parc-jc", language=Language.EN, came_back=False),
        Insight(InsightKind.NEED, theme=Theme.FOOD),
        Insight(
            InsightKind.SEARCH, theme=Theme.FOOD, area="Jacques-Cartier", reach=Reach.OPEN_NEAR
        ),
    ]
    # The area came from the rounded point, which is never kept.
    assert areas.asked == [Place(45.401, -71.892)]
    kept = repr(world.insights)
    for secret in (P, P[:12], "12345", "45.401", "-71.892"):
        assert secret not in kept


async def test_a_returning_person_counts_again_only_through_a_poster(
    noting_service: ConversationService, world: MemoryWorld
) -> None:
    await say(noting_service, CommandReceived("start"), hint="fr")
    await say(noting_service, CommandReceived("start"))
    await say(noting_service, CommandReceived("start", "banque-alim"))
    await say(noting_service, CommandReceived("start", "not a code!"))
    assert [(e.insight.source, e.insight.came_back) for e in world.insights] == [
        (None, False),
        ("banque-alim", True),
    ]
    assert world.insights[0].insight.language is Language.FR


async def test_a_search_whose_first_page_shows_nothing_open_asks_if_anything_near_is(
    noting_service: ConversationService, world: MemoryWorld, directory: FakeDirectory
) -> None:
    shown = page(*(card(n, open_now=False) for n in "ABC"), total=7)
    open_farther = page(card("D", open_now=True))
    answers = iter([shown, open_farther])

    async def search(query: SearchQuery) -> SearchPage:
        directory.queries.append(query)
        return next(answers)

    directory.search = search  # type: ignore[method-assign]
    await say(noting_service, ButtonPressed("theme:food"))
    await say(noting_service, LocationShared(45.4, -71.9))
    recheck = directory.queries[-1]
    assert (recheck.open_now, recheck.limit, recheck.offset, recheck.radius_m) == (
        True,
        1,
        0,
        5_000,
    )
    assert world.insights[-1].insight.reach is Reach.OPEN_NEAR


@pytest.mark.parametrize(
    ("found", "reach"),
    [
        (page(), Reach.NOTHING_NEAR),
        (page(card("A", open_now=True), widened=True), Reach.NOTHING_NEAR),
        (page(card("A", open_now=False), card("B", open_now=True)), Reach.OPEN_NEAR),
        (page(card("A", open_now=False), card("B", open_now=None)), Reach.CLOSED_NEAR),
    ],
)
def test_what_a_search_found_is_noted_coarsely(found: SearchPage, reach: Reach) -> None:
    [noted] = search_noted(QUERY, found, "J1H")
    assert noted.insight.reach is reach
    assert noted.insight.area == "J1H"
    assert noted.near is None  # a typed area needs no point
    assert noted.recheck is None  # everything within reach was on the page


def test_see_more_is_not_a_new_search() -> None:
    assert search_noted(replace(QUERY, offset=3), page(card("A", open_now=True)), None) == ()


def test_codes_outside_the_bots_rule_are_not_kept() -> None:
    [noted] = arrival_noted("<script>", Language.FR, returning=False)
    assert noted.insight.source is None


def test_time_is_kept_as_week_day_and_hour_in_the_deployments_zone() -> None:
    # Monday 00:30 UTC is still Sunday evening in Montréal: last week's bucket.
    instant = datetime(2026, 11, 23, 0, 30, tzinfo=ZoneInfo("UTC"))
    assert TimeBucket.of(instant, MONTREAL) == TimeBucket(date(2026, 11, 16), 6, 19)


def test_a_masked_cell_enters_no_published_figure() -> None:
    cube = Cube(("theme", "area"), {("food", "J1H"): 7, ("food", "J1E"): 3, ("legal", "J1H"): 5}, 5)
    assert cube.view("theme") == {("food",): Figure(7, masked=True), ("legal",): Figure(5)}
    assert cube.view("area") == {("J1H",): Figure(12), ("J1E",): Figure(0, masked=True)}
    assert cube.total() == Figure(12, masked=True)
    assert [f.text() for f in (Figure(7, True), Figure(0, True), Figure(5))] == ["≥ 7", "x", "5"]
    with pytest.raises(ValueError, match="never below 5"):
        Cube(("theme",), {}, 4)


async def test_a_first_contact_without_start_is_an_arrival_without_a_code(
    noting_service: ConversationService, world: MemoryWorld
) -> None:
    await say(noting_service, ButtonPressed("theme:shelter"), hint="fr")
    assert [e.insight for e in world.insights] == [
        Insight(InsightKind.NEED, theme=Theme.SHELTER),
        Insight(InsightKind.ARRIVAL, language=Language.FR, came_back=False),
    ]
