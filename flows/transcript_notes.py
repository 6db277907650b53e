"""One turn, as the worker's card keeps it: the engine's ``TurnTrace`` turned into notes.

The engine calls ``transcribe_turn`` once per turn the bot handled and adds the result to the
decision's effects; ``CaseEffects`` stores it. What the trace cannot know (which crisis lines
were given, when a human was promised, why a human was asked for, what was not understood)
the engine passes in.
"""

from __future__ import annotations

from collections.abc import Sequence

from flows.actions import TurnTrace
from flows.crisis_protocol import select_lines
from flows.domain import CaseReason
from flows.transcript import BotNote, NoteKind, Transcribe
from flows.understanding import CrisisCategory, CrisisLines


def crisis_line_names(lines: CrisisLines, category: CrisisCategory | None) -> tuple[str, ...]:
    """What the crisis reply gave: the emergency number, then the lines that fit."""
    return (lines.emergency_number, *(line.name for line in select_lines(lines, category)))


def transcribe_turn(
    person_text: str | None,
    trace: TurnTrace,
    *,
    lines_given: Sequence[str] = (),
    promised: str | None = None,
    asked_human: CaseReason | None = None,
    not_understood: bool = False,
    media: str | None = None,
    location: bool = False,
) -> Transcribe:
    """The ``Transcribe`` effect of one turn: the person's text and what the bot did."""
    notes: list[BotNote] = []
    if trace.theme is not None:
        notes.append(BotNote(NoteKind.THEME, trace.theme.value))
    if trace.results is not None:
        if trace.results.cards:
            notes.extend(BotNote(NoteKind.PLACES_SUGGESTED, c.name) for c in trace.results.cards)
        elif trace.theme is not None:
            notes.append(BotNote(NoteKind.NO_RESULTS, trace.theme.value))
    if trace.faq is not None:
        notes.append(BotNote(NoteKind.FAQ, trace.faq))
    notes.extend(BotNote(NoteKind.LINES_GIVEN, name) for name in lines_given)
    if promised:
        notes.append(BotNote(NoteKind.PROMISED, promised))
    if asked_human is not None:
        notes.append(BotNote(NoteKind.ASKED_HUMAN, asked_human.value))
    if not_understood:
        notes.append(BotNote(NoteKind.NOT_UNDERSTOOD))
    if media:
        notes.append(BotNote(NoteKind.MEDIA, media))
    if location:
        notes.append(BotNote(NoteKind.LOCATION))
    return Transcribe(person_text, tuple(notes))
