"""Runs the engine for one inbound event inside one unit of work, in per-conversation order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from flows.actions import Effect, ForgetPerson, PersonMessage, TurnTrace
from flows.domain import Language
from flows.engine import Engine
from flows.events import Inbound, PersonBlockedBot, TextReceived
from flows.inbox import Receipt
from flows.outbox import ToPerson
from flows.ports import StorageBusy, UnitOfWork, UnitOfWorkFactory
from flows.reading import Reading, TextReader

log = logging.getLogger(__name__)

EffectHandler = Callable[[UnitOfWork, str, Effect], Awaitable[None]]


class KeyedLocks:
    """One FIFO lock per key, dropped when nobody waits: events of a conversation in order.

    ``asyncio.Lock`` wakes waiters first come, first served, so events that reach ``hold``
    in arrival order are processed in that order. Across replicas, the row lock taken by
    the repository keeps the same guarantee.
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold ``key``'s lock for the duration of the block."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the turn decided, once committed.

    The messages are already in the outbox (a sender delivers them); they are returned too,
    for callers that show them at once (the console) and for tests.
    """

    pseudonym: str
    messages: tuple[PersonMessage, ...]
    effects: tuple[Effect, ...]
    trace: TurnTrace = field(default_factory=TurnTrace)


class StorageUnavailableError(Exception):
    """The database stayed busy through every retry; the event was not processed."""


class ConversationService:
    """Loads, decides, applies effects and commits, one conversation at a time."""

    def __init__(
        self,
        *,
        engine: Engine,
        reader: TextReader,
        uow_factory: UnitOfWorkFactory,
        effect_handlers: tuple[EffectHandler, ...] = (),
        retries: int = 3,
        retry_delay_s: float = 0.2,
    ) -> None:
        self._engine = engine
        self._reader = reader
        self._uow_factory = uow_factory
        self._effect_handlers = effect_handlers
        self._retries = retries
        self._retry_delay_s = retry_delay_s
        self.locks = KeyedLocks()

    def read_ahead(self, inbound: Inbound) -> None:
        """A text just arrived, not stored yet: start reading it (crisis screen, NLU), so
        that the NLU's time overlaps the storing; its turn takes the reading."""
        if isinstance(inbound.event, TextReceived) and inbound.reference:
            hint = Language.from_code(inbound.language_hint)
            self._reader.ahead(_ahead_key(inbound), inbound.event.text, hint)

    def drop_reading_ahead(self) -> None:
        """The turns have stopped: readings nobody took are cancelled."""
        self._reader.drop_ahead()

    async def handle(self, inbound: Inbound, *, receipt: Receipt | None = None) -> Outcome:
        """Process one event; raises ``StorageUnavailableError`` if the database stays busy.

        A text is read (crisis screen, NLU) inside the conversation's lock, so events keep
        their order, but before the unit of work opens: no database connection waits on the
        NLU server. The person's messages go to the outbox in the turn's own transaction;
        ``receipt`` (the inbox row this event came from) is marked done in it too.

        Raises:
            StorageUnavailableError: the database stayed busy through every retry.
            LeaseLostError: the inbox row is no longer ours; nothing was written.
        """
        async with self.locks.hold(inbound.pseudonym):
            reading = None
            if isinstance(inbound.event, TextReceived):
                hint = Language.from_code(inbound.language_hint)
                reading = await self._reader.take(_ahead_key(inbound), inbound.event.text, hint)
            for attempt in range(1, self._retries + 1):
                try:
                    return await self._handle_once(inbound, reading, receipt)
                except StorageBusy:
                    log.warning(
                        "storage busy for %s (attempt %d/%d)",
                        inbound.pseudonym[:12],
                        attempt,
                        self._retries,
                    )
                    await asyncio.sleep(self._retry_delay_s * attempt)
        raise StorageUnavailableError(inbound.pseudonym[:12])

    async def _handle_once(
        self, inbound: Inbound, reading: Reading | None, receipt: Receipt | None
    ) -> Outcome:
        async with self._uow_factory() as uow:
            stored = await uow.conversations.get(inbound.pseudonym)
            decision = await self._engine.decide(stored, inbound, reading)
            forgetting = any(isinstance(e, ForgetPerson) for e in decision.effects)
            if decision.conversation is not None:
                await uow.conversations.save(decision.conversation)
                if inbound.address is not None and not isinstance(inbound.event, PersonBlockedBot):
                    await uow.addresses.remember(inbound.pseudonym, inbound.address)
            for effect in decision.effects:
                for handler in self._effect_handlers:
                    await handler(uow, inbound.pseudonym, effect)
            if forgetting:
                await uow.conversations.delete(inbound.pseudonym)
            if forgetting or isinstance(inbound.event, PersonBlockedBot):
                # DESIGN.md: the address is erased on /oublie and when the person blocks us.
                await uow.addresses.forget(inbound.pseudonym)
            # The confirmation of /oublie leaves after the address book forgot the address:
            # that one row carries it (encrypted, erased once sent).
            address = inbound.address if forgetting else None
            for message in decision.messages:
                await uow.outbox.add(ToPerson(inbound.pseudonym, message, address))
            if receipt is not None:
                await uow.inbox.done(receipt)
            await uow.commit()
        log.info(
            "event %s for %s: %d message(s), effects %s",
            type(inbound.event).__name__,
            inbound.pseudonym[:12],
            len(decision.messages),
            ",".join(type(e).__name__ for e in decision.effects) or "-",
        )
        return Outcome(inbound.pseudonym, decision.messages, decision.effects, decision.trace)


def _ahead_key(inbound: Inbound) -> str:
    """One message of one person (its reference, when the channel gives one)."""
    return f"{inbound.pseudonym}:{inbound.reference or ''}"
