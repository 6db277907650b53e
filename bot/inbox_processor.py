"""Inbox processors: take the oldest unhandled row of a lane, handle it, in bounded numbers.

A dispatcher claims, in one transaction, as many rows as there are idle workers — each the
oldest pending row of its lane, held by nobody — and ``concurrency`` workers hand them to the
handler of their kind. A handler marks the row
done in the same transaction as the turn's writes. When every task is busy (saturated), rows
simply wait in the database; a lane waiting longer than ``notice_after_s`` gets one "I'm
reading your message" (``on_wait``). A row that fails is released for a later try (a busy
database, an NLU outage mid-turn); after ``max_attempts`` it is failed and ``on_failure`` tells
the person plainly. Any replica may process any row: the lease decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.shutdown import cancel_and_wait
from flows.inbox import LeaseLostError
from resources_db.transport import InboxDirect, InboxEntry, InboxStore

log = logging.getLogger(__name__)

Handler = Callable[[InboxEntry], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ProcessorLimits:
    """How many turns at once, and how patient (from the settings)."""

    concurrency: int = 8
    lease_s: float = 30.0
    retry_s: float = 1.0
    max_attempts: int = 5
    notice_after_s: float = 8.0
    poll_s: float = 0.5


class ProcessorEvents:
    """What the processor tells metrics about (no-op by default)."""

    def handled(self, kind: str, seconds: float, outcome: str) -> None:
        """One row was handled (``done``, ``retry``, ``failed``)."""


class InboxProcessor:
    """``concurrency`` worker tasks over the inbox; start, wake, stop."""

    def __init__(
        self,
        store: InboxStore,
        handlers: Mapping[str, Handler],
        limits: ProcessorLimits,
        *,
        on_handled: Callable[[], None] = lambda: None,
        on_wait: Callable[[list[InboxEntry]], Awaitable[None]] | None = None,
        on_failure: Callable[[InboxEntry], Awaitable[None]] | None = None,
        events: ProcessorEvents | None = None,
        holder: str | None = None,
    ) -> None:
        self._store = store
        self._handlers = dict(handlers)
        self._limits = limits
        self._on_handled = on_handled
        self._on_wait = on_wait
        self._on_failure = on_failure
        self._events = events or ProcessorEvents()
        self.holder = holder or f"inbox-{secrets.token_hex(6)}"
        # One dispatcher claims rows in batches for idle workers (no herd of empty claims).
        self._wake = asyncio.Event()
        self._queue: asyncio.Queue[InboxEntry] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.in_flight = 0
        # A finished turn calls for a new claim only if rows were stored meanwhile (they may
        # wait behind it in its lane) or the last claim filled every worker.
        self._wakes = 0
        self._saturated = False
        # Rows may wait in the database for a claim (stored while every worker was busy):
        # until a claim comes back short, a new update does not jump that queue.
        self._backlog = False

    def wake(self) -> None:
        """A row was stored for a claim (or a lane freed): the dispatcher looks now."""
        self._wakes += 1
        self._backlog = True
        self._wake.set()

    def direct(self) -> InboxDirect:
        """What the inbox needs to hand this processor the rows it stores (no claim)."""
        return InboxDirect(self.holder, self._limits.lease_s, self.free, self.take)

    def free(self) -> int:
        """How many workers are idle and may take a new update directly (0 while stopping, or
        while older rows wait for a claim: first come, first served)."""
        if self._stopping or not self._tasks or self._backlog:
            return 0
        return max(0, self._limits.concurrency - self.in_flight)

    def take(self, entries: list[InboxEntry]) -> None:
        """Rows stored leased to this processor: its workers handle them now."""
        for entry in entries:
            self.in_flight += 1
            self._queue.put_nowait(entry)

    async def start(self) -> None:
        """Start the dispatcher, the workers and the watchdog (once)."""
        if self._tasks:
            return
        self._stopping = False
        for number in range(self._limits.concurrency):
            self._tasks.append(asyncio.create_task(self._work(), name=f"inbox-{number}"))
        self._tasks.append(asyncio.create_task(self._dispatch(), name="inbox-dispatcher"))
        self._tasks.append(asyncio.create_task(self._watch(), name="inbox-watchdog"))

    async def stop(self, grace_s: float = 10.0) -> None:
        """Claim nothing more; let the turns in flight finish (up to ``grace_s``)."""
        if not self._tasks:
            return
        self._stopping = True
        self._wake.set()
        tasks, self._tasks = self._tasks, []
        try:
            async with asyncio.timeout(grace_s):
                while self.in_flight:  # noqa: ASYNC110 - a count, not an event; checked briefly
                    await asyncio.sleep(0.02)
        except TimeoutError:
            log.warning(
                "stopping with %d turn(s) unfinished (they will be retried)", self.in_flight
            )
        finally:
            # Even if this stop is itself cancelled: no worker is left waiting for rows.
            await cancel_and_wait(tasks)

    async def handle_one(self) -> bool:
        """Claim and handle one row now; False if none was claimable."""
        entry = await self._store.claim(self.holder, self._limits.lease_s)
        if entry is None:
            return False
        await self._run(entry)
        return True

    async def _dispatch(self) -> None:
        """Claims as many lane heads as there are idle workers, in one transaction."""
        while not self._stopping:
            # Rows handed to the queue count as in flight from the moment they are claimed.
            free = self._limits.concurrency - self.in_flight
            claimed = 0
            drained = False
            if free > 0:
                wakes = self._wakes
                try:
                    entries = await self._store.claim_many(self.holder, self._limits.lease_s, free)
                except Exception:  # the database may be away: wait, then look again
                    log.exception("inbox processor could not claim rows")
                    entries = []
                else:
                    # Short, and nothing stored for a claim meanwhile: no row is waiting.
                    drained = len(entries) < free and self._wakes == wakes
                for entry in entries:
                    self.in_flight += 1
                    self._queue.put_nowait(entry)
                claimed = len(entries)
            self._saturated = claimed == free
            if drained:
                self._backlog = False  # new updates may go straight to a worker again
            if claimed and claimed == free:
                continue  # more may be waiting
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._limits.poll_s):
                    await self._wake.wait()

    async def _work(self) -> None:
        while True:
            entry = await self._queue.get()
            wakes = self._wakes
            try:
                await self._handle(entry)
            finally:
                self.in_flight -= 1
                if self._wakes != wakes or self._saturated:
                    # A worker is free, and the lane's next row may be claimable now.
                    self._wake.set()

    async def _run(self, entry: InboxEntry) -> None:
        self.in_flight += 1
        try:
            await self._handle(entry)
        finally:
            self.in_flight -= 1

    async def _handle(self, entry: InboxEntry) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        handler = self._handlers.get(entry.kind)
        if handler is None or entry.payload is None:
            log.error("inbox row %d (%s) cannot be read; failed", entry.receipt.entry, entry.kind)
            await self._store.fail(entry.receipt)
            self._events.handled(entry.kind, loop.time() - started, "failed")
            return
        try:
            await handler(entry)
        except LeaseLostError:
            log.warning("inbox row %d was taken over by another processor", entry.receipt.entry)
            self._events.handled(entry.kind, loop.time() - started, "lost")
            return
        except Exception as err:  # noqa: BLE001 - a row that fails is retried, then failed
            await self._failed(entry, err)
            self._events.handled(entry.kind, loop.time() - started, "retry")
            return
        self._events.handled(entry.kind, loop.time() - started, "done")
        self._on_handled()

    async def _failed(self, entry: InboxEntry, err: BaseException) -> None:
        attempts = entry.attempts + 1
        name = type(err).__name__
        if attempts < self._limits.max_attempts:
            log.warning(
                "%s row %d failed (%s), attempt %d/%d",
                entry.kind,
                entry.receipt.entry,
                name,
                attempts,
                self._limits.max_attempts,
            )
            await self._store.release(entry.receipt, retry_in_s=self._limits.retry_s * attempts)
            return
        log.error("%s row %d failed for good", entry.kind, entry.receipt.entry, exc_info=err)
        if self._on_failure is not None:
            try:
                await self._on_failure(entry)
            except Exception:
                log.exception("could not tell the person their message failed")
        await self._store.fail(entry.receipt)
        self._on_handled()

    async def _watch(self) -> None:
        """Lanes waiting too long get one "I'm reading your message"."""
        while not self._stopping:
            await asyncio.sleep(max(0.2, self._limits.notice_after_s / 4))
            if self._on_wait is None:
                continue
            try:
                waiting = await self._store.waiting_since(self._limits.notice_after_s)
                if waiting:
                    await self._on_wait(waiting)
            except Exception:
                log.exception("the waiting notice failed")
