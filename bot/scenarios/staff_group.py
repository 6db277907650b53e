"""An in-memory staff group for scenarios: what the team's forum group would receive.

The very desk the Telegram bot runs (``bot.desk.desk.StaffDesk``) posts into an in-memory
forum group (``MemoryStaffChannel``): after each step the staff lane of the outbox is sent
there, in order, and a scenario's ``staff_sees`` reads the new topic titles and messages.
"""

from __future__ import annotations

from datetime import datetime

from bot.bootstrap import Services
from bot.desk.desk import StaffDesk, StaffItem
from bot.desk.items import decode as decode_desk
from bot.desk.ledger import MemoryDeskLedger
from bot.desk.memory import MemoryStaffChannel
from flows.actions import RelayToWorker
from flows.handoff_service import WorkerOutcome
from flows.outbox import STAFF_LANE
from flows.outbox import decode as decode_core
from flows.service import Outcome
from resources_db.transport import OutboxStore


class MemoryStaffGroup:
    """Keeps a memory forum group in step with the outbox's staff lane."""

    def __init__(self, services: Services, address: str | None = None) -> None:
        self._services = services
        self._address = address
        self.channel = MemoryStaffChannel()
        self._desk = StaffDesk(
            handoff=services.handoff,
            ledger=MemoryDeskLedger(),
            availability=services.availability,
            clock=services.clock,
        )
        # The store reads the scenario's clock: rows come due, and lanes are paced, in its time.
        self._outbox = OutboxStore(
            services.sessions, services.uow_factory.cipher, now=services.clock.now
        )

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
                await self._outbox.sent(entry, recent=(), ready_at=self._services.clock.now())
        seen = [t for topic, t in self.channel.topics.items() if titles.get(topic) != t]
        for message in self.channel.messages.values():
            if message.id not in known or message.edits != edited.get(message.id, 0):
                seen.append(message.text)
        return seen


__all__ = ["MemoryStaffGroup", "StaffItem"]
