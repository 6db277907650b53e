"""Nearby search on the real database, SQLite and PostgreSQL (see resources_territory.py)."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.directory import Place, SearchPage, SearchQuery
from flows.domain import Jurisdiction, Language, Theme
from resources_db import directory as directory_module
from resources_db.directory import SqlResourceDirectory
from resources_db.geo import EARTH_RADIUS_M, load_gazetteer
from resources_db.importer import import_path, load_demo, read_gazetteer
from resources_db.models.resources import Phone, RequiredDocument, Service, ServiceTheme
from tests.integration.resources_territory import (
    FETE_NATIONALE_NOON,
    GAZETTEER,
    MONTREAL,
    ORIGIN,
    TERRITORY,
    WEDNESDAY_NOON,
    line,
    point,
    write_sheet,
)

Sessions = async_sessionmaker[AsyncSession]
HERE = Place(*ORIGIN)


@pytest.fixture
async def directory(sessions: Sessions, tmp_path: Path) -> SqlResourceDirectory:
    """The test territory and gazetteer, loaded through the real importers."""
    sheet = write_sheet(tmp_path / "territory.csv", TERRITORY)
    await import_path(sessions, sheet, jurisdiction=Jurisdiction.QC)
    async with sessions() as session, session.begin():
        await load_gazetteer(session, read_gazetteer(GAZETTEER))
    return SqlResourceDirectory(sessions, Jurisdiction.QC, MONTREAL)


async def find(
    directory: SqlResourceDirectory, theme: Theme, at: datetime = WEDNESDAY_NOON, **options: object
) -> SearchPage:
    query = SearchQuery(theme=theme, place=HERE, at=at, limit=10, **options)  # type: ignore[arg-type]
    return await directory.search(query)


def names(page: SearchPage) -> list[str]:
    return [card.name for card in page.cards]


async def test_open_now_first_then_nearest_with_distances(directory: SqlResourceDirectory) -> None:
    page = await find(directory, Theme.FOOD)
    assert names(page) == ["Soupe A", "Frigo C", "Épicerie D", "Jeunes E", "Banque B"]
    assert [card.open_now for card in page.cards] == [True, True, True, False, False]
    distances = [card.distance_m for card in page.cards]
    assert distances == pytest.approx([300, 2500, 4000, 800, 1200], abs=5)
    assert (page.total, page.radius_m, page.widened) == (5, 5_000, False)


AT_2330 = datetime(2026, 11, 18, 23, 30, tzinfo=MONTREAL)
AT_0030 = datetime(2026, 11, 19, 0, 30, tzinfo=MONTREAL)


async def test_the_order_follows_the_distances_shown(directory: SqlResourceDirectory) -> None:
    page = await find(directory, Theme.SHELTER, at=AT_2330)
    # Maison G is 1.7 km away but shown "about 2 km" (confidential): Ado I's 1.9 km is before.
    assert names(page) == ["Refuge F", "Ado I", "Maison G"]
    assert [c.distance_m for c in page.cards] == pytest.approx([600, 1900, 2000], abs=5)


async def test_a_bed_with_a_last_entry_counts_as_open_only_before_it(
    directory: SqlResourceDirectory,
) -> None:
    before = (await find(directory, Theme.SHELTER, at=AT_2330)).cards[0]
    assert (before.name, before.open_now, before.entry_over) == ("Refuge F", True, False)
    assert before.last_entry == time(0, 0)
    after = await find(directory, Theme.SHELTER, at=AT_0030)
    assert names(after) == ["Ado I", "Maison G", "Refuge F"]
    refuge = after.cards[-1]
    assert (refuge.open_now, refuge.entry_over) == (False, True)
    assert refuge.next_change == datetime(2026, 11, 19, 19, 0, tzinfo=MONTREAL)
    assert "Refuge F" not in names(await find(directory, Theme.SHELTER, at=AT_0030, open_now=True))


async def test_a_minor_gets_youth_places_first(directory: SqlResourceDirectory) -> None:
    page = await find(directory, Theme.SHELTER, at=AT_2330, age=15)
    assert names(page) == ["Ado I", "Refuge F", "Maison G"]


async def test_a_man_does_not_get_a_place_for_women_first(directory: SqlResourceDirectory) -> None:
    page = await find(directory, Theme.VIOLENCE, at=AT_2330, gender="man")
    assert names(page) == ["Maison G"], "still listed: the person decides"
    page = await find(directory, Theme.SHELTER, at=AT_2330, gender="man")
    assert names(page) == ["Refuge F", "Ado I", "Maison G"]
    page = await find(directory, Theme.SHELTER, at=AT_0030, gender="man")
    assert names(page) == ["Ado I", "Refuge F", "Maison G"]
    page = await find(directory, Theme.SHELTER, at=AT_0030, gender="woman")
    assert names(page) == ["Ado I", "Maison G", "Refuge F"]


async def test_a_brief_page_leaves_the_phone_to_the_card(directory: SqlResourceDirectory) -> None:
    brief = (await find(directory, Theme.VIOLENCE, brief=True)).cards[0]
    assert (brief.name, brief.phone) == ("Maison G", None)
    card = await directory.card(brief.service_id, HERE, WEDNESDAY_NOON, Language.EN)
    assert card is not None
    assert (card.name, card.phone, card.distance_m) == ("Maison G", "+1 819 555-0100", 2_000)
    assert (card.address, card.latitude) == (None, None), "confidential: no address, no pin"
    assert card.populations == ("families", "women")
    assert await directory.card("gone", HERE, WEDNESDAY_NOON, Language.FR) is None


async def test_open_now_on_a_wednesday_at_noon(directory: SqlResourceDirectory) -> None:
    page = await find(directory, Theme.FOOD, open_now=True)
    assert names(page) == ["Soupe A", "Frigo C", "Épicerie D"]
    soupe = page.cards[0]
    assert soupe.open_now is True
    assert soupe.next_change == datetime(2026, 11, 18, 13, 0, tzinfo=MONTREAL)


async def test_every_card_tells_whether_it_is_open_and_until_when(
    directory: SqlResourceDirectory,
) -> None:
    page = await find(directory, Theme.FOOD)
    by_name = {card.name: card for card in page.cards}
    assert by_name["Banque B"].open_now is False
    assert by_name["Banque B"].next_change == datetime(2026, 11, 19, 13, 0, tzinfo=MONTREAL)
    assert by_name["Frigo C"].always_open is True
    assert by_name["Jeunes E"].next_change == datetime(2026, 11, 18, 15, 0, tzinfo=MONTREAL)


async def test_the_quebec_fete_nationale_closes_services_closed_on_holidays(
    directory: SqlResourceDirectory, sessions: Sessions
) -> None:
    page = await find(directory, Theme.FOOD, at=FETE_NATIONALE_NOON, open_now=True)
    assert names(page) == ["Frigo C"]
    # The same day is ordinary for a deployment in France.
    in_france = SqlResourceDirectory(sessions, Jurisdiction.FR, MONTREAL)
    page = await find(in_france, Theme.FOOD, at=FETE_NATIONALE_NOON, open_now=True)
    assert names(page) == ["Soupe A", "Frigo C", "Épicerie D"]


async def test_the_night_shelter_is_found_open_late_at_night(
    directory: SqlResourceDirectory,
) -> None:
    late = datetime(2026, 11, 18, 23, 30, tzinfo=MONTREAL)
    page = await find(directory, Theme.SHELTER, at=late, open_now=True)
    assert names(page) == ["Refuge F", "Ado I", "Maison G"]
    assert page.cards[0].next_change == datetime(2026, 11, 19, 8, 0, tzinfo=MONTREAL)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"free_only": True}, ["Soupe A", "Frigo C", "Jeunes E", "Banque B"]),
        ({"walk_in_only": True}, ["Soupe A", "Frigo C", "Épicerie D", "Jeunes E"]),
        ({"age": 40}, ["Soupe A", "Frigo C", "Épicerie D", "Banque B"]),
        ({"age": 15}, ["Soupe A", "Frigo C", "Épicerie D", "Jeunes E", "Banque B"]),
        ({"free_only": True, "walk_in_only": True, "age": 40}, ["Soupe A", "Frigo C"]),
    ],
)
async def test_outreach_filters(
    directory: SqlResourceDirectory, options: dict[str, object], expected: list[str]
) -> None:
    assert names(await find(directory, Theme.FOOD, **options)) == expected


async def test_widening_to_15_km_when_nothing_is_within_5(
    directory: SqlResourceDirectory,
) -> None:
    page = await find(directory, Theme.LEGAL)
    assert names(page) == ["Clinique juridique I"]
    assert (page.radius_m, page.widened, page.requested_radius_m) == (15_000, True, 5_000)


async def test_widening_to_50_km(directory: SqlResourceDirectory) -> None:
    page = await find(directory, Theme.EMPLOYMENT)
    assert names(page) == ["Emploi J"]
    assert (page.radius_m, page.widened) == (50_000, True)


async def test_nothing_anywhere_reports_the_widest_radius(directory: SqlResourceDirectory) -> None:
    page = await find(directory, Theme.SEXUAL_HEALTH)
    assert (page.cards, page.total, page.radius_m, page.widened) == ((), 0, 50_000, True)


async def test_a_confidential_address_shows_only_the_area_and_a_rounded_distance(
    directory: SqlResourceDirectory,
) -> None:
    page = await find(directory, Theme.VIOLENCE)
    (card,) = page.cards
    assert card.name == "Maison G"
    assert card.confidential is True
    assert (card.address, card.latitude, card.longitude) == (None, None, None)
    assert card.area == "Centre-ville"
    assert card.distance_m == 2_000  # 1.7 km, rounded to the kilometre
    assert card.phone == "+1 819 555-0100"


async def test_paging_keeps_the_order_and_the_total(directory: SqlResourceDirectory) -> None:
    pages = [
        await directory.search(
            SearchQuery(theme=Theme.FOOD, place=HERE, at=WEDNESDAY_NOON, offset=offset, limit=2)
        )
        for offset in (0, 2, 4)
    ]
    assert [names(p) for p in pages] == [
        ["Soupe A", "Frigo C"],
        ["Épicerie D", "Jeunes E"],
        ["Banque B"],
    ]
    assert [p.total for p in pages] == [5, 5, 5]
    assert [p.has_more for p in pages] == [True, True, False]


async def test_a_temporary_closure_is_shown_and_filtered_out_when_open_now(
    directory: SqlResourceDirectory,
) -> None:
    (card,) = (await find(directory, Theme.HEALTH)).cards
    assert card.temporarily_closed is True
    assert card.closed_until == date(2026, 11, 30)
    assert card.closure_reason == "Travaux"
    assert card.open_now is False
    assert card.next_change == datetime(2026, 12, 1, 9, 0, tzinfo=MONTREAL)
    assert (await find(directory, Theme.HEALTH, open_now=True)).total == 0
    after = datetime(2026, 12, 1, 10, 0, tzinfo=MONTREAL)
    assert names(await find(directory, Theme.HEALTH, at=after, open_now=True)) == ["Clinique H"]


async def test_english_texts_are_used_for_english_readers(directory: SqlResourceDirectory) -> None:
    french = (await find(directory, Theme.FOOD)).cards[0]
    english = (await find(directory, Theme.FOOD, language=Language.EN)).cards[0]
    assert (french.conditions, english.conditions) == ("Pour tout le monde.", "Everyone welcome.")
    closed = (await find(directory, Theme.HEALTH, language=Language.EN)).cards[0]
    assert closed.closure_reason == "Renovations"


async def test_moving_a_place_moves_it_in_the_results(
    directory: SqlResourceDirectory, sessions: Sessions, tmp_path: Path
) -> None:
    moved = [
        row if row["id"] != "soupe" else {**row, "latitude": str(point(north_m=4_500)[0])}
        for row in TERRITORY
    ]
    await import_path(
        sessions, write_sheet(tmp_path / "moved.csv", moved), jurisdiction=Jurisdiction.QC
    )
    # Still open at noon, so among the open ones, now the farthest of them.
    assert names(await find(directory, Theme.FOOD))[:3] == ["Frigo C", "Épicerie D", "Soupe A"]


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("J1H 2A3", "J1H"),
        ("je suis vers st-élie", "Saint-Élie"),
        ("SAINT ELIE D'ORFORD", "Saint-Élie"),
        ("centre ville de Sherbrooke", "Centre-ville"),
        ("Sherbrooke", "Sherbrooke"),
    ],
)
async def test_locate_from_postal_codes_and_names(
    directory: SqlResourceDirectory, typed: str, label: str
) -> None:
    place = await directory.locate(typed)
    assert place is not None
    assert place.label == label


async def test_locate_gives_none_for_an_unknown_place(directory: SqlResourceDirectory) -> None:
    assert await directory.locate("Tombouctou") is None


async def test_a_french_code_postal_falls_back_to_the_gazetteer(
    directory: SqlResourceDirectory, sessions: Sessions
) -> None:
    in_france = SqlResourceDirectory(sessions, Jurisdiction.FR, MONTREAL)
    place = await in_france.locate("je suis au 25000")
    assert place == Place(47.2380, 6.0240, "25000")


async def test_the_demo_territory_covers_every_theme_around_sherbrooke(sessions: Sessions) -> None:
    report, places = await load_demo(sessions)
    again, _ = await load_demo(sessions)
    assert report.counts["service"] >= 80
    assert places >= 20
    async with sessions() as session:
        services = await session.scalar(select(func.count()).select_from(Service))
        themes = set(await session.scalars(select(ServiceTheme.theme).distinct()))
    assert services == report.counts["service"] == again.counts["service"]  # idempotent
    assert themes == {t.value for t in Theme}
    directory = SqlResourceDirectory(sessions, Jurisdiction.QC, MONTREAL)
    downtown = await directory.locate("centre-ville")
    assert downtown is not None
    for theme in Theme:
        page = await directory.search(SearchQuery(theme=theme, place=downtown, at=WEDNESDAY_NOON))
        assert page.cards, theme
        assert all(card.demo for card in page.cards)


async def test_a_template_line_without_coordinates_is_kept_but_not_found_by_distance(
    sessions: Sessions, tmp_path: Path
) -> None:
    lost = line("perdu", "Sans point", "food", (0, 0), latitude="", longitude="")
    await import_path(
        sessions, write_sheet(tmp_path / "s.csv", [lost]), jurisdiction=Jurisdiction.QC
    )
    directory = SqlResourceDirectory(sessions, Jurisdiction.QC, MONTREAL)
    assert (await find(directory, Theme.FOOD)).total == 0
    async with sessions() as session:
        assert await session.scalar(select(Service.name)) == "Sans point"


async def test_a_full_card_says_what_to_bring_and_which_number_to_call(
    directory: SqlResourceDirectory, sessions: Sessions
) -> None:
    english = await find(directory, Theme.FOOD, language=Language.EN)
    banque = next(card for card in english.cards if card.name == "Banque B")
    assert (banque.what_to_bring, banque.phone) == ("Proof of address", "+1 819 555-0100")
    french = await find(directory, Theme.FOOD, language=Language.FR)
    assert next(c for c in french.cards if c.name == "Banque B").what_to_bring == (
        "Preuve de résidence"
    )
    # Without a number of its own, the card gives its organization's; documents in order.
    async with sessions() as session, session.begin():
        service = await session.get(Service, banque.service_id)
        assert service is not None
        await session.execute(delete(Phone).where(Phone.service_id == service.id))
        session.add(
            Phone(id="org-line", organization_id=service.organization_id, number="+1 819 555-0199")
        )
        session.add(
            RequiredDocument(id="zz-second", service_id=service.id, document="Carte d'assurance")
        )
    card = await directory.card(banque.service_id, HERE, WEDNESDAY_NOON, Language.FR)
    assert card is not None
    assert card.phone == "+1 819 555-0199"
    assert card.what_to_bring == "Preuve de résidence; Carte d'assurance"


def toward(origin: tuple[float, float], metres: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``metres`` from ``origin`` along a great circle, ``bearing_deg`` from north."""
    lat, lon = math.radians(origin[0]), math.radians(origin[1])
    reach, bearing = metres / EARTH_RADIUS_M, math.radians(bearing_deg)
    lat2 = math.asin(
        math.sin(lat) * math.cos(reach) + math.cos(lat) * math.sin(reach) * math.cos(bearing)
    )
    lon2 = lon + math.atan2(
        math.sin(bearing) * math.sin(reach) * math.cos(lat),
        math.cos(reach) - math.sin(lat) * math.sin(lat2),
    )
    return math.degrees(lat2), math.degrees(lon2)


@pytest.mark.parametrize(
    ("origin", "radius_m"),
    [
        (ORIGIN, 5_000),
        ((0.5, 10.0), 5_000),
        ((64.8, -147.7), 15_000),
        ((78.2, 15.6), 50_000),
        ((85.0, 0.0), 5_000),
    ],
    ids=["Sherbrooke", "equator", "Fairbanks, widened to 15 km", "Svalbard, 50 km", "85° N"],
)
async def test_a_place_a_metre_inside_the_radius_is_counted_and_one_a_metre_outside_is_not(
    sessions: Sessions, tmp_path: Path, origin: tuple[float, float], radius_m: int
) -> None:
    rim = [
        line(f"{side}{bearing}", f"{side} {bearing}", "food", toward(origin, reach, bearing))
        for bearing in (45, 135, 225, 315)
        for side, reach in (("dedans", radius_m - 1), ("dehors", radius_m + 1))
    ]
    await import_path(
        sessions, write_sheet(tmp_path / "rim.csv", rim), jurisdiction=Jurisdiction.QC
    )
    directory = SqlResourceDirectory(sessions, Jurisdiction.QC, MONTREAL)
    place = Place(*origin)
    query = SearchQuery(theme=Theme.FOOD, place=place, at=WEDNESDAY_NOON, limit=2, brief=True)
    first, rest = [await directory.search(replace(query, offset=n)) for n in (0, 2)]
    assert (first.total, first.radius_m, rest.has_more) == (4, radius_m, False)
    assert sorted(names(first) + names(rest)) == [f"dedans {b}" for b in (135, 225, 315, 45)]


async def test_a_confidential_place_comes_where_its_rounded_distance_puts_it_in_a_crowd(
    sessions: Sessions, tmp_path: Path
) -> None:
    closed = {"opening_hours": "Sa,Su 10:00-14:00"}  # closed on a Wednesday
    crowd = [
        line(f"c{i}", f"Fermé {i}", "food", point(north_m=1_100 + 3 * i, east_m=20 * i), **closed)
        for i in range(31)
    ]
    ouvert = line("ouvert", "Ouvert", "food", point(east_m=-1_120), opening_hours="24/7")
    cache = line(
        "cache",
        "Caché",
        "food",
        point(north_m=-1_400),
        opening_hours="24/7",
        confidential_address="oui",
        area="Centre-ville",
        address="",
        postal_code="",
    )
    sheet = write_sheet(tmp_path / "crowd.csv", [*crowd, ouvert, cache])
    await import_path(sessions, sheet, jurisdiction=Jurisdiction.QC)
    directory = SqlResourceDirectory(sessions, Jurisdiction.QC, MONTREAL)
    query = SearchQuery(theme=Theme.FOOD, place=HERE, at=WEDNESDAY_NOON, limit=1, brief=True)
    first, second = [await directory.search(replace(query, offset=n)) for n in (0, 1)]
    # 1.4 km away, shown "about 1 km": before the open place 1.12 km away.
    assert (names(first), names(second)) == (["Caché"], ["Ouvert"])
    assert (first.cards[0].distance_m, second.cards[0].distance_m, first.total) == (
        1_000,
        1_120,
        33,
    )


HOURS = (
    ("24/7", ""),
    ("Mo-Fr 09:00-17:00", ""),
    ("Mo-Su 19:00-08:00", "23:00"),
    ("Mo-Su 19:00-08:00", ""),
    ("Sa,Su 10:00-14:00", ""),
    ("Mo,We,Fr 13:00-16:00", ""),
)


def crowded_town(seed: int, count: int) -> list[dict[str, str]]:
    """``count`` food places within 7 km of ``ORIGIN``: mixed hours, some confidential, some
    for women or youth only, a few sharing a point, six a metre from the 5 km rim; a dense
    town, where the search reads only the nearest places of the circle."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    where = ORIGIN
    for i in range(count):
        if i % 25 != 1:  # every 25th place shares the point of the one before
            reach, angle = 7_000 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            where = point(north_m=reach * math.cos(angle), east_m=reach * math.sin(angle))
        hours, last_entry = rng.choice(HOURS)
        extra = {"opening_hours": hours, "last_entry": last_entry}
        if rng.random() < 0.12:
            extra |= {"confidential_address": "oui", "area": "Centre-ville"}
            extra |= {"address": "", "postal_code": ""}
        extra["populations"] = rng.choice(["", "", "", "", "", "women", "women families", "youth"])
        if rng.random() < 0.1:
            extra |= {"age_min": "12", "age_max": "17"}
        rows.append(line(f"p{i:03d}", f"Place {i:03d}", "food", where, **extra))
    for i, reach in enumerate((4_999, 5_001) * 3):
        angle = i * math.pi / 3
        where = point(north_m=reach * math.cos(angle), east_m=reach * math.sin(angle))
        rows.append(line(f"rim{i}", f"Rim {i}", "food", where, opening_hours="24/7"))
    return rows


@pytest.mark.parametrize("nearest", [None, 6], ids=["as shipped", "six nearest sent"])
async def test_in_a_crowded_town_the_pages_are_those_of_measuring_every_place(
    sessions: Sessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nearest: int | None
) -> None:
    if nearest is not None:
        # Fewer places sent: the order is cut short often, where rounding matters most.
        monkeypatch.setattr(directory_module, "NEAREST_MIN", nearest)
        monkeypatch.setattr(directory_module, "NEAREST_PER_LINE", 1)
    sheet = write_sheet(tmp_path / "town.csv", crowded_town(seed=11, count=400))
    await import_path(sessions, sheet, jurisdiction=Jurisdiction.QC)
    directory = SqlResourceDirectory(sessions, Jurisdiction.QC, MONTREAL)
    compared = 0
    for at in (WEDNESDAY_NOON, AT_2330, datetime(2026, 11, 19, 3, 0, tzinfo=MONTREAL)):
        people: list[dict[str, Any]] = [{}, {"gender": "man", "age": 30}, {"age": 15}]
        for who in [*people, {"gender": "woman"}]:
            for open_now in (False, True):
                for radius_m, offset in ((5_000, 0), (5_000, 5), (1_000, 0), (300, 10)):
                    query = SearchQuery(
                        theme=Theme.FOOD,
                        place=HERE,
                        at=at,
                        open_now=open_now,
                        radius_m=radius_m,
                        offset=offset,
                        limit=5,
                        brief=True,
                        **who,
                    )
                    page = await directory.search(query)
                    with monkeypatch.context() as exact:
                        # No approximate distance in SQL: every place of the box measured.
                        exact.setattr(directory_module, "APPROXIMATE_MAX_RADIUS_M", 0)
                        measured = await directory.search(query)
                    assert page == measured, query
                    compared += bool(page.cards)
    assert compared > 80
