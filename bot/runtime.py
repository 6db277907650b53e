"""The transport at run time: inbox processors, the outbox sender, housekeeping, settling.

Channel-agnostic: the Telegram adapter builds it with its channels; tests build it with the
in-memory staff channel. ``settled`` says when there is nothing left to do (inbox empty, no
turn in flight, nothing due in the outbox), which is what tests wait for instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.bootstrap import Services
from bot.delivery import PersonChannel
from bot.desk.access import StaffAccess
from bot.desk.channel import StaffChannel
from bot.desk.desk import StaffDesk
from bot.desk.workers import StaffInput, StaffInputs
from bot.inbox_processor import InboxProcessor, ProcessorLimits
from bot.metrics import Metrics
from bot.outbox_sender import OutboxSender, SenderLimits
from bot.people import PERSON, PersonInputs
from bot.shutdown import cancel_and_wait
from resources_db.desk_ledger import SqlDeskLedger
from resources_db.transport import InboxEntry, InboxStore, OutboxStore

log = logging.getLogger(__name__)
STAFF = "staff"
HOUSEKEEPING_S = 60.0
GAUGES_S = 5.0


@dataclass
class StaffSide:
    """What the staff desk needs from its channel."""

    channel: StaffChannel
    access: StaffAccess
    oncall: StaffChannel | None = None


class Transport:
    """Processors, sender and housekeeping of one process; start, wake, settle, stop."""

    def __init__(
        self,
        services: Services,
        *,
        person: PersonChannel | None,
        staff: StaffSide | None,
        metrics: Metrics | None = None,
    ) -> None:
        settings = services.settings
        self.services = services
        self.metrics = metrics or Metrics()
        cipher = services.uow_factory.cipher
        self.inbox = InboxStore(services.sessions, cipher)
        # Due rows (follow-ups) come due on the deployment's clock, which tests move.
        self.outbox = OutboxStore(services.sessions, cipher, services.clock.now)
        self.ledger = SqlDeskLedger(services.sessions, settings.staff_chat_id or 0)
        self.desk: StaffDesk | None = None
        self.staff_inputs: StaffInputs | None = None
        if staff is not None:
            self.desk = StaffDesk(
                handoff=services.handoff,
                ledger=self.ledger,
                availability=services.availability,
                clock=services.clock,
                oncall=staff.oncall,
            )
            self.staff_inputs = StaffInputs(
                handoff=services.handoff,
                ledger=self.ledger,
                access=staff.access,
                channel=staff.channel,
                clock=services.clock,
                resources=services.desk_resources,
            )
        self.sender = OutboxSender(
            store=self.outbox,
            inbox=self.inbox,
            uow_factory=services.uow_factory,
            ledger=self.ledger,
            person=person,
            staff=staff.channel if staff is not None else None,
            desk=self.desk,
            limits=SenderLimits(
                per_second=settings.telegram_max_per_second,
                chat_burst=settings.telegram_chat_burst,
                chat_per_second=settings.telegram_chat_per_second,
                staff_per_minute=settings.staff_max_per_minute,
                lease_s=settings.outbox_lease_s,
                max_attempts=settings.outbox_max_attempts,
                batch=settings.outbox_in_flight,
                poll_s=settings.transport_poll_s,
            ),
            on_blocked=self.wake,
            events=self.metrics,
            now=services.clock.now,
        )
        self.people = PersonInputs(
            conversations=services.conversations,
            uow_factory=services.uow_factory,
            catalogue=services.catalogue,
            crisis_lines=services.crisis_lines,
            jurisdiction=settings.jurisdiction,
            default_language=settings.default_language,
            channel=person,
            remember_trace=self.outbox.remember_trace,
            settled=self.sender.settled,
        )
        self.processor = InboxProcessor(
            self.inbox,
            {PERSON: self.people.process, STAFF: self._staff_row},
            ProcessorLimits(
                concurrency=settings.turn_concurrency,
                lease_s=settings.inbox_lease_s,
                retry_s=settings.inbox_retry_s,
                max_attempts=settings.inbox_max_attempts,
                notice_after_s=settings.inbox_notice_after_s,
                poll_s=settings.transport_poll_s,
            ),
            on_wait=self.people.tell_waiting,
            on_failure=self.people.tell_failed,
            events=self.metrics,
        )
        self._tasks: list[asyncio.Task[None]] = []

    async def _staff_row(self, entry: InboxEntry) -> None:
        if self.staff_inputs is None or entry.payload is None:
            # No staff group configured any more: nothing to do with it.
            await self.services.handoff.respond(entry.receipt, ())
            return
        await self.staff_inputs.process(entry.receipt, StaffInput.from_dict(entry.payload))

    def wake(self) -> None:
        """Rows were stored: processors look now."""
        self.processor.wake()

    async def start(self) -> None:
        """Start processing and sending."""
        await self.processor.start()
        await self.sender.start()
        # What a transaction writes due now in an idle lane goes straight to this sender.
        self.services.uow_factory.send_directly(self.sender.direct())
        # And an update that heads an idle lane goes straight to a worker as it is stored.
        self.inbox.direct = self.processor.direct()
        self._tasks = [
            asyncio.create_task(self._housekeeping(), name="transport-housekeeping"),
            asyncio.create_task(self._gauges(), name="transport-gauges"),
        ]

    async def stop(self) -> None:
        """Finish the turns in flight, then stop sending (rows left wait in the database)."""
        self.inbox.direct = None
        await self.processor.stop(self.services.settings.shutdown_grace_s)
        self.services.uow_factory.send_directly(None)
        await self.sender.stop()
        tasks, self._tasks = self._tasks, []
        await cancel_and_wait(tasks)

    async def settled(self) -> bool:
        """True when nothing is stored unhandled, no turn runs and nothing is due to send."""
        if self.processor.in_flight or self.sender.busy:
            return False
        waiting, _ = await self.inbox.depth()
        due, _ = await self.outbox.depth()
        return waiting == 0 and due == 0 and not self.processor.in_flight and not self.sender.busy

    async def refresh_gauges(self) -> None:
        """Depths, ages and cases from the database, for ``/metrics``."""
        from sqlalchemy import func, select  # noqa: PLC0415 - only here

        from resources_db.models.handoff import CaseRow  # noqa: PLC0415

        waiting, waiting_age = await self.inbox.depth()
        due, due_age = await self.outbox.depth()
        self.metrics.inbox_depth.set(waiting)
        self.metrics.inbox_oldest.set(waiting_age)
        self.metrics.outbox_depth.set(due)
        self.metrics.outbox_oldest.set(due_age)
        async with self.services.sessions() as session:
            rows = await session.execute(
                select(CaseRow.status, CaseRow.priority, func.count()).group_by(
                    CaseRow.status, CaseRow.priority
                )
            )
            self.metrics.cases.clear()
            for status, priority, count in rows:
                self.metrics.cases.labels(status, priority).set(count)
        breaker = getattr(self.services.nlu_client, "circuit_open", False)
        self.metrics.nlu_breaker_open.set(1 if breaker else 0)

    async def _gauges(self) -> None:
        while True:
            try:
                await self.refresh_gauges()
            except Exception:
                log.exception("metrics gauges not refreshed")
            await asyncio.sleep(GAUGES_S)

    async def _housekeeping(self) -> None:
        keep = self.services.settings.transport_keep_s
        while True:
            await asyncio.sleep(HOUSEKEEPING_S)
            try:
                await self.inbox.purge(keep)
                await self.outbox.purge(keep)
                await self.ledger.purge_delivered()
            except Exception:
                log.exception("transport housekeeping failed")
