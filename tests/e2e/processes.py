"""Real ``passerelle run`` processes against the fake Bot API, for crash and replica tests.

``BotProcess`` starts the command as a subprocess (its own session, logs to a file), reads its
``/metrics``, and stops it with SIGTERM or kills it with SIGKILL. ``Load`` pushes the same
few commands from many people into the fake and reads back, per person, which answers came
and in which order, so a test can count what was lost, doubled or reordered.
``FollowUpLoad`` is the other crash case: many follow-ups armed and due at once, read back
as each person's check-ins (how many, when, how discreet).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import httpx

from bot.bootstrap import build_services
from bot.settings import Settings
from flows.followups import QuietHours
from resources_db.crypto import generate_key
from tests.e2e.harness import arm_followups
from tests.fakes.bot_api import FakeBotApi, FakeUser

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(api: FakeBotApi, database_url: str, **overrides: str) -> dict[str, str]:
    """The environment of a ``passerelle run`` talking to ``api`` (same keys across restarts)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "STAFF_", "INBOX_", "OUTBOX_", "WEBHOOK_", "HTTP_"))
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "PSEUDONYM_KEY": "crash-test-pseudonym-key-" + "q" * 24,
            "ENCRYPTION_KEY": generate_key(),
            "TELEGRAM_TOKEN": api.token,
            "TELEGRAM_BASE_URL": api.base_url,
            "TELEGRAM_BASE_FILE_URL": api.base_url.replace("/bot", "/file/bot"),
            "NLU_URL": "http://127.0.0.1:9",
            "NLU_TIMEOUT_S": "0.3",
            "HTTP_LISTEN": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            "TEAM_HOURS": "24/7",
            "TEAM_PUBLIC_HOLIDAYS": "false",
            "TIMEZONE": "UTC",
            # Short leases: rows a killed process held come back within seconds.
            "INBOX_LEASE_S": "3",
            "OUTBOX_LEASE_S": "5",
            "TRANSPORT_POLL_S": "0.2",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


@dataclass
class BotProcess:
    """One ``passerelle run``; its HTTP port is its own."""

    env: dict[str, str]
    workdir: Path
    name: str = "bot"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**self.env, "HTTP_PORT": str(self.port)}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                env=env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def ready(self, timeout: float = 60.0) -> None:
        """Wait until ``/healthz`` answers 200."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"{self.name} exited:\n{self.log_tail()}")
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass  # not listening yet
                await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} not ready:\n{self.log_tail()}")

    async def metric(self, name: str) -> float:
        """One unlabelled metric from ``/metrics``."""
        async with httpx.AsyncClient(timeout=5.0) as client:
            text = (await client.get(f"{self.url}/metrics")).text
        for line in text.splitlines():
            if line.startswith(f"{name} "):
                return float(line.split()[1])
        raise AssertionError(f"no metric {name}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, like a power cut."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait: a graceful stop; the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return int(self.process.returncode or 0)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


# What each of the five commands answers, recognisable in the first line of the reply.
COMMANDS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("/start", lambda t: t.startswith("Salut, ici Passerelle")),
    ("/aide", lambda t: t.startswith("Voici ce que je sais faire")),
    ("/menu", lambda t: t.startswith("Choisis un sujet")),
    ("/urgence", lambda t: t.startswith("🆘 Danger immédiat")),
    ("/langue", lambda t: t.startswith("Quelle langue")),
)


class Outcome(Protocol):
    @property
    def missing(self) -> int: ...


R_co = TypeVar("R_co", bound=Outcome, covariant=True)


class CrashLoad(Protocol[R_co]):
    """What ``crash_and_recover`` drives: work arrives, then a report of what came back."""

    @property
    def expected(self) -> int: ...

    async def arrive(self) -> None: ...

    def report(self) -> R_co: ...


@dataclass
class Load:
    """``people`` people each send the five commands, in order, as fast as they can."""

    api: FakeBotApi
    people: int
    first_id: int = 880_000_000
    users: list[FakeUser] = field(default_factory=list)

    def push(self) -> None:
        self.users = [
            FakeUser(id=self.first_id + n, first_name=f"P{n}") for n in range(self.people)
        ]
        for command, _ in COMMANDS:
            for user in self.users:
                self.api.send_text(user, command)

    async def arrive(self) -> None:
        self.push()

    @property
    def expected(self) -> int:
        return self.people * len(COMMANDS)

    def answers(self, user: FakeUser) -> list[int]:
        """Which command each reply to ``user`` answers (-1: none), in the order sent."""
        found = []
        for text in self.api.texts_to(user.id):
            found.append(next((i for i, (_, match) in enumerate(COMMANDS) if match(text)), -1))
        return found

    def report(self) -> Report:
        answered = duplicates = reordered = missing = notices = 0
        for user in self.users:
            everything = self.answers(user)
            # "I'm reading your message" notices (a lane waited long) are not answers.
            seen = [c for c in everything if c >= 0]
            notices += len(everything) - len(seen)
            distinct = [c for i, c in enumerate(seen) if i == 0 or seen[i - 1] != c]
            duplicates += len(seen) - len(distinct)
            answered += len(set(distinct))
            if distinct != sorted(distinct) or len(distinct) != len(set(distinct)):
                reordered += 1
            missing += len(COMMANDS) - len(set(distinct))
        return Report(answered, duplicates, reordered, missing, notices)


@dataclass(frozen=True)
class Report:
    """Answers to a load: how many inbound messages got theirs, doubled, out of order."""

    answered: int
    duplicates: int
    reordered_people: int
    missing: int
    waiting_notices: int


CHECK_IN = "Salut, c’est Passerelle. Est-ce que ça va ?"


def midday_zone() -> str:
    """A fixed-offset zone where it is about 13:00 now: far from the default quiet hours."""
    offset = (13 - datetime.now(UTC).hour + 12) % 24 - 12  # -12 … +11 hours
    # POSIX sign: Etc/GMT-3 is three hours ahead of UTC.
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


@dataclass
class FollowUpLoad:
    """``people`` people said yes to a follow-up; all of them come due at once.

    ``env`` is the bot's (same keys: the test stores the pseudonyms and encrypted addresses
    the process will read). Read back per chat: the check-ins, their wall time in the
    deployment's zone against its quiet hours, and whether each was silent and protected.
    """

    api: FakeBotApi
    env: dict[str, str]
    people: int
    first_chat: int = 890_000_000

    @property
    def chats(self) -> range:
        return range(self.first_chat, self.first_chat + self.people)

    @property
    def settings(self) -> Settings:
        fields = Settings.model_fields
        values = {k.lower(): v for k, v in self.env.items() if k.lower() in fields}
        return Settings.model_validate(values)  # the process's environment only, no .env

    async def arrive(self) -> None:
        services = build_services(self.settings)
        now = datetime.now(UTC)
        try:
            armed_at, due = now - timedelta(days=2), now - timedelta(minutes=1)
            await arm_followups(services, self.chats, armed_at=armed_at, due=due)
        finally:
            await services.aclose()

    @property
    def expected(self) -> int:
        return self.people

    def report(self) -> FollowUpReport:
        settings = self.settings
        quiet = QuietHours.parse(settings.followup_quiet_hours, ZoneInfo(settings.timezone))
        to_wall = time.time() - time.monotonic()  # a call's monotonic instant → epoch
        wanted = set(self.chats)
        per_chat: Counter[int] = Counter()
        at_night = loud = 0
        for call in self.api.sent(method="sendMessage"):
            chat = int(call.params.get("chat_id", 0))
            if chat not in wanted or call.params.get("text") != CHECK_IN:
                continue
            per_chat[chat] += 1
            at_night += quiet.contains(datetime.fromtimestamp(call.at + to_wall, UTC))
            params = call.params
            loud += not (params.get("disable_notification") and params.get("protect_content"))
        doubled = sorted(chat for chat, n in per_chat.items() if n > 1)
        return FollowUpReport(
            delivered=len(per_chat),
            duplicates=sum(n - 1 for n in per_chat.values()),
            missing=self.people - len(per_chat),
            in_quiet_hours=at_night,
            not_discreet=loud,
            doubled_chats=tuple(doubled),
        )


@dataclass(frozen=True)
class FollowUpReport:
    """Check-ins after a crash: who got theirs, how many twice, any at night or loud."""

    delivered: int
    duplicates: int
    missing: int
    in_quiet_hours: int
    not_discreet: int
    doubled_chats: tuple[int, ...] = ()


async def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, every: float = 0.1
) -> None:
    """Poll ``predicate`` until it holds or ``timeout`` passes (the fake serves meanwhile)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


async def drained(processes: Sequence[BotProcess], timeout: float) -> None:
    """Wait until every process reports an empty inbox and nothing due in the outbox."""
    deadline = time.monotonic() + timeout
    calm = 0
    while calm < 3:
        if time.monotonic() > deadline:
            raise AssertionError("the bot did not drain:\n" + processes[0].log_tail())
        depths: list[Any] = []
        for process in processes:
            depths.append(await process.metric("passerelle_inbox_depth"))
            depths.append(await process.metric("passerelle_outbox_depth"))
        calm = calm + 1 if not any(depths) else 0
        await asyncio.sleep(0.3)
