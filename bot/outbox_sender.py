"""The outbox sender: claims lane heads, paces them, sends them, marks them.

Any number of senders may run (one per replica): each row is claimed by one of them
(``FOR UPDATE SKIP LOCKED`` and a lease), and only the oldest pending row of a lane is ever
claimable, so a person's messages and the staff group's posts leave in order. Pace: a global
token bucket per process, and a sliding window per lane stored with the lane (shared by
every replica). A 429 makes the row and its lane wait what Telegram asked; a transient error
is retried with backoff; a permanent one is recorded; a 403 from a person's chat becomes the
core's ``PersonBlockedBot``.

A crash between a channel accepting a message and the row being marked sent repeats that one
message when the lease runs out (docs/operations.md measures it): at-least-once, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import (
    ChatEraser,
    LaneWindow,
    PersonChannel,
    RefusedError,
    RetryLater,
    TokenBucket,
    TransientError,
    UnreachableError,
)
from bot.desk.channel import StaffChannel, Where
from bot.desk.desk import StaffDesk, StaffItem
from bot.desk.items import decode as decode_desk
from bot.desk.ledger import DeskLedger
from bot.shutdown import cancel_and_wait
from flows.actions import Keyboard
from flows.events import Inbound, PersonBlockedBot, TimerFired
from flows.followups import FOLLOWUP
from flows.inbox import inbound_to_dict
from flows.outbox import STAFF_LANE, EraseTraces, FollowUpDue, ToPerson, pseudonym_of_lane
from flows.outbox import decode as decode_core
from flows.ports import UnitOfWorkFactory
from resources_db.transport import (
    CANCELLED,
    FAILED,
    DirectSend,
    InboxStore,
    OutboxEntry,
    OutboxStore,
    system_now,
)

log = logging.getLogger(__name__)
MARK_ATTEMPTS = 10
DELETABLE = timedelta(hours=48)  # Telegram lets a bot delete a message this long


@dataclass(frozen=True, slots=True)
class SenderLimits:
    """Telegram's limits and the sender's patience (from the settings)."""

    per_second: float = 30.0
    chat_burst: int = 10
    chat_per_second: float = 1.0
    staff_per_minute: int = 20
    lease_s: float = 60.0
    max_attempts: int = 8
    batch: int = 16
    poll_s: float = 0.5

    def window(self, lane: str) -> tuple[int, float]:
        """The lane's window: (calls, seconds)."""
        if lane == STAFF_LANE:
            return self.staff_per_minute, 60.0
        return self.chat_burst, self.chat_burst / self.chat_per_second


class _Deferred(Exception):
    """The lane's window is full for longer than the lease allows waiting: give the row back."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"{wait_s:.1f} s")
        self.wait_s = wait_s


class SenderEvents:
    """What the sender tells metrics about (no-op by default)."""

    def sent(self, kind: str, lane: str, age_s: float) -> None:
        """A row was sent."""

    def failed(self, kind: str, reason: str) -> None:
        """A row failed for good, or was cancelled."""

    def retried(self, kind: str, reason: str) -> None:
        """A row will be tried again."""


class OutboxSender:
    """One sender task; start, wake when rows were written, stop."""

    def __init__(
        self,
        *,
        store: OutboxStore,
        inbox: InboxStore,
        uow_factory: UnitOfWorkFactory,
        ledger: DeskLedger,
        person: PersonChannel | None,
        staff: StaffChannel | None,
        desk: StaffDesk | None,
        limits: SenderLimits,
        on_blocked: Callable[[], None] = lambda: None,
        events: SenderEvents | None = None,
        epoch: Callable[[], float] = time.time,
        now: Callable[[], datetime] = system_now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        holder: str | None = None,
        lanes: list[str] | None = None,
    ) -> None:
        self._store = store
        self._inbox = inbox
        self._uow_factory = uow_factory
        self._ledger = ledger
        self._person = person
        self._staff = staff
        self._desk = desk
        self._limits = limits
        self._on_blocked = on_blocked
        self._events = events or SenderEvents()
        self._epoch = epoch
        self._now = now
        self._sleep = sleep
        self._bucket = TokenBucket(limits.per_second, sleep=sleep)
        self.holder = holder or f"sender-{secrets.token_hex(6)}"
        self._lanes = lanes
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._busy = 0
        self._in_flight: set[asyncio.Task[None]] = set()
        self._handed: dict[str, asyncio.Task[None]] = {}  # each lane's last hand-over, in flight
        # Rows may wait behind one in flight only if rows were written meanwhile (a wake),
        # or the last claim was full: only then does a finished row call for a new claim.
        self._wakes = 0
        self._saturated = False

    @property
    def busy(self) -> bool:
        """True while rows are being sent."""
        return self._busy > 0

    def wake(self) -> None:
        """New rows were written: look now rather than at the next poll."""
        self._wakes += 1
        self._wake.set()

    def direct(self) -> DirectSend:
        """What a unit of work needs to hand this sender the rows it writes (no claim)."""
        return DirectSend(self.holder, self._limits.lease_s, self.take, self.wake)

    def take(self, entries: list[OutboxEntry]) -> None:
        """Rows a committed transaction wrote leased to this sender: send them now, each lane
        in order (one task per lane)."""
        lanes: dict[str, list[OutboxEntry]] = {}
        for entry in entries:
            lanes.setdefault(entry.lane, []).append(entry)
        for lane, rows in lanes.items():
            task = asyncio.create_task(self._send_in_order(rows), name=f"outbox-{lane[:14]}")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            self._handed[lane] = task
            task.add_done_callback(functools.partial(self._forget_handed, lane))

    def _forget_handed(self, lane: str, task: asyncio.Task[None]) -> None:
        if self._handed.get(lane) is task:
            del self._handed[lane]

    async def settled(self, lane: str) -> None:
        """Return once the rows last handed over for ``lane`` are sent (or given up): at
        once when none are in flight. Never raises; the caller bounds the wait."""
        task = self._handed.get(lane)
        if task is not None:
            await asyncio.wait({task})

    async def _send_in_order(self, rows: list[OutboxEntry]) -> None:
        for entry in rows:
            await self._tracked(entry)

    async def start(self) -> None:
        """Start the sender task (once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop after the rows in flight (safe to call twice)."""
        task, self._task = self._task, None
        if task is None:
            return
        try:
            if self._in_flight:
                # Rows handed over by the last turns are leased to us: send them if we can.
                await asyncio.wait(set(self._in_flight), timeout=grace_s)
        finally:
            # The loop and the sends still in flight (retried when their lease runs out):
            # cancelled here, once, and waited for, bounded.
            await cancel_and_wait([task, *self._in_flight])

    async def _run(self) -> None:
        in_flight = self._in_flight
        while True:
            free = self._limits.batch - len(in_flight)
            claimed = 0
            self._saturated = free <= 0
            if free > 0:
                try:
                    claimed = await self._spawn(free, in_flight)
                except Exception:  # the database may be away: wait and look again
                    log.exception("outbox sender could not claim rows")
                self._saturated = claimed == free
            if claimed:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._limits.poll_s):
                    await self._wake.wait()

    async def _spawn(self, free: int, in_flight: set[asyncio.Task[None]]) -> int:
        """Claim up to ``free`` lane heads and send each in its own task."""
        entries = await self._store.claim(
            self.holder, self._limits.lease_s, free, lanes=self._lanes
        )
        for entry in entries:
            task = asyncio.create_task(self._tracked(entry), name=f"outbox-{entry.id}")
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        return len(entries)

    async def _tracked(self, entry: OutboxEntry) -> None:
        self._busy += 1
        wakes = self._wakes
        try:
            await self._send(entry)
        finally:
            self._busy -= 1
            if self._wakes != wakes or self._saturated:
                self._wake.set()  # a slot is free, and the lane's next row may be due

    async def send_due(self) -> int:
        """Claim and send what is due now (all of it, then return); rows handled."""
        entries = await self._store.claim(
            self.holder, self._limits.lease_s, self._limits.batch, lanes=self._lanes
        )
        await asyncio.gather(*(self._tracked(entry) for entry in entries))
        return len(entries)

    async def _send(self, entry: OutboxEntry) -> None:
        limit, window_s = self._limits.window(entry.lane)
        window = LaneWindow.of(limit, window_s, entry.recent, self._epoch())
        deadline = self._epoch() + self._limits.lease_s / 2

        async def pace() -> None:
            wait = window.wait(self._epoch())
            if wait > 0:
                if self._epoch() + wait > deadline:
                    raise _Deferred(wait)
                await self._sleep(wait)
            await self._bucket.acquire()
            window.record(self._epoch())

        try:
            delivered = await self._deliver(entry, pace)
        except RetryLater as err:
            log.info(
                "%s: rate limited, waiting %.1f s then the same message",
                entry.kind,
                err.retry_after,
            )
            at = self._at(err.retry_after + 0.1)
            await self._store.pace(entry.lane, window.recent, at)
            await self._store.retry(entry, at=at, error="retry_after", count=False)
            self._events.retried(entry.kind, "rate_limited")
            return
        except _Deferred as err:
            await self._store.retry(entry, at=self._at(err.wait_s), error="paced", count=False)
            return
        except UnreachableError as err:
            await self._unreachable(entry, str(err))
            return
        except RefusedError as err:
            log.warning("%s refused for good: %s", entry.kind, err)
            await self._store.finish(entry, FAILED, f"refused: {err}")
            self._events.failed(entry.kind, "refused")
            return
        except _Cancel as err:
            await self._store.finish(entry, CANCELLED, str(err))
            self._events.failed(entry.kind, "cancelled")
            return
        except (TransientError, Exception) as err:  # noqa: BLE001 - one broken row never stops the lane
            await self._transient(entry, err)
            return
        ready = self._at(window.ready_in(self._epoch()))
        if await self._store.sent(entry, recent=window.recent, ready_at=ready, delivered=delivered):
            age = (self._now() - entry.created_at).total_seconds()
            self._events.sent(entry.kind, entry.lane, age)
        else:
            log.warning("%s row %d was sent after its lease ran out", entry.kind, entry.id)

    async def _deliver(
        self, entry: OutboxEntry, pace: Callable[[], Awaitable[None]]
    ) -> tuple[str, list[int]] | None:
        """Send one row; for a person's message, who got it and the message ids."""
        if entry.payload is None:
            raise _Cancel("payload unreadable (erased, or the key changed)")
        item = decode_core(entry.kind, entry.lane, entry.payload)
        if isinstance(item, ToPerson):
            return item.pseudonym, await self._to_person(entry, item, pace)
        if isinstance(item, FollowUpDue):
            await self._followup_due(entry, item)
            return None
        if isinstance(item, EraseTraces):
            await self._erase(item, pace)
            return None
        staff_item: StaffItem | None = item or decode_desk(entry.kind, entry.payload)
        if staff_item is None:
            raise _Cancel(f"unknown kind {entry.kind}")
        if self._desk is None or self._staff is None:
            raise _Cancel("no staff group configured")
        await self._desk.handle(staff_item, _PacedStaff(self._staff, pace))
        return None

    async def _mark_sent(
        self,
        entry: OutboxEntry,
        window: LaneWindow,
        ready: datetime,
        delivered: tuple[str, list[int]] | None,
    ) -> bool:
        """Mark the row sent, insisting: an unmarked sent row is sent again after its lease."""
        for attempt in range(1, MARK_ATTEMPTS + 1):
            try:
                return await self._store.sent(
                    entry, recent=window.recent, ready_at=ready, delivered=delivered
                )
            except Exception as err:
                if attempt == MARK_ATTEMPTS:
                    raise
                log.warning("row %d sent, not yet marked (%s); again", entry.id, type(err).__name__)
                await asyncio.sleep(min(0.2 * attempt, 2.0))
        return False

    async def _to_person(
        self, entry: OutboxEntry, item: ToPerson, pace: Callable[[], Awaitable[None]]
    ) -> list[int]:
        if self._person is None:
            raise _Cancel("no person channel")
        address = item.address or entry.address
        if address is None:
            async with self._uow_factory() as uow:
                address = await uow.addresses.address_of(item.pseudonym)
        if address is None:
            raise _Cancel("no address")

        async def progress(done: int) -> None:
            await self._store.progress(entry, done)

        return await self._person.deliver(
            address, item.message, pace=pace, start=entry.progress, progress=progress
        )

    async def _followup_due(self, entry: OutboxEntry, item: FollowUpDue) -> None:
        """A follow-up came due: the person's conversation decides (``flows.followups``).

        It becomes a ``TimerFired`` in the person's inbox lane, after anything they sent;
        the row's id, negated, is its update id, so a retry after a crash stores it once.
        """
        timer = Inbound(item.pseudonym, TimerFired(FOLLOWUP, item.due))
        payload = {"inbound": inbound_to_dict(timer), "callback": None, "foreign": False}
        await self._inbox.store(item.pseudonym, "person", payload, update_id=-entry.id)
        self._on_blocked()  # the inbox has a row: wake the processors

    async def _erase(self, item: EraseTraces, pace: Callable[[], Awaitable[None]]) -> None:
        """``/oublie``: delete the person's chat and the staff copies still deletable (48 h)."""
        traces = await self._store.traces(item.pseudonym, self._now() - DELETABLE)
        refused = 0
        for chat, channel, address in (
            ("person", self._person, item.address),
            ("staff", self._staff, None),
        ):
            ids = traces.get(chat, [])
            if ids and isinstance(channel, ChatEraser):
                await pace()
                refused += await channel.erase(address, ids)
        await self._store.forget_traces(item.pseudonym)
        log.info("erased the chat of %s (%d not deletable)", item.pseudonym[:12], refused)

    async def _unreachable(self, entry: OutboxEntry, detail: str) -> None:
        pseudonym = pseudonym_of_lane(entry.lane)
        if pseudonym is None:
            log.error("the staff group refuses the bot (%s): is it still a member?", detail)
            await self._store.finish(entry, FAILED, f"unreachable: {detail}")
            self._events.failed(entry.kind, "unreachable")
            return
        log.info("person %s blocked the bot", pseudonym[:12])
        blocked = {"inbound": inbound_to_dict(Inbound(pseudonym, PersonBlockedBot()))}
        await self._store.blocked(entry, self._inbox, pseudonym, blocked)
        self._events.failed(entry.kind, "blocked")
        self._on_blocked()

    async def _transient(self, entry: OutboxEntry, err: BaseException) -> None:
        attempts = entry.attempts + 1
        reason = type(err).__name__
        if not isinstance(err, TransientError):
            log.error("%s row %d crashed", entry.kind, entry.id, exc_info=err)
        if attempts >= self._limits.max_attempts:
            log.warning("%s failed after %d attempts: %s", entry.kind, attempts, reason)
            await self._store.finish(entry, FAILED, f"gave up: {reason}")
            self._events.failed(entry.kind, "gave_up")
            return
        backoff = min(2.0**attempts, 300.0)
        await self._store.retry(entry, at=self._at(backoff), error=reason, count=True)
        self._events.retried(entry.kind, "transient")

    def _at(self, seconds: float) -> datetime:
        return self._now() + timedelta(seconds=max(0.0, seconds))


class _Cancel(Exception):
    """The row cannot be sent to anyone (no address, no staff group): cancelled."""


class _PacedStaff:
    """A ``StaffChannel`` whose every call waits its turn first."""

    def __init__(self, channel: StaffChannel, pace: Callable[[], Awaitable[None]]) -> None:
        self._channel = channel
        self._pace = pace

    @property
    def title_limit(self) -> int:
        return self._channel.title_limit

    def link(self, topic: int) -> str | None:
        return self._channel.link(topic)

    async def create_topic(self, title: str) -> int | None:
        await self._pace()
        return await self._channel.create_topic(title)

    async def rename_topic(self, topic: int, title: str) -> None:
        await self._pace()
        await self._channel.rename_topic(topic, title)

    async def send(
        self,
        text: str,
        where: Where,
        *,
        buttons: Keyboard = (),
        notify: bool = True,
        ask_reply: str | None = None,
    ) -> int:
        await self._pace()
        return await self._channel.send(
            text, where, buttons=buttons, notify=notify, ask_reply=ask_reply
        )

    async def edit(self, message: int, text: str, buttons: Keyboard = ()) -> None:
        await self._pace()
        await self._channel.edit(message, text, buttons)

    async def copy(self, from_address: str, reference: str, where: Where) -> int:
        await self._pace()
        return await self._channel.copy(from_address, reference, where)

    async def answer(self, callback: str, text: str | None = None, *, alert: bool = False) -> None:
        await self._channel.answer(callback, text, alert=alert)
