"""Runs the handoff rules inside units of work: the person's effects and the workers' actions.

``CaseEffects`` (now in ``flows/case_effects.py``, imported here for existing callers) is one
of the ``ConversationService``'s effect handlers: it persists what the engine decided (a case
opened, raised, closed, reopened; a turn kept for the card) in the same transaction as the
conversation. ``HandoffService`` handles a worker's action under the same per-person lock as
the person's own events, so the two sides never interleave inside one conversation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flows.case_effects import CaseEffects
from flows.cases import AuditEntry, Case, CaseStatus, Worker, WorkerAction
from flows.handoff import HandoffRules, WorkerDecision
from flows.ports import Clock, StorageBusy, UnitOfWork, UnitOfWorkFactory
from flows.service import KeyedLocks, StorageUnavailableError

log = logging.getLogger(__name__)

__all__ = ["CaseEffects", "HandoffService", "WorkerOutcome"]


@dataclass(frozen=True, slots=True)
class WorkerOutcome:
    """What the adapter must do after a worker's action was committed.

    ``address`` is the person's opaque channel address when there is something to deliver.
    """

    case: Case
    decision: WorkerDecision
    address: str | None


class HandoffService:
    """Worker actions and the desk's reads, each in its own unit of work."""

    def __init__(
        self,
        *,
        rules: HandoffRules,
        uow_factory: UnitOfWorkFactory,
        locks: KeyedLocks,
        clock: Clock,
        configured_names: Mapping[str, str] | None = None,
        retries: int = 3,
        retry_delay_s: float = 0.2,
    ) -> None:
        self.rules = rules
        self._uow_factory = uow_factory
        self._locks = locks
        self._clock = clock
        self._configured_names = dict(configured_names or {})
        self._retries = retries
        self._retry_delay_s = retry_delay_s

    async def handle(
        self,
        case_id: int,
        action: WorkerAction,
        worker: Worker,
        *,
        text: str = "",
        takeover: bool = False,
    ) -> WorkerOutcome | None:
        """Decide and commit one worker action; None if the case does not exist."""
        async with self._uow_factory() as uow:
            found = await uow.cases.get(case_id)
        if found is None:
            return None
        # The person's lock: a worker's action and the person's messages never interleave.
        key = found.pseudonym or f"case:{case_id}"
        async with self._locks.hold(key):
            for attempt in range(1, self._retries + 1):
                try:
                    return await self._handle_once(
                        case_id, found.pseudonym, action, worker, text=text, takeover=takeover
                    )
                except StorageBusy:
                    log.warning("storage busy for case %d (attempt %d)", case_id, attempt)
                    await asyncio.sleep(self._retry_delay_s * attempt)
        raise StorageUnavailableError(f"case {case_id}")

    async def _handle_once(
        self,
        case_id: int,
        pseudonym: str | None,
        action: WorkerAction,
        worker: Worker,
        *,
        text: str,
        takeover: bool,
    ) -> WorkerOutcome | None:
        async with self._uow_factory() as uow:
            # Rows are locked in the order the person's own events lock them (conversation,
            # then case), so two replicas cannot deadlock on one person.
            conversation = await uow.conversations.get(pseudonym) if pseudonym else None
            case = await uow.cases.get(case_id)
            if case is None:
                return None
            if case.pseudonym != pseudonym:
                conversation = None  # forgotten meanwhile
            address = None
            other_open = None
            if case.pseudonym is not None:
                address = await uow.addresses.address_of(case.pseudonym)
                if action is WorkerAction.REOPEN:
                    other_open = await uow.cases.open_for(case.pseudonym)
            holder_name = await self._name(uow, case.owner) if case.owner else None
            decision = self.rules.decide(
                case,
                conversation,
                action,
                worker,
                text=text,
                takeover=takeover,
                reachable=address is not None,
                holder_name=holder_name,
                other_open=other_open,
            )
            if decision.case != case:
                await uow.cases.save(decision.case)
            if decision.conversation is not None:
                await uow.conversations.save(decision.conversation)
            now = self._clock.now()
            for done in decision.audit:
                await uow.audit.record(AuditEntry(now, worker.pseudonym, done, case.id, case.alias))
            await uow.commit()
        log.info(
            "worker %s: %s on case %d (%s)",
            worker.pseudonym[:10],
            action,
            case_id,
            "done" if decision.accepted else "refused",
        )
        return WorkerOutcome(decision.case, decision, address if decision.to_person else None)

    async def read(self, worker: Worker, cases: list[Case]) -> None:
        """Audit that a worker read these cases (the queue, a card)."""
        async with self._uow_factory() as uow:
            now = self._clock.now()
            for case in cases:
                entry = AuditEntry(now, worker.pseudonym, WorkerAction.READ, case.id, case.alias)
                await uow.audit.record(entry)
            await uow.commit()

    async def worker_name(self, pseudonym: str) -> str | None:
        """The name a worker signs with: the one they set, else the one the team configured."""
        async with self._uow_factory() as uow:
            return await self._name(uow, pseudonym)

    async def set_worker_name(self, pseudonym: str, name: str | None) -> None:
        """Store (or clear) the first name a worker chose; nothing else about them."""
        async with self._uow_factory() as uow:
            await uow.workers.set_name(pseudonym, name)
            await uow.commit()

    async def names(self, pseudonyms: set[str]) -> dict[str, str]:
        """Names of several workers (those without one are left out)."""
        found: dict[str, str] = {}
        async with self._uow_factory() as uow:
            for pseudonym in pseudonyms:
                name = await self._name(uow, pseudonym)
                if name:
                    found[pseudonym] = name
        return found

    async def _name(self, uow: UnitOfWork, pseudonym: str) -> str | None:
        return await uow.workers.name_of(pseudonym) or self._configured_names.get(pseudonym)

    # --- reads for the staff desk ---------------------------------------------------------------

    async def open_cases(self) -> list[Case]:
        """Every open case."""
        async with self._uow_factory() as uow:
            return await uow.cases.open_cases()

    async def waiting_cases(self) -> list[Case]:
        """Open cases nobody has taken yet."""
        return [c for c in await self.open_cases() if c.status is CaseStatus.QUEUED]

    async def case(self, case_id: int) -> Case | None:
        """One case."""
        async with self._uow_factory() as uow:
            return await uow.cases.get(case_id)

    async def open_case_of(self, pseudonym: str) -> Case | None:
        """The person's open case, if any."""
        async with self._uow_factory() as uow:
            return await uow.cases.open_for(pseudonym)

    async def address_of(self, pseudonym: str) -> str | None:
        """The person's opaque channel address, if still kept."""
        async with self._uow_factory() as uow:
            return await uow.addresses.address_of(pseudonym)

    async def find(self, reference: str) -> list[Case]:
        """Cases by number (``12``, ``#12``) or alias (``Renard-42``), newest first."""
        text = reference.strip().lstrip("#").strip()
        if text.isdigit():
            found = await self.case(int(text))
            return [found] if found is not None else []
        async with self._uow_factory() as uow:
            return await uow.cases.find(text)

    async def case_for_topic(self, topic_id: int) -> Case | None:
        """The case a staff topic belongs to."""
        async with self._uow_factory() as uow:
            return await uow.cases.by_topic(topic_id)

    async def case_for_message(self, chat_id: int, message_id: int) -> tuple[Case, str] | None:
        """The case (and message kind) a staff-group message belongs to."""
        async with self._uow_factory() as uow:
            return await uow.cases.by_message(chat_id, message_id)

    async def remember_message(
        self, case_id: int, chat_id: int, message_id: int, kind: str
    ) -> None:
        """Map a staff-group message to its case."""
        async with self._uow_factory() as uow:
            await uow.cases.remember_message(case_id, chat_id, message_id, kind)
            await uow.commit()

    async def needing_staff_update(self) -> list[Case]:
        """Cases whose staff-side view is behind."""
        async with self._uow_factory() as uow:
            return await uow.cases.needing_staff_update()

    async def mark_shown(
        self, case: Case, *, topic_id: int | None, card_message_id: int | None
    ) -> None:
        """Record that the staff group now shows ``case`` as it is."""
        async with self._uow_factory() as uow:
            await uow.cases.mark_shown(
                case.id,
                status=case.status,
                priority=case.priority,
                flags=case.crisis_flags,
                topic_id=topic_id,
                card_message_id=card_message_id,
            )
            await uow.commit()

    async def trail(self, case_id: int) -> list[AuditEntry]:
        """The audit trail of one case, oldest first."""
        async with self._uow_factory() as uow:
            return await uow.audit.trail(case_id)
