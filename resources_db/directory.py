"""The resource directory on SQLAlchemy: nearby search by theme, and place lookup.

The search is the same SQL on SQLite and PostgreSQL:

1. one range scan of the derived ``search_point`` table on ``(theme, latitude, longitude)``
   — the bounding box of the circle — with the free / walk-in / age filters;
2. exact distances (haversine), the circle, "open now" (with a bed's last entry) and the
   order in Python, on the few hundred rows at most that the box lets through: what fits
   the person, then what they can go to now, then (for a minor) youth places, then the
   distance *shown* (a confidential place's is rounded, and sorted as shown);
3. for the page only, the card details: one query for a brief page (the list the person
   sees), four for full cards; ``card`` fetches one full card when the person opens it.

When nothing is found the radius widens (5 → 15 → 50 km by default) and the page says so.
The figures are in docs/benchmarks.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from flows.directory import Place, ResourceCard, SearchPage, SearchQuery
from flows.domain import Jurisdiction, Language, Theme
from resources_db import geo
from resources_db.hours import HolidayCalendar, Hours, HoursStatus, is_open, status
from resources_db.hours import decode as decode_hours
from resources_db.models.resources import (
    Address,
    Closure,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    SearchPoint,
    Service,
    ServiceAtLocation,
    ServiceTheme,
)
from resources_db.session_scope import current_session

WIDENING_STEPS_M = (5_000, 15_000, 50_000)
CAPACITY_FRESH = timedelta(hours=48)
CONFIDENTIAL_DISTANCE_STEP_M = 1_000
IN_CHUNK = 2_000  # ids per IN (...) list: far below SQLite's and asyncpg's parameter limits
PHONE_TYPES_SHOWN = ("", "voice", "hotline", "text", "sms", "cell")
THEME_IDS = frozenset(t.value for t in Theme)
RANKING_CHUNK = 16  # candidates ranked per query, nearest first, until the page is full
ADULT_AGE = 18
# Who a place is only for, by the populations it names: (gender said, population that
# excludes it unless the other one is named too).
NOT_FOR = {"man": ("women", "men"), "woman": ("men", "women")}


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A service at a location inside the radius: what sorting and filtering need."""

    sal_id: str
    service_id: str
    location_id: str
    distance_m: float


@dataclass(slots=True)
class _Details:
    """Everything a card shows, for one service at one location."""

    row: Any = None
    themes: list[Theme] = field(default_factory=list)
    addresses: dict[str, Any] = field(default_factory=dict)


class SqlResourceDirectory:
    """``ResourceDirectory`` port on the HSDS tables."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        jurisdiction: Jurisdiction,
        timezone: ZoneInfo,
    ) -> None:
        self._sessions = sessions
        self._jurisdiction = jurisdiction
        self._timezone = timezone
        self._calendar = HolidayCalendar(jurisdiction)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        # During a turn, the turn's own session: one connection per turn (unit_of_work).
        current = current_session()
        if current is not None:
            yield current
            return
        async with self._sessions() as session:
            yield session

    async def search(self, query: SearchQuery) -> SearchPage:
        """One page of services by theme, nearest first, widening the radius if needed."""
        radii = widening_radii(query.radius_m)
        async with self._session() as session:
            conn = await session.connection()
            found: list[_Candidate] = []
            total = 0
            radius = radii[0]
            for radius in radii:
                found, total = await self._candidates(conn, query, radius)
                if total:
                    break
            window = found[query.offset : query.offset + query.limit]
            cards = await self._cards(conn, window, query, full=not query.brief)
        return SearchPage(
            cards=tuple(cards),
            total=total,
            radius_m=radius,
            offset=query.offset,
            widened=radius != radii[0],
            requested_radius_m=query.radius_m,
            now=query.at.astimezone(self._timezone),
        )

    async def card(
        self, service_id: str, place: Place, at: datetime, language: Language | None
    ) -> ResourceCard | None:
        """The full card of one service, at its place nearest to ``place``; None if gone."""
        origin = place
        async with self._session() as session:
            conn = await session.connection()
            rows = list(await conn.execute(_SERVICE_POINTS, {"service_id": service_id}))
            if not rows:
                return None
            nearest = min(
                rows,
                key=lambda r: (
                    geo.haversine_m(origin.latitude, origin.longitude, r.latitude, r.longitude),
                    r.service_at_location_id,
                ),
            )
            distance = geo.haversine_m(
                origin.latitude, origin.longitude, nearest.latitude, nearest.longitude
            )
            found = _Candidate(
                nearest.service_at_location_id, service_id, nearest.location_id, distance
            )
            query = SearchQuery(theme=Theme(nearest.theme), place=origin, at=at, language=language)
            cards = await self._cards(conn, [found], query, full=True)
        return cards[0] if cards else None

    async def locate(self, text: str) -> Place | None:
        """A place from a postal code or a known neighbourhood/town name, offline."""
        async with self._session() as session:
            return await geo.locate(session, text, self._jurisdiction)

    # --- candidates -------------------------------------------------------------------------

    async def _candidates(
        self, conn: AsyncConnection, query: SearchQuery, radius_m: int
    ) -> tuple[list[_Candidate], int]:
        """The candidates in the order the person sees, at least up to the page, and how many.

        The order is (fits the person, can go now, youth for a minor, distance shown). The
        distance costs little, the hours more: the circle is sorted by distance shown, then
        ranked nearest first until the page is filled by the best rank — every place not yet
        ranked is farther than those, and can be no better — so a daytime search reads the
        hours of a few places, not of all the circle. "Open now" counts them all.
        """
        origin = query.place
        box = geo.bounding_box(origin.latitude, origin.longitude, radius_m)
        statement = _candidate_statement(query.free_only, query.walk_in_only, query.age is not None)
        lat0, lon0 = origin.latitude, origin.longitude
        inside = []
        for row in await conn.execute(statement, _candidate_params(query, box)):
            distance = geo.haversine_m(lat0, lon0, row[3], row[4])
            if distance <= radius_m:
                inside.append((_shown_distance(distance, confidential=bool(row[5])), distance, row))
        inside.sort(key=lambda item: (item[0], item[2][0]))
        minor = query.age is not None and query.age < ADULT_AGE
        not_for = NOT_FOR.get(query.gender or "")
        needed = query.offset + query.limit
        # The nearest first, a few at a time (all at once for "open now", which counts them).
        step = len(inside) if query.open_now else max(RANKING_CHUNK, 3 * needed)
        # Many places share their hours ("Mo-Fr 09:00-17:00", "24/7"): each answer once.
        usable_by_hours: dict[tuple[str, time | None], bool] = {}
        ranks: dict[tuple[bool, bool, bool], list[_Candidate]] = defaultdict(list)
        best = ranks[False, False, False]
        for start in range(0, len(inside), step or 1):
            chunk = inside[start : start + step]
            facts = await _ranking_facts(conn, query.theme, [row[0] for _, _, row in chunk])
            for _shown, distance, row in chunk:
                sal_id, service_id, location_id = row[0], row[1], row[2]
                hours_text, last_entry, pops, max_age = facts.get(sal_id, ("", None, None, None))
                usable = usable_by_hours.get((hours_text, last_entry))
                if usable is None:
                    hours = decode_hours(hours_text)
                    usable = is_open(hours, query.at, self._timezone, self._calendar) is True
                    if usable and last_entry is not None:
                        usable = self._can_enter(hours, last_entry, query.at)
                    usable_by_hours[hours_text, last_entry] = usable
                if query.open_now and not usable:
                    continue
                populations = (pops or "").split()
                elsewhere = not_for is not None and not_for[0] in populations
                elsewhere = elsewhere and not_for is not None and not_for[1] not in populations
                youth = "youth" in populations or (max_age or ADULT_AGE) < ADULT_AGE
                rank = (elsewhere, not usable, minor and not youth)
                ranks[rank].append(_Candidate(sal_id, service_id, location_id, distance))
            if not query.open_now and len(best) >= needed:
                break
        found = [c for rank in sorted(ranks) for c in ranks[rank]]
        total = len(found) if query.open_now else len(inside)
        return found, total

    def _can_enter(self, hours: Hours, last_entry: time, at: datetime) -> bool:
        """Open now: is tonight's last entry still ahead, before the place closes?"""
        return self._entry(hours, last_entry, at)[0]

    def _entry(self, hours: Hours, last_entry: time, at: datetime) -> tuple[bool, HoursStatus]:
        state = status(hours, at, self._timezone, self._calendar)
        closing = state.next_change
        if not state.open_now or closing is None:
            # Closed: the card says when it opens. Around the clock: entry until last_entry.
            return bool(state.open_now), state
        local = at.astimezone(self._timezone)
        entry = datetime.combine(local.date(), last_entry, tzinfo=self._timezone)
        if entry <= local:
            entry = datetime.combine(local.date() + timedelta(days=1), last_entry, self._timezone)
        return entry <= closing, state

    # --- cards ------------------------------------------------------------------------------

    async def _cards(
        self,
        conn: AsyncConnection,
        window: Sequence[_Candidate],
        query: SearchQuery,
        *,
        full: bool,
    ) -> list[ResourceCard]:
        if not window:
            return []
        english = query.language is Language.EN
        service_ids = sorted({c.service_id for c in window})
        location_ids = sorted({c.location_id for c in window})
        sal_ids = [c.sal_id for c in window]
        details: dict[str, _Details] = defaultdict(_Details)
        # One query for the service, its place, its organization, addresses and themes: the
        # outer joins multiply rows, but a page is three cards with a handful of each.
        for row in await conn.execute(_DETAILS, {"sal_ids": sal_ids, "theme": query.theme.value}):
            detail = details[row.sal_id]
            detail.row = row
            if row.theme in THEME_IDS and Theme(row.theme) not in detail.themes:
                detail.themes.append(Theme(row.theme))
            if row.address_id is not None:
                detail.addresses[row.address_id] = row
        phones: list[Any] = []
        documents: dict[str, list[str]] = defaultdict(list)
        closures: list[Any] = []
        if full:
            # A list line shows none of these: only an opened card fetches them.
            org_ids = sorted(
                {d.row.organization_id for d in details.values() if d.row.organization_id}
            )
            phones = sorted(
                await _PHONES.fetch(conn, sal_ids, service_ids, location_ids, org_ids),
                key=lambda p: p.id,
            )
            for service_id, document, document_en in await conn.execute(
                _DOCUMENTS, {"service_ids": service_ids}
            ):
                text = ((document_en if english and document_en else document) or "").strip()
                if text:
                    documents[service_id].append(text)
        today = query.at.astimezone(self._timezone).date()
        closed_today = any(
            span.starts_on <= today and (span.ends_on is None or today <= span.ends_on)
            for detail in details.values()
            for span in decode_hours(detail.row.hours).closures
        )
        if full and closed_today:
            # The reason of a closure is read only when one is on today (the hours know).
            closures = sorted(
                await _CLOSURES.fetch(conn, service_ids, location_ids),
                key=lambda r: (r.starts_on, r.id),
            )
        cards = []
        for c in window:
            detail = details[c.sal_id]
            reason = next(
                (
                    (cl.reason_en if english and cl.reason_en else cl.reason)
                    for cl in closures
                    if (cl.service_id == c.service_id or cl.location_id == c.location_id)
                    and cl.starts_on <= today
                    and (cl.ends_on is None or today <= cl.ends_on)
                ),
                None,
            )
            cards.append(
                self._card(
                    c,
                    detail,
                    phone=_best_phone(phones, c, detail.row.organization_id),
                    documents=documents.get(c.service_id, []),
                    hours=decode_hours(detail.row.hours),
                    closure_reason=reason or None,
                    query=query,
                    english=english,
                )
            )
        return cards

    def _card(
        self,
        c: _Candidate,
        detail: _Details,
        *,
        phone: str | None,
        documents: list[str],
        hours: Hours,
        closure_reason: str | None,
        query: SearchQuery,
        english: bool,
    ) -> ResourceCard:
        row = detail.row
        entry_over = False
        if row.last_entry is not None:
            can_enter, state = self._entry(hours, row.last_entry, query.at)
            if state.open_now and not can_enter and state.next_change is not None:
                # Open, but no more arrivals tonight: for the person it opens next time.
                entry_over = True
                after = status(hours, state.next_change, self._timezone, self._calendar)
                state = HoursStatus(False, after.next_change)
        else:
            state = status(hours, query.at, self._timezone, self._calendar)
        address = _pick_address(detail.addresses.values())
        if row.confidential:
            # The stored point is an area centroid already; rounding hides even that.
            distance = round(_shown_distance(c.distance_m, confidential=True))
            street, lat, lon = None, None, None
            area = row.area or (address.city if address is not None else None)
        else:
            distance = round(c.distance_m)
            street = _address_line(address)
            lat, lon = row.latitude, row.longitude
            area = row.area
        capacity = None
        if (
            row.capacity_level in ("limited", "full")
            and row.capacity_updated_at is not None
            and query.at - row.capacity_updated_at <= CAPACITY_FRESH
        ):
            capacity = row.capacity_level
        return ResourceCard(
            service_id=row.service_id,
            name=row.name,
            organization=row.organization_name or "",
            themes=tuple(detail.themes),
            distance_m=distance,
            open_now=state.open_now,
            next_change=state.next_change,
            always_open=state.always_open,
            address=street,
            latitude=lat,
            longitude=lon,
            phone=phone,
            conditions=_pick(english, row.eligibility_description, row.eligibility_description_en),
            what_to_bring="; ".join(documents) or None,
            free=row.free,
            walk_in=row.walk_in,
            verified_on=row.assured_date,
            demo=bool(row.demo),
            alert=_pick(english, row.alert, row.alert_en),
            area=area,
            confidential=bool(row.confidential),
            no_id_needed=row.no_id_needed,
            anonymous=row.anonymous,
            pets_allowed=row.pets_allowed,
            temporarily_closed=state.temporarily_closed or row.status == "temporarily closed",
            closed_until=state.closed_until,
            closure_reason=closure_reason,
            capacity=capacity,
            min_age=row.minimum_age,
            max_age=row.maximum_age,
            last_entry=row.last_entry,
            entry_over=entry_over,
            populations=tuple((row.populations or "").split()),
        )


def widening_radii(requested_m: int) -> tuple[int, ...]:
    """The radii to try in turn: the one asked for, then each wider default step."""
    return (requested_m, *(step for step in WIDENING_STEPS_M if step > requested_m))


async def _ranking_facts(
    conn: AsyncConnection, theme: Theme, sal_ids: Sequence[str]
) -> dict[str, tuple[str, Any, str | None, int | None]]:
    """Hours, last entry, populations and upper age of these candidates, by id."""
    facts = {}
    for chunk in _chunks(sal_ids):
        params = {"theme": theme.value, "sal_ids": list(chunk)}
        for sal_id, hours, last_entry, populations, maximum_age in await conn.execute(
            _RANKING, params
        ):
            facts[sal_id] = (hours, last_entry, populations, maximum_age)
    return facts


def _shown_distance(metres: float, *, confidential: bool) -> float:
    """The distance as the person reads it: a confidential place's is rounded to the km."""
    if not confidential:
        return metres
    step = CONFIDENTIAL_DISTANCE_STEP_M
    return float(max(step, round(metres / step) * step))


@lru_cache(maxsize=8)
def _candidate_statement(free_only: bool, walk_in_only: bool, by_age: bool) -> Select[Any]:
    """This theme inside the box, with the SQL-side filters: one index range scan.

    Built once per filter combination with bound parameters: building a statement costs
    more than running this one. Only what the covering index holds: the ids, the point and
    whether the distance shown is rounded; what ranks a place is read for the nearest only.
    """
    stmt = select(
        SearchPoint.service_at_location_id,
        SearchPoint.service_id,
        SearchPoint.location_id,
        SearchPoint.latitude,
        SearchPoint.longitude,
        SearchPoint.confidential,
    ).where(
        SearchPoint.theme == bindparam("theme"),
        SearchPoint.latitude.between(bindparam("min_lat"), bindparam("max_lat")),
        SearchPoint.longitude.between(bindparam("min_lon"), bindparam("max_lon")),
    )
    if free_only:
        stmt = stmt.where(SearchPoint.free.is_(True))
    if walk_in_only:
        stmt = stmt.where(SearchPoint.walk_in.is_(True))
    if by_age:
        age = bindparam("age", type_=Integer)
        stmt = stmt.where(
            or_(SearchPoint.minimum_age.is_(None), SearchPoint.minimum_age <= age),
            or_(SearchPoint.maximum_age.is_(None), SearchPoint.maximum_age >= age),
        )
    return stmt


# What ranks the nearest candidates, by primary key: (service at a location, theme).
_RANKING = select(
    SearchPoint.service_at_location_id,
    SearchPoint.hours,
    SearchPoint.last_entry,
    SearchPoint.populations,
    SearchPoint.maximum_age,
).where(
    SearchPoint.theme == bindparam("theme"),
    SearchPoint.service_at_location_id.in_(bindparam("sal_ids", expanding=True)),
)


def _candidate_params(query: SearchQuery, box: geo.BoundingBox) -> dict[str, Any]:
    params: dict[str, Any] = {
        "theme": query.theme.value,
        "min_lat": box.min_lat,
        "max_lat": box.max_lat,
        "min_lon": box.min_lon,
        "max_lon": box.max_lon,
    }
    if query.age is not None:
        params["age"] = query.age
    return params


def _details_sql() -> Select[Any]:
    return (
        select(
            ServiceAtLocation.id.label("sal_id"),
            Service.id.label("service_id"),
            Service.name,
            Service.status,
            Service.organization_id,
            Service.eligibility_description,
            Service.eligibility_description_en,
            Service.alert,
            Service.alert_en,
            Service.free,
            Service.walk_in,
            Service.no_id_needed,
            Service.anonymous,
            Service.pets_allowed,
            Service.minimum_age,
            Service.maximum_age,
            Service.capacity_level,
            Service.capacity_updated_at,
            Service.assured_date,
            Service.demo,
            Service.always_open,
            Service.holidays,
            Service.opening_hours,
            Service.last_entry,
            Location.latitude,
            Location.longitude,
            Location.confidential,
            Location.area,
            Organization.name.label("organization_name"),
            Address.id.label("address_id"),
            Address.address_1,
            Address.address_2,
            Address.city,
            Address.address_type,
            ServiceTheme.theme,
            SearchPoint.hours,
            SearchPoint.populations,
        )
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .outerjoin(Organization, Organization.id == Service.organization_id)
        .outerjoin(Address, Address.location_id == Location.id)
        .outerjoin(ServiceTheme, ServiceTheme.service_id == Service.id)
        .outerjoin(
            SearchPoint,
            (SearchPoint.service_at_location_id == ServiceAtLocation.id)
            & (SearchPoint.theme == bindparam("theme")),
        )
        .where(ServiceAtLocation.id.in_(bindparam("sal_ids", expanding=True)))
        .order_by(ServiceAtLocation.id, Address.id, ServiceTheme.theme)
    )


_DETAILS = _details_sql()
# Where one service is searchable (one row per place and theme): ``card`` picks the nearest.
_SERVICE_POINTS = select(
    SearchPoint.service_at_location_id,
    SearchPoint.location_id,
    SearchPoint.latitude,
    SearchPoint.longitude,
    SearchPoint.theme,
).where(SearchPoint.service_id == bindparam("service_id"))


class _Linked:
    """Rows linked to any of several id lists, e.g. phones of these services *or* places.

    One query ``a IN (…) OR b IN (…)`` — each term uses its partial index — built once per
    combination of non-empty lists; long lists are split into several queries.
    """

    def __init__(self, base: Select[Any], *columns: Any) -> None:
        self._base = base
        self._columns = columns
        self._statements: dict[tuple[int, ...], Select[Any]] = {}

    def _statement(self, present: tuple[int, ...]) -> Select[Any]:
        statement = self._statements.get(present)
        if statement is None:
            terms = [self._columns[i].in_(bindparam(f"ids{i}", expanding=True)) for i in present]
            statement = self._base.where(or_(*terms))
            self._statements[present] = statement
        return statement

    async def fetch(self, conn: AsyncConnection, *id_lists: Sequence[str]) -> list[Any]:
        present = tuple(i for i, ids in enumerate(id_lists) if ids)
        if not present:
            return []
        if all(len(id_lists[i]) <= IN_CHUNK for i in present):
            params = {f"ids{i}": list(id_lists[i]) for i in present}
            return list(await conn.execute(self._statement(present), params))
        seen: dict[str, Any] = {}
        for i in present:
            for chunk in _chunks(id_lists[i]):
                for row in await conn.execute(self._statement((i,)), {f"ids{i}": list(chunk)}):
                    seen.setdefault(row.id, row)
        return list(seen.values())


_CLOSURES = _Linked(
    select(
        Closure.id,
        Closure.service_id,
        Closure.location_id,
        Closure.starts_on,
        Closure.ends_on,
        Closure.reason,
        Closure.reason_en,
    ),
    Closure.service_id,
    Closure.location_id,
)
_PHONES = _Linked(
    select(
        Phone.id,
        Phone.number,
        Phone.type,
        Phone.service_at_location_id,
        Phone.service_id,
        Phone.location_id,
        Phone.organization_id,
    ),
    Phone.service_at_location_id,
    Phone.service_id,
    Phone.location_id,
    Phone.organization_id,
)
_DOCUMENTS = (
    select(RequiredDocument.service_id, RequiredDocument.document, RequiredDocument.document_en)
    .where(RequiredDocument.service_id.in_(bindparam("service_ids", expanding=True)))
    .order_by(RequiredDocument.id)
)


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def _pick(english: bool, french: str | None, other: str | None) -> str | None:
    """The English text for an English reader when there is one, else the main text."""
    chosen = other if english and other else french
    return chosen.strip() if chosen and chosen.strip() else None


def _pick_address(addresses: Iterable[Any]) -> Any:
    """The physical address if any, else the first one (ordered by id)."""
    rows = list(addresses)
    return next((a for a in rows if a.address_type == "physical"), rows[0] if rows else None)


def _address_line(address: Any) -> str | None:
    if address is None or address.address_type == "virtual":
        return None
    parts = [p for p in (address.address_1, address.address_2, address.city) if p]
    return ", ".join(parts) or None


def _best_phone(phones: Sequence[Any], c: _Candidate, organization_id: str | None) -> str | None:
    """The most specific voice number: this service here, the service, the place, the org."""
    levels: tuple[Callable[[Any], bool], ...] = (
        lambda p: p.service_at_location_id == c.sal_id,
        lambda p: p.service_id == c.service_id and not p.service_at_location_id,
        lambda p: p.location_id == c.location_id and not p.service_id,
        lambda p: (
            organization_id is not None
            and p.organization_id == organization_id
            and not p.service_id
            and not p.location_id
        ),
    )
    for belongs in levels:
        for phone in phones:
            if belongs(phone) and (phone.type or "").lower() in PHONE_TYPES_SHOWN:
                number: str = phone.number
                return number
    return None
