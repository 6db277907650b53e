"""What the worker's card keeps of the time before the handoff, and reads back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flows.actions import OpenCase, TurnTrace
from flows.case_rules import CaseRules
from flows.desk_reads import card_context
from flows.directory import SearchPage
from flows.domain import CaseReason, Jurisdiction, Priority, Theme
from flows.transcript import (
    MAX_STORED_CHARS,
    BotNote,
    NoteKind,
    Transcribe,
    TranscriptEntry,
    entry_for,
    summarise,
)
from flows.transcript_notes import crisis_line_names, transcribe_turn
from flows.understanding import CrisisCategory
from nlu.crisis_lines import FileCrisisLineRegistry
from tests.fakes.core import FakeClock, MemoryWorld

P = "9" * 64


def test_a_turn_is_kept_only_if_it_says_something_and_only_as_long_as_the_card_needs(
    clock: FakeClock,
) -> None:
    assert entry_for(Transcribe(None), clock.now()) is None
    assert entry_for(Transcribe("   "), clock.now()) is None
    kept = entry_for(Transcribe("  allo " + "x" * 2000), clock.now())
    assert kept is not None
    assert kept.person_text is not None
    assert kept.person_text.startswith("allo")
    assert len(kept.person_text) == MAX_STORED_CHARS
    button = entry_for(Transcribe(None, (BotNote(NoteKind.THEME, "food"),)), clock.now())
    assert button == TranscriptEntry(clock.now(), None, (BotNote(NoteKind.THEME, "food"),))


def test_the_summary_says_each_thing_once_in_order(clock: FakeClock) -> None:
    at = clock.now()
    summary = summarise(
        [
            TranscriptEntry(at, "a", (BotNote(NoteKind.PLACES_SUGGESTED, "A"),)),
            TranscriptEntry(at, "b", (BotNote(NoteKind.NOT_UNDERSTOOD),)),
            TranscriptEntry(
                at,
                "c",
                (
                    BotNote(NoteKind.PLACES_SUGGESTED, "B"),
                    BotNote(NoteKind.PLACES_SUGGESTED, "A"),
                    BotNote(NoteKind.NOT_UNDERSTOOD),
                ),
            ),
        ]
    )
    assert summary.details == {NoteKind.PLACES_SUGGESTED: ("A", "B")}
    assert summary.not_understood == 2
    assert summarise([TranscriptEntry(at, "hello")]).empty


async def test_the_card_reads_recent_turns_and_earlier_cases_and_nothing_after_forget(
    clock: FakeClock,
) -> None:
    world = MemoryWorld()
    rules = CaseRules(clock=clock)
    ask = OpenCase(Priority.NORMAL, CaseReason.ASKED_FOR_HUMAN)
    world.cases[1] = replace(rules.open_case(P, None, ask), id=1)
    world.transcript.append((P, TranscriptEntry(clock.now() - timedelta(days=31), "trop vieux")))
    world.transcript.append((P, TranscriptEntry(clock.now() - timedelta(days=2), "avant-hier")))
    world.transcript.append(("o" * 64, TranscriptEntry(clock.now(), "quelqu'un d'autre")))
    world.cases[2] = replace(rules.open_case(P, None, ask), id=2)
    async with world() as uow:
        context = await card_context(uow, world.cases[2], clock.now())
        assert [e.person_text for e in context.transcript] == ["avant-hier"]
        assert [c.id for c in context.earlier] == [1]
        forgotten = await card_context(uow, replace(world.cases[2], pseudonym=None), clock.now())
    assert forgotten.transcript == ()
    assert forgotten.earlier == ()


def test_a_turn_trace_becomes_the_notes_the_card_summarises(clock: FakeClock) -> None:
    nothing = SearchPage(cards=(), total=0, radius_m=5000)
    turn = transcribe_turn("J1H", TurnTrace(theme=Theme.FOOD, results=nothing))
    assert turn == Transcribe(
        "J1H", (BotNote(NoteKind.THEME, "food"), BotNote(NoteKind.NO_RESULTS, "food"))
    )
    lines = FileCrisisLineRegistry.load().lines_for(Jurisdiction.QC)
    given = crisis_line_names(lines, CrisisCategory.SUICIDE)
    assert given[0] == "911"
    crisis = transcribe_turn(
        "je veux mourir",
        TurnTrace(),
        lines_given=given,
        promised="demain à 9 h",
        asked_human=CaseReason.CRISIS,
    )
    kinds = [n.kind for n in crisis.notes]
    assert kinds[: len(given)] == [NoteKind.LINES_GIVEN] * len(given)
    assert kinds[len(given) :] == [NoteKind.PROMISED, NoteKind.ASKED_HUMAN]
    summary = summarise([TranscriptEntry(clock.now(), "je veux mourir", crisis.notes)])
    assert summary.details[NoteKind.LINES_GIVEN] == given
