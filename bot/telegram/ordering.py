"""Updates of one chat in order, different chats in parallel."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from flows.service import KeyedLocks


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs up to ``max_concurrent_updates`` updates at once, but one at a time per chat.

    PTB calls ``do_process_update`` in arrival order and the per-chat locks are FIFO, so a
    person's messages are handled in the order they were sent.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Process ``update`` under its chat's lock."""
        key = "global"
        if isinstance(update, Update) and update.effective_chat is not None:
            key = str(update.effective_chat.id)
        async with self._locks.hold(key):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""
