"""Turn latency and memory of the bot, measured against a bare python-telegram-bot echo bot.

Both bots poll the same fake Bot API over HTTP on 127.0.0.1 in the same run; a turn is the
time from the update being queued to the bot's answer reaching the fake (for Passerelle:
stored in the inbox, handled, written to the outbox and sent from it). The ratio is the
overhead of Passerelle's engine, crisis screen, unit of work and rendering over PTB itself.
Turns are paced at one every 50 ms: Passerelle's rate limiter holds the whole bot to
Telegram's ~30 messages a second, so back-to-back turns would measure that cap instead.
Memory is the process's resident set after 10 000 distinct conversations were stored.

    .venv/bin/python -m benchmarks.turns [--turns 300] [--conversations 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.bootstrap import build_services
from bot.telegram.app import TelegramBot
from flows.domain import Language, Theme
from flows.events import CommandReceived, Inbound
from flows.understanding import Intent, Interpretation
from resources_db.migrate import upgrade_async
from tests.e2e.harness import e2e_settings
from tests.fakes.bot_api import FakeBotApi, FakeUser


class FixedNlu:
    """A constant NLU answer: the benchmark measures the bot, not Rasa (≈7 ms, see nlu.md)."""

    async def parse(self, text: str, language: Language) -> Interpretation:
        del text, language
        return Interpretation(Intent.NEED, 0.9, theme=Theme.FOOD)


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


PACE_S = 0.05


async def _turns(api: FakeBotApi, count: int, first_user: int) -> list[float]:
    latencies = []
    for i in range(count):
        await asyncio.sleep(PACE_S)
        user = FakeUser(id=first_user + i, first_name="Bench")
        before = len(api.sent(user.id))
        start = time.perf_counter()
        api.send_text(user, "j'ai faim")
        while len(api.sent(user.id)) == before:  # noqa: ASYNC110 - polling is the measurement
            await asyncio.sleep(0.0005)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def _run_app(
    application: Application, api: FakeBotApi, count: int, first: int
) -> list[float]:  # type: ignore[type-arg]
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            await _turns(api, 20, first + 900_000)  # warm-up
            return await _turns(api, count, first)
        finally:
            await application.updater.stop()
            await application.stop()


def _summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(turns: int, conversations: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade_async(url)
        async with FakeBotApi() as api:
            echo = Application.builder().token(api.token).base_url(api.base_url).build()
            echo.add_handler(MessageHandler(filters.TEXT, _echo))
            echo_ms = await _run_app(echo, api, turns, 1_000_000)

            settings = e2e_settings(api, url)
            services = build_services(settings, nlu=FixedNlu())
            bot = TelegramBot(settings, services, poll_timeout_s=1)
            await bot.start()
            try:
                await _turns(api, 20, 2_900_000)  # warm-up
                bot_ms = await _turns(api, turns, 2_000_000)
            finally:
                await bot.stop()
            services = build_services(settings, nlu=FixedNlu())

            rss_before = _rss_mib()
            for i in range(conversations):
                await services.conversations.handle(
                    Inbound(
                        services.pseudonym(3_000_000 + i), CommandReceived("start"), "fr", str(i)
                    )
                )
            rss_after = _rss_mib()
            await services.aclose()

    e50, e95 = _summary(echo_ms)
    b50, b95 = _summary(bot_ms)
    print(f"turns: {turns} per bot, one every {PACE_S * 1000:.0f} ms, SQLite, same fake Bot API")
    print(f"{'bot':<22}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'PTB echo bot':<22}{e50:>10.2f}{e95:>10.2f}")
    print(f"{'Passerelle':<22}{b50:>10.2f}{b95:>10.2f}")
    print(f"ratio (Passerelle / echo): p50 ×{b50 / e50:.2f}, p95 ×{b95 / e95:.2f}")
    print(
        f"memory: RSS {rss_before:.0f} MiB before, {rss_after:.0f} MiB after "
        f"{conversations} conversations stored (the bot keeps none in memory)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--conversations", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main(args.turns, args.conversations))
