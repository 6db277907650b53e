"""The resource directory: HSDS 3.0 tables plus what outreach needs and HSDS lacks.

Table and column names follow HSDS 3.0 (``organization``, ``service``, ``location``,
``service_at_location``, ``address``, ``phone``, ``schedule``, ``taxonomy``,
``taxonomy_term``, ``attribute``, ``language``, ``required_document``) so that import and
export are a column-for-column copy. Outreach additions (borrowed from Soliguide's model,
see docs in the research notes) are plain columns or small tables:

- ``service_theme``: the 14 theme ids of ``flows.domain.Theme``, several per service.
- ``service_population``: populations served (filters, never themes).
- ``service``: free / walk-in / no ID needed / anonymous / pets (tri-state: NULL = unknown),
  capacity, 24/7, public-holiday rule, an OSM ``opening_hours`` string, the last entry
  ("arrive before midnight"), English texts, provenance and the demo flag.
- ``location.confidential``: the address is never shown and no map pin is sent; its
  coordinates are an area centroid, used only to sort by distance.
- ``closure``: temporary closures of a service or of a whole location.
- ``gazetteer`` / ``gazetteer_name``: the places a deployment knows by name, with aliases.

Ids are text: HSDS ids are UUIDs, the one-sheet template derives UUIDs from its own keys.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.models.base import Base, UtcDateTime

ID = 64  # HSDS UUIDs are 36 characters; some exporters prefix them


def _fk(target: str, *, ondelete: str = "CASCADE") -> Mapped[str | None]:
    """A nullable link; index it with ``_sparse_index``."""
    return mapped_column(String(ID), ForeignKey(target, ondelete=ondelete), nullable=True)


def _sparse_index(table: str, column: str) -> Index:
    """An index on a mostly-NULL link column, over its non-NULL rows only.

    HSDS links a phone, schedule or language to a service *or* a location *or*…, so each
    such column is mostly NULL. Once ``ANALYZE`` has run, SQLite judges a full index on it
    useless ("every row has the same value") and scans the table; a partial index keeps
    its statistics about the real links, and lets ``a IN (…) OR b IN (…)`` use one index
    per term. PostgreSQL reads the same definition the same way.
    """
    condition = text(f"{column} IS NOT NULL")
    return Index(f"ix_{table}_{column}", column, sqlite_where=condition, postgresql_where=condition)


class Organization(Base):
    """HSDS ``organization``: who runs services."""

    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(500))
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source: Mapped[str | None] = mapped_column(String(120))
    imported_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Location(Base):
    """HSDS ``location``: where services are delivered.

    A confidential location (women's shelter, youth house) has no public address: the
    directory shows ``area`` only and never a map pin; ``latitude``/``longitude`` hold the
    area's centroid, good enough to sort by distance and no better.
    """

    __tablename__ = "location"
    __table_args__ = (
        Index("ix_location_latitude_longitude", "latitude", "longitude"),
        _sparse_index("location", "organization_id"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    organization_id: Mapped[str | None] = _fk("organization.id", ondelete="SET NULL")
    location_type: Mapped[str] = mapped_column(String(16), default="physical")
    url: Mapped[str | None] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    external_identifier: Mapped[str | None] = mapped_column(String(255))
    external_identifier_type: Mapped[str | None] = mapped_column(String(120))
    # --- outreach additions ---
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    area: Mapped[str | None] = mapped_column(String(120))
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Service(Base):
    """HSDS ``service`` plus the access conditions outreach users filter on."""

    __tablename__ = "service"
    __table_args__ = (_sparse_index("service", "organization_id"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    organization_id: Mapped[str | None] = _fk("organization.id", ondelete="SET NULL")
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="active", index=True)
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    assured_date: Mapped[date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(255))
    alert: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # --- outreach additions (NULL means "not known") ---
    eligibility_description_en: Mapped[str | None] = mapped_column(Text)
    alert_en: Mapped[str | None] = mapped_column(Text)
    free: Mapped[bool | None] = mapped_column(Boolean)
    walk_in: Mapped[bool | None] = mapped_column(Boolean)
    no_id_needed: Mapped[bool | None] = mapped_column(Boolean)
    anonymous: Mapped[bool | None] = mapped_column(Boolean)
    pets_allowed: Mapped[bool | None] = mapped_column(Boolean)
    capacity_level: Mapped[str | None] = mapped_column(String(16))  # available|limited|full
    capacity_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    always_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    holidays: Mapped[str] = mapped_column(String(8), default="unknown", server_default="unknown")
    opening_hours: Mapped[str | None] = mapped_column(Text)  # OSM syntax, when that is the source
    # The latest arrival still admitted ("arrive before midnight"), local time; beds mostly.
    last_entry: Mapped[time | None] = mapped_column(Time)
    source: Mapped[str | None] = mapped_column(String(120))
    source_ref: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ServiceTheme(Base):
    """A service's themes (``flows.domain.Theme`` ids): the nearby search's first filter."""

    __tablename__ = "service_theme"
    __table_args__ = (Index("ix_service_theme_theme_service_id", "theme", "service_id"),)

    service_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(32), primary_key=True)


class ServicePopulation(Base):
    """Populations a service is for (youth, women, families…): filters, not themes."""

    __tablename__ = "service_population"

    service_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    population: Mapped[str] = mapped_column(String(32), primary_key=True)


class ServiceAtLocation(Base):
    """HSDS ``service_at_location``: one service offered at one location."""

    __tablename__ = "service_at_location"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)


class Address(Base):
    """HSDS ``address`` of a location."""

    __tablename__ = "address"
    __table_args__ = (_sparse_index("address", "location_id"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    location_id: Mapped[str | None] = _fk("location.id")
    attention: Mapped[str | None] = mapped_column(String(255))
    address_1: Mapped[str] = mapped_column(String(255))
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    state_province: Mapped[str] = mapped_column(String(120))
    postal_code: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    address_type: Mapped[str] = mapped_column(String(16), default="physical")


class Phone(Base):
    """HSDS ``phone``, attached to a service, location, organization or service-at-location."""

    __tablename__ = "phone"
    __table_args__ = (
        _sparse_index("phone", "location_id"),
        _sparse_index("phone", "service_id"),
        _sparse_index("phone", "organization_id"),
        _sparse_index("phone", "service_at_location_id"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    location_id: Mapped[str | None] = _fk("location.id")
    service_id: Mapped[str | None] = _fk("service.id")
    organization_id: Mapped[str | None] = _fk("organization.id")
    service_at_location_id: Mapped[str | None] = _fk("service_at_location.id")
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)


class Schedule(Base):
    """HSDS ``schedule``: one recurring time span (weekly slots, or monthly like ``1SA``).

    Times are local to the deployment's time zone; HSDS's numeric ``timezone`` offset is kept
    for export only, since an offset cannot follow daylight saving time.
    """

    __tablename__ = "schedule"
    __table_args__ = (
        _sparse_index("schedule", "service_id"),
        _sparse_index("schedule", "location_id"),
        _sparse_index("schedule", "service_at_location_id"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    service_id: Mapped[str | None] = _fk("service.id")
    location_id: Mapped[str | None] = _fk("location.id")
    service_at_location_id: Mapped[str | None] = _fk("service_at_location.id")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    dtstart: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[float | None] = mapped_column(Float)
    until: Mapped[date | None] = mapped_column(Date)
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(64))
    bymonthday: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class Closure(Base):
    """A temporary closure of a service, or of every service at a location (outreach)."""

    __tablename__ = "closure"
    __table_args__ = (
        _sparse_index("closure", "service_id"),
        _sparse_index("closure", "location_id"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    service_id: Mapped[str | None] = _fk("service.id")
    location_id: Mapped[str | None] = _fk("location.id")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # NULL: until further notice
    reason: Mapped[str | None] = mapped_column(Text)
    reason_en: Mapped[str | None] = mapped_column(Text)


class ServiceLanguage(Base):
    """HSDS ``language``: languages spoken at a service, location or on a phone line."""

    __tablename__ = "language"
    __table_args__ = (
        _sparse_index("language", "service_id"),
        _sparse_index("language", "location_id"),
        _sparse_index("language", "phone_id"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    service_id: Mapped[str | None] = _fk("service.id")
    location_id: Mapped[str | None] = _fk("location.id")
    phone_id: Mapped[str | None] = _fk("phone.id")
    name: Mapped[str | None] = mapped_column(String(120))
    code: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class RequiredDocument(Base):
    """HSDS ``required_document``: what to bring."""

    __tablename__ = "required_document"
    __table_args__ = (_sparse_index("required_document", "service_id"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    service_id: Mapped[str | None] = _fk("service.id")
    document: Mapped[str | None] = mapped_column(Text)
    document_en: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))


class Taxonomy(Base):
    """HSDS ``taxonomy`` (imported as given; Passerelle's own is generated on export)."""

    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(64))


class TaxonomyTerm(Base):
    """HSDS ``taxonomy_term``."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (_sparse_index("taxonomy_term", "taxonomy_id"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    code: Mapped[str | None] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(String(ID))
    taxonomy: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(16))
    taxonomy_id: Mapped[str | None] = _fk("taxonomy.id", ondelete="SET NULL")
    term_uri: Mapped[str | None] = mapped_column(String(500))


class Attribute(Base):
    """HSDS ``attribute``: a taxonomy term applied to any object (``link_id``)."""

    __tablename__ = "attribute"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    link_id: Mapped[str] = mapped_column(String(ID), index=True)
    taxonomy_term_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("taxonomy_term.id", ondelete="CASCADE"), index=True
    )
    link_type: Mapped[str | None] = mapped_column(String(120))
    link_entity: Mapped[str] = mapped_column(String(120))
    value: Mapped[str | None] = mapped_column(Text)


class Gazetteer(Base):
    """A place the deployment knows by name: neighbourhood, town, postal area."""

    __tablename__ = "gazetteer"
    __table_args__ = (UniqueConstraint("jurisdiction", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jurisdiction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))  # neighbourhood|city|postal_code
    name: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class GazetteerName(Base):
    """One searchable name of a gazetteer place (its name and each alias), folded.

    ``key`` is lower-case, accent-free, punctuation-free (see ``resources_db.geo.fold``).
    """

    __tablename__ = "gazetteer_name"
    __table_args__ = (UniqueConstraint("gazetteer_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gazetteer_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("gazetteer.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(120), index=True)


class SearchPoint(Base):
    """Derived: one row per (service at a location, theme), for the nearby search.

    The search's first step is "this theme, inside this box": with the theme and the point
    side by side in one covering index it is a single range scan instead of a join over
    four tables, and the compact hours beside it answer "open now" without another query
    (see docs/benchmarks.md). Only searchable rows are kept: a visible status and
    coordinates. Whoever writes services, locations, schedules, closures or themes calls
    ``resources_db.search_index.refresh_search_points`` in the same transaction.
    """

    __tablename__ = "search_point"
    __table_args__ = (
        Index(
            "ix_search_point_theme_latitude_longitude",
            "theme",
            "latitude",
            "longitude",
            "service_at_location_id",
            "service_id",
            "location_id",
            "confidential",
        ),
    )

    service_at_location_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("service_at_location.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str] = mapped_column(
        String(ID), ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    free: Mapped[bool | None] = mapped_column(Boolean)
    walk_in: Mapped[bool | None] = mapped_column(Boolean)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    hours: Mapped[str] = mapped_column(Text)  # resources_db.hours.encode
    last_entry: Mapped[time | None] = mapped_column(Time)
    # Shown distances of a confidential place are rounded: the search sorts on what is shown.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The service's populations, space-separated ("women families"): who it is for.
    populations: Mapped[str | None] = mapped_column(String(255))
