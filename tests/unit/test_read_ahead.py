"""A text read as it arrives (while it is stored): the turn takes that reading, once.

What a person would notice if this broke: the same answer as without it, but the NLU asked
twice (slower), or a reading of another text answering theirs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from flows.domain import Language, Theme
from flows.engine import Engine
from flows.events import Inbound, TextReceived
from flows.ports import Nlu
from flows.reading import AHEAD_IN_FLIGHT, AHEAD_LIMIT, NLU_IN_FLIGHT
from flows.service import ConversationService
from flows.understanding import Intent, Interpretation
from tests.fakes.core import FakeNlu, MemoryWorld
from tests.plugins.core import text_reader

P = "p-ahead"


@dataclass
class GatedNlu:
    """Answers only once the test opens the gate; counts what it was asked."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)
    seen: list[str] = field(default_factory=list)

    async def parse(self, text: str, language: Language) -> Interpretation:
        self.seen.append(text)
        await self.gate.wait()
        return Interpretation(Intent.GREET, 0.95)


def people_writing(count: int) -> list[Inbound]:
    """``count`` people, each sending one text at the same moment."""
    return [
        Inbound(f"p-{n}", TextReceived(f"texte {n}"), language_hint="fr", reference=str(n))
        for n in range(count)
    ]


def reading_service(engine: Engine, world: MemoryWorld, nlu: Nlu) -> ConversationService:
    """The real conversation service, its texts read by ``nlu``."""
    return ConversationService(engine=engine, reader=text_reader(nlu), uow_factory=world)


def inbound(text: str, reference: str | None = "41") -> Inbound:
    return Inbound(P, TextReceived(text), language_hint="fr", address="12345", reference=reference)


async def test_a_text_read_while_it_is_stored_is_not_read_again_by_its_turn(
    engine: Engine, world: MemoryWorld
) -> None:
    nlu = GatedNlu()
    service = reading_service(engine, world, nlu)
    message = inbound("bonjour")
    service.read_ahead(message)
    await asyncio.sleep(0)  # the reading is under way (the NLU is thinking)
    assert nlu.seen == ["bonjour"]
    turn = asyncio.create_task(service.handle(message))
    await asyncio.sleep(0.01)
    assert not turn.done(), "the turn waits for the reading already asked for"
    nlu.gate.set()
    outcome = await turn
    assert nlu.seen == ["bonjour"], "asked once"
    assert outcome.messages, "and answered"


async def test_the_reading_ahead_answers_the_same_as_reading_in_the_turn(
    engine: Engine, world: MemoryWorld
) -> None:
    answers = {"j'ai faim": Interpretation(Intent.NEED, 0.97, theme=Theme.FOOD)}
    plain = reading_service(engine, world, FakeNlu(dict(answers)))
    expected = await plain.handle(inbound("j'ai faim", reference="1"))
    ahead_nlu = FakeNlu(dict(answers))
    other_world = MemoryWorld()
    ahead = reading_service(engine, other_world, ahead_nlu)
    message = inbound("j'ai faim", reference="1")
    ahead.read_ahead(message)
    got = await ahead.handle(message)
    assert [m.text for m in got.messages] == [m.text for m in expected.messages]
    assert ahead_nlu.seen == ["j'ai faim"]


async def test_a_reading_never_answers_another_text_or_a_message_without_reference(
    engine: Engine, world: MemoryWorld
) -> None:
    nlu = FakeNlu()
    service = reading_service(engine, world, nlu)
    service.read_ahead(inbound("premier texte", reference="7"))
    await asyncio.sleep(0)
    # Same message number, another text (it cannot happen with Telegram; it must not
    # mislead if it did): read afresh.
    await service.handle(inbound("autre texte", reference="7"))
    assert nlu.seen == ["premier texte", "autre texte"]
    nlu.seen.clear()
    service.read_ahead(inbound("sans numéro", reference=None))
    await asyncio.sleep(0)
    assert nlu.seen == [], "nothing to match it with later: not read ahead"


async def test_readings_nobody_takes_are_dropped_beyond_the_limit(
    engine: Engine, world: MemoryWorld
) -> None:
    nlu = FakeNlu()
    service = reading_service(engine, world, nlu)
    for number in range(AHEAD_LIMIT + 5):
        service.read_ahead(inbound(f"message {number}", reference=str(number)))
        await asyncio.sleep(0)  # each reading done before the next message comes
    nlu.seen.clear()
    # The first five were dropped: their turns read them afresh.
    await service.handle(inbound("message 0", reference="0"))
    assert nlu.seen == ["message 0"]
    # The newest is still there: its turn does not ask again.
    nlu.seen.clear()
    last = AHEAD_LIMIT + 4
    await service.handle(inbound(f"message {last}", reference=str(last)))
    assert nlu.seen == []


async def test_a_crowd_arriving_at_once_asks_the_nlu_no_more_than_the_turns_would(
    engine: Engine, world: MemoryWorld
) -> None:
    nlu = GatedNlu()
    service = reading_service(engine, world, nlu)
    crowd = people_writing(3 * AHEAD_IN_FLIGHT)
    for message in crowd:
        service.read_ahead(message)
    await asyncio.sleep(0)
    assert len(nlu.seen) == AHEAD_IN_FLIGHT, "the rest wait for their turn to be read"
    nlu.gate.set()
    await asyncio.gather(*(service.handle(message) for message in crowd))
    assert sorted(nlu.seen) == sorted(f"texte {n}" for n in range(len(crowd)))


async def test_the_nlu_server_is_asked_at_most_so_many_questions_at_once(
    engine: Engine, world: MemoryWorld
) -> None:
    nlu = GatedNlu()
    service = reading_service(engine, world, nlu)
    crowd = people_writing(2 * NLU_IN_FLIGHT)
    for message in crowd[:NLU_IN_FLIGHT]:
        service.read_ahead(message)
    turns = [asyncio.create_task(service.handle(message)) for message in crowd[NLU_IN_FLIGHT:]]
    await asyncio.sleep(0.01)
    assert len(nlu.seen) == NLU_IN_FLIGHT, "turns wait while the readings ahead are asked"
    nlu.gate.set()
    await asyncio.gather(*turns)
    assert len(nlu.seen) == 2 * NLU_IN_FLIGHT


async def test_readings_nobody_took_are_cancelled_when_the_turns_stop(
    engine: Engine, world: MemoryWorld
) -> None:
    nlu = GatedNlu()
    service = reading_service(engine, world, nlu)
    service.read_ahead(inbound("personne ne la prendra", reference="9"))
    await asyncio.sleep(0)
    pending = [t for t in asyncio.all_tasks() if t.get_name() == "read-ahead"]
    assert len(pending) == 1
    service.drop_reading_ahead()
    await asyncio.wait(pending)
    assert pending[0].cancelled()
