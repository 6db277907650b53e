"""A resource card sent from the desk: ``/ressource manger J1H``, the worker picks, the person
receives the card — and nothing wrong is sent if the list changed in between."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from flows.actions import OpenCase
from flows.case_rules import CaseRules
from flows.catalogue import Catalogue
from flows.commands import StaffCommand, staff_command
from flows.desk_resources import DeskResources, fingerprint, parse_resource_request, theme_names
from flows.directory import Place, ResourceCard, SearchPage
from flows.domain import CaseReason, Language, Priority, Theme
from flows.staff_view import StaffView, parse_case_payload
from tests.fakes.core import FakeClock, FakeDirectory

CATALOGUE = Catalogue.load()
NAMES = theme_names(CATALOGUE)
P = "f" * 64


@pytest.mark.parametrize(
    ("typed", "theme", "place"),
    [
        ("food J1H", Theme.FOOD, "J1H"),
        ("manger J1H", Theme.FOOD, "J1H"),
        ("Dormir rue King Ouest", Theme.SHELTER, "rue King Ouest"),
        ("santé mentale Sherbrooke", Theme.MENTAL_HEALTH, "Sherbrooke"),
        ("santé Sherbrooke", Theme.HEALTH, "Sherbrooke"),
        ("mental health J1H", Theme.MENTAL_HEALTH, "J1H"),
        ("drop_in J1H", Theme.DROP_IN, "J1H"),
        ("drogues J1H", Theme.SUBSTANCE_USE, "J1H"),
        ("hygiène J1J", Theme.HYGIENE, "J1J"),
        ("bouffe J1H", Theme.FOOD, "J1H"),
        ("lit J1H", Theme.SHELTER, "J1H"),
        ("naloxone J1H", Theme.SUBSTANCE_USE, "J1H"),
    ],
)
def test_a_theme_is_named_by_id_or_label_in_either_language(
    typed: str, theme: Theme, place: str
) -> None:
    request = parse_resource_request(typed, NAMES)
    assert request is not None
    assert (request.theme, request.place) == (theme, place)


def test_without_a_place_the_persons_area_is_used_and_without_either_nothing() -> None:
    request = parse_resource_request("manger", NAMES, default_place="J1H")
    assert request is not None
    assert request.place == "J1H"
    assert parse_resource_request("manger", NAMES) is None
    assert parse_resource_request("licorne J1H", NAMES) is None
    assert parse_resource_request("", NAMES) is None


def card(service_id: str, name: str, metres: int) -> ResourceCard:
    return ResourceCard(
        service_id=service_id,
        name=name,
        organization="",
        themes=(Theme.FOOD,),
        distance_m=metres,
        open_now=True,
        next_change=None,
        always_open=False,
        address="1 rue X",
        latitude=45.4,
        longitude=-71.9,
        phone=None,
        conditions=None,
        what_to_bring=None,
        free=True,
        walk_in=True,
        verified_on=None,
    )


@pytest.fixture
def directory() -> FakeDirectory:
    page = SearchPage(
        cards=(
            card("svc-soupe", "Soupe populaire", 450),
            card("svc-tremplin", "Le Tremplin — repas communautaires du midi et du soir", 1230),
        ),
        total=2,
        radius_m=5000,
    )
    return FakeDirectory(places={"j1h": Place(45.40123, -71.89234, "J1H")}, page=page)


def desk(directory: FakeDirectory, clock: FakeClock) -> DeskResources:
    return DeskResources(
        catalogue=CATALOGUE,
        directory=directory,
        clock=clock,
        view=StaffView(CATALOGUE, Language.FR, ZoneInfo("America/Montreal")),
    )


def case(clock: FakeClock, area: str | None = None):  # type: ignore[no-untyped-def]
    opened = CaseRules(clock=clock).open_case(
        P, None, OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN)
    )
    context = {"area": area} if area else {}
    return replace(opened, id=12, context=context)


async def test_the_worker_sees_a_numbered_list_with_one_button_each(
    directory: FakeDirectory, clock: FakeClock
) -> None:
    choices = await desk(directory, clock).choices(case(clock), "manger J1H")
    assert choices.text.splitlines() == [
        f"📇 🍽 Manger près de « J1H » — choisis la fiche à envoyer à {case(clock).alias} :",
        "1. Soupe populaire · 450 m",
        "2. Le Tremplin — repas communautaires du midi et du soir · 1,2 km",
    ]
    labels = [b.label for (b,) in choices.buttons]
    assert labels[0] == "1. Soupe populaire"
    assert len(labels[1]) <= 40
    assert all(len(b.payload.encode()) <= 64 for (b,) in choices.buttons)
    (query,) = directory.queries
    assert (query.theme, query.place.latitude) == (Theme.FOOD, 45.401), "from the rounded point"


async def test_the_pick_finds_the_same_service_again_for_the_person(
    directory: FakeDirectory, clock: FakeClock
) -> None:
    resources = desk(directory, clock)
    choices = await resources.choices(case(clock), "food J1H")
    payload = parse_case_payload(choices.buttons[1][0].payload)
    assert payload is not None
    assert (payload.verb, payload.case_id) == ("res", 12)
    chosen = await resources.chosen(payload.argument, Language.EN)
    assert chosen is not None
    assert chosen.service_id == "svc-tremplin"
    assert directory.queries[-1].language is Language.EN, "the card in the person's language"


async def test_if_the_list_changed_nothing_wrong_is_sent(
    directory: FakeDirectory, clock: FakeClock
) -> None:
    resources = desk(directory, clock)
    choices = await resources.choices(case(clock), "food J1H")
    token = parse_case_payload(choices.buttons[0][0].payload).argument  # type: ignore[union-attr]
    assert directory.page is not None
    reordered = replace(directory.page, cards=directory.page.cards[::-1])
    directory.page = reordered
    moved = await resources.chosen(token, Language.FR)
    assert moved is not None
    assert moved.service_id == "svc-soupe", "found by its fingerprint, not its rank"
    directory.page = replace(reordered, cards=reordered.cards[:1])
    assert (await resources.chosen(token, Language.FR)) is None
    assert (await resources.chosen("food:nonsense", Language.FR)) is None
    assert fingerprint("svc-soupe") != fingerprint("svc-tremplin")


async def test_the_worker_is_told_plainly_when_there_is_nothing_to_pick(
    directory: FakeDirectory, clock: FakeClock
) -> None:
    resources = desk(directory, clock)
    usage = await resources.choices(case(clock), "manger")
    assert usage.text.startswith("📇 /ressource thème lieu")
    assert usage.buttons == ()
    unknown = await resources.choices(case(clock), "manger Atlantide")
    assert "Je ne trouve pas « Atlantide »" in unknown.text
    directory.page = None
    none = await resources.choices(case(clock, area="J1H"), "dormir")
    assert none.text == "📇 Rien trouvé pour 🛏 Dormir, se loger près de « J1H »."


def test_the_new_staff_commands_are_in_the_one_table() -> None:
    for typed, command in (
        ("/ressource", StaffCommand.RESOURCE),
        ("/resource", StaffCommand.RESOURCE),
        ("/prêt", StaffCommand.READY),
        ("/ready", StaffCommand.READY),
        ("/Priorité", StaffCommand.PRIORITY),
        ("/priority", StaffCommand.PRIORITY),
    ):
        spec = staff_command(typed)
        assert spec is not None
        assert spec.command is command
        assert CATALOGUE.has(f"staff.command.{command}")
