"""Cases opened, raised, closed and reopened by the person's own events — pure rules.

What workers do to a case is in ``flows/worker_actions.py``; the person's side of ownership
(asking, waiting, being held) in ``flows/ownership.py``, which calls the rules below.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from flows.actions import OpenCase
from flows.cases import BY_BOT, BY_PERSON, FLAGGED, REOPENED_BY_PERSON, Case, CaseStatus
from flows.domain import CaseReason, Conversation, Priority
from flows.identity import alias_for
from flows.ports import Clock
from flows.understanding import CrisisCategory, CrisisLevel, Screening

# A message written this soon after a worker closed or gave back a case reaches the team.
REOPEN_WINDOW = timedelta(hours=24)
# How a worker's own end of a case reads in its history (``flows/worker_actions.py``).
CLOSED_BY_WORKER = "closed"
GIVEN_BACK = "given_back"
# Set on the conversation when a worker closes or gives back a case: until the reopen window
# has passed, the person's texts are checked against ``reopens_on_person_message``.
RELEASED_AT = "released_at"


def priority_for(screening: Screening) -> Priority:
    """The case priority a flagged message calls for."""
    return Priority.URGENT if screening.level is CrisisLevel.URGENT else Priority.HIGH


def crisis_case(screening: Screening) -> OpenCase:
    """The effect for a flagged message: priority, and what the screen found, for the card."""
    return OpenCase(
        priority_for(screening),
        CaseReason.CRISIS,
        category=screening.category or CrisisCategory.OTHER,
        level=screening.level,
    )


def reopens_on_person_message(
    case: Case | None,
    now: datetime,
    *,
    bot_understood: bool = False,
    window: timedelta = REOPEN_WINDOW,
) -> bool:
    """Whether the person's new message should reopen their last case instead of only the bot.

    Yes within ``window`` after a worker closed the case: whatever the person writes next
    (« attends, t'es parti ? ») is for the human who was there. After a give back the bot
    owns the conversation on purpose: it answers what it understands, and only a message it
    does not understand (``bot_understood`` False) goes back to the team. Never after
    ``/oublie`` (the case has no pseudonym), nor when the person cancelled the request or
    blocked the bot themselves, nor once the window has passed.
    """
    if case is None or case.status is not CaseStatus.CLOSED or case.pseudonym is None:
        return False
    if case.closed_at is None or now - case.closed_at > window or not case.history:
        return False
    last = case.history[-1]
    if last.by in (BY_PERSON, BY_BOT):
        return False  # cancelled, blocked, forgotten: the person ended it
    if last.detail == CLOSED_BY_WORKER:
        return True
    return last.detail == GIVEN_BACK and not bot_understood


class CaseRules:
    """What the person's events do to their case; the clock is the only thing it asks."""

    def __init__(self, *, clock: Clock, reopen_window: timedelta = REOPEN_WINDOW) -> None:
        self.clock = clock
        self.reopen_window = reopen_window

    def reopens(self, case: Case | None, *, bot_understood: bool = False) -> bool:
        """``reopens_on_person_message`` now, with the deployment's window."""
        return reopens_on_person_message(
            case, self.clock.now(), bot_understood=bot_understood, window=self.reopen_window
        )

    def open_case(self, pseudonym: str, conv: Conversation | None, effect: OpenCase) -> Case:
        """A new case for the person (``id`` 0 until stored)."""
        now = self.clock.now()
        context: dict[str, str] = {}
        if conv is not None:
            context["language"] = conv.language.value
            for key, value in (("theme", conv.theme), ("area", conv.area), ("source", conv.source)):
                if value:
                    context[key] = str(value)
        case = Case(
            id=0,
            pseudonym=pseudonym,
            alias=alias_for(pseudonym),
            priority=effect.priority,
            reason=effect.reason,
            status=CaseStatus.QUEUED,
            opened_at=now,
            queued_at=now,
            context=context,
        )
        opened = case.changed(now, BY_BOT, f"opened:{effect.reason}")
        return self._flagged(opened, effect, now)

    def raise_case(self, case: Case, effect: OpenCase) -> Case:
        """An open case meets a new reason: never lowered, raised if more pressing."""
        now = self.clock.now()
        crisis = effect.reason is CaseReason.CRISIS
        flagged = self._flagged(case, effect, now)
        if crisis:
            flagged = replace(flagged, crisis_flags=case.crisis_flags + 1)
        if effect.priority.rank < case.priority.rank:
            return flagged.changed(
                now, BY_BOT, f"raised:{effect.priority}", priority=effect.priority
            )
        return flagged

    def close_for_person(self, case: Case, detail: str) -> Case:
        """The person ended it (blocked the bot, cancelled, erased everything)."""
        now = self.clock.now()
        return case.changed(now, BY_PERSON, detail, status=CaseStatus.CLOSED, closed_at=now)

    def reopen_for_person(self, case: Case) -> Case:
        """The person wrote back soon after a close: the case waits for a worker again.

        Back to the queue rather than to the worker who held it: they may have gone home,
        and a case marked as held while nobody reads it is exactly how urgent messages fall
        through. The card names who had it, so they can take it back in one tap.
        """
        now = self.clock.now()
        return case.changed(
            now,
            BY_PERSON,
            REOPENED_BY_PERSON,
            status=CaseStatus.QUEUED,
            owner=None,
            taken_at=None,
            closed_at=None,
            queued_at=now,
        )

    @staticmethod
    def _flagged(case: Case, effect: OpenCase, now: datetime) -> Case:
        """One history line per flagged message: when, what about, how alarming."""
        if effect.reason is not CaseReason.CRISIS:
            return case
        category = effect.category or CrisisCategory.OTHER
        level = effect.level
        if level is None or level is CrisisLevel.NONE:
            urgent = effect.priority is Priority.URGENT
            level = CrisisLevel.URGENT if urgent else CrisisLevel.CONCERN
        return case.changed(now, BY_BOT, f"{FLAGGED}:{category}:{level}")
