"""A person's stored input, handled: the turn, the button's answer, the notices around it.

Channel-agnostic: the channel only answers button presses (``PersonChannel.answer``); what
the person reads goes through the outbox like everything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.delivery import PersonChannel
from flows.actions import Effect, ForgetPerson, Reply
from flows.catalogue import Catalogue
from flows.domain import Jurisdiction, Language
from flows.events import ButtonPressed, Inbound, TimerFired
from flows.inbox import Receipt, inbound_from_dict
from flows.outbox import ToPerson, person_lane
from flows.ports import CrisisLineRegistry, UnitOfWorkFactory
from flows.service import ConversationService, Outcome
from resources_db.transport import InboxEntry

log = logging.getLogger(__name__)

PERSON = "person"
# A slow turn (the database busy, a retry) does not leave the button spinning past this.
SPINNER_S = 1.0


def person_payload(
    inbound: Inbound, *, callback: str | None = None, foreign: bool = False
) -> dict[str, object]:
    """What the inbox keeps of a person's update (encrypted, erased once handled)."""
    from flows.inbox import inbound_to_dict  # noqa: PLC0415 - keep the import list short

    return {"inbound": inbound_to_dict(inbound), "callback": callback, "foreign": foreign}


class PersonInputs:
    """Handles the inbox's person rows."""

    def __init__(
        self,
        *,
        conversations: ConversationService,
        uow_factory: UnitOfWorkFactory,
        catalogue: Catalogue,
        crisis_lines: CrisisLineRegistry,
        jurisdiction: Jurisdiction,
        default_language: Language,
        channel: PersonChannel | None,
        remember_trace: Callable[[str, int], Awaitable[None]] | None = None,
        settled: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._conversations = conversations
        self._uow_factory = uow_factory
        self._t = catalogue
        self._lines = crisis_lines
        self._jurisdiction = jurisdiction
        self._default = default_language
        self._channel = channel
        self._remember_trace = remember_trace
        self._settled = settled

    async def process(self, entry: InboxEntry) -> None:
        """One person row: answer its button, run the turn (which marks the row done)."""
        payload = entry.payload or {}
        inbound = inbound_from_dict(_dict(payload["inbound"]))
        callback = payload.get("callback")
        if payload.get("foreign"):
            # A button pressed on a message outside the presser's own private chat: a toast to
            # the presser, nothing sent anywhere, nothing decided.
            await self._answer(
                callback, self._t.text("transport.button_elsewhere", self._language(inbound))
            )
            async with self._uow_factory() as uow:
                await uow.inbox.done(entry.receipt)
                await uow.commit()
            return
        if isinstance(callback, str):
            outcome = await self._turn_then_answer(inbound, entry.receipt, callback)
        else:  # no button pressed: no spinner to stop, nothing to wait for after the turn
            outcome = await self._conversations.handle(inbound, receipt=entry.receipt)
        await self._keep_trace(inbound, outcome.effects)

    async def _turn_then_answer(self, inbound: Inbound, receipt: Receipt, callback: str) -> Outcome:
        """The turn of a pressed button; its spinner stops once the reply has reached Telegram
        (the turn's commit hands it to the sender), or after SPINNER_S if the turn or the
        sending is slow: the person waits for the reply, not for the spinner, and the two
        calls do not compete meanwhile."""
        turn_done = asyncio.Event()
        lane = person_lane(inbound.pseudonym)
        answering = asyncio.create_task(self._answer_when(turn_done, lane, callback))
        try:
            return await self._conversations.handle(inbound, receipt=receipt)
        finally:
            turn_done.set()
            await answering

    async def _answer_when(self, turn_done: asyncio.Event, lane: str, callback: str) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SPINNER_S):
                await turn_done.wait()
                if self._settled is not None:
                    await self._settled(lane)
        await self._answer(callback, None)

    async def _keep_trace(self, inbound: Inbound, effects: tuple[Effect, ...]) -> None:
        """The person's own message number, kept 48 h so that ``/oublie`` can delete it."""
        if self._remember_trace is None or isinstance(inbound.event, ButtonPressed | TimerFired):
            return
        if any(isinstance(e, ForgetPerson) for e in effects) or not inbound.reference:
            return
        if not inbound.reference.isdigit():
            return
        try:
            await self._remember_trace(inbound.pseudonym, int(inbound.reference))
        except Exception as err:  # noqa: BLE001 - the turn is done; a lost number only means
            # that /oublie cannot delete this one message
            log.warning("message number not kept: %s", type(err).__name__)

    async def tell_waiting(self, entries: list[InboxEntry]) -> None:
        """These people's messages wait behind many others: say so, once, in one transaction."""
        await self._tell(entries, "transport.wait")

    async def tell_failed(self, entry: InboxEntry) -> None:
        """The person's message could not be handled at all: say so, with the emergency number."""
        await self._tell([entry], "storage_busy")

    async def _tell(self, entries: list[InboxEntry], key: str) -> None:
        emergency = self._lines.lines_for(self._jurisdiction).emergency_number
        notices = []
        for entry in entries:
            if entry.kind != PERSON or entry.payload is None:
                continue
            inbound = inbound_from_dict(_dict(entry.payload["inbound"]))
            if inbound.address is None:
                continue
            text = self._t.text(key, self._language(inbound), emergency=emergency)
            notices.append(ToPerson(inbound.pseudonym, Reply(text), inbound.address))
        if not notices:
            return
        async with self._uow_factory() as uow:
            for notice in notices:
                await uow.outbox.add(notice)
            await uow.commit()

    def _language(self, inbound: Inbound) -> Language:
        return Language.from_code(inbound.language_hint, self._default)

    async def _answer(self, callback: object, text: str | None) -> None:
        if self._channel is None or not isinstance(callback, str):
            return
        try:
            await self._channel.answer(callback, text)
        except Exception as err:  # noqa: BLE001 - an old button's answer may be refused: harmless
            log.info("button answer not delivered: %s", type(err).__name__)


def _dict(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return {str(k): v for k, v in value.items()}
