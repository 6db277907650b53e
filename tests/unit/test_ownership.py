"""One owner at a time: bot → queued → worker → closed (→ bot), decided in flows/handoff.py.

The real engine, rules and services on in-memory fakes of our own ports. What a test asserts
is what a person or a worker would notice: who speaks, what reaches whom, what is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from flows.actions import CancelFollowUps, CloseCase, OpenCase, RelayToWorker, Reply
from flows.availability import TeamAvailability, TeamHours
from flows.cases import BY_PERSON, CaseStatus, Worker, WorkerAction
from flows.catalogue import Catalogue
from flows.domain import CaseReason, Owner, Priority, Theme
from flows.events import (
    ButtonPressed,
    CommandReceived,
    Inbound,
    LocationShared,
    MediaKind,
    MediaReceived,
    PersonBlockedBot,
    PersonEvent,
    TextReceived,
    TimerFired,
)
from flows.handoff import HandoffConfig, HandoffRules
from flows.handoff_service import CaseEffects, HandoffService
from flows.identity import alias_for
from flows.service import ConversationService, Outcome
from flows.transcript import NoteKind, Transcribe
from flows.understanding import CrisisCategory, Intent, Interpretation
from tests.fakes.core import FakeClock, FakeNlu, MemoryWorld
from tests.plugins.core import make_engine, text_reader

P = "b" * 64
ADDRESS = "424242"
JULIE = Worker("w-julie" + "0" * 57, "Julie")
MARC = Worker("w-marc" + "0" * 58, "Marc")
NAMELESS = Worker("w-anon" + "0" * 58, None)
CRISIS_TEXT = "je vais me suicider ce soir"


@dataclass
class Desk:
    """The person's side and the workers' side of one deployment, on one memory world."""

    world: MemoryWorld
    clock: FakeClock
    people: ConversationService
    workers: HandoffService
    rules: HandoffRules

    async def say(self, event: PersonEvent, reference: str | None = "m1") -> Outcome:
        return await self.people.handle(
            Inbound(P, event, language_hint="fr", address=ADDRESS, reference=reference)
        )

    @property
    def case(self):  # type: ignore[no-untyped-def]
        (case,) = [c for c in self.world.cases.values() if c.is_open] or [
            max(self.world.cases.values(), key=lambda c: c.id)
        ]
        return case

    @property
    def owner(self) -> Owner:
        return self.world.conversations[P].owner

    async def act(self, action: WorkerAction, worker: Worker = JULIE, **kw: object):  # type: ignore[no-untyped-def]
        outcome = await self.workers.handle(self.case.id, action, worker, **kw)  # type: ignore[arg-type]
        assert outcome is not None
        return outcome


def build(clock: FakeClock, nlu: FakeNlu, hours: TeamHours | None = None) -> Desk:
    catalogue = Catalogue.load()
    zone = ZoneInfo("America/Montreal")
    rules = HandoffRules(
        catalogue=catalogue,
        clock=clock,
        config=HandoffConfig(organisation="Le Relais", zone=zone),
    )
    availability = TeamAvailability(catalogue=catalogue, clock=clock, hours=hours, zone=zone)
    # The names workers chose (``/prenom``), as the desk would find them.
    world = MemoryWorld(workers={JULIE.pseudonym: "Julie", MARC.pseudonym: "Marc"})
    engine = make_engine(
        clock,
        world,
        catalogue=catalogue,
        availability=availability,
        hours_label=("9 h à 21 h", "9 am to 9 pm"),
    )
    people = ConversationService(
        engine=engine,
        reader=text_reader(nlu),
        uow_factory=world,
        effect_handlers=(CaseEffects(rules),),
        retry_delay_s=0,
    )
    workers = HandoffService(
        rules=rules, uow_factory=world, locks=people.locks, clock=clock, retry_delay_s=0
    )
    return Desk(world, clock, people, workers, rules)


@pytest.fixture
def desk(clock: FakeClock, nlu: FakeNlu) -> Desk:
    return build(clock, nlu)


def texts(outcome: Outcome) -> list[str]:
    return [m.text for m in outcome.messages if isinstance(m, Reply)]


def payloads(outcome: Outcome) -> list[str]:
    return [
        b.payload
        for m in outcome.messages
        if isinstance(m, Reply)
        for row in m.buttons
        for b in row
    ]


def relays(outcome: Outcome) -> list[RelayToWorker]:
    return [e for e in outcome.effects if isinstance(e, RelayToWorker)]


async def held_by_julie(desk: Desk) -> None:
    await desk.say(ButtonPressed("human"))
    taken = await desk.act(WorkerAction.TAKE)
    assert taken.decision.accepted


# --- the triggers ----------------------------------------------------------------------------


async def test_asking_for_a_human_queues_a_normal_case_and_says_so(desk: Desk) -> None:
    await desk.say(CommandReceived("start"))  # the person pressed Start
    outcome = await desk.say(ButtonPressed("human"))
    assert "un·e intervenant·e va te répondre" in texts(outcome)[0]
    assert "handoff:cancel" in payloads(outcome), "the person can change their mind"
    assert desk.owner is Owner.QUEUED
    case = desk.case
    assert (case.priority, case.reason, case.status) == (
        Priority.NORMAL,
        CaseReason.ASKED_FOR_HUMAN,
        CaseStatus.QUEUED,
    )
    assert case.alias == alias_for(P)
    assert case.context == {"language": "fr"}


async def test_asking_in_words_opens_the_case_and_passes_the_words_on(
    desk: Desk, nlu: FakeNlu
) -> None:
    nlu.answers["je veux parler à quelqu'un"] = Interpretation(Intent.ASK_HUMAN, 0.95)
    outcome = await desk.say(TextReceived("je veux parler à quelqu'un"), reference="m7")
    assert desk.case.reason is CaseReason.ASKED_FOR_HUMAN
    assert relays(outcome) == [RelayToWorker("je veux parler à quelqu'un", reference="m7")]


async def test_after_two_misunderstandings_the_offer_opens_a_not_understood_case(
    desk: Desk,
) -> None:
    await desk.say(TextReceived("blabla"))
    offer = await desk.say(TextReceived("gnagna"))
    assert "human" in payloads(offer)
    assert desk.owner is Owner.BOT, "offered, not forced"
    await desk.say(ButtonPressed("human"))
    assert desk.case.reason is CaseReason.NOT_UNDERSTOOD


async def test_a_crisis_opens_an_urgent_case_with_the_flagged_message_for_the_worker(
    desk: Desk,
) -> None:
    outcome = await desk.say(TextReceived(CRISIS_TEXT), reference="m9")
    assert "911" in "\n".join(texts(outcome))
    assert (desk.case.priority, desk.case.reason) == (Priority.URGENT, CaseReason.CRISIS)
    assert relays(outcome) == [RelayToWorker(CRISIS_TEXT, reference="m9")]
    assert desk.owner is Owner.QUEUED


# --- while the case waits --------------------------------------------------------------------


async def test_while_queued_text_reaches_the_team_and_the_person_is_never_met_with_silence(
    desk: Desk,
) -> None:
    await desk.say(ButtonPressed("human"))
    first = await desk.say(TextReceived("allo? y a quelqu’un?"), reference="m2")
    second = await desk.say(TextReceived("tu es là?"), reference="m3")
    assert relays(first) == [RelayToWorker("allo? y a quelqu’un?", reference="m2")]
    assert relays(second) == [RelayToWorker("tu es là?", reference="m3")]
    assert "notée" in texts(first)[0]
    assert "prochaine personne" in texts(first)[0], "an honest wait: nobody is ahead"
    assert texts(first) != texts(second), "not the same sentence twice in a row"
    assert {"handoff:cancel", "emergency"} <= set(payloads(second))
    assert desk.owner is Owner.QUEUED
    assert desk.case.status is CaseStatus.QUEUED


async def test_after_a_crisis_refusing_to_call_is_heard_and_the_lines_stay_in_reach(
    desk: Desk,
) -> None:
    await desk.say(TextReceived(CRISIS_TEXT))
    outcome = await desk.say(TextReceived("je veux pas appeler personne"), reference="m4")
    said = "\n".join(texts(outcome))
    assert "pas à appeler" in texts(outcome)[0], "writing here is enough"
    assert "535353" in said, "the text line is still there for someone who will not call"
    assert relays(outcome) == [RelayToWorker("je veux pas appeler personne", reference="m4")]
    assert desk.owner is Owner.QUEUED


async def test_while_queued_the_wait_counts_the_people_ahead(desk: Desk) -> None:
    await desk.say(CommandReceived("start"))  # the person pressed Start
    for other in ("c" * 64, "d" * 64):
        await desk.people.handle(Inbound(other, ButtonPressed("human"), address="1"))
    outcome = await desk.say(ButtonPressed("human"))
    assert "2 personnes avant toi" in texts(outcome)[0]


async def test_while_queued_out_of_hours_the_wait_says_when_the_team_is_back(
    clock: FakeClock, nlu: FakeNlu
) -> None:
    night = TeamHours("Mo-Fr 09:00-21:00", ZoneInfo("America/Montreal"))
    desk = build(clock, nlu, hours=night)
    clock.advance(hours=9)  # Tuesday 23:00
    await desk.say(ButtonPressed("human"))
    outcome = await desk.say(TextReceived("allo?"))
    assert "demain à 9 h" in texts(outcome)[0]


@pytest.mark.parametrize(
    ("event", "answer"),
    [
        (ButtonPressed("theme:food"), "où es-tu"),
        (CommandReceived("menu"), "Choisis un sujet"),
        (CommandReceived("urgence"), "911"),
    ],
)
async def test_while_queued_the_bots_help_stays_usable_and_the_case_stays_queued(
    desk: Desk, event: PersonEvent, answer: str
) -> None:
    await desk.say(ButtonPressed("human"))
    outcome = await desk.say(event)
    assert answer in "\n".join(texts(outcome))
    assert "reste notée" in texts(outcome)[-1]
    assert desk.owner is Owner.QUEUED
    assert len(desk.world.cases) == 1, "no second case"


async def test_asking_again_while_queued_opens_no_second_case(desk: Desk) -> None:
    await desk.say(ButtonPressed("human"))
    outcome = await desk.say(ButtonPressed("human"))
    assert "déjà sur la liste" in texts(outcome)[0]
    assert len(desk.world.cases) == 1


async def test_a_crisis_while_queued_gets_the_lines_and_raises_the_case(desk: Desk) -> None:
    await desk.say(ButtonPressed("human"))
    outcome = await desk.say(TextReceived(CRISIS_TEXT))
    assert "911" in "\n".join(texts(outcome)), "nobody answers yet: the lines come at once"
    case = desk.case
    assert case.priority is Priority.URGENT
    assert case.crisis_flags == 1
    assert case.history[-1].detail == "raised:urgent"


async def test_a_case_is_never_lowered(desk: Desk) -> None:
    await desk.say(TextReceived(CRISIS_TEXT))
    await desk.say(TextReceived("ok"))
    assert desk.case.priority is Priority.URGENT


async def test_the_person_can_cancel_a_waiting_request(desk: Desk) -> None:
    await desk.say(ButtonPressed("human"))
    outcome = await desk.say(ButtonPressed("handoff:cancel"))
    assert "annulé ta demande" in texts(outcome)[0]
    assert CloseCase("cancelled") in outcome.effects
    assert desk.owner is Owner.BOT
    case = desk.case
    assert case.status is CaseStatus.CLOSED
    assert (case.history[-1].by, case.history[-1].detail) == (BY_PERSON, "cancelled")


# --- while a worker holds it: the bot sends nothing but what the worker writes ---------------


@pytest.mark.parametrize(
    "event",
    [
        TextReceived("merci, je suis au parc"),
        ButtonPressed("theme:food"),
        ButtonPressed("human"),
        ButtonPressed("menu"),
        CommandReceived("start"),
        CommandReceived("menu"),
        MediaReceived(MediaKind.STICKER),
        LocationShared(45.4, -71.9),
        TimerFired("followup", "f1"),
    ],
)
async def test_with_a_worker_holding_it_the_bot_says_nothing(
    desk: Desk, event: PersonEvent
) -> None:
    await held_by_julie(desk)
    outcome = await desk.say(event)
    assert outcome.messages == (), "only the worker speaks to the person"
    assert desk.owner is Owner.WORKER


async def test_a_follow_up_timer_never_fires_while_a_human_holds_it(desk: Desk) -> None:
    await held_by_julie(desk)
    outcome = await desk.say(TimerFired("followup", "f1"))
    assert outcome.messages == ()
    assert outcome.effects == ()


async def test_what_the_person_sends_reaches_the_worker_as_a_copy_or_is_withheld(
    desk: Desk,
) -> None:
    await held_by_julie(desk)
    sticker = await desk.say(MediaReceived(MediaKind.VOICE), reference="m3")
    assert relays(sticker) == [RelayToWorker("", reference="m3", kind="voice", copy=True)]
    contact = await desk.say(MediaReceived(MediaKind.CONTACT), reference="m4")
    assert relays(contact) == [RelayToWorker("", kind="contact", copy=False)]
    place = await desk.say(LocationShared(45.4, -71.9), reference="m5")
    assert relays(place) == [RelayToWorker("", kind="location", copy=False)]


async def test_a_crisis_while_a_worker_holds_it_raises_the_case_silently(desk: Desk) -> None:
    await held_by_julie(desk)
    outcome = await desk.say(TextReceived(CRISIS_TEXT))
    assert outcome.messages == (), "the worker is talking with them: the bot does not cut in"
    (opened,) = [e for e in outcome.effects if isinstance(e, OpenCase)]
    assert (opened.priority, opened.reason) == (Priority.URGENT, CaseReason.CRISIS)
    assert opened.category is CrisisCategory.SUICIDE, "the card says what kind of crisis"
    assert relays(outcome)[0].text == CRISIS_TEXT
    assert desk.case.priority is Priority.URGENT
    assert desk.case.status is CaseStatus.TAKEN, "still Julie's"


async def test_emergency_numbers_are_never_withheld(desk: Desk) -> None:
    await held_by_julie(desk)
    outcome = await desk.say(CommandReceived("urgence"))
    assert "911" in texts(outcome)[0]


async def test_erasure_is_never_withheld_and_closes_the_case(desk: Desk) -> None:
    await held_by_julie(desk)
    ask = await desk.say(CommandReceived("oublie"))
    assert "forget:yes" in payloads(ask)
    await desk.say(ButtonPressed("forget:yes"))
    assert P not in desk.world.conversations
    (case,) = desk.world.cases.values()
    assert case.status is CaseStatus.CLOSED
    assert case.pseudonym is None, "the pseudonym is erased from the case"
    assert case.history[-1].detail == "forgotten"


async def test_blocking_the_bot_closes_the_case_and_stops_follow_ups(desk: Desk) -> None:
    await held_by_julie(desk)
    outcome = await desk.people.handle(Inbound(P, PersonBlockedBot()))
    assert CancelFollowUps() in outcome.effects
    assert CloseCase("blocked") in outcome.effects
    assert desk.owner is Owner.BOT
    assert desk.case.status is CaseStatus.CLOSED


# --- worker actions --------------------------------------------------------------------------


async def test_taking_a_case_tells_the_person_who_answers_and_is_audited(desk: Desk) -> None:
    await desk.say(ButtonPressed("human"))
    outcome = await desk.act(WorkerAction.TAKE)
    (framing,) = outcome.decision.to_person
    assert framing.text == "Julie — Le Relais a pris ta demande et te répond ici."
    assert outcome.address == ADDRESS
    assert outcome.decision.to_staff == ("✋ Julie a pris le cas.",)
    assert desk.owner is Owner.WORKER
    assert (desk.case.status, desk.case.owner) == (CaseStatus.TAKEN, JULIE.pseudonym)
    assert [(a.worker, a.action) for a in desk.world.audit] == [(JULIE.pseudonym, "take")]


async def test_a_worker_reply_reaches_the_person_signed_with_first_name_and_organisation(
    desk: Desk,
) -> None:
    await held_by_julie(desk)
    outcome = await desk.act(WorkerAction.REPLY, text="Salut, je suis là. Tu es où ?")
    (message,) = outcome.decision.to_person
    assert message.text == "Julie — Le Relais :\nSalut, je suis là. Tu es où ?"
    assert desk.world.audit[-1].action is WorkerAction.REPLY


async def test_a_worker_without_a_first_name_signs_neutrally(desk: Desk) -> None:
    await desk.say(ButtonPressed("human"))
    await desk.act(WorkerAction.TAKE, NAMELESS)
    outcome = await desk.act(WorkerAction.REPLY, NAMELESS, text="Bonjour")
    assert outcome.decision.to_person[0].text.startswith("Un·e intervenant·e — Le Relais :")


async def test_nobody_writes_to_the_person_before_taking_the_case(desk: Desk) -> None:
    await desk.say(ButtonPressed("human"))
    outcome = await desk.act(WorkerAction.REPLY, text="coucou")
    assert not outcome.decision.accepted
    assert outcome.decision.to_person == ()
    assert "personne n’a pris ce cas" in outcome.decision.to_staff[0]
    assert desk.world.audit == []


async def test_one_owner_at_a_time_a_second_worker_cannot_reply_or_close(desk: Desk) -> None:
    await held_by_julie(desk)
    reply = await desk.act(WorkerAction.REPLY, MARC, text="moi aussi")
    assert not reply.decision.accepted
    assert reply.decision.to_person == ()
    assert "Julie a ce cas" in reply.decision.to_staff[0]
    close = await desk.act(WorkerAction.CLOSE, MARC)
    assert not close.decision.accepted
    button = await desk.act(WorkerAction.TAKE, MARC)
    assert not button.decision.accepted, "a button press never steals a case"
    assert desk.case.owner == JULIE.pseudonym


async def test_a_typed_take_over_hands_the_case_to_the_second_worker(desk: Desk) -> None:
    await held_by_julie(desk)
    outcome = await desk.act(WorkerAction.TAKE, MARC, takeover=True)
    assert (
        outcome.decision.to_person[0].text == "Marc — Le Relais prend le relais et te répond ici."
    )
    assert outcome.decision.to_staff == ("✋ Marc prend le relais de Julie.",)
    assert desk.case.owner == MARC.pseudonym
    assert desk.case.history[-1].detail == "taken_over"


async def test_a_note_is_kept_for_the_team_and_never_reaches_the_person(desk: Desk) -> None:
    await held_by_julie(desk)
    outcome = await desk.act(WorkerAction.NOTE, MARC)
    assert outcome.decision.to_person == ()
    assert outcome.address is None
    assert "jamais envoyée" in outcome.decision.to_staff[0]
    assert desk.world.audit[-1].action is WorkerAction.NOTE
    assert desk.case.owner == JULIE.pseudonym, "a note changes nothing"


async def test_closing_hands_the_conversation_back_and_the_bot_answers_again(desk: Desk) -> None:
    await held_by_julie(desk)
    outcome = await desk.act(WorkerAction.CLOSE)
    assert "a terminé la conversation" in outcome.decision.to_person[0].text
    assert desk.case.status is CaseStatus.CLOSED
    assert desk.owner is Owner.CLOSED
    again = await desk.say(CommandReceived("menu"))
    assert again.messages, "the bot speaks again"
    assert "theme:food" in payloads(again)
    await desk.say(ButtonPressed("human"))
    assert len(desk.world.cases) == 2, "a new request is a new case"


async def test_giving_back_returns_the_conversation_to_the_bot(desk: Desk) -> None:
    await held_by_julie(desk)
    outcome = await desk.act(WorkerAction.GIVE_BACK)
    assert "te repasse au bot" in outcome.decision.to_person[0].text
    assert desk.owner is Owner.BOT
    assert desk.case.history[-1].detail == "given_back"
    assert desk.world.audit[-1].action is WorkerAction.GIVE_BACK


async def test_a_worker_reopens_a_known_case_and_holds_it_again(desk: Desk) -> None:
    await held_by_julie(desk)
    await desk.act(WorkerAction.CLOSE)
    outcome = await desk.act(WorkerAction.REOPEN, MARC)
    assert outcome.decision.to_person[0].text == "Marc — Le Relais reprend contact avec toi ici."
    assert (desk.case.status, desk.case.owner) == (CaseStatus.TAKEN, MARC.pseudonym)
    assert desk.owner is Owner.WORKER
    silent = await desk.say(TextReceived("ah bon"))
    assert silent.messages == ()


async def test_a_case_cannot_be_reopened_once_the_person_is_gone(desk: Desk) -> None:
    await held_by_julie(desk)
    await desk.act(WorkerAction.CLOSE)
    await desk.people.handle(Inbound(P, PersonBlockedBot()))
    outcome = await desk.act(WorkerAction.REOPEN)
    assert not outcome.decision.accepted
    assert "on ne peut plus la joindre" in outcome.decision.to_staff[0]


async def test_a_case_cannot_be_reopened_while_another_is_open(desk: Desk) -> None:
    await held_by_julie(desk)
    await desk.act(WorkerAction.CLOSE)
    first = desk.case.id
    await desk.say(ButtonPressed("human"))
    outcome = await desk.workers.handle(first, WorkerAction.REOPEN, JULIE)
    assert outcome is not None
    assert not outcome.decision.accepted
    assert "#2" in outcome.decision.to_staff[0]


async def test_a_closed_case_relays_nothing(desk: Desk) -> None:
    await held_by_julie(desk)
    await desk.act(WorkerAction.CLOSE)
    outcome = await desk.act(WorkerAction.REPLY, text="encore un mot")
    assert not outcome.decision.accepted
    assert outcome.decision.to_person == ()


async def test_reads_are_audited_and_the_audit_only_grows(desk: Desk) -> None:
    await held_by_julie(desk)
    await desk.act(WorkerAction.REPLY, text="un")
    await desk.workers.read(MARC, [desk.case])
    await desk.act(WorkerAction.CLOSE)
    trail = await desk.workers.trail(desk.case.id)
    assert [(a.worker[:6], a.action) for a in trail] == [
        ("w-juli", WorkerAction.TAKE),
        ("w-juli", WorkerAction.REPLY),
        ("w-marc", WorkerAction.READ),
        ("w-juli", WorkerAction.CLOSE),
    ]
    assert all(a.case_alias == alias_for(P) for a in trail)


async def test_worker_names_come_from_their_choice_then_the_configured_list(
    desk: Desk, clock: FakeClock
) -> None:
    service = HandoffService(
        rules=desk.rules,
        uow_factory=desk.world,
        locks=desk.people.locks,
        clock=clock,
        configured_names={MARC.pseudonym: "Marc"},
    )
    assert await service.worker_name(MARC.pseudonym) == "Marc"
    await service.set_worker_name(MARC.pseudonym, "Marco")
    assert await service.worker_name(MARC.pseudonym) == "Marco"
    await service.set_worker_name(MARC.pseudonym, None)
    assert await service.worker_name(MARC.pseudonym) == "Marc"


# --- availability, honestly ------------------------------------------------------------------


async def test_out_of_hours_the_person_hears_when_a_human_is_back_and_gets_the_lines(
    clock: FakeClock, nlu: FakeNlu
) -> None:
    hours = TeamHours("Mo-Fr 09:00-21:00", ZoneInfo("America/Montreal"))
    desk = build(clock, nlu, hours)
    await desk.say(CommandReceived("start"))  # the person pressed Start
    clock.advance(hours=9)  # Tuesday 23:00
    outcome = await desk.say(ButtonPressed("human"))
    text = texts(outcome)[0]
    assert "te répondra demain à 9 h" in text
    assert "911" in text, "the 24/7 lines come with it"
    assert desk.case.status is CaseStatus.QUEUED, "the case waits"
    later = await desk.say(CommandReceived("menu"))
    assert "demain à 9 h" in texts(later)[-1], "the menu, then where the request stands"


async def test_out_of_hours_a_crisis_also_says_when_the_team_will_read(
    clock: FakeClock, nlu: FakeNlu
) -> None:
    hours = TeamHours("Mo-Fr 09:00-21:00", ZoneInfo("America/Montreal"))
    desk = build(clock, nlu, hours)
    clock.advance(days=4)  # Saturday 14:00
    outcome = await desk.say(TextReceived(CRISIS_TEXT))
    joined = "\n".join(texts(outcome))
    assert "911" in joined
    assert "elle lira ton message lundi à 9 h" in joined
    assert desk.case.priority is Priority.URGENT


# --- after a close: the person's next words reach the team --------------------------------------


async def test_a_message_soon_after_a_close_reopens_the_case_for_the_team(desk: Desk) -> None:
    await held_by_julie(desk)
    await desk.act(WorkerAction.CLOSE)
    desk.clock.advance(minutes=2)
    outcome = await desk.say(TextReceived("attends, t’es parti ?"), reference="m7")
    assert relays(outcome) == [RelayToWorker("attends, t’es parti ?", reference="m7")]
    assert desk.case.status is CaseStatus.QUEUED, "back in the queue, in its own topic"
    assert len(desk.world.cases) == 1, "the same case, not a new one"
    assert "transmets ton message" in texts(outcome)[-1]
    assert desk.owner is Owner.QUEUED


async def test_a_message_a_day_and_more_after_a_close_is_the_bots_again(desk: Desk) -> None:
    await held_by_julie(desk)
    await desk.act(WorkerAction.CLOSE)
    desk.clock.advance(hours=25)
    outcome = await desk.say(TextReceived("salut"))
    assert not relays(outcome)
    assert desk.case.status is CaseStatus.CLOSED
    assert desk.owner is not Owner.QUEUED


async def test_asking_for_a_human_says_the_worker_will_see_the_recent_messages(
    desk: Desk,
) -> None:
    await desk.say(CommandReceived("start"))
    outcome = await desk.say(ButtonPressed("human"))
    assert "verra tes derniers messages" in texts(outcome)[0]


async def test_what_the_bot_did_is_kept_for_the_card_with_the_persons_words(
    desk: Desk, nlu: FakeNlu
) -> None:
    await desk.say(CommandReceived("start"))
    nlu.answers["j’ai faim"] = Interpretation(Intent.NEED, 0.9, theme=Theme.FOOD)
    outcome = await desk.say(TextReceived("j’ai faim"))
    (kept,) = [e for e in outcome.effects if isinstance(e, Transcribe)]
    assert kept.person_text == "j’ai faim"
    assert [(n.kind, n.detail) for n in kept.notes] == [(NoteKind.THEME, "food")]
