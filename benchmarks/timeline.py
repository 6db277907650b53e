"""Where a paced turn's time goes: the median moment each step of the path is reached.

Plays the suite's paced turns (10 people, one turn every 50 ms in all, constant NLU answer)
against the bare echo bot (with PTB's HTTP client, then with Passerelle's) and Passerelle,
with the same driver and fake Bot API, and notes
the time since the update was queued when each step begins or ends: the fake answering
``getUpdates``, the batch stored, a worker starting the turn, the conversation read, the
decision, the commit, the sender starting, the reply (and the button's answer) reaching the
fake. The steps are wrapped for this run only; figures are medians over the turns.

    .venv/bin/python -m benchmarks.timeline [--backend sqlite|postgresql] [--kind buttons|text]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from aiohttp import web

from benchmarks.suite import TimedBotApi, _passerelle_on, drive, echo_bot
from bot.inbox_processor import InboxProcessor
from bot.telegram.channels import TelegramPersonChannel
from flows.engine import Engine
from resources_db.repositories import SqlConversationRepository
from resources_db.transport import InboxStore
from resources_db.unit_of_work import SqlUnitOfWork
from tests.fakes.bot_api import FakeUser

PEOPLE = 10
MARKS: dict[str, list[float]] = defaultdict(list)
_STARTED: list[float] = []  # when each turn was queued; the first PEOPLE are the /start


def _mark(step: str) -> None:
    if len(_STARTED) > PEOPLE:
        MARKS[step].append((time.perf_counter() - _STARTED[-1]) * 1000)


def _wrap(owner: type, name: str, before: str | None, after: str | None) -> None:
    original = getattr(owner, name)

    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before:
            _mark(before)
        try:
            return await original(*args, **kwargs)
        finally:
            if after:
                _mark(after)

    setattr(owner, name, wrapped)


STEPS = (
    (InboxStore, "store_many", "b. storing the update", "c. update stored"),
    (InboxProcessor, "_handle", "d. worker takes the turn", "n. worker free again"),
    (SqlUnitOfWork, "__aenter__", None, "e. transaction open"),
    (SqlConversationRepository, "get", None, "f. conversation read"),
    (Engine, "decide", None, "g. decided"),
    (SqlConversationRepository, "save", None, "h. conversation written"),
    (SqlUnitOfWork, "commit", "i. commit begins", "j. committed"),
    (TelegramPersonChannel, "deliver", "k. sender calls Telegram", None),
    (TelegramPersonChannel, "answer", "m. button answer called", None),
)


class MarkedBotApi(TimedBotApi):
    """The suite's fake, noting when it answers ``getUpdates`` and receives the replies."""

    async def _dispatch(self, request: web.Request) -> web.Response:
        response = await super()._dispatch(request)
        if request.path.endswith("/getUpdates"):
            _mark("a. getUpdates answered")
        elif request.path.endswith("/sendMessage"):
            _mark("l. reply received by Telegram")
        elif request.path.endswith("/answerCallbackQuery"):
            _mark("o. button answer received")
        return response

    async def turn(self, user: FakeUser, act: Callable[[], object]) -> float:
        _STARTED.append(time.perf_counter())
        return await super().turn(user, act)


async def main(backend: str, kind: str) -> None:
    for owner, name, before, after in STEPS:
        _wrap(owner, name, before, after)
    bots: list[tuple[str, Callable[[TimedBotApi], Any]]] = [
        ("echo", lambda api: echo_bot(api, parse=False)),
        (
            "echo, Passerelle's HTTP client",
            lambda api: echo_bot(api, parse=False, aiohttp_client=True),
        ),
        (f"Passerelle {backend}", _passerelle_on(backend, rasa=False)),
    ]
    for name, start in bots:
        MARKS.clear()
        api = MarkedBotApi()
        async with api, start(api):
            latencies, _ = await drive(api, PEOPLE, kind, 7_000_000)
            _STARTED.clear()
        print(f"\n{name}, {kind}: turn p50 {statistics.median(latencies):.2f} ms")
        for step in sorted(MARKS):
            print(f"  {step:<32} {statistics.median(MARKS[step]):7.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--kind", default="buttons", choices=("buttons", "text"))
    arguments = parser.parse_args()
    asyncio.run(main(arguments.backend, arguments.kind))
