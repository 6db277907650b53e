"""One Bot API call through python-telegram-bot: its own HTTP client (httpx) against
Passerelle's (``bot.telegram.client.AiohttpRequest``), on the same local fake Bot API.

Times ``sendMessage`` (PTB parses the returned message) and ``answerCallbackQuery`` (it
returns ``true``) one after another, both clients alternating in one run: the wall time of
each call and the process's CPU time per call (client and fake together: the fake's share
is the same for both).

    .venv/bin/python -m benchmarks.http_client [--calls 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.telegram.client import AiohttpRequest
from tests.fakes.bot_api import FakeBotApi

WARM_UP = 50
CLIENTS = {"httpx (PTB's)": HTTPXRequest, "aiohttp (Passerelle's)": AiohttpRequest}


async def _time(
    api: FakeBotApi, request: BaseRequest, method: str, calls: int
) -> tuple[float, float]:
    """(p50 ms, CPU ms per call) for ``calls`` calls of ``method``."""
    bot = Bot(api.token, base_url=api.base_url, request=request)
    await bot.initialize()
    try:
        times = []
        for i in range(calls + WARM_UP):
            if i == WARM_UP:
                cpu = time.process_time()
            began = time.perf_counter()
            if method == "sendMessage":
                await bot.send_message(42, "Voici des lieux près de toi.")
            else:
                await bot.answer_callback_query("cb")
            times.append((time.perf_counter() - began) * 1000)
        cpu_ms = (time.process_time() - cpu) / calls * 1000
    finally:
        await bot.shutdown()
    return statistics.median(times[WARM_UP:]), cpu_ms


async def main(calls: int, runs: int) -> None:
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
    async with FakeBotApi() as api:
        for _ in range(runs):
            for method in ("sendMessage", "answerCallbackQuery"):
                for name, client in CLIENTS.items():
                    measured = await _time(api, client(), method, calls)
                    figures.setdefault((method, name), []).append(measured)
                    p50, cpu = measured
                    print(f"  {method:<20} {name:<24} p50 {p50:.3f} ms, CPU {cpu:.3f} ms")
    print("\n| call | client | p50 ms (median of runs) | CPU ms a call |\n|---|---|---:|---:|")
    for (method, name), values in figures.items():
        p50 = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"| {method} | {name} | {p50:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.calls, arguments.runs))
