"""SQLite through aiosqlite's thread against the project's driver on the event loop's thread.

Times a transaction shaped like a turn's (``BEGIN IMMEDIATE``, a read by key, three
inserts, an update, an insert with ``RETURNING``, commit) on a temporary WAL database with
the project's pragmas, through SQLAlchemy's stock ``sqlite+aiosqlite`` engine and through
``resources_db.db.create_engine`` (``resources_db.sqlite_driver``), alternating, in one run.
A 1 ms pause between transactions lets the loop idle as it does between paced turns.

    .venv/bin/python -m benchmarks.sqlite_driver [--transactions 600] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from resources_db import db

WARM_UP = 100


def _stock(url: str) -> AsyncEngine:
    """SQLAlchemy's aiosqlite engine (its thread, SQLite's own 5 s busy wait) with the
    project's pragmas and ``BEGIN IMMEDIATE``."""
    engine = create_async_engine(url, pool_size=1, max_overflow=0)
    db.prepare_sqlite(engine)
    return engine


async def _time(engine: AsyncEngine, transactions: int) -> list[float]:
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)")
        )
    times = []
    for i in range(transactions + WARM_UP):
        began = time.perf_counter()
        async with engine.begin() as connection:
            await connection.execute(text("SELECT * FROM t WHERE id = :i"), {"i": i})
            for _ in range(3):
                await connection.execute(
                    text("INSERT INTO t (a, b) VALUES (:a, :b)"), {"a": "x" * 60, "b": i}
                )
            await connection.execute(text("UPDATE t SET b = b + 1 WHERE id = :i"), {"i": i})
            await connection.execute(
                text("INSERT INTO t (a, b) VALUES (:a, :b) RETURNING id"), {"a": "y", "b": i}
            )
        times.append((time.perf_counter() - began) * 1000)
        await asyncio.sleep(0.001)
    await engine.dispose()
    return times[WARM_UP:]


async def main(transactions: int, runs: int) -> None:
    figures: dict[str, list[tuple[float, float]]] = {"aiosqlite": [], "on the loop": []}
    for _ in range(runs):
        for name, measured in figures.items():
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite+aiosqlite:///{Path(folder) / 'driver.db'}"
                engine = _stock(url) if name == "aiosqlite" else db.create_engine(url)
                times = sorted(await _time(engine, transactions))
            measured.append((statistics.median(times), times[int(len(times) * 0.95)]))
            print(f"  {name:<12} p50 {measured[-1][0]:.3f} ms  p95 {measured[-1][1]:.3f}")
    print("\n| driver | p50 ms (median of runs) | p95 ms |\n|---|---:|---:|")
    for name, values in figures.items():
        p50 = statistics.median(v[0] for v in values)
        p95 = statistics.median(v[1] for v in values)
        print(f"| {name} | {p50:.2f} | {p95:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.transactions, arguments.runs))
