"""What the staff group must show, rendered from the database through a ``StaffChannel``.

The outbox sender hands the desk one staff row at a time, in the staff lane's order: a case
changed (post it, alert, retitle, refresh its card), the person's message to relay, a notice,
the opening digest, or an answer in a place. Each step is recorded in the desk's ledger as
soon as the channel accepted it, so a crash repeats at most the one step in flight. The
person is never exposed: their messages are *copied* (no author), cards show an alias and
what they chose.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import replace

from bot.delivery import RefusedError
from bot.desk.channel import StaffChannel, Where
from bot.desk.items import NotePrompt, PostCard, PostIn
from bot.desk.ledger import DeskEntry, DeskLedger
from flows.actions import Keyboard
from flows.availability import TeamAvailability
from flows.cases import REOPENED_BY_PERSON, Case, CaseStatus
from flows.domain import Priority
from flows.handoff_service import HandoffService
from flows.outbox import CaseChanged, CaseNotice, Digest, OnCallNotice, RelayToCase
from flows.ports import Clock
from flows.staff_view import format_duration

log = logging.getLogger(__name__)

StaffItem = (
    CaseChanged | RelayToCase | CaseNotice | Digest | OnCallNotice | PostIn | PostCard | NotePrompt
)


class StaffDesk:
    """Renders staff rows into a channel; one row at a time (the staff lane is ordered)."""

    def __init__(
        self,
        *,
        handoff: HandoffService,
        ledger: DeskLedger,
        availability: TeamAvailability,
        clock: Clock,
        oncall: StaffChannel | None = None,
    ) -> None:
        self._handoff = handoff
        self._oncall = oncall
        self._view = handoff.rules.view
        self._ledger = ledger
        self._availability = availability
        self._clock = clock

    async def handle(self, item: StaffItem, channel: StaffChannel) -> None:
        """Show one staff row in the group."""
        match item:
            case CaseChanged(case_id=case_id):
                await self._changed(case_id, channel)
            case RelayToCase():
                await self._relay(item, channel)
            case CaseNotice(case_id=case_id, text=text, reply_to=reply_to, loud=loud):
                await self._notice(case_id, text, reply_to, loud, channel, buttons=item.buttons)
            case Digest():
                await self._digest(channel)
            case OnCallNotice(text=text):
                if self._oncall is not None:
                    await self._oncall.send(text, Where(), notify=True)
            case PostIn(text=text, topic=topic, reply_to=reply_to):
                await channel.send(text, Where(topic, reply_to))
            case PostCard(case_id=case_id, topic=topic):
                await self._post_card(case_id, topic, channel)
            case NotePrompt(case_id=case_id):
                await self._note_prompt(case_id, channel)

    # --- a case changed -----------------------------------------------------------------------

    async def _changed(self, case_id: int, channel: StaffChannel) -> None:
        case = await self._handoff.case(case_id)
        if case is None:
            return
        entry = await self._ledger.entry(case_id) or DeskEntry()
        if not entry.posted:
            await self._post(case, entry, channel)
            return
        where = self._where(entry)
        shown_priority = Priority(entry.shown_priority) if entry.shown_priority else None
        raised = shown_priority is not None and case.priority.rank < shown_priority.rank
        if raised or case.crisis_flags > entry.shown_flags:
            message = await channel.send(self._view.alert(case), where, notify=True)
            await self._ledger.remember_message(case.id, message, "notice")
            entry = replace(
                entry, shown_priority=case.priority.value, shown_flags=case.crisis_flags
            )
            await self._ledger.save(case.id, entry)
        if case.status.value != entry.shown_status:
            note = self._view.person_note(case) or await self._reopened_note(case)
            if note is not None:
                message = await channel.send(note, where, notify=True)
                await self._ledger.remember_message(case.id, message, "notice")
            entry = replace(entry, shown_status=case.status.value)
            await self._ledger.save(case.id, entry)
        title = self._title(case, channel)
        if entry.topic_id is not None and title != entry.shown_title:
            await self._quietly(channel.rename_topic(entry.topic_id, title))
            entry = replace(entry, shown_title=title)
            await self._ledger.save(case.id, entry)
        text, buttons = await self._card(case, entry, channel)
        digest = _digest(text, buttons)
        if entry.card_message_id is not None and digest != entry.card_digest:
            await self._quietly(channel.edit(entry.card_message_id, text, buttons))
        await self._ledger.save(case.id, self._shown(entry, case, digest))

    async def _post(self, case: Case, entry: DeskEntry, channel: StaffChannel) -> None:
        """A topic titled with the alias and emoji, and the case card with its buttons."""
        if not case.is_open:
            # Closed before the group ever saw it (cancelled at once): nothing to show.
            await self._ledger.save(case.id, self._shown(entry, case, None))
            return
        topic = entry.topic_id
        if topic is None:
            title = self._title(case, channel)
            topic = await channel.create_topic(title)
            if topic is not None:
                entry = replace(entry, topic_id=topic, shown_title=title)
                await self._ledger.save(case.id, entry)
        # Out of hours the card arrives silently; urgent cases always ring.
        notify = case.priority is Priority.URGENT or self._availability.is_open()
        text, buttons = await self._card(case, entry, channel)
        card = await channel.send(text, Where(topic), buttons=buttons, notify=notify)
        entry = replace(entry, card_message_id=card)
        await self._ledger.save(case.id, self._shown(entry, case, _digest(text, buttons)))
        await self._ledger.remember_message(case.id, card, "card")
        log.info("case %d posted to the staff group (%s)", case.id, case.priority)

    # --- the person's messages, notices, answers ------------------------------------------------

    async def _relay(self, relay: RelayToCase, channel: StaffChannel) -> None:
        case = await self._handoff.case(relay.case_id)
        entry = await self._ledger.entry(relay.case_id)
        if case is None or entry is None or not entry.posted:
            log.warning("relay for case %d dropped: the case is not in the group", relay.case_id)
            return
        where = self._where(entry)
        if not (relay.copy and relay.reference):
            message = await channel.send(self._view.withheld(relay.what), where, notify=False)
            await self._ledger.remember_message(case.id, message, "notice")
            return
        address = await self._handoff.address_of(case.pseudonym) if case.pseudonym else None
        if address is None:
            log.info("relay for case %d dropped: the person is gone", case.id)
            return
        copied = await channel.copy(address, relay.reference, where)
        await self._ledger.remember_message(case.id, copied, "relay")
        await self._ledger.delivered(case.pseudonym, "staff", [copied])

    async def _reopened_note(self, case: Case) -> str | None:
        """« The person wrote again 2 min after the close (Julie had it) »."""
        if case.status is not CaseStatus.QUEUED or not case.history:
            return None
        last = case.history[-1]
        if last.detail != REOPENED_BY_PERSON:
            return None
        closed = next(
            (line for line in reversed(case.history) if line.status is CaseStatus.CLOSED), None
        )
        closed_for = format_duration(last.at - closed.at) if closed else "—"
        _, previous = await self._handoff.card_context(case)
        return self._view.reopened_by_person(case, previous, closed_for)

    async def _notice(
        self,
        case_id: int,
        text: str,
        reply_to: str | None,
        loud: bool,
        channel: StaffChannel,
        *,
        buttons: Keyboard = (),
    ) -> None:
        entry = await self._ledger.entry(case_id) or DeskEntry()
        where = self._where(entry)
        if reply_to is not None and reply_to.isdigit():
            where = Where(where.topic, int(reply_to))
        message = await channel.send(text, where, buttons=buttons, notify=loud)
        await self._ledger.remember_message(case_id, message, "notice")

    async def _digest(self, channel: StaffChannel) -> None:
        """At opening time: the waiting cases, read from the database, most pressing first."""
        waiting = await self._handoff.waiting_cases()
        if not waiting:
            return
        text = self._view.queue(waiting, {}, self._clock.now(), digest=True)
        await channel.send(text, Where())

    async def _post_card(self, case_id: int, topic: int | None, channel: StaffChannel) -> None:
        case = await self._handoff.case(case_id)
        if case is None:
            return
        entry = await self._ledger.entry(case_id) or DeskEntry()
        text, buttons = await self._card(case, entry, channel)
        message = await channel.send(text, Where(topic), buttons=buttons)
        await self._ledger.remember_message(case.id, message, "card")

    async def _note_prompt(self, case_id: int, channel: StaffChannel) -> None:
        case = await self._handoff.case(case_id)
        if case is None:
            return
        entry = await self._ledger.entry(case_id) or DeskEntry()
        text = self._view.text("staff.note_prompt", alias=case.alias)
        placeholder = self._view.text("staff.note_placeholder")
        message = await channel.send(text, self._where(entry), ask_reply=placeholder)
        await self._ledger.remember_message(case.id, message, "note_prompt")

    # --- helpers ------------------------------------------------------------------------------

    async def _card(
        self, case: Case, entry: DeskEntry, channel: StaffChannel
    ) -> tuple[str, Keyboard]:
        holder = await self._handoff.worker_name(case.owner) if case.owner else None
        hint_key = "staff.hint_topic" if entry.topic_id is not None else "staff.hint_reply"
        context, previous = await self._handoff.card_context(case)
        text = self._view.card(
            case,
            holder,
            hint=self._view.text(hint_key),
            now=self._clock.now(),
            transcript=context.transcript,
            earlier=context.earlier,
            previous_holder=previous,
            places=await self._places(context.earlier, channel),
        )
        return text, self._view.card_buttons(case)

    async def _places(self, cases: Sequence[Case], channel: StaffChannel) -> dict[int, str]:
        """Where each earlier case lives in the group, so its notes are one tap away."""
        places = {}
        for earlier in cases:
            found = await self._ledger.entry(earlier.id)
            link = channel.link(found.topic_id) if found and found.topic_id is not None else None
            if link:
                places[earlier.id] = link
        return places

    def _title(self, case: Case, channel: StaffChannel) -> str:
        return self._view.title(case)[: channel.title_limit]

    @staticmethod
    def _where(entry: DeskEntry) -> Where:
        if entry.topic_id is not None:
            return Where(topic=entry.topic_id)
        return Where(reply_to=entry.card_message_id)

    @staticmethod
    def _shown(entry: DeskEntry, case: Case, digest: str | None) -> DeskEntry:
        return replace(
            entry,
            shown_status=case.status.value,
            shown_priority=case.priority.value,
            shown_flags=case.crisis_flags,
            card_digest=digest if digest is not None else entry.card_digest,
        )

    @staticmethod
    async def _quietly(call: object) -> None:
        """Edits a channel may refuse harmlessly (a topic deleted by hand, nothing changed)."""
        try:
            await call  # type: ignore[misc]
        except RefusedError as err:
            log.info("staff edit skipped: %s", err)


def _digest(text: str, buttons: Keyboard) -> str:
    flat = "|".join(f"{b.label}\x1f{b.payload}" for row in buttons for b in row)
    return hashlib.sha256(f"{text}\x1e{flat}".encode()).hexdigest()
