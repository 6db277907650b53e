"""The derived ``search_point`` table: what the nearby search filters on, rebuilt after writes.

The HSDS tables stay the source of truth. For each service at a location with coordinates
and a visible status, and for each of its themes, one row holds the point, the filter flags
and the hours in compact form (``resources_db.hours.encode``: the schedule that applies —
the service-at-location's own, else the service's, else the location's — the 24/7 flag,
the OSM string, the public-holiday rule and the temporary closures), the last entry and
the populations (who the place is for). The search then reads
one table, in one index range scan, and answers "open now" without another query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from resources_db.hours import ClosedSpan, HolidayRule, Hours, HoursError, Slot, encode
from resources_db.hours import slot_from_hsds as _slot_from_hsds
from resources_db.models.resources import (
    Closure,
    Location,
    Schedule,
    SearchPoint,
    Service,
    ServiceAtLocation,
    ServicePopulation,
    ServiceTheme,
)

SEARCHABLE_STATUSES = ("active", "temporarily closed")
CHUNK = 1_000


async def refresh_search_points(
    session: AsyncSession, service_ids: Collection[str] | None = None
) -> int:
    """Rebuild the search rows of ``service_ids`` (every service when None). Never commits.

    Returns how many rows were written.
    """
    if service_ids is None:
        await session.execute(delete(SearchPoint))
        ids = list(await session.scalars(select(Service.id).order_by(Service.id)))
    else:
        ids = sorted(service_ids)
        for chunk in _chunks(ids):
            await session.execute(delete(SearchPoint).where(SearchPoint.service_id.in_(chunk)))
    written = 0
    for chunk in _chunks(ids):
        rows = await _points(session, chunk)
        if rows:
            await session.execute(insert(SearchPoint), rows)
            written += len(rows)
    return written


async def _points(session: AsyncSession, service_ids: Sequence[str]) -> list[dict[str, Any]]:
    placed = (
        await session.execute(
            select(
                ServiceAtLocation.id.label("sal_id"),
                Service.id.label("service_id"),
                Location.id.label("location_id"),
                Location.latitude,
                Location.longitude,
                Location.confidential,
                Service.free,
                Service.walk_in,
                Service.minimum_age,
                Service.maximum_age,
                Service.always_open,
                Service.holidays,
                Service.opening_hours,
                Service.status,
                Service.last_entry,
            )
            .join(Service, Service.id == ServiceAtLocation.service_id)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(
                Service.id.in_(service_ids),
                Service.status.in_(SEARCHABLE_STATUSES),
                Location.latitude.is_not(None),
                Location.longitude.is_not(None),
            )
        )
    ).all()
    if not placed:
        return []
    themes: dict[str, list[str]] = defaultdict(list)
    for service_id, theme in await session.execute(
        select(ServiceTheme.service_id, ServiceTheme.theme).where(
            ServiceTheme.service_id.in_(service_ids)
        )
    ):
        themes[service_id].append(theme)
    populations: dict[str, set[str]] = defaultdict(set)
    for service_id, population in await session.execute(
        select(ServicePopulation.service_id, ServicePopulation.population).where(
            ServicePopulation.service_id.in_(service_ids)
        )
    ):
        populations[service_id].add(population)
    sal_ids = [p.sal_id for p in placed]
    location_ids = sorted({p.location_id for p in placed})
    slots: dict[str, list[Slot]] = defaultdict(list)
    for row in await session.scalars(
        select(Schedule)
        .where(
            or_(
                Schedule.service_at_location_id.in_(sal_ids),
                Schedule.service_id.in_(service_ids),
                Schedule.location_id.in_(location_ids),
            )
        )
        .order_by(Schedule.id)
    ):
        slot = _slot(row)
        if slot is None:
            continue
        if row.service_at_location_id:
            slots[f"sal:{row.service_at_location_id}"].append(slot)
        elif row.service_id:
            slots[f"service:{row.service_id}"].append(slot)
        elif row.location_id:
            slots[f"location:{row.location_id}"].append(slot)
    closures: dict[str, list[ClosedSpan]] = defaultdict(list)
    for closure in await session.scalars(
        select(Closure)
        .where(or_(Closure.service_id.in_(service_ids), Closure.location_id.in_(location_ids)))
        .order_by(Closure.starts_on, Closure.id)
    ):
        span = ClosedSpan(closure.starts_on, closure.ends_on)
        if closure.service_id:
            closures[f"service:{closure.service_id}"].append(span)
        if closure.location_id:
            closures[f"location:{closure.location_id}"].append(span)
    rows: list[dict[str, Any]] = []
    for p in placed:
        hours = Hours(
            slots=tuple(
                slots.get(f"sal:{p.sal_id}")
                or slots.get(f"service:{p.service_id}")
                or slots.get(f"location:{p.location_id}", [])
            ),
            always_open=bool(p.always_open),
            osm=p.opening_hours,
            holidays=_holiday_rule(p.holidays),
            closures=(
                *closures.get(f"service:{p.service_id}", ()),
                *closures.get(f"location:{p.location_id}", ()),
                # HSDS "temporarily closed" without dates: closed until further notice.
                *((ClosedSpan(date.min),) if p.status == "temporarily closed" else ()),
            ),
        )
        encoded = encode(hours)
        rows.extend(
            {
                "service_at_location_id": p.sal_id,
                "theme": theme,
                "service_id": p.service_id,
                "location_id": p.location_id,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "free": p.free,
                "walk_in": p.walk_in,
                "minimum_age": p.minimum_age,
                "maximum_age": p.maximum_age,
                "hours": encoded,
                "last_entry": p.last_entry,
                "confidential": bool(p.confidential),
                "populations": " ".join(sorted(populations.get(p.service_id, ()))) or None,
            }
            for theme in sorted(set(themes.get(p.service_id, ())))
        )
    return rows


def _slot(row: Schedule) -> Slot | None:
    try:
        return _slot_from_hsds(
            freq=row.freq,
            byday=row.byday,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
    except HoursError:
        return None  # the importer refuses these; a row written by other means is skipped


def _holiday_rule(value: str | None) -> HolidayRule:
    try:
        return HolidayRule(value or "unknown")
    except ValueError:
        return HolidayRule.UNKNOWN


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
