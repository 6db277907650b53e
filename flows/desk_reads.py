"""What the desk reads to draw a case card: the person's recent turns and earlier cases.

Run inside the caller's unit of work; the names of workers are resolved by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.cases import Case
from flows.ports import UnitOfWork
from flows.staff_view import EARLIER_ON_CARD
from flows.transcript import TranscriptEntry

RETENTION = timedelta(days=30)
# Turns read for a card: the bot's notes of every turn count in its one-line summary, the
# person's messages are cut to the last few when drawn.
TURNS_READ = 20


@dataclass(frozen=True, slots=True)
class CardContext:
    """The person's recent turns (oldest first) and their earlier cases (newest first)."""

    transcript: tuple[TranscriptEntry, ...] = ()
    earlier: tuple[Case, ...] = ()


async def card_context(
    uow: UnitOfWork, case: Case, now: datetime, *, retention: timedelta = RETENTION
) -> CardContext:
    """What ``StaffView.card`` needs besides the case; nothing once the person is forgotten."""
    if case.pseudonym is None:
        return CardContext()
    transcript = await uow.transcript.recent(case.pseudonym, now - retention, TURNS_READ)
    earlier = await uow.cases.earlier_for(case.pseudonym, case.id, EARLIER_ON_CARD)
    return CardContext(tuple(transcript), tuple(earlier))
