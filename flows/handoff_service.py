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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.case_effects import CaseEffects
from flows.cases import AuditEntry, Case, CaseStatus, Worker, WorkerAction
from flows.desk_reads import RETENTION, CardContext, card_context
from flows.directory import ResourceCard
from flows.domain import Priority
from flows.handoff import HandoffRules, WorkerDecision
from flows.inbox import Receipt
from flows.outbox import CaseChanged, CaseNotice, Digest, OnCallNotice, Outgoing, ToPerson
from flows.ports import Clock, StorageBusy, UnitOfWork, UnitOfWorkFactory
from flows.realert import RealertOutcome, Realerts
from flows.service import KeyedLocks, StorageUnavailableError

log = logging.getLogger(__name__)
MAX_CASE_NUMBER = 2**31 - 1  # case numbers are 32-bit in storage; a bigger one is no case

__all__ = ["CaseEffects", "HandoffService", "WorkerOutcome"]


@dataclass(frozen=True, slots=True)
class WorkerOutcome:
    """What a worker's action decided, once committed (its messages are in the outbox).

    ``address`` is the person's opaque channel address when there was something to deliver.
    """

    case: Case
    decision: WorkerDecision
    address: str | None


@dataclass(frozen=True, slots=True)
class _Request:
    """How a worker's action came in: its text, and where its answers go."""

    text: str
    takeover: bool
    receipt: Receipt | None
    reply_to: str | None
    refusal_inline: bool
    confirmed: bool = False
    priority: Priority | None = None
    ready_reply: str | None = None
    resource: ResourceCard | None = None


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
        retention: timedelta = RETENTION,
    ) -> None:
        self.rules = rules
        self.retention = retention
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
        receipt: Receipt | None = None,
        reply_to: str | None = None,
        refusal_inline: bool = False,
        confirmed: bool = False,
        priority: Priority | None = None,
        ready_reply: str | None = None,
        resource: ResourceCard | None = None,
    ) -> WorkerOutcome | None:
        """Decide and commit one worker action; None if the case does not exist (nothing done).

        ``confirmed`` says the worker already answered yes to ending a recently flagged case;
        ``priority``, ``ready_reply`` and ``resource`` are the argument of those actions.

        What the person must hear and what the staff side must show go to the outbox in
        the same transaction, with ``receipt`` (the inbox row) marked done. A refusal answers
        ``reply_to`` (the worker's message) unless ``refusal_inline`` says the adapter shows
        it itself (a button's alert).
        """
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
                        case_id,
                        found.pseudonym,
                        action,
                        worker,
                        _Request(
                            text,
                            takeover,
                            receipt,
                            reply_to,
                            refusal_inline,
                            confirmed,
                            priority,
                            ready_reply,
                            resource,
                        ),
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
        request: _Request,
    ) -> WorkerOutcome | None:
        async with self._uow_factory() as uow:
            # Rows are locked in the order the person's own events lock them (conversation,
            # then case), so two replicas cannot deadlock on one person.
            conversation = await uow.conversations.get(pseudonym) if pseudonym else None
            case = await uow.cases.get(case_id)
            if case is None:
                return None  # the caller answers (and marks its inbox row done)
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
                text=request.text,
                takeover=request.takeover,
                reachable=address is not None,
                holder_name=holder_name,
                other_open=other_open,
                confirmed=request.confirmed,
                priority=request.priority,
                ready_reply=request.ready_reply,
                resource=request.resource,
            )
            if decision.case != case:
                await uow.cases.save(decision.case)
            if decision.conversation is not None:
                await uow.conversations.save(decision.conversation)
            now = self._clock.now()
            for done in decision.audit:
                await uow.audit.record(AuditEntry(now, worker.pseudonym, done, case.id, case.alias))
            await self._send(uow, case, decision, request)
            if request.receipt is not None:
                await uow.inbox.done(request.receipt)
            await uow.commit()
        log.info(
            "worker %s: %s on case %d (%s)",
            worker.pseudonym[:10],
            action,
            case_id,
            "done" if decision.accepted else "refused",
        )
        return WorkerOutcome(decision.case, decision, address if decision.to_person else None)

    async def _send(
        self, uow: UnitOfWork, before: Case, decision: WorkerDecision, request: _Request
    ) -> None:
        """The one place a worker decision becomes outbox rows."""
        case = decision.case
        if decision.to_person and case.pseudonym is not None:
            for message in decision.to_person:
                await uow.outbox.add(ToPerson(case.pseudonym, message))
        if not (request.refusal_inline and not decision.accepted):
            reply_to = None if decision.accepted else request.reply_to
            for text in decision.to_staff:
                await uow.outbox.add(CaseNotice(case.id, text, reply_to))
        if decision.confirm is not None:
            # Asked, not refused: the question and its yes / no buttons go to the case's place.
            prompt = decision.confirm
            await uow.outbox.add(
                CaseNotice(case.id, prompt.text, request.reply_to, buttons=prompt.buttons)
            )
        if decision.accepted and case != before:
            await uow.outbox.add(CaseChanged(case.id))

    async def read(
        self,
        worker: Worker,
        cases: list[Case],
        *,
        receipt: Receipt | None = None,
        then: Sequence[Outgoing] = (),
    ) -> None:
        """Audit that a worker read these cases (the queue, a card); queue ``then`` with it."""
        async with self._uow_factory() as uow:
            now = self._clock.now()
            for case in cases:
                entry = AuditEntry(now, worker.pseudonym, WorkerAction.READ, case.id, case.alias)
                await uow.audit.record(entry)
            await self._finish(uow, receipt, then)

    async def respond(self, receipt: Receipt | None, items: Sequence[Outgoing]) -> None:
        """Queue ``items`` and mark the inbox row done, in one transaction."""
        async with self._uow_factory() as uow:
            await self._finish(uow, receipt, items)

    async def announce_opening(self, opening: str) -> None:
        """The team opens: one digest of the waiting cases, however many replicas fire."""
        async with self._uow_factory() as uow:
            await uow.outbox.add(Digest(opening))
            await uow.commit()

    async def _finish(
        self, uow: UnitOfWork, receipt: Receipt | None, items: Sequence[Outgoing]
    ) -> None:
        for item in items:
            await uow.outbox.add(item)
        if receipt is not None:
            await uow.inbox.done(receipt)
        await uow.commit()

    async def worker_name(self, pseudonym: str) -> str | None:
        """The name a worker signs with: the one they set, else the one the team configured."""
        async with self._uow_factory() as uow:
            return await self._name(uow, pseudonym)

    async def set_worker_name(
        self,
        pseudonym: str,
        name: str | None,
        *,
        receipt: Receipt | None = None,
        then: Sequence[Outgoing] = (),
    ) -> None:
        """Store (or clear) the first name a worker chose; nothing else about them."""
        async with self._uow_factory() as uow:
            await uow.workers.set_name(pseudonym, name)
            await self._finish(uow, receipt, then)

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

    # --- urgent cases nobody took, retention ----------------------------------------------------

    async def raise_untaken(self, realerts: Realerts) -> list[RealertOutcome]:
        """Raise again every urgent case nobody took in time (the scheduler's job).

        Each case under the person's lock, in its own unit of work: its history line, the
        group's reminder (loud, with a take button), the on-call chat's, and — the first
        time — the honest word to the person, all committed together.
        """
        raised = []
        for due in realerts.due(await self.open_cases()):
            key = due.pseudonym or f"case:{due.id}"
            async with self._locks.hold(key), self._uow_factory() as uow:
                outcome = await realerts.apply(uow, due.id)
                if outcome is None:
                    continue  # taken (or lowered) a moment ago
                realert = outcome.realert
                await uow.outbox.add(
                    CaseNotice(due.id, realert.to_staff, loud=True, buttons=realert.buttons)
                )
                if realert.to_oncall is not None:
                    await uow.outbox.add(OnCallNotice(realert.to_oncall))
                if realert.case.pseudonym is not None:
                    for message in realert.to_person:
                        await uow.outbox.add(ToPerson(realert.case.pseudonym, message))
                await uow.outbox.add(CaseChanged(due.id))
                await uow.commit()
            log.info("case %d raised again (reminder %d)", due.id, realert.count)
            raised.append(outcome)
        return raised

    async def purge_transcripts(self, now: datetime) -> int:
        """Erase the turns kept for cards once the retention window has passed; how many."""
        async with self._uow_factory() as uow:
            gone = await uow.transcript.purge(now - self.retention)
            await uow.commit()
        return gone

    # --- reads for the staff desk ---------------------------------------------------------------

    async def card_context(self, case: Case) -> tuple[CardContext, str | None]:
        """What the card shows besides the case, and the name of whoever held it before."""
        async with self._uow_factory() as uow:
            context = await card_context(uow, case, self._clock.now(), retention=self.retention)
            previous = case.previous_owner
            name = await self._name(uow, previous) if previous and not case.owner else None
        return context, name

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
        if text.isascii() and text.isdigit():
            if int(text) > MAX_CASE_NUMBER:
                return []
            found = await self.case(int(text))
            return [found] if found is not None else []
        async with self._uow_factory() as uow:
            return await uow.cases.find(text)

    async def trail(self, case_id: int) -> list[AuditEntry]:
        """The audit trail of one case, oldest first."""
        async with self._uow_factory() as uow:
            return await uow.audit.trail(case_id)
