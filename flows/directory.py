"""Types for finding help near the person (the resource directory port speaks these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flows.domain import Theme


@dataclass(frozen=True, slots=True)
class Place:
    """Where to search from: a rounded point and the coarse label the person gave."""

    latitude: float
    longitude: float
    label: str | None = None


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A nearby search by theme, with outreach filters."""

    theme: Theme
    place: Place
    at: datetime
    open_now: bool = False
    free_only: bool = False
    walk_in_only: bool = False
    age: int | None = None
    radius_m: int = 5_000
    offset: int = 0
    limit: int = 3


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


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results, and whether the radius had to be widened to find them."""

    cards: tuple[ResourceCard, ...]
    total: int
    radius_m: int
    offset: int = 0
    widened: bool = False

    @property
    def has_more(self) -> bool:
        """True when "see more" would show further results."""
        return self.total > self.offset + len(self.cards)
