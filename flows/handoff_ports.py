"""Ports of the handoff: cases, the append-only audit log, workers' chosen names.

Repositories never commit; the unit of work does.
"""

from __future__ import annotations

from typing import Protocol

from flows.cases import AuditEntry, Case, CaseStatus
from flows.domain import Priority


class CaseRepository(Protocol):
    """Stores handoff cases and the map from staff-group messages to cases."""

    async def add(self, case: Case) -> Case:
        """Store a new case; returns it with its id."""
        ...

    async def get(self, case_id: int) -> Case | None:
        """One case, locked for this unit of work where supported."""
        ...

    async def save(self, case: Case) -> None:
        """Update a case's state (never what the staff group was shown: see ``mark_shown``)."""
        ...

    async def open_for(self, pseudonym: str) -> Case | None:
        """The person's open case (queued or taken), if any."""
        ...

    async def open_cases(self) -> list[Case]:
        """Every open case."""
        ...

    async def find(self, alias: str) -> list[Case]:
        """Cases with this alias, newest first (aliases are not unique)."""
        ...

    async def earlier_for(
        self, pseudonym: str, before_case_id: int | None = None, limit: int = 5
    ) -> list[Case]:
        """The person's cases older than ``before_case_id`` (all without it), newest first."""
        ...

    async def by_topic(self, topic_id: int) -> Case | None:
        """The case whose staff topic is ``topic_id``."""
        ...

    async def needing_staff_update(self) -> list[Case]:
        """Cases whose staff-side view is behind their state, oldest first."""
        ...

    async def mark_shown(
        self,
        case_id: int,
        *,
        status: CaseStatus,
        priority: Priority,
        flags: int,
        topic_id: int | None,
        card_message_id: int | None,
    ) -> None:
        """Record what the staff group now shows for a case (and where)."""
        ...

    async def remember_message(
        self, case_id: int, chat_id: int, message_id: int, kind: str
    ) -> None:
        """Map one staff-group message to its case (for reply routing)."""
        ...

    async def by_message(self, chat_id: int, message_id: int) -> tuple[Case, str] | None:
        """The case (and the message's kind) a staff-group message belongs to."""
        ...

    async def forget_person(self, pseudonym: str) -> None:
        """Remove the person's pseudonym from every case (``/oublie``)."""
        ...


class AuditLog(Protocol):
    """Append-only: there is deliberately no way to change or remove a line."""

    async def record(self, entry: AuditEntry) -> None:
        """Append one line."""
        ...

    async def trail(self, case_id: int) -> list[AuditEntry]:
        """Every line about one case, oldest first."""
        ...


class WorkerDirectory(Protocol):
    """The first names workers chose to sign with, by worker pseudonym."""

    async def name_of(self, pseudonym: str) -> str | None:
        """The worker's chosen first name, if they set one."""
        ...

    async def set_name(self, pseudonym: str, name: str | None) -> None:
        """Set (or clear, with None) the worker's first name."""
        ...
