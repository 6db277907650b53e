"""Repositories of the handoff: cases, worker names, the audit log.

They never commit; the unit of work does. The audit log has an ``add`` and reads, and no way
to change or remove a line (the migration's triggers refuse it in the database too).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.cases import AuditEntry, Case, CaseStatus, StatusChange, WorkerAction
from flows.domain import CaseReason, Priority
from resources_db.models.handoff import AuditRow, CaseRow, WorkerRow

OPEN = (CaseStatus.QUEUED.value, CaseStatus.TAKEN.value)


class SqlCaseRepository:
    """``CaseRepository`` on SQLAlchemy; ``get`` row-locks on PostgreSQL (``FOR UPDATE``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: Case) -> Case:
        """Insert a new case and return it with its id."""
        row = CaseRow()
        _fill(row, case)
        self._session.add(row)
        await self._session.flush()
        return replace(case, id=row.id)

    async def get(self, case_id: int) -> Case | None:
        """One case, locked until the unit of work ends (PostgreSQL)."""
        row = await self._session.scalar(
            select(CaseRow).where(CaseRow.id == case_id).with_for_update()
        )
        return None if row is None else _to_domain(row)

    async def save(self, case: Case) -> None:
        """Update a case's state."""
        row = await self._session.get(CaseRow, case.id)
        if row is None:
            raise LookupError(f"case {case.id} does not exist")
        _fill(row, case)
        await self._session.flush()

    async def open_for(self, pseudonym: str) -> Case | None:
        """The person's open case (the newest, should there ever be two)."""
        row = await self._session.scalar(
            select(CaseRow)
            .where(CaseRow.pseudonym == pseudonym, CaseRow.status.in_(OPEN))
            .order_by(CaseRow.id.desc())
            .limit(1)
        )
        return None if row is None else _to_domain(row)

    async def open_cases(self) -> list[Case]:
        """Every open case, oldest first."""
        rows = await self._session.scalars(
            select(CaseRow).where(CaseRow.status.in_(OPEN)).order_by(CaseRow.id)
        )
        return [_to_domain(row) for row in rows]

    async def find(self, alias: str) -> list[Case]:
        """Cases with this alias (case-insensitive), newest first."""
        rows = await self._session.scalars(
            select(CaseRow)
            .where(CaseRow.alias.ilike(alias.strip()))
            .order_by(CaseRow.id.desc())
            .limit(20)
        )
        return [_to_domain(row) for row in rows]

    async def earlier_for(
        self, pseudonym: str, before_case_id: int | None = None, limit: int = 5
    ) -> list[Case]:
        """The person's cases older than ``before_case_id`` (all without it), newest first."""
        statement = select(CaseRow).where(CaseRow.pseudonym == pseudonym)
        if before_case_id is not None:
            statement = statement.where(CaseRow.id < before_case_id)
        rows = await self._session.scalars(statement.order_by(CaseRow.id.desc()).limit(limit))
        return [_to_domain(row) for row in rows]

    async def forget_person(self, pseudonym: str) -> None:
        """Erase the person's pseudonym from every case; the alias stays for the audit."""
        await self._session.execute(
            update(CaseRow).where(CaseRow.pseudonym == pseudonym).values(pseudonym=None)
        )


def _fill(row: CaseRow, case: Case) -> None:
    row.pseudonym = case.pseudonym
    row.alias = case.alias
    row.priority = case.priority.value
    row.reason = case.reason.value
    row.status = case.status.value
    row.owner = case.owner
    row.opened_at = case.opened_at
    row.queued_at = case.queued_at
    row.taken_at = case.taken_at
    row.closed_at = case.closed_at
    row.context = dict(case.context)
    row.crisis_flags = case.crisis_flags
    row.history = [
        {"at": h.at.isoformat(), "status": h.status.value, "by": h.by, "detail": h.detail}
        for h in case.history
    ]


def _to_domain(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        pseudonym=row.pseudonym,
        alias=row.alias,
        priority=Priority(row.priority),
        reason=CaseReason(row.reason),
        status=CaseStatus(row.status),
        opened_at=row.opened_at,
        queued_at=row.queued_at,
        owner=row.owner,
        taken_at=row.taken_at,
        closed_at=row.closed_at,
        context=dict(row.context or {}),
        crisis_flags=row.crisis_flags,
        history=tuple(
            StatusChange(
                datetime.fromisoformat(h["at"]), CaseStatus(h["status"]), h["by"], h["detail"]
            )
            for h in row.history or []
        ),
    )


class SqlAuditLog:
    """``AuditLog``: inserts and reads only."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: AuditEntry) -> None:
        """Append one line."""
        self._session.add(
            AuditRow(
                at=entry.at,
                worker=entry.worker,
                action=entry.action.value,
                case_id=entry.case_id,
                case_alias=entry.case_alias,
            )
        )
        await self._session.flush()

    async def trail(self, case_id: int) -> list[AuditEntry]:
        """Every line about one case, oldest first."""
        rows = await self._session.scalars(
            select(AuditRow).where(AuditRow.case_id == case_id).order_by(AuditRow.id)
        )
        return [
            AuditEntry(r.at, r.worker, WorkerAction(r.action), r.case_id, r.case_alias)
            for r in rows
        ]


class SqlWorkerDirectory:
    """``WorkerDirectory``: a worker pseudonym and, if they chose one, a first name."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def name_of(self, pseudonym: str) -> str | None:
        """The worker's chosen first name."""
        row = await self._session.get(WorkerRow, pseudonym)
        return None if row is None else row.display_name

    async def set_name(self, pseudonym: str, name: str | None) -> None:
        """Set or clear the first name; a worker without one leaves no row at all."""
        row = await self._session.get(WorkerRow, pseudonym)
        if name is None:
            if row is not None:
                await self._session.delete(row)
                await self._session.flush()
            return
        now = datetime.now(UTC)
        if row is None:
            self._session.add(WorkerRow(pseudonym=pseudonym, display_name=name, updated_at=now))
        else:
            row.display_name = name
            row.updated_at = now
        await self._session.flush()
