"""Handoff cases and worker actions: the data the ownership rules work on."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from flows.domain import CaseReason, Priority
from flows.understanding import CrisisCategory, CrisisLevel

BY_BOT = "bot"
BY_PERSON = "person"
# History details that carry data the desk reads back (see ``Case.crisis_alerts``…).
FLAGGED = "flagged"  # ``flagged:<category>:<level>``: the crisis screen flagged a message
REALERTED = "realerted"  # an urgent case nobody took was raised again in the group
PRIORITY_SET = "priority"  # ``priority:<priority>``: a worker changed the priority
REOPENED_BY_PERSON = "reopened_by_person"  # the person wrote back soon after a close


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
    PRIORITY = "priority"
    READY_REPLY = "ready_reply"
    SEND_RESOURCE = "resource"


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
class CrisisAlert:
    """One message the crisis screen flagged on a case: when, about what, how alarming."""

    at: datetime
    category: CrisisCategory
    level: CrisisLevel


@dataclass(frozen=True, slots=True)
class Case:
    """A handoff case. ``id`` is 0 until stored.

    ``pseudonym`` is None once the person asked to be forgotten. ``context`` is what the
    person chose (theme, area, language, source code), never what they wrote. Where the case
    lives on the staff side and what it was last shown is the desk adapter's business (its
    own ledger), not the core's.
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
    context: dict[str, str] = field(default_factory=dict)
    crisis_flags: int = 0
    history: tuple[StatusChange, ...] = ()

    @property
    def is_open(self) -> bool:
        """True while queued or taken."""
        return self.status is not CaseStatus.CLOSED

    # --- read back from the history: no column of its own, nothing for the adapters to keep --

    @property
    def crisis_alerts(self) -> tuple[CrisisAlert, ...]:
        """Every flagged message, oldest first (a case opened by a crisis has at least one)."""
        alerts = []
        for line in self.history:
            kind, _, rest = line.detail.partition(":")
            if kind != FLAGGED:
                continue
            category, _, level = rest.partition(":")
            alerts.append(CrisisAlert(line.at, _category(category), _level(level)))
        if not alerts and self.reason is CaseReason.CRISIS:
            # A case stored before flags were recorded: what its priority says.
            level = CrisisLevel.URGENT if self.priority is Priority.URGENT else CrisisLevel.CONCERN
            alerts.append(CrisisAlert(self.opened_at, CrisisCategory.OTHER, level))
        return tuple(alerts)

    @property
    def last_crisis_at(self) -> datetime | None:
        """When the crisis screen last flagged a message of this case."""
        alerts = self.crisis_alerts
        return alerts[-1].at if alerts else None

    @property
    def crisis_categories(self) -> tuple[CrisisCategory, ...]:
        """What the flagged messages spoke of, in the order they first did."""
        seen: list[CrisisCategory] = []
        for alert in self.crisis_alerts:
            if alert.category not in seen:
                seen.append(alert.category)
        return tuple(seen)

    @property
    def crisis_level(self) -> CrisisLevel:
        """The most alarming level any flagged message reached (``none`` without a flag)."""
        levels = {alert.level for alert in self.crisis_alerts}
        if CrisisLevel.URGENT in levels:
            return CrisisLevel.URGENT
        return CrisisLevel.CONCERN if levels else CrisisLevel.NONE

    @property
    def realerts(self) -> tuple[datetime, ...]:
        """When the group was alerted again since the case last started waiting."""
        return tuple(
            line.at
            for line in self.history
            if line.detail == REALERTED and line.at >= self.queued_at
        )

    @property
    def last_alert_at(self) -> datetime:
        """The last time the group was alerted: queued, flagged or re-alerted."""
        moments = [self.queued_at, *self.realerts]
        last_crisis = self.last_crisis_at
        if last_crisis is not None:
            moments.append(last_crisis)
        return max(moments)

    @property
    def previous_owner(self) -> str | None:
        """The last worker who held the case (it may be closed or waiting again)."""
        if self.owner is not None:
            return self.owner
        for line in reversed(self.history):
            if line.status is CaseStatus.TAKEN and line.by not in (BY_BOT, BY_PERSON):
                return line.by
        return None

    def changed(self, at: datetime, by: str, detail: str, **changes: object) -> Case:
        """A copy with ``changes`` applied and one more line of history."""
        updated = replace(self, **changes)  # type: ignore[arg-type]
        line = StatusChange(at, updated.status, by, detail)
        return replace(updated, history=(*self.history, line))


def _category(text: str) -> CrisisCategory:
    try:
        return CrisisCategory(text)
    except ValueError:
        return CrisisCategory.OTHER


def _level(text: str) -> CrisisLevel:
    try:
        level = CrisisLevel(text)
    except ValueError:
        return CrisisLevel.CONCERN
    return CrisisLevel.CONCERN if level is CrisisLevel.NONE else level


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
