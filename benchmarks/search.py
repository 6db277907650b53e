"""Nearby-search latency at 1k, 10k and 100k generated services, SQLite and PostgreSQL.

Run: ``.venv/bin/python -m benchmarks.search`` (options: ``--sizes``, ``--queries``,
``--backends``). Each size gets a fresh database (a temporary SQLite file; a PostgreSQL
database created and dropped on ``BENCH_POSTGRES_URL``, default the local server), migrated
with Alembic and filled with generated services: clustered around Québec cities like real
services are, with the rest spread over the southern half of the province.

What is timed is ``SqlResourceDirectory.search`` end to end — session, SQL, distances,
hours, the order, cards: "theme + place" and "+ open now" for a page of three full cards
(phones, documents, closures: as the workers' desk and the CLI call it); "bot list" for the
bot's own call, a brief page of five lines (the person sees one compact list); "card tap"
for ``SqlResourceDirectory.card``, when the person opens one place from that list.
A tenth of the generated services are beds with a last entry at 23:00 and some are for
women or youth only (from a separate random stream, so the rest matches older runs).
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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from flows.directory import Place, SearchQuery
from flows.domain import Jurisdiction, Theme
from resources_db.db import create_engine, session_factory
from resources_db.directory import SqlResourceDirectory
from resources_db.migrate import upgrade_async
from resources_db.models.resources import (
    Address,
    Location,
    Organization,
    Phone,
    Schedule,
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


@dataclass(frozen=True, slots=True)
class Result:
    """Latencies of one backend, size and query kind."""

    backend: str
    size: int
    kind: str
    p50_ms: float
    p95_ms: float
    mean_results: float


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


async def _measure(url: str, backend: str, size: int, queries: int) -> list[Result]:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        await _fill(engine, size, seed=size)
        directory = SqlResourceDirectory(session_factory(engine), Jurisdiction.QC, TZ)
        results = []
        kinds = (("theme + place", False, False), ("+ open now", True, False))
        for kind, open_now, bot in (*kinds, ("bot list (5 lines)", False, True)):
            batch = _queries(WARMUP + queries, seed=7, open_now=open_now, bot=bot)
            for query in batch[:WARMUP]:
                await directory.search(query)
            timings, found = [], []
            taps: list[tuple[str, SearchQuery]] = []
            for query in batch[WARMUP:]:
                start = clock.perf_counter()
                page = await directory.search(query)
                timings.append((clock.perf_counter() - start) * 1000)
                found.append(page.total)
                if bot and page.cards:
                    taps.append((page.cards[0].service_id, query))
            timings.sort()
            results.append(
                Result(
                    backend,
                    size,
                    kind,
                    statistics.median(timings),
                    timings[max(0, math.ceil(0.95 * len(timings)) - 1)],
                    statistics.fmean(found),
                )
            )
        if taps:
            timings = []
            for service_id, query in taps:
                start = clock.perf_counter()
                await directory.card(service_id, query.place, query.at, query.language)
                timings.append((clock.perf_counter() - start) * 1000)
            timings.sort()
            results.append(
                Result(
                    backend,
                    size,
                    "card tap",
                    statistics.median(timings),
                    timings[max(0, math.ceil(0.95 * len(timings)) - 1)],
                    1,
                )
            )
        return results
    finally:
        await engine.dispose()


async def _sqlite(size: int, queries: int) -> list[Result]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return await _measure(url, "SQLite", size, queries)


async def _postgres(size: int, queries: int) -> list[Result]:
    name = f"passerelle_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        return await _measure(f"{base}/{name}", "PostgreSQL", size, queries)
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def table(results: list[Result]) -> str:
    """A Markdown table of the results."""
    lines = [
        "| backend | services | query | p50 (ms) | p95 (ms) | mean matches |",
        "|---|---:|---|---:|---:|---:|",
    ]
    lines.extend(
        f"| {r.backend} | {r.size:,} | {r.kind} | {r.p50_ms:.2f} | {r.p95_ms:.2f} "
        f"| {r.mean_results:.0f} |"
        for r in results
    )
    return "\n".join(lines)


async def run(sizes: list[int], queries: int, backends: list[str]) -> list[Result]:
    """Measure every backend at every size."""
    results: list[Result] = []
    for backend in backends:
        for size in sizes:
            runner = _sqlite if backend == "sqlite" else _postgres
            results.extend(await runner(size, queries))
    return results


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    results = asyncio.run(run(sizes, args.queries, backends))
    print(table(results))


if __name__ == "__main__":
    main()
