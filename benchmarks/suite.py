"""The benchmark suite behind ``make bench``: Passerelle against bare bots, on one driver.

Every bot polls the same kind of fake Bot API over HTTP on 127.0.0.1 and is driven by the
same code: ``people`` simulated people, started 50 ms apart, each taking a turn every
``people × 50 ms`` (20 turns a second in all, under Telegram's 30 messages a second, so the
bot is measured and not the rate cap). A turn is the time from the update being queued at
the fake to the first answer reaching it. Rows:

- **echo**: a bare python-telegram-bot application that answers every text and button;
- **echo + parse**: the same, calling Rasa's ``/model/parse`` before answering a text
  (the shared Rasa server, if it is up);
- **Passerelle** on SQLite and on PostgreSQL: the real application (inbox, engine, outbox,
  sender), free text read by the same Rasa server (or a constant answer if it is down).

Then the outbox's sending rate against the cap, and the process's memory with 10 000 stored
and 1 000 active conversations. Three runs of everything; ratios are given as
min / median / max over the runs. The results replace the generated part of
``docs/benchmarks.md``.

    .venv/bin/python -m benchmarks.suite [--runs 3] [--people 10,100,1000] [--modes paced,closed]
        [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiohttp import web
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from benchmarks.turns import FixedNlu
from bot.bootstrap import build_services
from bot.delivery import Pace
from bot.outbox_sender import OutboxSender, SenderLimits
from bot.telegram.app import TelegramBot
from bot.telegram.client import AiohttpRequest
from flows.actions import PersonMessage, Reply
from flows.events import CommandReceived, Inbound
from flows.outbox import ToPerson
from resources_db.desk_ledger import SqlDeskLedger
from resources_db.migrate import upgrade_async
from resources_db.transport import InboxStore, OutboxStore
from tests.e2e.harness import e2e_settings
from tests.fakes.bot_api import FakeBotApi, FakeUser

PACE_S = 0.05
TURNS = 200
RASA_URL = os.environ.get("BENCH_RASA_URL", "http://127.0.0.1:5005")
POSTGRES_ADMIN = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
LOAD: list[float] = []  # the machine's load average when the suite started


class TimedBotApi(FakeBotApi):
    """The fake Bot API, telling waiters the moment a message reaches a chat."""

    waiting: dict[int, tuple[int, asyncio.Future[float]]]

    async def _dispatch(self, request: web.Request) -> web.Response:
        calls = len(self.calls)
        response = await super()._dispatch(request)
        now = time.perf_counter()
        waiting = getattr(self, "waiting", {})
        # Only the chat this call went to can have been answered (a thousand people wait).
        for call in self.calls[calls:]:
            chat = str(call.params.get("chat_id", ""))
            entry = waiting.get(int(chat)) if chat.lstrip("-").isdigit() else None
            if entry is None:
                continue
            count, future = entry
            if len(self.sent(int(chat))) > count and not future.done():
                del waiting[int(chat)]
                future.set_result(now)
        return response

    async def turn(self, user: FakeUser, act: Callable[[], object]) -> float:
        """Do ``act`` (queue an update) and wait for the first answer to ``user``: ms."""
        if not hasattr(self, "waiting"):
            self.waiting = {}
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[user.id] = (len(self.sent(user.id)), future)
        start = time.perf_counter()
        act()
        async with asyncio.timeout(30):
            end = await future
        return (end - start) * 1000


# --- the bots ----------------------------------------------------------------------------


async def _echo_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def _echo_button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is not None and chat is not None:
        await query.answer()
        await chat.send_message(query.data or "?")


PARSE_FAILURES: list[str] = []


def _parse_then_echo(client: httpx.AsyncClient) -> Callable[..., Awaitable[None]]:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message and update.effective_message.text:
            try:
                response = await client.post(
                    "/model/parse", json={"text": update.effective_message.text}
                )
                response.raise_for_status()
            except httpx.HTTPError as err:  # the shared Rasa went away: counted, reported
                PARSE_FAILURES.append(type(err).__name__)
        await _echo_text(update, context)

    return handler


@asynccontextmanager
async def echo_bot(
    api: FakeBotApi, *, parse: bool, aiohttp_client: bool = False
) -> AsyncIterator[None]:
    """A bare PTB bot polling ``api``; with ``parse``, it asks Rasa before answering. PTB's
    own HTTP client (httpx) unless ``aiohttp_client``: then Passerelle's (a reference point,
    not the issue's peer)."""
    async with httpx.AsyncClient(base_url=RASA_URL, timeout=5) as client:
        builder = Application.builder().token(api.token).base_url(api.base_url)
        if aiohttp_client:
            builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(1))
        application = builder.build()
        text = _parse_then_echo(client) if parse else _echo_text
        application.add_handler(MessageHandler(filters.TEXT, text))
        application.add_handler(CallbackQueryHandler(_echo_button))
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield
            finally:
                await application.updater.stop()
                await application.stop()


@asynccontextmanager
async def passerelle(
    api: FakeBotApi, url: str, *, rasa: bool, **overrides: Any
) -> AsyncIterator[TelegramBot]:
    """The real application on ``url`` (migrated), polling ``api``."""
    await upgrade_async(url)
    # Telegram's caps are lifted: these rows measure the bot, not the caps (measured apart).
    lifted = {
        "telegram_max_per_second": 1000.0,
        "telegram_chat_burst": 1000,
        "telegram_chat_per_second": 1000.0,
    }
    values = lifted | ({"nlu_url": RASA_URL} if rasa else {}) | overrides
    settings = e2e_settings(api, url, **values)
    services = build_services(settings, nlu=None if rasa else FixedNlu())
    bot = TelegramBot(settings, services, poll_timeout_s=1)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
        await services.aclose()


@asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    """A fresh database URL: a temporary SQLite file, or a PostgreSQL database dropped after."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"passerelle_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


# --- the driver --------------------------------------------------------------------------


async def _settle(api: TimedBotApi, quiet_s: float = 0.5) -> None:
    """Wait until nothing more reaches the fake for ``quiet_s`` (answers still on their way)."""
    last, still = -1, 0.0
    while still < quiet_s:
        count = len(api.sent())
        still = still + 0.1 if count == last else 0.0
        last = count
        await asyncio.sleep(0.1)


async def drive(
    api: TimedBotApi, people: int, kind: str, first_id: int, *, closed: bool = False
) -> tuple[list[float], float]:
    """``people`` people say /start (all at once, not timed), then take turns.

    Paced: person ``i`` starts ``i × 50 ms`` in and takes a turn every ``people × 50 ms``
    (20 turns a second in all), ``max(1, 200 // people)`` turns each. Closed loop: every
    person takes their next turn as soon as the last one was answered,
    ``max(2, 400 // people)`` turns each. Returns the latencies (ms) and the turns per second.
    """
    users = [FakeUser(id=first_id + n, first_name="Bench") for n in range(people)]
    await asyncio.gather(*(api.turn(u, partial(api.send_text, u, "/start")) for u in users))
    await _settle(api)
    turns = max(2, 400 // people) if closed else max(1, TURNS // people)
    period = 0.0 if closed else people * PACE_S
    latencies: list[float] = []

    def act(user: FakeUser) -> Callable[[], object]:
        if kind == "buttons":
            return partial(api.press, user, "theme:food")
        return partial(api.send_text, user, "j'ai faim")

    async def person(index: int, user: FakeUser) -> None:
        if not closed:
            await asyncio.sleep(index * PACE_S)
        for _ in range(turns):
            began = time.perf_counter()
            latencies.append(await api.turn(user, act(user)))
            await asyncio.sleep(max(0.0, began + period - time.perf_counter()))

    began = time.perf_counter()
    await asyncio.gather(*(person(i, u) for i, u in enumerate(users)))
    return latencies, len(latencies) / (time.perf_counter() - began)


@dataclass
class Row:
    """One bot, one kind of turn, one crowd, paced or closed loop: figures of every run."""

    bot: str
    kind: str
    people: int
    mode: str = "paced"
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def rasa_up() -> bool:
    """True if the shared Rasa server answers."""
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(f"{RASA_URL}/status")).status_code == 200
    except httpx.HTTPError:
        return False


async def one_run(
    rows: dict[tuple[str, str, int, str], Row], crowds: list[int], modes: list[str], rasa: bool
) -> None:
    """Every bot, kind, crowd and mode once; the bots alternate, so they share the machine's
    mood."""
    first = 10_000_000 * (1 + len(next(iter(rows.values())).p50) if rows else 1)
    for mode in modes:
        for people in crowds:
            for kind in ("buttons", "text"):
                bots: list[tuple[str, Callable[[TimedBotApi], Any]]] = [
                    ("echo", lambda api: echo_bot(api, parse=False)),
                ]
                if kind == "text" and rasa:
                    bots.append(("echo + parse", lambda api: echo_bot(api, parse=True)))
                for backend in ("sqlite", "postgresql"):
                    bots.append((f"Passerelle {backend}", _passerelle_on(backend, rasa)))
                for name, start in bots:
                    first += 10_000
                    async with TimedBotApi() as api, start(api):
                        latencies, rate = await drive(
                            api, people, kind, first, closed=mode == "closed"
                        )
                    key = (name, kind, people, mode)
                    row = rows.setdefault(key, Row(name, kind, people, mode))
                    row.p50.append(statistics.median(latencies))
                    row.p95.append(_p(latencies, 0.95))
                    row.p99.append(_p(latencies, 0.99))
                    row.rate.append(rate)
                    print(
                        f"  {name:<22} {kind:<8} {people:>5} {mode:<6}: "
                        f"p50 {row.p50[-1]:6.2f} ms  p95 {row.p95[-1]:6.2f}  "
                        f"p99 {row.p99[-1]:7.2f}  {rate:6.1f} turns/s",
                        flush=True,
                    )


def _passerelle_on(backend: str, rasa: bool) -> Callable[[TimedBotApi], Any]:
    @asynccontextmanager
    async def start(api: TimedBotApi) -> AsyncIterator[None]:
        async with database(backend) as url, passerelle(api, url, rasa=rasa):
            yield

    return start


# --- the outbox's rate against the cap ---------------------------------------------------


class CountingChannel:
    """A person channel that only notes when each call was let through."""

    def __init__(self) -> None:
        self.times: list[float] = []

    async def deliver(
        self,
        address: str,
        message: PersonMessage,
        *,
        pace: Pace,
        start: int = 0,
        progress: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[int]:
        del address, message, start, progress
        await pace()
        self.times.append(time.perf_counter())
        return [len(self.times)]

    async def answer(self, callback: str, text: str | None = None) -> None:
        del callback, text


async def outbox_rate(cap: float, seconds: float) -> tuple[float, int]:
    """Rows for many people sent by the real sender: (mean rate, most calls in any second)."""
    count = int(cap * seconds)
    async with database("sqlite") as url, TimedBotApi() as api:
        await upgrade_async(url)
        settings = e2e_settings(api, url, telegram_max_per_second=cap)
        services = build_services(settings, nlu=FixedNlu())
        try:
            async with services.uow_factory() as uow:
                for n in range(count):
                    message = Reply(f"rappel {n}")
                    await uow.outbox.add(ToPerson(f"p{n}", message, address=str(n)))
                await uow.commit()
            cipher = services.uow_factory.cipher
            channel = CountingChannel()
            sender = OutboxSender(
                store=OutboxStore(services.sessions, cipher),
                inbox=InboxStore(services.sessions, cipher),
                uow_factory=services.uow_factory,
                ledger=SqlDeskLedger(services.sessions, 0),
                person=channel,
                staff=None,
                desk=None,
                limits=SenderLimits(per_second=cap, batch=settings.outbox_in_flight),
            )
            await sender.start()
            async with asyncio.timeout(seconds * 4 + 30):
                while len(channel.times) < count:  # noqa: ASYNC110 - a count to reach
                    await asyncio.sleep(0.05)
            await sender.stop()
        finally:
            await services.aclose()
    times = channel.times
    # Whole seconds from the first call: the mean of their counts is the sustained rate.
    seconds_counted = int(times[-1] - times[0])
    bins = [0] * max(1, seconds_counted)
    for moment in times:
        index = int(moment - times[0])
        if index < len(bins):
            bins[index] += 1
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return statistics.mean(bins), most


# --- memory ------------------------------------------------------------------------------


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def memory(stored: int, active: int) -> tuple[float, float, float, float]:
    """RSS (MiB): at start, after ``stored`` conversations, after ``active`` at once; peak."""
    async with (
        database("sqlite") as url,
        TimedBotApi() as api,
        passerelle(api, url, rasa=False) as bot,
    ):
        start = _rss_mib()
        services = bot.services
        for n in range(stored):
            inbound = Inbound(services.pseudonym(50_000_000 + n), CommandReceived("start"))
            await services.conversations.handle(inbound)
        after_stored = _rss_mib()
        users = [FakeUser(id=60_000_000 + n, first_name="Bench") for n in range(active)]
        for user in users:
            api.send_text(user, "/start")
        async with asyncio.timeout(600):
            while any(not api.sent(u.id) for u in users):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        after_active = _rss_mib()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return start, after_stored, after_active, peak


# --- the report --------------------------------------------------------------------------


def _mmm(values: list[float], digits: int = 2) -> str:
    return " / ".join(
        f"{v:.{digits}f}" for v in (min(values), statistics.median(values), max(values))
    )


def report(  # noqa: PLR0917 - one call site
    rows: dict[tuple[str, str, int, str], Row],
    rasa: bool,
    rates: list[tuple[float, int]],
    cap: float,
    mem: tuple[float, float, float, float] | None,
    runs: int,
    command: str,
) -> str:
    """The generated part of docs/benchmarks.md, as Markdown."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        f"**Generated** {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `{command}`; "
        f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, load average "
        f"{LOAD[0] if LOAD else float('nan'):.1f} at the start and {os.getloadavg()[0]:.1f} "
        f"at the end (other work shares the machine). Min / median / max over {runs} runs.",
        "",
        "### Turns (same driver, same fake Bot API)",
        "",
        "Paced: 20 turns a second in all. Closed loop: every person's next turn as soon as "
        "the last was answered (turns/s is then the bot's throughput).",
        "",
        "| bot | turn | people | mode | p50 ms (min / med / max) | p95 ms (med) "
        "| p99 ms (med) | turns/s (med) | p50 ratio to its peer (min / med / max) |",
        "|---|---|---:|---|---|---:|---:|---:|---|",
    ]
    for (name, kind, people, mode), row in rows.items():
        ratio = ""
        if name.startswith("Passerelle"):
            peer_name = "echo + parse" if kind == "text" and rasa else "echo"
            peer = rows[(peer_name, kind, people, mode)]
            ratios = [a / b for a, b in zip(row.p50, peer.p50, strict=True)]
            ratio = f"×{_mmm(ratios)} vs {peer_name}"
        lines.append(
            f"| {name} | {kind} | {people} | {mode} | {_mmm(row.p50)} "
            f"| {statistics.median(row.p95):.2f} | {statistics.median(row.p99):.2f} "
            f"| {statistics.median(row.rate):.1f} | {ratio} |"
        )
    tails = [
        (kind, statistics.median(r.p99) / statistics.median(r.p50))
        for (name, kind, people, mode), r in rows.items()
        if name == "Passerelle sqlite" and people == 10 and mode == "paced"
    ]
    if tails:
        lines += [
            "",
            "Tail on SQLite, 10 people paced, p99 / p50 (target ≤ 3): "
            + ", ".join(f"{kind} ×{tail:.1f}" for kind, tail in tails)
            + ".",
        ]
    if PARSE_FAILURES:
        lines += [
            "",
            f"**{len(PARSE_FAILURES)} Rasa parse calls failed during the run** (the shared "
            "server went away): the text rows of that run are not comparable.",
        ]
    if not rasa:
        lines += [
            "",
            f"Rasa was not reachable at {RASA_URL}: free text used a constant NLU answer and "
            "the echo + parse row is missing.",
        ]
    means = [m for m, _ in rates]
    most = max(b for _, b in rates)
    lines += [
        "",
        "### Outbox sending rate against the cap",
        "",
        f"Cap {cap:g} messages a second (`TELEGRAM_MAX_PER_SECOND`); rows for distinct "
        f"people, the real sender, a channel that only counts. Calls per whole second, mean "
        f"{_mmm(means)} msg/s = {_mmm([100 * m / cap for m in means], 1)} % of the cap; "
        f"most calls in any one second: {most} (never above {cap:g}: "
        f"{'yes' if most <= cap else 'NO'}).",
    ]
    if mem is not None:
        start, stored, active, peak = mem
        lines += [
            "",
            "### Memory",
            "",
            f"Resident set of the process (bot, fake Bot API and driver together): "
            f"{start:.0f} MiB at start, {stored:.0f} MiB after 10 000 conversations stored, "
            f"{active:.0f} MiB after 1 000 people wrote at once; peak {peak:.0f} MiB.",
        ]
    return "\n".join(lines)


def write(path: Path, text: str) -> None:
    """Replace the generated part of ``path`` (between the markers), or append it."""
    body = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{START}\n{text}\n{END}"
    if START in body and END in body:
        head, rest = body.split(START, 1)
        body = head + block + rest.split(END, 1)[1]
    else:
        body = body.rstrip() + "\n\n## The suite (`make bench`)\n\n" + block + "\n"
    path.write_text(body)


async def main(args: argparse.Namespace) -> str:
    crowds = [int(p) for p in args.people.split(",")]
    LOAD.append(os.getloadavg()[0])
    rasa = await rasa_up()
    print(f"Rasa at {RASA_URL}: {'up' if rasa else 'down (constant NLU answer)'}", flush=True)
    rows: dict[tuple[str, str, int, str], Row] = {}
    rates: list[tuple[float, int]] = []
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}", flush=True)
        await one_run(rows, crowds, args.modes.split(","), rasa)
        rates.append(await outbox_rate(args.cap, args.rate_seconds))
        print(f"  outbox: {rates[-1][0]:.2f} msg/s, at most {rates[-1][1]} in a second")
    mem = None if args.stored == 0 else await memory(args.stored, args.active)
    command = (
        "make bench"
        if os.environ.get("MAKELEVEL")
        else " ".join([".venv/bin/python -m benchmarks.suite", *sys.argv[1:]])
    )
    return report(rows, rasa, rates, args.cap, mem, args.runs, command)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", default="10,100,1000")
    parser.add_argument("--modes", default="paced,closed")
    parser.add_argument("--cap", type=float, default=30.0)
    parser.add_argument("--rate-seconds", type=float, default=10.0)
    parser.add_argument("--stored", type=int, default=10_000)
    parser.add_argument("--active", type=int, default=1_000)
    parser.add_argument("--write", default="")
    arguments = parser.parse_args()
    markdown = asyncio.run(main(arguments))
    print(markdown)
    if arguments.write:
        write(Path(arguments.write), markdown)
