"""Two ``passerelle run`` webhook replicas against one PostgreSQL, behind a load balancer.

The test is the load balancer: it hands Telegram's updates to the two processes in turn.
What people and workers would notice is asserted: each person's answers come in the order
they wrote and once each (one sender per outbox row), two workers pressing ✋ on the same
card at the same moment through different replicas leave one owner, and the opening digest
that both replicas' schedulers fire reaches the group once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from resources_db.migrate import upgrade_async
from tests.e2e.processes import BotProcess, Load, bot_env, drained, wait_until
from tests.fakes.bot_api import FakeBotApi, FakeUser
from tests.plugins.databases import _create_postgres, _drop_postgres

STAFF = -1001234567890
SECRET = "replica-secret-0123456789"
JULIE = FakeUser(id=5001, first_name="Julie")
MARC = FakeUser(id=5002, first_name="Marc")
ASKER = FakeUser(id=880_100_001, first_name="Alex")
WAITER = FakeUser(id=880_100_002, first_name="Sam")
PEOPLE = 30


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database (replicas need one; SQLite is one process)."""
    name, url = await _create_postgres()
    try:
        await upgrade_async(url)
        yield url
    finally:
        await _drop_postgres(name)


def opening_soon() -> tuple[str, datetime]:
    """Team hours (UTC) that open at a minute boundary at least 30 s from now."""
    now = datetime.now(UTC)
    opening = (now + timedelta(seconds=90)).replace(second=0, microsecond=0)
    closing = opening + timedelta(hours=2)
    return f"Mo-Su {opening:%H:%M}-{closing:%H:%M}", opening


class Balancer:
    """Round-robin over the replicas' webhooks; the fake's updates go out as Telegram would."""

    def __init__(self, api: FakeBotApi, replicas: list[BotProcess]) -> None:
        self._api = api
        self._replicas = replicas
        self._next = 0
        self._client = httpx.AsyncClient(timeout=30.0)
        self.forwarded = 0

    async def forward(self, *, to: int | None = None) -> None:
        """Post every update the fake holds, in order, each acknowledged before the next."""
        updates = self._api.take_updates()
        for update in updates:
            replica = self._replicas[to if to is not None else self._next % len(self._replicas)]
            self._next += 1
            await self._post(replica, update)

    async def post(self, replica: BotProcess, update: dict[str, Any]) -> None:
        await self._post(replica, update)

    async def _post(self, replica: BotProcess, update: dict[str, Any]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for _ in range(50):
            response = await self._client.post(
                f"{replica.url}/telegram", content=json.dumps(update), headers=headers
            )
            if response.status_code == 200:
                self.forwarded += 1
                return
            await asyncio.sleep(0.2)  # Telegram would send it again later
        raise AssertionError(f"{replica.name} never stored update {update['update_id']}")

    async def aclose(self) -> None:
        await self._client.aclose()


async def test_two_webhook_replicas_share_one_database_without_doubling_or_reordering(
    postgres_url: str, tmp_path: Path
) -> None:
    hours, opening = opening_soon()
    async with FakeBotApi() as api:
        api.forum_chats.add(STAFF)
        for worker in (JULIE, MARC):
            api.chat_members[(STAFF, worker.id)] = "member"
        env = bot_env(
            api,
            postgres_url,
            TELEGRAM_MODE="webhook",
            WEBHOOK_URL="https://bot.example.invalid",
            WEBHOOK_SECRET=SECRET,
            STAFF_CHAT_ID=str(STAFF),
            STAFF_ALLOWLIST="5001:Julie,5002:Marc",
            STAFF_MAX_PER_MINUTE="100",
            TEAM_HOURS=hours,
            TELEGRAM_MAX_PER_SECOND="60",
        )
        replicas = [BotProcess(env, tmp_path, name=name) for name in ("replica-a", "replica-b")]
        balancer = Balancer(api, replicas)
        try:
            for replica in replicas:
                replica.start()
            for replica in replicas:
                await replica.ready()
            assert api.webhook_url == "https://bot.example.invalid/telegram"

            # Many people at once, their updates spread over both replicas.
            load = Load(api, PEOPLE)
            load.push()
            await balancer.forward()
            await wait_until(lambda: load.report().missing == 0, 120, "every answer")

            # Two workers take the same case at the same moment, through different replicas.
            api.send_text(ASKER, "/start")
            await balancer.forward()
            await wait_until(lambda: bool(api.texts_to(ASKER.id)), 30, "the welcome")
            api.press(ASKER, "human")
            await balancer.forward()
            await wait_until(lambda: bool(api.topics), 60, "the case's topic")
            await wait_until(lambda: bool(_cards(api)), 60, "the case's card")
            card = _cards(api)[0]
            take = next(
                b["callback_data"]
                for row in card["reply_markup"]["inline_keyboard"]
                for b in row
                if b["callback_data"].startswith("case:take:")
            )
            api.press(JULIE, take, message=card)
            api.press(MARC, take, message=card)
            julie_press, marc_press = api.take_updates()
            await asyncio.gather(
                balancer.post(replicas[0], julie_press), balancer.post(replicas[1], marc_press)
            )
            await wait_until(
                lambda: any("a pris ta demande" in t for t in api.texts_to(ASKER.id)), 60, "a take"
            )
            # A second person waits: the opening digest has something to say.
            api.send_text(WAITER, "/start")
            await balancer.forward()
            await wait_until(lambda: bool(api.texts_to(WAITER.id)), 30, "the second welcome")
            api.press(WAITER, "human")
            await balancer.forward()
            await wait_until(lambda: len(api.topics) == 2, 60, "the second topic")

            # Both replicas' schedulers fire the same opening.
            wait_s = (opening - datetime.now(UTC)).total_seconds() + 60
            await wait_until(
                lambda: any("Début de permanence" in t for t in api.texts_to(STAFF)),
                max(wait_s, 30),
                "the opening digest",
                every=0.5,
            )
            await drained(replicas, 60)
            await asyncio.sleep(2)  # a second digest, if any, would be on its way by now
            await drained(replicas, 60)
            codes = [replica.terminate() for replica in replicas]
        finally:
            await balancer.aclose()
            for replica in replicas:
                replica.kill()

        report = load.report()
        assert report.missing == 0
        assert report.duplicates == 0, "one sender per outbox row: nothing sent twice"
        assert report.reordered_people == 0, "each person's answers in the order they wrote"
        taken = [t for t in api.texts_to(ASKER.id) if "a pris ta demande" in t]
        assert len(taken) == 1, "one owner per case"
        refusals = [
            c for c in api.calls if c.method == "answerCallbackQuery" and c.params.get("show_alert")
        ]
        assert len(refusals) == 1, "the other worker was told someone took it"
        digests = [t for t in api.texts_to(STAFF) if "Début de permanence" in t]
        assert len(digests) == 1, "one scheduler firing per job"
        assert codes == [0, 0], "both replicas stop gracefully"


def _cards(api: FakeBotApi) -> list[dict[str, Any]]:
    return [
        m
        for m in api.bot_messages(STAFF)
        if "reply_markup" in m and "Cas " in str(m.get("text", ""))
    ]
