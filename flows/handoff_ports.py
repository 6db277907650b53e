"""Ports of the handoff: cases, the append-only audit log, workers' chosen names.

Repositories never commit; the unit of work does.
"""

from __future__ import annotations

from typing import Protocol

from flows.cases import AuditEntry, Case


class CaseRepository(Protocol):
    """Stores handoff cases (where they show on the staff side is the desk adapter's ledger)."""

    async def add(self, case: Case) -> Case:
        """Store a new case; returns it with its id."""
        ...

    async def get(self, case_id: int) -> Case | None:
        """One case, locked for this unit of work where supported."""
        ...

    async def save(self, case: Case) -> None:
        """Update a case's state."""
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
