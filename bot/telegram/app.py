"""Builds the python-telegram-bot ``Application`` and runs it (polling or webhook)."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.bootstrap import Services, build_services
from bot.settings import Settings, TelegramMode
from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.person import PersonHandlers

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

COMMANDS = {
    "fr": [
        BotCommand("menu", "Les sujets"),
        BotCommand("aide", "Ce que je sais faire"),
        BotCommand("urgence", "Numéros d’urgence"),
        BotCommand("langue", "Changer de langue"),
        BotCommand("stop", "Plus de messages de suivi"),
        BotCommand("oublie", "Tout effacer"),
    ],
    "en": [
        BotCommand("menu", "Topics"),
        BotCommand("help", "What I can do"),
        BotCommand("emergency", "Emergency numbers"),
        BotCommand("language", "Change language"),
        BotCommand("stop", "No more check-ins"),
        BotCommand("forget", "Erase everything"),
    ],
}


def build_application(settings: Settings, services: Services) -> Application:  # type: ignore[type-arg]
    """The PTB application, wired to ``services``; resources are closed at shut-down."""
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        # Overall 30 msg/s and 20 msg/min per group; RetryAfter (429) waits and retries.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(64))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    person = PersonHandlers(services)
    application.add_handler(CommandHandler("start", person.command, filters=PRIVATE_HUMAN))
    application.add_handler(MessageHandler(filters.COMMAND & PRIVATE_HUMAN, person.command))
    application.add_handler(MessageHandler(filters.TEXT & PRIVATE_HUMAN, person.text))
    application.add_handler(MessageHandler(filters.LOCATION & PRIVATE_HUMAN, person.location))
    application.add_handler(MessageHandler(MEDIA & PRIVATE_HUMAN, person.media))
    application.add_handler(CallbackQueryHandler(person.button))
    application.add_handler(ChatMemberHandler(person.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(_on_error)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    for language, commands in COMMANDS.items():
        await application.bot.set_my_commands(commands, language_code=language)
    await application.bot.set_my_commands(COMMANDS["fr"])


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
