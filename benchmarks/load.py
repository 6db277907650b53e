"""Load through the whole transport: N people × 5 commands at once, the real bot in-process.

The bot polls the fake Bot API over HTTP on 127.0.0.1, stores every update in the inbox,
handles the turns and sends every answer through the outbox, as ``passerelle run`` does.
Reported: the time until every message was answered, the throughput, and the turn latency
(from the bot's own histogram).

    .venv/bin/python -m benchmarks.load [--people 200] [--database postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from resources_db.migrate import upgrade_async
from tests.e2e.harness import e2e_settings, running_bot
from tests.e2e.processes import Load
from tests.fakes.bot_api import FakeBotApi


async def run(people: int, database_url: str, per_second: float) -> None:
    await upgrade_async(database_url)
    async with FakeBotApi() as api:
        settings = e2e_settings(api, database_url, telegram_max_per_second=per_second)
        async with running_bot(api, settings) as bot:
            load = Load(api, people)
            start = time.perf_counter()
            load.push()
            while load.report().missing:  # noqa: ASYNC110 - polling is the measurement
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - start
            await bot.settled(timeout=120)
            report = load.report()
            histogram = bot.bot.metrics.turn_seconds.labels("person")
            count = sum(b.get() for b in histogram._buckets)
            total = histogram._sum.get()
    backend = database_url.split(":", maxsplit=1)[0]
    print(
        f"{people} people × 5 = {load.expected} messages on {backend}: "
        f"all answered in {elapsed:.1f} s ({load.expected / elapsed:.0f} msg/s), "
        f"mean turn {1000 * total / max(count, 1):.0f} ms, "
        f"duplicates {report.duplicates}, reordered {report.reordered_people}, "
        f"waiting notices {report.waiting_notices}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--database", default="")
    parser.add_argument("--per-second", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'load.db'}"
        asyncio.run(run(args.people, url, args.per_second))


if __name__ == "__main__":
    main()
