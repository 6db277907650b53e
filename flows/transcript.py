"""What happened before the handoff: the person's recent messages and what the bot did.

The worker who takes a case should not have to make the person repeat themselves. Each turn
the bot handles, the engine emits one ``Transcribe`` effect: the person's text (None for a
button or a command) and structured ``BotNote``s saying what the bot did — never the bot's
own sentences, so the card can say it in one line, in the staff's language.

Kept only for the retention window (``RETENTION_DAYS``), encrypted at rest, erased on
``/oublie``. Only what the card shows is stored: texts are cut to ``MAX_STORED_CHARS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

# The card shows a few hundred characters of each message; nothing beyond is worth keeping.
MAX_STORED_CHARS = 500


class NoteKind(StrEnum):
    """What the bot did in one turn. ``BotNote.detail`` holds the one fact named here."""

    THEME = "theme"  # the need understood or chosen: a theme id (``food``)
    PLACES_SUGGESTED = "places"  # one service shown: its name (one note per service)
    NO_RESULTS = "no_results"  # nothing found near the person: the theme id
    LINES_GIVEN = "lines"  # the emergency number or one crisis line's name (one note each)
    PROMISED = "promised"  # when the bot said a human would answer, as said (``demain à 9 h``)
    FAQ = "faq"  # an FAQ answer: its topic (``hours``)
    ASKED_HUMAN = "asked_human"  # a human was asked for: the case reason
    NOT_UNDERSTOOD = "not_understood"  # the bot did not understand (no detail)
    LOCATION = "location"  # the person shared a location; never the coordinates (no detail)
    MEDIA = "media"  # the person sent a photo, a voice message…: its kind (never the file)


@dataclass(frozen=True, slots=True)
class BotNote:
    """One thing the bot did in a turn, as a kind and one short fact."""

    kind: NoteKind
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Transcribe:
    """Effect: keep this turn for the worker's card (the person's text and the bot's notes)."""

    person_text: str | None
    notes: tuple[BotNote, ...] = ()


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One stored turn."""

    at: datetime
    person_text: str | None
    notes: tuple[BotNote, ...] = ()


class TranscriptStore(Protocol):
    """The recent turns of each person, encrypted where stored. Never commits."""

    async def append(self, pseudonym: str, entry: TranscriptEntry) -> None:
        """Keep one turn."""
        ...

    async def recent(self, pseudonym: str, since: datetime, limit: int) -> list[TranscriptEntry]:
        """The person's last ``limit`` turns at or after ``since``, oldest first."""
        ...

    async def forget(self, pseudonym: str) -> None:
        """Erase every turn of the person (``/oublie``)."""
        ...

    async def purge(self, older_than: datetime) -> int:
        """Erase every turn before ``older_than`` (the retention job); how many went."""
        ...


def entry_for(effect: Transcribe, at: datetime) -> TranscriptEntry | None:
    """What to store for one ``Transcribe`` effect (None when there is nothing to keep)."""
    text = effect.person_text.strip() if effect.person_text else None
    if not text and not effect.notes:
        return None
    return TranscriptEntry(at, text[:MAX_STORED_CHARS] if text else None, effect.notes)


@dataclass(frozen=True, slots=True)
class BotSummary:
    """What the bot did over several turns, each kind once, its details in order, no repeats."""

    details: dict[NoteKind, tuple[str, ...]]
    not_understood: int = 0

    @property
    def empty(self) -> bool:
        """True when the bot did nothing worth telling the worker."""
        return not self.details and not self.not_understood


def summarise(entries: Iterable[TranscriptEntry]) -> BotSummary:
    """Fold the notes of ``entries`` into one summary (the card's one line)."""
    details: dict[NoteKind, list[str]] = {}
    not_understood = 0
    for entry in entries:
        for note in entry.notes:
            if note.kind is NoteKind.NOT_UNDERSTOOD:
                not_understood += 1
                continue
            seen = details.setdefault(note.kind, [])
            if note.detail not in seen:
                seen.append(note.detail)
    return BotSummary({k: tuple(v) for k, v in details.items()}, not_understood)
