"""/mesdonnees in a few lines, and /oublie's traces written in the turn."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flows import followups
from flows.actions import ForgetPerson
from flows.cases import Case, CaseStatus
from flows.catalogue import Catalogue
from flows.domain import CaseReason, Conversation, FlowState, Language, Priority
from flows.outbox import CaseNotice, EraseTraces
from flows.privacy import PrivacyEffects, what_is_kept
from tests.fakes.core import MemoryWorld

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("America/Montreal"))
P = "c" * 64


def test_what_is_kept_says_until_when_and_the_armed_follow_up() -> None:
    t = Catalogue.load()
    conv = Conversation(
        P,
        Language.FR,
        NOW,
        NOW,
        state=FlowState.MENU,
        area="J1H",
        followup_consent=True,
        extra={followups.DUE: datetime(2026, 12, 4, 14, tzinfo=NOW.tzinfo).isoformat()},
    )
    text = what_is_kept(t, conv, NOW, timedelta(days=30)).text
    assert "01/01/2027" in text
    assert "relance prévue le 04/12/2026" in text
    assert "quartier" in text
    assert "jamais ton nom" in text
    english = what_is_kept(t, Conversation(P, Language.EN, NOW, NOW), NOW, timedelta(days=30))
    assert "keep nothing about you but this message" in english.text


async def test_forget_queues_the_erasure_with_the_address_and_one_line_per_case() -> None:
    world = MemoryWorld()
    world.addresses[P] = "4242"
    case = Case(
        id=0,
        pseudonym=P,
        alias="Renard-42",
        priority=Priority.NORMAL,
        reason=CaseReason.ASKED_FOR_HUMAN,
        status=CaseStatus.QUEUED,
        opened_at=NOW,
        queued_at=NOW,
    )
    async with world() as uow:
        stored = await uow.cases.add(case)
        await uow.commit()
    effects = PrivacyEffects(Catalogue.load(), Language.FR)
    async with world() as uow:
        await effects(uow, P, ForgetPerson())
        await uow.commit()
    items = [q.item for q in world.outbox]
    assert items[0] == EraseTraces(P, "4242")
    assert items[1] == CaseNotice(
        stored.id, "🧹 Les messages de cette personne ont été effacés à sa demande."
    )
