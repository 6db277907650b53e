"""Telegram as the outbox sender's channels: a person's private chat and the staff forum.

Rendering happens here, at send time: HTML escaping, 4 096-character chunks, inline and
location keyboards, venue pins, silent and non-forwardable follow-ups; topics, cards, copies
of the person's messages in the staff group. Telegram's errors become the few outcomes of
``bot.delivery``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from telegram import Bot, ForceReply, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.delivery import Pace, RefusedError, RetryLater, TransientError, UnreachableError
from bot.desk.channel import Where
from bot.telegram.render import escaped_chunks, inline_keyboard, location_keyboard
from flows.actions import Keyboard, PersonMessage, ShowPlace

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_TITLE = 128  # Telegram's limit for a forum topic name
MAX_PLACEHOLDER = 64
NOT_A_FORUM = ("not a forum", "topics", "not enough rights to create a topic")


def retry_after_seconds(err: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB gives a ``timedelta`` or, formerly, an int)."""
    value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    """Telegram's errors as ``bot.delivery``'s (descriptions name the problem, not content)."""
    try:
        yield
    except RetryAfter as err:
        raise RetryLater(retry_after_seconds(err), err.message) from err
    except Forbidden as err:
        raise UnreachableError(err.message) from err
    except (BadRequest, ChatMigrated) as err:
        raise RefusedError(err.message) from err
    except NetworkError as err:  # TimedOut included: maybe delivered, maybe not
        raise TransientError(err.message) from err
    except TelegramError as err:
        raise TransientError(err.message) from err


class TelegramPersonChannel:
    """A person's private chat.

    ``protect_content`` (the ``PROTECT_CONTENT`` setting, on by default): nothing sent to the
    person can be forwarded or saved; follow-ups are protected and silent whatever it says.
    """

    def __init__(self, bot: Bot, *, protect_content: bool = True) -> None:
        self._bot = bot
        self._protect = protect_content

    async def deliver(
        self,
        address: str,
        message: PersonMessage,
        *,
        pace: Pace,
        start: int = 0,
        progress: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[int]:
        """Send one message, from part ``start``; the Telegram message ids it made."""
        chat_id = int(address)
        if isinstance(message, ShowPlace):
            await pace()
            async with translated():
                sent = await self._bot.send_venue(
                    chat_id,
                    latitude=message.latitude,
                    longitude=message.longitude,
                    title=message.title[:64],
                    address=message.address[:128],
                    protect_content=self._protect,
                )
            return [sent.message_id]
        chunks = escaped_chunks(message)
        ids: list[int] = []
        for index in range(start, len(chunks)):
            last = index == len(chunks) - 1
            markup: Any = None
            if last:
                markup = (
                    location_keyboard(message.location_button)
                    if message.location_button
                    else inline_keyboard(message.buttons)
                )
            await pace()
            async with translated():
                sent = await self._bot.send_message(
                    chat_id,
                    chunks[index],
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                    disable_notification=message.discreet,
                    protect_content=self._protect or message.discreet,
                )
            ids.append(sent.message_id)
            if progress is not None and not last:
                await progress(index + 1)
        return ids

    async def erase(self, address: str | None, message_ids: Sequence[int]) -> int:
        """``/oublie``: delete the bot's and the person's messages still deletable (48 h)."""
        if address is None:
            return len(message_ids)
        return await _delete(self._bot, int(address), message_ids)

    async def answer(self, callback: str, text: str | None = None) -> None:
        """Stop a button's spinner (with a toast if ``text``)."""
        async with translated():
            await self._bot.answer_callback_query(callback, text=text)


class TelegramStaffChannel:
    """The team's forum supergroup (or a plain group: one message per case)."""

    title_limit = MAX_TITLE

    def __init__(self, bot: Bot, chat_id: int) -> None:
        self._bot = bot
        self.chat_id = chat_id
        # Unknown until the first topic: a group that refuses topics gets one message per case.
        self.forum: bool | None = None

    def link(self, topic: int) -> str | None:
        """``https://t.me/c/<group>/<topic>``: opens the topic, for members only."""
        digits = str(self.chat_id)
        if not digits.startswith("-100"):
            return None  # only supergroups have such links
        return f"https://t.me/c/{digits.removeprefix('-100')}/{topic}"

    async def create_topic(self, title: str) -> int | None:
        """A new topic, or None if the group has no topics (or the bot may not make them)."""
        if self.forum is False:
            return None
        try:
            topic = await self._bot.create_forum_topic(self.chat_id, title[:MAX_TITLE])
        except BadRequest as err:
            log.warning("staff group gives no topics (%s); one message per case", err.message)
            self.forum = False
            return None
        except TelegramError:
            async with translated():
                raise
        self.forum = True
        return topic.message_thread_id

    async def rename_topic(self, topic: int, title: str) -> None:
        """Rename a topic."""
        async with translated():
            await self._bot.edit_forum_topic(self.chat_id, topic, name=title[:MAX_TITLE])

    async def send(
        self,
        text: str,
        where: Where,
        *,
        buttons: Keyboard = (),
        notify: bool = True,
        ask_reply: str | None = None,
    ) -> int:
        """Post a message; the message id."""
        markup: Any = inline_keyboard(buttons)
        if ask_reply is not None:
            markup = ForceReply(
                selective=False, input_field_placeholder=ask_reply[:MAX_PLACEHOLDER]
            )
        async with translated():
            sent = await self._bot.send_message(
                self.chat_id,
                text,
                reply_markup=markup,
                disable_notification=not notify,
                link_preview_options=NO_PREVIEW,
                **_place(where),
            )
        return sent.message_id

    async def edit(self, message: int, text: str, buttons: Keyboard = ()) -> None:
        """Change a card (Telegram refuses an edit that changes nothing: harmless)."""
        async with translated():
            await self._bot.edit_message_text(
                text,
                chat_id=self.chat_id,
                message_id=message,
                reply_markup=inline_keyboard(buttons),
                link_preview_options=NO_PREVIEW,
            )

    async def copy(self, from_address: str, reference: str, where: Where) -> int:
        """Copy the person's message into the group: a copy has no author."""
        async with translated():
            copied = await self._bot.copy_message(
                self.chat_id, int(from_address), int(reference), **_place(where)
            )
        return copied.message_id

    async def erase(self, address: str | None, message_ids: Sequence[int]) -> int:
        """``/oublie``: delete the copies of the person's messages in the group."""
        del address  # always the staff group
        return await _delete(self._bot, self.chat_id, message_ids)

    async def answer(self, callback: str, text: str | None = None, *, alert: bool = False) -> None:
        """Answer a worker's button (an alert for a refusal)."""
        async with translated():
            await self._bot.answer_callback_query(callback, text=text, show_alert=alert)


async def _delete(bot: Bot, chat_id: int, message_ids: Sequence[int]) -> int:
    """Delete messages by hundreds; how many could not be (too old, already gone)."""
    refused = 0
    ids = sorted(set(message_ids))
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        try:
            async with translated():
                await bot.delete_messages(chat_id, chunk)
        except RefusedError:
            refused += len(chunk)  # Telegram refuses the lot if one is too old: one by one
            for message_id in chunk:
                try:
                    async with translated():
                        await bot.delete_message(chat_id, message_id)
                    refused -= 1
                except RefusedError:
                    continue
    return refused


def _place(where: Where) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if where.topic is not None:
        params["message_thread_id"] = where.topic
    if where.reply_to is not None:
        params["reply_parameters"] = ReplyParameters(
            where.reply_to, allow_sending_without_reply=True
        )
    return params
