"""How long the needs & gaps report takes on a busy quarter, on SQLite.

Run: ``.venv/bin/python -m benchmarks.report`` (options: ``--events``, ``--cases``). A
temporary SQLite database is migrated and filled with generated insight events spread over
13 weeks (themes, areas, outcomes, poster codes, languages as a busy team would see them)
and cases with waiting times; then ``passerelle report``'s own path — read counts, mask,
draw six charts, write CSV files and the page — is timed end to end, three times.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot.cli_report import make_report
from bot.settings import load_settings
from flows.domain import Language, Theme
from flows.insights import InsightKind, Reach
from resources_db.crypto import generate_key
from resources_db.db import create_engine
from resources_db.migrate import upgrade_async
from resources_db.models.handoff import CaseRow
from resources_db.models.insights import InsightRow

ZONE = ZoneInfo("America/Montreal")
FIRST_WEEK = date(2026, 9, 7)
WEEKS = 13
AREAS = ("J1H", "J1E", "J1G", "J1J", "J1K", "J1L", "J1M", "Jacques-Cartier", "Fleurimont", None)
CODES = ("parc-jc", "banque-alim", "hlm-fleurimont", "ecole-mitchell", None, None, None)


def events(count: int, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    themes = list(Theme)
    for _ in range(count):
        kind = rng.choice((InsightKind.NEED, InsightKind.SEARCH, InsightKind.ARRIVAL))
        week = FIRST_WEEK + timedelta(weeks=rng.randrange(WEEKS))
        row: dict[str, object] = {
            "kind": kind.value,
            "week": week,
            "weekday": rng.randrange(7),
            "hour": rng.randrange(24),
            **dict.fromkeys(("theme", "area", "reach", "source", "language", "came_back")),
        }
        if kind is InsightKind.ARRIVAL:
            row["source"] = rng.choice(CODES)
            row["language"] = rng.choice((Language.FR, Language.FR, Language.EN)).value
            row["came_back"] = rng.random() < 0.1
        else:
            row["theme"] = rng.choice(themes).value
            row["area"] = rng.choice(AREAS)
            if kind is InsightKind.SEARCH:
                row["reach"] = rng.choice(list(Reach)).value
        rows.append(row)
    return rows


def cases(count: int, rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    start = datetime.combine(FIRST_WEEK, time(0), ZONE)
    for n in range(count):
        queued = start + timedelta(minutes=rng.randrange(WEEKS * 7 * 24 * 60))
        taken = queued + timedelta(minutes=rng.randrange(1, 240))
        rows.append(
            {
                "pseudonym": f"{n:064d}",
                "alias": f"Renard-{n % 100}",
                "priority": rng.choice(("urgent", "high", "normal", "normal")),
                "reason": "asked_for_human",
                "status": "closed",
                "opened_at": queued,
                "queued_at": queued,
                "taken_at": taken,
                "closed_at": taken + timedelta(minutes=30),
                "context": {},
                "crisis_flags": 0,
                "history": [{"at": taken.isoformat(), "status": "taken", "by": "w", "detail": ""}],
                "shown_flags": 0,
            }
        )
    return rows


async def main(event_count: int, case_count: int) -> None:
    rng = random.Random(20261124)  # noqa: S311 - generated test data, not a secret
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade_async(url)
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.execute(insert(InsightRow), events(event_count, rng))
            await connection.execute(insert(CaseRow), cases(case_count, rng))
        await engine.dispose()
        settings = load_settings(
            _env_file=None,
            database_url=url,
            pseudonym_key="b" * 40,
            encryption_key=generate_key(),
            team_name="Banc d’essai",
        )
        last = FIRST_WEEK + timedelta(weeks=WEEKS - 1)
        timings = []
        for run in range(3):
            started = clock.perf_counter()
            written = await make_report(
                settings, FIRST_WEEK, last, Path(folder) / f"out{run}", Language.FR
            )
            timings.append(clock.perf_counter() - started)
        print(
            f"report over {WEEKS} weeks, {event_count} events, {case_count} cases, SQLite: "
            f"{len(written)} files; median {statistics.median(timings):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in timings)})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=2_000)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.cases))
