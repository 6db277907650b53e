"""Urgent cases cannot fall through: raised again in the group until someone takes them.

An urgent case — or a high one the crisis screen flagged — nobody has taken within
``first`` (``URGENT_REALERT_MINUTES``, 10 by default) is raised again in the group — and, if
the team has one, in an on-call chat — then again after twice as long each time (10, 20, 40
min…), never more than ``cap`` apart, until a worker takes it or lowers it to normal. The
person is told once, honestly, that nobody has been able to answer yet, with the 24/7 lines.
Each re-alert is a line of the case's history (``realerted``), so the schedule survives
restarts and reads back from the database alone.

``RealertPolicy`` says when; ``Realerts`` says what each side reads and updates the case.
The adapter runs ``Realerts.apply`` for each due case, under the person's lock, and turns
the result into messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.actions import Button, PersonMessage, Reply
from flows.availability import TeamAvailability
from flows.cases import BY_BOT, REALERTED, Case, CaseStatus
from flows.catalogue import Catalogue
from flows.crisis_protocol import crisis_lines_text
from flows.domain import Conversation, Jurisdiction, Priority
from flows.ports import Clock, CrisisLineRegistry, UnitOfWork
from flows.staff_view import CaseVerb, StaffView, case_payload, format_duration

FIRST_REALERT = timedelta(minutes=10)
REALERT_CAP = timedelta(minutes=60)


def needs_reminders(case: Case) -> bool:
    """Urgent cases, and high ones the crisis screen flagged (violence, self-harm at the
    « concerning » level…): a worker who lowers one to normal stops its reminders."""
    if case.priority is Priority.URGENT:
        return True
    return case.priority is Priority.HIGH and bool(case.crisis_alerts)


@dataclass(frozen=True, slots=True)
class RealertPolicy:
    """When an untaken urgent case is raised again: ``first``, then doubling, up to ``cap``."""

    first: timedelta = FIRST_REALERT
    cap: timedelta = REALERT_CAP

    def next_at(self, case: Case) -> datetime | None:
        """When ``case`` is next due; None when it needs none (taken, closed, not pressing).

        Counted from the last time the group was alerted about it: when it started waiting,
        a flagged message, or the previous re-alert.
        """
        if case.status is not CaseStatus.QUEUED or not needs_reminders(case):
            return None
        step = min(self.first * (1 << len(case.realerts)), self.cap)
        return case.last_alert_at + step

    def is_due(self, case: Case, now: datetime) -> bool:
        """True when ``case`` should be raised again at ``now``."""
        due = self.next_at(case)
        return due is not None and due <= now

    def due(self, cases: Iterable[Case], now: datetime) -> list[Case]:
        """The cases to raise again now, the longest waiting first."""
        return sorted((c for c in cases if self.is_due(c, now)), key=lambda c: (c.queued_at, c.id))


@dataclass(frozen=True, slots=True)
class Realert:
    """One re-alert: the case with its history line, and what each side reads.

    ``to_staff`` goes to the case's place in the group, with a notification and a take
    button (``buttons``); ``to_oncall`` to the on-call chat when the team has one (alias,
    number and what it is about, nothing else); ``to_person`` only the first time.
    """

    case: Case
    count: int
    waited: timedelta
    to_staff: str
    buttons: tuple[tuple[Button, ...], ...]
    to_oncall: str | None
    to_person: tuple[PersonMessage, ...]


@dataclass(frozen=True, slots=True)
class RealertOutcome:
    """A re-alert decided and saved in the caller's unit of work, with where to reach the
    person (their opaque channel address, None when they cannot be written to)."""

    realert: Realert
    address: str | None


class Realerts:
    """Decides re-alerts and their wording; the policy and the on-call choice are injected."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        view: StaffView,
        clock: Clock,
        availability: TeamAvailability,
        crisis_lines: CrisisLineRegistry,
        jurisdiction: Jurisdiction,
        policy: RealertPolicy | None = None,
        oncall: bool = False,
    ) -> None:
        self._t = catalogue
        self._view = view
        self._clock = clock
        self._availability = availability
        self._lines = crisis_lines
        self._jurisdiction = jurisdiction
        self.policy = policy or RealertPolicy()
        self._oncall = oncall

    def due(self, cases: Iterable[Case]) -> list[Case]:
        """Of ``cases`` (the open ones), those to raise again now."""
        return self.policy.due(cases, self._clock.now())

    def decide(self, case: Case, conv: Conversation | None, *, reachable: bool) -> Realert | None:
        """The re-alert of ``case`` if it is due now; None otherwise."""
        now = self._clock.now()
        if not self.policy.is_due(case, now):
            return None
        count = len(case.realerts) + 1
        waited = now - case.queued_at
        raised = case.changed(now, BY_BOT, REALERTED)
        what = self._view.what(case)
        to_staff = self._view.text(
            "staff.realert", what=what, waited=format_duration(waited), count=count
        )
        take = Button(self._view.text("staff.button.take"), case_payload(CaseVerb.TAKE, case.id))
        to_oncall = None
        if self._oncall:
            to_oncall = self._view.text(
                "staff.oncall.realert",
                alias=case.alias,
                number=case.id,
                what=what,
                waited=format_duration(waited),
            )
        to_person: tuple[PersonMessage, ...] = ()
        if count == 1 and conv is not None and reachable:
            to_person = (self._person_message(conv),)
        return Realert(raised, count, waited, to_staff, ((take,),), to_oncall, to_person)

    async def apply(self, uow: UnitOfWork, case_id: int) -> RealertOutcome | None:
        """Decide and save one case's re-alert in ``uow`` (the caller commits).

        The case is read again (row-locked where the database can), so a case taken a
        moment ago is not raised; run it under the person's lock, like every other write.
        """
        case = await uow.cases.get(case_id)
        if case is None or not self.policy.is_due(case, self._clock.now()):
            return None
        conv = None
        address = None
        if case.pseudonym is not None:
            conv = await uow.conversations.get(case.pseudonym)
            address = await uow.addresses.address_of(case.pseudonym)
        realert = self.decide(case, conv, reachable=address is not None)
        if realert is None:  # pragma: no cover - due was checked just above, same clock
            return None
        await uow.cases.save(realert.case)
        return RealertOutcome(realert, address if realert.to_person else None)

    def _person_message(self, conv: Conversation) -> Reply:
        """Honest: nobody has answered yet; the 24/7 lines do, right now."""
        lang = conv.language
        lines = crisis_lines_text(self._t, self._lines.lines_for(self._jurisdiction), lang)
        if self._availability.is_open():
            return Reply(self._t.text("handoff.realert", lang, lines=lines))
        when = self._availability.back_when(lang)
        return Reply(self._t.text("handoff.realert_closed", lang, lines=lines, when=when))
