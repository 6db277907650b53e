"""What a channel says when it cannot deliver, and how fast the bot may speak.

Channels (Telegram, the in-memory staff group of tests) translate their own errors into the
few outcomes the outbox sender acts on:

- ``RetryLater`` — the channel asked us to wait (Telegram's 429 ``retry_after``): the row waits
  that long, its lane with it, and is sent again; no attempt is counted.
- ``TransientError`` — the network, a time-out, a 5xx: retried with backoff, then failed.
- ``RefusedError`` — the channel will never accept this (a 400): recorded, not retried.
- ``UnreachableError`` — the person blocked the bot (403): their lane is cancelled and the
  core hears ``PersonBlockedBot``.

Pacing: one global token bucket per process (``TELEGRAM_MAX_PER_SECOND``), and a sliding
window per lane stored with the lane in the database, so every replica sees the same pace
(a private chat: about 1 a second with short bursts; the staff group: ``STAFF_MAX_PER_MINUTE``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from flows.actions import PersonMessage


class DeliveryError(Exception):
    """A channel could not deliver."""


class RetryLater(DeliveryError):
    """The channel asked us to wait ``retry_after`` seconds before trying again."""

    def __init__(self, retry_after: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class TransientError(DeliveryError):
    """A failure that may pass (network, time-out, server error)."""


class RefusedError(DeliveryError):
    """The channel will not accept this message, ever."""


class UnreachableError(DeliveryError):
    """The recipient cannot be reached any more (blocked the bot, or the bot was removed)."""


Pace = Callable[[], Awaitable[None]]


class PersonChannel(Protocol):
    """Where a person's messages go (Telegram's private chats; the console prints them)."""

    async def deliver(
        self,
        address: str,
        message: PersonMessage,
        *,
        pace: Pace,
        start: int = 0,
        progress: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[int]:
        """Send one message (maybe in several parts, from part ``start``); the ids it made.

        ``pace`` is awaited before every call; ``progress`` is told how many parts are sent.
        """
        ...

    async def answer(self, callback: str, text: str | None = None) -> None:
        """Answer a button press (stop its spinner, maybe with a short toast)."""
        ...


@runtime_checkable
class ChatEraser(Protocol):
    """A channel that can delete the bot's recent messages in a chat (``/oublie``)."""

    async def erase(self, address: str | None, message_ids: Sequence[int]) -> int:
        """Delete what can still be deleted; how many calls were refused (too old, gone)."""
        ...


@dataclass
class TokenBucket:
    """At most ``rate`` calls in any second, one per process (a sliding window).

    A bucket that starts full lets ``rate`` calls out at once and ``rate`` more within the
    same second: twice Telegram's limit. The window never does: at most ``limit`` calls in
    any ``window_s`` (≥ 1) seconds, so the average reaches the cap and no second goes
    over it.
    """

    rate: float
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _calls: deque[float] = field(init=False, default_factory=deque)
    _limit: int = field(init=False)
    _window_s: float = field(init=False)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        # A whole number of calls per second (a fractional cap rounds down); below one a
        # second, one call per 1 / rate seconds.
        self._limit = max(1, int(self.rate))
        self._window_s = max(1.0, 1 / self.rate)

    async def acquire(self) -> None:
        """Wait until a call fits in the window, and count it."""
        async with self._lock:
            while True:
                now = self.monotonic()
                while self._calls and now - self._calls[0] >= self._window_s:
                    self._calls.popleft()
                if len(self._calls) < self._limit:
                    self._calls.append(now)
                    return
                await self.sleep(self._window_s - (now - self._calls[0]))


@dataclass
class LaneWindow:
    """At most ``limit`` calls in any ``window_s`` seconds for one lane (epoch seconds)."""

    limit: int
    window_s: float
    recent: list[float] = field(default_factory=list)

    @classmethod
    def of(cls, limit: int, window_s: float, recent: Sequence[float], now: float) -> LaneWindow:
        """The window with the calls still inside it."""
        return cls(limit, window_s, [t for t in recent if now - t < window_s])

    def wait(self, now: float) -> float:
        """Seconds until one more call fits."""
        inside = [t for t in self.recent if now - t < self.window_s]
        self.recent = inside
        if len(inside) < self.limit:
            return 0.0
        return max(0.0, inside[-self.limit] + self.window_s - now)

    def record(self, now: float) -> None:
        """One call made at ``now``."""
        self.recent.append(now)

    def ready_in(self, now: float) -> float:
        """Seconds until the lane's next call fits (for the lane's ``ready_at``)."""
        return self.wait(now)
