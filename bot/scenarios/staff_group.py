"""An in-memory staff group for scenarios: what the team's forum group would receive.

Cards, alerts, notices and the person's messages are rendered with the same ``StaffView``
the Telegram desk uses, so a scenario's ``staff_sees`` reads what a worker would read.
"""

from __future__ import annotations

from datetime import datetime

from bot.bootstrap import Services
from flows.actions import RelayToWorker
from flows.cases import Case
from flows.handoff_service import WorkerOutcome
from flows.service import Outcome


class MemoryStaffGroup:
    """Keeps a memory forum group in step with the database, one topic per case."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._handoff = services.handoff
        self._view = services.handoff.rules.view

    async def after_person(self, outcome: Outcome) -> list[str]:
        """What the group receives after one of the person's events."""
        seen = await self._sync()
        for effect in outcome.effects:
            if isinstance(effect, RelayToWorker):
                seen.append(await self._relay(effect))
        return seen

    async def after_worker(self, outcome: WorkerOutcome) -> list[str]:
        """What the group receives after a worker's action."""
        return [*outcome.decision.to_staff, *await self._sync()]

    async def after_wait(self, before: datetime, after: datetime) -> list[str]:
        """What time brings: the opening digest when the team's hours start meanwhile."""
        seen = await self._sync()
        availability = self._services.availability
        opening = availability.hours.next_opening_after(before) if availability.hours else None
        if opening is not None and opening <= after:
            waiting = await self._handoff.waiting_cases()
            if waiting:
                seen.append(self._view.queue(waiting, {}, after, digest=True))
        return seen

    async def _relay(self, effect: RelayToWorker) -> str:
        if effect.copy and effect.text:
            return effect.text  # a copy of the person's own message, without its author
        return self._view.withheld(effect.kind)

    async def _sync(self) -> list[str]:
        seen: list[str] = []
        for case in await self._handoff.needing_staff_update():
            seen.extend(await self._sync_case(case))
        return seen

    async def _sync_case(self, case: Case) -> list[str]:
        seen: list[str] = []
        holder = await self._handoff.worker_name(case.owner) if case.owner else None
        if not case.posted:
            if case.is_open:
                seen.append(self._view.title(case))
                seen.append(self._view.card(case, holder, in_topic=True))
                await self._handoff.mark_shown(case, topic_id=case.id, card_message_id=case.id)
            else:
                await self._handoff.mark_shown(case, topic_id=None, card_message_id=None)
            return seen
        raised = case.shown_priority is not None and case.priority.rank < case.shown_priority.rank
        if raised or case.crisis_flags > case.shown_flags:
            seen.append(self._view.alert(case))
        if case.status is not case.shown_status:
            note = self._view.person_note(case)
            if note is not None:
                seen.append(note)
        seen.append(self._view.card(case, holder, in_topic=True))
        await self._handoff.mark_shown(
            case, topic_id=case.topic_id, card_message_id=case.card_message_id
        )
        return seen
