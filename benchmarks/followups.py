"""Follow-ups at scale: N armed follow-ups come due at once, the real bot in-process.

Each of N people has a conversation with a yes to follow-ups and an armed one (an outbox row
with a due time). The clock moves past the due time; the sender turns each row into a
``TimerFired``, each conversation decides and sends its check-in through the outbox, paced
by ``TELEGRAM_MAX_PER_SECOND``. Reported: the time until every check-in was delivered, the
rate, how many were silent and protected, and how many were duplicated.

    .venv/bin/python -m benchmarks.followups [--people 1000] [--database postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from resources_db.migrate import upgrade_async
from tests.e2e.harness import arm_followups, e2e_settings, running_bot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.core import FakeClock

FIRST_CHAT = 900_000_000


async def run(people: int, database_url: str, per_second: float) -> None:
    await upgrade_async(database_url)
    clock = FakeClock(datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("America/Montreal")))
    due = clock.now() + timedelta(days=1)
    async with FakeBotApi() as api:
        settings = e2e_settings(api, database_url, telegram_max_per_second=per_second)
        async with running_bot(api, settings, clock=clock) as bot:
            chats = range(FIRST_CHAT, FIRST_CHAT + people)
            await arm_followups(bot.services, chats, armed_at=clock.now(), due=due)
            clock.advance(days=1)
            start = time.perf_counter()
            bot.transport.sender.wake()

            def check_ins() -> list[dict[str, object]]:
                return [
                    c.params
                    for c in api.calls
                    if c.method == "sendMessage" and "Est-ce que ça va" in str(c.params.get("text"))
                ]

            while len(check_ins()) < people:  # noqa: ASYNC110 - polling is the measurement
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - start
            print(f"delivered in {elapsed:.1f} s", flush=True)
            await asyncio.sleep(2.0)  # any duplicate would follow within the sender's polls
            waiting, _ = await bot.transport.inbox.depth()
            due_rows, _ = await bot.transport.outbox.depth()
            print(f"left: {waiting} inbox row(s), {due_rows} due outbox row(s)", flush=True)
            sent = check_ins()
            per_chat = Counter(int(str(p["chat_id"])) for p in sent)
            quiet = sum(
                1 for p in sent if p.get("disable_notification") and p.get("protect_content")
            )
    print(f"database: {database_url.split(':', 1)[0]}")
    print(f"{people} follow-ups due at once, TELEGRAM_MAX_PER_SECOND={per_second:g}")
    print(f"all delivered in {elapsed:.1f} s ({people / elapsed:.1f} per second)")
    print(f"silent and protected: {quiet} / {len(sent)}")
    print(f"duplicates: {sum(n - 1 for n in per_chat.values())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--per-second", type=float, default=30.0)
    args = parser.parse_args()
    if args.database:
        asyncio.run(run(args.people, args.database, args.per_second))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'followups.db'}"
        asyncio.run(run(args.people, url, args.per_second))


if __name__ == "__main__":
    main()
