"""Passerelle's own vocabulary inside HSDS: themes and outreach facts as taxonomy terms.

HSDS 3.0 has no column for "free", "walk-in", "no ID needed", a confidential address or
our 14 themes, but it has the generic ``attribute`` table: a taxonomy term applied to any
object, with a value. The export writes every outreach fact that way, under two taxonomies
with fixed ids, and the import reads them back, so a Passerelle export re-imports
losslessly while any HSDS consumer still sees a valid package.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flows.domain import Theme

NAMESPACE = uuid.UUID("6f1c9a3e-4d0b-5c57-9a41-2f7e0c1d8b35")


def stable_id(*parts: str) -> str:
    """A UUID derived from ``parts``: the same input always gives the same id."""
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


THEME_TAXONOMY_ID = stable_id("taxonomy", "theme")
FACT_TAXONOMY_ID = stable_id("taxonomy", "outreach")

THEME_LABELS: dict[Theme, tuple[str, str]] = {
    Theme.FOOD: ("Manger", "Food"),
    Theme.SHELTER: ("Dormir, se loger", "Shelter & housing"),
    Theme.DROP_IN: ("Se poser, se réchauffer (accueil de jour)", "Drop-in & day centres"),
    Theme.HYGIENE: ("Hygiène, vêtements", "Hygiene & clothing"),
    Theme.HEALTH: ("Santé", "Health"),
    Theme.SEXUAL_HEALTH: ("Santé sexuelle", "Sexual health"),
    Theme.MENTAL_HEALTH: ("Santé mentale", "Mental health"),
    Theme.SUBSTANCE_USE: (
        "Consommation, réduction des méfaits",
        "Drugs, alcohol & harm reduction",
    ),
    Theme.VIOLENCE: ("Violence, sécurité", "Violence & safety"),
    Theme.LEGAL: ("Droits, papiers, justice", "Rights, papers & legal aid"),
    Theme.MONEY: ("Argent, aide sociale", "Money & benefits"),
    Theme.EMPLOYMENT: ("Emploi, études", "Work & training"),
    Theme.FAMILY: ("Famille, enfants", "Family & children"),
    Theme.PEER_SUPPORT: (
        "Entraide, lien social, bénévolat",
        "Peer support, company & volunteering",
    ),
}


def theme_term_id(theme: Theme) -> str:
    """The taxonomy-term id of a theme."""
    return stable_id("theme", theme.value)


POPULATIONS: tuple[str, ...] = (
    "youth",
    "women",
    "men",
    "families",
    "seniors",
    "people_who_use_drugs",
    "lgbtq",
    "migrants",
    "indigenous",
    "sex_workers",
    "people_leaving_prison",
    "disability",
    "students",
)
CAPACITY_LEVELS: tuple[str, ...] = ("available", "limited", "full")


@dataclass(frozen=True, slots=True)
class Fact:
    """One outreach fact carried as an HSDS attribute."""

    code: str
    entity: str  # the HSDS object it applies to: service, location, required_document
    kind: str  # bool | text | date | datetime | json | population
    description: str


FACTS: tuple[Fact, ...] = (
    Fact("free", "service", "bool", "Free of charge"),
    Fact("walk_in", "service", "bool", "No appointment needed"),
    Fact("no_id_needed", "service", "bool", "No identity document needed"),
    Fact("anonymous", "service", "bool", "Can be used anonymously"),
    Fact("pets_allowed", "service", "bool", "Pets allowed"),
    Fact("always_open", "service", "bool", "Open 24 hours a day, 7 days a week"),
    Fact("holidays", "service", "text", "Public holidays: open, closed or unknown"),
    Fact("opening_hours", "service", "text", "Opening hours in OpenStreetMap syntax"),
    Fact("last_entry", "service", "text", "Latest arrival admitted, local time (HH:MM)"),
    Fact("capacity_level", "service", "text", "Capacity: available, limited or full"),
    Fact("capacity_updated_at", "service", "datetime", "When the capacity was last updated"),
    Fact("population", "service", "population", "A population the service is for"),
    Fact("eligibility_description_en", "service", "text", "Eligibility, in English"),
    Fact("alert_en", "service", "text", "Alert, in English"),
    Fact("source", "service", "text", "Where this record came from"),
    Fact("source_ref", "service", "text", "The record's id at its source"),
    Fact("demo", "service", "bool", "Fictional demonstration data"),
    Fact("closure", "service", "json", "A temporary closure (starts_on, ends_on, reason)"),
    Fact("confidential_address", "location", "bool", "Address withheld: show the area only"),
    Fact("area", "location", "text", "Neighbourhood or town shown to the public"),
    Fact("closure", "location", "json", "A temporary closure of the whole place"),
    Fact("demo", "location", "bool", "Fictional demonstration data"),
    Fact("document_en", "required_document", "text", "The document, in English"),
)
FACT_CODES: frozenset[str] = frozenset(f.code for f in FACTS)


def fact_term_id(code: str) -> str:
    """The taxonomy-term id of an outreach fact."""
    return stable_id("fact", code)


OUR_TAXONOMY_IDS = frozenset({THEME_TAXONOMY_ID, FACT_TAXONOMY_ID})
OUR_TERM_IDS: dict[str, tuple[str, str]] = {
    **{theme_term_id(t): ("theme", t.value) for t in Theme},
    **{fact_term_id(code): ("fact", code) for code in FACT_CODES},
}
