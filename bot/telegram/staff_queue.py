"""The staff group's outbox: one ordered queue, one worker task, the one place for its rate.

Telegram lets a bot send about 20 messages a minute to one group, all forum topics together.
Everything the bot sends to the staff group is a job in this FIFO queue; a single task runs
the jobs one after the other, so nothing is reordered. Each Bot API call inside a job goes
through ``send``, which paces calls under the group's budget and, on a 429, waits the
``retry_after`` Telegram asked for and sends the *same* call again: nothing is skipped.
(``StaffAwareRateLimiter`` lets these calls through PTB's own limiter untouched, so the rate
is handled here only.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol, TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

log = logging.getLogger(__name__)

T = TypeVar("T")
PERIOD_S = 60.0
NETWORK_RETRIES = 5


class Send(Protocol):
    """Runs one Bot API call under the group's budget, waiting out 429s."""

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call's result."""
        ...


StaffJob = Callable[[Send], Awaitable[None]]


def retry_after_seconds(err: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB gives a ``timedelta`` or, formerly, an int)."""
    value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class StaffQueue:
    """FIFO jobs for one staff group, run by one task."""

    def __init__(
        self,
        *,
        max_per_minute: int = 20,
        period_s: float = PERIOD_S,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._queue: asyncio.Queue[tuple[str, StaffJob]] = asyncio.Queue()
        self._max = max_per_minute
        self._period = period_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._task: asyncio.Task[None] | None = None

    def put(self, name: str, job: StaffJob) -> None:
        """Queue a job after every job already queued."""
        self._queue.put_nowait((name, job))

    def __len__(self) -> int:
        return self._queue.qsize()

    async def start(self) -> None:
        """Start the worker task (once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="staff-queue")

    async def join(self) -> None:
        """Wait until every queued job has run."""
        await self._queue.join()

    async def stop(self, drain_timeout_s: float = 5.0) -> None:
        """Let queued jobs finish for a moment, then stop the task (safe to call twice)."""
        task, self._task = self._task, None
        if task is None:
            return
        try:
            async with asyncio.timeout(drain_timeout_s):
                await self._queue.join()
        except TimeoutError:
            log.warning("staff queue stopped with %d job(s) not run", self._queue.qsize())
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def send(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run ``call`` within the budget; 429: wait and retry the same call."""
        network_failures = 0
        while True:
            await self._pace()
            try:
                return await call()
            except RetryAfter as err:
                wait = retry_after_seconds(err)
                log.info("staff group rate limit: waiting %.1f s, then the same message", wait)
                await self._sleep(wait + 0.1)
            except (BadRequest, Forbidden):
                raise
            except NetworkError:
                network_failures += 1
                if network_failures > NETWORK_RETRIES:
                    raise
                await self._sleep(min(2.0**network_failures, 30.0))

    async def _pace(self) -> None:
        now = self._monotonic()
        while self._sent and now - self._sent[0] >= self._period:
            self._sent.popleft()
        if len(self._sent) >= self._max:
            await self._sleep(self._sent[0] + self._period - now)
            self._sent.popleft()
        self._sent.append(self._monotonic())

    async def _run(self) -> None:
        while True:
            name, job = await self._queue.get()
            try:
                await job(self.send)
            except TelegramError as err:
                # Bot API descriptions name the problem ("message thread not found"), not content.
                log.warning("staff job %s failed: %s: %s", name, type(err).__name__, err.message)
            except Exception:  # one broken job must not stop the staff group's outbox
                log.exception("staff job %s crashed", name)
            finally:
                self._queue.task_done()
