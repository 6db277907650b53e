"""Runs the real Telegram bot (``TelegramBot``) in-process against the fake Bot API.

The bot polls the fake over HTTP with its own loop, stores updates in the inbox, handles them,
and sends through the outbox, exactly as ``passerelle run`` does. ``RunningBot.settled``
waits until every update pushed to the fake was stored and handled and nothing is left to
send: tests wait for that signal instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.bootstrap import Services, build_services
from bot.metrics import Metrics
from bot.runtime import Transport
from bot.settings import Settings
from bot.telegram.app import TelegramBot
from flows import followups
from flows.domain import Conversation, FlowState, Language
from flows.outbox import FollowUpDue
from flows.ports import Clock, Nlu, ResourceDirectory
from resources_db.crypto import generate_key
from tests.fakes.bot_api import FakeBotApi

# Far above a real stop (the turns' grace, then a few seconds per stuck task): a hang only.
STOP_S = 60.0


@dataclass
class RunningBot:
    bot: TelegramBot
    services: Services
    settings: Settings
    api: FakeBotApi

    @property
    def transport(self) -> Transport:
        return self.bot.transport

    async def settled(self, timeout: float = 20.0) -> None:
        """Wait until the bot has stored every update the fake holds, handled it, and sent
        everything due (twice in a row, so that a turn just finished is counted)."""
        deadline = time.monotonic() + timeout
        calm = 0
        while calm < 2:
            if time.monotonic() > deadline:
                raise AssertionError("the bot did not settle in time")
            poller = self.bot.poller
            received = poller is None or (poller.offset or 0) > self.api.last_update_id
            if received and await self.transport.settled():
                calm += 1
            else:
                calm = 0
            await asyncio.sleep(0.05)


def e2e_settings(api: FakeBotApi, database_url: str, **overrides: Any) -> Settings:
    """Settings for a bot that talks to ``api``; no ``.env`` file is read."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "pseudonym_key": "e2e-pseudonym-key-" + "x" * 24,
        "encryption_key": generate_key(),
        "telegram_token": api.token,
        "telegram_base_url": api.base_url,
        "telegram_base_file_url": api.base_url.replace("/bot", "/file/bot"),
        "team_name": "Équipe de rue test",
        "nlu_url": "http://127.0.0.1:9",  # nothing listens: NLU unavailable unless faked
        "nlu_timeout_s": 0.5,
        "http_listen": "127.0.0.1",
        "http_port": 0,
        "transport_poll_s": 0.2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_bot(
    api: FakeBotApi,
    settings: Settings,
    *,
    nlu: Nlu | None = None,
    directory: ResourceDirectory | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[RunningBot]:
    """Start the bot (polling ``api`` unless the settings say webhook); stop it after."""
    metrics = Metrics()
    services = build_services(settings, nlu=nlu, directory=directory, clock=clock, metrics=metrics)
    bot = TelegramBot(settings, services, metrics=metrics, poll_timeout_s=1)
    try:
        await bot.start()
        yield RunningBot(bot, services, settings, api)
    finally:
        await stop_or_fail(bot)


async def stop_or_fail(bot: TelegramBot) -> None:
    """Stop the bot; a stop that does not return fails the test, naming what still runs.

    Waited with ``asyncio.wait``, not a timeout around ``stop``: a stop that swallowed the
    timeout's cancellation would look as if it had returned.
    """
    stopping = asyncio.create_task(bot.stop(), name="bot-stop")
    try:
        done, _ = await asyncio.wait({stopping}, timeout=STOP_S)
    except BaseException:
        stopping.cancel()
        raise
    if not done:
        mine = asyncio.current_task()
        left = sorted(t.get_name() for t in asyncio.all_tasks() if t not in (mine, stopping))
        stopping.cancel()
        raise AssertionError(f"the bot did not stop in {STOP_S:.0f} s; running: {left}")
    stopping.result()


async def arm_followups(
    services: Services, chats: Iterable[int], *, armed_at: datetime, due: datetime
) -> None:
    """Each chat's person saw results at ``armed_at`` and said yes to a follow-up ``due``:
    the conversation (consent, armed), their address, and the outbox row with its due time."""
    async with services.uow_factory() as uow:
        for chat in chats:
            pseudonym = services.pseudonym(chat)
            extra = {followups.DUE: due.isoformat(), followups.ARMED_AT: armed_at.isoformat()}
            await uow.conversations.save(
                Conversation(
                    pseudonym,
                    Language.FR,
                    armed_at,
                    armed_at,
                    state=FlowState.RESULTS,
                    followup_consent=True,
                    extra=extra,
                )
            )
            await uow.addresses.remember(pseudonym, str(chat))
            await uow.outbox.add(FollowUpDue(pseudonym, due.isoformat()), due=due)
        await uow.commit()
