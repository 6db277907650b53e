"""The staff desk on an in-memory forum group: the same logic Telegram runs, no Telegram.

The person's side and the workers' side run on the memory world; the staff lane of its
outbox is handed to ``StaffDesk`` in order, as the outbox sender would, and what a worker
would see in ``MemoryStaffChannel`` is asserted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.desk.access import StaffAccess
from bot.desk.desk import StaffDesk
from bot.desk.items import decode as decode_desk
from bot.desk.ledger import MemoryDeskLedger
from bot.desk.memory import MemoryStaffChannel
from bot.desk.workers import StaffInput, StaffInputs
from flows.actions import Reply
from flows.availability import TeamAvailability
from flows.cases import CaseStatus
from flows.catalogue import Catalogue
from flows.events import ButtonPressed, CommandReceived, Inbound, PersonEvent, TextReceived
from flows.handoff import HandoffConfig, HandoffRules
from flows.handoff_service import CaseEffects, HandoffService
from flows.identity import alias_for
from flows.inbox import Receipt
from flows.outbox import STAFF_LANE, ToPerson
from flows.outbox import decode as decode_core
from flows.service import ConversationService
from flows.worker_actions import CONFIRM_WITHIN
from tests.fakes.core import FakeClock, FakeNlu, MemoryWorld
from tests.plugins.core import make_engine, text_reader

P = "d" * 64
ADDRESS = "424242"
JULIE, MARC, STRANGER = 5001, 5002, 5003
CRISIS = "je vais me suicider ce soir"


@dataclass
class Desk:
    world: MemoryWorld
    people: ConversationService
    handoff: HandoffService
    desk: StaffDesk
    inputs: StaffInputs
    channel: MemoryStaffChannel
    ledger: MemoryDeskLedger
    shown: int = 0
    messages: list[int] = field(default_factory=lambda: [100])

    async def say(self, event: PersonEvent, text: str | None = None) -> None:
        reference = str(self.messages[-1] + 1)
        self.messages.append(int(reference))
        if text is not None:
            self.channel.sources[(ADDRESS, reference)] = text
        await self.people.handle(
            Inbound(P, event, language_hint="fr", address=ADDRESS, reference=reference)
        )
        await self.flush()

    async def worker(self, given: StaffInput) -> None:
        entry = len(self.world.inbox) + 1000
        self.world.inbox[entry] = "memory"
        await self.inputs.process(Receipt(entry, "memory"), given)
        assert entry not in self.world.inbox, "every path marks its inbox row done"
        await self.flush()

    async def flush(self) -> None:
        """Hand the staff rows written since the last flush to the desk, in order."""
        rows = [r.item for r in self.world.outbox if r.item.lane == STAFF_LANE]
        for item in rows[self.shown :]:
            decoded = decode_core(item.kind, item.lane, item.payload()) or decode_desk(
                item.kind, item.payload()
            )
            assert decoded is not None
            await self.desk.handle(decoded, self.channel)  # type: ignore[arg-type]
        self.shown = len(rows)

    def to_person(self) -> list[str]:
        return [
            r.item.message.text
            for r in self.world.outbox
            if isinstance(r.item, ToPerson) and isinstance(r.item.message, Reply)
        ]


def build(
    clock: FakeClock, *, forum: bool = True, confirm_within: timedelta = timedelta(0)
) -> Desk:
    catalogue = Catalogue.load()
    zone = ZoneInfo("America/Montreal")
    rules = HandoffRules(
        catalogue=catalogue,
        clock=clock,
        config=HandoffConfig(organisation="Le Relais", zone=zone, confirm_within=confirm_within),
    )
    availability = TeamAvailability(catalogue=catalogue, clock=clock, hours=None, zone=zone)
    world = MemoryWorld()
    engine = make_engine(
        clock,
        world,
        catalogue=catalogue,
        availability=availability,
        hours_label=("9 h à 21 h", "9 am to 9 pm"),
    )
    people = ConversationService(
        engine=engine,
        reader=text_reader(FakeNlu()),
        uow_factory=world,
        effect_handlers=(CaseEffects(rules),),
        retry_delay_s=0,
    )
    handoff = HandoffService(
        rules=rules, uow_factory=world, locks=people.locks, clock=clock, retry_delay_s=0
    )
    ledger = MemoryDeskLedger()
    channel = MemoryStaffChannel(forum=forum)
    members = {JULIE: True, MARC: True}

    async def is_member(user: int) -> bool:
        return members.get(user, False)

    access = StaffAccess(
        is_member=is_member,
        pseudonym=lambda user: f"worker-{user}".ljust(64, "0"),
        handoff=handoff,
        allowlist={JULIE: "Julie", MARC: "Marc"},
    )
    world.workers = {access.pseudonym(JULIE): "Julie", access.pseudonym(MARC): "Marc"}
    desk = StaffDesk(handoff=handoff, ledger=ledger, availability=availability, clock=clock)
    inputs = StaffInputs(
        handoff=handoff, ledger=ledger, access=access, channel=channel, clock=clock
    )
    return Desk(world, people, handoff, desk, inputs, channel, ledger)


@pytest.fixture
def desk(clock: FakeClock) -> Desk:
    return build(clock)


def take_payload(desk: Desk) -> str:
    (card,) = desk.channel.cards()
    return next(p for p in card.payloads if p.startswith("case:take:"))


async def test_a_crisis_opens_a_topic_with_its_card_and_the_persons_words(desk: Desk) -> None:
    await desk.say(CommandReceived("start"))
    await desk.say(TextReceived(CRISIS), text=CRISIS)
    ((topic, title),) = desk.channel.topics.items()
    assert title == f"🔴⏳ {alias_for(P)} #1"
    card, copy = desk.channel.in_topic(topic)
    assert "URGENT" in card.text
    assert card.notify, "urgent rings"
    assert "case:take:1" in card.payloads
    assert copy.copy_of is not None
    assert copy.text == CRISIS, "the person's own message, copied"


async def test_a_take_retitles_the_topic_and_refreshes_the_card_a_second_take_is_refused(
    desk: Desk,
) -> None:
    await desk.say(CommandReceived("start"))
    await desk.say(ButtonPressed("human"))
    payload = take_payload(desk)
    await desk.worker(StaffInput("button", JULIE, data=payload, callback="c1"))
    assert desk.channel.answers[-1] == ("c1", None, False)
    assert "Julie — Le Relais a pris ta demande" in desk.to_person()[-1]
    (title,) = desk.channel.topics.values()
    assert title.startswith("🟢💬")
    (card,) = desk.channel.cards()
    assert card.edits == 1
    assert not any(p.startswith("case:take:") for p in card.payloads)

    before = len(desk.to_person())
    await desk.worker(StaffInput("button", MARC, data=payload, callback="c2"))
    callback, refusal, alert = desk.channel.answers[-1]
    assert (callback, alert) == ("c2", True)
    assert refusal is not None
    assert "Julie" in refusal
    assert len(desk.to_person()) == before, "the person hears nothing of it"


async def test_a_worker_writes_in_the_topic_and_the_person_reads_it_signed(desk: Desk) -> None:
    await desk.say(CommandReceived("start"))
    await desk.say(ButtonPressed("human"))
    await desk.worker(StaffInput("button", JULIE, data=take_payload(desk), callback="c1"))
    (topic,) = desk.channel.topics
    await desk.worker(StaffInput("message", JULIE, text="J’arrive.", message_id=9, topic=topic))
    assert desk.to_person()[-1] == "Julie — Le Relais :\nJ’arrive."
    await desk.worker(StaffInput("command", STRANGER, text="/prendre", message_id=10, topic=topic))
    assert "Réservé à l’équipe" in desk.channel.texts(topic)[-1]


async def test_the_same_change_shown_twice_posts_nothing_twice(desk: Desk) -> None:
    """A crash after a step and before its row was marked sent repeats the row: harmless."""
    await desk.say(CommandReceived("start"))
    await desk.say(ButtonPressed("human"))
    sent = len(desk.channel.messages)
    desk.shown = 0  # every staff row again, as after a crash
    await desk.flush()
    assert len(desk.channel.topics) == 1
    assert len(desk.channel.cards()) == 1
    assert len(desk.channel.messages) == sent


async def test_without_topics_one_card_per_case_and_replies_route(clock: FakeClock) -> None:
    desk = build(clock, forum=False)
    await desk.say(CommandReceived("start"))
    await desk.say(ButtonPressed("human"))
    (card,) = desk.channel.cards()
    assert card.topic is None
    assert "réponds à un message de ce cas" in card.text
    await desk.worker(StaffInput("button", JULIE, data=take_payload(desk), callback="c1"))
    await desk.say(TextReceived("merci"), text="merci")
    copy = next(m for m in desk.channel.messages.values() if m.copy_of)
    assert copy.reply_to == card.id
    await desk.worker(StaffInput("message", JULIE, text="Avec plaisir.", reply_to=copy.id))
    assert desk.to_person()[-1] == "Julie — Le Relais :\nAvec plaisir."


async def test_the_opening_digest_lists_the_waiting_cases_once(desk: Desk) -> None:
    await desk.say(CommandReceived("start"))
    await desk.say(ButtonPressed("human"))
    for _ in range(2):  # two replicas fire the same opening
        await desk.handoff.announce_opening("2026-11-18T09:00:00-05:00")
    await desk.flush()
    digests = [t for t in desk.channel.texts(None) if "Début de permanence" in t]
    assert len(digests) == 1
    assert alias_for(P) in digests[0]
    case = next(iter(desk.world.cases.values()))
    assert case.status is CaseStatus.QUEUED


def payload_on(desk: Desk, prefix: str) -> tuple[int, str]:
    """The newest message showing a button whose data starts with ``prefix``."""
    for message in sorted(desk.channel.messages.values(), key=lambda m: -m.id):
        for payload in message.payloads:
            if payload.startswith(prefix):
                return message.id, payload
    raise AssertionError(f"no {prefix} button shown")


async def test_the_card_lowers_a_priority_and_the_topic_says_so(desk: Desk) -> None:
    await desk.say(CommandReceived("start"))
    await desk.say(TextReceived(CRISIS), text=CRISIS)
    _, lower = payload_on(desk, "case:priority:1:normal")
    await desk.worker(StaffInput("button", MARC, data=lower, callback="c1"))
    (title,) = desk.channel.topics.values()
    assert title.startswith("🟢⏳"), "lowered to normal, still waiting"
    (topic,) = desk.channel.topics
    assert any("Marc a mis la priorité à" in t for t in desk.channel.texts(topic))


async def test_closing_a_just_flagged_case_asks_and_no_changes_nothing(clock: FakeClock) -> None:
    desk = build(clock, confirm_within=CONFIRM_WITHIN)
    await desk.say(CommandReceived("start"))
    await desk.say(TextReceived(CRISIS), text=CRISIS)
    await desk.worker(StaffInput("button", JULIE, data=take_payload(desk), callback="c1"))
    _, close = payload_on(desk, "case:close:")
    await desk.worker(StaffInput("button", JULIE, data=close, callback="c2"))
    assert desk.channel.answers[-1] == ("c2", None, False), "a question, not a refusal"
    _, no = payload_on(desk, "case:cancel:")
    await desk.worker(StaffInput("button", JULIE, data=no, callback="c3"))
    (topic,) = desk.channel.topics
    assert "rien n’a changé" in desk.channel.texts(topic)[-1]
    assert (await desk.handoff.case(1)).status is CaseStatus.TAKEN  # type: ignore[union-attr]
    _, yes = payload_on(desk, "case:confirm:")
    await desk.worker(StaffInput("button", JULIE, data=yes, callback="c4"))
    assert (await desk.handoff.case(1)).status is CaseStatus.CLOSED  # type: ignore[union-attr]
    closing, offer = desk.to_person()[-2:]
    assert "a terminé la conversation" in closing
    assert "relancer" in offer, "a follow-up is offered when the case closes"


async def test_ready_replies_are_offered_and_sent_signed(desk: Desk) -> None:
    await desk.say(CommandReceived("start"))
    await desk.say(ButtonPressed("human"))
    await desk.worker(StaffInput("button", JULIE, data=take_payload(desk), callback="c1"))
    (topic,) = desk.channel.topics
    await desk.worker(StaffInput("command", JULIE, text="/pret", message_id=11, topic=topic))
    assert "Réponses prêtes" in desk.channel.texts(topic)[-1]
    _, hello = payload_on(desk, "case:ready:1:hello")
    await desk.worker(StaffInput("button", JULIE, data=hello, callback="c2"))
    assert desk.to_person()[-1].startswith("Julie — Le Relais :")
    assert "a envoyé une réponse prête" in desk.channel.texts(topic)[-1]


async def test_a_new_case_names_the_earlier_ones_and_where_they_are(desk: Desk) -> None:
    await desk.say(CommandReceived("start"))
    await desk.say(ButtonPressed("human"))
    await desk.worker(StaffInput("button", JULIE, data=take_payload(desk), callback="c1"))
    _, close = payload_on(desk, "case:close:")
    await desk.worker(StaffInput("button", JULIE, data=close, callback="c2"))
    first_topic = next(iter(desk.channel.topics))
    await desk.say(ButtonPressed("human"))
    second_topic = list(desk.channel.topics)[1]
    card = next(m for m in desk.channel.in_topic(second_topic) if "Cas " in m.text)
    assert "Cas précédents : #1" in card.text
    assert f"memory:/topic/{first_topic}" in card.text, "one tap to the earlier notes"
