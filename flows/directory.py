"""Types for finding help near the person (the resource directory port speaks these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flows.domain import Language, Theme


@dataclass(frozen=True, slots=True)
class Place:
    """Where to search from: a rounded point and the coarse label the person gave."""

    latitude: float
    longitude: float
    label: str | None = None


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A nearby search by theme, with outreach filters.

    The order is: places that fit the person (``gender``: a man is not shown a women-only
    place first), then what they can go to now (open, and a bed's last entry not passed),
    then — for a minor (``age`` under 18) — youth places, then the distance shown. ``brief``
    pages carry what a list line shows (no phone, documents or closure reason): the person
    opens a full card with ``ResourceDirectory.card``.
    """

    theme: Theme
    place: Place
    at: datetime
    open_now: bool = False
    free_only: bool = False
    walk_in_only: bool = False
    age: int | None = None
    gender: str | None = None  # flows.understanding.GENDERS, said by the person
    radius_m: int = 5_000
    offset: int = 0
    limit: int = 3
    language: Language | None = None  # texts in this language when the data has them
    brief: bool = False


@dataclass(frozen=True, slots=True)
class ResourceCard:
    """One service at one location, ready to be shown as a short card."""

    service_id: str
    name: str
    organization: str
    themes: tuple[Theme, ...]
    distance_m: int | None
    open_now: bool | None
    next_change: datetime | None
    always_open: bool
    address: str | None
    latitude: float | None
    longitude: float | None
    phone: str | None
    conditions: str | None
    what_to_bring: str | None
    free: bool | None
    walk_in: bool | None
    verified_on: date | None
    demo: bool = False
    alert: str | None = None
    area: str | None = None  # the neighbourhood or town, shown when there is no address
    confidential: bool = False  # never show an address or a pin; the distance is rounded
    no_id_needed: bool | None = None
    anonymous: bool | None = None
    pets_allowed: bool | None = None
    temporarily_closed: bool = False
    closed_until: date | None = None
    closure_reason: str | None = None
    capacity: str | None = None  # "limited" or "full", only when recently updated
    min_age: int | None = None  # the ages the service accepts, when it says
    max_age: int | None = None
    last_entry: time | None = None  # the latest arrival admitted ("arrive before midnight")
    # Open, but tonight's last entry has passed: ``open_now`` is False and ``next_change``
    # is the next opening.
    entry_over: bool = False
    populations: tuple[str, ...] = ()  # who the place is for (youth, women, men…)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results, and whether the radius had to be widened to find them."""

    cards: tuple[ResourceCard, ...]
    total: int
    radius_m: int
    offset: int = 0
    widened: bool = False
    requested_radius_m: int | None = None  # the radius asked for, before any widening
    now: datetime | None = None  # the search instant in the deployment's time zone

    @property
    def has_more(self) -> bool:
        """True when "see more" would show further results."""
        return self.total > self.offset + len(self.cards)
