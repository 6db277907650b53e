"""The conversation core with fake ports: what the person sees, what is kept, what is opened."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from flows.actions import CancelFollowUps, ForgetPerson, OpenCase, Reply, ShowPlace
from flows.directory import Place, ResourceCard, SearchPage
from flows.domain import CaseReason, FlowState, Language, Owner, Priority, Theme
from flows.engine import Engine
from flows.events import (
    ButtonPressed,
    CommandReceived,
    Inbound,
    LocationShared,
    MediaKind,
    MediaReceived,
    PersonEvent,
    TextReceived,
)
from flows.ports import StorageBusy
from flows.reading import TextReader
from flows.service import ConversationService, Outcome, StorageUnavailableError
from flows.understanding import Entity, Intent, Interpretation, NluUnavailable
from tests.fakes.core import FakeDirectory, FakeNlu, MemoryWorld
from tests.plugins.core import text_reader

P = "a" * 64
SHERBROOKE = Place(45.40, -71.89, "J1H")


async def say(service: ConversationService, event: PersonEvent, hint: str | None = "fr") -> Outcome:
    return await service.handle(Inbound(P, event, language_hint=hint, address="12345"))


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


def card(name: str, distance: int) -> ResourceCard:
    return ResourceCard(
        service_id=name,
        name=name,
        organization="Org",
        themes=(Theme.FOOD,),
        distance_m=distance,
        open_now=True,
        next_change=None,
        always_open=False,
        address="1 rue King",
        latitude=45.4,
        longitude=-71.9,
        phone="819 555-0000",
        conditions=None,
        what_to_bring=None,
        free=True,
        walk_in=True,
        verified_on=None,
    )


async def test_start_welcomes_with_anonymity_emergency_and_who_reads(
    service: ConversationService,
) -> None:
    outcome = await say(service, CommandReceived("start", "parc-jc"))
    welcome = texts(outcome)[0]
    assert "anonyme" in welcome
    assert "pas un service d’urgence" in welcome
    assert "911" in welcome
    assert "Équipe test" in welcome
    assert "9 h à 21 h" in welcome
    menu = payloads(outcome)
    assert [p for p in menu if p.startswith("theme:")] == [f"theme:{t}" for t in Theme]
    assert "human" in menu
    assert "emergency" in menu


async def test_the_source_code_is_kept_and_a_bad_payload_is_dropped(
    service: ConversationService, world: MemoryWorld
) -> None:
    await say(service, CommandReceived("start", "parc-jc"))
    assert world.conversations[P].source == "parc-jc"
    await service.handle(Inbound("b" * 64, CommandReceived("start", "<script>alert(1)</script>")))
    assert world.conversations["b" * 64].source is None


async def test_language_follows_telegram_and_can_be_switched(
    service: ConversationService, world: MemoryWorld
) -> None:
    outcome = await say(service, CommandReceived("start"), hint="en-CA")
    assert "anonymous" in texts(outcome)[0]
    outcome = await say(service, CommandReceived("langue", "fr"))
    assert texts(outcome)[0] == "D’accord, on continue en français."
    assert world.conversations[P].language is Language.FR
    outcome = await say(service, CommandReceived("language"))
    assert payloads(outcome) == ["lang:fr", "lang:en"]
    await say(service, ButtonPressed("lang:en"))
    assert world.conversations[P].language is Language.EN


async def test_theme_button_asks_where_then_a_known_place_searches(
    service: ConversationService, directory: FakeDirectory, world: MemoryWorld
) -> None:
    directory.places["j1h"] = SHERBROOKE
    directory.page = SearchPage(cards=(card("Soupe populaire", 350),), total=1, radius_m=5000)
    await say(service, CommandReceived("start"))
    ask = await say(service, ButtonPressed("theme:food"))
    reply = ask.messages[0]
    assert isinstance(reply, Reply)
    assert "Manger" in reply.text
    assert reply.location_button == "📍 Envoyer ma position"
    results = await say(service, TextReceived("J1H"))
    assert directory.queries[-1].theme is Theme.FOOD
    assert directory.queries[-1].place == SHERBROOKE
    assert any("Soupe populaire" in t for t in texts(results))
    assert world.conversations[P].area == "J1H"
    assert world.conversations[P].state is FlowState.RESULTS


async def test_an_unknown_place_gets_a_kind_question_again(
    service: ConversationService, nlu: FakeNlu
) -> None:
    nlu.default = Interpretation(Intent.OUT_OF_SCOPE, 0.9)
    await say(service, ButtonPressed("theme:shelter"))
    outcome = await say(service, TextReceived("chez nous là-bas"))
    reply = outcome.messages[0]
    assert isinstance(reply, Reply)
    assert "Je ne trouve pas ce lieu" in reply.text
    assert "J1H" in reply.text
    assert reply.location_button


async def test_a_shared_location_is_rounded_used_once_and_not_kept(
    service: ConversationService, directory: FakeDirectory, world: MemoryWorld
) -> None:
    await say(service, ButtonPressed("theme:hygiene"))
    await say(service, LocationShared(45.403456789, -71.892345678))
    place = directory.queries[-1].place
    assert (place.latitude, place.longitude) == (45.403, -71.892)
    stored = repr(world.conversations[P])
    assert "45.40" not in stored
    assert "71.89" not in stored


async def test_see_more_pages_on_without_a_stored_location(
    service: ConversationService, directory: FakeDirectory
) -> None:
    directory.page = SearchPage(
        cards=(card("A", 100), card("B", 200), card("C", 300)), total=7, radius_m=5000
    )
    await say(service, ButtonPressed("theme:food"))
    first = await say(service, LocationShared(45.4, -71.89))
    more = [p for p in payloads(first) if p.startswith("more:")]
    assert more == ["more:food:45.400:-71.890:5"]
    await say(service, ButtonPressed(more[0]))
    assert directory.queries[-1].offset == 5
    assert directory.queries[-1].place == Place(45.4, -71.89)


async def test_need_with_a_postal_code_searches_at_once(
    service: ConversationService, nlu: FakeNlu, directory: FakeDirectory
) -> None:
    directory.places["j1h"] = SHERBROOKE
    nlu.answers["y reste tu des lits proche de J1H"] = Interpretation(
        Intent.NEED, 0.9, theme=Theme.SHELTER, entities=(Entity("postal_code", "J1H"),)
    )
    await say(service, TextReceived("y reste tu des lits proche de J1H"))
    assert directory.queries[-1].theme is Theme.SHELTER


async def test_rasa_down_still_gives_buttons_and_a_clear_sentence(
    service: ConversationService, nlu: FakeNlu
) -> None:
    await say(service, CommandReceived("start"))  # the person pressed Start
    nlu.default = NluUnavailable("connection refused")
    outcome = await say(service, TextReceived("allo"))
    assert "Les boutons marchent toujours" in texts(outcome)[0]
    assert "theme:food" in payloads(outcome)


async def test_not_understood_twice_offers_a_worker_without_forcing_one(
    service: ConversationService, world: MemoryWorld
) -> None:
    await say(service, CommandReceived("start"))  # the person pressed Start
    first = await say(service, TextReceived("blablabla"))
    assert "pas bien compris" in texts(first)[0]
    second = await say(service, TextReceived("gnagnagna"))
    assert "Veux-tu qu’un·e intervenant·e" in texts(second)[0]
    assert "human" in payloads(second)
    assert not [e for e in second.effects if isinstance(e, OpenCase)], "offered, never forced"
    assert world.conversations[P].owner is Owner.BOT


async def test_asking_for_a_human_opens_a_normal_case(
    service: ConversationService, world: MemoryWorld
) -> None:
    outcome = await say(service, ButtonPressed("human"))
    assert OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN) in outcome.effects
    assert world.conversations[P].owner is Owner.QUEUED


@pytest.mark.parametrize(
    "text",
    ["je veux mourir", "I want to kill myself", "il respire plus il a fait une overdose"],
)
async def test_a_crisis_gets_lines_at_once_and_an_urgent_case(
    service: ConversationService, nlu: FakeNlu, text: str
) -> None:
    outcome = await say(service, TextReceived(text))
    joined = "\n".join(texts(outcome))
    assert "911" in joined
    assert any(isinstance(e, OpenCase) and e.priority is Priority.URGENT for e in outcome.effects)
    assert nlu.seen == [], "the crisis screen answers before (and without) the NLU"


async def test_a_crisis_hidden_at_the_end_of_a_very_long_message_is_still_caught(
    service: ConversationService,
) -> None:
    outcome = await say(service, TextReceived("bla " * 2_500 + "je vais me suicider ce soir"))
    assert any(isinstance(e, OpenCase) for e in outcome.effects)


async def test_a_very_long_message_is_answered_and_the_person_told(
    service: ConversationService, nlu: FakeNlu
) -> None:
    await say(service, CommandReceived("start"))  # the person pressed Start
    outcome = await say(service, TextReceived("x" * 10_000))
    assert "très long" in texts(outcome)[0]
    assert len(nlu.seen[0]) == 1_000


async def test_emergency_reaches_the_lines_from_anywhere(service: ConversationService) -> None:
    await say(service, ButtonPressed("theme:food"))
    outcome = await say(service, ButtonPressed("emergency"))
    assert "911" in texts(outcome)[0]
    command = await say(service, CommandReceived("urgence"))
    assert "911" in texts(command)[0]


async def test_forget_me_asks_then_erases_everything(
    service: ConversationService, world: MemoryWorld
) -> None:
    await say(service, CommandReceived("start"))
    assert P in world.addresses
    ask = await say(service, CommandReceived("oublie"))
    assert payloads(ask) == ["forget:yes", "forget:no"]
    done = await say(service, ButtonPressed("forget:yes"))
    assert "C’est effacé" in texts(done)[0]
    assert P not in world.conversations
    assert P not in world.addresses


async def test_forget_me_can_be_cancelled(service: ConversationService, world: MemoryWorld) -> None:
    await say(service, CommandReceived("oublie"))
    await say(service, ButtonPressed("forget:no"))
    assert P in world.conversations


async def test_stop_ends_follow_ups(service: ConversationService) -> None:
    await say(service, CommandReceived("start"))  # the person pressed Start
    outcome = await say(service, CommandReceived("stop"))
    assert CancelFollowUps() in outcome.effects
    assert "plus aucun message de suivi" in texts(outcome)[0]


@pytest.mark.parametrize("kind", list(MediaKind))
async def test_media_gets_a_kind_answer(service: ConversationService, kind: MediaKind) -> None:
    await say(service, CommandReceived("start"))  # the person pressed Start
    outcome = await say(service, MediaReceived(kind))
    assert "Je lis seulement le texte" in texts(outcome)[0]


async def test_unknown_command_says_so_and_shows_what_works(service: ConversationService) -> None:
    await say(service, CommandReceived("start"))  # the person pressed Start
    outcome = await say(service, CommandReceived("xyzzy"))
    assert "Je ne connais pas cette commande" in texts(outcome)[0]
    assert "theme:food" in payloads(outcome)


async def test_results_are_one_message_and_a_place_button_opens_its_card_and_pin(
    service: ConversationService, directory: FakeDirectory
) -> None:
    directory.page = SearchPage(
        cards=(card("Soupe", 120), card("Frigo", 300)), total=2, radius_m=5000
    )
    await say(service, ButtonPressed("theme:food"))
    listed = await say(service, LocationShared(45.4, -71.89))
    lists = [t for t in texts(listed) if "1. Soupe" in t]
    assert len(lists) == 1, "one compact list, not a message per place"
    assert len(listed.messages) <= 2, "the list, and at most the offer of a follow-up"
    assert not any(isinstance(m, ShowPlace) for m in listed.messages)
    assert "1. Soupe" in texts(listed)[0]
    assert "2. Frigo" in texts(listed)[0]
    opened = await say(service, ButtonPressed(payloads(listed)[0]))
    assert any(isinstance(m, ShowPlace) and m.title == "Soupe" for m in opened.messages)
    assert "Soupe" in texts(opened)[0]


async def test_the_search_carries_the_age_and_gender_said(
    service: ConversationService, directory: FakeDirectory, nlu: FakeNlu
) -> None:
    nlu.answers["chu un gars, jai 16 ans pis jai pas de place ou dormir"] = Interpretation(
        Intent.NEED, 0.9, theme=Theme.SHELTER
    )
    await say(service, TextReceived("chu un gars, jai 16 ans pis jai pas de place ou dormir"))
    await say(service, LocationShared(45.4, -71.89))
    assert directory.queries[-1].age == 16
    assert directory.queries[-1].gender == "man"


@dataclass
class SlowNlu:
    """Takes longer for the first message, so a race would reorder the answers."""

    order: list[str]

    async def parse(self, text: str, language: Language) -> Interpretation:
        await asyncio.sleep(0.05 if text == "premier" else 0)
        self.order.append(text)
        return Interpretation(Intent.GREET, 0.9)


async def test_events_of_one_conversation_are_handled_in_order(
    engine: Engine, world: MemoryWorld
) -> None:
    order: list[str] = []
    reader = text_reader(SlowNlu(order))
    service = ConversationService(engine=engine, reader=reader, uow_factory=world)
    await asyncio.gather(
        say(service, TextReceived("premier")),
        say(service, TextReceived("deuxième")),
        say(service, TextReceived("troisième")),
    )
    assert order == ["premier", "deuxième", "troisième"]
    assert len(service.locks) == 0, "locks are dropped when nobody waits"


class BusyWorld(MemoryWorld):
    def __init__(self, busy_times: int) -> None:
        super().__init__()
        self.busy_times = busy_times

    def __call__(self):  # type: ignore[no-untyped-def]
        uow = super().__call__()
        if self.busy_times > 0:
            self.busy_times -= 1

            async def busy_commit() -> None:
                raise StorageBusy("database is locked")

            uow.commit = busy_commit  # type: ignore[method-assign]
        return uow


async def test_a_busy_database_is_retried_then_reported(engine: Engine, reader: TextReader) -> None:
    recovering = BusyWorld(busy_times=2)
    service = ConversationService(
        engine=engine, reader=reader, uow_factory=recovering, retry_delay_s=0
    )
    outcome = await say(service, CommandReceived("start"))
    assert "anonyme" in texts(outcome)[0]
    assert P in recovering.conversations

    stuck = BusyWorld(busy_times=10)
    service = ConversationService(engine=engine, reader=reader, uow_factory=stuck, retry_delay_s=0)
    with pytest.raises(StorageUnavailableError):
        await say(service, CommandReceived("start"))
    assert P not in stuck.conversations


@pytest.mark.parametrize(
    ("theme", "line"),
    [
        (Theme.MENTAL_HEALTH, "1 866 277-3553"),
        (Theme.VIOLENCE, "1 800 363-9010"),
        (Theme.SUBSTANCE_USE, "1 800 265-2626"),
        (Theme.FOOD, None),
    ],
)
async def test_the_crisis_lines_that_fit_are_pinned_above_results(
    service: ConversationService, directory: FakeDirectory, theme: Theme, line: str | None
) -> None:
    directory.page = SearchPage(cards=(card("Lieu", 120),), total=1, radius_m=5000)
    await say(service, ButtonPressed(f"theme:{theme}"))
    outcome = await say(service, LocationShared(45.4, -71.89))
    first = texts(outcome)[0]
    if line is None:
        assert "911" not in first
    else:
        assert line in first
        assert first.count("📞") + first.count("💬") <= 4, "the lines that fit, not all of them"
    assert directory.queries[-1].language is Language.FR


async def test_a_first_message_without_start_still_hears_the_welcomes_promises(
    service: ConversationService,
) -> None:
    outcome = await say(service, MediaReceived(MediaKind.STICKER))
    first = texts(outcome)[0]
    assert "anonyme" in first
    assert "pas un service d’urgence" in first
    assert "911" in first
    assert "Les intervenant·e·s humain·e·s (Équipe test) lisent tes messages" in first
    assert "Je lis seulement le texte" in texts(outcome)[1], "then the answer itself"
    again = await say(service, MediaReceived(MediaKind.STICKER))
    assert "anonyme" not in texts(again)[0], "said once, not on every message"


async def test_a_typed_yes_answers_the_offer_of_a_worker(
    service: ConversationService, world: MemoryWorld, nlu: FakeNlu
) -> None:
    await say(service, CommandReceived("start"))
    await say(service, TextReceived("blablabla"))
    await say(service, TextReceived("gnagnagna"))  # "Veux-tu qu'un·e intervenant·e…?"
    nlu.answers["oui"] = Interpretation(Intent.AFFIRM, 0.97)
    outcome = await say(service, TextReceived("oui"))
    assert world.conversations[P].owner is Owner.QUEUED
    assert OpenCase(Priority.NORMAL, CaseReason.NOT_UNDERSTOOD) in outcome.effects


async def test_a_typed_no_keeps_everything_when_erasure_was_asked(
    service: ConversationService, world: MemoryWorld, nlu: FakeNlu
) -> None:
    await say(service, CommandReceived("start"))
    await say(service, CommandReceived("oublie"))
    nlu.answers["non"] = Interpretation(Intent.DENY, 0.95)
    outcome = await say(service, TextReceived("non"))
    assert "on ne touche à rien" in texts(outcome)[0]
    assert P in world.conversations
    assert not any(isinstance(e, ForgetPerson) for e in outcome.effects)


async def test_a_yes_typed_later_does_not_answer_an_old_question(
    service: ConversationService, world: MemoryWorld, nlu: FakeNlu
) -> None:
    await say(service, CommandReceived("start"))
    await say(service, CommandReceived("oublie"))
    await say(service, CommandReceived("menu"))  # the person moved on
    nlu.answers["oui"] = Interpretation(Intent.AFFIRM, 0.97)
    outcome = await say(service, TextReceived("oui"))
    assert P in world.conversations, "nothing erased by a stale yes"
    assert not any(isinstance(e, ForgetPerson) for e in outcome.effects)
