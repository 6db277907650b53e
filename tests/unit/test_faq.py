"""FAQ topics: one list shared by the NLU (domain and data), the answers and their themes.

A topic the NLU can pick but the catalogue cannot answer is a "not understood" the person
did not deserve; a topic without a theme entry cannot offer places after its answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.catalogue import Catalogue
from flows.domain import Language, Theme
from flows.faq import FAQ_THEMES, theme_of_faq

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / "nlu" / "rasa"
CATALOGUE = Catalogue.load()
PREFIX = "faq/"


def _domain_topics() -> set[str]:
    domain = yaml.safe_load((RASA / "domain.yml").read_text(encoding="utf-8"))
    return {
        name.removeprefix(f"utter_{PREFIX}")
        for name in domain["responses"]
        if name.startswith(f"utter_{PREFIX}")
    }


def _data_topics() -> set[str]:
    topics: set[str] = set()
    for path in sorted((RASA / "data").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            intent = block.get("intent", "")
            if intent.startswith(PREFIX):
                topics.add(intent.removeprefix(PREFIX))
    return topics


def _catalogue_topics() -> set[str]:
    return {key.removeprefix("faq.") for key in CATALOGUE.entries if key.startswith("faq.")}


def test_every_topic_of_the_nlu_and_the_catalogue_has_a_theme_entry_and_vice_versa() -> None:
    themed = set(FAQ_THEMES)
    assert _domain_topics() == themed
    assert _data_topics() == themed
    assert _catalogue_topics() == themed


@pytest.mark.parametrize(
    ("topic", "theme"),
    [
        ("naloxone", Theme.SUBSTANCE_USE),
        ("overdose_signs", Theme.SUBSTANCE_USE),
        ("shower", Theme.HYGIENE),
        ("free_meals", Theme.FOOD),
        ("sti_testing", Theme.SEXUAL_HEALTH),
        ("welfare", Theme.MONEY),
        ("anonymous", None),
        ("police", None),
        ("phone_safety", None),
        ("street_worker_meeting", None),
    ],
)
def test_a_topic_carries_the_theme_of_the_places_to_offer(topic: str, theme: Theme | None) -> None:
    assert theme_of_faq(topic) is theme


def test_an_unknown_topic_has_no_theme() -> None:
    assert theme_of_faq("no_such_topic") is None


@pytest.mark.parametrize("language", list(Language))
def test_the_new_answers_name_the_emergency_number_where_danger_is_near(
    language: Language,
) -> None:
    values = {"emergency": "911", "team": "Équipe", "hours": "9 h à 21 h", "who_reads": "Qui"}
    for topic in ("overdose_signs", "phone_safety"):
        assert "911" in CATALOGUE.text(f"faq.{topic}", language, **values)
    signs = CATALOGUE.text("faq.overdose_signs", language, **values)
    assert "naloxone" in signs
    assert "/oublie" in CATALOGUE.text("faq.phone_safety", Language.FR, **values)
    assert "/forget" in CATALOGUE.text("faq.phone_safety", Language.EN, **values)


def test_each_topic_has_enough_training_examples() -> None:
    counts: dict[str, int] = {}
    for path in sorted((RASA / "data").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            intent = block.get("intent", "")
            if intent.startswith(PREFIX):
                examples = [e for e in block["examples"].splitlines() if e.strip()]
                topic = intent.removeprefix(PREFIX)
                counts[topic] = counts.get(topic, 0) + len(examples)
    assert min(counts.values()) >= 8, counts
