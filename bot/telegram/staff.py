"""The workers' desk in the team's Telegram group: a topic per case, a card, relays, notices.

``TelegramStaffDesk`` renders what the database says into the staff group, through one ordered
queue (``StaffQueue``); ``StaffHandlers`` turns workers' buttons, commands and messages into
handoff actions. The person is never exposed: their messages are *copied* into the topic (a
copy has no author), and cards show an alias and what they chose, nothing else. Workers are
known by a keyed pseudonym; their Telegram ids are only used, in memory, to check access.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from telegram import (
    Bot,
    ForceReply,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.bootstrap import Services
from bot.telegram.person import PersonUnreachableError, deliver
from bot.telegram.render import inline_keyboard
from bot.telegram.staff_queue import Send, StaffJob, StaffQueue
from flows.actions import CloseCase, ForgetPerson, OpenCase, RelayToWorker
from flows.cases import Case, Worker, WorkerAction
from flows.domain import Priority
from flows.events import Inbound, PersonBlockedBot
from flows.handoff_service import WorkerOutcome
from flows.service import Outcome, StorageUnavailableError
from flows.staff_view import CASE_PAYLOAD

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_ALERT = 200  # Telegram's limit for a callback answer
MEMBER_STATUSES = frozenset(
    {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)
NAME = re.compile(r"^[^\W\d_][^\W\d_' -]*(?:[' -][^\W\d_]+)*$")
MAX_NAME = 32

ACTIONS = {
    "prendre": WorkerAction.TAKE,
    "take": WorkerAction.TAKE,
    "note": WorkerAction.NOTE,
    "rendre": WorkerAction.GIVE_BACK,
    "giveback": WorkerAction.GIVE_BACK,
    "give_back": WorkerAction.GIVE_BACK,
    "fermer": WorkerAction.CLOSE,
    "close": WorkerAction.CLOSE,
    "rouvrir": WorkerAction.REOPEN,
    "reopen": WorkerAction.REOPEN,
}
BUTTONS = {
    "take": WorkerAction.TAKE,
    "give_back": WorkerAction.GIVE_BACK,
    "close": WorkerAction.CLOSE,
    "reopen": WorkerAction.REOPEN,
}
QUEUE_COMMANDS = frozenset({"file", "queue"})
CARD_COMMANDS = frozenset({"cas", "case"})
NAME_COMMANDS = frozenset({"prenom", "name"})
HELP_COMMANDS = frozenset({"aide", "help"})
STAFF_COMMANDS = frozenset(
    {*ACTIONS, *QUEUE_COMMANDS, *CARD_COMMANDS, *NAME_COMMANDS, *HELP_COMMANDS}
)
STATUS_CHANGES = frozenset(
    {WorkerAction.TAKE, WorkerAction.GIVE_BACK, WorkerAction.CLOSE, WorkerAction.REOPEN}
)


class CannotCheckError(Exception):
    """Telegram did not answer whether this user belongs to the staff group."""


@dataclass(frozen=True, slots=True)
class Where:
    """Where to post in the staff group: a topic, or in reply to the case's card."""

    thread_id: int | None = None
    reply_to: int | None = None

    def params(self) -> dict[str, Any]:
        """Keyword arguments for ``send_message`` / ``copy_message``."""
        params: dict[str, Any] = {}
        if self.thread_id is not None:
            params["message_thread_id"] = self.thread_id
        if self.reply_to is not None:
            params["reply_parameters"] = ReplyParameters(
                self.reply_to, allow_sending_without_reply=True
            )
        return params


class StaffAccess:
    """Who may act: members of the staff group, and only those allowlisted if there is a list."""

    def __init__(self, services: Services, bot: Bot) -> None:
        settings = services.settings
        self._services = services
        self._bot = bot
        self._chat_id = settings.staff_chat_id
        self._allowlist = settings.staff_workers
        self._ttl = settings.staff_member_cache_s
        # By worker pseudonym: a membership answer, and until when it is trusted.
        self._cache: dict[str, tuple[bool, float]] = {}

    async def worker(self, user: User) -> Worker | None:
        """The worker behind ``user``, or None if they may not act.

        Raises:
            CannotCheckError: Telegram could not say whether they are a member.
        """
        pseudonym = self._services.worker_pseudonym(user.id)
        if user.is_bot or self._chat_id is None:
            return None
        if self._allowlist and user.id not in self._allowlist:
            return None
        if not await self._is_member(self._chat_id, user.id, pseudonym):
            return None
        name = await self._services.handoff.worker_name(pseudonym)
        return Worker(pseudonym, name)

    async def _is_member(self, chat_id: int, user_id: int, pseudonym: str) -> bool:
        cached = self._cache.get(pseudonym)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            member = await self._bot.get_chat_member(chat_id, user_id)
        except TelegramError as err:
            raise CannotCheckError(type(err).__name__) from err
        # A restricted member still belongs to the group (``is_member``); left or banned not.
        allowed = member.status in MEMBER_STATUSES or (
            member.status == ChatMemberStatus.RESTRICTED
            and bool(getattr(member, "is_member", False))
        )
        self._cache[pseudonym] = (allowed, time.monotonic() + self._ttl)
        return allowed


class TelegramStaffDesk:
    """The staff group, kept in step with the database through one ordered queue."""

    def __init__(self, services: Services, bot: Bot, queue: StaffQueue | None = None) -> None:
        settings = services.settings
        if settings.staff_chat_id is None:
            raise ValueError("the staff desk needs STAFF_CHAT_ID")
        self._services = services
        self._handoff = services.handoff
        self._view = services.handoff.rules.view
        self._bot = bot
        self.chat_id: int = settings.staff_chat_id
        self.queue = queue or StaffQueue(max_per_minute=settings.staff_max_per_minute)
        # Unknown until the first topic: a group that refuses topics gets one message per case.
        self.forum: bool | None = None
        # Topics created whose card is not posted yet: a retried catch-up reuses them.
        self._new_topics: dict[int, int] = {}

    @property
    def bot(self) -> Bot:
        """The bot the desk speaks through."""
        return self._bot

    async def start(self) -> None:
        """Start the queue and catch up with anything the group has not been shown."""
        await self.queue.start()
        self.sync()

    async def stop(self) -> None:
        """Let the queue finish what it can, then stop it."""
        await self.queue.stop()

    # --- what happens elsewhere ------------------------------------------------------------

    async def on_outcome(self, outcome: Outcome) -> None:
        """A person's event was committed: bring the group up to date, relay their message."""
        if any(isinstance(e, OpenCase | CloseCase | ForgetPerson) for e in outcome.effects):
            self.sync()
        for effect in outcome.effects:
            if isinstance(effect, RelayToWorker):
                self.queue.put("relay", self._relay_job(outcome.pseudonym, effect))

    def sync(self) -> None:
        """Queue a catch-up of every case whose staff-side view is behind."""
        self.queue.put("sync", self._sync)

    def post(self, case: Case | None, text: str, *, reply_to: int | None = None) -> None:
        """Queue a notice about ``case`` (in its topic), or in the general thread."""
        case_id = case.id if case is not None else None
        self.queue.put("notice", self._notice_job(case_id, text, reply_to))

    def post_in(self, thread_id: int | None, text: str, *, reply_to: int | None = None) -> None:
        """Queue a message in a given thread of the staff group."""
        where = Where(thread_id, reply_to)

        async def job(send: Send) -> None:
            await send(lambda: self._bot.send_message(self.chat_id, text, **self._plain(where)))

        self.queue.put("post", job)

    def post_card(self, case: Case, thread_id: int | None) -> None:
        """Queue a fresh copy of a case's card (``/cas``) where it was asked for."""

        async def job(send: Send) -> None:
            current = await self._handoff.case(case.id)
            if current is None:
                return
            holder = await self._holder(current)
            text = self._view.card(current, holder, in_topic=current.topic_id is not None)
            markup = inline_keyboard(self._view.card_buttons(current))
            message = await send(
                lambda: self._bot.send_message(
                    self.chat_id, text, reply_markup=markup, **self._plain(Where(thread_id))
                )
            )
            await self._handoff.remember_message(
                current.id, self.chat_id, message.message_id, "card"
            )

        self.queue.put("card", job)

    def note_prompt(self, case: Case) -> None:
        """Queue a "reply with your note" prompt in the case's place."""

        async def job(send: Send) -> None:
            text = self._view.text("staff.note_prompt", alias=case.alias)
            markup = ForceReply(
                selective=False,
                input_field_placeholder=self._view.text("staff.note_placeholder")[:64],
            )
            where = await self._where(case.id)
            message = await send(
                lambda: self._bot.send_message(
                    self.chat_id, text, reply_markup=markup, **self._plain(where)
                )
            )
            await self._handoff.remember_message(
                case.id, self.chat_id, message.message_id, "note_prompt"
            )

        self.queue.put("note-prompt", job)

    async def send_digest(self) -> None:
        """At opening time: the waiting cases, read from the database, most pressing first."""

        async def job(send: Send) -> None:
            waiting = await self._handoff.waiting_cases()
            if not waiting:
                return
            now = self._services.clock.now()
            text = self._view.queue(waiting, {}, now, digest=True)
            await send(
                lambda: self._bot.send_message(self.chat_id, text, link_preview_options=NO_PREVIEW)
            )

        self.queue.put("digest", job)

    # --- jobs (run by the queue, one at a time, in order) -------------------------------------

    async def _sync(self, send: Send) -> None:
        for case in await self._handoff.needing_staff_update():
            await self._sync_case(send, case)

    async def _sync_case(self, send: Send, case: Case) -> None:
        if not case.posted:
            await self._post_case(send, case)
            return
        where = self._where_for(case)
        raised = case.shown_priority is not None and case.priority.rank < case.shown_priority.rank
        if raised or case.crisis_flags > case.shown_flags:
            alert = self._view.alert(case)
            await self._send_text(send, case, alert, where, notify=True)
        if case.status is not case.shown_status:
            note = self._view.person_note(case)
            if note is not None:
                await self._send_text(send, case, note, where, notify=True)
        title = self._view.title(case)
        topic_id = case.topic_id
        if topic_id is not None and title != self._view.shown_title(case):
            await self._quietly(
                send, lambda: self._bot.edit_forum_topic(self.chat_id, topic_id, name=title)
            )
        if case.card_message_id is not None:
            holder = await self._holder(case)
            text = self._view.card(case, holder, in_topic=case.topic_id is not None)
            markup = inline_keyboard(self._view.card_buttons(case))
            await self._quietly(
                send,
                lambda: self._bot.edit_message_text(
                    text,
                    chat_id=self.chat_id,
                    message_id=case.card_message_id,
                    reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                ),
            )
        await self._handoff.mark_shown(
            case, topic_id=case.topic_id, card_message_id=case.card_message_id
        )

    async def _post_case(self, send: Send, case: Case) -> None:
        """A topic titled with the alias and emoji, and the case card with its buttons."""
        if not case.is_open:
            # Closed before the group ever saw it (cancelled at once): nothing to show.
            await self._handoff.mark_shown(case, topic_id=None, card_message_id=None)
            return
        topic_id = self._new_topics.get(case.id)
        if topic_id is None and self.forum is not False:
            try:
                topic = await send(
                    lambda: self._bot.create_forum_topic(self.chat_id, self._view.title(case))
                )
                topic_id = topic.message_thread_id
                self._new_topics[case.id] = topic_id
                self.forum = True
            except BadRequest as err:
                # Not a forum, or the bot may not manage topics: one message per case instead.
                log.warning("staff group gives no topics (%s); one message per case", err.message)
                self.forum = False
        # Out of hours the card arrives silently; urgent cases always ring.
        notify = case.priority is Priority.URGENT or self._services.availability.is_open()
        text = self._view.card(case, await self._holder(case), in_topic=topic_id is not None)
        markup = inline_keyboard(self._view.card_buttons(case))
        card = await send(
            lambda: self._bot.send_message(
                self.chat_id,
                text,
                reply_markup=markup,
                disable_notification=not notify,
                **self._plain(Where(topic_id)),
            )
        )
        await self._handoff.mark_shown(case, topic_id=topic_id, card_message_id=card.message_id)
        self._new_topics.pop(case.id, None)
        await self._handoff.remember_message(case.id, self.chat_id, card.message_id, "card")
        log.info("case %d posted to the staff group (%s)", case.id, case.priority)

    def _relay_job(self, pseudonym: str, effect: RelayToWorker) -> StaffJob:
        async def job(send: Send) -> None:
            case = await self._handoff.open_case_of(pseudonym)
            if case is None or not case.posted:
                log.warning("relay for %s dropped: no open case in the group", pseudonym[:12])
                return
            where = self._where_for(case)
            if not (effect.copy and effect.reference):
                await self._send_text(send, case, self._view.withheld(effect.kind), where)
                return
            address = await self._handoff.address_of(pseudonym)
            if address is None:
                return
            reference = effect.reference
            copied = await send(
                lambda: self._bot.copy_message(
                    self.chat_id, int(address), int(reference), **where.params()
                )
            )
            await self._handoff.remember_message(case.id, self.chat_id, copied.message_id, "relay")

        return job

    def _notice_job(self, case_id: int | None, text: str, reply_to: int | None) -> StaffJob:
        async def job(send: Send) -> None:
            case = await self._handoff.case(case_id) if case_id is not None else None
            where = self._where_for(case) if case is not None else Where()
            if reply_to is not None:
                where = Where(where.thread_id, reply_to)
            if case is None:
                await send(lambda: self._bot.send_message(self.chat_id, text, **self._plain(where)))
                return
            await self._send_text(send, case, text, where)

        return job

    # --- helpers ------------------------------------------------------------------------------

    async def _send_text(
        self, send: Send, case: Case, text: str, where: Where, *, notify: bool = False
    ) -> Message:
        message = await send(
            lambda: self._bot.send_message(
                self.chat_id, text, disable_notification=not notify, **self._plain(where)
            )
        )
        await self._handoff.remember_message(case.id, self.chat_id, message.message_id, "notice")
        return message

    async def _quietly(self, send: Send, call: Any) -> None:
        """Edits Telegram may refuse harmlessly ("not modified", a topic deleted by hand)."""
        try:
            await send(call)
        except BadRequest as err:
            log.info("staff edit skipped: %s", err.message)

    async def _where(self, case_id: int) -> Where:
        case = await self._handoff.case(case_id)
        return Where() if case is None else self._where_for(case)

    @staticmethod
    def _where_for(case: Case) -> Where:
        if case.topic_id is not None:
            return Where(thread_id=case.topic_id)
        return Where(reply_to=case.card_message_id)

    @staticmethod
    def _plain(where: Where) -> dict[str, Any]:
        return {**where.params(), "link_preview_options": NO_PREVIEW}

    async def _holder(self, case: Case) -> str | None:
        if case.owner is None:
            return None
        return await self._handoff.worker_name(case.owner)


class StaffHandlers:
    """PTB callbacks for the staff group: buttons, commands, workers' messages."""

    def __init__(self, services: Services, desk: TelegramStaffDesk, access: StaffAccess) -> None:
        self._services = services
        self._handoff = services.handoff
        self._view = services.handoff.rules.view
        self._desk = desk
        self._access = access

    async def button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A card button: take, give back, close, reopen, note."""
        query = update.callback_query
        if query is None or update.effective_user is None:
            return
        kind, _, rest = (query.data or "").partition(":")
        verb, _, number = rest.partition(":")
        if kind != CASE_PAYLOAD or not number.isdigit() or not self._in_staff_chat(update):
            await query.answer()
            return
        try:
            worker = await self._access.worker(update.effective_user)
        except CannotCheckError:
            await query.answer(self._view.text("staff.refuse.cannot_check"), show_alert=True)
            return
        if worker is None:
            self._refused(update.effective_user)
            await query.answer(self._view.text("staff.refuse.not_team"), show_alert=True)
            return
        case = await self._handoff.case(int(number))
        if case is None:
            await query.answer(self._view.text("staff.case_unknown")[:MAX_ALERT], show_alert=True)
            return
        if verb == "note":
            await query.answer()
            self._desk.note_prompt(case)
            return
        action = BUTTONS.get(verb)
        if action is None:
            await query.answer()
            return
        outcome = await self._act(case, action, worker)
        if outcome is None:
            await query.answer(self._view.text("staff.busy"), show_alert=True)
            return
        if not outcome.decision.accepted:
            refusal = " ".join(outcome.decision.to_staff)[:MAX_ALERT]
            await query.answer(refusal, show_alert=True)
            return
        await query.answer()
        await self._after(outcome, action)

    async def message(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A worker wrote in the group: in a case's topic (or in reply to it), to the person."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or not self._in_staff_chat(update):
            return
        routed = await self._route(message)
        if routed is None:
            return  # team chatter outside any case
        case, kind = routed
        worker = await self._worker_or_refuse(user, message)
        if worker is None:
            return
        if kind == "note_prompt":
            action, text = WorkerAction.NOTE, ""
        elif message.text:
            action, text = WorkerAction.REPLY, message.text
        else:
            self._desk.post(
                case, self._view.text("staff.refuse.only_text"), reply_to=message.message_id
            )
            return
        outcome = await self._act(case, action, worker, text=text)
        if outcome is None:
            self._desk.post(case, self._view.text("staff.busy"), reply_to=message.message_id)
            return
        await self._after(outcome, action, reply_to=message.message_id)

    async def command(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/prendre``, ``/note``, ``/rendre``, ``/fermer``, ``/rouvrir``, ``/file``, ``/cas``…"""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or not message.text or not self._in_staff_chat(update):
            return
        head, _, argument = message.text.partition(" ")
        name = head.lstrip("/").split("@", 1)[0].lower()
        argument = argument.strip()
        if name not in STAFF_COMMANDS:
            return
        worker = await self._worker_or_refuse(user, message)
        if worker is None:
            return
        thread = message.message_thread_id if message.is_topic_message else None
        if name in HELP_COMMANDS:
            signature = self._handoff.rules.signature(worker.name, self._view.language)
            self._desk.post_in(thread, self._view.text("staff.help", signature=signature))
        elif name in NAME_COMMANDS:
            await self._set_name(worker, argument, thread)
        elif name in QUEUE_COMMANDS:
            await self._show_queue(worker, thread)
        elif name in CARD_COMMANDS:
            await self._show_card(worker, message, argument, thread)
        else:
            await self._case_command(worker, message, ACTIONS[name], name, argument)

    # --- commands ------------------------------------------------------------------------------

    async def _case_command(
        self, worker: Worker, message: Message, action: WorkerAction, name: str, argument: str
    ) -> None:
        takes_reference = action in (WorkerAction.REOPEN, WorkerAction.TAKE)
        case = await self._case_for(message, argument if takes_reference else "")
        if case is None:
            return
        if action is WorkerAction.NOTE and not argument:
            self._desk.note_prompt(case)
            return
        outcome = await self._act(
            case,
            action,
            worker,
            text=argument if action is WorkerAction.NOTE else "",
            # Typing /prendre on a case someone holds is a deliberate takeover; the button is not.
            takeover=name in ("prendre", "take"),
        )
        if outcome is None:
            self._desk.post(case, self._view.text("staff.busy"), reply_to=message.message_id)
            return
        await self._after(outcome, action, reply_to=message.message_id)

    async def _show_queue(self, worker: Worker, thread: int | None) -> None:
        cases = await self._handoff.open_cases()
        await self._handoff.read(worker, cases)
        names = await self._handoff.names({c.owner for c in cases if c.owner})
        text = self._view.queue(cases, names, self._services.clock.now(), digest=False)
        self._desk.post_in(thread, text)

    async def _show_card(
        self, worker: Worker, message: Message, argument: str, thread: int | None
    ) -> None:
        case = await self._case_for(message, argument)
        if case is None:
            return
        await self._handoff.read(worker, [case])
        self._desk.post_card(case, thread)

    async def _set_name(self, worker: Worker, argument: str, thread: int | None) -> None:
        language = self._view.language
        if not argument:
            signature = self._handoff.rules.signature(worker.name, language)
            self._desk.post_in(thread, self._view.text("staff.name.show", signature=signature))
            return
        name: str | None = None if argument == "-" else argument
        if name is not None and (len(name) > MAX_NAME or not NAME.match(name)):
            self._desk.post_in(thread, self._view.text("staff.name.invalid"))
            return
        await self._handoff.set_worker_name(worker.pseudonym, name)
        signature = self._handoff.rules.signature(name, language)
        self._desk.post_in(thread, self._view.text("staff.name.set", signature=signature))

    # --- shared steps -------------------------------------------------------------------------

    async def _act(
        self,
        case: Case,
        action: WorkerAction,
        worker: Worker,
        *,
        text: str = "",
        takeover: bool = False,
    ) -> WorkerOutcome | None:
        try:
            return await self._handoff.handle(case.id, action, worker, text=text, takeover=takeover)
        except StorageUnavailableError:
            log.warning("storage unavailable for worker %s", worker.pseudonym[:10])
            return None

    async def _after(
        self, outcome: WorkerOutcome, action: WorkerAction, *, reply_to: int | None = None
    ) -> None:
        """Deliver to the person, tell the group, and bring the case's card up to date."""
        decision = outcome.decision
        case = outcome.case
        if decision.to_person and outcome.address is not None:
            try:
                await deliver(self._desk.bot, int(outcome.address), decision.to_person)
            except PersonUnreachableError:
                await self._person_blocked(case)
        for text in decision.to_staff:
            # A refusal answers the message that caused it; a done action is said plainly.
            self._desk.post(case, text, reply_to=None if decision.accepted else reply_to)
        if decision.accepted and action in STATUS_CHANGES:
            self._desk.sync()

    async def _person_blocked(self, case: Case) -> None:
        """403 while relaying a worker's message: the case closes and the workers are told."""
        if case.pseudonym is None:
            return
        log.info("person %s blocked the bot during a handoff", case.pseudonym[:12])
        blocked = await self._services.conversations.handle(
            Inbound(case.pseudonym, PersonBlockedBot())
        )
        await self._desk.on_outcome(blocked)

    async def _route(self, message: Message) -> tuple[Case, str] | None:
        """The case a worker's message belongs to, and how (``reply`` or ``note_prompt``)."""
        chat_id = message.chat_id
        replied = message.reply_to_message
        mapped = None
        if replied is not None:
            mapped = await self._handoff.case_for_message(chat_id, replied.message_id)
            if mapped is not None and mapped[1] == "note_prompt":
                return mapped[0], "note_prompt"
        if message.is_topic_message and message.message_thread_id is not None:
            case = await self._handoff.case_for_topic(message.message_thread_id)
            if case is not None:
                return case, "reply"
        if mapped is not None:
            return mapped[0], "reply"
        return None

    async def _case_for(self, message: Message, reference: str) -> Case | None:
        """The case a command is about: named in it, or where it was typed."""
        thread = message.message_thread_id if message.is_topic_message else None
        if reference:
            found = await self._handoff.find(reference)
            if len(found) == 1:
                return found[0]
            if not found:
                self._desk.post_in(thread, self._view.text("staff.case_unknown"))
                return None
            numbers = ", ".join(f"#{c.id}" for c in found)
            self._desk.post_in(
                thread,
                self._view.text(
                    "staff.case_ambiguous", numbers=numbers, example=f"/rouvrir {found[0].id}"
                ),
            )
            return None
        routed = await self._route(message)
        if routed is None:
            self._desk.post_in(thread, self._view.text("staff.case_unknown"))
            return None
        return routed[0]

    async def _worker_or_refuse(self, user: User, message: Message) -> Worker | None:
        thread = message.message_thread_id if message.is_topic_message else None
        try:
            worker = await self._access.worker(user)
        except CannotCheckError:
            self._desk.post_in(
                thread,
                self._view.text("staff.refuse.cannot_check"),
                reply_to=message.message_id,
            )
            return None
        if worker is None:
            self._refused(user)
            self._desk.post_in(
                thread, self._view.text("staff.refuse.not_team"), reply_to=message.message_id
            )
        return worker

    def _refused(self, user: User) -> None:
        log.warning(
            "staff action refused for %s (not an authorised worker)",
            self._services.worker_pseudonym(user.id)[:10],
        )

    def _in_staff_chat(self, update: Update) -> bool:
        chat = update.effective_chat
        return chat is not None and chat.id == self._desk.chat_id
