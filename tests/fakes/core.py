"""In-memory fakes of the core's own ports (we fake our ports, never our core)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

from flows.directory import Place, SearchPage, SearchQuery
from flows.domain import Conversation, Language
from flows.understanding import Intent, Interpretation, NluUnavailable


@dataclass
class FakeClock:
    """A clock the test moves."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class FakeNlu:
    """Answers from a table of exact texts; anything else is low-confidence unknown."""

    answers: dict[str, Interpretation | NluUnavailable] = field(default_factory=dict)
    default: Interpretation | NluUnavailable | None = None
    seen: list[str] = field(default_factory=list)

    async def parse(self, text: str, language: Language) -> Interpretation | NluUnavailable:
        self.seen.append(text)
        if text in self.answers:
            return self.answers[text]
        return self.default or Interpretation(Intent.UNKNOWN, 0.1)


@dataclass
class FakeDirectory:
    """Knows a few places by name and returns a fixed page for every search."""

    places: dict[str, Place] = field(default_factory=dict)
    page: SearchPage | None = None
    queries: list[SearchQuery] = field(default_factory=list)

    async def search(self, query: SearchQuery) -> SearchPage:
        self.queries.append(query)
        if self.page is None:
            return SearchPage(cards=(), total=0, radius_m=query.radius_m, offset=query.offset)
        return self.page

    async def locate(self, text: str) -> Place | None:
        return self.places.get(text.strip().lower())


class MemoryConversations:
    def __init__(self, store: dict[str, Conversation]) -> None:
        self._store = store

    async def get(self, pseudonym: str) -> Conversation | None:
        return self._store.get(pseudonym)

    async def save(self, conversation: Conversation) -> None:
        self._store[conversation.pseudonym] = conversation

    async def delete(self, pseudonym: str) -> None:
        self._store.pop(pseudonym, None)


class MemoryAddresses:
    def __init__(self, store: dict[str, str]) -> None:
        self._store = store

    async def remember(self, pseudonym: str, address: str) -> None:
        self._store[pseudonym] = address

    async def address_of(self, pseudonym: str) -> str | None:
        return self._store.get(pseudonym)

    async def forget(self, pseudonym: str) -> None:
        self._store.pop(pseudonym, None)


class MemoryUnitOfWork:
    """Writes land in the shared stores only on commit."""

    def __init__(self, world: MemoryWorld) -> None:
        self._world = world
        self.committed = False

    async def __aenter__(self) -> Self:
        self._conversations = dict(self._world.conversations)
        self._addresses = dict(self._world.addresses)
        self.conversations = MemoryConversations(self._conversations)
        self.addresses = MemoryAddresses(self._addresses)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self._world.conversations = self._conversations
        self._world.addresses = self._addresses
        self.committed = True

    async def rollback(self) -> None:
        self._conversations = dict(self._world.conversations)


@dataclass
class MemoryWorld:
    """What the in-memory units of work share: the "database"."""

    conversations: dict[str, Conversation] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)
