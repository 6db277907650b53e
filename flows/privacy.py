"""The privacy lifecycle, as the person reads it: ``/mesdonnees`` and ``/oublie``'s traces.

``what_is_kept`` says in a few lines what is kept and until when (the retention the
deployment set); ``PrivacyEffects`` turns ``/oublie`` into the deletion of the messages still
deletable and one line for the workers in place of the person's copied messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flows import followups
from flows.actions import Effect, ForgetPerson, Reply
from flows.catalogue import Catalogue
from flows.domain import Conversation, FlowState, Language
from flows.outbox import CaseNotice, EraseTraces
from flows.ports import UnitOfWork

DATE_FORMAT = {Language.FR: "%d/%m/%Y", Language.EN: "%Y-%m-%d"}


def what_is_kept(t: Catalogue, conv: Conversation, now: datetime, retention: timedelta) -> Reply:
    """``/mesdonnees``: what is kept about the person, and until when."""
    lang = conv.language
    if conv.state is FlowState.NEW:
        return Reply(t.text("privacy.nothing", lang))
    until = (now + retention).strftime(DATE_FORMAT[lang])
    area = t.text("privacy.area", lang) if conv.area else ""
    followup = ""
    due = conv.extra.get(followups.DUE)
    if conv.followup_consent and due:
        when = datetime.fromisoformat(due).astimezone(now.tzinfo).strftime(DATE_FORMAT[lang])
        followup = t.text("privacy.followup_armed", lang, when=when)
    elif conv.followup_consent:
        followup = t.text("privacy.followup_consent", lang)
    text = t.text(
        "privacy.kept",
        lang,
        area=area,
        followup=followup,
        until=until,
        days=retention.days,
    )
    return Reply(text)


class PrivacyEffects:
    """The ``EffectHandler`` that erases the person's traces in the chats on ``/oublie``.

    Runs before the case effects (which take the pseudonym off the cases) and before the
    address book forgets the address, in the turn's transaction.
    """

    def __init__(self, catalogue: Catalogue, staff_language: Language) -> None:
        self._t = catalogue
        self._staff_language = staff_language

    async def __call__(self, uow: UnitOfWork, pseudonym: str, effect: Effect) -> None:
        """On ``ForgetPerson``: the chat's messages go, the workers are told in one line."""
        if not isinstance(effect, ForgetPerson):
            return
        address = await uow.addresses.address_of(pseudonym)
        await uow.outbox.add(EraseTraces(pseudonym, address))
        line = self._t.text("privacy.staff_erased", self._staff_language)
        cases = await uow.cases.earlier_for(pseudonym, limit=20)
        for case in cases:
            await uow.outbox.add(CaseNotice(case.id, line))
