"""The resource directory on SQLAlchemy: nearby search by theme, and place lookup.

The search is the same SQL on SQLite and PostgreSQL, no extension:

1. one range scan of the covering index of the derived ``search_point`` table on
   ``(theme, latitude, longitude)`` — the bounding box, then the circle by a distance SQL
   computes with plain arithmetic (equirectangular, within a known error of the real one)
   — with the free / walk-in / age filters. The database counts the circle and sends the
   nearest few with what ranks them; for "open now" (which counts the open ones), or when
   those few do not fill the page, it sends every place of the circle instead;
2. exact distances (haversine), "open now" (with a bed's last entry) and the order in
   Python, on those rows: what fits the person, then what they can go to now, then (for a
   minor) youth places, then the distance *shown* (a confidential place's is rounded, and
   sorted as shown);
3. for the page only, the card details: one query for a brief page (the list the person
   sees); for full cards, a second for the phones and what to bring, and a third only when
   a closure is on today. ``card`` fetches one full card when the person opens it.

When nothing is found the radius widens (5 → 15 → 50 km by default) and the page says so.
The figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CompoundSelect,
    Float,
    Integer,
    Select,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
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
# The nearest places sent with what ranks them, at least, and per place on the page: enough
# that the best rank usually fills the page from them (else the whole circle is read).
NEAREST_MIN = 32
NEAREST_PER_LINE = 8
# Where the SQL distance's error bound holds (see ``_Circle``); beyond, exact in Python.
APPROXIMATE_MAX_LATITUDE = 80.0
APPROXIMATE_MAX_RADIUS_M = 200_000
FAR_M2 = 1e30  # a squared distance beyond any on Earth
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
    hours: Hours = field(default_factory=Hours)
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
        distance costs little, the hours more: the database counts the circle and sends the
        nearest few with what ranks them (``_nearest_statement``), and here they are ranked
        nearest first until the page is filled by the best rank — every place not sent is
        farther than those, and can be no better. When the nearest few do not fill it (at
        night, say), and for "open now", which counts every open place, the whole circle
        comes in one query (``_circle_statement``).
        """
        circle = _Circle.around(query.place, radius_m)
        filters = (query.free_only, query.walk_in_only, query.age is not None)
        params = _candidate_params(query, circle)
        needed = query.offset + query.limit
        ranking = _Ranking(query, self._usable_now(query.at))
        if not query.open_now and circle.approximate:
            nearest = max(NEAREST_MIN, NEAREST_PER_LINE * needed)
            params["nearest"] = nearest
            rows = (await conn.execute(_nearest_statement(*filters), params)).all()
            if not rows:
                return [], 0
            inside = circle.inside(rows)
            # Counted by the database; those near the rim (all sent) measured here.
            total = (
                rows[0][_TOTAL]
                - sum(1 for r in rows if r[_RIM])
                + sum(1 for *_, r in inside if r[_RIM])
            )
            if ranking.rank(inside, circle.trusted_m(rows, nearest), needed):
                return ranking.found(), total
            ranking = _Ranking(query, ranking.usable)
        rows = (await conn.execute(_circle_statement(*filters), params)).all()
        inside = circle.inside(rows, only=ranking.usable if query.open_now else None)
        ranking.rank(inside, math.inf, needed)
        return ranking.found(), len(inside)

    def _usable_now(self, at: datetime) -> Callable[[Any], bool]:
        """Can one go there at ``at``: open, and a bed's last entry not passed (by row).

        Many places share their hours ("Mo-Fr 09:00-17:00", "24/7"): each answered once.
        """
        answers: dict[tuple[str, time | None], bool] = {}
        timezone, calendar = self._timezone, self._calendar

        def usable(row: Any) -> bool:
            key = (row[_HOURS], row[_LAST_ENTRY])
            answer = answers.get(key)
            if answer is None:
                hours = decode_hours(key[0])
                answer = is_open(hours, at, timezone, calendar) is True
                if answer and key[1] is not None:
                    answer = self._can_enter(hours, key[1], at)
                answers[key] = answer
            return answer

        return usable

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
        if len(window) > IN_CHUNK:
            # Long pages (a command line may ask for many) in slices: short IN lists.
            head = await self._cards(conn, window[:IN_CHUNK], query, full=full)
            return head + await self._cards(conn, window[IN_CHUNK:], query, full=full)
        english = query.language is Language.EN
        service_ids = sorted({c.service_id for c in window})
        location_ids = sorted({c.location_id for c in window})
        sal_ids = [c.sal_id for c in window]
        details: dict[str, _Details] = defaultdict(_Details)
        # One query for the service, its place, its organization, addresses and themes: the
        # outer joins multiply rows, but a page is three cards with a handful of each.
        for row in await conn.execute(_DETAILS, {"sal_ids": sal_ids, "theme": query.theme.value}):
            detail = details[row.sal_id]
            if detail.row is None:
                detail.row = row
                detail.hours = decode_hours(row.hours)
            if row.theme in THEME_IDS and Theme(row.theme) not in detail.themes:
                detail.themes.append(Theme(row.theme))
            if row.address_id is not None:
                detail.addresses[row.address_id] = row
        phones: list[Any] = []
        documents: dict[str, list[str]] = defaultdict(list)
        closures: list[Any] = []
        if full:
            # A list line shows none of these: only an opened card fetches them, in one
            # query (phones of the service here, the service, the place or the org; and
            # what to bring).
            org_ids = sorted(
                {d.row.organization_id for d in details.values() if d.row.organization_id}
            )
            id_lists = (sal_ids, service_ids, location_ids, org_ids)
            present = tuple(i for i, ids in enumerate(id_lists) if ids)
            linked = await conn.execute(
                _linked_statement(present), {f"ids{i}": list(id_lists[i]) for i in present}
            )
            texts: list[Any] = []
            for row in linked:
                (phones if row.kind == _PHONE else texts).append(row)
            phones.sort(key=lambda p: p.id)
            for row in sorted(texts, key=lambda d: d.id):
                text = ((row.detail if english and row.detail else row.text) or "").strip()
                if text:
                    documents[row.service_id].append(text)
        today = query.at.astimezone(self._timezone).date()
        closed_today = any(
            span.starts_on <= today and (span.ends_on is None or today <= span.ends_on)
            for detail in details.values()
            for span in detail.hours.closures
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
                    hours=detail.hours,
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


@dataclass(frozen=True, slots=True)
class _Circle:
    """The circle searched, its bounding box, and how far the SQL distance may be off.

    SQL sorts and filters on an equirectangular distance (plain arithmetic, the same on
    SQLite and PostgreSQL, no extension): ``dy² + (dx·cos φ₀)²`` in metres, φ₀ the origin's
    latitude. For any place in the circle it is within ``error_m`` of the haversine: the
    bound is the first-order term (the longitude scale at the place's latitude against
    φ₀'s) with a margin; sampling every latitude to 80° and radii to 200 km found errors
    under a quarter of it. So a place is surely inside within ``radius - error_m``, surely
    outside beyond ``radius + error_m``; those in between, "on the rim", are all sent and
    measured here, and every distance shown or sorted on is the haversine. Near a pole or
    for a huge radius the bound is not kept: the whole box comes and is measured here
    (``approximate`` is False).
    """

    origin: Place
    radius_m: int
    box: geo.BoundingBox
    metres_per_lon_degree: float
    error_m: float

    @classmethod
    def around(cls, origin: Place, radius_m: int) -> _Circle:
        box = geo.bounding_box(origin.latitude, origin.longitude, radius_m)
        polar = max(abs(box.min_lat), abs(box.max_lat))
        scale = geo.METRES_PER_DEGREE_LAT * math.cos(math.radians(origin.latitude))
        if polar > APPROXIMATE_MAX_LATITUDE or radius_m > APPROXIMATE_MAX_RADIUS_M:
            return cls(origin, radius_m, box, scale, math.inf)
        ratio = radius_m / geo.EARTH_RADIUS_M
        error = radius_m * (math.tan(math.radians(polar)) * ratio + ratio**2 + 1e-6) + 0.01
        return cls(origin, radius_m, box, scale, error)

    @property
    def approximate(self) -> bool:
        """True when the SQL distance is within a known ``error_m`` of the haversine."""
        return math.isfinite(self.error_m)

    @property
    def inner_m2(self) -> float:
        """Squared SQL distance up to which a place is surely inside."""
        return max(0.0, self.radius_m - self.error_m) ** 2 if self.approximate else -1.0

    @property
    def outer_m2(self) -> float:
        """Squared SQL distance beyond which a place is surely outside."""
        return (self.radius_m + self.error_m) ** 2 if self.approximate else FAR_M2

    def trusted_m(self, rows: Sequence[Any], nearest: int) -> float:
        """How far the order of ``_nearest_statement``'s rows is known to be complete.

        Rows on the rim come first, then the nearest by SQL key: the squared distance, a
        quarter of it for a confidential place (its distance shown, rounded to the km, is
        at least half the real one, so it may come before nearer places). A place not
        sent has a key at least the last one sent, so is shown at least this far; None of
        that holds if only rim rows came (then 0: nothing is known).
        """
        if len(rows) < nearest:
            return math.inf  # everything came
        keys = [r[_D2] / 4 if r[_CONFIDENTIAL] else r[_D2] for r in rows if not r[_RIM]]
        if not keys:
            return 0.0
        return math.sqrt(max(keys)) - self.error_m

    def inside(
        self, rows: Iterable[Any], only: Callable[[Any], bool] | None = None
    ) -> list[tuple[float, float, Any]]:
        """(distance shown, distance, row) of the rows inside, sorted as the person sees them."""
        lat0, lon0, radius = self.origin.latitude, self.origin.longitude, self.radius_m
        haversine = geo.haversine_m
        found = []
        for row in rows:
            if only is not None and not only(row):
                continue
            distance = haversine(lat0, lon0, row[_LATITUDE], row[_LONGITUDE])
            if distance <= radius:
                shown = _shown_distance(distance, confidential=bool(row[_CONFIDENTIAL]))
                found.append((shown, distance, row))
        found.sort(key=lambda item: (item[0], item[2][_SAL]))
        return found


class _Ranking:
    """Places ranked nearest first: (fits the person, can go now, youth for a minor)."""

    def __init__(self, query: SearchQuery, usable: Callable[[Any], bool]) -> None:
        self.usable = usable
        self._open_now = query.open_now
        self._minor = query.age is not None and query.age < ADULT_AGE
        self._not_for = NOT_FOR.get(query.gender or "")
        self._ranks: dict[tuple[bool, bool, bool], list[_Candidate]] = defaultdict(list)

    def rank(
        self, inside: Sequence[tuple[float, float, Any]], trusted_m: float, needed: int
    ) -> bool:
        """Rank ``inside`` in order while the order is known (shown < ``trusted_m``).

        True when the first ``needed`` are settled: the best rank holds that many (every
        place after is farther and no better), or everything was ranked.
        """
        best = self._ranks[False, False, False]
        not_for, minor, usable = self._not_for, self._minor, self.usable
        for shown, distance, row in inside:
            if shown >= trusted_m:
                return False
            can_go = usable(row)
            if self._open_now and not can_go:
                continue
            populations = (row[_POPULATIONS] or "").split()
            elsewhere = not_for is not None and not_for[0] in populations
            elsewhere = elsewhere and not_for is not None and not_for[1] not in populations
            youth = "youth" in populations or (row[_MAXIMUM_AGE] or ADULT_AGE) < ADULT_AGE
            self._ranks[elsewhere, not can_go, minor and not youth].append(
                _Candidate(row[_SAL], row[_SERVICE], row[_LOCATION], distance)
            )
            if not self._open_now and len(best) >= needed:
                return True
        return math.isinf(trusted_m)

    def found(self) -> list[_Candidate]:
        """The places ranked, in the order the person sees them."""
        return [c for rank in sorted(self._ranks) for c in self._ranks[rank]]


def _shown_distance(metres: float, *, confidential: bool) -> float:
    """The distance as the person reads it: a confidential place's is rounded to the km."""
    if not confidential:
        return metres
    step = CONFIDENTIAL_DISTANCE_STEP_M
    return float(max(step, round(metres / step) * step))


def _sql_distance_m2() -> Any:
    """The squared equirectangular distance from the origin, in metres (see ``_Circle``)."""
    dy = (SearchPoint.latitude - bindparam("lat0", type_=Float)) * geo.METRES_PER_DEGREE_LAT
    dx = (SearchPoint.longitude - bindparam("lon0", type_=Float)) * bindparam(
        "m_per_lon", type_=Float
    )
    return dy * dy + dx * dx


def _in_circle(stmt: Select[Any], free_only: bool, walk_in_only: bool, by_age: bool) -> Select[Any]:
    """This theme inside the box and (give or take ``_Circle.error_m``) the circle, filtered."""
    stmt = stmt.where(
        SearchPoint.theme == bindparam("theme"),
        SearchPoint.latitude.between(bindparam("min_lat"), bindparam("max_lat")),
        SearchPoint.longitude.between(bindparam("min_lon"), bindparam("max_lon")),
        _sql_distance_m2() <= bindparam("outer_m2", type_=Float),
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


# What the order needs of a place: ids, point, rounded distance, hours, who it is for.
_RANKED_COLUMNS = (
    SearchPoint.service_at_location_id,
    SearchPoint.service_id,
    SearchPoint.location_id,
    SearchPoint.latitude,
    SearchPoint.longitude,
    SearchPoint.confidential,
    SearchPoint.hours,
    SearchPoint.last_entry,
    SearchPoint.populations,
    SearchPoint.maximum_age,
)
# Their positions in a row (read by position: the rows of a whole circle are many).
(
    _SAL,
    _SERVICE,
    _LOCATION,
    _LATITUDE,
    _LONGITUDE,
    _CONFIDENTIAL,
    _HOURS,
    _LAST_ENTRY,
    _POPULATIONS,
    _MAXIMUM_AGE,
    _D2,
    _RIM,
    _TOTAL,
) = range(13)


@lru_cache(maxsize=8)
def _nearest_statement(free_only: bool, walk_in_only: bool, by_age: bool) -> Select[Any]:
    """How many places the circle holds, and the ``nearest`` with what ranks them.

    One range scan of the covering index (theme, point, ids, confidential), like a plain
    "nearest first" query: the count over the whole circle, the rows on the rim first (to
    be measured exactly), then the nearest by SQL key (see ``_Circle.trusted_m``), then
    only those read in full, by primary key. Built once per filter combination with bound
    parameters: building a statement costs more than running this one.
    """
    measured = _in_circle(
        select(
            SearchPoint.service_at_location_id.label("sal_id"),
            SearchPoint.theme,
            SearchPoint.confidential,
            _sql_distance_m2().label("d2"),
        ),
        free_only,
        walk_in_only,
        by_age,
    ).subquery("measured")
    rim = measured.c.d2 > bindparam("inner_m2", type_=Float)
    key = case((measured.c.confidential.is_(True), measured.c.d2 / 4), else_=measured.c.d2)
    nearest = (
        select(
            measured.c.sal_id,
            measured.c.theme,
            measured.c.d2,
            case((rim, 1), else_=0).label("rim"),
            func.count().over().label("total"),
        )
        .order_by(case((rim, 0), else_=1), key, measured.c.sal_id)
        .limit(bindparam("nearest", type_=Integer))
        .subquery("nearest")
    )
    return (
        select(*_RANKED_COLUMNS, nearest.c.d2, nearest.c.rim, nearest.c.total)
        .select_from(nearest)
        .join(
            SearchPoint,
            (SearchPoint.service_at_location_id == nearest.c.sal_id)
            & (SearchPoint.theme == nearest.c.theme),
        )
    )


@lru_cache(maxsize=8)
def _circle_statement(free_only: bool, walk_in_only: bool, by_age: bool) -> Select[Any]:
    """Every place of the circle with what ranks it: for "open now", or when the nearest few
    did not fill the page."""
    return _in_circle(select(*_RANKED_COLUMNS), free_only, walk_in_only, by_age)


def _candidate_params(query: SearchQuery, circle: _Circle) -> dict[str, Any]:
    box = circle.box
    params: dict[str, Any] = {
        "theme": query.theme.value,
        "min_lat": box.min_lat,
        "max_lat": box.max_lat,
        "min_lon": box.min_lon,
        "max_lon": box.max_lon,
        "lat0": query.place.latitude,
        "lon0": query.place.longitude,
        "m_per_lon": circle.metres_per_lon_degree,
        "outer_m2": circle.outer_m2,
        "inner_m2": circle.inner_m2,
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
    """Rows linked to any of several id lists, e.g. closures of these services *or* places.

    One query ``a IN (…) OR b IN (…)`` — each term uses its partial index — built once per
    combination of non-empty lists (``_cards`` keeps the lists short).
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
        params = {f"ids{i}": list(id_lists[i]) for i in present}
        return list(await conn.execute(self._statement(present), params))


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
_PHONE, _DOCUMENT = "phone", "document"
# What links a phone to a card, in the order of ``_cards``' id lists: the service here, the
# service, the place, the organization.
_PHONE_LINKS = (
    Phone.service_at_location_id,
    Phone.service_id,
    Phone.location_id,
    Phone.organization_id,
)


@lru_cache(maxsize=16)
def _linked_statement(present: tuple[int, ...]) -> CompoundSelect[Any]:
    """The phones linked to a page's cards by any of its non-empty id lists (``ids0`` to
    ``ids3``), and the documents to bring for its services (``ids1``): one query.

    ``text`` is the number or the document, ``detail`` the phone's type or the document
    in English.
    """
    phones = select(
        literal(_PHONE).label("kind"),
        Phone.id,
        Phone.number.label("text"),
        Phone.type.label("detail"),
        *_PHONE_LINKS,
    ).where(or_(*(_PHONE_LINKS[i].in_(bindparam(f"ids{i}", expanding=True)) for i in present)))
    documents = select(
        literal(_DOCUMENT),
        RequiredDocument.id,
        RequiredDocument.document,
        RequiredDocument.document_en,
        null(),
        RequiredDocument.service_id,
        null(),
        null(),
    ).where(RequiredDocument.service_id.in_(bindparam("ids1", expanding=True)))
    return union_all(phones, documents)


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
            if belongs(phone) and (phone.detail or "").lower() in PHONE_TYPES_SHOWN:
                number: str = phone.text
                return number
    return None
