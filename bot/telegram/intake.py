"""Telegram updates → the inbox. Handlers translate; the receiver stores; nothing else.

Each handler turns an ``Update`` into what the core needs (a person's ``Inbound`` with the
pseudonym, the language hint, the chat address and the message reference; or a worker's
``StaffInput``) and sets it aside; ``store`` then writes what a batch of updates gave in one
transaction, idempotent by ``update_id``. The raw update is never stored (it carries names):
only that translation, encrypted. The receiver (polling or webhook) confirms updates to
Telegram only after ``store`` returned True.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.desk.workers import StaffInput
from bot.people import PERSON, person_payload
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
from flows.outbox import STAFF_LANE
from resources_db.transport import InboxItem, InboxStore

log = logging.getLogger(__name__)
STAFF = "staff"


class HumanSender(filters.MessageFilter):
    """Messages from a person, not from another bot."""

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return user is not None and not user.is_bot


PRIVATE_HUMAN = filters.ChatType.PRIVATE & HumanSender()
MEDIA = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.AUDIO
    | filters.Document.ALL
    | filters.CONTACT
)


def media_kind(message: Message) -> MediaKind:
    """What kind of non-text message this is (nothing is downloaded)."""
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


class TelegramIntake:
    """The PTB handlers, and the batch they translated, waiting to be stored."""

    def __init__(
        self,
        *,
        inbox: InboxStore,
        pseudonym: Callable[[int], str],
        staff_chat_id: int | None,
        on_stored: Callable[[], None] = lambda: None,
        read_ahead: Callable[[Inbound], None] = lambda _inbound: None,
    ) -> None:
        self._inbox = inbox
        self._read_ahead = read_ahead
        self._pseudonym = pseudonym
        self._staff_chat_id = staff_chat_id
        self._on_stored = on_stored
        self._batch: list[InboxItem] = []

    async def store(self) -> bool:
        """Store what the handlers translated since the last call, in one transaction."""
        batch, self._batch = self._batch, []
        if not batch:
            return True
        try:
            left = await self._inbox.store_many(batch)
        except Exception as err:  # noqa: BLE001 - not stored: the receiver must not confirm
            log.warning(
                "updates not stored (%s); Telegram will send them again", type(err).__name__
            )
            return False
        if left:  # rows the processor must claim (the others went straight to a worker)
            self._on_stored()
        return True

    def install(self, application: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers, staff first (card buttons live in the staff group)."""
        if self._staff_chat_id is not None:
            in_staff = filters.Chat(chat_id=self._staff_chat_id) & HumanSender()
            application.add_handler(CallbackQueryHandler(self.staff_button, pattern=r"^case:"))
            application.add_handler(MessageHandler(filters.COMMAND & in_staff, self.staff_command))
            application.add_handler(MessageHandler(~filters.COMMAND & in_staff, self.staff_message))
        application.add_handler(MessageHandler(filters.COMMAND & PRIVATE_HUMAN, self.command))
        application.add_handler(MessageHandler(filters.TEXT & PRIVATE_HUMAN, self.text))
        application.add_handler(MessageHandler(filters.LOCATION & PRIVATE_HUMAN, self.location))
        application.add_handler(MessageHandler(MEDIA & PRIVATE_HUMAN, self.media))
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(
            ChatMemberHandler(self.membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )

    # --- a person --------------------------------------------------------------------------------

    async def command(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start``, ``/aide``… and unknown commands."""
        message = update.effective_message
        if message is None or not message.text:
            return
        head, _, argument = message.text.partition(" ")
        name = head.lstrip("/").split("@", 1)[0].lower()
        await self._person(update, CommandReceived(name, argument.strip()))

    async def text(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text."""
        message = update.effective_message
        if message is not None and message.text:
            await self._person(update, TextReceived(message.text))

    async def location(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location: passed on once, never stored in clear."""
        message = update.effective_message
        if message is not None and message.location is not None:
            point = message.location
            await self._person(update, LocationShared(point.latitude, point.longitude))

    async def media(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice notes, documents, contacts: nothing is downloaded."""
        message = update.effective_message
        if message is not None:
            await self._person(update, MediaReceived(media_kind(message)))

    async def button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """An inline button. Only one pressed in the presser's own private chat is theirs."""
        query = update.callback_query
        user = update.effective_user
        if query is None or user is None or user.is_bot:
            return
        chat = query.message.chat if query.message is not None else None
        # The answer goes to the presser's own private chat (its id is the user's id), never
        # to whatever chat the message lives in.
        own = chat is not None and chat.type == Chat.PRIVATE and chat.id == user.id
        inbound = Inbound(
            self._pseudonym(user.id),
            ButtonPressed(query.data or ""),
            language_hint=user.language_code,
            address=str(user.id),
        )
        payload = person_payload(inbound, callback=query.id, foreign=not own)
        await self._store(update, inbound.pseudonym, PERSON, payload)

    async def membership(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """The person blocked (or unblocked) the bot."""
        change = update.my_chat_member
        if change is None or change.chat.type != Chat.PRIVATE:
            return
        if change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await self._person(update, PersonBlockedBot())

    async def _person(self, update: Update, event: PersonEvent) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or user.is_bot:
            return
        # The message's id lets a worker receive a copy of it, unread by the bot.
        reference = str(update.message.message_id) if update.message is not None else None
        inbound = Inbound(
            self._pseudonym(user.id),
            event,
            language_hint=user.language_code,
            address=str(chat.id),
            reference=reference,
        )
        # A text is read while it is stored (the NLU's time overlaps the transaction).
        self._read_ahead(inbound)
        await self._store(update, inbound.pseudonym, PERSON, person_payload(inbound))

    # --- a worker --------------------------------------------------------------------------------

    async def staff_button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A card button (take, give back, close, reopen, note)."""
        query = update.callback_query
        user = update.effective_user
        if query is None or user is None:
            return
        chat = query.message.chat if query.message is not None else None
        in_staff = chat is not None and chat.id == self._staff_chat_id
        given = StaffInput(
            "button",
            user.id,
            is_bot=user.is_bot,
            # A card button pressed anywhere else is nobody's: it is only answered.
            data=(query.data or "") if in_staff else "",
            callback=query.id,
        )
        await self._store(update, STAFF_LANE, STAFF, given.to_dict())

    async def staff_command(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/prendre``, ``/note``, ``/file``… typed in the staff group."""
        await self._staff_message(update, "command")

    async def staff_message(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A worker wrote in the group (in a case's topic, or in reply to one)."""
        await self._staff_message(update, "message")

    async def _staff_message(self, update: Update, kind: str) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        replied = message.reply_to_message
        given = StaffInput(
            kind,
            user.id,
            is_bot=user.is_bot,
            text=message.text or "",
            has_text=bool(message.text),
            message_id=message.message_id,
            topic=message.message_thread_id if message.is_topic_message else None,
            reply_to=replied.message_id if replied is not None else None,
        )
        await self._store(update, STAFF_LANE, STAFF, given.to_dict())

    # --- storing ---------------------------------------------------------------------------------

    async def _store(
        self, update: Update, lane: str, kind: str, payload: dict[str, object]
    ) -> None:
        self._batch.append(InboxItem(lane, kind, payload, update.update_id))
