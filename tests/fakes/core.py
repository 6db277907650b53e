"""In-memory fakes of the core's own ports (we fake our ports, never our core)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from flows.cases import AuditEntry, Case, CaseStatus
from flows.directory import Place, ResourceCard, SearchPage, SearchQuery
from flows.domain import Conversation, Language
from flows.inbox import LeaseLostError, Receipt
from flows.insights import InsightEvent
from flows.outbox import Outgoing
from flows.transcript import TranscriptEntry
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

    async def card(
        self, service_id: str, place: Place, at: datetime, language: Language | None
    ) -> ResourceCard | None:
        cards = self.page.cards if self.page is not None else ()
        return next((c for c in cards if c.service_id == service_id), None)

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


class MemoryCases:
    """``CaseRepository`` on a dict of cases by id."""

    def __init__(self, cases: dict[int, Case]):
        self._cases = cases

    async def add(self, case: Case) -> Case:
        stored = replace(case, id=max(self._cases, default=0) + 1)
        self._cases[stored.id] = stored
        return stored

    async def get(self, case_id: int) -> Case | None:
        return self._cases.get(case_id)

    async def save(self, case: Case) -> None:
        if case.id not in self._cases:
            raise LookupError(f"case {case.id} does not exist")
        self._cases[case.id] = case

    async def open_for(self, pseudonym: str) -> Case | None:
        found = [c for c in self._cases.values() if c.pseudonym == pseudonym and c.is_open]
        return max(found, key=lambda c: c.id) if found else None

    async def open_cases(self) -> list[Case]:
        return sorted((c for c in self._cases.values() if c.is_open), key=lambda c: c.id)

    async def find(self, alias: str) -> list[Case]:
        found = [c for c in self._cases.values() if c.alias.lower() == alias.strip().lower()]
        return sorted(found, key=lambda c: -c.id)

    async def earlier_for(
        self, pseudonym: str, before_case_id: int | None = None, limit: int = 5
    ) -> list[Case]:
        found = [
            c
            for c in self._cases.values()
            if c.pseudonym == pseudonym and (before_case_id is None or c.id < before_case_id)
        ]
        return sorted(found, key=lambda c: -c.id)[:limit]

    async def forget_person(self, pseudonym: str) -> None:
        for case_id, case in list(self._cases.items()):
            if case.pseudonym == pseudonym:
                self._cases[case_id] = replace(case, pseudonym=None)


class MemoryAudit:
    """``AuditLog``: a list that only grows."""

    def __init__(self, lines: list[AuditEntry]) -> None:
        self._lines = lines

    async def record(self, entry: AuditEntry) -> None:
        self._lines.append(entry)

    async def trail(self, case_id: int) -> list[AuditEntry]:
        return [line for line in self._lines if line.case_id == case_id]


class MemoryWorkers:
    def __init__(self, names: dict[str, str]) -> None:
        self._names = names

    async def name_of(self, pseudonym: str) -> str | None:
        return self._names.get(pseudonym)

    async def set_name(self, pseudonym: str, name: str | None) -> None:
        if name is None:
            self._names.pop(pseudonym, None)
        else:
            self._names[pseudonym] = name


@dataclass(frozen=True)
class Queued:
    """One outbox row of the memory world."""

    item: Outgoing
    due: datetime | None = None


class MemoryOutbox:
    """``Outbox``: a list in arrival order; a dedupe key already there is not added again."""

    def __init__(self, rows: list[Queued]) -> None:
        self._rows = rows

    async def add(self, item: Outgoing, *, due: datetime | None = None) -> None:
        if item.dedupe is not None and any(r.item.dedupe == item.dedupe for r in self._rows):
            return
        self._rows.append(Queued(item, due))

    async def cancel(self, lane: str) -> None:
        self._rows[:] = [r for r in self._rows if r.item.lane != lane]


class MemoryInbox:
    """``Inbox``: the ids of pending rows and who holds them."""

    def __init__(self, pending: dict[int, str]) -> None:
        self._pending = pending

    async def done(self, receipt: Receipt) -> None:
        if self._pending.get(receipt.entry) != receipt.holder:
            raise LeaseLostError(str(receipt.entry))
        del self._pending[receipt.entry]


class MemoryTranscript:
    """``TranscriptStore`` on a list of (pseudonym, entry), in the order they were kept."""

    def __init__(self, entries: list[tuple[str, TranscriptEntry]]) -> None:
        self._entries = entries

    async def append(self, pseudonym: str, entry: TranscriptEntry) -> None:
        self._entries.append((pseudonym, entry))

    async def recent(self, pseudonym: str, since: datetime, limit: int) -> list[TranscriptEntry]:
        mine = [e for p, e in self._entries if p == pseudonym and e.at >= since]
        return sorted(mine, key=lambda e: e.at)[-limit:] if limit > 0 else []

    async def forget(self, pseudonym: str) -> None:
        self._entries[:] = [(p, e) for p, e in self._entries if p != pseudonym]

    async def purge(self, older_than: datetime) -> int:
        before = len(self._entries)
        self._entries[:] = [(p, e) for p, e in self._entries if e.at >= older_than]
        return before - len(self._entries)


class MemoryInsights:
    """``InsightLog``: a list that only grows."""

    def __init__(self, events: list[InsightEvent]) -> None:
        self._events = events

    async def add(self, event: InsightEvent) -> None:
        self._events.append(event)


class MemoryUnitOfWork:
    """Writes land in the shared stores only on commit; ``rollback`` drops them all."""

    def __init__(self, world: MemoryWorld) -> None:
        self._world = world
        self.committed = False

    async def __aenter__(self) -> Self:
        self._begin()
        return self

    def _begin(self) -> None:
        """A fresh copy of every store, as the world holds it now."""
        self._conversations = dict(self._world.conversations)
        self._addresses = dict(self._world.addresses)
        self._cases = dict(self._world.cases)
        self._audit = list(self._world.audit)
        self._workers = dict(self._world.workers)
        self._outbox = list(self._world.outbox)
        self._inbox = dict(self._world.inbox)
        self._transcript = list(self._world.transcript)
        self._insights = list(self._world.insights)
        self.conversations = MemoryConversations(self._conversations)
        self.addresses = MemoryAddresses(self._addresses)
        self.cases = MemoryCases(self._cases)
        self.audit = MemoryAudit(self._audit)
        self.workers = MemoryWorkers(self._workers)
        self.outbox = MemoryOutbox(self._outbox)
        self.inbox = MemoryInbox(self._inbox)
        self.transcript = MemoryTranscript(self._transcript)
        self.insights = MemoryInsights(self._insights)

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
        self._world.cases = self._cases
        self._world.audit = self._audit
        self._world.workers = self._workers
        self._world.outbox = self._outbox
        self._world.inbox = self._inbox
        self._world.transcript = self._transcript
        self._world.insights = self._insights
        self.committed = True
        self._begin()  # like a database session: what follows is a new transaction

    async def rollback(self) -> None:
        self._begin()


@dataclass
class MemoryWorld:
    """What the in-memory units of work share: the "database"."""

    conversations: dict[str, Conversation] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)
    cases: dict[int, Case] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    workers: dict[str, str] = field(default_factory=dict)
    # What the memory world has queued to send, and the inbox rows held (id -> holder).
    outbox: list[Queued] = field(default_factory=list)
    inbox: dict[int, str] = field(default_factory=dict)
    transcript: list[tuple[str, TranscriptEntry]] = field(default_factory=list)
    insights: list[InsightEvent] = field(default_factory=list)

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


@dataclass
class MemoryCaseLookup:
    """``CaseLookup`` over a ``MemoryWorld``'s committed cases, in the staff queue's order."""

    world: MemoryWorld

    async def ahead_of(self, pseudonym: str) -> int:
        queued = [c for c in self.world.cases.values() if c.status is CaseStatus.QUEUED]
        own = next((c for c in queued if c.pseudonym == pseudonym), None)
        if own is None:
            return len(queued)
        key = (own.priority.rank, own.queued_at)
        return sum(1 for c in queued if c.id != own.id and (c.priority.rank, c.queued_at) < key)

    async def last_case(self, pseudonym: str) -> Case | None:
        mine = [c for c in self.world.cases.values() if c.pseudonym == pseudonym]
        return max(mine, key=lambda c: c.id) if mine else None


@dataclass
class TransportClock:
    """The transport's clock, moved by hand: wall time, epoch seconds, and sleeps that pass
    at once (they move the clock instead)."""

    current: datetime = datetime(2026, 11, 17, 19, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def epoch(self) -> float:
        return self.current.timestamp()

    async def sleep(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
