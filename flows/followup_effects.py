"""Keeps a person's armed follow-up in the outbox in step with their conversation.

``FollowUpEffects`` is one of the ``ConversationService``'s effect handlers: an armed
follow-up is one outbox row with a due time in the person's follow-up lane; arming again
replaces it, stopping cancels it, in the turn's own transaction.
"""

from __future__ import annotations

from flows.actions import CancelFollowUps, Effect, ScheduleFollowUp
from flows.outbox import FollowUpDue, followup_lane
from flows.ports import UnitOfWork


class FollowUpEffects:
    """The ``EffectHandler`` for follow-ups."""

    async def __call__(self, uow: UnitOfWork, pseudonym: str, effect: Effect) -> None:
        """Arm, re-arm or cancel the person's follow-up row."""
        if isinstance(effect, CancelFollowUps | ScheduleFollowUp):
            await uow.outbox.cancel(followup_lane(pseudonym))
        if isinstance(effect, ScheduleFollowUp):
            due = FollowUpDue(pseudonym, effect.due.isoformat())
            await uow.outbox.add(due, due=effect.due)
