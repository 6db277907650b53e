"""Result cards as the person reads them, in French and English."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from flows.actions import Button, Reply, ShowPlace
from flows.catalogue import Catalogue
from flows.crisis_protocol import lines_for_theme
from flows.directory import Place, ResourceCard, SearchPage
from flows.domain import Formality, Jurisdiction, Language, Theme
from flows.results import card_text, card_view, render_page
from nlu.crisis_lines import FileCrisisLineRegistry

MONTREAL = ZoneInfo("America/Montreal")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=MONTREAL)  # a Wednesday morning
CATALOGUE = Catalogue.load()
MORE = "more:food:45.400:-71.890:5"
HERE = Place(45.4, -71.89)
LINES = "🆘 Danger immédiat : appelle le 911.\n• 1 866 APPELLE : 1 866 277-3553 (24/7)"

CARD = ResourceCard(
    service_id="s1",
    name="Soupe populaire",
    organization="Le Relais",
    themes=(Theme.FOOD,),
    distance_m=350,
    open_now=True,
    next_change=datetime(2026, 11, 18, 13, 0, tzinfo=MONTREAL),
    always_open=False,
    address="12 rue King Ouest, Sherbrooke",
    latitude=45.4,
    longitude=-71.89,
    phone="+1 819 555-0142",
    conditions="Pour tout le monde.",
    what_to_bring="Rien.",
    free=True,
    walk_in=True,
    verified_on=date(2026, 11, 2),
)


def page(*cards: ResourceCard, **changes: object) -> SearchPage:
    base = SearchPage(cards=cards, total=len(cards), radius_m=5_000, now=NOW)
    return replace(base, **changes)  # type: ignore[arg-type]


def text_of(card: ResourceCard, language: Language = Language.FR) -> str:
    return card_text(CATALOGUE, card, language, now=NOW)


def test_a_card_says_what_a_person_needs_to_go_there() -> None:
    text = text_of(CARD)
    assert text.splitlines()[0] == "Soupe populaire"
    assert "à 350 m" in text
    assert "Ouvert jusqu’à 13 h" in text
    assert "12 rue King Ouest, Sherbrooke" in text
    assert "☎ +1 819 555-0142" in text
    assert "Gratuit · Sans rendez-vous" in text
    assert "Pour tout le monde." in text
    assert "À apporter : Rien." in text
    assert "Vérifié le 2 novembre 2026" in text


def test_the_same_card_in_english() -> None:
    text = text_of(CARD, Language.EN)
    assert "350 m away" in text
    assert "Open until 1 pm" in text
    assert "Free · Walk-in" in text
    assert "Checked on November 2, 2026" in text


@pytest.mark.parametrize(
    ("next_change", "french", "english"),
    [
        (datetime(2026, 11, 18, 14, 30, tzinfo=MONTREAL), "ouvre à 14 h 30", "opens at 2:30 pm"),
        (
            datetime(2026, 11, 19, 9, 0, tzinfo=MONTREAL),
            "ouvre demain à 9 h",
            "opens tomorrow at 9 am",
        ),
        (
            datetime(2026, 11, 23, 9, 0, tzinfo=MONTREAL),
            "ouvre lundi à 9 h",
            "opens on Monday at 9 am",
        ),
        (
            datetime(2026, 12, 1, 8, 30, tzinfo=MONTREAL),
            "ouvre le 1er décembre à 8 h 30",
            "opens on December 1 at 8:30 am",
        ),
    ],
)
def test_a_closed_place_says_when_it_opens(
    next_change: datetime, french: str, english: str
) -> None:
    closed = replace(CARD, open_now=False, next_change=next_change)
    assert french in text_of(closed)
    assert english in text_of(closed, Language.EN)


def test_a_night_shelter_is_open_until_tomorrow_morning() -> None:
    night = replace(CARD, next_change=datetime(2026, 11, 19, 7, 0, tzinfo=MONTREAL))
    assert "Ouvert jusqu’à demain 7 h" in text_of(night)
    assert "Open until 7 am tomorrow" in text_of(night, Language.EN)


def test_round_the_clock_unknown_and_closed_for_now() -> None:
    assert "Ouvert 24 h/24" in text_of(replace(CARD, always_open=True, next_change=None))
    assert "Horaires à confirmer" in text_of(replace(CARD, open_now=None, next_change=None))
    assert "Fermé pour l’instant" in text_of(replace(CARD, open_now=False, next_change=None))


def test_distances_are_written_the_local_way() -> None:
    far = replace(CARD, distance_m=1_234)
    assert "à 1,2 km" in text_of(far)
    assert "1.2 km away" in text_of(far, Language.EN)
    assert "à 23 km" in text_of(replace(CARD, distance_m=23_400))


def test_a_confidential_place_shows_its_area_and_never_an_address_or_a_pin() -> None:
    hidden = replace(
        CARD,
        confidential=True,
        address=None,
        latitude=None,
        longitude=None,
        area="Centre-ville",
        distance_m=2_000,
    )
    text = text_of(hidden)
    assert "à environ 2 km — Centre-ville" in text
    assert "adresse confidentielle" in text
    assert "🏠" not in text
    assert not any(
        isinstance(m, ShowPlace) for m in card_view(CATALOGUE, hidden, Language.FR, now=NOW)
    )
    listed = render_page(
        CATALOGUE, page(hidden), Theme.VIOLENCE, Language.FR, more_payload=MORE, place=HERE
    )
    assert "≈ 2 km" in lines_of(listed)


def test_an_ordinary_place_opened_from_the_list_comes_with_its_map_pin() -> None:
    messages = card_view(CATALOGUE, CARD, Language.FR, now=NOW)
    assert isinstance(messages[0], Reply)
    assert "☎ +1 819 555-0142" in messages[0].text
    pins = [m for m in messages if isinstance(m, ShowPlace)]
    assert pins == [ShowPlace(45.4, -71.89, "Soupe populaire", "12 rue King Ouest, Sherbrooke")]


def lines_of(messages: tuple[object, ...]) -> str:
    return "\n".join(m.text for m in messages if isinstance(m, Reply))


def test_results_are_one_message_a_line_and_a_button_per_place() -> None:
    far = replace(
        CARD,
        service_id="s2",
        name="Frigo partagé",
        distance_m=1_234,
        open_now=False,
        next_change=datetime(2026, 11, 18, 14, 30, tzinfo=MONTREAL),
    )
    messages = render_page(
        CATALOGUE, page(CARD, far, total=7), Theme.FOOD, Language.FR, more_payload=MORE, place=HERE
    )
    assert len(messages) == 1
    text = lines_of(messages)
    assert "1. Soupe populaire — 350 m · 🟢 ouvert, ferme à 13 h" in text
    assert "2. Frigo partagé — 1,2 km · 🔴 fermé, ouvre à 14 h 30" in text
    assert "☎" not in text, "the phone is on the card, one tap away"
    assert buttons(messages) == [
        "card:45.400:-71.890:s1",
        "card:45.400:-71.890:s2",
        MORE,
        "human",
        "menu",
    ]
    english = lines_of(
        render_page(
            CATALOGUE, page(CARD, far), Theme.FOOD, Language.EN, more_payload=MORE, place=HERE
        )
    )
    assert "1. Soupe populaire — 350 m · 🟢 open, closes at 1 pm" in english
    assert "2. Frigo partagé — 1.2 km · 🔴 closed, opens at 2:30 pm" in english


def test_a_bed_says_until_when_one_can_arrive_and_when_entry_is_over() -> None:
    bed = replace(CARD, name="Refuge", last_entry=time(0, 0))
    text = lines_of(
        render_page(CATALOGUE, page(bed), Theme.SHELTER, Language.FR, more_payload=MORE, place=HERE)
    )
    assert "🟢 ouvert, arriver avant minuit" in text
    assert "Arriver avant minuit" in text_of(bed)
    over = replace(
        bed,
        open_now=False,
        entry_over=True,
        next_change=datetime(2026, 11, 18, 19, 0, tzinfo=MONTREAL),
    )
    english = lines_of(
        render_page(
            CATALOGUE, page(over), Theme.SHELTER, Language.EN, more_payload=MORE, place=HERE
        )
    )
    assert "🔴 no more entry tonight, reopens at 7 pm" in english
    assert "No more entry tonight — reopens at 7 pm" in text_of(over, Language.EN)


def test_extra_rows_go_under_the_list_above_talk_and_menu() -> None:
    extra = ((Button("Me relancer demain", "followup:offer"),),)
    messages = render_page(
        CATALOGUE,
        page(CARD),
        Theme.FOOD,
        Language.FR,
        more_payload=MORE,
        place=HERE,
        extra_rows=extra,
    )
    assert buttons(messages)[-3:] == ["followup:offer", "human", "menu"]


def test_demo_data_alerts_closures_and_capacity_are_shown() -> None:
    card = replace(
        CARD,
        demo=True,
        alert="Repas froid le vendredi.",
        temporarily_closed=True,
        closed_until=date(2026, 11, 30),
        closure_reason="Travaux",
        open_now=False,
        next_change=datetime(2026, 12, 1, 11, 30, tzinfo=MONTREAL),
        capacity="full",
    )
    text = text_of(card)
    assert "Donnée fictive (démonstration)" in text
    assert "⚠ Repas froid le vendredi." in text
    assert "Fermé temporairement jusqu’au 30 novembre inclus" in text
    assert "⚠ Travaux" in text
    assert "ouvre le 1er décembre à 11 h 30" in text
    assert "Complet en ce moment" in text
    assert "Fictional demo data" in text_of(card, Language.EN)


def test_old_verification_asks_to_confirm_by_phone() -> None:
    assert "à confirmer par téléphone" in text_of(replace(CARD, verified_on=date(2025, 6, 1)))
    assert "à confirmer" not in text_of(CARD)


def test_paid_appointment_only_no_id_anonymous_and_pets() -> None:
    card = replace(
        CARD, free=False, walk_in=False, no_id_needed=True, anonymous=True, pets_allowed=True
    )
    assert (
        "Payant · Sur rendez-vous · Sans pièce d’identité · Anonyme · Animaux acceptés"
        in text_of(card)
    )


def buttons(messages: tuple[object, ...]) -> list[str]:
    return [b.payload for m in messages if isinstance(m, Reply) for row in m.buttons for b in row]


def test_see_more_is_offered_only_when_there_is_more() -> None:
    more = page(CARD, total=7)
    assert MORE in buttons(
        render_page(CATALOGUE, more, Theme.FOOD, Language.FR, more_payload=MORE, place=HERE)
    )
    last = page(CARD, total=4, offset=3)
    assert MORE not in buttons(
        render_page(CATALOGUE, last, Theme.FOOD, Language.FR, more_payload=MORE, place=HERE)
    )


def test_the_header_counts_and_later_pages_say_where_we_are() -> None:
    first = render_page(
        CATALOGUE, page(CARD, total=7), Theme.FOOD, Language.FR, more_payload=MORE, place=HERE
    )
    assert isinstance(first[0], Reply)
    assert "7 adresses à moins de 5 km" in first[0].text
    later = render_page(
        CATALOGUE,
        page(CARD, total=7, offset=5),
        Theme.FOOD,
        Language.FR,
        more_payload=MORE,
        place=HERE,
    )
    assert isinstance(later[0], Reply)
    assert "résultats 6 à 6 sur 7" in later[0].text
    assert "6. Soupe populaire" in later[0].text


def test_nothing_near_is_said_honestly_with_a_worker_offered() -> None:
    messages = render_page(
        CATALOGUE, page(radius_m=5_000), Theme.LEGAL, Language.FR, more_payload=MORE, place=HERE
    )
    assert len(messages) == 1
    assert isinstance(messages[0], Reply)
    assert (
        "Je n’ai rien trouvé pour « ⚖ Droits, papiers, justice » à moins de 5 km"
        in messages[0].text
    )
    assert "human" in buttons(messages)
    assert MORE not in buttons(messages)


def test_nothing_even_after_widening_says_how_far_we_looked() -> None:
    widened = page(radius_m=50_000, widened=True, requested_radius_m=5_000)
    messages = render_page(
        CATALOGUE, widened, Theme.LEGAL, Language.EN, more_payload=MORE, place=HERE
    )
    assert isinstance(messages[0], Reply)
    assert "even looking as far as 50 km" in messages[0].text
    assert "An outreach worker can look with you" in messages[0].text


def test_results_found_after_widening_say_so() -> None:
    widened = page(CARD, radius_m=15_000, widened=True, requested_radius_m=5_000)
    messages = render_page(
        CATALOGUE, widened, Theme.FOOD, Language.FR, more_payload=MORE, place=HERE
    )
    assert isinstance(messages[0], Reply)
    assert "Rien à moins de 5 km, alors j’ai cherché jusqu’à 15 km." in messages[0].text


def test_formal_french_is_used_when_the_deployment_asks() -> None:
    formal = Catalogue.load(Formality.VOUS)
    messages = render_page(formal, page(), Theme.FOOD, Language.FR, more_payload=MORE, place=HERE)
    assert isinstance(messages[0], Reply)
    assert "chercher avec vous" in messages[0].text


@pytest.mark.parametrize("theme", list(Theme))
def test_crisis_lines_are_pinned_for_violence_mental_health_and_substance_use(theme: Theme) -> None:
    pinned = lines_for_theme(FileCrisisLineRegistry.load().lines_for(Jurisdiction.QC), theme)
    assert bool(pinned) is (theme in (Theme.VIOLENCE, Theme.MENTAL_HEALTH, Theme.SUBSTANCE_USE))
    assert len(pinned) <= 3, "the lines that fit, not the whole registry"


def test_pinned_lines_come_first_on_the_first_page_only() -> None:
    first = render_page(
        CATALOGUE,
        page(CARD, total=5),
        Theme.VIOLENCE,
        Language.FR,
        more_payload=MORE,
        place=HERE,
        pinned=LINES,
    )
    assert isinstance(first[0], Reply)
    assert first[0].text.startswith("Si c’est urgent")
    assert "1 866 277-3553" in first[0].text
    later = render_page(
        CATALOGUE,
        page(CARD, total=5, offset=3),
        Theme.VIOLENCE,
        Language.FR,
        more_payload=MORE,
        place=HERE,
        pinned=LINES,
    )
    assert not any(isinstance(m, Reply) and "1 866 277-3553" in m.text for m in later)


def test_pinned_lines_are_shown_even_when_nothing_is_found() -> None:
    messages = render_page(
        CATALOGUE,
        page(),
        Theme.MENTAL_HEALTH,
        Language.FR,
        more_payload=MORE,
        place=HERE,
        pinned=LINES,
    )
    assert isinstance(messages[0], Reply)
    assert "1 866 277-3553" in messages[0].text
    assert isinstance(messages[1], Reply)
    assert "Je n’ai rien trouvé" in messages[1].text
