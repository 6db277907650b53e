"""Follow-ups on a fake clock: offered, armed, quiet at night, capped, stopped, answered."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.scheduler import FOLLOWUP_JOB, RETENTION_JOB, Housekeeping, Scheduler
from flows import followups
from flows.actions import CancelFollowUps, Reply, ScheduleFollowUp
from flows.directory import SearchPage
from flows.domain import Conversation, Language, Owner
from flows.engine import Engine
from flows.events import (
    ButtonPressed,
    Inbound,
    LocationShared,
    PersonBlockedBot,
    PersonEvent,
    TextReceived,
    TimerFired,
)
from flows.followup_effects import FollowUpEffects
from flows.followups import FollowUpPolicy, QuietHours, Verdict
from flows.outbox import FollowUpDue
from flows.reading import TextReader
from flows.service import ConversationService, Outcome
from tests.fakes.core import FakeClock, FakeDirectory, MemoryWorld
from tests.unit.test_engine import card

MONTREAL = ZoneInfo("America/Montreal")
P = "f" * 64
NIGHT = QuietHours(time(21, 0), time(9, 0), MONTREAL)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026 in Montréal (the 2nd is a Wednesday)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=MONTREAL)


def conv(**extra: str) -> Conversation:
    return Conversation(
        P, Language.FR, at(1, 9), at(1, 9), followup_consent=True, extra=dict(extra)
    )


# --- the pure policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "quiet"),
    [
        (at(2, 20, 59), False),
        (at(2, 21), True),
        (at(3, 2), True),
        (at(3, 8, 59), True),
        (at(3, 9), False),
        (at(3, 14), False),
    ],
)
def test_quiet_hours_are_the_night_in_the_deployments_zone(when: datetime, quiet: bool) -> None:
    assert NIGHT.contains(when) is quiet


def test_a_time_in_the_quiet_hours_waits_for_the_morning() -> None:
    assert NIGHT.after(at(2, 22)) == at(3, 9)
    assert NIGHT.after(at(3, 3)) == at(3, 9)
    assert NIGHT.after(at(3, 10)) == at(3, 10)
    # The zone counts, not the server's: 03:00 UTC is 22:00 in Montréal.
    assert NIGHT.after(datetime(2026, 12, 3, 3, 0, tzinfo=ZoneInfo("UTC"))) == at(3, 9)


def test_quiet_hours_parse_and_may_be_none() -> None:
    assert QuietHours.parse("22:30-07:00", MONTREAL).start == time(22, 30)
    assert not QuietHours.parse("", MONTREAL).contains(at(3, 3))
    with pytest.raises(ValueError, match="HH:MM"):
        QuietHours.parse("la nuit", MONTREAL)


def test_the_due_time_keeps_a_week_after_the_last_follow_up_and_leaves_the_night() -> None:
    policy = FollowUpPolicy(NIGHT)
    assert policy.due_for(conv(), at(2, 14), timedelta(days=1)) == at(3, 14)
    assert policy.due_for(conv(), at(2, 22), timedelta(days=2)) == at(5, 9)
    recent = conv(**{followups.SENT_AT: at(1, 10).isoformat()})
    assert policy.due_for(recent, at(2, 14), timedelta(days=1)) == at(8, 10)


def test_at_due_sends_waits_or_drops() -> None:
    policy = FollowUpPolicy(NIGHT)
    due = at(3, 14).isoformat()
    armed = conv(**{followups.DUE: due})
    assert policy.at_due(armed, at(3, 14), reference=due, held=False).verdict is Verdict.SEND
    late = policy.at_due(armed, at(3, 23), reference=due, held=False)
    assert (late.verdict, late.at) == (Verdict.LATER, at(4, 9))
    assert policy.at_due(armed, at(3, 14), reference=due, held=True).verdict is Verdict.DROP
    stale = policy.at_due(armed, at(3, 14), reference="2026-12-01T00:00", held=False)
    assert stale.verdict is Verdict.DROP
    withdrawn = replace(armed, followup_consent=False)
    assert policy.at_due(withdrawn, at(3, 14), reference=due, held=False).verdict is Verdict.DROP
    ignored = conv(**{followups.DUE: due, followups.UNANSWERED: "2"})
    assert policy.at_due(ignored, at(3, 14), reference=due, held=False).verdict is Verdict.DROP
    capped = conv(**{followups.DUE: due, followups.SENT_AT: at(1, 14).isoformat()})
    week = policy.at_due(capped, at(3, 14), reference=due, held=False)
    assert (week.verdict, week.at) == (Verdict.LATER, at(8, 14))


@pytest.mark.parametrize(
    "text", ["STOP", "stop", "Arrêt", "ARRET", "arrête !", "désabonner", "Unsubscribe", "/stop"]
)
def test_stop_words(text: str) -> None:
    assert followups.is_stop_word(text)


@pytest.mark.parametrize("text", ["arrête de me parler de bouffe", "stop la drogue", "bus stop"])
def test_a_stop_word_inside_a_sentence_is_not_a_stop(text: str) -> None:
    assert not followups.is_stop_word(text)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("oui ça a marché", "yes"),
        ("Yes it worked", "yes"),
        ("non", "no"),
        ("pas vraiment", "no"),
        ("j'ai faim", None),
    ],
)
def test_typed_answers_to_a_follow_up(text: str, answer: str | None) -> None:
    assert followups.typed_answer(text) == answer


# --- through the engine and the service, with the memory world -------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2, 14))  # Wednesday afternoon


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory(page=SearchPage(cards=(card("Soupe", 300),), total=1, radius_m=2000))


@pytest.fixture
def service(engine: Engine, reader: TextReader, world: MemoryWorld) -> ConversationService:
    return ConversationService(
        engine=engine,
        reader=reader,
        uow_factory=world,
        effect_handlers=(FollowUpEffects(),),
        retry_delay_s=0,
    )


async def send(service: ConversationService, event: PersonEvent) -> Outcome:
    return await service.handle(Inbound(P, event, language_hint="fr", address="42"))


def armed_rows(world: MemoryWorld) -> list[datetime | None]:
    return [q.due for q in world.outbox if isinstance(q.item, FollowUpDue)]


async def fire(service: ConversationService, world: MemoryWorld) -> Outcome:
    rows = [q.item for q in world.outbox if isinstance(q.item, FollowUpDue)]
    assert rows, "a follow-up is armed"
    world.outbox[:] = [q for q in world.outbox if not isinstance(q.item, FollowUpDue)]
    return await send(service, TimerFired("followup", rows[-1].due))


async def results_then_yes(service: ConversationService, delay: str = "2d") -> Outcome:
    await send(service, ButtonPressed("theme:food"))
    shown = await send(service, LocationShared(45.40, -71.89))
    offer = shown.messages[-1]
    assert isinstance(offer, Reply)
    assert "relancer dans 2 jours" in offer.text
    labels = [b.label for row in offer.buttons for b in row]
    assert labels[0].startswith("Oui")
    assert labels[-1].startswith("Non")
    return await send(service, ButtonPressed(f"followup:yes:{delay}"))


def texts(outcome: Outcome) -> str:
    return "\n".join(m.text for m in outcome.messages if isinstance(m, Reply))


async def test_results_offer_a_follow_up_and_yes_arms_it(
    service: ConversationService, world: MemoryWorld
) -> None:
    armed = await results_then_yes(service)
    assert "dans 2 jours" in texts(armed)
    assert armed_rows(world) == [at(4, 14)]
    assert world.conversations[P].followup_consent


async def test_no_arms_nothing_and_the_offer_is_not_repeated_this_week(
    service: ConversationService, world: MemoryWorld
) -> None:
    await send(service, ButtonPressed("theme:food"))
    await send(service, LocationShared(45.40, -71.89))
    declined = await send(service, ButtonPressed("followup:no"))
    assert "ne te relancerai pas" in texts(declined)
    assert armed_rows(world) == []
    again = await send(service, LocationShared(45.40, -71.89))
    assert "relancer" not in texts(again)


async def test_the_follow_up_comes_at_its_time_discreet_and_neutral(
    service: ConversationService, world: MemoryWorld, clock: FakeClock
) -> None:
    await results_then_yes(service)
    clock.current = at(4, 14)
    check_in = await fire(service, world)
    (message,) = check_in.messages
    assert isinstance(message, Reply)
    assert message.discreet, "silent and not forwardable"
    assert message.text == "Salut, c’est Passerelle. Est-ce que ça va ?"
    assert "manger" not in message.text.lower()
    assert armed_rows(world) == [at(11, 14)], "the next one a week later"


async def test_a_follow_up_due_at_night_waits_for_the_morning(
    service: ConversationService, world: MemoryWorld, clock: FakeClock
) -> None:
    await results_then_yes(service, "1d")
    clock.current = at(3, 23)  # the sender woke late
    waited = await fire(service, world)
    assert waited.messages == ()
    assert ScheduleFollowUp(at(4, 9)) in waited.effects
    assert armed_rows(world) == [at(4, 9)]


async def test_two_unanswered_follow_ups_are_the_last(
    service: ConversationService, world: MemoryWorld, clock: FakeClock
) -> None:
    await results_then_yes(service, "1d")
    clock.current = at(3, 14)
    assert (await fire(service, world)).messages
    clock.current = at(10, 14)
    assert (await fire(service, world)).messages
    assert armed_rows(world) == [], "no third one"


async def test_answering_resets_the_count_and_no_offers_the_themes_places_or_a_worker(
    service: ConversationService, world: MemoryWorld, clock: FakeClock
) -> None:
    await results_then_yes(service, "1d")
    clock.current = at(3, 14)
    await fire(service, world)
    answer = await send(service, TextReceived("non"))
    assert "Désolé" in texts(answer)
    payloads = [
        b.payload for m in answer.messages if isinstance(m, Reply) for r in m.buttons for b in r
    ]
    assert "theme:food" in payloads
    assert "human" in payloads
    assert followups.UNANSWERED not in world.conversations[P].extra
    assert armed_rows(world) == [], "answered: no next follow-up"


async def test_yes_it_worked_is_glad_and_shows_the_menu(
    service: ConversationService, world: MemoryWorld, clock: FakeClock
) -> None:
    await results_then_yes(service, "1d")
    clock.current = at(3, 14)
    await fire(service, world)
    answer = await send(service, TextReceived("oui ça a marché"))
    assert "Content" in texts(answer)
    assert any(
        b.payload == "theme:food"
        for m in answer.messages
        if isinstance(m, Reply)
        for r in m.buttons
        for b in r
    )


@pytest.mark.parametrize("word", ["STOP", "arrête", "unsubscribe"])
async def test_a_stop_word_cancels_and_withdraws_consent(
    service: ConversationService, world: MemoryWorld, word: str
) -> None:
    await results_then_yes(service)
    stopped = await send(service, TextReceived(word))
    assert "plus aucun message de suivi" in texts(stopped)
    assert armed_rows(world) == []
    assert not world.conversations[P].followup_consent


async def test_writing_again_later_cancels_but_not_within_the_same_conversation(
    service: ConversationService, world: MemoryWorld, clock: FakeClock
) -> None:
    await results_then_yes(service)
    clock.advance(minutes=5)
    await send(service, TextReceived("merci"))
    assert armed_rows(world) == [at(4, 14)], "the same conversation goes on"
    clock.advance(hours=20)
    came_back = await send(service, TextReceived("salut"))
    assert CancelFollowUps() in came_back.effects
    assert armed_rows(world) == []


async def test_nothing_is_sent_while_a_worker_holds_the_case(
    service: ConversationService, world: MemoryWorld, clock: FakeClock
) -> None:
    await results_then_yes(service)
    world.conversations[P] = replace(world.conversations[P], owner=Owner.WORKER)
    clock.current = at(4, 14)
    held = await fire(service, world)
    assert held.messages == ()
    assert armed_rows(world) == []


async def test_a_block_cancels_the_follow_up(
    service: ConversationService, world: MemoryWorld
) -> None:
    await results_then_yes(service)
    blocked = await send(service, PersonBlockedBot())
    assert CancelFollowUps() in blocked.effects
    assert armed_rows(world) == []
    assert P not in world.addresses, "the encrypted chat id is erased too"


@pytest.mark.parametrize(
    "payload", ["followup:yes:99d", "followup:yes:nan", "followup:", "followup:worked:x"]
)
async def test_a_forged_follow_up_button_gets_the_menu(
    service: ConversationService, world: MemoryWorld, payload: str
) -> None:
    answer = await send(service, ButtonPressed(payload))
    assert "sujet" in texts(answer)
    assert armed_rows(world) == []


# --- the scheduler only wakes the sender, and purges at night ---------------------------------


async def test_housekeeping_wakes_the_sender_every_minute_and_purges_at_night() -> None:
    woken: list[bool] = []

    async def purge() -> str:
        return "nothing"

    scheduler = Scheduler("America/Montreal")
    await scheduler.start()
    try:
        await Housekeeping(
            scheduler, wake_sender=lambda: woken.append(True), purge=purge, purge_at="03:30"
        ).start()
        nightly = scheduler.next_run(RETENTION_JOB)
        assert nightly is not None
        assert (nightly.hour, nightly.minute) == (3, 30)
        assert nightly.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
        assert scheduler.next_run(FOLLOWUP_JOB) is not None
    finally:
        await scheduler.stop()
