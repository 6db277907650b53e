"""Builds the python-telegram-bot ``Application`` and runs it (polling or webhook)."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.bootstrap import Services, build_services
from bot.scheduler import OpeningDigest, Scheduler
from bot.settings import Settings, TelegramMode
from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.person import OutcomeSink, PersonHandlers
from bot.telegram.rate_limit import StaffAwareRateLimiter
from bot.telegram.staff import StaffAccess, StaffHandlers, TelegramStaffDesk
from flows.catalogue import Catalogue
from flows.commands import PERSON_COMMANDS, STAFF_COMMANDS
from flows.domain import Language

log = logging.getLogger(__name__)

WEBHOOK_PATH = "telegram"


class HumanSender(filters.MessageFilter):
    """Messages from a person, not from another bot."""

    def filter(self, message: object) -> bool:
        user = getattr(message, "from_user", None)
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


def build_application(settings: Settings, services: Services) -> Application:  # type: ignore[type-arg]
    """The PTB application, wired to ``services``; resources are closed at shut-down."""
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        # Overall 30 msg/s and 20 msg/min per group; RetryAfter (429) waits and retries. The
        # staff group is the exception: its ordered queue paces it and waits out its 429s.
        .rate_limiter(StaffAwareRateLimiter(settings.staff_chat_id, max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(64))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    sinks: tuple[OutcomeSink, ...] = ()
    if settings.staff_chat_id is not None:
        sinks = (_add_staff_desk(application, services),)
    else:
        log.warning("STAFF_CHAT_ID is not set: cases are kept, but no staff group is told")
    person = PersonHandlers(services, sinks=sinks)
    application.add_handler(CommandHandler("start", person.command, filters=PRIVATE_HUMAN))
    application.add_handler(MessageHandler(filters.COMMAND & PRIVATE_HUMAN, person.command))
    application.add_handler(MessageHandler(filters.TEXT & PRIVATE_HUMAN, person.text))
    application.add_handler(MessageHandler(filters.LOCATION & PRIVATE_HUMAN, person.location))
    application.add_handler(MessageHandler(MEDIA & PRIVATE_HUMAN, person.media))
    application.add_handler(CallbackQueryHandler(person.button))
    application.add_handler(ChatMemberHandler(person.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(_on_error)
    return application


def person_menu(catalogue: Catalogue, language: Language) -> list[BotCommand]:
    """The command menu Telegram shows people, from the one command table."""
    return [
        BotCommand(spec.name(language), catalogue.text(f"command.{spec.command}", language))
        for spec in PERSON_COMMANDS
        if spec.in_menu
    ]


def _add_staff_desk(application: Application, services: Services) -> OutcomeSink:  # type: ignore[type-arg]
    """The workers' desk in the staff group, its handlers, and its opening digest."""
    staff_chat = services.settings.staff_chat_id
    desk = TelegramStaffDesk(services, application.bot)
    handlers = StaffHandlers(services, desk, StaffAccess(services, application.bot))
    in_staff = filters.Chat(chat_id=staff_chat) & HumanSender()
    # Before the person's handlers: card buttons live in the staff group, not in private chats.
    application.add_handler(CallbackQueryHandler(handlers.button, pattern=r"^case:"))
    application.add_handler(MessageHandler(filters.COMMAND & in_staff, handlers.command))
    application.add_handler(MessageHandler(~filters.COMMAND & in_staff, handlers.message))
    scheduler = Scheduler(services.settings.timezone)
    digest = OpeningDigest(scheduler, services.availability.hours, services.clock, desk.send_digest)
    services.background.extend([desk, scheduler, digest])
    return desk.on_outcome


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    for language in Language:
        commands = person_menu(services.catalogue, language)
        await application.bot.set_my_commands(commands, language_code=language.value)
    await application.bot.set_my_commands(
        person_menu(services.catalogue, services.settings.default_language)
    )
    staff_chat = services.settings.staff_chat_id
    if staff_chat is not None:
        language = services.settings.staff_language
        staff_commands = [
            BotCommand(
                spec.name(language),
                services.catalogue.text(f"staff.command.{spec.command}", language),
            )
            for spec in STAFF_COMMANDS
            if spec.in_menu
        ]
        try:
            await application.bot.set_my_commands(
                staff_commands, scope=BotCommandScopeChat(staff_chat)
            )
        except TelegramError as err:
            # A wrong STAFF_CHAT_ID (or the bot not yet in the group) must not stop the bot.
            log.warning("staff group commands not set: %s", err.message)
    await services.start_background()


async def _post_stop(application: Application) -> None:  # type: ignore[type-arg]
    # While the bot can still send: the staff queue gets a moment to finish.
    services: Services = application.bot_data["services"]
    await services.stop_background()


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.aclose()


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one last-resort handler: the traceback and the kind of update, never its content."""
    kind = type(update).__name__
    if isinstance(update, Update):
        kind = "callback" if update.callback_query else "message" if update.message else "update"
    log.error("unhandled error while processing a %s", kind, exc_info=context.error)


def run_bot(settings: Settings) -> None:
    """Run until interrupted, by polling or as a webhook server."""
    services = build_services(settings)
    application = build_application(settings, services)
    allowed = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
    if settings.telegram_mode is TelegramMode.WEBHOOK:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=WEBHOOK_PATH,
            secret_token=secret,
            webhook_url=f"{(settings.webhook_url or '').rstrip('/')}/{WEBHOOK_PATH}",
            allowed_updates=allowed,
        )
    else:
        application.run_polling(allowed_updates=allowed)
