"""Keeps the desk's data in step with the person's conversation, in the same transaction.

``CaseEffects`` is one of the ``ConversationService``'s effect handlers: it persists what the
engine decided — a case opened, raised, closed or reopened, a turn kept for the worker's
card, everything erased on ``/oublie`` — inside the conversation's unit of work.
"""

from __future__ import annotations

from flows.actions import CloseCase, Effect, ForgetPerson, OpenCase, ReopenCase
from flows.case_rules import CaseRules, reopens_on_person_message
from flows.handoff import HandoffRules
from flows.ports import UnitOfWork
from flows.transcript import Transcribe, entry_for


class CaseEffects:
    """The ``EffectHandler`` for cases and the transcript."""

    def __init__(self, rules: CaseRules | HandoffRules) -> None:
        # The composition root may still hand over the whole handoff facade.
        self._rules = rules.cases if isinstance(rules, HandoffRules) else rules

    async def __call__(self, uow: UnitOfWork, pseudonym: str, effect: Effect) -> None:
        """Apply one effect to the person's case or transcript, inside the unit of work."""
        rules = self._rules
        match effect:
            case OpenCase():
                case = await uow.cases.open_for(pseudonym)
                if case is None:
                    conversation = await uow.conversations.get(pseudonym)
                    await uow.cases.add(rules.open_case(pseudonym, conversation, effect))
                else:
                    await uow.cases.save(rules.raise_case(case, effect))
            case ReopenCase(case_id=case_id):
                await self._reopen(uow, pseudonym, case_id)
            case CloseCase(detail=detail):
                case = await uow.cases.open_for(pseudonym)
                if case is not None:
                    await uow.cases.save(rules.close_for_person(case, detail))
            case ForgetPerson():
                case = await uow.cases.open_for(pseudonym)
                if case is not None:
                    await uow.cases.save(rules.close_for_person(case, "forgotten"))
                await uow.cases.forget_person(pseudonym)
                await uow.transcript.forget(pseudonym)
            case Transcribe():
                entry = entry_for(effect, rules.clock.now())
                if entry is not None:
                    await uow.transcript.append(pseudonym, entry)

    async def _reopen(self, uow: UnitOfWork, pseudonym: str, case_id: int) -> None:
        """Only the person's own closed case, still within the window, with nothing else open."""
        case = await uow.cases.get(case_id)
        if case is None or case.pseudonym != pseudonym:
            return
        if not reopens_on_person_message(case, self._rules.clock.now()):
            return
        if await uow.cases.open_for(pseudonym) is not None:
            return
        await uow.cases.save(self._rules.reopen_for_person(case))
