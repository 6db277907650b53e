"""Reading one text before the conversation is loaded: crisis screen, cues, language, NLU.

The service reads a text *before* it opens the unit of work, so no database connection is
held while the NLU server answers, and the crisis screen runs exactly once per message. A
receiver may start the reading as the text arrives (``ahead``), before it is stored: the
NLU's time then overlaps the storing instead of following it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass

from flows.domain import Language
from flows.ports import CrisisScreen, CueReader, LanguageDetector, Nlu
from flows.understanding import (
    NO_CUES,
    Intent,
    Interpretation,
    NluUnavailable,
    Screening,
    TextCues,
)

# Rasa's parse is cheap, but nobody's need is in their 1 001st character; the crisis screen
# still reads the whole message.
NLU_MAX_CHARS = 1_000
NOT_ASKED = Interpretation(Intent.UNKNOWN, 0.0)
# Readings started ahead and not yet taken (a stored text that another replica handles is
# never taken here) are dropped beyond this many, or after this long: a text stays in memory
# no longer than its turn needs.
AHEAD_LIMIT = 64
AHEAD_KEEP_S = 60.0
# Readings ahead under way at once. Beyond this a text waits for its turn to be read: the
# NLU server is asked no more often than the turns would ask it (a crowd arriving at once
# would otherwise send it every text together, and time it out).
AHEAD_IN_FLIGHT = 8
# Questions to the NLU server under way at once, from turns and readings ahead together;
# the others wait here, where no timeout runs, rather than in the server's queue.
NLU_IN_FLIGHT = 8


@dataclass(frozen=True, slots=True)
class Reading:
    """What one text says: the crisis screen's verdict, the NLU's interpretation, the
    language it is written in (None when unsure) and its deterministic cues.

    ``interpretation`` is ``NOT_ASKED`` when the screen flagged the text (the crisis protocol
    needs no NLU) and ``NluUnavailable`` when the NLU could not answer.
    """

    screening: Screening
    interpretation: Interpretation | NluUnavailable
    language: Language | None = None
    cues: TextCues = NO_CUES


@dataclass(frozen=True, slots=True)
class _Ahead:
    """A reading started as its text arrived."""

    text: str
    language: Language
    task: asyncio.Task[Reading]
    started: float


class TextReader:
    """Screens a text for a crisis and reads its cues and language (pure, local), then asks
    the NLU about it unless the screen flagged it."""

    def __init__(
        self,
        *,
        screen: CrisisScreen,
        nlu: Nlu,
        detector: LanguageDetector,
        cues: CueReader,
    ) -> None:
        self._screen = screen
        self._nlu = nlu
        self._detector = detector
        self._cues = cues
        self._ahead: OrderedDict[str, _Ahead] = OrderedDict()
        self._asking = asyncio.Semaphore(NLU_IN_FLIGHT)

    def ahead(self, key: str, text: str, language: Language) -> None:
        """Start reading ``text`` now; ``take(key, …)`` gets the reading later."""
        if key in self._ahead:
            return
        if sum(not started.task.done() for started in self._ahead.values()) >= AHEAD_IN_FLIGHT:
            return
        now = time.monotonic()
        while self._ahead and (
            len(self._ahead) >= AHEAD_LIMIT
            or next(iter(self._ahead.values())).started < now - AHEAD_KEEP_S
        ):
            _, oldest = self._ahead.popitem(last=False)
            oldest.task.cancel()
        task = asyncio.create_task(self.read(text, language), name="read-ahead")
        self._ahead[key] = _Ahead(text, language, task, now)

    async def take(self, key: str, text: str, language: Language) -> Reading:
        """The reading started ahead under ``key`` for this same text, else a fresh one."""
        started = self._ahead.pop(key, None)
        if started is not None:
            task = started.task
            if started.text == text and started.language == language and not task.cancelled():
                return await task
            task.cancel()
            # ``wait`` neither raises the task's cancellation nor swallows this turn's own.
            await asyncio.wait({task})
        return await self.read(text, language)

    def drop_ahead(self) -> None:
        """Cancel the readings nobody took (the process is stopping)."""
        while self._ahead:
            _, started = self._ahead.popitem(last=False)
            started.task.cancel()

    async def read(self, text: str, language: Language) -> Reading:
        """The reading of ``text``; never raises for an NLU outage."""
        screening = self._screen.screen(text)
        head = text[:NLU_MAX_CHARS]
        written_in = self._detector.detect(head)
        cues = self._cues.read(head)
        if screening.flagged:
            return Reading(screening, NOT_ASKED, written_in, cues)
        async with self._asking:
            interpretation = await self._nlu.parse(head, written_in or language)
        return Reading(screening, interpretation, written_in, cues)
