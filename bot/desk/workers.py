"""Workers' input at the desk, as the inbox stored it, turned into handoff actions.

A channel adapter translates its updates into ``StaffInput`` (Telegram: a button on a card, a
command, a message in a case's topic or in reply to one) and stores it in the inbox's staff
lane; ``StaffInputs.process`` handles it later, in order, and every path ends by marking the
inbox row done in the same transaction as what it wrote (an action, an audit line, an answer
in the group). Command names come from the one command table (``flows.commands``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bot.desk.access import CannotCheckError, StaffAccess
from bot.desk.channel import StaffChannel
from bot.desk.items import NotePrompt, PostCard, PostIn
from bot.desk.ledger import DeskLedger
from flows.cases import Case, Worker, WorkerAction
from flows.commands import StaffCommand, staff_command
from flows.desk_resources import DeskResources
from flows.directory import ResourceCard
from flows.domain import Language, Priority
from flows.handoff_service import HandoffService, WorkerOutcome
from flows.inbox import Receipt
from flows.outbox import CaseNotice, Outgoing
from flows.ports import Clock
from flows.staff_view import CasePayload, CaseVerb, parse_case_payload
from flows.worker_actions import parse_priority

log = logging.getLogger(__name__)
MAX_ALERT = 200  # Telegram's limit for a callback answer
NAME = re.compile(r"^[^\W\d_][^\W\d_' -]*(?:[' -][^\W\d_]+)*$")
MAX_NAME = 32
MAX_CASE_NUMBER = 2**31 - 1  # the cases table's integer key

ACTIONS = {
    StaffCommand.TAKE: WorkerAction.TAKE,
    StaffCommand.NOTE: WorkerAction.NOTE,
    StaffCommand.GIVE_BACK: WorkerAction.GIVE_BACK,
    StaffCommand.CLOSE: WorkerAction.CLOSE,
    StaffCommand.REOPEN: WorkerAction.REOPEN,
}
BUTTONS = {
    "take": WorkerAction.TAKE,
    "give_back": WorkerAction.GIVE_BACK,
    "close": WorkerAction.CLOSE,
    "reopen": WorkerAction.REOPEN,
}


@dataclass(frozen=True, slots=True)
class StaffInput:
    """What a worker did in the group, channel-agnostic.

    ``kind`` is ``button``, ``command`` or ``message``; ``member`` the channel's user id (kept
    encrypted in the inbox, erased once handled); ``topic`` the topic it was written in;
    ``reply_to`` the message it answers.
    """

    kind: str
    member: int
    is_bot: bool = False
    text: str = ""
    has_text: bool = True
    data: str = ""
    callback: str | None = None
    message_id: int | None = None
    topic: int | None = None
    reply_to: int | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> StaffInput:
        """The input ``to_dict`` wrote."""
        return cls(**data)  # type: ignore[arg-type]


class StaffInputs:
    """Processes stored staff input; every path marks its inbox row done."""

    def __init__(
        self,
        *,
        handoff: HandoffService,
        ledger: DeskLedger,
        access: StaffAccess,
        channel: StaffChannel,
        clock: Clock,
        resources: DeskResources | None = None,
    ) -> None:
        self._handoff = handoff
        self._resources = resources
        self._view = handoff.rules.view
        self._ledger = ledger
        self._access = access
        self._channel = channel
        self._clock = clock

    async def process(self, receipt: Receipt | None, given: StaffInput) -> None:
        """Handle one input; raises ``StorageUnavailableError`` to be tried again later."""
        if given.kind == "button":
            await self._button(receipt, given)
        elif given.kind == "command":
            await self._command(receipt, given)
        else:
            await self._message(receipt, given)

    # --- buttons --------------------------------------------------------------------------------

    async def _button(self, receipt: Receipt | None, given: StaffInput) -> None:
        payload = parse_case_payload(given.data)
        if payload is None or not _case_number(str(payload.case_id)):
            await self._done(receipt, answer=(given, None, False))
            return
        try:
            worker = await self._access.worker(given.member, is_bot=given.is_bot)
        except CannotCheckError:
            refusal = self._view.text("staff.refuse.cannot_check")
            await self._done(receipt, answer=(given, refusal, True))
            return
        if worker is None:
            self._refused(given)
            await self._done(
                receipt, answer=(given, self._view.text("staff.refuse.not_team"), True)
            )
            return
        case = await self._handoff.case(payload.case_id)
        if case is None:
            await self._done(receipt, answer=(given, self._view.text("staff.case_unknown"), True))
            return
        shown = self._shown_only(case, payload)
        if shown is not None:
            await self._done(receipt, shown, answer=(given, None, False))
            return
        outcome = await self._button_action(receipt, case, worker, payload)
        if outcome is None:
            await self._done(receipt, answer=(given, self._view.text("staff.case_unknown"), True))
        elif not outcome.decision.accepted and outcome.decision.confirm is None:
            await self._answer(given, " ".join(outcome.decision.to_staff), alert=True)
        else:
            await self._answer(given, None, alert=False)

    def _shown_only(self, case: Case, payload: CasePayload) -> list[Outgoing] | None:
        """Buttons that only show something in the group (a prompt, a list); None otherwise."""
        if payload.verb == CaseVerb.NOTE:
            return [NotePrompt(case.id)]
        if payload.verb == CaseVerb.CANCEL:
            # « Non » after a colleague already said yes changes nothing either: say nothing.
            cancelled = self._view.text("staff.confirm.cancelled")
            return [CaseNotice(case.id, cancelled)] if case.is_open else []
        if payload.verb == CaseVerb.READY and not payload.argument:
            return [self._ready_picker(case)]
        return None

    async def _button_action(
        self, receipt: Receipt | None, case: Case, worker: Worker, payload: CasePayload
    ) -> WorkerOutcome | None:
        """The worker action a card button asks for, decided and committed."""
        verb, argument = payload.verb, payload.argument
        priority = _priority(argument) if verb == CaseVerb.PRIORITY else None
        ready = argument if verb == CaseVerb.READY else None
        resource = await self._chosen(case, argument) if verb == CaseVerb.RESOURCE else None
        action = {
            CaseVerb.CONFIRM: BUTTONS.get(argument),
            CaseVerb.PRIORITY: WorkerAction.PRIORITY,
            CaseVerb.READY: WorkerAction.READY_REPLY,
            CaseVerb.RESOURCE: WorkerAction.SEND_RESOURCE,
        }.get(verb, BUTTONS.get(verb))
        if action is None:
            await self._done(receipt)
            return None
        return await self._handoff.handle(
            case.id,
            action,
            worker,
            receipt=receipt,
            refusal_inline=True,
            confirmed=verb == CaseVerb.CONFIRM,
            priority=priority,
            ready_reply=ready,
            resource=resource,
        )

    def _ready_picker(self, case: Case) -> CaseNotice:
        text, buttons = self._view.ready_picker(case, self._handoff.rules.workers.ready)
        return CaseNotice(case.id, text, buttons=buttons)

    async def _chosen(self, case: Case, token: str) -> ResourceCard | None:
        if self._resources is None:
            return None
        language = case.context.get("language", self._view.language.value)
        return await self._resources.chosen(token, Language.from_code(language))

    # --- messages in a case ---------------------------------------------------------------------

    async def _message(self, receipt: Receipt | None, given: StaffInput) -> None:
        routed = await self._route(given)
        if routed is None:
            await self._done(receipt)  # team chatter outside any case
            return
        case, kind = routed
        worker = await self._worker_or_refuse(receipt, given)
        if worker is None:
            return
        if kind == "note_prompt":
            action, text = WorkerAction.NOTE, ""
        elif given.has_text and given.text:
            action, text = WorkerAction.REPLY, given.text
        else:
            refusal = CaseNotice(
                case.id, self._view.text("staff.refuse.only_text"), _ref(given.message_id)
            )
            await self._done(receipt, [refusal])
            return
        await self._act(receipt, case, action, worker, given, text=text)

    # --- commands -------------------------------------------------------------------------------

    async def _command(self, receipt: Receipt | None, given: StaffInput) -> None:
        head, _, argument = given.text.partition(" ")
        argument = argument.strip()
        spec = staff_command(head)
        if spec is None:
            await self._done(receipt)
            return
        worker = await self._worker_or_refuse(receipt, given)
        if worker is None:
            return
        command = spec.command
        if command is StaffCommand.HELP:
            signature = self._handoff.rules.signature(worker.name, self._view.language)
            help_text = self._view.text("staff.help", signature=signature)
            await self._done(receipt, [PostIn(help_text, given.topic)])
        elif command is StaffCommand.NAME:
            await self._set_name(receipt, worker, argument, given.topic)
        elif command is StaffCommand.QUEUE:
            cases = await self._handoff.open_cases()
            names = await self._handoff.names({c.owner for c in cases if c.owner})
            text = self._view.queue(cases, names, self._clock.now(), digest=False)
            await self._handoff.read(
                worker, cases, receipt=receipt, then=[PostIn(text, given.topic)]
            )
        elif command is StaffCommand.CASE:
            case = await self._case_for(receipt, given, argument)
            if case is not None:
                card = PostCard(case.id, given.topic)
                await self._handoff.read(worker, [case], receipt=receipt, then=[card])
        elif command is StaffCommand.READY:
            case = await self._case_for(receipt, given, "")
            if case is not None:
                await self._done(receipt, [self._ready_picker(case)])
        elif command is StaffCommand.RESOURCE:
            await self._resource_choices(receipt, given, argument)
        elif command is StaffCommand.PRIORITY:
            case = await self._case_for(receipt, given, "")
            if case is not None:
                await self._act_with(
                    receipt, case, worker, given, priority=parse_priority(argument)
                )
        else:
            await self._case_command(receipt, worker, given, ACTIONS[command], argument)

    async def _resource_choices(
        self, receipt: Receipt | None, given: StaffInput, argument: str
    ) -> None:
        """``/ressource food J1H`` in a case: the services found, one button each."""
        case = await self._case_for(receipt, given, "")
        if case is None:
            return
        if self._resources is None:
            await self._done(receipt)
            return
        choices = await self._resources.choices(case, argument)
        notice = CaseNotice(case.id, choices.text, _ref(given.message_id), buttons=choices.buttons)
        await self._done(receipt, [notice])

    async def _act_with(
        self,
        receipt: Receipt | None,
        case: Case,
        worker: Worker,
        given: StaffInput,
        *,
        priority: Priority | None,
    ) -> None:
        outcome = await self._handoff.handle(
            case.id,
            WorkerAction.PRIORITY,
            worker,
            priority=priority,
            receipt=receipt,
            reply_to=_ref(given.message_id),
        )
        if outcome is None:
            await self._done(receipt, [PostIn(self._view.text("staff.case_unknown"), given.topic)])

    async def _case_command(
        self,
        receipt: Receipt | None,
        worker: Worker,
        given: StaffInput,
        action: WorkerAction,
        argument: str,
    ) -> None:
        takes_reference = action in (WorkerAction.REOPEN, WorkerAction.TAKE)
        case = await self._case_for(receipt, given, argument if takes_reference else "")
        if case is None:
            return
        if action is WorkerAction.NOTE and not argument:
            await self._done(receipt, [NotePrompt(case.id)])
            return
        text = argument if action is WorkerAction.NOTE else ""
        # Typing /prendre on a case someone holds is a deliberate takeover; the button is not.
        takeover = action is WorkerAction.TAKE
        await self._act(receipt, case, action, worker, given, text=text, takeover=takeover)

    async def _set_name(
        self, receipt: Receipt | None, worker: Worker, argument: str, topic: int | None
    ) -> None:
        language = self._view.language
        if not argument:
            signature = self._handoff.rules.signature(worker.name, language)
            shown = self._view.text("staff.name.show", signature=signature)
            await self._done(receipt, [PostIn(shown, topic)])
            return
        name: str | None = None if argument == "-" else argument
        if name is not None and (len(name) > MAX_NAME or not NAME.match(name)):
            await self._done(receipt, [PostIn(self._view.text("staff.name.invalid"), topic)])
            return
        signature = self._handoff.rules.signature(name, language)
        said = PostIn(self._view.text("staff.name.set", signature=signature), topic)
        await self._handoff.set_worker_name(worker.pseudonym, name, receipt=receipt, then=[said])

    # --- shared steps ---------------------------------------------------------------------------

    async def _act(
        self,
        receipt: Receipt | None,
        case: Case,
        action: WorkerAction,
        worker: Worker,
        given: StaffInput,
        *,
        text: str = "",
        takeover: bool = False,
    ) -> WorkerOutcome | None:
        outcome = await self._handoff.handle(
            case.id,
            action,
            worker,
            text=text,
            takeover=takeover,
            receipt=receipt,
            reply_to=_ref(given.message_id),
        )
        if outcome is None:
            await self._done(receipt, [PostIn(self._view.text("staff.case_unknown"), given.topic)])
        return outcome

    async def _route(self, given: StaffInput) -> tuple[Case, str] | None:
        """The case a worker's message belongs to, and how (``reply`` or ``note_prompt``)."""
        mapped = None
        if given.reply_to is not None:
            mapped = await self._ledger.message(given.reply_to)
            if mapped is not None and mapped[1] == "note_prompt":
                case = await self._handoff.case(mapped[0])
                return (case, "note_prompt") if case is not None else None
        if given.topic is not None:
            case_id = await self._ledger.case_for_topic(given.topic)
            if case_id is not None:
                case = await self._handoff.case(case_id)
                if case is not None:
                    return case, "reply"
        if mapped is not None:
            case = await self._handoff.case(mapped[0])
            if case is not None:
                return case, "reply"
        return None

    async def _case_for(
        self, receipt: Receipt | None, given: StaffInput, reference: str
    ) -> Case | None:
        """The case a command is about: named in it, or where it was typed."""
        if reference:
            found = await self._handoff.find(reference)
            if len(found) == 1:
                return found[0]
            if not found:
                await self._done(
                    receipt, [PostIn(self._view.text("staff.case_unknown"), given.topic)]
                )
                return None
            numbers = ", ".join(f"#{c.id}" for c in found)
            ambiguous = self._view.text(
                "staff.case_ambiguous", numbers=numbers, example=f"/rouvrir {found[0].id}"
            )
            await self._done(receipt, [PostIn(ambiguous, given.topic)])
            return None
        routed = await self._route(given)
        if routed is None:
            await self._done(receipt, [PostIn(self._view.text("staff.case_unknown"), given.topic)])
            return None
        return routed[0]

    async def _worker_or_refuse(self, receipt: Receipt | None, given: StaffInput) -> Worker | None:
        try:
            worker = await self._access.worker(given.member, is_bot=given.is_bot)
        except CannotCheckError:
            refusal = PostIn(
                self._view.text("staff.refuse.cannot_check"), given.topic, given.message_id
            )
            await self._done(receipt, [refusal])
            return None
        if worker is None:
            self._refused(given)
            refusal = PostIn(
                self._view.text("staff.refuse.not_team"), given.topic, given.message_id
            )
            await self._done(receipt, [refusal])
        return worker

    async def _done(
        self,
        receipt: Receipt | None,
        items: Sequence[Outgoing] = (),
        *,
        answer: tuple[StaffInput, str | None, bool] | None = None,
    ) -> None:
        await self._handoff.respond(receipt, items)
        if answer is not None:
            await self._answer(answer[0], answer[1], alert=answer[2])

    async def _answer(self, given: StaffInput, text: str | None, *, alert: bool) -> None:
        if given.callback is None:
            return
        try:
            await self._channel.answer(
                given.callback, text[:MAX_ALERT] if text else None, alert=alert
            )
        except Exception as err:  # noqa: BLE001 - an old button's answer may be refused: harmless
            log.info("button answer not delivered: %s", type(err).__name__)

    def _refused(self, given: StaffInput) -> None:
        log.warning(
            "staff action refused for %s (not an authorised worker)",
            self._access.pseudonym(given.member)[:10],
        )


def _case_number(number: str) -> bool:
    return number.isascii() and number.isdigit() and 0 < int(number) <= MAX_CASE_NUMBER


def _priority(text: str) -> Priority | None:
    try:
        return Priority(text)
    except ValueError:
        return None


def _ref(message_id: int | None) -> str | None:
    return None if message_id is None else str(message_id)
