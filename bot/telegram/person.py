"""The person's private chat: Update → core event → Bot API calls. No business logic here."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Chat, LinkPreviewOptions, Message, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot.bootstrap import Services
from bot.telegram.render import escaped_chunks, inline_keyboard, location_keyboard
from flows.actions import PersonMessage, Reply, ShowPlace
from flows.domain import Language
from flows.events import (
    ButtonPressed,
    CommandReceived,
    Inbound,
    LocationShared,
    MediaKind,
    MediaReceived,
    PersonBlockedBot,
    PersonEvent,
    TextReceived,
)
from flows.service import Outcome, StorageUnavailableError

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

OutcomeSink = Callable[[Outcome], Awaitable[None]]


class PersonUnreachableError(Exception):
    """Telegram refused to deliver to the person (they blocked the bot)."""


async def deliver(bot: Bot, chat_id: int, messages: tuple[PersonMessage, ...]) -> None:
    """Send the core's messages to one private chat, in order.

    Raises ``PersonUnreachableError`` on 403: the caller turns it into ``PersonBlockedBot``.
    """
    try:
        for message in messages:
            if isinstance(message, ShowPlace):
                await bot.send_venue(
                    chat_id,
                    latitude=message.latitude,
                    longitude=message.longitude,
                    title=message.title[:64],
                    address=message.address[:128],
                )
                continue
            await _send_reply(bot, chat_id, message)
    except Forbidden as err:
        raise PersonUnreachableError from err


async def _send_reply(bot: Bot, chat_id: int, reply: Reply) -> None:
    chunks = escaped_chunks(reply)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        markup = None
        if last:
            markup = (
                location_keyboard(reply.location_button)
                if reply.location_button
                else inline_keyboard(reply.buttons)
            )
        await bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
            disable_notification=reply.discreet,
            protect_content=reply.discreet,
        )


def _media_kind(message: Message) -> MediaKind:
    for attribute, kind in (
        ("sticker", MediaKind.STICKER),
        ("photo", MediaKind.PHOTO),
        ("voice", MediaKind.VOICE),
        ("video_note", MediaKind.VIDEO),
        ("video", MediaKind.VIDEO),
        ("animation", MediaKind.VIDEO),
        ("audio", MediaKind.AUDIO),
        ("document", MediaKind.DOCUMENT),
        ("contact", MediaKind.CONTACT),
    ):
        if getattr(message, attribute, None):
            return kind
    return MediaKind.OTHER


class PersonHandlers:
    """PTB callbacks for private chats with people."""

    def __init__(self, services: Services, sinks: tuple[OutcomeSink, ...] = ()) -> None:
        self._services = services
        self._sinks = sinks

    async def command(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start``, ``/aide``… and unknown commands."""
        message = update.effective_message
        if message is None or not message.text:
            return
        head, _, argument = message.text.partition(" ")
        name = head.lstrip("/").split("@", 1)[0].lower()
        await self._process(update, CommandReceived(name, argument.strip()))

    async def text(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text."""
        message = update.effective_message
        if message is not None and message.text:
            await self._process(update, TextReceived(message.text))

    async def button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """An inline button."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.message is not None and query.message.chat.type != Chat.PRIVATE:
            return  # a stale button in a group is nobody's conversation
        await self._process(update, ButtonPressed(query.data or ""))

    async def location(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location: passed on once, never stored."""
        message = update.effective_message
        if message is not None and message.location is not None:
            point = message.location
            await self._process(update, LocationShared(point.latitude, point.longitude))

    async def media(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice notes, documents, contacts: a kind answer, nothing downloaded."""
        message = update.effective_message
        if message is not None:
            await self._process(update, MediaReceived(_media_kind(message)))

    async def membership(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """The person blocked (or unblocked) the bot."""
        change = update.my_chat_member
        if change is None or change.chat.type != Chat.PRIVATE:
            return
        if change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await self._process(update, PersonBlockedBot(), reply=False)

    async def _process(self, update: Update, event: PersonEvent, *, reply: bool = True) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or user.is_bot:
            return
        services = self._services
        pseudonym = services.pseudonym(user.id)
        # The message's id lets a worker receive a copy of it, unread by the bot.
        reference = str(update.message.message_id) if update.message is not None else None
        inbound = Inbound(
            pseudonym,
            event,
            language_hint=user.language_code,
            address=str(chat.id),
            reference=reference,
        )
        try:
            outcome = await services.conversations.handle(inbound)
        except StorageUnavailableError:
            log.warning("storage unavailable; told %s to retry", pseudonym[:12])
            await self._tell_storage_busy(update, chat.id)
            return
        if reply:
            try:
                await deliver(update.get_bot(), chat.id, outcome.messages)
            except PersonUnreachableError:
                log.info("person %s blocked the bot", pseudonym[:12])
                blocked = await services.conversations.handle(
                    Inbound(pseudonym, PersonBlockedBot())
                )
                for sink in self._sinks:  # an open case closes: the workers are told
                    await sink(blocked)
                return
        for sink in self._sinks:
            await sink(outcome)

    async def _tell_storage_busy(self, update: Update, chat_id: int) -> None:
        services = self._services
        language = services.settings.default_language
        if update.effective_user is not None:
            language = Language.from_code(update.effective_user.language_code, language)
        lines = services.crisis_lines.lines_for(services.settings.jurisdiction)
        text = services.catalogue.text("storage_busy", language, emergency=lines.emergency_number)
        try:
            await deliver(update.get_bot(), chat_id, (Reply(text),))
        except PersonUnreachableError:
            log.info("person unreachable while storage was busy")
