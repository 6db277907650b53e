"""The team's hours, said as a person would say them, in French and English."""

from __future__ import annotations

import pytest

from bot.hours_label import hours_label
from flows.catalogue import Catalogue
from flows.domain import Language


@pytest.mark.parametrize(
    ("schedule", "french", "english"),
    [
        (
            "Mo-Fr 09:00-21:00",
            "du lundi au vendredi, de 9 h à 21 h",
            "Monday to Friday, 9 am to 9 pm",
        ),
        ("24/7", "24 h sur 24, 7 jours sur 7", "24 hours a day, 7 days a week"),
        ("Mo-Su 00:00-24:00", "24 h sur 24, 7 jours sur 7", "24 hours a day, 7 days a week"),
        (
            "mo-fr 00:00-24:00",
            "du lundi au vendredi, 24 h sur 24",
            "Monday to Friday, 24 hours a day",
        ),
        (
            "Mo-Fr 09:00-21:00; Sa 10:00-16:00",
            "du lundi au vendredi, de 9 h à 21 h ; le samedi, de 10 h à 16 h",
            "Monday to Friday, 9 am to 9 pm; Saturday, 10 am to 4 pm",
        ),
        (
            "Fr,Sa 22:00-03:00",
            "le vendredi et le samedi, de 22 h à 3 h (le lendemain)",
            "Friday and Saturday, 10 pm to 3 am (next day)",
        ),
        (
            "Mo,We,Fr 09:00-12:00,13:30-17:00; PH off",
            "le lundi, le mercredi et le vendredi, de 9 h à midi et de 13 h 30 à 17 h ; "
            "fermé les jours fériés",
            "Monday, Wednesday and Friday, 9 am to noon and 1:30 pm to 5 pm; "
            "closed on public holidays",
        ),
        (
            "Sa-Su 10:00-24:00",
            "le samedi et le dimanche, de 10 h à minuit",
            "Saturday and Sunday, 10 am to midnight",
        ),
        ("Mo-Su 09:00-17:00", "tous les jours, de 9 h à 17 h", "every day, 9 am to 5 pm"),
        ("09:00-17:00", "tous les jours, de 9 h à 17 h", "every day, 9 am to 5 pm"),
    ],
)
def test_schedules_are_worded_naturally(schedule: str, french: str, english: str) -> None:
    assert hours_label(schedule, Language.FR) == french
    assert hours_label(schedule, Language.EN) == english


@pytest.mark.parametrize(
    "schedule",
    ["Jan-Mar Mo 10:00-12:00", "Mo-Fr sunrise-sunset", "Mo-Fr 09:00-17:00 || PH off", "Mo-Fr"],
)
def test_what_cannot_be_worded_is_shown_as_written(schedule: str) -> None:
    assert hours_label(schedule, Language.FR) == schedule
    assert hours_label(schedule, Language.EN) == schedule


def test_the_words_come_from_the_catalogue() -> None:
    # The joints are catalogue entries: a deployment's wording follows its catalogue.
    catalogue = Catalogue.load()
    entries = {**catalogue.entries, "hours.day_range": {"fr": "de {first} à {last}", "en": "x"}}
    custom = Catalogue(entries=entries)
    assert hours_label("Mo-Fr 09:00-21:00", Language.FR, catalogue=custom) == (
        "de lundi à vendredi, de 9 h à 21 h"
    )
