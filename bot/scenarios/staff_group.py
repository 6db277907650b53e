"""An in-memory staff group for scenarios: what the team's forum group would receive.

The very desk the Telegram bot runs (``bot.desk.desk.StaffDesk``) posts into an in-memory
forum group (``MemoryStaffChannel``): after each step the staff lane of the outbox is sent
there, in order, and a scenario's ``staff_sees`` reads the new topic titles and messages.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

from bot.bootstrap import Services
from bot.desk.access import StaffAccess
from bot.desk.desk import StaffDesk, StaffItem
from bot.desk.items import decode as decode_desk
from bot.desk.ledger import MemoryDeskLedger
from bot.desk.memory import MemoryMessage, MemoryStaffChannel
from bot.desk.workers import StaffInput, StaffInputs
from flows.actions import PersonMessage, RelayToWorker
from flows.handoff_service import WorkerOutcome
from flows.outbox import STAFF_LANE, ToPerson, person_lane
from flows.outbox import decode as decode_core
from flows.service import Outcome
from resources_db.transport import OutboxStore, system_now


class MemoryStaffGroup:
    """Keeps a memory forum group in step with the outbox's staff lane."""

    def __init__(
        self,
        services: Services,
        address: str | None = None,
        *,
        worker_pseudonym: str | None = None,
    ) -> None:
        self._services = services
        self._address = address
        self.channel = MemoryStaffChannel()
        self.oncall = MemoryStaffChannel(forum=False)
        ledger = self._ledger = MemoryDeskLedger()
        self._desk = StaffDesk(
            handoff=services.handoff,
            ledger=ledger,
            availability=services.availability,
            clock=services.clock,
            oncall=self.oncall,
        )
        worker = worker_pseudonym or "scenario-worker"
        self._inputs = StaffInputs(
            handoff=services.handoff,
            ledger=ledger,
            access=StaffAccess(
                is_member=_member, pseudonym=lambda _member: worker, handoff=services.handoff
            ),
            channel=self.channel,
            clock=services.clock,
            resources=services.desk_resources,
        )
        # The store reads the scenario's clock: rows come due, and lanes are paced, in its time.
        self._outbox = OutboxStore(
            services.sessions, services.uow_factory.cipher, now=services.clock.now
        )
        self._callbacks = itertools.count(1)

    # --- a worker in the group ----------------------------------------------------------------

    def button(
        self, wanted: int, matches: Callable[[str, str], bool] | None
    ) -> tuple[MemoryMessage, str] | None:
        """The newest button the group shows whose label ``matches`` (a callable on the label
        and payload), or the ``wanted``-th button of the newest message with buttons."""
        ordered = sorted(self.channel.messages.values(), key=lambda m: m.id, reverse=True)
        if matches is None:
            with_buttons = next((m for m in ordered if m.buttons), None)
            flat = [b for row in with_buttons.buttons for b in row] if with_buttons else []
            if with_buttons is None or not 0 < wanted <= len(flat):
                return None
            return with_buttons, flat[wanted - 1].payload
        for message in ordered:
            for row in message.buttons:
                for button in row:
                    if matches(button.label, button.payload):
                        return message, button.payload
        return None

    async def press(self, message: MemoryMessage, payload: str) -> list[str]:
        """A worker presses a button in the group; what the group shows next (answers too)."""
        answered = len(self.channel.answers)
        given = StaffInput(
            "button",
            member=1,
            data=payload,
            callback=f"scenario-{next(self._callbacks)}",
            message_id=message.id,
            topic=message.topic,
        )
        await self._inputs.process(None, given)
        alerts = [text for _, text, _ in self.channel.answers[answered:] if text]
        return [*alerts, *await self._drain()]

    async def type_in_case(self, case_id: int, text: str) -> list[str]:
        """A worker types a command in the case's topic."""
        entry = await self._desk_ledger_entry(case_id)
        given = StaffInput("command", member=1, text=text.removeprefix("/"), topic=entry)
        await self._inputs.process(None, given)
        return await self._drain()

    async def _desk_ledger_entry(self, case_id: int) -> int | None:
        entry = await self._ledger.entry(case_id)
        return entry.topic_id if entry is not None else None

    async def person_received(self, pseudonym: str) -> list[PersonMessage]:
        """What left for the person through the outbox since the last call."""
        received: list[PersonMessage] = []
        lanes = [person_lane(pseudonym)]
        while entries := await self._outbox.claim("scenario", 30.0, 10, lanes=lanes):
            for entry in entries:
                item = decode_core(entry.kind, entry.lane, entry.payload or {})
                if isinstance(item, ToPerson):
                    received.append(item.message)
                await self._outbox.sent(entry, recent=(), ready_at=system_now())
        return received

    async def after_person(self, outcome: Outcome) -> list[str]:
        """What the group receives after one of the person's events."""
        for effect in outcome.effects:
            if isinstance(effect, RelayToWorker) and effect.reference and self._address:
                self.channel.sources[(self._address, effect.reference)] = effect.text
        return await self._drain()

    async def after_worker(self, outcome: WorkerOutcome) -> list[str]:
        """What the group receives after a worker's action (its notices are in the outbox)."""
        del outcome
        return await self._drain()

    async def after_wait(self, before: datetime, after: datetime) -> list[str]:
        """What time brings: the opening digest when the team's hours start meanwhile."""
        availability = self._services.availability
        opening = availability.hours.next_opening_after(before) if availability.hours else None
        if opening is not None and opening <= after:
            await self._services.handoff.announce_opening(opening.isoformat())
        return await self._drain()

    async def _drain(self) -> list[str]:
        """Send the staff lane's due rows to the memory group; what it newly shows."""
        titles = dict(self.channel.topics)
        oncall = len(self.oncall.messages)
        known = set(self.channel.messages)
        edited = {m.id: m.edits for m in self.channel.messages.values()}
        while entries := await self._outbox.claim("scenario", 30.0, 1, lanes=[STAFF_LANE]):
            for entry in entries:
                payload = entry.payload or {}
                item = decode_core(entry.kind, entry.lane, payload) or decode_desk(
                    entry.kind, payload
                )
                if item is not None:
                    await self._desk.handle(item, self.channel)  # type: ignore[arg-type]
                # The lane's pace is compared with the wall clock the store claims by, not the
                # scenario's (which may be days ahead): never pace the memory group.
                await self._outbox.sent(entry, recent=(), ready_at=system_now())
        seen = [t for topic, t in self.channel.topics.items() if titles.get(topic) != t]
        for message in self.channel.messages.values():
            if message.id not in known or message.edits != edited.get(message.id, 0):
                # What a worker reads of it: its text and its buttons' labels.
                labels = [button.label for row in message.buttons for button in row]
                seen.append("\n".join([message.text, *labels]))
        return seen + [m.text for m in list(self.oncall.messages.values())[oncall:]]


async def _member(_member: int) -> bool:
    return True


__all__ = ["MemoryStaffGroup", "StaffItem"]
