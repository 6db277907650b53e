"""Long polling that confirms an update to Telegram only once it is stored.

Telegram forgets an update when the bot asks ``getUpdates`` with an offset past it. This loop
fetches a batch, stores it (translated by the application's handlers, in one transaction),
and only then moves the offset: the next request confirms what was stored. A batch that could
not be stored is fetched again. A crash between
storing and confirming makes Telegram send a few updates again: the inbox keeps one row per
``update_id``, so they are handled once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import RetryAfter, TelegramError

from bot.shutdown import cancel_and_wait
from bot.telegram.channels import retry_after_seconds

log = logging.getLogger(__name__)


class Poller:
    """One polling task."""

    def __init__(
        self,
        bot: Bot,
        receive: Callable[[Sequence[Update]], Awaitable[bool]],
        *,
        allowed_updates: Sequence[str],
        timeout_s: int = 10,
        backoff_s: float = 1.0,
    ) -> None:
        self._bot = bot
        self._receive = receive
        self._allowed = list(allowed_updates)
        self._timeout = timeout_s
        self._backoff = backoff_s
        self._task: asyncio.Task[None] | None = None
        self.offset: int | None = None

    async def start(self) -> None:
        """Drop any webhook (keeping its pending updates) and start polling."""
        await self._bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop fetching (what was stored is handled; what was not, Telegram still has)."""
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait([task])

    async def _run(self) -> None:
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=self.offset,
                    timeout=self._timeout,
                    allowed_updates=self._allowed,
                    read_timeout=self._timeout + 10,
                )
            except RetryAfter as err:
                await asyncio.sleep(retry_after_seconds(err))
                continue
            except TelegramError as err:
                log.warning("getUpdates failed (%s); trying again", type(err).__name__)
                await asyncio.sleep(self._backoff)
                continue
            if not updates:
                continue
            if not await self._receive(updates):
                # Not stored: do not confirm them; they come again with the next request.
                await asyncio.sleep(self._backoff)
                continue
            self.offset = updates[-1].update_id + 1
