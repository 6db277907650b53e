"""Where a bot's CPU goes, by asyncio task: every callback the event loop runs, timed.

Plays the suite's paced turns (10 people, constant NLU answer) against one bot and charges
the time of each callback the loop runs to its task (a coroutine's name) or to the callback
itself, then prints the CPU per turn by task, largest first. Unlike a profiler it adds only
two clock reads per callback, and unlike cProfile it is not misled by coroutines and
SQLAlchemy's greenlets (their suspended time is not counted as their own). The loop's whole
process is counted: the bot, the fake Bot API and the driver.

    .venv/bin/python -m benchmarks.loop_cpu [--bot echo|passerelle]
        [--backend sqlite|postgresql] [--kind buttons|text]
"""

from __future__ import annotations

import argparse
import asyncio
import asyncio.events
import functools
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from benchmarks.suite import TimedBotApi, _passerelle_on, drive, echo_bot

PEOPLE = 10
SPENT: dict[str, float] = defaultdict(float)
RUNS: dict[str, int] = defaultdict(int)
_COUNTING = [False]
_RUN = asyncio.events.Handle._run


def _name(callback: Callable[..., Any]) -> str:
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coroutine = owner.get_coro()
        return str(getattr(coroutine, "__qualname__", coroutine))
    if isinstance(callback, functools.partial):
        callback = callback.func
    # Never repr() a callback: its arguments' reprs may read the state of live objects.
    return str(getattr(callback, "__qualname__", type(callback).__name__))


def _timed_run(self: asyncio.events.Handle) -> None:
    if not _COUNTING[0]:
        _RUN(self)
        return
    began = time.perf_counter()
    try:
        _RUN(self)
    finally:
        name = _name(self._callback)  # type: ignore[attr-defined]
        SPENT[name] += time.perf_counter() - began
        RUNS[name] += 1


async def main(bot: str, backend: str, kind: str) -> None:
    asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]
    start = (
        (lambda api: echo_bot(api, parse=False))
        if bot == "echo"
        else _passerelle_on(backend, rasa=False)
    )
    api = TimedBotApi()
    async with api, start(api):
        await drive(api, PEOPLE, kind, 7_000_000)  # warm up
        _COUNTING[0] = True
        latencies, _ = await drive(api, PEOPLE, kind, 7_000_000)
        _COUNTING[0] = False
    turns = len(latencies)
    label = bot if bot == "echo" else f"{bot} {backend}"
    print(f"{label}, {kind}: {turns} turns, p50 {statistics.median(latencies):.2f} ms")
    print(f"CPU a turn, all tasks: {sum(SPENT.values()) / turns * 1000:.2f} ms")
    for name, seconds in sorted(SPENT.items(), key=lambda item: -item[1])[:20]:
        print(f"  {seconds / turns * 1000:7.3f} ms  {RUNS[name] / turns:6.2f} runs  {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bot", default="passerelle", choices=("echo", "passerelle"))
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--kind", default="buttons", choices=("buttons", "text"))
    arguments = parser.parse_args()
    asyncio.run(main(arguments.bot, arguments.backend, arguments.kind))
