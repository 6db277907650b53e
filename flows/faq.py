"""What each FAQ topic is about: its theme, so an answer can come with places nearby.

An FAQ answer (``faq.<topic>`` in ``flows/catalogue/faq.toml``) is curated text. When the
topic belongs to a theme — naloxone to substance use, showers to hygiene — the engine can
offer the places of that theme after the answer; a topic about the service itself
(anonymity, the police, who reads the messages) has no theme. Every topic the NLU knows
(``nlu/rasa/domain.yml``, ``nlu/rasa/data/nlu/faq.yml``) and every answer of the catalogue
has an entry here, and nothing else (``tests/unit/test_faq.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from flows.domain import Theme

FAQ_THEMES: Final[Mapping[str, Theme | None]] = MappingProxyType(
    {
        # the service itself
        "anonymous": None,
        "police": None,
        "messages_privacy": None,
        "who_reads": None,
        "phone_safety": None,
        "human_now": None,
        "are_you_a_bot": None,
        "cost": None,
        "street_worker": None,
        "street_worker_meeting": None,
        # harm reduction
        "naloxone": Theme.SUBSTANCE_USE,
        "overdose_signs": Theme.SUBSTANCE_USE,
        "alcohol_benzos": Theme.SUBSTANCE_USE,
        "needle_exchange": Theme.SUBSTANCE_USE,
        "drug_checking": Theme.SUBSTANCE_USE,
        # health
        "sti_testing": Theme.SEXUAL_HEALTH,
        "prep": Theme.SEXUAL_HEALTH,
        "doctor_without_card": Theme.HEALTH,
        # basic needs
        "shower": Theme.HYGIENE,
        "free_meals": Theme.FOOD,
        "shelter_rules": Theme.SHELTER,
        "pets_shelter": Theme.SHELTER,
        # rights and money
        "welfare": Theme.MONEY,
        "tenant_rights": Theme.LEGAL,
        "id_papers": Theme.LEGAL,
        "youth_rights": Theme.LEGAL,
    }
)


# Questions about what happens to what the person writes: close kin. When the selector
# hesitates between two of them ("c'est anonyme ? la police peut savoir ?" asks both), the
# person asked one question and either answer serves it.
PRIVACY_SUBJECTS: Final = frozenset({"police", "anonymous", "messages_privacy", "who_reads"})


def theme_of_faq(subject: str) -> Theme | None:
    """The theme of an FAQ topic (None for a topic about the service, or an unknown one)."""
    return FAQ_THEMES.get(subject)
