"""Keeps the desk's data in step with the person's conversation, in the same transaction.

``CaseEffects`` is one of the ``ConversationService``'s effect handlers: it persists what the
engine decided — a case opened, raised, closed or reopened, a turn kept for the worker's
card, everything erased on ``/oublie`` — inside the conversation's unit of work.
"""

from __future__ import annotations

from flows.actions import CloseCase, Effect, ForgetPerson, OpenCase, RelayToWorker, ReopenCase
from flows.case_rules import CaseRules
from flows.cases import Case
from flows.handoff import HandoffRules
from flows.outbox import CaseChanged, RelayToCase
from flows.ports import UnitOfWork
from flows.transcript import Transcribe, entry_for


class CaseEffects:
    """The ``EffectHandler`` for cases and the transcript."""

    def __init__(self, rules: CaseRules | HandoffRules, *, notify_staff: bool = True) -> None:
        # The composition root may still hand over the whole handoff facade.
        self._rules = rules.cases if isinstance(rules, HandoffRules) else rules
        # With a staff side, what it must show goes to the outbox in the same transaction.
        self._notify_staff = notify_staff

    async def __call__(self, uow: UnitOfWork, pseudonym: str, effect: Effect) -> None:
        """Apply one effect to the person's case or transcript, inside the unit of work."""
        rules = self._rules
        changed: Case | None = None
        if isinstance(effect, OpenCase):
            case = await uow.cases.open_for(pseudonym)
            if case is None:
                conversation = await uow.conversations.get(pseudonym)
                changed = await uow.cases.add(rules.open_case(pseudonym, conversation, effect))
            else:
                changed = rules.raise_case(case, effect)
                await uow.cases.save(changed)
        elif isinstance(effect, ReopenCase):
            changed = await self._reopen(uow, pseudonym, effect.case_id)
        elif isinstance(effect, CloseCase):
            case = await uow.cases.open_for(pseudonym)
            if case is not None:
                changed = rules.close_for_person(case, effect.detail)
                await uow.cases.save(changed)
        elif isinstance(effect, ForgetPerson):
            case = await uow.cases.open_for(pseudonym)
            if case is not None:
                changed = rules.close_for_person(case, "forgotten")
                await uow.cases.save(changed)
            await uow.cases.forget_person(pseudonym)
            await uow.transcript.forget(pseudonym)
        elif isinstance(effect, RelayToWorker) and self._notify_staff:
            case = await uow.cases.open_for(pseudonym)
            if case is not None:
                relay = RelayToCase(case.id, effect.reference, effect.kind, effect.copy)
                await uow.outbox.add(relay)
        elif isinstance(effect, Transcribe):
            entry = entry_for(effect, rules.clock.now())
            if entry is not None:
                await uow.transcript.append(pseudonym, entry)
        if changed is not None:
            await self.case_changed(uow, changed)

    async def case_changed(self, uow: UnitOfWork, case: Case) -> None:
        """Called once per case this handler changed, in the same unit of work: the staff
        side learns of it through the outbox."""
        if self._notify_staff:
            await uow.outbox.add(CaseChanged(case.id))

    async def _reopen(self, uow: UnitOfWork, pseudonym: str, case_id: int) -> Case | None:
        """Only the person's own closed case, still within the window, with nothing else open."""
        case = await uow.cases.get(case_id)
        if case is None or case.pseudonym != pseudonym:
            return None
        if not self._rules.reopens(case):
            return None
        if await uow.cases.open_for(pseudonym) is not None:
            return None
        reopened = self._rules.reopen_for_person(case)
        await uow.cases.save(reopened)
        return reopened
