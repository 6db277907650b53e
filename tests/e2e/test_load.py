"""A short load test: 200 people × 5 messages at once, through the whole transport.

The real bot polls the fake Bot API on loopback, stores every update, handles the turns with
bounded concurrency, and sends every answer through the outbox. Asserted: every message is
answered, once, in the order each person wrote, within a bounded time. (Throughput figures
are measured by ``benchmarks.load``, not asserted here.)
"""

from __future__ import annotations

from tests.e2e.harness import e2e_settings, running_bot
from tests.e2e.processes import Load, wait_until
from tests.fakes.bot_api import FakeBotApi

PEOPLE = 200
BOUND_S = 300  # generous for a loaded 2-core CI machine; a healthy run takes a fraction


async def test_200_people_times_5_messages_are_all_answered_once_in_order(
    database_url: str,
) -> None:
    async with FakeBotApi() as api:
        settings = e2e_settings(api, database_url, telegram_max_per_second=100)
        async with running_bot(api, settings) as bot:
            load = Load(api, PEOPLE)
            load.push()
            await wait_until(
                lambda: api.delivered_count >= load.expected and load.report().missing == 0,
                BOUND_S,
                "every message answered",
                every=0.5,
            )
            await bot.settled(timeout=60)
    report = load.report()
    assert report.answered == load.expected
    assert report.duplicates == 0
    assert report.reordered_people == 0
