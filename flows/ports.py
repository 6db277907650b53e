"""Ports: the small protocols through which the core talks to the world.

Adapters in ``bot/``, ``nlu/`` and ``resources_db/`` implement them; tests use fakes.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from flows.cases import Case
from flows.directory import Place, ResourceCard, SearchPage, SearchQuery
from flows.domain import Conversation, Jurisdiction, Language
from flows.handoff_ports import AuditLog, CaseRepository, WorkerDirectory
from flows.inbox import Receipt
from flows.insights import InsightLog
from flows.outbox import Outgoing
from flows.transcript import TranscriptStore
from flows.understanding import (
    CrisisLines,
    Interpretation,
    NluUnavailable,
    Screening,
    TextCues,
)


class Clock(Protocol):
    """Tells the time (timezone-aware). Tests move it."""

    def now(self) -> datetime:
        """The current instant, aware."""
        ...


class Nlu(Protocol):
    """Understands free text. Never raises for an outage: returns ``NluUnavailable``."""

    async def parse(self, text: str, language: Language) -> Interpretation | NluUnavailable:
        """Interpret one message."""
        ...


class CrisisScreen(Protocol):
    """The deterministic crisis screen: pure, fast, never depends on a server."""

    def screen(self, text: str) -> Screening:
        """Screen one message."""
        ...


class CrisisLineRegistry(Protocol):
    """The dated registry of emergency numbers and crisis lines."""

    def lines_for(self, jurisdiction: Jurisdiction) -> CrisisLines:
        """The lines of one jurisdiction."""
        ...


class ResourceDirectory(Protocol):
    """Finds services near a place, and places from what the person typed."""

    async def search(self, query: SearchQuery) -> SearchPage:
        """One page of services by theme, in the order ``SearchQuery`` describes."""
        ...

    async def card(
        self, service_id: str, place: Place, at: datetime, language: Language | None
    ) -> ResourceCard | None:
        """The full card of one service, at its place nearest ``place``; None if gone."""
        ...

    async def locate(self, text: str) -> Place | None:
        """A place from a postal code or a known neighbourhood/city name, offline."""
        ...


class ConversationRepository(Protocol):
    """Persists conversations. Never commits: the unit of work does."""

    async def get(self, pseudonym: str) -> Conversation | None:
        """Load one conversation, locking its row for this unit of work where supported."""
        ...

    async def save(self, conversation: Conversation) -> None:
        """Insert or update one conversation."""
        ...

    async def delete(self, pseudonym: str) -> None:
        """Erase one conversation."""
        ...


class AddressBook(Protocol):
    """The one place where the channel address (chat id) lives, encrypted."""

    async def remember(self, pseudonym: str, address: str) -> None:
        """Store (or refresh) the encrypted address."""
        ...

    async def address_of(self, pseudonym: str) -> str | None:
        """Decrypt the address, if still kept."""
        ...

    async def forget(self, pseudonym: str) -> None:
        """Erase the address."""
        ...


class Outbox(Protocol):
    """Everything the bot sends, written in the turn's transaction; a sender delivers it."""

    async def add(self, item: Outgoing, *, due: datetime | None = None) -> None:
        """Queue ``item`` after every earlier item of its lane (not before ``due`` if given).

        An item with a ``dedupe`` key that is already in the outbox is not added again.
        """
        ...

    async def cancel(self, lane: str) -> None:
        """Cancel every pending item of ``lane`` (an armed follow-up no longer wanted)."""
        ...


class Inbox(Protocol):
    """What arrived and is not yet handled; the service marks a row done in its own unit."""

    async def done(self, receipt: Receipt) -> None:
        """Mark the held row done and erase its payload.

        Raises:
            LeaseLostError: the row is no longer held by this receipt; the unit must not commit.
        """
        ...


class UnitOfWork(Protocol):
    """One transaction: repositories share it; nothing is written until ``commit``."""

    # Read-only properties, so that an implementation may hold more specific repositories.
    @property
    def conversations(self) -> ConversationRepository:
        """This unit's conversations."""
        ...

    @property
    def addresses(self) -> AddressBook:
        """This unit's address book."""
        ...

    @property
    def cases(self) -> CaseRepository:
        """This unit's handoff cases."""
        ...

    @property
    def audit(self) -> AuditLog:
        """This unit's append-only audit log."""
        ...

    @property
    def workers(self) -> WorkerDirectory:
        """This unit's worker names."""
        ...

    @property
    def outbox(self) -> Outbox:
        """This unit's outbox."""
        ...

    @property
    def inbox(self) -> Inbox:
        """This unit's inbox (to mark the row being handled done)."""
        ...

    @property
    def transcript(self) -> TranscriptStore:
        """This unit's recent turns of each person (for the worker's card)."""
        ...

    @property
    def insights(self) -> InsightLog:
        """This unit's append-only anonymous insight events."""
        ...

    async def commit(self) -> None:
        """Make the unit's writes durable."""
        ...

    async def rollback(self) -> None:
        """Drop the unit's writes."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work per event."""

    def __call__(self) -> UnitOfWork:
        """A new, unopened unit of work."""
        ...


class StorageBusy(Exception):
    """The database is busy or unreachable for now; the caller may retry."""


class CaseLookup(Protocol):
    """Read-only: where a person's request stands in the staff's queue, and their last case."""

    async def ahead_of(self, pseudonym: str) -> int:
        """How many waiting cases the team will take before this person's.

        For a request not stored yet, every waiting case (a new request joins the line).
        """
        ...

    async def last_case(self, pseudonym: str) -> Case | None:
        """The person's most recent case, open or closed (None if they never had one)."""
        ...


class LanguageDetector(Protocol):
    """Which language a text is written in, when that is clear."""

    def detect(self, text: str) -> Language | None:
        """FR or EN when confident; None when unsure (very short, mixed, emoji only)."""
        ...


class CueReader(Protocol):
    """Deterministic facts of one message: age, asking for someone else, a human, a meeting…"""

    def read(self, text: str) -> TextCues:
        """The cues of one message (pure, fast, never depends on a server)."""
        ...
