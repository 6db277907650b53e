"""The message catalogue: every key in every language, the same placeholders everywhere."""

from __future__ import annotations

import pytest

from flows.catalogue import REQUIRED_LANGUAGES, VARIANTS, Catalogue, placeholders
from flows.domain import Formality, Language, Theme

CATALOGUE = Catalogue.load()


@pytest.mark.parametrize("key", sorted(CATALOGUE.entries))
def test_every_key_exists_in_every_language_with_the_same_placeholders(key: str) -> None:
    entry = CATALOGUE.entries[key]
    assert set(REQUIRED_LANGUAGES) <= set(entry), f"{key} lacks a language"
    assert set(entry) <= {*REQUIRED_LANGUAGES, *VARIANTS}, f"{key} has an unknown variant"
    expected = placeholders(entry["fr"])
    for language, template in entry.items():
        assert template.strip(), f"{key}.{language} is empty"
        assert placeholders(template) == expected, f"{key}.{language} placeholders differ"


def test_every_theme_has_a_button_label() -> None:
    for theme in Theme:
        assert CATALOGUE.has(f"theme.{theme}")


def test_vouvoiement_is_used_when_the_deployment_asks_for_it() -> None:
    formal = Catalogue.load(Formality.VOUS)
    values = {"emergency": "911", "who_reads": "Qui lit : T, h."}
    assert "Vous pouvez écrire" in formal.text("welcome", Language.FR, **values)
    assert "Tu peux écrire" in CATALOGUE.text("welcome", Language.FR, **values)
    # English has no such variant and is unchanged.
    assert formal.text("welcome", Language.EN, **values) == CATALOGUE.text(
        "welcome", Language.EN, **values
    )


@pytest.mark.parametrize("key", sorted(k for k in CATALOGUE.entries if k.startswith("faq.")))
def test_faq_answers_use_only_what_the_engine_fills_in(key: str) -> None:
    # The engine fills FAQ answers with the team's name, its hours and the emergency number.
    assert placeholders(CATALOGUE.entries[key]["fr"]) <= {"team", "hours", "emergency", "who_reads"}
