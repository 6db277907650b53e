"""Handoff cases and worker actions: the data the ownership rules work on."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from flows.domain import CaseReason, Priority

BY_BOT = "bot"
BY_PERSON = "person"


class CaseStatus(StrEnum):
    """Where a case is: waiting for a worker, held by one, or over."""

    QUEUED = "queued"
    TAKEN = "taken"
    CLOSED = "closed"


class WorkerAction(StrEnum):
    """What a worker can do; every one of them is audited."""

    TAKE = "take"
    REPLY = "reply"
    NOTE = "note"
    GIVE_BACK = "give_back"
    CLOSE = "close"
    REOPEN = "reopen"
    READ = "read"


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One line of a case's status history.

    ``by`` is ``bot``, ``person`` or a worker's pseudonym; ``detail`` says what happened
    (``opened:crisis``, ``raised:urgent``, ``taken_over``, ``blocked``…), never any text.
    """

    at: datetime
    status: CaseStatus
    by: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    """A handoff case. ``id`` is 0 until stored.

    ``pseudonym`` is None once the person asked to be forgotten. ``context`` is what the
    person chose (theme, area, language, source code), never what they wrote. The ``shown_*``
    fields record what the staff group has been shown, so the desk can catch up after a
    restart: the scheduler triggers, the database remembers.
    """

    id: int
    pseudonym: str | None
    alias: str
    priority: Priority
    reason: CaseReason
    status: CaseStatus
    opened_at: datetime
    queued_at: datetime
    owner: str | None = None
    taken_at: datetime | None = None
    closed_at: datetime | None = None
    topic_id: int | None = None
    card_message_id: int | None = None
    context: dict[str, str] = field(default_factory=dict)
    crisis_flags: int = 0
    history: tuple[StatusChange, ...] = ()
    shown_status: CaseStatus | None = None
    shown_priority: Priority | None = None
    shown_flags: int = 0

    @property
    def is_open(self) -> bool:
        """True while queued or taken."""
        return self.status is not CaseStatus.CLOSED

    @property
    def posted(self) -> bool:
        """True once the staff group has a topic or a card message for it."""
        return self.topic_id is not None or self.card_message_id is not None

    @property
    def needs_staff_update(self) -> bool:
        """True when the staff group has not been shown the case as it is now."""
        return (
            self.shown_status is not self.status
            or self.shown_priority is not self.priority
            or self.shown_flags != self.crisis_flags
        )

    def changed(self, at: datetime, by: str, detail: str, **changes: object) -> Case:
        """A copy with ``changes`` applied and one more line of history."""
        updated = replace(self, **changes)  # type: ignore[arg-type]
        line = StatusChange(at, updated.status, by, detail)
        return replace(updated, history=(*self.history, line))


@dataclass(frozen=True, slots=True)
class Worker:
    """An outreach worker: a keyed pseudonym and, if they set one, a first name."""

    pseudonym: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One append-only line of the audit log: who did what to which case, when."""

    at: datetime
    worker: str
    action: WorkerAction
    case_id: int
    case_alias: str
