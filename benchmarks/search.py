"""Nearby-search latency at 1k, 10k and 100k generated services, against a plain baseline.

Run: ``.venv/bin/python -m benchmarks.search`` (options: ``--sizes``, ``--queries``,
``--backends``, ``--runs``). Each size gets a fresh database (a temporary SQLite file; a
PostgreSQL database created and dropped on ``BENCH_POSTGRES_URL``, default the local
server), migrated with Alembic and filled with generated services: clustered around Québec
cities like real services are, with the rest spread over the southern half of the province.

What is timed is ``SqlResourceDirectory.search`` end to end — session, SQL, distances,
hours, the order, cards: "theme + place" and "+ open now" for a page of three full cards
(phones, documents, closures: as the workers' desk and the CLI call it); "bot list" for the
bot's own call, a brief page of five lines (the person sees one compact list); "card tap"
for ``SqlResourceDirectory.card``, when the person opens one place from that list.
A tenth of the generated services are beds with a last entry at 23:00 and some are for
women or youth only (from a separate random stream, so the rest matches older runs).

Each query is also answered by ``Baseline``, the plainest design that gives the same
answer, on the same database, in the same run, alternating with the real search (one
query the product first, the next the baseline first): what the product's ranking, hours
and cards cost above that is the ratio reported. The baseline is:

1. one query on the covering index of ``search_point``: this theme inside the bounding box
   and the circle, nearest first, ``LIMIT`` the page, with ``COUNT(*) OVER ()`` for the
   total the list's header shows; the same SQL-side filters (free, walk-in, age) and the
   same widening of the radius when nothing is found. The distance is the simplest one SQL
   computes the same on both databases without an extension: the equirectangular
   approximation, ``dy² + (dx·cos φ₀)²`` in metres (cos φ₀ computed once, in Python). Inside
   50 km it differs from the haversine the product uses by well under 1 %, so a place on
   the rim of the circle may be counted by one and not the other; the sanity column
   "same total" says how often the two totals agree;
2. one query for those places' details — what a list line needs (name, point, whether the
   distance is rounded, hours, last entry, capacity), plus for a full card the
   organisation, the address, the service's phone and what to bring (outer joins) — then,
   for each line of the page, the exact distance and the hours status the line shows,
   with ``resources_db.hours``.

"Open now" cannot be answered by an index: whether a place is open is a rule on its hours
(weekly slots, OSM strings, holidays, closures, a bed's last entry), evaluated in Python
by ``resources_db.hours``. So for "+ open now" the baseline's first query returns every
place of the circle with its hours (nearest first, no ``LIMIT``), and it evaluates them
with the same functions as the product (``is_open``, and ``status`` for a last entry), each
distinct schedule once — as the product does; a baseline that evaluated hours in some
cheaper, different way would not answer the same question, and one that evaluated the same
schedule hundreds of times would flatter the product. It counts the open ones and keeps
the first page. For the other kinds the baseline orders by distance only: the product's
order (fits the person, can go now, youth for a minor, distance shown) is part of what the
ratio measures. "card tap" has a baseline too: one query for the service's points and
details, the nearest picked in Python.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import tempfile
import time as clock
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import Float, Integer, Select, bindparam, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from flows.directory import Place, SearchQuery
from flows.domain import Jurisdiction, Theme
from resources_db import geo
from resources_db.db import create_engine, session_factory
from resources_db.directory import SqlResourceDirectory, widening_radii
from resources_db.hours import HolidayCalendar, decode, is_open, status
from resources_db.migrate import upgrade_async
from resources_db.models.resources import (
    Address,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    SearchPoint,
    Service,
    ServiceAtLocation,
    ServicePopulation,
    ServiceTheme,
)
from resources_db.search_index import refresh_search_points

POSTGRES_ADMIN_DSN = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TZ = ZoneInfo("America/Montreal")
# (name, latitude, longitude, share of clustered services)
CITIES = (
    ("Montréal", 45.508, -73.587, 0.42),
    ("Québec", 46.813, -71.208, 0.14),
    ("Laval", 45.570, -73.692, 0.08),
    ("Gatineau", 45.477, -75.701, 0.07),
    ("Longueuil", 45.531, -73.518, 0.07),
    ("Sherbrooke", 45.404, -71.893, 0.07),
    ("Trois-Rivières", 46.343, -72.543, 0.06),
    ("Saguenay", 48.428, -71.068, 0.05),
    ("Rimouski", 48.449, -68.524, 0.04),
)
CLUSTERED_SHARE = 0.7
CLUSTER_SIGMA_KM = 6.0
WARMUP = 20
BATCH = 5_000
# (label, open now, the bot's brief list of five)
KINDS = (
    ("theme + place", False, False),
    ("+ open now", True, False),
    ("bot list (5 lines)", False, True),
)
CARD_TAP = "card tap"


@dataclass(frozen=True, slots=True)
class Timing:
    """One run of one query kind: percentiles of the product and of the baseline, in ms."""

    p50_ms: float
    p95_ms: float
    base_p50_ms: float
    base_p95_ms: float

    @property
    def ratio(self) -> float:
        """The product's p95 over the baseline's."""
        return self.p95_ms / self.base_p95_ms


@dataclass(slots=True)
class Result:
    """Latencies of one backend, size and query kind, over every run."""

    backend: str
    size: int
    kind: str
    runs: list[Timing] = field(default_factory=list)
    mean_results: float = 0.0
    same_total: float = 1.0  # share of queries where the baseline found as many

    def median(self, name: str) -> float:
        """The median over the runs of one figure of ``Timing``."""
        return float(statistics.median(getattr(t, name) for t in self.runs))


def _point(rng: random.Random) -> tuple[float, float]:
    if rng.random() < CLUSTERED_SHARE:
        _, lat, lon, _ = rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
        sigma_lat = CLUSTER_SIGMA_KM / 111.2
        sigma_lon = CLUSTER_SIGMA_KM / (111.2 * math.cos(math.radians(lat)))
        return rng.gauss(lat, sigma_lat), rng.gauss(lon, sigma_lon)
    return rng.uniform(45.0, 49.0), rng.uniform(-79.5, -64.5)


def _rows(size: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Generated tables for ``size`` services, one location each."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not a secret
    extra = random.Random(seed + 1)  # noqa: S311 - the same, for the fields added later
    themes = list(Theme)
    tables: dict[str, list[dict[str, Any]]] = {
        name: [] for name in ("org", "loc", "svc", "sal", "theme", "sched", "addr", "phone", "pop")
    }
    now = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(size):
        if i % 5 == 0:
            org_id = f"org-{i}"
            tables["org"].append({"id": org_id, "name": f"Organisme {i}", "demo": True})
        sid, lid = f"svc-{i}", f"loc-{i}"
        lat, lon = _point(rng)
        always = rng.random() < 0.08
        tables["loc"].append(
            {
                "id": lid,
                "organization_id": org_id,
                "location_type": "physical",
                "latitude": lat,
                "longitude": lon,
                "confidential": rng.random() < 0.03,
                "demo": True,
            }
        )
        tables["svc"].append(
            {
                "id": sid,
                "organization_id": org_id,
                "name": f"Service {i}",
                "status": "active" if rng.random() < 0.97 else "inactive",
                "free": rng.random() < 0.7,
                "walk_in": rng.random() < 0.6,
                "minimum_age": rng.choice([None, None, None, 12, 16, 18]),
                "maximum_age": rng.choice([None, None, None, 25, 30]),
                "always_open": always,
                "holidays": rng.choice(["open", "closed", "unknown"]),
                "assured_date": now.date(),
                "demo": True,
                "last_entry": time(23) if extra.random() < 0.1 else None,
            }
        )
        audience = extra.random()
        if audience < 0.05:
            tables["pop"].append({"service_id": sid, "population": "women"})
        elif audience < 0.1:
            tables["pop"].append({"service_id": sid, "population": "youth"})
        tables["sal"].append({"id": f"sal-{i}", "service_id": sid, "location_id": lid})
        for theme in rng.sample(themes, rng.choice([1, 1, 2, 3])):
            tables["theme"].append({"service_id": sid, "theme": theme.value})
        if not always:
            opens = rng.choice([7, 8, 9, 10, 13])
            tables["sched"].append(
                {
                    "id": f"sch-{i}",
                    "service_id": sid,
                    "freq": "WEEKLY",
                    "byday": rng.choice(["MO,TU,WE,TH,FR", "MO,WE,FR", "TU,TH,SA", "SA,SU"]),
                    "opens_at": time(opens),
                    "closes_at": time(min(23, opens + rng.choice([3, 4, 8, 9]))),
                }
            )
        tables["addr"].append(
            {
                "id": f"adr-{i}",
                "location_id": lid,
                "address_1": f"{rng.randint(1, 2999)} rue Principale",
                "city": "Ville",
                "state_province": "QC",
                "postal_code": "H0H 0H0",
                "country": "CA",
                "address_type": "physical",
            }
        )
        tables["phone"].append({"id": f"tel-{i}", "service_id": sid, "number": "+1 819 555-0100"})
    return tables


async def _fill(engine: AsyncEngine, size: int, seed: int) -> None:
    tables = _rows(size, seed)
    order = (
        (Organization, "org"),
        (Location, "loc"),
        (Service, "svc"),
        (ServiceAtLocation, "sal"),
        (ServiceTheme, "theme"),
        (ServicePopulation, "pop"),
        (Schedule, "sched"),
        (Address, "addr"),
        (Phone, "phone"),
    )
    async with engine.begin() as conn:
        for model, key in order:
            rows = tables[key]
            for start in range(0, len(rows), BATCH):
                await conn.execute(insert(model), rows[start : start + BATCH])
    async with session_factory(engine)() as session:
        await refresh_search_points(session)
        await session.commit()
    # Fresh statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) would
    # have after a bulk load; VACUUM also lets PostgreSQL answer from the index alone.
    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql(statement)


def _queries(count: int, seed: int, open_now: bool, *, bot: bool = False) -> list[SearchQuery]:
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not a secret
    at = datetime(2026, 11, 18, 15, 30, tzinfo=TZ)  # a Wednesday afternoon
    queries = []
    for _ in range(count):
        _, lat, lon, _ = rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
        place = Place(
            round(lat + rng.uniform(-0.05, 0.05), 3), round(lon + rng.uniform(-0.05, 0.05), 3)
        )
        query = SearchQuery(theme=rng.choice(list(Theme)), place=place, at=at, open_now=open_now)
        if bot:
            # As flows/engine.py asks: a brief page of five, with the age and gender said.
            query = replace(query, limit=5, brief=True, age=30, gender="man")
        queries.append(query)
    return queries


# --- the baseline -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BaselineLine:
    """What the baseline shows of one place: enough for a list line (or a plain card)."""

    service_id: str
    name: str
    distance_m: int
    open_now: bool | None
    address: str | None = None
    phone: str | None = None
    what_to_bring: str | None = None


@dataclass(frozen=True, slots=True)
class BaselinePage:
    """The baseline's page and the total its header would say."""

    lines: tuple[BaselineLine, ...]
    total: int
    radius_m: int


def _planar_m2() -> Any:
    """Squared equirectangular distance in metres from the bound point (lat0, lon0)."""
    dy = (SearchPoint.latitude - bindparam("lat0", type_=Float)) * geo.METRES_PER_DEGREE_LAT
    dx = (SearchPoint.longitude - bindparam("lon0", type_=Float)) * bindparam("m_lon", type_=Float)
    return dy * dy + dx * dx


@lru_cache(maxsize=16)
def _baseline_ids(open_now: bool, free_only: bool, walk_in_only: bool, by_age: bool) -> Select[Any]:
    """This theme inside the box and the circle, nearest first: the page (or, open now, all)."""
    d2 = _planar_m2()
    columns: list[Any] = [SearchPoint.service_at_location_id, SearchPoint.service_id]
    if open_now:
        columns += [SearchPoint.hours, SearchPoint.last_entry]
    else:
        columns.append(func.count().over().label("total"))
    stmt = select(*columns).where(
        SearchPoint.theme == bindparam("theme"),
        SearchPoint.latitude.between(bindparam("min_lat"), bindparam("max_lat")),
        SearchPoint.longitude.between(bindparam("min_lon"), bindparam("max_lon")),
        d2 <= bindparam("r2", type_=Float),
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
    stmt = stmt.order_by(d2, SearchPoint.service_at_location_id)
    if not open_now:
        stmt = stmt.limit(bindparam("limit", type_=Integer)).offset(
            bindparam("offset", type_=Integer)
        )
    return stmt


@lru_cache(maxsize=2)
def _baseline_details(full: bool) -> Select[Any]:
    """One query for the page's places: a list line's fields, and for a full card a bit more."""
    columns: list[Any] = [
        ServiceAtLocation.id.label("sal_id"),
        Service.id.label("service_id"),
        Service.name,
        Service.capacity_level,
        Service.capacity_updated_at,
        Location.latitude,
        Location.longitude,
        Location.confidential,
        Location.area,
        SearchPoint.hours,
        SearchPoint.last_entry,
    ]
    if full:
        columns += [
            Organization.name.label("organization"),
            Address.address_1,
            Address.address_2,
            Address.city,
            Phone.number,
            RequiredDocument.document,
        ]
    stmt = (
        select(*columns)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(
            SearchPoint,
            (SearchPoint.service_at_location_id == ServiceAtLocation.id)
            & (SearchPoint.theme == bindparam("theme")),
        )
    )
    if full:
        stmt = (
            stmt.outerjoin(Organization, Organization.id == Service.organization_id)
            .outerjoin(Address, Address.location_id == Location.id)
            .outerjoin(Phone, Phone.service_id == Service.id)
            .outerjoin(RequiredDocument, RequiredDocument.service_id == Service.id)
        )
    return stmt.where(ServiceAtLocation.id.in_(bindparam("sal_ids", expanding=True)))


class Baseline:
    """The plain design: the page's ids from the covering index, then one query for details."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], timezone: ZoneInfo) -> None:
        self._sessions = sessions
        self._timezone = timezone
        self._calendar = HolidayCalendar(Jurisdiction.QC)

    async def search(self, query: SearchQuery) -> BaselinePage:
        """The page of ``query``: nearest first (open ones only for "open now")."""
        origin = query.place
        statement = _baseline_ids(
            query.open_now, query.free_only, query.walk_in_only, query.age is not None
        )
        page_ids: list[tuple[str, str]] = []
        total = 0
        radii = widening_radii(query.radius_m)
        radius = radii[0]
        async with self._sessions() as session:
            conn = await session.connection()
            for radius in radii:
                box = geo.bounding_box(origin.latitude, origin.longitude, radius)
                params: dict[str, Any] = {
                    "theme": query.theme.value,
                    "min_lat": box.min_lat,
                    "max_lat": box.max_lat,
                    "min_lon": box.min_lon,
                    "max_lon": box.max_lon,
                    "lat0": origin.latitude,
                    "lon0": origin.longitude,
                    "m_lon": geo.METRES_PER_DEGREE_LAT * math.cos(math.radians(origin.latitude)),
                    "r2": float(radius) ** 2,
                }
                if query.age is not None:
                    params["age"] = query.age
                if query.open_now:
                    page_ids, total = self._open(await conn.execute(statement, params), query)
                else:
                    params |= {"limit": query.limit, "offset": query.offset}
                    rows = list(await conn.execute(statement, params))
                    page_ids = [(r[0], r[1]) for r in rows]
                    total = rows[0][2] if rows else 0
                if total:
                    break
            lines = await self._lines(conn, page_ids, query, full=not query.brief)
        return BaselinePage(lines, total, radius)

    def _open(self, rows: Any, query: SearchQuery) -> tuple[list[tuple[str, str]], int]:
        """The open places of the circle, in the order given: the page and how many."""
        usable: dict[tuple[str, time | None], bool] = {}
        found = []
        for sal_id, service_id, hours_text, last_entry in rows:
            answer = usable.get((hours_text, last_entry))
            if answer is None:
                answer = self._usable(hours_text, last_entry, query.at)
                usable[hours_text, last_entry] = answer
            if answer:
                found.append((sal_id, service_id))
        return found[query.offset : query.offset + query.limit], len(found)

    def _usable(self, hours_text: str, last_entry: time | None, at: datetime) -> bool:
        """Open now, and (a bed) tonight's last entry not yet passed: the product's rule."""
        hours = decode(hours_text)
        if is_open(hours, at, self._timezone, self._calendar) is not True:
            return False
        if last_entry is None:
            return True
        state = status(hours, at, self._timezone, self._calendar)
        if not state.open_now or state.next_change is None:
            return bool(state.open_now)
        local = at.astimezone(self._timezone)
        entry = datetime.combine(local.date(), last_entry, tzinfo=self._timezone)
        if entry <= local:
            entry = datetime.combine(local.date() + timedelta(days=1), last_entry, self._timezone)
        return entry <= state.next_change

    async def _lines(
        self,
        conn: AsyncConnection,
        page_ids: list[tuple[str, str]],
        query: SearchQuery,
        *,
        full: bool,
    ) -> tuple[BaselineLine, ...]:
        if not page_ids:
            return ()
        params = {"sal_ids": [sal_id for sal_id, _ in page_ids], "theme": query.theme.value}
        rows: dict[str, list[Any]] = {}
        for row in await conn.execute(_baseline_details(full), params):
            rows.setdefault(row.sal_id, []).append(row)
        return tuple(
            self._line(rows[sal_id], query.place, query.at, full=full) for sal_id, _ in page_ids
        )

    def _line(self, rows: list[Any], origin: Place, at: datetime, *, full: bool) -> BaselineLine:
        """A line from one place's rows: the first address and phone, every document."""
        row = rows[0]
        distance = geo.haversine_m(origin.latitude, origin.longitude, row.latitude, row.longitude)
        state = status(decode(row.hours), at, self._timezone, self._calendar)
        address = None
        if full and not row.confidential:
            address = ", ".join(p for p in (row.address_1, row.address_2, row.city) if p) or None
        return BaselineLine(
            row.service_id,
            row.name,
            round(distance),
            state.open_now,
            address,
            row.number if full else None,
            "; ".join(dict.fromkeys(r.document for r in rows if r.document)) if full else None,
        )

    async def card(self, service_id: str, place: Place, at: datetime) -> BaselineLine | None:
        """One place opened from the list: its details, at its point nearest to ``place``."""
        async with self._sessions() as session:
            conn = await session.connection()
            rows = list(await conn.execute(_BASELINE_CARD, {"service_id": service_id}))
        if not rows:
            return None
        nearest = min(
            rows,
            key=lambda r: geo.haversine_m(place.latitude, place.longitude, r.latitude, r.longitude),
        )
        here = [r for r in rows if r.sal_id == nearest.sal_id]
        return self._line(here, place, at, full=True)


_BASELINE_CARD = (
    select(
        SearchPoint.service_at_location_id.label("sal_id"),
        Service.id.label("service_id"),
        Service.name,
        Location.latitude,
        Location.longitude,
        Location.confidential,
        SearchPoint.hours,
        Organization.name.label("organization"),
        Address.address_1,
        Address.address_2,
        Address.city,
        Phone.number,
        RequiredDocument.document,
    )
    .join(Service, Service.id == SearchPoint.service_id)
    .join(Location, Location.id == SearchPoint.location_id)
    .outerjoin(Organization, Organization.id == Service.organization_id)
    .outerjoin(Address, Address.location_id == Location.id)
    .outerjoin(Phone, Phone.service_id == Service.id)
    .outerjoin(RequiredDocument, RequiredDocument.service_id == Service.id)
    .where(SearchPoint.service_id == bindparam("service_id"))
)


# --- measuring ----------------------------------------------------------------------------


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


async def _timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    start = clock.perf_counter()
    answer = await call()
    return (clock.perf_counter() - start) * 1000, answer


async def _pair(
    first_is_product: bool,
    product: Callable[[], Awaitable[Any]],
    baseline: Callable[[], Awaitable[Any]],
) -> tuple[float, Any, float, Any]:
    """Both answers to one query, in the order given: (product ms, page, baseline ms, page)."""
    if first_is_product:
        p_ms, page = await _timed(product)
        b_ms, base = await _timed(baseline)
    else:
        b_ms, base = await _timed(baseline)
        p_ms, page = await _timed(product)
    return p_ms, page, b_ms, base


async def _one_run(
    directory: SqlResourceDirectory, baseline: Baseline, results: dict[str, Result], queries: int
) -> None:
    taps: list[tuple[str, SearchQuery]] = []
    for kind, open_now, bot in KINDS:
        batch = _queries(WARMUP + queries, seed=7, open_now=open_now, bot=bot)
        for query in batch[:WARMUP]:
            await directory.search(query)
            await baseline.search(query)
        product_ms, baseline_ms, found, same = [], [], [], 0
        for i, query in enumerate(batch[WARMUP:]):
            p_ms, page, b_ms, base = await _pair(
                i % 2 == 0,
                partial(directory.search, query),
                partial(baseline.search, query),
            )
            product_ms.append(p_ms)
            baseline_ms.append(b_ms)
            found.append(page.total)
            same += page.total == base.total
            if bot and page.cards:
                taps.append((page.cards[0].service_id, query))
        result = results[kind]
        result.runs.append(
            Timing(
                statistics.median(product_ms),
                _p95(product_ms),
                statistics.median(baseline_ms),
                _p95(baseline_ms),
            )
        )
        result.mean_results = statistics.fmean(found)
        result.same_total = same / len(found)
    if taps:
        product_ms, baseline_ms = [], []
        for i, (service_id, query) in enumerate(taps):
            p_ms, _, b_ms, _ = await _pair(
                i % 2 == 0,
                partial(directory.card, service_id, query.place, query.at, query.language),
                partial(baseline.card, service_id, query.place, query.at),
            )
            product_ms.append(p_ms)
            baseline_ms.append(b_ms)
        results[CARD_TAP].runs.append(
            Timing(
                statistics.median(product_ms),
                _p95(product_ms),
                statistics.median(baseline_ms),
                _p95(baseline_ms),
            )
        )
        results[CARD_TAP].mean_results = 1


async def _measure(url: str, backend: str, size: int, queries: int, runs: int) -> list[Result]:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        await _fill(engine, size, seed=size)
        sessions = session_factory(engine)
        directory = SqlResourceDirectory(sessions, Jurisdiction.QC, TZ)
        baseline = Baseline(sessions, TZ)
        labels = [kind for kind, _, _ in KINDS] + [CARD_TAP]
        results = {label: Result(backend, size, label) for label in labels}
        for _ in range(runs):
            await _one_run(directory, baseline, results, queries)
        return [r for r in results.values() if r.runs]
    finally:
        await engine.dispose()


async def _sqlite(size: int, queries: int, runs: int) -> list[Result]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return await _measure(url, "SQLite", size, queries, runs)


async def _postgres(size: int, queries: int, runs: int) -> list[Result]:
    name = f"passerelle_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        return await _measure(f"{base}/{name}", "PostgreSQL", size, queries, runs)
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def table(results: list[Result]) -> str:
    """A Markdown table of the results: medians over the runs, and the ratio's spread."""
    lines = [
        "| backend | services | query | Passerelle p50 / p95 (ms) | baseline p50 / p95 (ms) "
        "| p95 ratio: median (min–max) | mean matches | same total |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratios = [t.ratio for t in r.runs]
        lines.append(
            f"| {r.backend} | {r.size:,} | {r.kind} "
            f"| {r.median('p50_ms'):.2f} / {r.median('p95_ms'):.2f} "
            f"| {r.median('base_p50_ms'):.2f} / {r.median('base_p95_ms'):.2f} "
            f"| {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) "
            f"| {r.mean_results:.0f} | {100 * r.same_total:.0f} % |"
        )
    return "\n".join(lines)


async def run(sizes: list[int], queries: int, backends: list[str], runs: int) -> list[Result]:
    """Measure every backend at every size."""
    results: list[Result] = []
    for backend in backends:
        for size in sizes:
            runner = _sqlite if backend == "sqlite" else _postgres
            results.extend(await runner(size, queries, runs))
    return results


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3, help="timed passes over each database")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    results = asyncio.run(run(sizes, args.queries, backends, args.runs))
    load_after = os.getloadavg()
    print(table(results))
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, {args.runs} run(s) of {args.queries} queries; "
        f"load average (1, 5, 15 min) at start {_load(load_before)}, at end {_load(load_after)}"
    )


def _load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


if __name__ == "__main__":
    main()
