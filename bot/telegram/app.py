"""The Telegram bot: receive (polling or webhook) → inbox → turns → outbox → Telegram.

``TelegramBot`` wires one process: the PTB ``Application`` only for its handlers (which
translate updates and store them), the receiver (our own polling loop, or the webhook on our
own HTTP server), the transport (inbox processors and the outbox sender), the staff desk on
Telegram's forum, the opening digest, and ``/healthz`` and ``/metrics``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.bootstrap import Services, build_services
from bot.desk.access import CannotCheckError, StaffAccess
from bot.http import HttpServer, database_check
from bot.metrics import Metrics
from bot.runtime import StaffSide, Transport
from bot.scheduler import DeskJobs, Housekeeping, OpeningDigest, Scheduler, purge_now
from bot.settings import Settings, TelegramMode
from bot.telegram.channels import TelegramPersonChannel, TelegramStaffChannel
from bot.telegram.client import AiohttpRequest
from bot.telegram.intake import TelegramIntake
from bot.telegram.polling import Poller
from flows.catalogue import Catalogue
from flows.commands import PERSON_COMMANDS, STAFF_COMMANDS
from flows.domain import Language
from resources_db.retention import Purged

log = logging.getLogger(__name__)

ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)
MEMBER_STATUSES = frozenset(
    {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)


def person_menu(catalogue: Catalogue, language: Language) -> list[BotCommand]:
    """The command menu Telegram shows people, from the one command table."""
    return [
        BotCommand(spec.name(language), catalogue.text(f"command.{spec.command}", language))
        for spec in PERSON_COMMANDS
        if spec.in_menu
    ]


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """A PTB application used for its ``Bot`` and its handlers only (no updater of its own)."""
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    return (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .request(AiohttpRequest(settings.telegram_connections))
        .get_updates_request(AiohttpRequest(1))
        .updater(None)
        .build()
    )


class TelegramBot:
    """One process of the Telegram bot; ``start`` and ``stop`` (graceful) are idempotent."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        *,
        metrics: Metrics | None = None,
        poll_timeout_s: int = 10,
    ) -> None:
        self.settings = settings
        self.services = services
        self.metrics = metrics or Metrics()
        self.application = build_application(settings)
        self.application.add_error_handler(_on_error)
        bot = self.application.bot
        staff: StaffSide | None = None
        self.staff_channel: TelegramStaffChannel | None = None
        if settings.staff_chat_id is not None:
            self.staff_channel = TelegramStaffChannel(bot, settings.staff_chat_id)
            access = StaffAccess(
                is_member=self._is_member,
                pseudonym=services.worker_pseudonym,
                handoff=services.handoff,
                allowlist=settings.staff_workers,
                ttl_s=settings.staff_member_cache_s,
            )
            oncall = None
            if settings.oncall_chat_id is not None:
                oncall = TelegramStaffChannel(bot, settings.oncall_chat_id)
            staff = StaffSide(self.staff_channel, access, oncall)
        else:
            log.warning("STAFF_CHAT_ID is not set: cases are kept, but no staff group is told")
        self.transport = Transport(
            services,
            person=TelegramPersonChannel(bot, protect_content=settings.protect_content),
            staff=staff,
            metrics=self.metrics,
        )
        self.intake = TelegramIntake(
            inbox=self.transport.inbox,
            pseudonym=services.pseudonym,
            staff_chat_id=settings.staff_chat_id,
            on_stored=self.transport.wake,
            read_ahead=services.conversations.read_ahead,
        )
        self.intake.install(self.application)
        webhook = settings.telegram_mode is TelegramMode.WEBHOOK
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        self.http = HttpServer(
            listen=settings.http_listen,
            port=settings.http_port,
            metrics=self.metrics,
            database=lambda: database_check(services.sessions),
            nlu_url=settings.nlu_url,
            receive=self.receive_json if webhook else None,
            secret=secret,
            before_metrics=self.transport.refresh_gauges,
        )
        self.poller: Poller | None = None
        if not webhook:
            self.poller = Poller(
                bot, self.receive, allowed_updates=ALLOWED_UPDATES, timeout_s=poll_timeout_s
            )
        self.scheduler: Scheduler | None = None
        self.desk_jobs = DeskJobs(
            services.handoff,
            services.realerts if staff is not None else None,
            services.clock,
            after_realert=self.transport.sender.wake,
        )
        self._started = False
        self._receiving = asyncio.Lock()

    async def receive(self, updates: Sequence[Update]) -> bool:
        """Translate a batch of updates through the handlers and store it in one transaction.

        True once stored (or nothing to store): only then may Telegram be told.
        """
        for update in updates:
            await self.application.process_update(update)
        if not await self.intake.store():
            return False
        for update in updates:
            self.metrics.received.labels("staff" if self._is_staff(update) else "person").inc()
        return True

    async def receive_json(self, data: dict[str, object]) -> bool:
        """A webhook's JSON body, stored."""
        update = Update.de_json(data, self.application.bot)
        if update is None:
            return True
        async with self._receiving:  # one webhook request's batch at a time
            return await self.receive([update])

    async def start(self) -> None:
        """Initialise, start processing and sending, then receiving."""
        if self._started:
            return
        self._started = True
        await self.application.initialize()
        await self._set_commands()
        await self.transport.start()
        await self.http.start()
        # Follow-ups and the nightly purge run with or without a staff group.
        self.scheduler = Scheduler(self.settings.timezone)
        await self.scheduler.start()
        housekeeping = Housekeeping(
            self.scheduler,
            wake_sender=self.transport.sender.wake,
            purge=self.purge,
            purge_at=self.settings.purge_at,
        )
        await housekeeping.start()
        if self.settings.staff_chat_id is not None:
            digest = OpeningDigest(
                self.scheduler,
                self.services.availability.hours,
                self.services.clock,
                self.announce_opening,
            )
            await digest.start()
        self.desk_jobs.arm(self.scheduler)
        if self.poller is not None:
            await self.poller.start()
        else:
            await self._set_webhook()

    async def purge(self) -> Purged:
        """The nightly retention purge (``passerelle purge`` does the same by hand)."""
        return await purge_now(self.settings, self.services.sessions, self.services.clock.now())

    async def announce_opening(self, opening: object) -> None:
        """The team opens: one digest row (however many replicas fire), then send it."""
        iso = opening.isoformat() if hasattr(opening, "isoformat") else str(opening)
        await self.services.handoff.announce_opening(iso)
        self.transport.sender.wake()

    async def stop(self) -> None:
        """Stop receiving, finish the turns in flight, stop sending, close everything."""
        if not self._started:
            return
        self._started = False
        if self.poller is not None:
            await self.poller.stop()
        self.http.refuse_updates()
        await self.transport.stop()
        self.services.conversations.drop_reading_ahead()
        if self.scheduler is not None:
            await self.scheduler.stop()
        await self.http.stop()
        with contextlib.suppress(TelegramError):
            await self.application.shutdown()
        await self.services.aclose()

    async def _set_webhook(self) -> None:
        secret = self.settings.webhook_secret
        url = f"{(self.settings.webhook_url or '').rstrip('/')}/telegram"
        await self.application.bot.set_webhook(
            url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=list(ALLOWED_UPDATES),
        )

    async def _set_commands(self) -> None:
        bot = self.application.bot
        catalogue = self.services.catalogue
        try:
            for language in Language:
                await bot.set_my_commands(
                    person_menu(catalogue, language), language_code=language.value
                )
            await bot.set_my_commands(person_menu(catalogue, self.settings.default_language))
        except TelegramError as err:
            log.warning("command menu not set: %s", err.message)
        staff_chat = self.settings.staff_chat_id
        if staff_chat is None:
            return
        language = self.settings.staff_language
        staff_commands = [
            BotCommand(
                spec.name(language), catalogue.text(f"staff.command.{spec.command}", language)
            )
            for spec in STAFF_COMMANDS
            if spec.in_menu
        ]
        try:
            await bot.set_my_commands(staff_commands, scope=BotCommandScopeChat(staff_chat))
        except TelegramError as err:
            # A wrong STAFF_CHAT_ID (or the bot not yet in the group) must not stop the bot.
            log.warning("staff group commands not set: %s", err.message)

    async def _is_member(self, user_id: int) -> bool:
        chat = self.settings.staff_chat_id
        if chat is None:
            return False
        try:
            member = await self.application.bot.get_chat_member(chat, user_id)
        except TelegramError as err:
            raise CannotCheckError(type(err).__name__) from err
        # A restricted member still belongs to the group (``is_member``); left or banned not.
        return member.status in MEMBER_STATUSES or (
            member.status == ChatMemberStatus.RESTRICTED
            and bool(getattr(member, "is_member", False))
        )

    def _is_staff(self, update: Update) -> bool:
        chat = update.effective_chat
        return chat is not None and chat.id == self.settings.staff_chat_id


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one last-resort handler: the traceback and the kind of update, never its content."""
    kind = type(update).__name__
    if isinstance(update, Update):
        kind = "callback" if update.callback_query else "message" if update.message else "update"
    log.error("unhandled error while storing a %s", kind, exc_info=context.error)


async def serve(settings: Settings, stop: asyncio.Event | None = None, **kwargs: Any) -> None:
    """Run until ``stop`` is set (or SIGTERM/SIGINT), then shut down gracefully."""
    metrics = Metrics()
    services = build_services(settings, metrics=metrics)
    bot = TelegramBot(settings, services, metrics=metrics, **kwargs)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await bot.start()
        log.info("passerelle is running (%s)", settings.telegram_mode.value)
        await stop.wait()
        log.info("shutting down: finishing the turns in flight")
    finally:
        await bot.stop()


def run_bot(settings: Settings) -> None:
    """Run until interrupted, by polling or as a webhook server."""
    asyncio.run(serve(settings))
